/*
 * server/storage/rados_internal.h: what the RADOS backend's files share (rados.c: connect, open,
 * close, format, placement changes, recovery of write intents; rados_rw.c: reads, writes,
 * commits; rados_iter.c: range reads). Included only by rados*.c, the only files that see
 * <rados/librados.h>. The layout is docs/storage-format.md's "RADOS" section. rados_write.c:
 * writes as plans per object; rados_txn.c: two-phase commits over objects and their recovery;
 * rados_meta.c: guarded meta commits, watch/notify; rados_seq.c: sequenced puts' counters.
 *
 * Objects of one store, all in the pool's namespace the store was opened with:
 *   ddbd.meta            the metadata space: one omap key per metadata key
 *   ddbd.dir             the directory of data and sequence objects that may exist (omap keys)
 *   d.<ks>.<part>        data keys whose first (up to) 4 bytes are <ks> (hex: a table's or an
 *                        index's id) and whose partition hash falls in hash range <part> of the
 *                        store's `nparts`: one object per (table, partition), its keys as omap
 *                        keys, in key order
 *   q.<ks>               sequenced keys (stream records, PITR logs) whose first 4 bytes are <ks>,
 *                        and per prefix its counter (rados_seq.c)
 *   i.<gateway>.<n>      a write intent: a write spanning objects, committed in two phases
 *                        (rados_txn.c); a key it holds has a marker omap key (01 03 + the
 *                        escaped key) whose value is its name
 * Omap keys are the store's keys escaped (00 -> 01 01, 01 -> 01 02: order-preserving and free of
 * NUL bytes, which librados' range listing cannot take); omap values are 'v' then the value, so a
 * stored value is never empty and "empty" can mean "absent" in an omap compare.
 */
#ifndef DDB_RADOS_INTERNAL_H
#define DDB_RADOS_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "server/storage/rados/rados_lib.h"

#include "server/storage/backend.h"
#include "server/base/log.h"
#include "server/storage/storage.h"
#include "server/storage/stripes.h"

#define RS_MAX_PARTS 256
#define RS_OBJ_MAX 40     /* "d.<8 hex>.<4 hex>" and the rest fit */
#define RS_META_OBJ "ddbd.meta"
#define RS_DIR_OBJ "ddbd.dir"
#define RS_RETRIES 20     /* a guarded write that lost to another gateway is decided again this often */
#define RS_BUSY (-100)    /* internal: another gateway's pending write intent holds an object (retry) */

struct ddb_store {
    const ddb_store_ops *ops; /* first: store.c dispatches through it (backend.h) */
    rados_t cluster;
    rados_ioctx_t io;
    char *ns;                 /* the pool namespace the store lives in ("" by default) */
    unsigned nparts;          /* hash ranges per keyspace (the placement setting: --shards) */
    uint64_t (*key_hash)(const char *, size_t);
    size_t partition_bytes;
    unsigned char hash_key[16];
    int format_found;
    char gateway[17];         /* this process's random id: names its write intents */
    uint64_t next_intent;     /* atomic */
    pthread_mutex_t locks[LOCK_STRIPES]; /* commits of one gateway, as RocksDB's */
    /* Multi-object writes hold this shared while they apply; a multi-object snapshot read holds it
       exclusively, so it never sees one half applied (within this gateway). */
    pthread_rwlock_t apply_lock;
    /* Every write holds this shared (rs_write_begin); a point-in-time snapshot holds it
       exclusively while it pauses the pool's writes (rados_snap.c). */
    pthread_rwlock_t freeze;
    struct rs_freezer *freezer; /* the thread that pauses this gateway's writes for another's snapshot */
    pthread_mutex_t snap_lock;  /* one snapshot taken at a time by this gateway */
    uint64_t next_snap;
    char pool[128];
    struct rs_seqs *seqs;     /* the prefixes this gateway numbers (rados_seq.c) */
    pthread_mutex_t dir_lock; /* the directory entries this process has written (dir_known) */
    char **dir_known;
    size_t ndir_known, dir_cap;
    struct rs_watch *watch;   /* the watch on ddbd.meta and the engine's reload hook (rados_meta.c) */
    /* figures for /metrics */
    uint64_t n_reads, n_writes, n_intents, n_conflicts, n_retries; /* atomic */
};

struct ddb_store_snapshot {
    rados_ioctx_t io; /* reads the pool snapshot; NULL: the latest state (a light snapshot, storage.h) */
    char name[64];    /* the pool snapshot's */
};

/* ---- helpers (rados_rw.c) ---- */

