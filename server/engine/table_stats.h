/*
 * server/engine/table_stats.h: per-table figures for GET /metrics: items, bytes, and the read and
 * write capacity units consumed.
 *
 * Each table has one ddb_table_stats, created by the catalog with the table and shared by every
 * version of its description (an UpdateTable keeps it), so a figure follows the table, not one
 * description. Capacity is charged once per request, after its handler, from what the handler
 * recorded (whether or not the client asked for ConsumedCapacity: engine/capacity/meter.h), with relaxed
 * atomic adds.
 *
 * Items and bytes are not stored: a table created while the server runs starts at zero, and the
 * mutation pipeline moves the figures after every commit it makes (engine/mutation.c), the table's
 * and each of its indexes' (LSI, GSI, vector) from the entries the commit wrote. A table that
 * existed at start (or after a snapshot restore) is counted once, by the background job
 * (table_counts.h) soon after start, or by whichever reader asks first, with one pass over its
 * items and index entries. That pass and the commits running meanwhile agree exactly through an
 * epoch: the pass takes a read snapshot while no commit is between its decision and its write
 * (ddb_store_exclusive), bumping the epoch there; a commit reads the epoch while deciding (under
 * its key's lock) and its change is added only if the epoch is unchanged when it is applied. A
 * commit decided before the bump is in the snapshot, one decided after it is not, so each change
 * is counted exactly once.
 *
 * An index enters the figures only when a pass counts it: one still being backfilled (whose
 * entries the backfill writes outside the pipeline) is not kept, and the first read once it is
 * ACTIVE finds it missing and counts the table again. So DescribeTable reads figures in O(1).
 * The same pass, run periodically on a known table, is the check: what the figures said at the
 * snapshot (plus the changes decided before it and applied during the pass) against the count;
 * any difference is logged, and the count wins.
 */
#ifndef DDB_TABLE_STATS_H
#define DDB_TABLE_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "server/base/stripe.h"
#include "server/engine/feature.h"
#include "server/engine/table.h"
#include "server/storage/storage.h"

/* The items and bytes of one keyspace (a table or an index, by its id), or a change of them. */
typedef struct ddb_keyspace_figures {
    uint32_t id;
    long long items, bytes;
} ddb_keyspace_figures;

#define DDB_STATS_KEYSPACES (1 + DDB_MAX_INDEXES)

/* What the figures of one catalog's tables share (the catalog makes it with itself, so one engine's
   never waits on another's): the commits between their decision and their change added, by
   generation's parity (ddb_table_stats_enter), and the items the counting passes have read. */
typedef struct ddb_figures_epoch {
    unsigned generation;
    struct { /* by stripe (stripe.h): every commit enters and leaves, on its own thread's */
        unsigned long n[2];
    } __attribute__((aligned(DDB_CACHE_LINE))) in_flight[DDB_STRIPES];
    pthread_mutex_t turning; /* two checks never turn the generation at once */
    uint64_t items_counted;  /* by the passes that count a table (ddb_figures_counted) */
} ddb_figures_epoch;

ddb_figures_epoch *ddb_figures_epoch_new(void);
void ddb_figures_epoch_free(ddb_figures_epoch *e);

