/*
 * server/storage/rocks.c: the RocksDB storage backend; the only file that includes <rocksdb/c.h>.
 *
 * One database; column family "default" holds metadata, "shard-<i>" holds shard i's items, so a
 * compound write across shards (a future transaction) is one atomic WriteBatch. RocksDB's
 * malloc'd errors and values are turned into return codes and arena copies here, so no RocksDB
 * ownership rule escapes this file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rocksdb/c.h>
#include <sodium.h>

#include "keycodec.h"
#include "diskguard.h"
#include "faults.h"
#include "groupcommit.h"
#include "log.h"
#include "ring.h"
#include "sequencer.h"
#include "stripes.h"
#include "storage.h"

#define MAX_SHARDS 256
/* The data directory's format, in the metadata key "ddbd/format". 1: items only. 2: secondary-index
   keyspaces may exist (a format-1 binary must refuse such a directory, and does: it accepts only "1").
   A format-1 directory is upgraded in place at open: nothing in it changes but the marker. */
#define FORMAT_VERSION 2
#define FORMAT_VERSION_STR "2"
#define FORMAT_OLDEST 1
/* Stripes of a commit kept on the stack; more keys take their stripe array from the arena. */

struct ddb_store {
    rocksdb_t *db;
    rocksdb_env_t *env; /* the in-memory env, or NULL */
    rocksdb_options_t *opts;
    rocksdb_cache_t *cache;     /* blocks of table files */
    rocksdb_cache_t *row_cache; /* whole values found by point reads in table files */
    rocksdb_readoptions_t *ropts;
    rocksdb_writeoptions_t *wopts;
    rocksdb_column_family_handle_t *meta;
    /* A shard's column family is created on its first write (a fresh start then opens only the
       metadata family, which is most of start-up time); NULL until then, read atomically. */
    rocksdb_column_family_handle_t *shards[MAX_SHARDS];
    unsigned ncf;      /* one past the highest shard column family that may exist */
    pthread_mutex_t cf_lock; /* serialises column family creation */
    ddb_ring ring;
    uint64_t (*key_hash)(const char *, size_t);
    size_t partition_bytes; /* see ddb_store_options */
    int format_found; /* "ddbd/format" found at open; 0 for a new directory */
    pthread_mutex_t locks[LOCK_STRIPES];
    ddb_sequencer *seq; /* numbers of sequenced puts (stream records) */
    /* Sequenced puts live in a column family of their own, "seq", created on first use: their
       keys only ever append, live a day, and are read in order, so they get no compression and
       larger memtables, and item writes keep their memtables small for point reads. */
    rocksdb_column_family_handle_t *seqcf;
    rocksdb_options_t *seq_opts;
    struct ddb_groupcommit *gc; /* --sync: writes go unsynced, this syncs the log for groups */
    ddb_diskguard *guard;       /* refuses writes before the disk is full */
};

struct ddb_store_snapshot {
    const rocksdb_snapshot_t *snap;
    rocksdb_readoptions_t *ropts; /* reads through the snapshot */
};

/*
 * A range read over the shards that may hold the range, merged in key order (the keys of
 * different shards are disjoint): one sub-iterator for a range within one partition, one per
 * shard for a wider one. `cur` is the sub-iterator at the current key.
 */
struct ddb_store_iter {
    rocksdb_readoptions_t *ropts; /* shared by the sub-iterators: bounds (and snapshot) */
    char *lo, *hi;
    size_t lolen, hilen;
    int reverse;
    rocksdb_t *db;
    const rocksdb_snapshot_t *own; /* a merge's own snapshot: one view across its shards */
    int cur;                      /* -1: not valid */
    unsigned n;
    rocksdb_iterator_t *sub[];
};

/* RocksDB's error text (malloc'd; freed here) as a result class: "Corruption: ..." is
   DDB_STORE_ECORRUPT (Status::ToString puts the code first), anything else DDB_STORE_EIO. */
static int check(char *err, const char *what)
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
static rocksdb_column_family_handle_t *cf_of(ddb_store *s, int shard)
{
    return shard < 0 ? s->meta : __atomic_load_n(&s->shards[shard], __ATOMIC_ACQUIRE);
}

/* Placement: the shard that owns a data key's partition. */
static int shard_of(const ddb_store *s, const char *key, size_t klen)
{
    return (int)ddb_ring_owner(&s->ring, s->key_hash(key, klen));
}

