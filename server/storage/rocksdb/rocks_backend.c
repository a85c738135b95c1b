/*
 * server/storage/rocksdb/rocks_backend.c: the RocksDB backend as a store (storage.h): its operations
 * table, its open (a restore a crash interrupted finished first, the files opened, --sync's group
 * commit started) and its close. What each operation does is in the other rocks_*.c files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/base/deferred_init.h"
#include "server/storage/rocksdb/rocks_internal.h"

/* The group commit's sync (groupcommit.h): the write-ahead log of every write so far, fsynced. */
static int sync_log(void *ctx)
{
    ddb_store *s = ctx;
    int rc = DDB_STORE_OK;

    pthread_mutex_lock(&s->sync_lock);
    /* (NULL: closed, a snapshot restore is between its close and its reopen; or not made yet) */
    for (unsigned d = 0; d < MAX_DBS && rc == DDB_STORE_OK; d++) {
        /* (a write noted after this exchange is in a later group; one before it is in the log) */
        if (db_at(s, d) == NULL || !__atomic_exchange_n(&s->unsynced[d].v, 0, __ATOMIC_SEQ_CST))
            continue;
        if ((rc = rocks_log_sync_db(s, d)) != DDB_STORE_OK) /* synced again at the retry */
            __atomic_store_n(&s->unsynced[d].v, 1, __ATOMIC_SEQ_CST);
    }
    pthread_mutex_unlock(&s->sync_lock);
    return rc;
}

struct ddb_groupcommit *rocks_groupcommit(ddb_store *s)
{
    return s->gc;
}

static pthread_mutex_t *rocks_meta_lock(ddb_store *s)
{
    return &s->meta_lock;
}

static const ddb_store_ops rocks_ops = {
    .name = "rocksdb",
    .format_found = rocks_format_found,
    .close = rocks_close,
    .groupcommit = rocks_groupcommit,
    .nshards = rocks_nshards,
    .metrics_text = rocks_metrics_text,
    .hash = rocks_hash,
    .hash_alg = rocks_hash_alg,
    .secret_hash = rocks_secret_hash,
    .meta_get = rocks_meta_get,
    .get = rocks_get,
    .write = rocks_write,
    .commit = rocks_commit,
    .commit_each = rocks_commit_each,
    .multi_get = rocks_multi_get,
    .snapshot_take = rocks_snapshot_take,
    .snapshot_release = rocks_snapshot_release,
    .multi_get_at = rocks_multi_get_at,
    .iter_open_at = rocks_iter_open_at,
    .barrier = rocks_barrier,
    .exclusive = rocks_exclusive,
    .iter_open = rocks_iter_open,
    .meta_iter_open = rocks_meta_iter_open,
    .seq_iter_open = rocks_seq_iter_open,
    .seq_last = rocks_seq_last,
    .seq_trim = rocks_seq_trim,
    .delete_range_all = rocks_delete_range_all,
    .checkpoint_save = rocks_checkpoint_save,
    .checkpoint_restore = rocks_checkpoint_restore,
    .checkpoint_delete = rocks_checkpoint_delete,
    .checkpoint_list = rocks_checkpoint_list,
    .reclaim = rocks_reclaim,
    .meta_lock = rocks_meta_lock,
};

/*
 * The stripes' mutexes, 160 KB, are left as calloc made them where that is a valid mutex: calloc's
 * fresh pages are zeros the process has not touched, so a page of mutexes becomes memory only
 * when one of its stripes is first locked. Initialising them all made 160 KB resident at every
 * start (bench/README.md, "Footprint"). A C library whose PTHREAD_MUTEX_INITIALIZER is not all
 * zeros gets them initialised.
 */
static void stripes_init(ddb_store *s)
{
    static const pthread_mutex_t initial = PTHREAD_MUTEX_INITIALIZER;
    static const pthread_mutex_t zeros;

    if (memcmp(&initial, &zeros, sizeof(initial)) == 0)
        return;
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_init(&s->locks[i], NULL);
}

int ddb_rocks_options_check(const ddb_store_options *o, char **errout)
{
    *errout = NULL;
    if (o->nshards > MAX_SHARDS || (o->nshards == 0 && (o->default_nshards < 1 || o->default_nshards > MAX_SHARDS))) {
        *errout = strdup("shard count must be between 1 and 256");
        return -1;
    }
    return 0;
}

ddb_store *ddb_rocks_open(const ddb_store_options *o, char **errout)
{
    ddb_store *s;

    if (ddb_rocks_options_check(o, errout) != 0)
        return NULL;
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        *errout = strdup("out of memory");
        return NULL;
    }
    ddb_deferred_init(); /* RocksDB's static initialisers, before its first call */
    if (!o->in_memory && mkdir(o->path, 0755) != 0 && errno != EEXIST) {
        free(s);
        *errout = strdup("cannot create the data directory");
        return NULL;
    }
    s->ops = &rocks_ops;
    s->note_error = rocks_note_write_error;
    stripes_init(s);
    pthread_mutex_init(&s->cf_lock, NULL);
    pthread_mutex_init(&s->meta_lock, NULL);
    pthread_mutex_init(&s->sync_lock, NULL);
    rocks_dbs_init(s);
    s->o = *o;
    s->path = strdup(o->in_memory ? ROCKS_MEMORY_PATH : o->path);
    s->key_hash = o->key_hash;
    s->partition_bytes = o->partition_bytes;
    s->ropts = rocksdb_readoptions_create();
    s->wopts = rocksdb_writeoptions_create();
    if (o->in_memory)
        rocksdb_writeoptions_disable_WAL(s->wopts, 1);
    s->wopts_nowal = rocksdb_writeoptions_create();
    rocksdb_writeoptions_disable_WAL(s->wopts_nowal, 1);
    if (o->sync_writes && !o->in_memory) {
        s->wopts_sync = rocksdb_writeoptions_create();
        rocksdb_writeoptions_set_sync(s->wopts_sync, 1);
    }
    s->guard = ddb_diskguard_new(o->in_memory ? NULL : o->path, o->min_free_bytes);
    /* a restore a crash interrupted is finished first (rocks_snapshots.c) */
    if ((!o->in_memory && rocks_finish_restore(s, errout) != 0) || rocks_open_files(s, errout) != 0 ||
        (o->sync_writes && !o->in_memory && (s->gc = ddb_groupcommit_start(sync_log, s)) == NULL)) {
        rocks_close(s);
        return NULL;
    }
    return s;
}

void rocks_close(ddb_store *s)
{
    if (s == NULL)
        return;
    ddb_groupcommit_stop(s->gc);
    ddb_diskguard_free(s->guard);
    rocks_close_files(s);
    rocksdb_readoptions_destroy(s->ropts);
    rocksdb_writeoptions_destroy(s->wopts);
    rocksdb_writeoptions_destroy(s->wopts_nowal);
    if (s->wopts_sync != NULL)
        rocksdb_writeoptions_destroy(s->wopts_sync);
    if (s->env != NULL)
        rocksdb_env_destroy(s->env);
    rocks_snapshots_free(s);
    free(s->path);
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_destroy(&s->locks[i]);
    pthread_mutex_destroy(&s->cf_lock);
    pthread_mutex_destroy(&s->meta_lock);
    pthread_mutex_destroy(&s->sync_lock);
    rocks_dbs_destroy(s);
    free(s);
}
