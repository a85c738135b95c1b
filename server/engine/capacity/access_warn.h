/*
 * server/engine/capacity/access_warn.h: what the access-pattern warnings of the cost report need, per table
 * (GET /ddbd/usage's "warnings": server/engine/report/warnings.c; docs/usage.md lists them).
 *
 * Observed where each request already passes, never estimated: a client's committed write in the
 * mutation pipeline (its size, its TTL attribute's value, its partition key's order, its key's
 * time for the read-after-write check), where --enforce-capacity takes a committed write's units;
 * a read's and a Scan's or Query's figures on the request's meter (meter.h), added here when
 * dispatch charges the meter. Scan's share of read units and the indexes never read come from the
 * usage counters (usage.h) without any state of their own.
 *
 * Bounded: one ddb_access_warn per table, inside its ddb_table_stats, DDB_ACCESS_WARN_BYTES at
 * most (counters, the last partition key's first DDB_ACCESS_PK_BYTES bytes, and a ring of the
 * last DDB_ACCESS_RECENT keys' write times: a key pushed out of it is a read-after-write missed,
 * never one invented, as the ring keeps the key's hash beside its time).
 */
#ifndef DDB_ACCESS_WARN_H
#define DDB_ACCESS_WARN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/attr.h"
#include "server/engine/keycodec.h"

/* Thresholds (docs/usage.md says why each). */
#define DDB_ACCESS_LARGE_ITEM_BYTES (300 * 1024)  /* 75 % of DynamoDB's 400 KB item limit */
#define DDB_ACCESS_TTL_MS_ABOVE 1e11              /* seconds reach 1e11 in the year 5138 */
#define DDB_ACCESS_SORTED_RUN 100                 /* writes in partition key order before a load is "sorted" */
#define DDB_ACCESS_SORTED_PER_KEY 4               /* ... its keys' writes on average (a create-then-update is 2) */
#define DDB_ACCESS_FRESH_MS 1000                  /* an eventually consistent read this soon after a write */
#define DDB_ACCESS_RECENT 64                      /* the keys whose write times are kept (a power of 2) */
#define DDB_ACCESS_PK_BYTES 48                    /* compared of a partition key (longer ones of one prefix: taken as in order) */

typedef struct ddb_access_warn {
    /* meter (charged by dispatch) */
    uint64_t scans;                    /* Scan requests */
    uint64_t filtered, filtered_scanned, filtered_returned; /* Scans and Queries with a filter */
    uint64_t fresh_reads;              /* eventually consistent reads of a key written < 1 s before */
    /* mutation pipeline (committed client writes) */
    uint64_t large_items, largest_bytes;
    uint64_t ttl_writes, ttl_ms, ttl_strings; /* writes holding the TTL attribute, in ms, as a string */
    uint64_t sorted_loads, sorted_writes;
    struct { /* the current run of writes in partition key order (under `busy`: one writer at a time) */
        int busy;
        uint32_t writes, keys, counted;
        uint16_t len;
        uint64_t hash;                 /* the partition key's (tells keys of one prefix apart) */
        char pk[DDB_ACCESS_PK_BYTES];
    } run;
    struct {
        uint64_t hash, ms;
    } recent[DDB_ACCESS_RECENT];
} ddb_access_warn;

#define DDB_ACCESS_WARN_BYTES sizeof(ddb_access_warn)

/* A client's committed write of `key` (new: its new image of new_size bytes; NULL for a delete)
   to a table whose TTL attribute is ttl_attr (NULL: none enabled). */
void ddb_access_note_write(ddb_access_warn *w, const ddb_key *key, const ddb_attr *new_item, size_t new_size,
                           const char *ttl_attr);

/* Whether the stored key was written less than DDB_ACCESS_FRESH_MS ago (as far as the ring knows). */
int ddb_access_written_lately(const ddb_access_warn *w, const char *key, size_t klen);

/* Adds n to *counter (relaxed atomics: the request path). */
static inline void ddb_access_add(uint64_t *counter, uint64_t n)
{
    __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static inline uint64_t ddb_access_get(const uint64_t *counter)
{
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

#endif
