/*
 * server/storage/rocksdb/rocks.c: the RocksDB storage backend: options, open and close (and a reopen in
 * place after a full disk's stuck resume), the shard column families and the ring (rebalancing on a
 * change of shard count), the data directory's format.
 *
 * Column family "default" of database 0 holds metadata, "shard-<i>" holds shard i's items, in
 * database i % ndbs (rocks_dbs.c: a write across databases is still all or nothing). RocksDB's malloc'd errors
 * and values are turned into return codes and arena copies in the backend's files (rocks*.c, which
 * share rocks_internal.h; the only files that include <rocksdb/c.h>), so no RocksDB ownership rule
 * escapes them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rocksdb/c.h>
#include <sodium.h>

#include "server/base/clock.h"
#include "server/storage/rocksdb/rocks_internal.h"

/* The data directory's format, in the metadata key "ddbd/format". 1: items only. 2: secondary-index
   keyspaces may exist (a format-1 binary must refuse such a directory, and does: it accepts only "1").
   3: vector indexes may exist (a format-2 binary would not maintain them; it accepts only 1 and 2).
   4: the partition hash may be DynamoDB's ("ddbd/hash"; a format-3 binary would hash with SipHash
   and find none of a new directory's items: it accepts only 1 to 3).
   5: the data may be in several databases ("ddbd/dbs", db-<d>/: rocks_dbs.c), which a format-4
   binary would not open (it accepts only 1 to 4); a directory of an older format stays one.
   An older directory is upgraded in place at open: nothing in it changes but the marker. */
#define FORMAT_VERSION 5
#define FORMAT_VERSION_STR "5"
#define FORMAT_OLDEST 1

/* ---- open and close ---- */

