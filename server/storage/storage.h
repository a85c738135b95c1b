/*
 * server/storage/storage.h: the narrow interface between the table engine and a storage backend.
 *
 * A backend stores opaque keys and values in N shards plus one metadata space, and offers only:
 *   - point reads;
 *   - ordered range reads, in both directions, within one shard;
 *   - an atomic compound write (puts and deletes, possibly across shards) applied as a unit;
 *   - a guarded read-modify-write of one key: the key's lock is held while the caller reads the
 *     old value, decides (the guard: a condition expression, say) and produces the compound write.
 * The RocksDB backend (rocks.c) maps shards to column families of one database so a compound
 * write across shards is one WriteBatch. A RADOS backend would map shards to object pools and the
 * guard to a compare-and-write on the partition object; nothing above this interface changes.
 */
#ifndef DDB_STORAGE_H
#define DDB_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct ddb_store ddb_store;
typedef struct ddb_store_iter ddb_store_iter;

typedef struct ddb_store_options {
    const char *path;   /* data directory; ignored when in_memory */
    int in_memory;      /* keep everything in process memory */
    unsigned nshards;   /* wanted shard count (>= 1) */
    int sync_writes;    /* fsync the log on every write */
    /* The partition hash of a shard key (the engine's key layout; used to move keys between shards). */
    uint64_t (*key_hash)(const char *key, size_t klen);
} ddb_store_options;

/* A compound write: built in an arena, applied atomically by ddb_store_write. */
typedef struct ddb_write_op {
    int shard;          /* -1: the metadata space */
    int is_delete;
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
} ddb_write_op;

typedef struct ddb_batch {
    ddb_write_op *ops;
    size_t n, cap;
    ddb_arena *arena;
} ddb_batch;

void ddb_batch_init(ddb_batch *b, ddb_arena *a);
void ddb_batch_put(ddb_batch *b, int shard, const char *key, size_t klen, const char *val, size_t vlen);
void ddb_batch_delete(ddb_batch *b, int shard, const char *key, size_t klen);

/*
 * Opens (creating if needed) the store. When the data directory was written with another shard
 * count, the partitions whose owner changed are moved first (see shard ring in ring.h), and only
 * then does open return. On failure returns NULL and sets *err to a static or malloc'd message.
 */
ddb_store *ddb_store_open(const ddb_store_options *opt, char **err);
void ddb_store_close(ddb_store *s);
unsigned ddb_store_nshards(const ddb_store *s);

/* Metadata space: small keys and values (catalog, shard-map settings). Values go to the arena. */
int ddb_store_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);

/* Point read from a shard; *val is arena memory, NULL when absent. Returns 0 or -1 (I/O error). */
int ddb_store_get(ddb_store *s, ddb_arena *a, int shard, const char *key, size_t klen, char **val, size_t *vlen);

/* Applies a compound write atomically. Returns 0 or -1. */
int ddb_store_write(ddb_store *s, const ddb_batch *b);

/*
 * Guarded read-modify-write of one key in a shard: locks the key (by `lock_hash`), reads it, calls
 * `decide` with the old value (NULL when absent), and if decide returns 0 applies the batch it
 * filled, all before unlocking. decide's nonzero result is returned unchanged (no write);
 * storage failures return -1.
 */
typedef int (*ddb_rmw_decide)(void *ctx, const char *old, size_t oldlen, ddb_batch *out);
int ddb_store_rmw(ddb_store *s, ddb_arena *a, int shard, uint64_t lock_hash, const char *key, size_t klen,
                  ddb_rmw_decide decide, void *ctx);

/*
 * Ordered range read over [lo, hi) of one shard (shard -1: metadata), forward or reverse.
 * Keys and values returned by ddb_store_iter_key/val stay valid until the next call on the iterator.
 */
ddb_store_iter *ddb_store_iter_open(ddb_store *s, int shard, const char *lo, size_t lolen, const char *hi,
                                    size_t hilen, int reverse);
/* Positions at the first key (or, reverse, the last key) of the range; with `from`, at `from` itself or past it. */
void ddb_store_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen);
int ddb_store_iter_valid(ddb_store_iter *it);
void ddb_store_iter_next(ddb_store_iter *it);
const char *ddb_store_iter_key(ddb_store_iter *it, size_t *len);
const char *ddb_store_iter_val(ddb_store_iter *it, size_t *len);
void ddb_store_iter_close(ddb_store_iter *it);

/* Deletes every key in [lo, hi) of every shard (DeleteTable). Returns 0 or -1. */
int ddb_store_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);

/* The shard ring (hash key created once per data directory, current shard count). */
const struct ddb_ring *ddb_store_ring(const ddb_store *s);

#endif