/* The shard's column family for writing, created if it does not exist yet; NULL on failure. */
static rocksdb_column_family_handle_t *cf_for_write(ddb_store *s, int shard)
{
    rocksdb_column_family_handle_t *cf = cf_of(s, shard);
    char name[24], *err = NULL;

    if (cf != NULL)
        return cf;
    pthread_mutex_lock(&s->cf_lock);
    if ((cf = s->shards[shard]) == NULL) {
        snprintf(name, sizeof(name), "shard-%d", shard);
        cf = rocksdb_create_column_family(s->db, s->opts, name, &err);
        if (check(err, "create column family") != 0)
            cf = NULL;
        else
            __atomic_store_n(&s->shards[shard], cf, __ATOMIC_RELEASE);
        if (cf != NULL && (unsigned)shard + 1 > s->ncf) /* read without the lock by iterators */
            __atomic_store_n(&s->ncf, (unsigned)shard + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return cf;
}

/* ---- open and close ---- */

static uint64_t seq_load(void *ctx, const char *prefix, size_t plen);

static rocksdb_options_t *make_options(ddb_store *s, const ddb_store_options *o)
{
    rocksdb_options_t *opts = rocksdb_options_create();
    rocksdb_block_based_table_options_t *bbt = rocksdb_block_based_options_create();

    rocksdb_options_set_create_if_missing(opts, 1);
    rocksdb_options_set_create_missing_column_families(opts, 1);
    rocksdb_options_set_info_log_level(opts, 4 /* HEADER_LEVEL: no info log chatter */);
    rocksdb_options_set_keep_log_file_num(opts, 2);
    rocksdb_options_set_max_background_jobs(opts, 2);
    /* table files are opened on demand; the default spawns 16 threads at every open */
    rocksdb_options_set_max_file_opening_threads(opts, 1);
    rocksdb_options_set_compression(opts, rocksdb_lz4_compression);
    /*
     * Point reads (GetItem, BatchGetItem, every guarded write) decide these settings. A memtable
     * is a skip list searched one cache miss per step, and overwrites add versions to it, so a
     * 32 MB memtable after a burst of PutItems made reads 1.5x slower. Small memtables with a
     * whole-key bloom filter are skipped cheaply when they lack the key; flushed data is
     * compacted soon (two level-0 files) and found through the row cache, one hash lookup.
     * Memtables are allocated as they fill, so idle memory stays small.
     */
    rocksdb_options_set_write_buffer_size(opts, 4 << 20);
    rocksdb_options_set_db_write_buffer_size(opts, 256 << 20);
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(opts, 0.05);
    rocksdb_options_set_memtable_whole_key_filtering(opts, 1);
    rocksdb_options_set_level0_file_num_compaction_trigger(opts, 2);
    s->row_cache = rocksdb_cache_create_lru(16 << 20);
    rocksdb_options_set_row_cache(opts, s->row_cache);
    s->cache = rocksdb_cache_create_lru(32 << 20);
    rocksdb_block_based_options_set_block_cache(bbt, s->cache);
    /*
     * Filters and indexes are partitioned into 4 KB blocks that go through the block cache, with
     * only their small top levels pinned. A whole-file filter of a compacted file holding a
     * million items is over a megabyte: once the cache could not keep it, every point read of a
     * fresh key re-read and re-checksummed it, and inserts fell from 120k/s to 28k/s at a million
     * items (bench/README.md). A partition miss costs one 4 KB block.
     */
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(bbt, 1);
    rocksdb_block_based_options_set_filter_policy(bbt, rocksdb_filterpolicy_create_bloom_full(10));
    rocksdb_block_based_options_set_index_type(bbt, rocksdb_block_based_table_index_type_two_level_index_search);
    rocksdb_block_based_options_set_partition_filters(bbt, 1);
    rocksdb_block_based_options_set_metadata_block_size(bbt, 4096);
    rocksdb_block_based_options_set_pin_top_level_index_and_filter(bbt, 1);
    rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(bbt, 1);
    rocksdb_options_set_block_based_table_factory(opts, bbt);
    rocksdb_block_based_options_destroy(bbt);
    if (o->in_memory) {
        s->env = rocksdb_create_mem_env();
        rocksdb_options_set_env(opts, s->env);
    }
    return opts;
}

static int meta_get_str(ddb_store *s, const char *key, char *buf, size_t bufsz)
{
    char *err = NULL;
    size_t vlen = 0;
    char *v = rocksdb_get_cf(s->db, s->ropts, s->meta, key, strlen(key), &vlen, &err);

    if (check(err, "get") != 0 || v == NULL)
        return -1;
    if (vlen >= bufsz)
        vlen = bufsz - 1;
    memcpy(buf, v, vlen);
    buf[vlen] = '\0';
    rocksdb_free(v);
    return (int)vlen;
}

static int meta_put(ddb_store *s, const char *key, const void *val, size_t vlen)
{
    char *err = NULL;

    rocksdb_put_cf(s->db, s->wopts, s->meta, key, strlen(key), val, vlen, &err);
    return check(err, "put");
}

#define SEQ_INDEX (MAX_SHARDS + 1) /* open_db's mark for the "seq" column family */

/* The column family of sequenced puts, created if it does not exist yet; NULL on failure. */
static rocksdb_column_family_handle_t *seq_cf(ddb_store *s, int create)
{
    rocksdb_column_family_handle_t *cf = __atomic_load_n(&s->seqcf, __ATOMIC_ACQUIRE);
    char *err = NULL;

    if (cf != NULL || !create)
        return cf;
    pthread_mutex_lock(&s->cf_lock);
    if ((cf = s->seqcf) == NULL) {
        cf = rocksdb_create_column_family(s->db, s->seq_opts, "seq", &err);
        if (check(err, "create column family") != 0)
            cf = NULL;
        else
            __atomic_store_n(&s->seqcf, cf, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return cf;
}

/* Opens the database with "default" plus the shard column families that exist. */
static int open_db(ddb_store *s, const char *path, char **errout)
{
    char *err = NULL;
    size_t nexist = 0, n = 1;
    char **existing = rocksdb_list_column_families(s->opts, path, &nexist, &err);
    const char *names[MAX_SHARDS + 2];
    unsigned index[MAX_SHARDS + 2];
    const rocksdb_options_t *cfopts[MAX_SHARDS + 2];
    rocksdb_column_family_handle_t *handles[MAX_SHARDS + 2];

    if (err != NULL) { /* a new directory has no column families yet */
        rocksdb_free(err);
        err = NULL;
        nexist = 0;
    }
    names[0] = "default";
    cfopts[0] = s->opts;
    for (size_t i = 0; i < nexist && n < MAX_SHARDS + 2; i++) {
        unsigned k;
        if (strcmp(existing[i], "seq") == 0) {
            names[n] = existing[i];
            index[n] = SEQ_INDEX;
            cfopts[n++] = s->seq_opts;
            continue;
        }
        if (sscanf(existing[i], "shard-%u", &k) != 1 || k >= MAX_SHARDS)
            continue;
        names[n] = existing[i];
        index[n] = k;
        cfopts[n++] = s->opts;
    }
    s->db = rocksdb_open_column_families(s->opts, path, (int)n, names, cfopts, handles, &err);
    if (existing != NULL)
        rocksdb_list_column_families_destroy(existing, nexist);
    if (err != NULL) {
        *errout = strdup(err);
        rocksdb_free(err);
        return -1;
    }
    s->meta = handles[0];
    for (size_t i = 1; i < n; i++) {
        if (index[i] == SEQ_INDEX) {
            s->seqcf = handles[i];
            continue;
        }
        s->shards[index[i]] = handles[i];
        if (index[i] + 1 > s->ncf)
            s->ncf = index[i] + 1;
    }
    return 0;
}

/* The per-directory hash key: created at first start, then never changed (it places every partition). */
static int load_hash_key(ddb_store *s, unsigned char key[DDB_HASH_KEY_BYTES])
{
    char buf[DDB_HASH_KEY_BYTES + 1];

    if (meta_get_str(s, "ddbd/hash_key", buf, sizeof(buf)) == DDB_HASH_KEY_BYTES) {
        memcpy(key, buf, DDB_HASH_KEY_BYTES);
        return 0;
    }
    randombytes_buf(key, DDB_HASH_KEY_BYTES);
    return meta_put(s, "ddbd/hash_key", key, DDB_HASH_KEY_BYTES);
}

/*
 * Moves every key whose owner under `to` differs from the shard it sits in. Each move is one
 * atomic batch (put in the new shard + delete from the old), so a crash mid-way loses nothing
 * and a restart simply runs the pass again.
 */
static int rebalance(ddb_store *s, const ddb_ring *to)
{
    size_t moved = 0;

    unsigned ncf = s->ncf;

    for (unsigned sh = 0; sh < ncf; sh++) {
        rocksdb_iterator_t *it;
        if (s->shards[sh] == NULL)
            continue;
        it = rocksdb_create_iterator_cf(s->db, s->ropts, s->shards[sh]);
        rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
        size_t inbatch = 0;
        char *err = NULL;

        for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
            size_t klen, vlen;
            const char *k = rocksdb_iter_key(it, &klen);
            const char *v = rocksdb_iter_value(it, &vlen);
            unsigned owner = ddb_ring_owner(to, s->key_hash(k, klen));
            rocksdb_column_family_handle_t *dest;
            if (owner == sh)
                continue;
            if ((dest = cf_for_write(s, (int)owner)) == NULL) {
                err = strdup("cannot create a shard column family");
                break;
            }
            rocksdb_writebatch_put_cf(wb, dest, k, klen, v, vlen);
            rocksdb_writebatch_delete_cf(wb, s->shards[sh], k, klen);
            moved++;
            if (++inbatch == 1000) {
                rocksdb_write(s->db, s->wopts, wb, &err);
                rocksdb_writebatch_clear(wb);
                inbatch = 0;
                if (err != NULL) /* reported (and freed) once, below */
                    break;
            }
        }
        if (err == NULL) /* a read error must not pass for the end of the shard */
            rocksdb_iter_get_error(it, &err);
        if (err == NULL && inbatch > 0)
            rocksdb_write(s->db, s->wopts, wb, &err);
        rocksdb_writebatch_destroy(wb);
        rocksdb_iter_destroy(it);
        if (check(err, "rebalance write") != 0)
            return -1;
    }
    ddb_log(DDB_LOG_INFO, "rebalanced to %u shards: moved %zu items", to->nshards, moved);
    return 0;
}

/* Drops shard column families beyond the ring (after a shrink; they are empty by then). */
static void drop_extra_shards(ddb_store *s)
{
    for (unsigned i = s->ring.nshards; i < s->ncf; i++) {
        char *err = NULL;
        if (s->shards[i] == NULL)
            continue;
        rocksdb_drop_column_family(s->db, s->shards[i], &err);
        check(err, "drop column family");
        rocksdb_column_family_handle_destroy(s->shards[i]);
        s->shards[i] = NULL;
    }
    if (s->ncf > s->ring.nshards)
        s->ncf = s->ring.nshards;
}

/* want 0: the count the directory has (or is being moved to), else `fallback` (a new directory) */
static int setup_shards(ddb_store *s, unsigned want, unsigned fallback)
{
    unsigned char key[DDB_HASH_KEY_BYTES];
    char buf[32];
    unsigned have = 0, moving = 0;

    if (load_hash_key(s, key) != 0)
        return -1;
    if (meta_get_str(s, "ddbd/nshards", buf, sizeof(buf)) > 0)
        have = (unsigned)strtoul(buf, NULL, 10);
    if (meta_get_str(s, "ddbd/rebalancing", buf, sizeof(buf)) > 0)
        moving = (unsigned)strtoul(buf, NULL, 10);
    if (want == 0) /* a move cut short by a crash is finished at the count it was going to */
        want = moving != 0 ? moving : have != 0 ? have : fallback;
    if (want < 1 || want > MAX_SHARDS) {
        ddb_log(DDB_LOG_ERROR, "shard count %u out of range (1 to %d)", want, MAX_SHARDS);
        return -1;
    }
    if (ddb_ring_init(&s->ring, want, key) != 0)
        return -1;
    /* a pending rebalance (crash mid-move) or a changed shard count: move what must move */
    if ((have != 0 && have != want) || moving != 0) {
        ddb_log(DDB_LOG_INFO, "shard count changed from %u to %u: moving partitions", have, want);
        snprintf(buf, sizeof(buf), "%u", want);
        if (meta_put(s, "ddbd/rebalancing", buf, strlen(buf)) != 0 || rebalance(s, &s->ring) != 0)
            return -1;
        char *err = NULL;
        rocksdb_delete_cf(s->db, s->wopts, s->meta, "ddbd/rebalancing", 16, &err);
        if (check(err, "delete") != 0)
            return -1;
    }
    snprintf(buf, sizeof(buf), "%u", want);
    if (meta_put(s, "ddbd/nshards", buf, strlen(buf)) != 0 ||
        meta_put(s, "ddbd/format", FORMAT_VERSION_STR, strlen(FORMAT_VERSION_STR)) != 0)
        return -1;
    if (s->format_found != 0 && s->format_found != FORMAT_VERSION)
        ddb_log(DDB_LOG_INFO, "data directory format upgraded from %d to %d", s->format_found, FORMAT_VERSION);
    drop_extra_shards(s);
    return 0;
}

/* Accepts a new directory (no marker) and formats FORMAT_OLDEST..FORMAT_VERSION; setup_shards
   then writes the current version. Anything else was written by another ddbd: refused untouched. */
/* The group commit's sync (groupcommit.h): the write-ahead log of every write so far, fsynced. */
static int sync_log(void *ctx)
{
    ddb_store *s = ctx;
    char *err = NULL;

    rocksdb_flush_wal(s->db, 1, &err);
    return check(err, "sync the log");
}

struct ddb_groupcommit *ddb_store_groupcommit(ddb_store *s)
{
    return s->gc;
}

static int check_format(ddb_store *s, char **errout)
{
    char buf[16], *end;
    long v;

    s->format_found = 0;
    if (meta_get_str(s, "ddbd/format", buf, sizeof(buf)) <= 0)
        return 0;
    v = strtol(buf, &end, 10);
    if (*end != '\0' || end == buf || v < FORMAT_OLDEST || v > FORMAT_VERSION) {
        *errout = strdup("the data directory was written by an incompatible version of ddbd (format version differs)");
        return -1;
    }
    s->format_found = (int)v;
    return 0;
}

int ddb_store_format_found(const ddb_store *s)
{
    return s->format_found;
}

ddb_store *ddb_store_open(const ddb_store_options *o, char **errout)
{
    ddb_store *s = calloc(1, sizeof(*s));
    const char *path = o->in_memory ? "/ddbd-memory" : o->path;

    *errout = NULL;
    if (s == NULL || o->nshards > MAX_SHARDS || (o->nshards == 0 && (o->default_nshards < 1 || o->default_nshards > MAX_SHARDS))) {
        free(s);
        *errout = strdup("shard count must be between 1 and 256");
        return NULL;
    }
    if (!o->in_memory && mkdir(o->path, 0755) != 0 && errno != EEXIST) {
        free(s);
        *errout = strdup("cannot create the data directory");
        return NULL;
    }
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_init(&s->locks[i], NULL);
    pthread_mutex_init(&s->cf_lock, NULL);
    s->seq = ddb_sequencer_new(seq_load, s);
    s->key_hash = o->key_hash;
    s->partition_bytes = o->partition_bytes;
    s->opts = make_options(s, o);
    /* stream records: append-only, read in order, trimmed after a day; compressing and
       re-compacting them cost more than the disk they would save */
    s->seq_opts = rocksdb_options_create_copy(s->opts);
    rocksdb_options_set_compression(s->seq_opts, rocksdb_no_compression);
    rocksdb_options_set_write_buffer_size(s->seq_opts, 16 << 20);
    rocksdb_options_set_level0_file_num_compaction_trigger(s->seq_opts, 8);
    s->ropts = rocksdb_readoptions_create();
    s->wopts = rocksdb_writeoptions_create();
    if (o->in_memory)
        rocksdb_writeoptions_disable_WAL(s->wopts, 1);
    s->guard = ddb_diskguard_new(o->in_memory ? NULL : o->path, o->min_free_bytes);
    if (open_db(s, path, errout) != 0 || check_format(s, errout) != 0 ||
        setup_shards(s, o->nshards, o->default_nshards) != 0 ||
        (o->sync_writes && !o->in_memory && (s->gc = ddb_groupcommit_start(sync_log, s)) == NULL)) {
        if (*errout == NULL)
            *errout = strdup("cannot set up the shards (see the log)");
        ddb_store_close(s);
        return NULL;
    }
    return s;
}

void ddb_store_close(ddb_store *s)
{
    if (s == NULL)
        return;
    ddb_groupcommit_stop(s->gc);
    ddb_diskguard_free(s->guard);
    if (s->db != NULL) {
        for (unsigned i = 0; i < MAX_SHARDS; i++) {
            if (s->shards[i] != NULL)
                rocksdb_column_family_handle_destroy(s->shards[i]);
        }
        if (s->meta != NULL)
            rocksdb_column_family_handle_destroy(s->meta);
        if (s->seqcf != NULL)
            rocksdb_column_family_handle_destroy(s->seqcf);
        rocksdb_close(s->db);
    }
    rocksdb_readoptions_destroy(s->ropts);
    rocksdb_writeoptions_destroy(s->wopts);
    rocksdb_options_destroy(s->opts);
    if (s->seq_opts != NULL)
        rocksdb_options_destroy(s->seq_opts);
    if (s->cache != NULL)
        rocksdb_cache_destroy(s->cache);
    if (s->row_cache != NULL)
        rocksdb_cache_destroy(s->row_cache);
    if (s->env != NULL)
        rocksdb_env_destroy(s->env);
    ddb_ring_free(&s->ring);
    ddb_sequencer_free(s->seq);
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_destroy(&s->locks[i]);
    pthread_mutex_destroy(&s->cf_lock);
    free(s);
}

/* A numeric property summed over the shards' column families. */
static unsigned long long cf_property_sum(ddb_store *s, const char *name)
{
    unsigned long long sum = 0;

    pthread_mutex_lock(&s->cf_lock);
    for (unsigned i = 0; i < s->ncf; i++) {
        char *v = s->shards[i] ? rocksdb_property_value_cf(s->db, s->shards[i], name) : NULL;
        if (v != NULL)
            sum += strtoull(v, NULL, 10);
        free(v);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return sum;
}

void ddb_store_metrics_text(ddb_store *s, ddb_buf *out)
{
    ddb_buf_printf(out,
                   "# HELP ddbd_store_memtable_bytes Bytes in RocksDB memtables.\n# TYPE ddbd_store_memtable_bytes gauge\n"
                   "ddbd_store_memtable_bytes %llu\n"
                   "# HELP ddbd_store_cache_bytes Bytes held by RocksDB's caches.\n# TYPE ddbd_store_cache_bytes gauge\n"
                   "ddbd_store_cache_bytes{cache=\"block\"} %zu\nddbd_store_cache_bytes{cache=\"row\"} %zu\n"
                   "# HELP ddbd_store_pending_compaction_bytes RocksDB's estimate of bytes compaction still has "
                   "to rewrite.\n# TYPE ddbd_store_pending_compaction_bytes gauge\nddbd_store_pending_compaction_bytes %llu\n"
                   "# HELP ddbd_store_write_stopped Whether RocksDB stops writes (1) now.\n"
                   "# TYPE ddbd_store_write_stopped gauge\nddbd_store_write_stopped %llu\n",
                   cf_property_sum(s, "rocksdb.cur-size-all-mem-tables"), rocksdb_cache_get_usage(s->cache),
                   rocksdb_cache_get_usage(s->row_cache), cf_property_sum(s, "rocksdb.estimate-pending-compaction-bytes"),
                   cf_property_sum(s, "rocksdb.is-write-stopped") ? 1ULL : 0ULL);
}

unsigned ddb_store_nshards(const ddb_store *s)
{
    return s->ring.nshards;
}

uint64_t ddb_store_hash(const ddb_store *s, const void *data, size_t len)
{
    return ddb_ring_hash(&s->ring, data, len);
}

/* ---- reads and writes ---- */

/* A point read with the given read options (the store's, or a snapshot's). */
static int get_with(ddb_store *s, const rocksdb_readoptions_t *ro, ddb_arena *a, int shard, const char *key,
                    size_t klen, char **val, size_t *vlen)
{
    rocksdb_column_family_handle_t *cf = cf_of(s, shard);
    char *err = NULL, *v;
    size_t n = 0;
    int rc;

    *val = NULL;
    *vlen = 0;
    if (cf == NULL) /* nothing was ever written to this shard */
        return DDB_STORE_OK;
    v = rocksdb_get_cf(s->db, ro, cf, key, klen, &n, &err);
    if ((rc = check(err, "get")) != DDB_STORE_OK)
        return rc;
    if (v != NULL) {
        *val = ddb_arena_memdup(a, v, n);
        *vlen = n;
        rocksdb_free(v);
    }
    return DDB_STORE_OK;
}

int ddb_store_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return get_with(s, s->ropts, a, shard_of(s, key, klen), key, klen, val, vlen);
}

int ddb_store_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return get_with(s, s->ropts, a, -1, key, klen, val, vlen);
}

static int multi_get_with(ddb_store *s, const rocksdb_readoptions_t *ro, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    /* one Get per key: MultiGet measured no better for BatchGetItem (docs/architecture.md) */
    for (size_t i = 0; i < n; i++) {
        int rc = get_with(s, ro, a, shard_of(s, keys[i].key, keys[i].klen), keys[i].key, keys[i].klen, &keys[i].val,
                          &keys[i].vlen);
        if (rc != DDB_STORE_OK)
            return rc;
    }
    return DDB_STORE_OK;
}

int ddb_store_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return multi_get_with(s, s->ropts, a, keys, n);
}

/* A sequenced put's key: its prefix and its number, big-endian (into `buf`, MAX 32 + 8 bytes). */
static size_t seq_key(const ddb_write_op *op, uint64_t num, char *buf)
{
    memcpy(buf, op->key, op->klen);
    ddb_put_be(buf + op->klen, num, 8);
    return op->klen + 8;
}

static int write_ops(ddb_store *s, const ddb_batch *b, const uint64_t *nums)
{
    rocksdb_writebatch_t *wb;
    char *err = NULL, kbuf[48];

    if (ddb_fault_write_errors() || !ddb_diskguard_ok(s->guard))
        return DDB_STORE_EIO; /* nothing applied: the caller answers InternalServerError */
    wb = rocksdb_writebatch_create();

    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        rocksdb_column_family_handle_t *cf = op->meta        ? s->meta
                                             : op->sequenced ? seq_cf(s, 1)
                                                             : cf_for_write(s, shard_of(s, op->key, op->klen));
        if (cf == NULL) {
            rocksdb_writebatch_destroy(wb);
            return DDB_STORE_EIO;
        }
        if (op->sequenced)
            rocksdb_writebatch_put_cf(wb, cf, kbuf, seq_key(op, nums[i], kbuf), op->val, op->vlen);
        else if (op->is_delete)
            rocksdb_writebatch_delete_cf(wb, cf, op->key, op->klen);
        else
            rocksdb_writebatch_put_cf(wb, cf, op->key, op->klen, op->val, op->vlen);
    }
    rocksdb_write(s->db, s->wopts, wb, &err);
    rocksdb_writebatch_destroy(wb);
    if (s->gc != NULL && err == NULL)
        ddb_groupcommit_note(s->gc);
    return check(err, "write");
}

