/*
 * server/storage/rocksdb/rocks_internal.h: what the RocksDB backend's files share (rocks.c: open, close,
 * reopen, shards; rocks_rw.c: reads, writes, commits; rocks_iter.c: range reads; rocks_metrics.c: its
 * figures for GET /metrics; rocks_snapshots.c: named snapshots). Included only by rocks*.c, the
 * only files that see <rocksdb/c.h>.
 */
#ifndef DDB_ROCKS_INTERNAL_H
#define DDB_ROCKS_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <rocksdb/c.h>

#include "server/base/faults.h"
#include "server/base/stripe.h"
#include "server/base/groupcommit.h"
#include "server/base/log.h"
#include "server/storage/backend.h"
#include "server/storage/diskguard.h"
#include "server/storage/ring.h"
#include "server/storage/sequencer.h"
#include "server/storage/storage.h"
#include "server/storage/stripes.h"

#define MAX_SHARDS 256
#define MAX_DBS 16 /* databases a data directory may have ("ddbd/dbs"; rocks_dbs.c) */
#define ROCKS_MEMORY_PATH "/ddbd-memory" /* --in-memory: the database's path in the memory env */

struct rocks_snap; /* a named snapshot of an in-memory store (rocks_snapshots.c) */
struct rocks_pending; /* a part of a write across databases waiting to be written (rocks_dbs.c) */

/* A thread's stripe of the write gate: how many of its writes are in flight (rocks_dbs.c). */
struct rocks_gate_stripe {
    unsigned in;
    char pad[DDB_CACHE_LINE - sizeof(unsigned)];
} __attribute__((aligned(DDB_CACHE_LINE)));

/* A slot of writes across databases: one in flight at a time (rocks_dbs.c). */
struct rocks_xslot {
    pthread_mutex_t m;
    unsigned waiting; /* its parts waiting in a database's queue (rocks_dbs.c) */
    /* on disk: parts[h][d], database d's sequence number after the write whose intent the slot
       keeps in database h wrote its part in d, 0 once that part is known to be in d's log file
       (synced under --sync); made so before the slot's next intent in h (rocks_dbs.c) */
    uint64_t parts[MAX_DBS][MAX_DBS];
} __attribute__((aligned(DDB_CACHE_LINE)));

