/*
 * server/storage/rados/rados_store.h: the RADOS backend's store and what every file of it
 * uses: the objects' layout, the store's state, and the primitives at the bottom (rados_key.c,
 * rados_result.c, rados_dir.c). Included only by rados*.c, the only files that see
 * <rados/librados.h>. The layout is docs/storage-format.md's "RADOS" section.
 *
 * The backend's files, each calling only files listed before it (so no two call each other,
 * directly or round a circle: tests/layers/check_layers.py), and the header declaring each:
 *   rados_lib.c     librados, loaded when the backend opens (rados_lib.h)
 *   rados_key.c     keys' escaped form; the objects that hold them
 *   rados_result.c  a librados failure as a result class; a lost race's wait before its retry
 *   rados_dir.c     the directory of objects (ddbd.dir); the objects a key range reads
 *   rados_known.c   the values this gateway last read or wrote of a few keys per lock stripe: a
 *                   one-key commit's guess (rados_known.h)
 *   rados_plan.c    a write as a plan of omap changes per object; one object's operation; the write
 *                   intent's body (rados_plan.h)
 *   rados_txn.c     two-phase commits of plans over several objects; resolving a write intent met
 *                   by a read or a write, and those left at open (rados_txn.h)
 *   rados_seq.c     sequenced puts' counters: numbering a write, the readers' watermark, the
 *                   trimmer's floor (rados_seq.h)
 *   rados_write.c   writes: a batch as a plan, on one object or by a two-phase commit; removals
 *   rados_read.c    point reads (resolving the intents they meet); reads as of one moment
 *   rados_commit.c  guarded commits (read, decide, write) under this gateway's stripe locks
 *   rados_iter.c    range reads, in pages, merged in key order
 *   rados_snap.c    point-in-time snapshots, and the pause of every gateway's writes they need
 *   rados_meta.c    the metadata space: guarded meta commits, watch/notify, the cross-gateway barrier
 *   rados.c         the store's settings (hash key, format, partition count); moving keys when
 *                   the partition count changed
 *   rados_backend.c the operations table (storage.h), open and close
 * rados_write.c to rados.c declare their functions in rados_ops.h.
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
#ifndef DDB_RADOS_STORE_H
#define DDB_RADOS_STORE_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "server/storage/rados/rados_lib.h"

#include "server/base/log.h"
#include "server/storage/backend.h"
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
    ddb_hash_alg hash_alg; /* the partition hash's ("ddbd/hash": rados.c, rs_load_settings) */
    unsigned char secret[16]; /* ddb_store_secret_hash's key (rados.c: rs_load_settings) */
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
    struct rs_known *known;   /* a one-key commit's guesses (rados_known.c), under the stripe locks */
    /* figures for /metrics (its RADOS operations: ddb_rados_ops, rados_lib.h) */
    uint64_t n_intents, n_conflicts, n_retries; /* atomic */
    uint64_t n_guess_right, n_guess_wrong;      /* atomic: one-key commits written on a guess */
};

struct ddb_store_snapshot {
    rados_ioctx_t io; /* reads the pool snapshot; NULL: the latest state (a light snapshot, storage.h) */
    char name[64];    /* the pool snapshot's */
};

/* Omap keys beside the keys, which escaping never makes: a key's marker (RS_MARK_PREFIX + the
   escaped key: rados_plan.h) and a prefix's sequence counter in its q object (RS_SEQ_PREFIX + the
   escaped prefix: rados_seq.c). */
#define RS_MARK_PREFIX "\x01\x03"
#define RS_MARK_PREFIX_LEN 2
#define RS_SEQ_PREFIX "\x01\x04"
#define RS_SEQ_PREFIX_LEN 2

/* Around every write (and every resolution of another write's intent): not while a snapshot pauses
   the pool's writes (rados_snap.c). Not nested: the lock prefers its exclusive side. */
static inline void rs_write_begin(ddb_store *s) { pthread_rwlock_rdlock(&s->freeze); }
static inline void rs_write_end(ddb_store *s) { pthread_rwlock_unlock(&s->freeze); }

/* The store's key order (the escaped keys' order too). */
static inline int rs_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* ---- keys and their objects (rados_key.c) ---- */

/* The escaped form of a key (see above) into `out`, which must hold 2 * klen bytes; returns its length. */
size_t rs_escape(const char *key, size_t klen, char *out);
/* Unescapes in place; returns the length. */
size_t rs_unescape(char *key, size_t len);
/* The data object of a key. */
void rs_data_obj(const ddb_store *s, const char *key, size_t klen, char oid[RS_OBJ_MAX]);
/* The object of a keyspace's hash range `part`, and of its sequenced keys. */
void rs_part_obj(const char *ks, size_t kslen, unsigned part, char oid[RS_OBJ_MAX]);
void rs_seq_obj(const char *key, size_t klen, char oid[RS_OBJ_MAX]);

/* ---- results (rados_result.c) ---- */

/* A negative errno from librados as a result class (logged). */
int rs_check(int rc, const char *what, const char *oid);
/* A retry's jittered, doubling wait (another gateway won or holds an object), counted. */
void rs_backoff(ddb_store *s, int attempt);

/* ---- the directory of objects (rados_dir.c) ---- */

/* Records that `oid` may exist (ddbd.dir), once per process per object. */
int rs_dir_add(ddb_store *s, const char *const *oids, size_t n);
/* The objects that may hold keys of [lo, hi) (data, or with `seq` sequenced); *out malloc'd. */
int rs_range_objects(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int seq,
                     char (**out)[RS_OBJ_MAX], size_t *n);

#endif