int ddb_store_write(ddb_store *s, const ddb_batch *b)
{
    uint64_t *nums = NULL;
    ddb_seq_hold hold;
    int rc;

    for (size_t i = 0; i < b->n && nums == NULL; i++) {
        if (b->ops[i].sequenced)
            nums = ddb_arena_alloc(b->arena, sizeof(*nums) * b->n);
    }
    if (nums == NULL)
        return write_ops(s, b, NULL);
    /* numbered under the prefixes' locks, unlocked once visible (sequencer.h) */
    ddb_sequencer_begin(s->seq, b, nums, &hold);
    rc = write_ops(s, b, nums);
    ddb_sequencer_end(&hold);
    return rc;
}

/* The highest number stored under a prefix: its last key, read backwards. */
static uint64_t seq_load(void *ctx, const char *prefix, size_t plen)
{
    ddb_store *s = ctx;
    char hi[40];
    size_t hilen = plen;
    ddb_store_iter *it;
    uint64_t last = 0;

    memcpy(hi, prefix, plen);
    while (hilen > 0 && (unsigned char)hi[hilen - 1] == 0xff)
        hilen--;
    if (hilen == 0)
        abort(); /* an all-0xff prefix has no upper bound: the engine never makes one */
    hi[hilen - 1]++;
    it = ddb_store_seq_iter_open(s, prefix, plen, hi, hilen, 1);
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (klen >= 8)
            last = ddb_get_be(k + klen - 8, 8);
    }
    ddb_store_iter_close(it);
    return last;
}