struct ddb_store {
    const ddb_store_ops *ops; /* first: store.c dispatches through it (backend.h) */
    rocksdb_t *db; /* database 0: the metadata, the sequenced puts, and shards 0, ndbs, 2 * ndbs, ... */
    /*
     * Shard k's column family lives in database k % ndbs (ndbs fixed when the directory was made:
     * "ddbd/dbs"), each database with its own log, write queue and memtables, so that writers of
     * different shards do not wait on each other (rocks_dbs.c). dbs[0] is db; another is NULL
     * until its first write creates it, and is read atomically.
     */
    rocksdb_t *dbs[MAX_DBS];
    unsigned ndbs;
    unsigned char shard_db[MAX_SHARDS]; /* k % ndbs, without a division on every read */
    rocksdb_column_family_handle_t *xcf[MAX_DBS]; /* each database's "intents" family, or NULL */
    /* parts of writes across databases that failed after their first part, by database, to be
       written before anything else there (rocks_dbs.c) */
    struct rocks_pending *pending[MAX_DBS];
    unsigned npending;
    pthread_mutex_t pend_lock;
    void (*note_error)(ddb_store *s, const char *err); /* a failed write's error (rocks_rw.c) */
    /* a database stopped for want of space: all refuse writes until the guard resumes them, as one
       database stopping did (another could go on in its log's preallocated room) */
    int stopped;
    struct rocks_gate_stripe gate_in[DDB_STRIPES];
    int gate_closed;
    pthread_mutex_t gate_lock; /* held from a close to its open: where held-back writers wait */
    struct rocks_xslot xslots[DDB_STRIPES];
    /* the number of the last write across databases, of any slot: numbers follow the writes'
       order over shared keys (taken under their stripes), and the open completes them in it */
    uint64_t xlast __attribute__((aligned(DDB_CACHE_LINE)));
    char xlast_pad[DDB_CACHE_LINE - sizeof(uint64_t)];
    rocksdb_writeoptions_t *wopts_sync; /* --sync: the home part of a write across databases */
    /* --sync: whether database d was written since its log was last synced (the group commit syncs
       only those: rocks_backend.c); read before it is set, so that a busy database's line stays shared */
    struct {
        int v;
        char pad[DDB_CACHE_LINE - sizeof(int)];
    } __attribute__((aligned(DDB_CACHE_LINE))) unsynced[MAX_DBS];
    /* A data directory without --sync: RocksDB's manual_wal_flush, a write's log append held in
       the log's buffer until a flush (rocks_log.c); flushed[d]: database d's highest sequence
       number known to be in the log file */
    int manual_flush;
    struct {
        uint64_t v;
        char pad[DDB_CACHE_LINE - sizeof(uint64_t)];
    } __attribute__((aligned(DDB_CACHE_LINE))) flushed[MAX_DBS];
    /* database d's highest sequence number of a loop's write in that database alone (no intent
       elsewhere can restore it): a read that saw one above flushed[d] owes it before the reader
       writes another database (rocks_log.c) */
    struct {
        uint64_t v;
        char pad[DDB_CACHE_LINE - sizeof(uint64_t)];
    } __attribute__((aligned(DDB_CACHE_LINE))) alone[MAX_DBS];
    /* --sync: database d's highest sequence number known to be synced (rocks_log.c) */
    struct {
        uint64_t v;
        char pad[DDB_CACHE_LINE - sizeof(uint64_t)];
    } __attribute__((aligned(DDB_CACHE_LINE))) synced[MAX_DBS];
    rocksdb_env_t *env; /* the in-memory env, or NULL */
    rocksdb_options_t *opts;
    rocksdb_cache_t *cache;     /* blocks of table files */
    rocksdb_cache_t *row_cache; /* whole values found by point reads in table files */
    rocksdb_readoptions_t *ropts;
    rocksdb_writeoptions_t *wopts;
    rocksdb_writeoptions_t *wopts_nowal; /* the unsynced-ack bug's (faults.h): no write-ahead log */
    rocksdb_column_family_handle_t *meta;
    /* A shard's column family is created on its first write (a fresh start then opens only the
       metadata family, which is most of start-up time); NULL until then, read atomically. */
    rocksdb_column_family_handle_t *shards[MAX_SHARDS];
    unsigned ncf;      /* one past the highest shard column family that may exist */
    pthread_mutex_t cf_lock; /* serialises column family creation */
    pthread_mutex_t meta_lock; /* serialises store.c's generic meta commits on this store (backend.h) */
    ddb_ring ring;
    unsigned char secret[DDB_HASH_KEY_BYTES]; /* ddb_store_secret_hash's key ("ddbd/secret_key") */
    uint64_t (*key_hash)(const char *, size_t);
    ddb_hash_alg hash_alg; /* the partition hash's ("ddbd/hash": rocks.c, load_hash_key) */
    size_t partition_bytes; /* see ddb_store_options */
    int format_found; /* "ddbd/format" found at open; 0 for a new directory */
    pthread_mutex_t locks[LOCK_STRIPES];
    ddb_sequencer *seq; /* numbers of sequenced puts (stream records) */
    /* Sequenced puts live in a column family of their own, "seq", created on first use: their
       keys only ever append, live a day, and are read in order, so they get no compression and
       larger memtables, and item writes keep their memtables small for point reads. */
    rocksdb_column_family_handle_t *seqcf;
    rocksdb_options_t *seq_opts;
    rocksdb_options_t *meta_opts; /* the metadata column family's ("default") */
    ddb_store_options o; /* as opened (a restore reopens with them) */
    char *path;          /* the database's directory (ROCKS_MEMORY_PATH in memory) */
    struct rocks_snap *snaps; /* in memory: the named snapshots (on disk, the directories are the list) */
    size_t nsnaps;
    struct ddb_groupcommit *gc; /* --sync: writes go unsynced, this syncs the log for groups */
    pthread_mutex_t sync_lock;  /* the sync thread's log sync excludes closing and reopening the files */
    ddb_diskguard *guard;       /* refuses writes before the disk is full */
};