static rocksdb_options_t *make_options(ddb_store *s, const ddb_store_options *o)
{
    rocksdb_options_t *opts = rocksdb_options_create();
    rocksdb_block_based_table_options_t *bbt = rocksdb_block_based_options_create();

    rocksdb_options_set_create_if_missing(opts, 1);
    rocksdb_options_set_create_missing_column_families(opts, 1);
    rocksdb_options_set_info_log_level(opts, 4 /* HEADER_LEVEL: no info log chatter */);
    rocksdb_options_set_keep_log_file_num(opts, 2);
    /* the MANIFEST grows by a few hundred bytes a flush: 64 KB, not RocksDB's 4 MB, made on disk
       for each of the databases (rocks_dbs.c) */
    rocksdb_options_set_manifest_preallocation_size(opts, 64 << 10);
    rocksdb_options_set_max_background_jobs(opts, 2);
    /* table files are opened on demand; the default spawns 16 threads at every open */
    rocksdb_options_set_max_file_opening_threads(opts, 1);
    /* and their properties are not read at open for compaction's estimates (an open, and so a
       snapshot restore, reads no table file) */
    rocksdb_options_set_skip_stats_update_on_db_open(opts, 1);
    rocksdb_options_set_compression(opts, rocksdb_lz4_compression);
    /* tickers for /metrics (cache hits and misses, stall time: rocks_metrics.c); counted per core */
    rocksdb_options_enable_statistics(opts);
    /* read directly by /metrics: no periodic dump or history, whose timer thread woke after
       start-up and brought back half a megabyte of code (tests/footprint) */
    rocksdb_options_set_stats_dump_period_sec(opts, 0);
    rocksdb_options_set_stats_persist_period_sec(opts, 0);
    /* a full disk: resumed by the writes as soon as it has room (rocks_rw.c), not every 5 s */
    ddb_rocksdb_options_recover_no_space_by_caller(opts);
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
    /* In memory the table files are memory already, so the caches hold a second copy (uncompressed):
       a miss costs a copy and a decompression, not a read. Half the size there (bench/README.md,
       "memory after the load": GetItem was not measurably slower). */
    s->row_cache = rocksdb_cache_create_lru(o->in_memory ? 8 << 20 : 16 << 20);
    rocksdb_options_set_row_cache(opts, s->row_cache);
    s->cache = rocksdb_cache_create_lru(o->in_memory ? 16 << 20 : 32 << 20);
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
    /* a write's log append waits in the log's buffer for its loop's turn to end (rocks_log.c); under
       --sync the group commit writes and syncs the logs, and in memory there is no log. Only while
       the disk guard keeps room (--min-free-disk, 64 MiB unless 0): a buffer that meets a full disk
       leaves its database stopped until a reopen (rocks_rw.c's resume), and writes it took visible
       in its memtables meanwhile, where a log written write by write stops at the write that failed */
    s->manual_flush = !o->in_memory && !o->sync_writes && o->min_free_bytes > 0;
    rocksdb_options_set_manual_wal_flush(opts, (unsigned char)s->manual_flush);
    if (o->in_memory) { /* one env for the store's life: it holds the data and the snapshots */
        if (s->env == NULL)
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

    if (rocks_check(err, "get") != 0 || v == NULL)
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
    return rocks_check(err, "put");
}

/* The partition hash's algorithm a directory keeps: "md5" since issue 62; absent: SipHash, as
   every directory made before hashes (its order stays, the hash being in every stored key). */
static int load_hash_alg(ddb_store *s)
{
    char *err = NULL;
    size_t vlen = 0;
    char *v = rocksdb_get_cf(s->db, s->ropts, s->meta, "ddbd/hash", 9, &vlen, &err);
    int rc = 0;

    if (rocks_check(err, "get") != 0) /* (not taken for absent: a wrong guess would misplace keys) */
        return -1;
    s->hash_alg = v == NULL ? DDB_HASH_SIPHASH : DDB_HASH_MD5;
    if (v != NULL && (vlen != 3 || memcmp(v, "md5", 3) != 0)) {
        ddb_log(DDB_LOG_ERROR, "the data directory's partition hash (ddbd/hash: \"%.*s\") is unknown",
                (int)(vlen < 32 ? vlen : 32), v);
        rc = -1;
    }
    rocksdb_free(v);
    return rc;
}

/*
 * The directory's partition hash, chosen at first start and never changed (it places every
 * partition and orders every Scan): DynamoDB's, MD5 of "Outliers" and the key ("ddbd/hash" =
 * "md5"), since issue 62. A directory made before hashes with SipHash under its "ddbd/hash_key":
 * ring.h's fixed one since issue 52, 16 random bytes before that (which it keeps). The ring's
 * points are SipHash under that key in both. The secret, for what the server signs, is random
 * ("ddbd/secret_key"); a directory made before issue 52 has none, its random hash key serving.
 * The hash key is written last: a crash before it leaves none, and the next start makes them all
 * again before anything used any.
 */
static int load_hash_key(ddb_store *s, unsigned char key[DDB_HASH_KEY_BYTES])
{
    char buf[DDB_HASH_KEY_BYTES + 1];

    if (meta_get_str(s, "ddbd/hash_key", buf, sizeof(buf)) == DDB_HASH_KEY_BYTES) {
        memcpy(key, buf, DDB_HASH_KEY_BYTES);
        if (meta_get_str(s, "ddbd/secret_key", buf, sizeof(buf)) == DDB_HASH_KEY_BYTES)
            memcpy(s->secret, buf, DDB_HASH_KEY_BYTES);
        else
            memcpy(s->secret, key, DDB_HASH_KEY_BYTES);
        return load_hash_alg(s);
    }
    randombytes_buf(s->secret, DDB_HASH_KEY_BYTES);
    memcpy(key, ddb_ring_fixed_key, DDB_HASH_KEY_BYTES);
    s->hash_alg = DDB_HASH_MD5;
    if (meta_put(s, "ddbd/secret_key", s->secret, DDB_HASH_KEY_BYTES) != 0 || meta_put(s, "ddbd/hash", "md5", 3) != 0)
        return -1;
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
        rocksdb_t *db = db_at(s, db_index(s, (int)sh));
        if (s->shards[sh] == NULL)
            continue;
        it = rocksdb_create_iterator_cf(db, s->ropts, s->shards[sh]);
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
            if ((dest = rocks_cf_for_write(s, (int)owner)) == NULL) {
                err = strdup("cannot create a shard column family");
                break;
            }
            moved++;
            if (db_index(s, (int)owner) != db_index(s, (int)sh)) { /* into another database: its own write */
                rocks_xop ops[2] = {{db_index(s, (int)owner), (int)owner, 0, k, v, klen, vlen},
                                    {db_index(s, (int)sh), (int)sh, 1, k, NULL, klen, 0}};
                if (rocks_xwrite(s, ops, 2, s->wopts) != DDB_STORE_OK) {
                    err = strdup("cannot move a key into another database");
                    break;
                }
                continue;
            }
            rocksdb_writebatch_put_cf(wb, dest, k, klen, v, vlen);
            rocksdb_writebatch_delete_cf(wb, s->shards[sh], k, klen);
            if (++inbatch == 1000) {
                rocksdb_write(db, s->wopts, wb, &err);
                rocksdb_writebatch_clear(wb);
                inbatch = 0;
                if (err != NULL) /* reported (and freed) once, below */
                    break;
            }
        }
        if (err == NULL) /* a read error must not pass for the end of the shard */
            rocksdb_iter_get_error(it, &err);
        if (err == NULL && inbatch > 0)
            rocksdb_write(db, s->wopts, wb, &err);
        rocksdb_writebatch_destroy(wb);
        rocksdb_iter_destroy(it);
        if (rocks_check(err, "rebalance write") != 0)
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
        rocksdb_drop_column_family(db_at(s, db_index(s, (int)i)), s->shards[i], &err);
        rocks_check(err, "drop column family");
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
        if (rocks_check(err, "delete") != 0)
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
static int check_format(ddb_store *s, char **errout)
{
    char buf[16];
    long v;

    s->format_found = 0;
    if (meta_get_str(s, "ddbd/format", buf, sizeof(buf)) <= 0)
        return 0;
    if ((v = ddb_store_format_of(buf, FORMAT_OLDEST, FORMAT_VERSION, "the data directory", errout)) < 0)
        return -1;
    s->format_found = (int)v;
    return 0;
}

int rocks_format_found(const ddb_store *s)
{
    return s->format_found;
}

int rocks_open_files(ddb_store *s, char **errout)
{
    int rc = 0;

    pthread_mutex_lock(&s->sync_lock);
    s->seq = ddb_sequencer_new(ddb_sequencer_load_stored, s);
    s->opts = make_options(s, &s->o);
    /* stream records: append-only, read in order, trimmed after a day; compressing and
       re-compacting them cost more than the disk they would save */
    s->seq_opts = rocksdb_options_create_copy(s->opts);
    rocksdb_options_set_compression(s->seq_opts, rocksdb_no_compression);
    /* (in memory, where they are bounded by the memory budget and trimmed often, as small as items') */
    rocksdb_options_set_write_buffer_size(s->seq_opts, s->o.in_memory ? 4 << 20 : 16 << 20);
    rocksdb_options_set_level0_file_num_compaction_trigger(s->seq_opts, 8);
    /* metadata: the catalog, counters and cursors, read at open and by the background work, not
       by every request; its memtable's bloom filter was 200 KB of zeroed memory from the first
       start on (bench/README.md, "Footprint") */
    s->meta_opts = rocksdb_options_create_copy(s->opts);
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(s->meta_opts, 0);
    if (rocks_db_open(s, 0, 1, errout) != 0 || check_format(s, errout) != 0 ||
        rocks_dbs_open(s, s->o.nshards != 0 ? s->o.nshards : s->o.default_nshards, errout) != 0 ||
        setup_shards(s, s->o.nshards, s->o.default_nshards) != 0) {
        if (*errout == NULL)
            *errout = strdup("cannot set up the shards (see the log)");
        rc = -1;
    } else if (rocks_log_flush_all(s) != DDB_STORE_OK) { /* the open's own writes (a move, a replay) */
        *errout = strdup("cannot write the log");
        rc = -1;
    }
    pthread_mutex_unlock(&s->sync_lock);
    return rc;
}

void rocks_close_files(ddb_store *s)
{
    pthread_mutex_lock(&s->sync_lock);
    /* no loop's flush meets a database being closed (rocks_log.c); what waits in the logs' buffers
       is written first */
    rocks_gate_close(s);
    if (s->db != NULL) {
        (void)rocks_log_flush_all(s);
        for (unsigned i = 0; i < MAX_SHARDS; i++) {
            if (s->shards[i] != NULL)
                rocksdb_column_family_handle_destroy(s->shards[i]);
            s->shards[i] = NULL;
        }
        if (s->meta != NULL)
            rocksdb_column_family_handle_destroy(s->meta);
        if (s->seqcf != NULL)
            rocksdb_column_family_handle_destroy(s->seqcf);
        rocks_dbs_close(s);
        rocksdb_close(s->db);
    }
    s->db = s->dbs[0] = NULL;
    s->meta = s->seqcf = NULL;
    s->ncf = 0;
    if (s->opts != NULL)
        rocksdb_options_destroy(s->opts);
    if (s->seq_opts != NULL)
        rocksdb_options_destroy(s->seq_opts);
    if (s->meta_opts != NULL)
        rocksdb_options_destroy(s->meta_opts);
    if (s->cache != NULL)
        rocksdb_cache_destroy(s->cache);
    if (s->row_cache != NULL)
        rocksdb_cache_destroy(s->row_cache);
    s->opts = s->seq_opts = s->meta_opts = NULL;
    s->cache = s->row_cache = NULL;
    ddb_ring_free(&s->ring);
    memset(&s->ring, 0, sizeof(s->ring));
    ddb_sequencer_free(s->seq);
    s->seq = NULL;
    rocks_gate_open(s);
    pthread_mutex_unlock(&s->sync_lock);
}

/* ---- a reopen in place (after a full disk's resume hung: diskguard.h) ---- */

#define REOPEN_TRIES 3 /* a second apart */

/*
 * With the server quiesced: the files closed (RocksDB's, stopped by the full disk, and its
 * background work cancelled) and opened again, which replays the log, so every write that was
 * acknowledged is there; the ddb_store pointer stays, as across a snapshot restore. A store that
 * cannot be opened again ends the process: nothing could be served from a closed one, and the
 * next start recovers the same from the log.
 */
static void reopen_files(void *arg)
{
    ddb_store *s = arg;
    /* the sequencer is kept: its numbers go on as they were */
    ddb_sequencer *seq = s->seq;
    const struct timespec pause = {1, 0};
    char *err = NULL;

    s->seq = NULL;
    for (int i = 0; i < REOPEN_TRIES; i++) {
        rocks_close_files(s);
        if (i > 0)
            nanosleep(&pause, NULL);
        if (rocks_open_files(s, &err) == 0) {
            ddb_sequencer_free(s->seq);
            s->seq = seq;
            /* said before any request is let through */
            ddb_log(DDB_LOG_WARN, "rocksdb reopened in place after its stuck resume: writes resume, every "
                                  "acknowledged one kept");
            return;
        }
        ddb_log(DDB_LOG_ERROR, "rocksdb: cannot reopen the store after its stuck resume: %s", err ? err : "?");
        free(err);
        err = NULL;
    }
    ddb_log(DDB_LOG_ERROR, "rocksdb: the store could not be reopened after its stuck resume; stopping (the next "
                           "start recovers every acknowledged write from the log)");
    _exit(1);
}

int rocks_reopen(ddb_store *s)
{
    uint64_t t0;

    if (s->o.quiesced == NULL)
        return 0;
    /* (its background jobs' end was awaited before, by the guard: diskguard.c) */
    t0 = ddb_clock_mono_ns();
    if (s->o.quiesced(s->o.quiesced_ctx, reopen_files, s) != 0)
        return 0;
    ddb_log(DDB_LOG_INFO, "rocksdb: requests were held %.1f ms by the reopen", ddb_clock_mono_since_ms(t0));
    return 1;
}

unsigned rocks_nshards(const ddb_store *s)
{
    return s->ring.nshards;
}

uint64_t rocks_hash(const ddb_store *s, const void *data, size_t len)
{
    return s->hash_alg == DDB_HASH_MD5 ? ddb_md5_partition_hash(data, len) : ddb_ring_hash(&s->ring, data, len);
}

ddb_hash_alg rocks_hash_alg(const ddb_store *s)
{
    return s->hash_alg;
}

uint64_t rocks_secret_hash(const ddb_store *s, const void *data, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, data, len, s->secret);
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | h[i];
    return v;
}

/* ---- reads and writes ---- */