/* A negative errno from librados as a result class (logged). */
int rs_check(int rc, const char *what, const char *oid);
/* The escaped form of a key (see above) into `out`, which must hold 2 * klen bytes; returns its length. */
size_t rs_escape(const char *key, size_t klen, char *out);
/* Unescapes in place; returns the length. */
size_t rs_unescape(char *key, size_t len);
/* The data object of a key. */
void rs_data_obj(const ddb_store *s, const char *key, size_t klen, char oid[RS_OBJ_MAX]);
/* The object of a keyspace's hash range `part`, and of its sequenced keys. */
void rs_part_obj(const char *ks, size_t kslen, unsigned part, char oid[RS_OBJ_MAX]);
void rs_seq_obj(const char *key, size_t klen, char oid[RS_OBJ_MAX]);
/* Reads keys, grouped by object, of the data space or (`meta`) the metadata object (rados_read.c). */
int read_keys(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, int meta, size_t *nobjects);
/* Records that `oid` may exist (ddbd.dir), once per process per object. */
int rs_dir_add(ddb_store *s, const char *const *oids, size_t n);
/* Applies a batch, guarded by the values `guards` had when read (a commit's; none for a plain
   write), numbering its sequenced puts (rados_write.c). DDB_STORE_ECONFLICT: a guard failed,
   nothing was written. */
int rs_write_guarded(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, ddb_arena *a);
/* Removes the batch's keys (deletes) from one named object, wherever they place now (moves at open). */
int rs_remove_keys(ddb_store *s, const char *oid, const ddb_batch *b);
/* Resolves every write intent left by a gateway that stopped mid-write (at open; rados_txn.c).
   `force`: pending ones too, whatever their lease (only while no gateway writes: rados_snap.c). */
int rs_recover_intents(ddb_store *s, int force);
/* A retry's jittered, doubling wait (another gateway won or holds an object), counted. */
void rs_backoff(ddb_store *s, int attempt);
/* How long a pending intent may hold its objects before any gateway rolls it back (rados_txn.c). */
long rs_lease_ms(void);
/* The prefixes this gateway numbers (rados_seq.c). */
typedef struct rs_seqs rs_seqs;
rs_seqs *rs_seqs_new(void);
void rs_seqs_free(rs_seqs *q);
/* How often a data commit that lost to another gateway is decided again (RS_RETRIES, or
   DDBD_RADOS_COMMIT_RETRIES: tests lower it to make conflicts surface; rados_rw.c). */
int rs_commit_retries(void);

/* The watch on ddbd.meta (rados_meta.c): set up at open, removed at close. */
int rs_watch_start(ddb_store *s);
void rs_watch_stop(ddb_store *s);

/* ---- storage.h's calls (rados_rw.c, rados_iter.c, rados_meta.c, rados_seq.c) ---- */
int rs_meta_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
void rs_on_meta_change(ddb_store *s, void (*fn)(void *ctx), void *ctx);
void rs_meta_changed(ddb_store *s);
int rs_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rs_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rs_write(ddb_store *s, const ddb_batch *b);
int rs_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
int rs_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n);
ddb_store_snapshot *rs_snapshot_take(ddb_store *s, int point_in_time);
void rs_snapshot_release(ddb_store *s, ddb_store_snapshot *snap);
int rs_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n);

/* ---- point-in-time snapshots (rados_snap.c) ---- */

int rs_freeze_start(ddb_store *s);
void rs_freeze_stop(ddb_store *s);
/* Around every write (and every resolution of another write's intent): not while a snapshot pauses
   the pool's writes. Not nested: the lock prefers its exclusive side. */
static inline void rs_write_begin(ddb_store *s) { pthread_rwlock_rdlock(&s->freeze); }
static inline void rs_write_end(ddb_store *s) { pthread_rwlock_unlock(&s->freeze); }
/* Another gateway's notify asking this one to pause or resume its writes: 1 if `data` was one. */
int rs_freeze_notify(ddb_store *s, const char *data, size_t len);
/* Snapshots shared by the gateways (storage.h). */
const char *rs_snapshot_name(const ddb_store_snapshot *snap);
ddb_store_snapshot *rs_snapshot_open(ddb_store *s, const char *name);
void rs_snapshot_detach(ddb_store *s, ddb_store_snapshot *snap);
/* Removes the pool snapshots of ddbd older than a day: their takers died before releasing them. */
void rs_snapshots_tidy(ddb_store *s);
void rs_barrier(ddb_store *s);
/* This gateway's commits only (rs_barrier adds the others', through a notify). */
void rs_barrier_local(ddb_store *s);
void rs_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx);
uint64_t rs_seq_last(ddb_store *s, const char *prefix, size_t plen);
void rs_seq_floor(ddb_store *s, const char *prefix, size_t plen, uint64_t floor);
int rs_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
ddb_store_iter *rs_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse);
ddb_store_iter *rs_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse);
ddb_store_iter *rs_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
ddb_store_iter *rs_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                 int reverse);
/* A range read over the given objects (merged in key order), forward or reverse. */
ddb_store_iter *rs_iter_objects(ddb_store *s, char (*oids)[RS_OBJ_MAX], size_t n, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse);
/* The objects that may hold keys of [lo, hi) (data, or with `seq` sequenced); *out malloc'd. */
int rs_range_objects(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int seq,
                     char (**out)[RS_OBJ_MAX], size_t *n);

static inline int rs_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

#endif