/* One moment of every database (rocks_dbs.c): a database not yet made then has none (NULL). */
struct ddb_store_snapshot {
    const rocksdb_snapshot_t *snap[MAX_DBS];
    rocksdb_readoptions_t *ropts[MAX_DBS]; /* reads through the snapshot */
};

/* RocksDB's error text (malloc'd; freed here) as a result class: "Corruption: ..." is
   DDB_STORE_ECORRUPT (Status::ToString puts the code first), anything else DDB_STORE_EIO. */
static inline int rocks_check(char *err, const char *what)
{
    int rc;

    if (err == NULL)
        return DDB_STORE_OK;
    ddb_log(DDB_LOG_ERROR, "rocksdb %s: %s", what, err);
    rc = strncmp(err, "Corruption", 10) == 0 ? DDB_STORE_ECORRUPT : DDB_STORE_EIO;
    rocksdb_free(err);
    return rc;
}

/* The shard's column family for reading, or NULL when nothing was ever written to it. */
static inline rocksdb_column_family_handle_t *cf_of(ddb_store *s, int shard)
{
    return shard < 0 ? s->meta : __atomic_load_n(&s->shards[shard], __ATOMIC_ACQUIRE);
}

/* The database of a shard (-1: the metadata's, database 0). */
static inline unsigned db_index(const ddb_store *s, int shard)
{
    return shard <= 0 ? 0 : s->shard_db[shard];
}

/* Database d, or NULL when it was not made yet. */
static inline rocksdb_t *db_at(ddb_store *s, unsigned d)
{
    return __atomic_load_n(&s->dbs[d], __ATOMIC_ACQUIRE);
}

/* Placement: the shard that owns a data key's partition. */
static inline int shard_of(const ddb_store *s, const char *key, size_t klen)
{
    return (int)ddb_ring_owner(&s->ring, s->key_hash(key, klen));
}

/* Database d written (--sync: its log to be synced by the next group). */
static inline void rocks_note_written(ddb_store *s, unsigned d)
{
    if (s->gc != NULL && !__atomic_load_n(&s->unsynced[d].v, __ATOMIC_RELAXED))
        __atomic_store_n(&s->unsynced[d].v, 1, __ATOMIC_SEQ_CST);
}

/* ---- the log's appends (rocks_log.c) ---- */
/* Database d written by the calling thread: its append is owed a flush (a loop's, at its turn's
   end: server/base/log_turn.h), or flushed now. DDB_STORE_EIO: it could not be. */
int rocks_log_wrote(ddb_store *s, unsigned d);
/* The same for a write of database d alone (not a part of a write across databases). */
int rocks_log_wrote_alone(ddb_store *s, unsigned d);
/* Database d read: what the read may have seen from another thread's append still in the buffer
   is owed a flush likewise (a store without deferred appends, in memory, asks nothing more). */
void rocks_log_read_seen(ddb_store *s, unsigned d);
static inline void rocks_log_read(ddb_store *s, unsigned d)
{
    if (s->manual_flush)
        rocks_log_read_seen(s, d);
}
/* Database d's appends so far written to its log file now (the first part of a write across
   databases: rocks_dbs.c). */
int rocks_log_flush_db(ddb_store *s, unsigned d);
/* Database d's log synced now (--sync: the group commit's, rocks_backend.c), as far as its
   latest sequence number before the sync. */
int rocks_log_sync_db(ddb_store *s, unsigned d);
/* Before the calling thread writes the databases of `written` (a mask; a write across databases:
   its first part's), the other databases whose buffered writes alone its reads saw are flushed:
   a write must not reach a log file without what it read (rocks_log.c). */
int rocks_log_settle_reads(ddb_store *s, uint32_t written);
/* Database d's latest sequence number (0 where it is not open). */
uint64_t rocks_log_seq(ddb_store *s, unsigned d);
/* Database d's writes up to `seq` in its log file, synced under --sync: flushed or synced now
   where they are not known to be yet (rocks_log_settled: whether they are known to be). */
