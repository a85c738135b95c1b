/*
 * server/engine/capacity/meter.h: what a request consumed, charged once; and whether a read is let in.
 *
 * A handler records what it consumed (ddb_consumed: the table, the units of the table and of each
 * index) on its request's meter as it computes it, and beside them the
 * partitions' loads (ddb_partition_load); the pipeline charges the whole meter once after the
 * handler returns (api/dispatch.c, through ddb_api.charge; the way Redis's call() accounts every
 * command after proc()): to the tables' figures for /metrics (table_stats.h) and the cost report
 * (usage.h), to the request's totals for the access log and the trace span, and to
 * --enforce-capacity's buckets (throttle.h). So no operation charges anything itself, and one
 * that consumes cannot be forgotten (ctest layers.check holds server/ops/ to it;
 * tests/compat/test_charge_every_operation.py walks the operation table).
 *
 * --enforce-capacity lets a request in before it does the work: a write in the mutation
 * pipeline (ddb_mutate), a read here (ddb_meter_admit_read), asked by the handler once it knows
 * the table, index and partition it is about to read. A batch's reads are admitted one key at a
 * time: the units its earlier keys consumed are taken from the buckets before the next key is
 * decided, so a batch that runs out of capacity halfway returns the rest unprocessed.
 */
#ifndef DDB_METER_H
#define DDB_METER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/base/error.h"
#include "server/engine/engine.h"
#include "server/engine/keycodec.h"
#include "server/engine/capacity/pattern.h"
#include "server/engine/table.h"

/* Units a request consumed on a table and on each of its indexes (t->indexes order; a vector
   index's are its request bytes, VectorWriteRequestBytes or VectorSearchRequestBytes). */
typedef struct ddb_consumed {
    const ddb_table *t;
    double table;
    double index[DDB_MAX_INDEXES];
    /* 'R' or 'W': also name the units ReadCapacityUnits / WriteCapacityUnits, as DynamoDB's
       transactions do (they may charge reads and writes); 0: CapacityUnits alone */
    char units;
    double written;   /* the part of the units that writes consumed (ddb_consumed_add); the rest was read */
    int refused;      /* a write its condition refused: charged, its units taken from the write buckets here
                         (a write that commits is taken by the mutation pipeline) */
    const char *name; /* TableName as the request named the table (its ARN); NULL: t->name */
} ddb_consumed;

/* The units one partition served a request: a point read's, a Query's range's, a refused write's
   (a write that commits is the mutation pipeline's). */
typedef struct ddb_partition_load {
    const ddb_table *t;
    const ddb_index *ix; /* read in this index (NULL: the table) */
    int write;
    double units;
    char key[DDB_KEY_PARTITION_BYTES]; /* the stored key's partition prefix (keycodec.h) */
} ddb_partition_load;

/* One record of a ddb_consumed, as the meter keeps it: `index` holds t->nindexes units (arena
   memory), NULL for a table without indexes, so a GetItem copies 40 bytes, not the 300 of a
   ddb_consumed. */
typedef struct ddb_charge {
    const ddb_table *t;
    double table, written;
    const double *index;
    int refused;
} ddb_charge;

#define DDB_METER_INLINE 2 /* most requests record one table and one partition: no allocation more */

/* Eventually consistent reads of one table's keys written less than a second before (the
   access-pattern warnings': access_warn.h). */
typedef struct ddb_fresh_reads {
    const ddb_table *t;
    uint32_t n;
} ddb_fresh_reads;

/* A request's meter: what it consumed so far (arena memory, the request's); [0, taken) of each
   list are taken from --enforce-capacity's buckets already. */
typedef struct ddb_meter {
    ddb_charge *used;
    uint32_t n, cap, taken;
    ddb_partition_load *parts;
    uint32_t nparts, capparts, takenparts;
    ddb_charge inline_used[DDB_METER_INLINE];
    ddb_partition_load inline_parts[DDB_METER_INLINE];
    /* for the access-pattern warnings (access_warn.h): a Scan's or Query's page (page_t NULL: none)
       and the eventually consistent reads of keys written lately (arena memory past the inline one) */
    const ddb_table *page_t;
    uint32_t scanned, returned;
    int filtered;
    ddb_fresh_reads *fresh;
    uint32_t nfresh, capfresh;
    ddb_fresh_reads inline_fresh[1];
    struct ddb_throttle *throttle; /* the engine's buckets, once a charge or a load is recorded */
    ddb_pattern_note pattern;      /* the key's shape (pattern.h); pattern.t NULL: none noted */
} ddb_meter;

/* Records c on *m (created in `a` at the first record). */
void ddb_meter_add(ddb_meter **m, ddb_arena *a, ddb_engine *eng, const ddb_consumed *c);
/* Records `units` served by the partition of the stored key `key` (nothing when it names no
   partition: shorter than DDB_KEY_PARTITION_BYTES, a Scan's range): observed at once by the
   hot-partition model (hot.h), and kept on m for --enforce-capacity's partition buckets. */
void ddb_meter_add_partition(ddb_meter **m, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const ddb_index *ix,
                             int write, const char *key, size_t klen, double units);

/* Records a Scan's or Query's page of table t: the items it read (ScannedCount), returned (Count),
   and whether a filter chose them. */
void ddb_meter_note_page(ddb_meter **m, ddb_arena *a, const ddb_table *t, size_t scanned, size_t returned,
                         int filtered);
/* Records a read of the stored key `key` of t: an eventually consistent one of a key written less
   than a second before is counted (a strongly consistent one costs a branch). */
void ddb_meter_note_read(ddb_meter **m, ddb_arena *a, const ddb_table *t, const char *key, size_t klen,
                         int consistent);

/* Notes the access pattern of the request on table t (pattern.h): its index ix (NULL: the table),
   whether it names a key (`keyed`: 0 for a Scan), the partition key value pk (NULL when it is not a
   string), a Query's sort key operator skop (ddb_kc_op, or DDB_PATTERN_SK_NONE) and its operand sk
   (NULL when not a string or not = / begins_with). Pointers are kept, not copied: request memory.
   The first note of a request is kept (a batch's first item). */
void ddb_meter_note_pattern(ddb_meter **m, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int keyed,
                            const char *pk, size_t pklen, int skop, const char *sk, size_t sklen);

/*
 * --enforce-capacity: 0 when a read of t (or of its index ix), of the partition of the stored key
 * `key` (NULL for a Scan), is let in; else the error (DDB_E_THROUGHPUT_EXCEEDED, DDB_E_THROTTLING)
 * recorded in *err with its text and ThrottlingReasons (in `a`), and the key told to Contributor
 * Insights. What m recorded before (a batch's
 * earlier keys) is taken from the buckets first. Always 0 with the option off.
 */
int ddb_meter_admit_read(ddb_meter *m, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const ddb_index *ix,
                         const char *key, size_t klen, ddb_error *err);

/* Charges everything m recorded (NULL: nothing) for a request of operation `op` (ddb_op; the cost
   report's figures by operation, usage.h) and adds its read and write units to *read, *write. */
void ddb_meter_charge(ddb_meter *m, int op, double *read, double *write);

/* The units of c's table and secondary indexes (not the vector indexes' bytes). */
double ddb_consumed_units(const ddb_consumed *c);

#endif