uint64_t ddb_store_seq_last(ddb_store *s, const char *prefix, size_t plen)
{
    return ddb_sequencer_last(s->seq, prefix, plen);
}

void ddb_store_seq_floor(ddb_store *s, const char *prefix, size_t plen, uint64_t floor)
{
    ddb_sequencer_floor(s->seq, prefix, plen, floor);
}

/* ---- commits: the one locking path (ddb_store_rmw is a commit of one key) ---- */


/*
 * Locks the keys' distinct stripes in ascending order (every commit takes its locks in one
 * global order, so two commits cannot wait on each other), reads the keys, calls decide once
 * (holding the locks, nothing can change what it read, so it never needs to run again) and
 * writes its batch as one WriteBatch, then unlocks.
 */
int ddb_store_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    unsigned small[STACK_STRIPES];
    unsigned *st = n <= STACK_STRIPES ? small : ddb_arena_alloc(a, n * sizeof(*st));
    size_t ns;
    ddb_batch b;
    int rc;

    for (size_t i = 0; i < n; i++)
        st[i] = stripe_of(keys[i].key, keys[i].klen);
    ns = n > 1 ? sort_stripes(st, n) : n;
    for (size_t i = 0; i < ns; i++)
        pthread_mutex_lock(&s->locks[st[i]]);
    rc = multi_get_with(s, s->ropts, a, keys, n);
    if (rc == DDB_STORE_OK) {
        ddb_batch_init(&b, a);
        rc = decide(ctx, keys, n, &b);
        if (rc == 0 && b.n > 0)
            rc = ddb_store_write(s, &b);
    }
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    return rc;
}

