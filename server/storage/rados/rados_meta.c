/*
 * server/storage/rados/rados_meta.c: the metadata space shared by the gateways of one pool.
 *
 * - Guarded meta commits (the catalog's changes, its id counter): every metadata key lives in
 *   one object, ddbd.meta, so a commit is one RADOS operation that compares the values it read
 *   and writes; a commit that lost to another gateway reads and decides again.
 * - Change announcements: every gateway watches ddbd.meta (watch/notify). A gateway that changed
 *   the catalog notifies; the others run the engine's reload hook, then acknowledge, so
 *   rados_notify2 returns (and CreateTable answers) once every live gateway has the change and
 *   has finished the commits it had begun under the old catalog (the cross-gateway barrier). A
 *   gateway that died leaves a watch RADOS expires after osd_client_watch_timeout (30 s): until
 *   then a notify waits NOTIFY_TIMEOUT_MS for it and gives up (logged). rs_barrier, storage.h's
 *   barrier, is that notify after this gateway's own barrier (rados_commit.c).
 * - A lost watch (a gateway cut from the cluster for a while) is set up again by a thread of
 *   its own, which then runs the hook: changes announced meanwhile are reloaded, not missed.
 * A notify is also how a snapshot pauses the gateways' writes: passed to rados_snap.c. Calls
 * rados_read.c (the meta reads), rados_commit.c, rados_snap.c and the bottom.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/arena.h"
#include "server/base/alloc.h"
#include "server/base/faults.h"
#include "server/base/wake.h"
#include "server/storage/rados/rados_ops.h"

#define NOTIFY_TIMEOUT_MS 5000
#define REWATCH_DELAY_S 1

struct rs_watch {
    pthread_mutex_t lock; /* the hook, and `lost`/`stopping` with `cond` */
    pthread_cond_t cond;
    void (*hook)(void *ctx);
    void *hook_ctx;
    uint64_t cookie;
    int watching, lost, stopping;
    int has_thread;
    pthread_t thread; /* sets a lost watch up again */
};

/* ---- guarded meta commits ---- */

/* The stored form of a value for an omap compare: 'v' then the value; "" when absent. */
static void stored_form(ddb_arena *a, const ddb_store_key *k, const char **v, size_t *vl)
{
    char *p;

    if (k->val == NULL) {
        *v = "";
        *vl = 0;
        return;
    }
    p = ddb_arena_alloc(a, k->vlen + 1);
    p[0] = 'v';
    memcpy(p + 1, k->val, k->vlen);
    *v = p;
    *vl = k->vlen + 1;
}

static const char *escaped(ddb_arena *a, const char *key, size_t klen, size_t *outlen)
{
    char *e = ddb_arena_alloc(a, 2 * klen + 1);
    *outlen = rs_escape(key, klen, e);
    return e;
}

/* One operation on ddbd.meta: compare every read key, then apply the batch's metadata ops in
   order (a put and a delete of one key in one batch: the later wins, as in a compound write). */
static int apply_guarded(ddb_store *s, ddb_arena *a, const ddb_store_key *keys, size_t n, const ddb_batch *b)
{
    rados_write_op_t op = rados_create_write_op();
    int *prvals = ddb_arena_alloc(a, (n + 1) * sizeof(int)), rc;

    rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t kl, vl;
        const char *k = escaped(a, keys[i].key, keys[i].klen, &kl), *v;
        stored_form(a, &keys[i], &v, &vl);
        rados_write_op_omap_cmp2(op, k, LIBRADOS_CMPXATTR_OP_EQ, v, kl, vl, &prvals[i]);
    }
    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *w = &b->ops[i];
        size_t kl;
        const char *k = escaped(a, w->key, w->klen, &kl);
        if (w->is_delete) {
            rados_write_op_omap_rm_keys2(op, &k, &kl, 1);
        } else {
            ddb_store_key sv = {.key = w->key, .klen = w->klen, .val = (char *)w->val, .vlen = w->vlen};
            const char *v;
            size_t vl;
            stored_form(a, &sv, &v, &vl);
            rados_write_op_omap_set2(op, &k, &v, &kl, &vl, 1);
        }
    }
    rc = rados_write_op_operate2(op, s->io, RS_META_OBJ, NULL, 0);
    rados_release_write_op(op);
    return rc;
}

static int meta_only(const ddb_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (!b->ops[i].meta || b->ops[i].sequenced)
            return 0;
    return 1;
}

int rs_meta_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    for (int attempt = 0; attempt <= RS_RETRIES; attempt++) {
        ddb_batch b;
        int rc = DDB_STORE_OK;
        if (attempt > 0) /* jittered and doubling: gateways changing the catalog at once all progress */
            rs_backoff(s, attempt);
        for (size_t i = 0; i < n && rc == DDB_STORE_OK; i++)
            rc = rs_meta_get(s, a, keys[i].key, keys[i].klen, &keys[i].val, &keys[i].vlen);
        if (rc != DDB_STORE_OK)
            return rc;
        ddb_batch_init(&b, a);
        if ((rc = decide(ctx, keys, n, &b)) != 0)
            return rc;
        if (!meta_only(&b)) {
            ddb_log(DDB_LOG_ERROR, "rados: a meta commit with data writes (not supported)");
            return DDB_STORE_EIO;
        }
        if ((rc = apply_guarded(s, a, keys, n, &b)) != -ECANCELED)
            return rc < 0 ? rs_check(rc, "meta commit", RS_META_OBJ) : DDB_STORE_OK;
        __atomic_add_fetch(&s->n_retries, 1, __ATOMIC_RELAXED); /* another gateway changed a key read */
    }
    return DDB_STORE_ECONFLICT;
}

