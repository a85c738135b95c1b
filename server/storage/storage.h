/*
 * server/storage/storage.h: the narrow interface between the table engine and a storage backend.
 *
 * A backend stores opaque keys and values in a data space plus a metadata space, and offers only:
 *   - point reads;
 *   - ordered range reads, in both directions;
 *   - an atomic compound write (puts and deletes of any keys) applied as a unit;
 *   - a guarded read-modify-write of one key, and its general form, a conditional commit over a
 *     set of keys: the keys are read, the caller decides (the guard: a condition expression, say)
 *     and produces the compound write, and no other commit on those keys interleaves;
 *   - batched point reads, read snapshots and a barrier (see "The storage contract" below).
 *
 * Placement is the backend's alone: it places each data key by the partition hash that the
 * engine's key layout carries (`key_hash` below), decides where that goes (RocksDB: a ring of
 * local shards, column families of one database, so a compound write across shards is one
 * WriteBatch; RADOS: one object per partition), and derives every lock from the key itself.
 * Nothing above this interface knows shards, rings or lock stripes.
 */
#ifndef DDB_STORAGE_H
#define DDB_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/buf.h" /* ddb_buf */
#include "server/base/batch.h" /* ddb_batch: the compound writes a store applies */

typedef struct ddb_store ddb_store;
typedef struct ddb_store_iter ddb_store_iter;

/* The backend a store is opened with (ddb_store_options.backend; backends.def, docs/storage-backends.md). */
enum {
#define X(id, name, caps, parts) DDB_BACKEND_##id,
#include "server/storage/backends.def"
#undef X
    DDB_BACKEND__COUNT
};

/* What a backend is, which is what code above storage decides by (backends.def's third column). */
enum {
    DDB_BACKEND_CAP_LOCAL = 1 << 0,      /* its data is in this process: a data directory or memory */
    DDB_BACKEND_CAP_SHARED = 1 << 1,     /* its data is elsewhere, shared with other gateways */
    DDB_BACKEND_CAP_SLOW_CALLS = 1 << 2, /* a call takes milliseconds: worth a hand-off to workers */
};

/* backend's row of backends.def; a value out of range is the first row's, as ddb_store_open
   opens it */
static inline int ddb_backend_row(int backend)
{
    return backend >= 0 && backend < DDB_BACKEND__COUNT ? backend : 0;
}

/* its name ("rocksdb": --backend's value) */
static inline const char *ddb_backend_name(int backend)
{
    static const char *const names[] = {
#define X(id, name, caps, parts) name,
#include "server/storage/backends.def"
#undef X
    };
    return names[ddb_backend_row(backend)];
}

/* its DDB_BACKEND_CAP_* */
static inline unsigned ddb_backend_caps(int backend)
{
    static const unsigned caps[] = {
#define X(id, name, caps, parts) caps,
#include "server/storage/backends.def"
#undef X
    };
    return caps[ddb_backend_row(backend)];
}

/* the partitions of a new table when the option leaves them (0: the option's own default) */
static inline unsigned ddb_backend_parts(int backend)
{
    static const unsigned parts[] = {
#define X(id, name, caps, parts) parts,
#include "server/storage/backends.def"
#undef X
    };
    return parts[ddb_backend_row(backend)];
}

typedef struct ddb_store_options {
    int backend;        /* DDB_BACKEND_<ID> of backends.def (0, the first row: the default) */
    const char *rados_conf; /* RADOS: the cluster's ceph.conf (NULL: librados' default search) */
    const char *rados_pool; /* RADOS: the pool (created if missing; NULL: "ddbd") */
    const char *path;   /* data directory; ignored when in_memory (and by RADOS) */
    int in_memory;      /* keep everything in process memory */
    unsigned nshards;   /* wanted shard count: the backend's placement setting; 0: the count the
                           data directory was created with (a new one: default_nshards) */
    unsigned default_nshards; /* the count of a new directory when nshards is 0 (>= 1) */
    int sync_writes;    /* acknowledge writes only once durable: ddb_store_groupcommit */
    int open_now;       /* open a new store at once, not on its first write (lazy.c; tests) */
    uint64_t min_free_bytes; /* writes fail (DDB_STORE_EIO) while the disk has less free (diskguard.h) */
    /* Runs fn(arg) with nothing else using the store (no request in flight or starting, no
       background work), on the caller's thread: the wiring's quiesce, which the backend needs to
       reopen its files in place after a full disk's resume hung (diskguard.h). 0 once fn ran; -1
       when it cannot (the server not open yet, or closing). NULL: a stuck resume waits for a restart. */
    int (*quiesced)(void *ctx, void (*fn)(void *arg), void *arg);
    void *quiesced_ctx;
    /* The partition hash a data key carries (the engine's key layout): keys with equal hashes are
       one partition, placed together; a key too short to carry one has hash 0. It must depend
       only on the key's first `partition_bytes` bytes, which name its partition: a range whose
       bounds share those bytes lies in one partition (and is read from one place). */
    uint64_t (*key_hash)(const char *key, size_t klen);
    size_t partition_bytes;
} ddb_store_options;