typedef struct rmw_ctx {
    ddb_rmw_decide decide;
    void *ctx;
} rmw_ctx;

static int rmw_decide(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    rmw_ctx *r = ctx;

    (void)n;
    return r->decide(r->ctx, keys[0].val, keys[0].vlen, out);
}

int ddb_store_rmw(ddb_store *s, ddb_arena *a, const char *key, size_t klen, ddb_rmw_decide decide, void *ctx)
{
    ddb_store_key k = {key, klen, NULL, 0};
    rmw_ctx r = {decide, ctx};

    return ddb_store_commit(s, a, &k, 1, rmw_decide, &r);
}

/*
 * Every rmw/commit holds all its stripes from before its reads until after its write. Locking
 * and unlocking each stripe once, in order, therefore waits for every critical section that held
 * a stripe when the sweep reached it, in particular for all that had begun before the call. The
 * barrier holds one stripe at a time and waits on nothing while holding it, so it cannot take
 * part in a deadlock.
 */
void ddb_store_barrier(ddb_store *s)
{
    for (int i = 0; i < LOCK_STRIPES; i++) {
        pthread_mutex_lock(&s->locks[i]);
        pthread_mutex_unlock(&s->locks[i]);
    }
}

/* ---- snapshots ---- */

ddb_store_snapshot *ddb_store_snapshot_take(ddb_store *s)
{
    ddb_store_snapshot *snap = calloc(1, sizeof(*snap));

    if (snap == NULL)
        abort();
    snap->snap = rocksdb_create_snapshot(s->db);
    snap->ropts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_snapshot(snap->ropts, snap->snap);
    return snap;
}

