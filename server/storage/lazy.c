/*
 * server/storage/lazy.c: a new store opened on its first write.
 *
 * A server that has no table yet needs no database: opening RocksDB costs 3.4 MB and 2.5 ms of a
 * 6 MB, 3 ms start (6 ms more on a new data directory, whose files it creates and syncs), and its
 * static initialisers wait for it too (base/deferred_init.h). So a store that is new (in memory,
 * or a data directory that is missing or empty) is opened by the first call that writes. Until
 * then it is what a new store is, empty: point reads find nothing, ranges and sequences are empty,
 * snapshots see nothing (also when read after the open: they were taken before anything was
 * written), and there is nothing to wait for or to reclaim. Everything else (a write, a commit,
 * the hash, whose key a data directory keeps, the checkpoints) opens the store and is passed on,
 * as is every call once it is open. Nothing above storage.h can tell the difference, except by
 * the memory and time a start takes (tests/footprint/footprint.py).
 *
 * A data directory is locked at start (flock on the directory itself, which adds no file), so a
 * second server on the same new directory is refused at start as RocksDB's lock refuses it on
 * an existing one. With --sync a data directory is opened at start: the group commit is the HTTP
 * loops' from the start (ddb_store_groupcommit).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/base/log.h"
#include "server/storage/backend.h"

#define OPS(s) (*(const ddb_store_ops *const *)(s))

struct ddb_store {
    const ddb_store_ops *ops; /* first (backend.h) */
    _Atomic(ddb_store *) real; /* NULL until the first write */
    pthread_mutex_t lock;      /* the open, and ddb_store_exclusive before it */
    pthread_mutex_t meta_lock; /* store.c's generic meta commits, which reach the real store through this one */
    ddb_store_options o;
    char *path;
    int dirfd; /* the data directory, flock'd; -1 in memory */
    ddb_store *(*open)(const ddb_store_options *o, char **err);
};

struct ddb_store_iter {
    const ddb_iter_ops *ops; /* first (backend.h) */
};

/* ---- the empty store's answers ---- */

static void it_seek(ddb_store_iter *it, const char *from, size_t fromlen) { (void)it, (void)from, (void)fromlen; }
static int it_valid(ddb_store_iter *it) { (void)it; return 0; }
static void it_next(ddb_store_iter *it) { (void)it; }
static const char *it_none(ddb_store_iter *it, size_t *len) { (void)it; *len = 0; return NULL; }
static void it_close(ddb_store_iter *it) { (void)it; }
static int it_status(ddb_store_iter *it) { (void)it; return DDB_STORE_OK; }

static const ddb_iter_ops empty_iter_ops = {
    .seek = it_seek,
    .valid = it_valid,
    .next = it_next,
    .key = it_none,
    .val = it_none,
    .close = it_close,
    .status = it_status,
};
static ddb_store_iter empty_iter = {&empty_iter_ops}; /* stateless: one for every caller */

/* The snapshot taken before the open: it sees the empty store whenever it is read. */
static char before_open;
#define EMPTY_SNAPSHOT ((ddb_store_snapshot *)&before_open)

static ddb_store *real_of(ddb_store *s)
{
    return atomic_load_explicit(&s->real, memory_order_acquire);
}

/* The store, opened if it is not yet; NULL if it cannot be (logged: a write's EIO). */
static ddb_store *opened(ddb_store *s)
{
    ddb_store *r = real_of(s);
    char *err = NULL;

    if (r != NULL)
        return r;
    pthread_mutex_lock(&s->lock);
    if ((r = real_of(s)) == NULL) {
        if ((r = s->open(&s->o, &err)) == NULL) {
            ddb_log(DDB_LOG_ERROR, "storage: cannot open the store on its first write: %s", err ? err : "?");
        } else {
            ddb_log(DDB_LOG_DEBUG, "storage: the store opened on its first write");
            atomic_store_explicit(&s->real, r, memory_order_release);
        }
        free(err);
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

static int none_found(ddb_store_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        keys[i].val = NULL;
        keys[i].vlen = 0;
    }
    return DDB_STORE_OK;
}

/* ---- the operations: passed on once open (or opening, for those that write) ---- */

static int lz_format_found(const ddb_store *s)
{
    ddb_store *r = real_of((ddb_store *)s);

    return r != NULL ? OPS(r)->format_found(r) : 0;
}

static void lz_close(ddb_store *s)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        OPS(r)->close(r);
    if (s->dirfd >= 0)
        close(s->dirfd); /* the flock goes with it */
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->meta_lock);
    free(s->path);
    free(s);
}

static struct ddb_groupcommit *lz_groupcommit(ddb_store *s)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->groupcommit(r) : NULL; /* (none without --sync, which opens at start) */
}

static unsigned lz_nshards(const ddb_store *s)
{
    ddb_store *r = real_of((ddb_store *)s);

    if (r != NULL)
        return OPS(r)->nshards(r);
    return s->o.nshards != 0 ? s->o.nshards : s->o.default_nshards; /* what a new store is given */
}