/* ---- watch/notify ---- */

static void run_hook(struct rs_watch *w)
{
    pthread_mutex_lock(&w->lock);
    if (w->hook != NULL)
        w->hook(w->hook_ctx);
    pthread_mutex_unlock(&w->lock);
}

static void on_notify(void *arg, uint64_t notify_id, uint64_t cookie, uint64_t notifier, void *data, size_t len)
{
    ddb_store *s = arg;

    (void)notifier;
    if (rs_freeze_notify(s, data, len)) { /* a snapshot pausing or resuming writes (rados_snap.c) */
        rados_notify_ack(s->io, RS_META_OBJ, notify_id, cookie, NULL, 0);
        return;
    }
    /* the notifier already has its change (and may hold its catalog's lock while it waits) */
    if (!(len == strlen(s->gateway) && memcmp(data, s->gateway, len) == 0)) {
        run_hook(s->watch);
        /* with the old description retired, wait for the commits that may have decided under
           it: the notifier's schema change (a backfill, a purge) then knows none is left in
           flight here (rs_barrier). Commits never wait for this thread: none notifies while it
           holds its stripes. */
        rs_barrier_local(s);
    }
    rados_notify_ack(s->io, RS_META_OBJ, notify_id, cookie, NULL, 0);
}

static void on_watch_error(void *arg, uint64_t cookie, int err)
{
    ddb_store *s = arg;
    struct rs_watch *w = s->watch;

    (void)cookie;
    ddb_log(DDB_LOG_WARN, "rados: the watch on %s failed (%s): setting it up again", RS_META_OBJ, strerror(-err));
    ddb_wake_raise(&w->lock, &w->cond, &w->lost);
}

static int watch(ddb_store *s)
{
    int rc = rados_watch2(s->io, RS_META_OBJ, &s->watch->cookie, on_notify, on_watch_error, s);
    s->watch->watching = rc == 0;
    return rc;
}

/* Sets a lost watch up again, then reloads (changes announced while it was down were missed). */
static void *rewatch_thread(void *arg)
{
    ddb_store *s = arg;
    struct rs_watch *w = s->watch;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->lost && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->stopping)
            break;
        w->lost = 0;
        pthread_mutex_unlock(&w->lock);
        if (w->watching)
            rados_unwatch2(s->io, w->cookie);
        while (watch(s) < 0 && !__atomic_load_n(&w->stopping, __ATOMIC_ACQUIRE))
            sleep(REWATCH_DELAY_S);
        run_hook(w);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int rs_watch_start(ddb_store *s)
{
    struct rs_watch *w = ddb_zalloc(sizeof(*w));
    int rc;

    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    s->watch = w;
    if ((rc = watch(s)) < 0)
        return rs_check(rc, "watch", RS_META_OBJ);
    if (pthread_create(&w->thread, NULL, rewatch_thread, s) != 0)
        abort();
    w->has_thread = 1;
    return DDB_STORE_OK;
}

void rs_watch_stop(ddb_store *s)
{
    struct rs_watch *w = s->watch;

    if (w == NULL)
        return;
    if (w->has_thread) { /* first: it may be setting the watch up again */
        pthread_mutex_lock(&w->lock);
        __atomic_store_n(&w->stopping, 1, __ATOMIC_RELEASE);
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
    }
    if (w->watching) {
        rados_unwatch2(s->io, w->cookie);
        rados_watch_flush(s->cluster); /* no callback runs after this */
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
    s->watch = NULL;
}

void rs_on_meta_change(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    /* taken while a hook runs: unregistering waits for it, so the engine can free its state */
    pthread_mutex_lock(&s->watch->lock);
    s->watch->hook = fn;
    s->watch->hook_ctx = ctx;
    pthread_mutex_unlock(&s->watch->lock);
}

void rs_meta_changed(ddb_store *s)
{
    char *reply = NULL;
    size_t rlen = 0;
    int rc;

    ddb_crash_point("rados-meta-announce"); /* (a test holds the other gateways' copies behind) */
    rc = rados_notify2(s->io, RS_META_OBJ, s->gateway, strlen(s->gateway), NOTIFY_TIMEOUT_MS, &reply, &rlen);

    if (reply != NULL)
        rados_buffer_free(reply);
    if (rc < 0)
        ddb_log(DDB_LOG_WARN, "rados: not every gateway confirmed a catalog change within %d ms (%s)",
                NOTIFY_TIMEOUT_MS, strerror(-rc));
}

/*
 * Every gateway's commits, not only this one's: a schema change's writes decided under the old
 * description may be in flight on any gateway. The notify makes every other gateway reload its
 * catalog (so its later decisions see the old description retired) and then wait for its own
 * commits (on_notify, above) before it acknowledges.
 */
void rs_barrier(ddb_store *s)
{
    rs_barrier_local(s);
    rs_meta_changed(s);
}
