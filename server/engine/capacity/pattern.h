/*
 * server/engine/capacity/pattern.h: the capacity a table's requests consumed, by access pattern (the
 * cost report's "accessPatterns": server/engine/report/report.c, docs/usage.md).
 *
 * A pattern is the operation, the index, and the key's shape: the partition key value's prefix up to
 * and including its first separator ('#', ':', '|', '/'), and a Query's sort key operator with, for
 * = and begins_with, its operand's prefix. The handler notes the shape on the request's meter as a
 * few pointers into request memory (ddb_meter_note_pattern); the prefixes are cut and hashed only
 * when the meter is charged, once per request. Each table keeps DDB_PATTERNS slots (fixed memory,
 * claimed by the pattern's hash the first time it is charged); past them, a pattern's units go to
 * "other".
 */
#ifndef DDB_PATTERN_H
#define DDB_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "server/engine/capacity/usage.h"

#define DDB_PATTERNS 32        /* patterns kept per table; past them: "other" */
#define DDB_PATTERN_PREFIX 23  /* bytes kept of a key prefix (a longer one is cut) */
#define DDB_PATTERN_SK_NONE 0xff /* a Query without a sort key condition */

/* The shape of one request's key (what a slot is named by). */
typedef struct ddb_pattern_key {
    uint16_t op;     /* ddb_op */
    uint8_t keyed;   /* 0: no key shown (a Scan, an operation that noted none) */
    uint8_t skop;    /* ddb_kc_op, or DDB_PATTERN_SK_NONE */
    uint32_t ix;     /* the index's id; 0: the table */
    uint8_t pklen, sklen;
    char pk[DDB_PATTERN_PREFIX], sk[DDB_PATTERN_PREFIX];
} ddb_pattern_key;
_Static_assert(sizeof(ddb_pattern_key) % 8 == 0, "hashed eight bytes at a time");

typedef struct ddb_pattern_slot {
    uint64_t hash;   /* of its key; 0: free */
    uint32_t ready;  /* its key is written (release) */
    ddb_pattern_key key;
    ddb_usage_units u;
} ddb_pattern_slot;

typedef struct ddb_table_patterns {
    ddb_pattern_slot slot[DDB_PATTERNS];
    ddb_usage_units other;
} ddb_table_patterns;

/* What a handler notes (pointers into request memory: nothing is copied or hashed on the way). */
typedef struct ddb_pattern_note {
    const void *t;    /* the table noted (its charges go to this shape); NULL: none */
    uint32_t ix;
    uint8_t keyed, skop;
    const char *pk, *sk; /* NULL: not a string (shown as "*") */
    uint32_t pklen, sklen;
} ddb_pattern_note;

/* Adds read and write units to the pattern of operation `op` noted in n (NULL: the operation's
   alone). */
void ddb_patterns_add(ddb_table_patterns *p, int op, const ddb_pattern_note *n, double read, double write);

#endif