static void lz_metrics_text(ddb_store *s, ddb_buf *out)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        OPS(r)->metrics_text(r, out);
}

/* The hash's key is the store's (a data directory keeps it), so the hash opens it. A partition key
   is hashed only for a table, which a write made; an open that fails hashes with no key (0). */
static uint64_t lz_hash(const ddb_store *s, const void *data, size_t len)
{
    ddb_store *r = opened((ddb_store *)s);

    return r != NULL ? OPS(r)->hash(r, data, len) : 0;
}

/* So is the hash's algorithm; an open that fails has none, and hashes as above. */
static ddb_hash_alg lz_hash_alg(const ddb_store *s)
{
    ddb_store *r = opened((ddb_store *)s);

    return r != NULL ? OPS(r)->hash_alg(r) : DDB_HASH_MD5;
}

/* The secret is the store's too (a data directory keeps it). */
static uint64_t lz_secret_hash(const ddb_store *s, const void *data, size_t len)
{
    ddb_store *r = opened((ddb_store *)s);

    return r != NULL ? OPS(r)->secret_hash(r, data, len) : 0;
}

static int lz_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        return OPS(r)->meta_get(r, a, key, klen, val, vlen);
    *val = NULL;
    *vlen = 0;
    return DDB_STORE_OK;
}

static int lz_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        return OPS(r)->get(r, a, key, klen, val, vlen);
    *val = NULL;
    *vlen = 0;
    return DDB_STORE_OK;
}

static int lz_write(ddb_store *s, const ddb_batch *b)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->write(r, b) : DDB_STORE_EIO;
}

static int lz_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->commit(r, a, keys, n, decide, ctx) : DDB_STORE_EIO;
}

static size_t lz_commit_each(ddb_store *s, ddb_arena *a, ddb_store_unit *units, size_t n)
{
    ddb_store *r = opened(s);

    if (r == NULL) {
        units[0].rc = DDB_STORE_EIO;
        return 1;
    }
    if (OPS(r)->commit_each == NULL)
        return ddb_store_commit_each(r, a, units, n); /* (one at a time) */
    return OPS(r)->commit_each(r, a, units, n);
}

static int lz_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->multi_get(r, a, keys, n) : none_found(keys, n);
}

static ddb_store_snapshot *lz_snapshot_take(ddb_store *s, int point_in_time)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->snapshot_take(r, point_in_time) : EMPTY_SNAPSHOT;
}

static void lz_snapshot_release(ddb_store *s, ddb_store_snapshot *snap)
{
    if (snap != EMPTY_SNAPSHOT)
        OPS(real_of(s))->snapshot_release(real_of(s), snap); /* (only an open store made others) */
}

static int lz_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    if (snap == EMPTY_SNAPSHOT)
        return none_found(keys, n);
    return OPS(real_of(s))->multi_get_at(real_of(s), snap, a, keys, n);
}

static ddb_store_iter *lz_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                       const char *hi, size_t hilen, int reverse)
{
    if (snap == EMPTY_SNAPSHOT)
        return &empty_iter;
    return OPS(real_of(s))->iter_open_at(real_of(s), snap, lo, lolen, hi, hilen, reverse);
}

/* Before the open no commit has begun (a commit opens the store first), so there is none to wait
   for; the lock holds off an open, and so any commit, while fn runs. */
static void lz_barrier(ddb_store *s)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        OPS(r)->barrier(r);
}

static void lz_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    ddb_store *r = real_of(s);

    if (r == NULL) {
        pthread_mutex_lock(&s->lock);
        r = real_of(s);
        if (r == NULL)
            fn(ctx);
        pthread_mutex_unlock(&s->lock);
        if (r == NULL)
            return;
    }
    OPS(r)->exclusive(r, fn, ctx);
}

static ddb_store_iter *lz_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->iter_open(r, lo, lolen, hi, hilen, reverse) : &empty_iter;
}

static ddb_store_iter *lz_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->meta_iter_open(r, lo, lolen, hi, hilen) : &empty_iter;
}

static ddb_store_iter *lz_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                        int reverse)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->seq_iter_open(r, lo, lolen, hi, hilen, reverse) : &empty_iter;
}

static uint64_t lz_seq_last(ddb_store *s, const char *prefix, size_t plen)
{
    ddb_store *r = real_of(s);

    return r != NULL ? OPS(r)->seq_last(r, prefix, plen) : 0;
}

static int lz_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen,
                       uint64_t floor)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->seq_trim(r, prefix, plen, stop, stoplen, floor) : DDB_STORE_EIO;
}

static int lz_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->delete_range_all(r, lo, lolen, hi, hilen) : DDB_STORE_EIO;
}

static int lz_checkpoint_save(ddb_store *s, const char *name)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->checkpoint_save(r, name) : DDB_CHECKPOINT_EIO;
}

static int lz_checkpoint_restore(ddb_store *s, const char *name)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->checkpoint_restore(r, name) : DDB_CHECKPOINT_EIO;
}

