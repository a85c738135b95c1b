/*
 * server/storage/store.c: storage.h's calls, dispatched to the backend the store was opened with
 * (backend.h), and what every backend shares: ddb_store_rmw is a commit of one key. Which
 * backends there are is the wiring's list alone (server/backends.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log_turn.h"
#include "server/base/trace.h"
#include "server/storage/backend.h"

/* The first member of every backend's store and iterator (backend.h). */
#define OPS(s) (*(const ddb_store_ops *const *)(s))

const char *ddb_store_ops_missing(const ddb_store_ops *ops)
{
#define MUST 1
#define MAY 0
#define X(need, slot, ret, params)                                                                                     \
    if ((need) && ops->slot == NULL)                                                                                   \
        return #slot;
    DDB_STORE_SLOTS(X)
#undef X
#undef MAY
#undef MUST
    if (ops->meta_commit == NULL && ops->meta_lock == NULL) /* the generic meta commit needs the lock */
        return "meta_lock";
    return NULL;
}
#define IOPS(it) (*(const ddb_iter_ops *const *)(it))

long ddb_store_format_of(const char *text, long oldest, long newest, const char *where, char **errout)
{
    char *end, msg[160];
    long v = strtol(text, &end, 10);

    if (*end != '\0' || end == text || v < oldest || v > newest) {
        snprintf(msg, sizeof(msg), "%s was written by an incompatible version of ddbd (format version differs)", where);
        *errout = strdup(msg);
        return -1;
    }
    return v;
}

const char *ddb_store_backend_name(const ddb_store *s)
{
    return OPS(s)->name;
}

int ddb_store_shared(const ddb_store *s)
{
    return OPS(s)->meta_commit != NULL; /* backend.h: NULL when one process owns the store */
}

int ddb_store_format_found(const ddb_store *s) { return OPS(s)->format_found(s); }

void ddb_store_close(ddb_store *s)
{
    if (s != NULL)
        OPS(s)->close(s);
}

struct ddb_groupcommit *ddb_store_groupcommit(ddb_store *s) { return OPS(s)->groupcommit(s); }
unsigned ddb_store_nshards(const ddb_store *s) { return OPS(s)->nshards(s); }
void ddb_store_metrics_text(ddb_store *s, ddb_buf *out) { OPS(s)->metrics_text(s, out); }
uint64_t ddb_store_hash(const ddb_store *s, const void *data, size_t len) { return OPS(s)->hash(s, data, len); }
ddb_hash_alg ddb_store_hash_alg(const ddb_store *s) { return OPS(s)->hash_alg(s); }
uint64_t ddb_store_secret_hash(const ddb_store *s, const void *data, size_t len)
{
    return OPS(s)->secret_hash(s, data, len);
}

int ddb_store_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return OPS(s)->meta_get(s, a, key, klen, val, vlen);
}

int ddb_store_meta_set(ddb_store *s, ddb_arena *a, const char *key, const void *val, size_t vlen)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_meta_put(&b, key, strlen(key), val, vlen);
    return ddb_store_write(s, &b);
}

uint64_t ddb_store_meta_get_u64(ddb_store *s, ddb_arena *a, const char *key)
{
    char *val;
    size_t vlen;

    if (ddb_store_meta_get(s, a, key, strlen(key), &val, &vlen) != 0 || val == NULL)
        return 0;
    return strtoull(ddb_arena_strndup(a, val, vlen), NULL, 10);
}

int ddb_store_meta_set_u64(ddb_store *s, ddb_arena *a, const char *key, uint64_t v)
{
    const char *val = ddb_arena_sprintf(a, "%llu", (unsigned long long)v);

    return ddb_store_meta_set(s, a, key, val, strlen(val));
}

int ddb_store_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return OPS(s)->get(s, a, key, klen, val, vlen);
}

/* Writes and commits are the traced request's child spans (base/trace.h: nothing when untraced). */
int ddb_store_write(ddb_store *s, const ddb_batch *b)
{
    int span = ddb_trace_child_open("storage.write");
    int rc = OPS(s)->write(s, b);

    ddb_trace_child_close(span);
    return rc;
}

int ddb_store_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    int span = ddb_trace_child_open("storage.commit");
    int rc = OPS(s)->commit(s, a, keys, n, decide, ctx);

    ddb_trace_child_close(span);
    return rc;
}

size_t ddb_store_commit_each(ddb_store *s, ddb_arena *a, ddb_store_unit *units, size_t n)
{
    int span;
    size_t ran = 0;

    if (OPS(s)->commit_each == NULL || n < 2) { /* one at a time, each its own span */
        while (ran < n) {
            ddb_store_unit *u = &units[ran++];
            if ((u->rc = ddb_store_commit(s, a, u->keys, u->n, u->decide, u->ctx)) != 0)
                break;
        }
        return ran;
    }
    span = ddb_trace_child_open("storage.commit_each");
    ran = OPS(s)->commit_each(s, a, units, n);
    ddb_trace_child_close(span);
    return ran;
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
    ddb_store_key k = {.key = key, .klen = klen};
    rmw_ctx r = {decide, ctx};

    return ddb_store_commit(s, a, &k, 1, rmw_decide, &r);
}

int ddb_store_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return OPS(s)->multi_get(s, a, keys, n);
}

ddb_store_snapshot *ddb_store_snapshot_take(ddb_store *s) { return OPS(s)->snapshot_take(s, 1); }
ddb_store_snapshot *ddb_store_snapshot_take_light(ddb_store *s) { return OPS(s)->snapshot_take(s, 0); }