/*
 * Opens (creating if needed) the store. A new RocksDB store (in memory, or a missing or empty
 * data directory, without sync_writes) is opened by its first write and is empty until then
 * (lazy.c); nothing that uses it can tell, and a bad option is refused here all the same. When nshards is set and the data directory was written
 * with another shard count, the partitions whose owner changed are moved first (see shard ring in
 * ring.h), and only then does open return; with nshards 0 the directory keeps its count (a move
 * left half done by a crash is finished), so a directory moved to a host with other CPUs opens as
 * it was. On failure returns NULL and sets *err to a malloc'd message (the caller
 * frees it). A data directory of an older format is upgraded at open; one of an unknown (newer)
 * format is refused.
 */
ddb_store *ddb_store_open(const ddb_store_options *opt, char **err); /* defined by the wiring's list of
                                                                       backends: server/backends.c */
/* "rocksdb" or "rados": the backend the store was opened with. */
const char *ddb_store_backend_name(const ddb_store *s);
/* 1 when other processes may share the store (RADOS gateways on one pool), 0 when this one owns it. */
int ddb_store_shared(const ddb_store *s);
/* The format version the data directory had when it was opened (0: a new directory), so the
   engine can log a migration. ddb_store_open has already upgraded it to the current version. */
int ddb_store_format_found(const ddb_store *s);
void ddb_store_close(ddb_store *s);
/*
 * With sync_writes, the group commit (groupcommit.h) that tells when a write is durable: a write
 * has returned once applied (and safe from the process's crash); it survives power loss once
 * ddb_groupcommit_durable reaches the ddb_groupcommit_written count read after it returned.
 * NULL without sync_writes (or when every write is durable when it returns).
 */
struct ddb_groupcommit *ddb_store_groupcommit(ddb_store *s);
/* The shard count (for the start-up line; nothing else depends on it). */
unsigned ddb_store_nshards(const ddb_store *s);
/* The backend's own figures for GET /metrics, in Prometheus' text format (server/doors/metrics.h). */
void ddb_store_metrics_text(ddb_store *s, ddb_buf *out);
/*
 * The 64-bit hash of a partition key, which the engine stores in its data keys for key_hash to
 * read back, under the algorithm the store keeps in its metadata ("ddbd/hash";
 * docs/storage-format.md, "Item keys"):
 *   DDB_HASH_MD5      a store made since issue 62: the first 8 bytes, big-endian, of
 *                     MD5("Outliers" || data), DynamoDB's own (its Scan order and segments); the
 *                     engine passes the partition key's bytes as DynamoDB hashes them;
 *   DDB_HASH_SIPHASH  one made before: SipHash-2-4 under the key it stored (ring.h's fixed one, or
 *                     an older store's random one); the engine passes its key form.
 * Not secret: tokens use ddb_store_secret_hash.
 */
typedef enum ddb_hash_alg { DDB_HASH_SIPHASH = 0, DDB_HASH_MD5 = 1 } ddb_hash_alg;
uint64_t ddb_store_hash(const ddb_store *s, const void *data, size_t len);
ddb_hash_alg ddb_store_hash_alg(const ddb_store *s);
/* SipHash-2-4 under a secret made once per data directory (or per --in-memory start; a directory
   made before issue 52: its random partition hash key, which was the secret then), for what the
   server signs (shard iterators) or derives ids from: a client cannot compute it. */
uint64_t ddb_store_secret_hash(const ddb_store *s, const void *data, size_t len);

/* Metadata space: small keys and values (catalog, shard-map settings). Values go to the arena. */
int ddb_store_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
/* Writes one metadata record alone (a job's record, a cursor); DDB_STORE_OK or an error. */
int ddb_store_meta_set(ddb_store *s, ddb_arena *a, const char *key, const void *val, size_t vlen);
/* A follower's position (a sequence number, in decimal) under `key`: read (0 when there is none
   or it cannot be read) and written. */
