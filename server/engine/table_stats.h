/*
 * server/engine/table_stats.h: per-table figures for GET /metrics: items, bytes, and the read and
 * write capacity units consumed.
 *
 * Each table has one ddb_table_stats, created by the catalog with the table and shared by every
 * version of its description (an UpdateTable keeps it), so a figure follows the table, not one
 * description. Capacity is charged by the operations as they write ConsumedCapacity (whether or
 * not the client asked for it: ops_common.h), with relaxed atomic adds.
 *
 * Items and bytes are not stored: a table created while the server runs starts at zero, and the
 * mutation pipeline moves the figures after every commit it makes (engine/mutation.c). A table
 * that existed at start (or after a snapshot restore) is counted once, the first time a scrape
 * asks for it, with one pass over its items as DescribeTable makes. That pass and the commits
 * running meanwhile agree exactly through an epoch: the pass takes a read snapshot while no
 * commit is between its decision and its write (ddb_store_exclusive), bumping the epoch there; a
 * commit reads the epoch while deciding (under its key's lock) and its change is added only if the
 * epoch is unchanged when it is applied. A commit decided before the bump is in the snapshot, one
 * decided after it is not, so each change is counted exactly once.
 */
#ifndef DDB_TABLE_STATS_H
#define DDB_TABLE_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "server/storage/storage.h"

typedef struct ddb_table_stats {
    pthread_mutex_t lock;         /* items, bytes, epoch and known move together */
    pthread_mutex_t counting;     /* one count at a time */
    uint64_t epoch;               /* read atomically by commits */
    int known;                    /* items and bytes are exact (else: changes since the epoch) */
    long long items, bytes;
    uint64_t read_milli, write_milli; /* consumed units x 1000 (relaxed atomics) */
} ddb_table_stats;

/* A new table's figures: `known` zero items (a table just created) or to be counted (one loaded). */
ddb_table_stats *ddb_table_stats_new(int known);
void ddb_table_stats_free(ddb_table_stats *s);

/* The epoch a commit decides under (read under its key's lock); 0 for a NULL stats. */
static inline uint64_t ddb_table_stats_epoch(const ddb_table_stats *s)
{
    return s != NULL ? __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE) : 0;
}

/* Adds a committed change decided under `epoch` (dropped when a count began since). */
void ddb_table_stats_change(ddb_table_stats *s, uint64_t epoch, long long items, long long bytes);

/* Charges consumed capacity units. */
void ddb_table_stats_charge(ddb_table_stats *s, double read_units, double write_units);

/* The figures, counting the table's keyspace `table_id` first if they are not known yet. */
typedef struct ddb_table_figures {
    long long items, bytes;
    double read_units, write_units;
} ddb_table_figures;
int ddb_table_stats_read(ddb_table_stats *s, ddb_store *store, uint32_t table_id, ddb_table_figures *out);

/*
 * Exact item count and size of a keyspace (a table or an index), reading only value headers,
 * through `snap` (may be NULL: the live store). DDB_STORE_OK or the error that ended the pass.
 */
int ddb_keyspace_count(ddb_store *store, const ddb_store_snapshot *snap, uint32_t id, unsigned long long *items,
                       unsigned long long *bytes);

#endif