void ddb_store_snapshot_release(ddb_store *s, ddb_store_snapshot *snap)
{
    if (snap == NULL)
        return;
    rocksdb_readoptions_destroy(snap->ropts);
    rocksdb_release_snapshot(s->db, snap->snap);
    free(snap);
}

int ddb_store_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return multi_get_with(s, snap != NULL ? snap->ropts : s->ropts, a, keys, n);
}

int ddb_store_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    for (unsigned i = 0; i < MAX_SHARDS; i++) {
        rocksdb_column_family_handle_t *cf = cf_of(s, (int)i);
        char *err = NULL;
        int rc;
        if (cf == NULL)
            continue;
        rocksdb_delete_range_cf(s->db, s->wopts, cf, lo, lolen, hi, hilen, &err);
        if ((rc = check(err, "delete range")) != DDB_STORE_OK)
            return rc;
    }
    if (seq_cf(s, 0) != NULL) { /* sequenced keys too (stream records) */
        char *err = NULL;
        rocksdb_delete_range_cf(s->db, s->wopts, s->seqcf, lo, lolen, hi, hilen, &err);
        return check(err, "delete range");
    }
    return DDB_STORE_OK;
}

/* ---- iterators ---- */

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* Points `cur` at the sub-iterator with the smallest key (reverse: the largest). */
static void iter_pick(ddb_store_iter *it)
{
    const char *best = NULL;
    size_t bestlen = 0;

    it->cur = -1;
    for (unsigned i = 0; i < it->n; i++) {
        const char *k;
        size_t klen;
        int c;
        if (!rocksdb_iter_valid(it->sub[i]))
            continue;
        k = rocksdb_iter_key(it->sub[i], &klen);
        c = best == NULL ? -1 : key_cmp(k, klen, best, bestlen);
        if (best == NULL || (it->reverse ? c > 0 : c < 0)) {
            best = k;
            bestlen = klen;
            it->cur = (int)i;
        }
    }
}