typedef struct ddb_table_stats {
    pthread_mutex_t lock;         /* figures, epoch and known move together */
    pthread_mutex_t counting;     /* one count at a time */
    uint64_t epoch;               /* read atomically by commits */
    int known;                    /* the figures are exact (else: changes since the epoch) */
    ddb_keyspace_figures f[DDB_STATS_KEYSPACES]; /* the table's (f[0]), then each counted index's */
    unsigned nf;
    /* during a check: the changes decided under the epoch before it (in its snapshot already) */
    ddb_keyspace_figures late[DDB_STATS_KEYSPACES];
    int checking;
    unsigned long long repairs;   /* checks that found the figures off (for tests) */
    /* consumed units x 1000 by stripe (stripe.h; relaxed atomics, summed when read): every
       request adds to them */
    struct {
        uint64_t read_milli, write_milli;
    } __attribute__((aligned(DDB_CACHE_LINE))) charged[DDB_STRIPES];
    uint64_t vector_search_bytes, vector_write_bytes; /* vector indexes' request bytes (relaxed atomics) */
    ddb_figures_epoch *shared;        /* its catalog's */
    /* --count-refresh: the figures DescribeTable shows and when (server clock ms) they were taken,
       under lock; NULL until first shown. born_ms: a table created in this run (its zero figures
       are the first shown), else 0 */
    struct ddb_table_figures *shown;
    uint64_t shown_ms, born_ms;
    /* the indexes being built when the shown figures were taken: theirs are taken when first read
       after the build, so what a built index shows does not depend on whether the build (real time)
       ended before or after the refresh (the server's clock) */
    uint32_t owed[DDB_MAX_INDEXES];
    unsigned nowed;
    /* the features' own figures (feature.h's table_size: the cost report's units by operation,
       index and access pattern, and the warnings' observations, are the capacity row's): row i's
       at slots + slot_off[i] when it has some */
    const ddb_feature_rows *rows;
    unsigned slot_off[DDB_FEATURES_MAX];
    _Alignas(DDB_CACHE_LINE) unsigned char slots[];
} ddb_table_stats;

/* Table t's figures: `known` zero items (a table just created) or to be counted (one loaded); `shared`
   its catalog's; with each row's of `rows` that has figures per table (NULL: none). */
ddb_table_stats *ddb_table_stats_new(const ddb_table *t, int known, ddb_figures_epoch *shared,
                                     const ddb_feature_rows *rows);
void ddb_table_stats_free(ddb_table_stats *s);

/* Row `row`'s figures of the table (feature.h's table_size), or NULL: no figures (s NULL, a row
   not among the catalog's or without figures per table). The busiest row first in features.def
   finds them soonest (the capacity row's: every request charges them). */
static inline void *ddb_table_stats_slot(ddb_table_stats *s, const ddb_feature *row)
{
    for (unsigned i = 0; s != NULL && s->rows != NULL && i < s->rows->n; i++)
        if (s->rows->row[i] == row)
            return row->table_size != 0 ? s->slots + s->slot_off[i] : NULL;
    return NULL;
}

/* The epoch a commit decides under (read under its key's lock); 0 for a NULL stats. */
static inline uint64_t ddb_table_stats_epoch(const ddb_table_stats *s)
{
    return s != NULL ? __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) : 0;
}

/* Adds a committed change decided under `epoch` (dropped when a count began since): d[0] the table's,
   then its indexes' (by id; an index not counted yet is left out). */
void ddb_table_stats_change(ddb_table_stats *s, uint64_t epoch, const ddb_keyspace_figures *d, size_t n);

/*
 * A commit adds its change just after its write, so a check's pass could see a write whose change
 * has not been added yet. The pipeline brackets each commit, from before its decision until its
 * change is added, with enter (which returns the generation to leave) and leave; a check, after
 * its snapshot, waits until every commit that entered before it has left.
 */
unsigned ddb_table_stats_enter(ddb_figures_epoch *e);
void ddb_table_stats_leave(ddb_figures_epoch *e, unsigned gen);

/* Charges consumed capacity units. */
void ddb_table_stats_charge(ddb_table_stats *s, double read_units, double write_units);
/* Charges vector indexes' request bytes: VectorSearchRequestBytes, VectorWriteRequestBytes. */
void ddb_table_stats_charge_vector(ddb_table_stats *s, double search_bytes, double write_bytes);

/* The figures, counting table `t` first if they are not known yet, or if an index of t that has its
   entries now (not backfilling) is missing. `out->ix` holds each counted index's, by id. */