int rocks_log_settle(ddb_store *s, unsigned d, uint64_t seq);
int rocks_log_settled(ddb_store *s, unsigned d, uint64_t seq);
/* The databases rocks_log_settle_reads would flush for a write of none of them. */
uint32_t rocks_log_reads_owed(void);
/* A commit's reads owe its own write only (rocks_log.c): _begin before its reads returns what the
   thread's reads owed before it, which _end(that) leaves owed, less what was written meanwhile. */
static inline uint32_t rocks_log_reads_begin(void)
{
    return rocks_log_reads_owed();
}
void rocks_log_reads_end(uint32_t before);
/* What reads of the current request owe, `m` added (the reads of the units a write of several carries). */
void rocks_log_reads_add(uint32_t m);
/* What the calling thread owes (log_turn.h's flush). */
int rocks_log_flush(ddb_store *s);
/* Every database's appends written to its log file (an open's own writes, a close, a checkpoint). */
int rocks_log_flush_all(ddb_store *s);

/* A failed write's error looked at for a full disk, which the guard then resumes (rocks_rw.c). */
void rocks_note_write_error(ddb_store *s, const char *err);

/* ---- the databases (rocks_dbs.c) ---- */
/* Database d's directory (malloc'd): the data directory for 0, its db-<d> below it for another. */
char *rocks_db_path(const ddb_store *s, unsigned d);
/* Opens database d with its column families; `create`: made if it does not exist (else left NULL). */
int rocks_db_open(ddb_store *s, unsigned d, int create, char **errout);
/* Database d for writing, made if it does not exist yet (with s->cf_lock held); NULL on failure. */
rocksdb_t *rocks_db_for_write_locked(ddb_store *s, unsigned d);
/* The directory's database count ("ddbd/dbs": 1 for a directory made before it) and the other
   databases opened, then every write across databases that a crash cut short completed. */
int rocks_dbs_open(ddb_store *s, unsigned want_shards, char **errout);
void rocks_dbs_close(ddb_store *s);
void rocks_dbs_init(ddb_store *s);
void rocks_dbs_destroy(ddb_store *s);
/* The write gate: every write is in it while it writes; a snapshot of all databases closes it. */
struct rocks_gate_stripe *rocks_gate_enter(ddb_store *s);
void rocks_gate_leave(struct rocks_gate_stripe *g);
void rocks_gate_close(ddb_store *s);
void rocks_gate_open(ddb_store *s);
/* One op of a write across databases: a put or delete in a shard's family, the metadata's or the
   sequenced puts' (shard XOP_META, XOP_SEQ), its database given. */
#define XOP_META (-1)
#define XOP_SEQ (-2)
typedef struct rocks_xop {
    unsigned db;
    int shard;
    int is_delete;
    const char *key, *val;
    size_t klen, vlen;
} rocks_xop;
/* Writes ops spanning databases so that all or none of them survive a crash; DDB_STORE_*
   (DDB_STORE_EIO also when the first part is in and another waits: it lands whole later). */
int rocks_xwrite(ddb_store *s, const rocks_xop *ops, size_t n, const rocksdb_writeoptions_t *wo);
/* Writes what waits in database d's queue (every database's); DDB_STORE_OK when none is left. */
int rocks_drain(ddb_store *s, unsigned d);
int rocks_drain_all(ddb_store *s);

/* The shard's column family for writing, created if it does not exist yet; NULL on failure (rocks.c). */
rocksdb_column_family_handle_t *rocks_cf_for_write(ddb_store *s, int shard);
/* The column family of sequenced puts, created if it does not exist yet and `create`; NULL otherwise (rocks.c). */
rocksdb_column_family_handle_t *rocks_seq_cf(ddb_store *s, int create);
/* Opens the database files of s->path with s->o: options and caches, column families, format
   check, shards (rocks.c); and closes them, leaving the locks, the memory env and the snapshots. */