/* The shards that may hold [lo, hi): the partition's own when both bounds are in one partition. */
static unsigned iter_shards(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int *shards)
{
    unsigned n = 0, ncf = __atomic_load_n(&s->ncf, __ATOMIC_ACQUIRE);
    size_t pb = s->partition_bytes;

    if (pb > 0 && lolen >= pb && hilen >= pb && memcmp(lo, hi, pb) == 0) {
        shards[0] = shard_of(s, lo, lolen);
        return cf_of(s, shards[0]) != NULL;
    }
    for (unsigned i = 0; i < ncf && i < MAX_SHARDS; i++) {
        if (cf_of(s, (int)i) != NULL)
            shards[n++] = (int)i;
    }
    return n;
}

static ddb_store_iter *iter_new(unsigned n, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse)
{
    ddb_store_iter *it = calloc(1, sizeof(*it) + n * sizeof(it->sub[0]));

    if (it == NULL)
        abort();
    it->lo = malloc(lolen + 1);
    it->hi = malloc(hilen + 1);
    memcpy(it->lo, lo, lolen);
    memcpy(it->hi, hi, hilen);
    it->lolen = lolen;
    it->hilen = hilen;
    it->reverse = reverse;
    it->cur = -1;
    it->ropts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_iterate_lower_bound(it->ropts, it->lo, lolen);
    rocksdb_readoptions_set_iterate_upper_bound(it->ropts, it->hi, hilen);
    if (snap != NULL)
        rocksdb_readoptions_set_snapshot(it->ropts, snap->snap);
    return it;
}