uint64_t ddb_store_meta_get_u64(ddb_store *s, ddb_arena *a, const char *key);
int ddb_store_meta_set_u64(ddb_store *s, ddb_arena *a, const char *key, uint64_t v);

/* Point read; *val is arena memory, NULL when absent. Returns DDB_STORE_OK or an error
   (DDB_STORE_EIO, DDB_STORE_ECORRUPT: see ddb_store_rc below). */
int ddb_store_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);

/* Applies a compound write atomically. Returns DDB_STORE_OK or an error (ddb_store_rc). */
int ddb_store_write(ddb_store *s, const ddb_batch *b);

/*
 * Guarded read-modify-write of one key: ddb_store_commit of that one key. Reads it,
 * calls `decide` with the old value (NULL when absent), and if decide returns 0 applies the batch
 * it filled, with no other commit on the key in between. decide's nonzero result is returned
 * unchanged (no write); storage failures return a ddb_store_rc error. The backend derives the
 * key's lock from the key itself, the same way for rmw and commit, so the two exclude each other.
 */
typedef int (*ddb_rmw_decide)(void *ctx, const char *old, size_t oldlen, ddb_batch *out);
int ddb_store_rmw(ddb_store *s, ddb_arena *a, const char *key, size_t klen, ddb_rmw_decide decide, void *ctx);

/*
 * ---- The storage contract (tests/unit/storage/test_contract.c; docs/storage-backends.md) ----
 *
 * Result classes. Every call that can fail returns one of these (0 is success); the old "-1"
 * is DDB_STORE_EIO. A backend with optimistic concurrency returns DDB_STORE_ECONFLICT from
 * ddb_store_commit only after its own retries are exhausted.
 */
typedef enum ddb_store_rc {
    DDB_STORE_OK = 0,
    DDB_STORE_EIO = -1,       /* the backend failed to read or write */
    DDB_STORE_ECONFLICT = -2, /* a concurrent commit won and retries ran out */
    DDB_STORE_ECORRUPT = -3,  /* stored data is unreadable */
} ddb_store_rc;

/* One key of a multi-key commit: the caller fills key/klen (and meta); the backend fills val/vlen
   (arena memory; val NULL when absent) before calling decide. A data key, or with `meta` set (in
   ddb_store_commit only) a metadata key: read from the metadata space and held and compared like
   the data keys, so a commit that must not happen twice can read its own record there (a
   transaction's ClientRequestToken: engine/idempotency.h) and two that write it exclude each other,
   in one process or across the processes sharing the store; decide writes it with a meta op. */
typedef struct ddb_store_key {
    const char *key;
    size_t klen;
    char *val;
    size_t vlen;
    int meta;
} ddb_store_key;

/*
 * decide reads keys[i].val and fills `out` (which may touch any keys, not only the read ones).
 * It returns 0 to commit `out`, or any positive value to commit nothing (returned unchanged).
 * decide MAY RUN MORE THAN ONCE (an optimistic backend re-reads and calls it again when a
 * concurrent commit changed a read key): it must be pure apart from `out` and state it resets
 * at its start. The batch is reset before each call.
 */
typedef int (*ddb_commit_decide)(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out);

/*
 * Multi-key conditional commit: for keys[0..n) (distinct), reads their current values, calls
 * decide, and applies its batch atomically, such that no other commit touching any of these
 * keys interleaves between the reads and the write (serializable per key set). RocksDB: locks
 * the keys' stripes in one global order (no deadlock), reads, decides, writes one WriteBatch.
 * Returns decide's positive result, DDB_STORE_OK, or a ddb_store_rc error.
 */
int ddb_store_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);

/* One unit of ddb_store_commit_each: a commit's keys, decision and (filled) result. */
typedef struct ddb_store_unit {
    ddb_store_key *keys;
    size_t n;
    ddb_commit_decide decide;
    void *ctx;
    int rc; /* set for each unit that ran: as ddb_store_commit's return */
} ddb_store_unit;

/*
 * Independent commits, in order (BatchWriteItem's items): as ddb_store_commit of units[0], then of
 * units[1], ..., stopping after the first unit whose decide returned nonzero or whose reads failed
 * (later units are not decided). Each unit is atomic and serializable as ddb_store_commit is; the
 * call as a whole is not: a reader may see one unit's write before another's, and a storage failure
 * may leave some units written and others not (each unit's rc says which). Keys are distinct across
 * all the units. A backend may hold every unit's keys at once and write several units together
 * (RocksDB: the units that lie in one database as one WriteBatch, so a batch of n items is not n
 * writes in a database's write queue); one that does not commits them one at a time (RADOS).
 * Returns how many units ran (their rc set).
 */