void ddb_store_snapshot_release(ddb_store *s, ddb_store_snapshot *snap)
{
    if (snap != NULL)
        OPS(s)->snapshot_release(s, snap);
}

/* Snapshots that only one process ever holds (RocksDB) have no name, none to open, none to detach. */
const char *ddb_store_snapshot_name(ddb_store *s, const ddb_store_snapshot *snap)
{
    return snap != NULL && OPS(s)->snapshot_name != NULL ? OPS(s)->snapshot_name(snap) : NULL;
}

ddb_store_snapshot *ddb_store_snapshot_open(ddb_store *s, const char *name)
{
    return OPS(s)->snapshot_open != NULL ? OPS(s)->snapshot_open(s, name) : NULL;
}

void ddb_store_snapshot_detach(ddb_store *s, ddb_store_snapshot *snap)
{
    if (snap != NULL && OPS(s)->snapshot_detach != NULL)
        OPS(s)->snapshot_detach(s, snap);
    else
        ddb_store_snapshot_release(s, snap);
}

int ddb_store_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return OPS(s)->multi_get_at(s, snap, a, keys, n);
}

ddb_store_iter *ddb_store_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                       const char *hi, size_t hilen, int reverse)
{
    return OPS(s)->iter_open_at(s, snap, lo, lolen, hi, hilen, reverse);
}

void ddb_store_barrier(ddb_store *s) { OPS(s)->barrier(s); }
void ddb_store_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx) { OPS(s)->exclusive(s, fn, ctx); }

ddb_store_iter *ddb_store_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse)
{
    return OPS(s)->iter_open(s, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *ddb_store_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    return OPS(s)->meta_iter_open(s, lo, lolen, hi, hilen);
}

ddb_store_iter *ddb_store_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                        int reverse)
{
    return OPS(s)->seq_iter_open(s, lo, lolen, hi, hilen, reverse);
}

void ddb_store_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen) { IOPS(it)->seek(it, from, fromlen); }
int ddb_store_iter_valid(ddb_store_iter *it) { return IOPS(it)->valid(it); }
void ddb_store_iter_next(ddb_store_iter *it) { IOPS(it)->next(it); }
const char *ddb_store_iter_key(ddb_store_iter *it, size_t *len) { return IOPS(it)->key(it, len); }
const char *ddb_store_iter_val(ddb_store_iter *it, size_t *len) { return IOPS(it)->val(it, len); }
int ddb_store_iter_status(ddb_store_iter *it) { return IOPS(it)->status(it); }

void ddb_store_iter_close(ddb_store_iter *it)
{
    if (it != NULL)
        IOPS(it)->close(it);
}

uint64_t ddb_store_seq_last(ddb_store *s, const char *prefix, size_t plen) { return OPS(s)->seq_last(s, prefix, plen); }

int ddb_store_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen,
                       uint64_t floor)
{
    return OPS(s)->seq_trim(s, prefix, plen, stop, stoplen, floor);
}

int ddb_store_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    return OPS(s)->delete_range_all(s, lo, lolen, hi, hilen);
}

void ddb_store_reclaim(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    if (OPS(s)->reclaim != NULL)
        OPS(s)->reclaim(s, lo, lolen, hi, hilen);
}

int ddb_store_checkpoint_save(ddb_store *s, const char *name) { return OPS(s)->checkpoint_save(s, name); }
int ddb_store_checkpoint_restore(ddb_store *s, const char *name) { return OPS(s)->checkpoint_restore(s, name); }
int ddb_store_checkpoint_delete(ddb_store *s, const char *name) { return OPS(s)->checkpoint_delete(s, name); }
size_t ddb_store_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out) { return OPS(s)->checkpoint_list(s, out); }

/* ---- shared metadata: the generic forms, for a store one process owns (RocksDB) ---- */

/* One process owns a RocksDB store, so the store's own mutex serializes its meta commits (only
   catalog changes make them: never on a data path); another store in the process commits apart. */
static int meta_commit_local(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide,
                             void *ctx)
{
    pthread_mutex_t *lock = OPS(s)->meta_lock(s);
    ddb_batch b;
    int rc = DDB_STORE_OK;

    pthread_mutex_lock(lock);
    for (size_t i = 0; i < n && rc == DDB_STORE_OK; i++)
        rc = ddb_store_meta_get(s, a, keys[i].key, keys[i].klen, &keys[i].val, &keys[i].vlen);
    if (rc == DDB_STORE_OK) {
        ddb_batch_init(&b, a);
        if ((rc = decide(ctx, keys, n, &b)) == 0 && (rc = ddb_store_write(s, &b)) == DDB_STORE_OK &&
            ddb_log_turn_flush() != 0)
            rc = DDB_STORE_EIO; /* in the log now, not at the turn's end (storage.h); else it failed */
    }
    pthread_mutex_unlock(lock);
    return rc;
}

int ddb_store_meta_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide,
                          void *ctx)
{
    int span = ddb_trace_child_open("storage.meta_commit"), rc;

    if (OPS(s)->meta_commit == NULL)
        rc = meta_commit_local(s, a, keys, n, decide, ctx);
    else
        rc = OPS(s)->meta_commit(s, a, keys, n, decide, ctx);
    ddb_trace_child_close(span);
    return rc;
}

void ddb_store_on_meta_change(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    if (OPS(s)->on_meta_change != NULL)
        OPS(s)->on_meta_change(s, fn, ctx);
}

void ddb_store_meta_changed(ddb_store *s)
{
    if (OPS(s)->meta_changed != NULL)
        OPS(s)->meta_changed(s);
}