static ddb_store_iter *iter_open(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                 const char *hi, size_t hilen, int reverse)
{
    int shards[MAX_SHARDS];
    unsigned n = iter_shards(s, lo, lolen, hi, hilen, shards);
    ddb_store_iter *it = iter_new(n, snap, lo, lolen, hi, hilen, reverse);

    if (n > 1 && snap == NULL) { /* the shards' iterators would each pin their own moment */
        it->db = s->db;
        it->own = rocksdb_create_snapshot(s->db);
        rocksdb_readoptions_set_snapshot(it->ropts, it->own);
    }
    for (unsigned i = 0; i < n; i++) /* shards never written to hold nothing and are left out */
        it->sub[it->n++] = rocksdb_create_iterator_cf(s->db, it->ropts, cf_of(s, shards[i]));
    return it;
}

ddb_store_iter *ddb_store_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse)
{
    return iter_open(s, NULL, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *ddb_store_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                        int reverse)
{
    rocksdb_column_family_handle_t *cf = seq_cf(s, 0);
    ddb_store_iter *it = iter_new(1, NULL, lo, lolen, hi, hilen, reverse);

    if (cf != NULL) /* none yet: nothing to read */
        it->sub[it->n++] = rocksdb_create_iterator_cf(s->db, it->ropts, cf);
    return it;
}

ddb_store_iter *ddb_store_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                       const char *hi, size_t hilen, int reverse)
{
    return iter_open(s, snap, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *ddb_store_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store_iter *it = iter_new(1, NULL, lo, lolen, hi, hilen, 0);

    it->sub[it->n++] = rocksdb_create_iterator_cf(s->db, it->ropts, s->meta);
    return it;
}

void ddb_store_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen)
{
    for (unsigned i = 0; i < it->n; i++) {
        if (from == NULL && it->reverse)
            rocksdb_iter_seek_to_last(it->sub[i]);
        else if (from == NULL)
            rocksdb_iter_seek_to_first(it->sub[i]);
        else if (it->reverse)
            rocksdb_iter_seek_for_prev(it->sub[i], from, fromlen);
        else
            rocksdb_iter_seek(it->sub[i], from, fromlen);
    }
    iter_pick(it);
}

int ddb_store_iter_valid(ddb_store_iter *it)
{
    return it->cur >= 0;
}

void ddb_store_iter_next(ddb_store_iter *it)
{
    if (it->reverse)
        rocksdb_iter_prev(it->sub[it->cur]);
    else
        rocksdb_iter_next(it->sub[it->cur]);
    if (it->n == 1) /* one place: no merge */
        it->cur = rocksdb_iter_valid(it->sub[0]) ? 0 : -1;
    else
        iter_pick(it);
}

const char *ddb_store_iter_key(ddb_store_iter *it, size_t *len)
{
    return rocksdb_iter_key(it->sub[it->cur], len);
}

const char *ddb_store_iter_val(ddb_store_iter *it, size_t *len)
{
    return rocksdb_iter_value(it->sub[it->cur], len);
}

int ddb_store_iter_status(ddb_store_iter *it)
{
    for (unsigned i = 0; i < it->n; i++) {
        char *err = NULL;
        int rc;
        rocksdb_iter_get_error(it->sub[i], &err);
        if ((rc = check(err, "iterate")) != DDB_STORE_OK)
            return rc;
    }
    return DDB_STORE_OK;
}

void ddb_store_iter_close(ddb_store_iter *it)
{
    if (it == NULL)
        return;
    for (unsigned i = 0; i < it->n; i++)
        rocksdb_iter_destroy(it->sub[i]);
    if (it->own != NULL)
        rocksdb_release_snapshot(it->db, it->own);
    rocksdb_readoptions_destroy(it->ropts);
    free(it->lo);
    free(it->hi);
    free(it);
}