static int lz_checkpoint_delete(ddb_store *s, const char *name)
{
    ddb_store *r = opened(s);

    return r != NULL ? OPS(r)->checkpoint_delete(r, name) : DDB_CHECKPOINT_EIO;
}

/* A new store has no checkpoints: a data directory that had some was not empty. */
static size_t lz_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out)
{
    ddb_store *r = real_of(s);

    if (r != NULL)
        return OPS(r)->checkpoint_list(r, out);
    *out = NULL;
    return 0;
}

static void lz_reclaim(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store *r = real_of(s);

    if (r != NULL && OPS(r)->reclaim != NULL)
        OPS(r)->reclaim(r, lo, lolen, hi, hilen);
}

static pthread_mutex_t *lz_meta_lock(ddb_store *s)
{
    return &s->meta_lock;
}

/* Only for a backend one process owns: the shared-metadata and shared-snapshot calls stay NULL
   (storage.h's generic forms), as they are for RocksDB. */
static const ddb_store_ops lazy_ops = {
    .name = "rocksdb",
    .format_found = lz_format_found,
    .close = lz_close,
    .groupcommit = lz_groupcommit,
    .nshards = lz_nshards,
    .metrics_text = lz_metrics_text,
    .hash = lz_hash,
    .hash_alg = lz_hash_alg,
    .secret_hash = lz_secret_hash,
    .meta_get = lz_meta_get,
    .get = lz_get,
    .write = lz_write,
    .commit = lz_commit,
    .commit_each = lz_commit_each,
    .multi_get = lz_multi_get,
    .snapshot_take = lz_snapshot_take,
    .snapshot_release = lz_snapshot_release,
    .multi_get_at = lz_multi_get_at,
    .iter_open_at = lz_iter_open_at,
    .barrier = lz_barrier,
    .exclusive = lz_exclusive,
    .iter_open = lz_iter_open,
    .meta_iter_open = lz_meta_iter_open,
    .seq_iter_open = lz_seq_iter_open,
    .seq_last = lz_seq_last,
    .seq_trim = lz_seq_trim,
    .delete_range_all = lz_delete_range_all,
    .checkpoint_save = lz_checkpoint_save,
    .checkpoint_restore = lz_checkpoint_restore,
    .checkpoint_delete = lz_checkpoint_delete,
    .checkpoint_list = lz_checkpoint_list,
    .reclaim = lz_reclaim,
    .meta_lock = lz_meta_lock,
};

/* ---- which stores wait, and the wait's start ---- */

/* 1: `path` is missing or an empty directory (a new store); 0: anything else, opened at once. */
static int new_directory(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;

    if (d == NULL)
        return errno == ENOENT;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

int ddb_lazy_wanted(const ddb_store_options *o)
{
    if (o->open_now)
        return 0;
    return o->in_memory || (!o->sync_writes && o->path != NULL && new_directory(o->path));
}

/* Can a file be made in the directory? The store itself is made only on the first write, so an
   unwritable directory (another user's, a read-only mount) would otherwise pass the start and then
   answer every write with an internal error the SDKs retry for half a minute (issue 56). Only
   making the file is tried, not writing to it: a full disk is the disk guard's to report, and a
   server over a full disk still serves its reads. 0, or -1 with errno set. */
static int write_probe(int dirfd)
{
    static const char name[] = ".ddbd-write-probe";
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        return -1;
    close(fd);
    unlinkat(dirfd, name, 0);
    return 0;
}

ddb_store *ddb_lazy_open(const ddb_store_options *o, ddb_store *(*open_fn)(const ddb_store_options *o, char **err),
                         char **err)
{
    ddb_store *s = calloc(1, sizeof(*s));
    char msg[512];

    *err = NULL;
    if (s == NULL) {
        *err = strdup("out of memory");
        return NULL;
    }
    s->ops = &lazy_ops;
    s->o = *o;
    s->open = open_fn;
    s->dirfd = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->meta_lock, NULL);
    if (!o->in_memory) {
        s->path = strdup(o->path);
        s->o.path = s->path;
        if (mkdir(o->path, 0755) != 0 && errno != EEXIST) {
            snprintf(msg, sizeof(msg), "cannot create the data directory %s: %s", o->path, strerror(errno));
            goto fail;
        }
        if ((s->dirfd = open(o->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
            snprintf(msg, sizeof(msg), "cannot open the data directory %s: %s", o->path, strerror(errno));
            goto fail;
        }
        if (flock(s->dirfd, LOCK_EX | LOCK_NB) != 0) {
            snprintf(msg, sizeof(msg), "the data directory %s is in use by another process (%s)", o->path,
                     strerror(errno));
            goto fail;
        }
        if (write_probe(s->dirfd) != 0) {
            snprintf(msg, sizeof(msg),
                     "the data directory %s is not writable (%s): run ddbd as a user who may write it, "
                     "or give it --in-memory",
                     o->path, strerror(errno));
            goto fail;
        }
    }
    return s;
fail:
    *err = strdup(msg);
    lz_close(s);
    return NULL;
}