size_t ddb_store_commit_each(ddb_store *s, ddb_arena *a, ddb_store_unit *units, size_t n);

/*
 * ---- The metadata space shared by several processes (RADOS gateways on one pool) ----
 *
 * Guarded commit over metadata keys (the catalog): as ddb_store_commit, but keys[] are metadata
 * keys and `out` may hold metadata writes only. No other meta commit on those keys interleaves,
 * in this process or in any other sharing the store (RADOS: the values read are compared in the
 * same operation that writes; decide may run again). RocksDB: one process, a mutex. What it
 * wrote is in the log when it returns, also on a loop that defers its appends (log_turn.h): its
 * caller publishes the change in memory (the catalog), which other loops read owing no flush, so
 * a table another client saw and wrote to must not be what a kill -9 takes back.
 */
int ddb_store_meta_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide,
                          void *ctx);
/* Registers the hook (fn NULL: none) a backend shared by several processes calls, on a thread of
   its own, when another process announced a metadata change or the backend may have missed one;
   the caller reloads what it keeps. RocksDB never calls it. Unregistering waits for a running call. */
void ddb_store_on_meta_change(ddb_store *s, void (*fn)(void *ctx), void *ctx);
/* Announces a metadata change to the other processes sharing the store and returns once their
   hooks have run (or after a bounded wait: docs/scale-out.md). A no-op on RocksDB. */
void ddb_store_meta_changed(ddb_store *s);

/* Batched point reads: fills keys[i].val/vlen (arena; NULL when absent). DDB_STORE_OK or an error. */
int ddb_store_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n);

/*
 * A read snapshot: reads through it (ddb_store_multi_get_at, iterators opened with it) see the
 * store as of its creation. Released with ddb_store_snapshot_release.
 */
typedef struct ddb_store_snapshot ddb_store_snapshot;
ddb_store_snapshot *ddb_store_snapshot_take(ddb_store *s);
/* A snapshot for the reads that need less: ddb_store_multi_get_at still returns its keys as of one
   moment, and taken under ddb_store_exclusive it still stands for a point in this process's
   commit order, but iterators opened with it may read the latest state. The same as
   ddb_store_snapshot_take on RocksDB; on RADOS it spares what a point-in-time snapshot of a shared
   pool costs (every gateway's writes paused for a pool snapshot: docs/scale-out.md). For
   TransactGetItems and per-table counts; backups, exports and point-in-time recovery take the other. */
ddb_store_snapshot *ddb_store_snapshot_take_light(ddb_store *s);
/*
 * Snapshots other processes sharing the store can read (RADOS: the pool snapshot; a gateway's
 * backup is copied by whichever gateway runs the background work). The name of a point-in-time
 * snapshot, or NULL when it cannot be shared (RocksDB, light snapshots). ddb_store_snapshot_open
 * gives a handle on a named snapshot any process took (NULL: gone, or not shareable).
 * ddb_store_snapshot_detach frees a handle and leaves its snapshot for another's open. Releasing
 * a handle of a named snapshot removes the snapshot: one releaser per snapshot.
 */
const char *ddb_store_snapshot_name(ddb_store *s, const ddb_store_snapshot *snap);
ddb_store_snapshot *ddb_store_snapshot_open(ddb_store *s, const char *name);
void ddb_store_snapshot_detach(ddb_store *s, ddb_store_snapshot *snap);
void ddb_store_snapshot_release(ddb_store *s, ddb_store_snapshot *snap);
int ddb_store_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n);
ddb_store_iter *ddb_store_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                       const char *hi, size_t hilen, int reverse);

/*
 * Waits until every commit (rmw or commit) that had started when this was called has finished.
 * Schema changes use it: after a new table description is visible, a barrier guarantees that no
 * write decided under the old description is still in flight (index backfill, table purge).
 */
void ddb_store_barrier(ddb_store *s);

/*
 * Runs fn(ctx) while no commit (rmw or commit) is between its reads and its write: every commit
 * either finished before fn began or starts its reads after fn returned. fn must be short and
 * must not commit. Used to tie a read snapshot to a point in the commit order (per-table
 * figures that commits then keep up to date: engine/table_stats.h).
 */
void ddb_store_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx);

/*
 * Ordered range read over [lo, hi) of the data space, forward or reverse, in key order wherever
 * the keys are placed (a range within one partition is read where that partition lives; a wider
 * one merges every place). Keys and values returned by ddb_store_iter_key/val stay valid until
 * the next call on the iterator.
 */