int rocks_open_files(ddb_store *s, char **errout);
void rocks_close_files(ddb_store *s);
/* On disk: completes a restore that a crash interrupted, before the database opens (rocks_snapshots.c). */
int rocks_finish_restore(ddb_store *s, char **errout);
void rocks_snapshots_free(ddb_store *s);
/* After a resume that hung (diskguard.h): the files closed and opened again, in place, with the
   server quiesced (ddb_store_options.quiesced): 1 when the store takes writes again (rocks.c). */
int rocks_reopen(ddb_store *s);

/* ddbd's additions to the C API (rocks_capi.cc): a full disk's error left to ddbd to recover from
   (RocksDB's own recovery retries every 5 s; rocks_rw.c resumes as soon as there is room),
   DB::Resume, and rocksdb::CancelAllBackgroundWork, which ends a resume that waits (and every
   background job: the database is then only fit to be closed; `wait`: returns once they ended). */
void ddb_rocksdb_options_recover_no_space_by_caller(rocksdb_options_t *o);
void ddb_rocksdb_resume(rocksdb_t *db, char **errptr);
void ddb_rocksdb_cancel_background_work(rocksdb_t *db, int wait);
/* rocksdb_get_cf that copies the value once, into memory `place(ctx, n)` gives (an arena): RocksDB
   reads it into a buffer this thread keeps (or pins it in the block cache), where c.h's get fills
   a fresh string and copies it into a fresh malloc (three copies of a 400 KB item into new pages,
   the most of a large read's time). *val is NULL when the key is absent. */
void ddb_rocksdb_get_cf_into(rocksdb_t *db, const rocksdb_readoptions_t *options, rocksdb_column_family_handle_t *cf,
                             const char *key, size_t keylen, void *(*place)(void *ctx, size_t n), void *ctx,
                             char **val, size_t *vallen, char **errptr);

/* storage.h's calls, as rocks*.c implement them (the table in rocks.c; the iterator's in rocks_iter.c). */
int rocks_format_found(const ddb_store *s);
void rocks_close(ddb_store *s);
struct ddb_groupcommit *rocks_groupcommit(ddb_store *s);
unsigned rocks_nshards(const ddb_store *s);
void rocks_metrics_text(ddb_store *s, ddb_buf *out);
uint64_t rocks_hash(const ddb_store *s, const void *data, size_t len);
ddb_hash_alg rocks_hash_alg(const ddb_store *s);
uint64_t rocks_secret_hash(const ddb_store *s, const void *data, size_t len);
int rocks_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rocks_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rocks_write(ddb_store *s, const ddb_batch *b);
void rocks_reclaim(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
int rocks_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
size_t rocks_commit_each(ddb_store *s, ddb_arena *a, ddb_store_unit *units, size_t n);
int rocks_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n);
ddb_store_snapshot *rocks_snapshot_take(ddb_store *s, int point_in_time);
void rocks_snapshot_release(ddb_store *s, ddb_store_snapshot *snap);
int rocks_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n);
ddb_store_iter *rocks_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                   const char *hi, size_t hilen, int reverse);
void rocks_barrier(ddb_store *s);
void rocks_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx);
ddb_store_iter *rocks_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse);
ddb_store_iter *rocks_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
ddb_store_iter *rocks_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse);
uint64_t rocks_seq_last(ddb_store *s, const char *prefix, size_t plen);
int rocks_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen, uint64_t floor);
int rocks_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
int rocks_checkpoint_save(ddb_store *s, const char *name);
int rocks_checkpoint_restore(ddb_store *s, const char *name);
int rocks_checkpoint_delete(ddb_store *s, const char *name);
size_t rocks_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out);
void rocks_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen);
int rocks_iter_valid(ddb_store_iter *it);
void rocks_iter_next(ddb_store_iter *it);
const char *rocks_iter_key(ddb_store_iter *it, size_t *len);
const char *rocks_iter_val(ddb_store_iter *it, size_t *len);
void rocks_iter_close(ddb_store_iter *it);
int rocks_iter_status(ddb_store_iter *it);

#endif