typedef struct ddb_table_figures {
    long long items, bytes;
    double read_units, write_units;
    unsigned long long vector_search_bytes, vector_write_bytes;
    ddb_keyspace_figures ix[DDB_MAX_INDEXES];
    unsigned nix;
} ddb_table_figures;
int ddb_table_stats_read(ddb_table_stats *s, ddb_store *store, const ddb_table *t, ddb_table_figures *out);

/*
 * DescribeTable's figures of t: those kept (ddb_table_stats_read, O(1) once counted), or, on a
 * store other gateways also write (RADOS shared by several, whose writes no figures kept here
 * see), a count, one pass per keyspace. DDB_STORE_OK or the error that ended a pass.
 */
int ddb_table_figures_exact(ddb_store *store, const ddb_table *t, ddb_table_figures *out);

/*
 * The figures of t for a report (GET /ddbd/usage, engine/report/), read-only: those kept
 * when they are known (and hold every index of t), else a count that keeps nothing, so a report
 * never starts, checks or repairs the table's figures (the background check does that).
 * DDB_STORE_OK or the error that ended a pass.
 */
int ddb_table_figures_peek(ddb_store *store, const ddb_table *t, ddb_table_figures *out);

/*
 * --count-refresh: DescribeTable's figures of t as DynamoDB shows them, refreshed about every six
 * hours: those last taken, taken again (ddb_table_figures_exact) once `every_ms` of the server's
 * clock have passed since (a table created in this run: its zero figures at its creation; else
 * first taken when first asked). An index being built when they are taken shows zero until it is
 * built, then the figures it has when first read after that, until the next refresh; one created
 * after them shows zero until the next refresh. DDB_STORE_OK or the error of a pass.
 */
int ddb_table_figures_refreshed(ddb_store *store, const ddb_table *t, uint64_t every_ms, ddb_table_figures *out);

/* Whether the figures of t are known (a read is O(1)): counted, with every index t has entries of. */
int ddb_table_stats_known(ddb_table_stats *s, const ddb_table *t);

/* The figures of index `id` in `f` (zero when it is not counted: one being backfilled). */
ddb_keyspace_figures ddb_table_figures_index(const ddb_table_figures *f, uint32_t id);

/*
 * Counts t if its figures are not known (ddb_table_stats_known), checked again under the counting
 * lock, so that a reader and the background job that both found them unknown count once.
 */
int ddb_table_stats_learn(ddb_table_stats *s, ddb_store *store, const ddb_table *t);

/*
 * Counts t again (the periodic check), logging any difference from the figures kept. DDB_STORE_OK or the error that ended the pass.
 */
int ddb_table_stats_check(ddb_table_stats *s, ddb_store *store, const ddb_table *t);

/*
 * Saved across a clean stop (engine/table_stats_saved.h): the figures of a known table, f[0] the
 * table's (returns how many, 0 when not known); and figures loaded before any commit, taken as
 * known only when they hold every keyspace t has entries of.
 */
unsigned ddb_table_stats_get(ddb_table_stats *s, ddb_keyspace_figures f[DDB_STATS_KEYSPACES]);
void ddb_table_stats_set(ddb_table_stats *s, const ddb_table *t, ddb_keyspace_figures *f, unsigned n);

/* Whether index ix has entries to count (not being backfilled, not being deleted). */
static inline int ddb_index_countable(const ddb_index *ix)
{
    return ddb_index_maintained(ix) && !(ix->state == DDB_IX_CREATING && ix->backfilling);
}

/*
 * Exact item count and size of a keyspace (a table or an index), reading only value headers,
 * through `snap` (may be NULL: the live store). DDB_STORE_OK or the error that ended the pass.
 */
int ddb_keyspace_count(ddb_store *store, const ddb_store_snapshot *snap, uint32_t id, unsigned long long *items,
                       unsigned long long *bytes);
/* The items (and index entries) every pass that counted a table of e's catalog has read: GET
   /metrics shows it, so that a test can tell that DescribeTable reads the kept figures rather than
   counting. */
uint64_t ddb_figures_counted(ddb_figures_epoch *e);

#endif