ddb_store_iter *ddb_store_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse);
/* The same over the metadata space (forward). */
ddb_store_iter *ddb_store_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
/* Positions at the first key (or, reverse, the last key) of the range; with `from`, at `from` itself or past it. */
void ddb_store_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen);
int ddb_store_iter_valid(ddb_store_iter *it);
void ddb_store_iter_next(ddb_store_iter *it);
const char *ddb_store_iter_key(ddb_store_iter *it, size_t *len);
const char *ddb_store_iter_val(ddb_store_iter *it, size_t *len);
void ddb_store_iter_close(ddb_store_iter *it);
/* After the iterator stops being valid: DDB_STORE_OK when the range ran out, else the error that
   ended it (an I/O error must never look like the end of a page). */
int ddb_store_iter_status(ddb_store_iter *it);

/* The visible number of a prefix (see ddb_batch_put_seq; 0: none yet), from the backend's memory
   or its stored keys. */
uint64_t ddb_store_seq_last(ddb_store *s, const char *prefix, size_t plen);
/*
 * A trim: deletes the sequenced keys of `prefix` below `stop` (a key under the prefix, or the
 * bound past it) and makes every later number under the prefix greater than `floor` (the last
 * number deleted), also after a reopen that finds none of its keys left. The floor is stored
 * with the delete (RocksDB: the metadata key ddbd/seqfloor/<prefix>, in the delete's write;
 * RADOS: the prefix's counter, raised first), so a crash never keeps the delete without it, and
 * it lasts until a ddb_store_delete_range_all over the prefix. DDB_STORE_OK, or an error (then
 * nothing was deleted, or, RocksDB, the write as a whole failed).
 */
int ddb_store_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen,
                       uint64_t floor);

/* An ordered range read over sequenced keys, [lo, hi) within one prefix, wherever the backend
   placed them (RocksDB: a column family of their own). Bounded by ddb_store_seq_last, as readers of
   sequenced keys must be. */
ddb_store_iter *ddb_store_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                        int reverse);

/* Deletes every data key and sequenced key in [lo, hi), and the floors (ddb_store_seq_trim) of
   the prefixes in it: table and index purges, a stream's or history's end. Returns 0 or an error. */
int ddb_store_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
/*
 * Gives back now the space of the keys deleted in [lo, hi) (data and sequenced keys): RocksDB frees
 * a deleted key's bytes only when compaction rewrites its file, and with --in-memory those files
 * are process memory. It rewrites what is left in the range, so callers use it after deleting a
 * large share of it (the memory budget's trims: engine/history/retention.h). Nothing to do where a delete
 * frees at once (RADOS).
 */
void ddb_store_reclaim(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);

/*
 * ---- Checkpoints: named copies of the whole store (the admin API's snapshots, docs/admin.md) ----
 *
 * A checkpoint holds the data and metadata spaces as they were when it was saved; restoring one
 * makes the store exactly that again, reopened with fresh caches, in place (the ddb_store pointer
 * stays valid; RocksDB: checkpoints of hard links under <data-dir>/ddbd-snapshots/<name>, or in
 * the memory env with --in-memory). The caller makes sure nothing else uses the store during a
 * save, restore or delete (no request, no background task).
 *
 * Names are 1 to 64 of [A-Za-z0-9_-].
 */
#define DDB_CHECKPOINT_NAME_MAX 64
typedef enum ddb_checkpoint_rc {
    DDB_CHECKPOINT_OK = 0,
    DDB_CHECKPOINT_EIO = -1,       /* the backend failed (logged) */
    DDB_CHECKPOINT_EXISTS = 1,     /* save: the name is taken */
    DDB_CHECKPOINT_NOT_FOUND = 2,  /* restore, delete: no such checkpoint */
    DDB_CHECKPOINT_BAD_NAME = 3,
    DDB_CHECKPOINT_UNSUPPORTED = 4, /* the backend has no checkpoints (RADOS, for now) */
} ddb_checkpoint_rc;

typedef struct ddb_checkpoint_info {
    char name[DDB_CHECKPOINT_NAME_MAX + 1];
    uint64_t created_ms; /* wall clock, ms since the epoch */
} ddb_checkpoint_info;

int ddb_store_checkpoint_save(ddb_store *s, const char *name);
/* After DDB_CHECKPOINT_EIO the store may be closed: the caller must stop using it (and exit). */
int ddb_store_checkpoint_restore(ddb_store *s, const char *name);
int ddb_store_checkpoint_delete(ddb_store *s, const char *name);
/* The checkpoints by name; *out is malloc'd (the caller frees it). */
size_t ddb_store_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out);

#endif
