/*
 * server/engine/read.h: the one read path of the operations: a point read, a batch of point reads
 * as of one moment, and the entries of a key range in order.
 *
 * Keys are the engine's (keycodec.h): a table's or an index's items, or sequenced records (a
 * stream shard's). What is read is decoded here or handed over as stored; nothing above the
 * engine names the store.
 */
#ifndef DDB_READ_H
#define DDB_READ_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/engine.h"
#include "server/engine/keycodec.h"

/* Failures of a read (the operation answers InternalServerError, or cancels a transaction). */
enum {
    DDB_READ_FAILED = -1,   /* the store failed, or what it holds cannot be decoded */
    DDB_READ_CONFLICT = -2, /* ddb_read_batch: writes of other processes kept changing the keys (RADOS) */
};

/*
 * The item at `key`: 0 with *found; when found, *item is decoded (arena memory) and *size is its
 * stored size (capacity: engine/capacity/capacity.h). DDB_READ_FAILED on a failure.
 */
int ddb_read_item(ddb_engine *eng, ddb_arena *a, const ddb_key *key, ddb_attr *item, size_t *size, int *found);

/* The same, the item as stored (*val NULL: absent; itemcodec.h decodes it). 0 or DDB_READ_FAILED. */
int ddb_read_stored(ddb_engine *eng, ddb_arena *a, const ddb_key *key, const char **val, size_t *vlen);

/* One key of a batch read: the caller sets key; the read sets val (stored bytes, arena; NULL: absent). */
typedef struct ddb_read_slot {
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
} ddb_read_slot;

/* Reads slots[0..n) as of one moment (TransactGetItems); 0, DDB_READ_CONFLICT or DDB_READ_FAILED. */
int ddb_read_batch(ddb_engine *eng, ddb_arena *a, ddb_read_slot *slots, size_t n);

/*
 * One entry of a range: its key and stored value (valid during the call). fn returns 0 to go on,
 * or a positive value that ends the read and is returned.
 */
typedef int (*ddb_read_fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen);

/*
 * Calls fn for the entries of [lo, hi) in key order (descending with `reverse`), starting after
 * `after` (NULL: at the start; an entry equal to it is skipped). Returns fn's positive result, 0
 * when the range ran out, or DDB_READ_FAILED when the store failed (never a short range).
 */
int ddb_read_range(ddb_engine *eng, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse,
                   const char *after, size_t afterlen, ddb_read_fn fn, void *ctx);

/*
 * An operation's reads of a table's items, eventually consistent unless `consistent`: a point read
 * of t's item (GetItem, BatchGetItem, PartiQL) and a range of t or its index ix (NULL: the table;
 * a Query's or a Scan's page), as ddb_read_item and ddb_read_range answer them. Eventually
 * consistent, a row that serves them as production's other replicas would (feature.h:
 * replica_item, replica_range; engine/emulate/) answers instead when one is on; with none on, each
 * costs a test of a count. The draws such a row took of the table's sequence (--stale-reads) are
 * added to *drawn: the operation's count of them, which its recorded line carries.
 */
int ddb_read_table_item(ddb_engine *eng, ddb_arena *a, const ddb_table *t, int consistent, const ddb_key *key,
                        ddb_attr *item, size_t *size, int *found, unsigned *drawn);
int ddb_read_table_range(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int consistent,
                         const ddb_read_bounds *b, ddb_read_fn fn, void *ctx, unsigned *drawn);

/* The same over sequenced keys ([lo, hi) within one prefix: storage.h's ddb_batch_put_seq), forward. */
int ddb_read_seq_range(ddb_engine *eng, const char *lo, size_t lolen, const char *hi, size_t hilen, ddb_read_fn fn,
                       void *ctx);

/*
 * Reads keyspace `id` (a table's items, or a backup's copy of them: engine/jobs/backups.h) as of
 * `snap` (NULL: now), in key order, calling fn for each item until it returns nonzero; returns
 * that value, 0 when every item was read, or a storage error (storage.h's ddb_store_rc).
 * The key's first four bytes are the keyspace id; the rest is the table's key layout
 * (docs/storage-format.md), ddb_key_from_stored reads it.
 *   The table as of a backup: ddb_keyspace_each(store, NULL, backup.keyspace, ...) once the
 *   backup is AVAILABLE. The table now, consistently: snap = ddb_store_snapshot_take(store), then
 *   ddb_keyspace_each(store, snap, table->id, ...), then ddb_store_snapshot_release.
 */
int ddb_keyspace_each(ddb_store *s, const ddb_store_snapshot *snap, uint32_t id, ddb_arena *a,
                      int (*fn)(void *ctx, const char *key, size_t klen, const ddb_attr *item), void *ctx);

/*
 * The partitions of keyspace `id` (a table's items, an index's entries), as the reports that size
 * them read them (engine/report/): not a request's read, so no feature (Contributor
 * Insights) sees it. A partition is one partition hash (64 bits: one key value).
 */
#define DDB_READ_PK_MAX 256 /* a partition key's form kept, at most (longer ones truncated) */
typedef struct ddb_partition {
    uint64_t hash;
    const char *pk;   /* its partition key's stored form [pk_len: u16 BE][pk bytes], maybe truncated */
    size_t pklen;
    uint64_t entries; /* its items or entries; 0 when not counted */
    int counted;      /* 0: it began past the budget, its entries were skipped */
} ddb_partition;
typedef int (*ddb_partition_fn)(void *ctx, const ddb_partition *p);

/* Calls fn for each partition of keyspace id in key order until it returns nonzero; the entries of
   a partition are counted while fewer than `budget` were counted before it, later partitions are
   named but their entries skipped. fn's result, 0 when the keyspace ran out, or DDB_READ_FAILED. */
int ddb_read_partitions(ddb_engine *eng, uint32_t id, uint64_t budget, ddb_partition_fn fn, void *ctx);

/* The partition key form ([pk_len][pk]) of keyspace id's first stored key whose partition hash is
   h with its low bit either way (the hot-partition model's slots: capacity/hot.h) into buf, at most
   size bytes: its length, 0 when none is stored (or the store failed). */
size_t ddb_read_partition_key(ddb_engine *eng, uint32_t id, uint64_t h, char *buf, size_t size);

#endif
