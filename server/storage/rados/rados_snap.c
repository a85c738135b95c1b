/*
 * server/storage/rados/rados_snap.c: point-in-time snapshots on RADOS (storage.h's
 * ddb_store_snapshot_take), and the pause of every gateway's writes they need.
 *
 * A pool snapshot keeps every object of the pool as it was when its OSD learnt of the snapshot.
 * For that to be one moment of every gateway's commit order, it is taken while no gateway writes:
 *   1. one taker at a time in the pool: an advisory lock on ddbd.snaplock, with a duration, so a
 *      taker that dies frees it;
 *   2. the taker pauses its own writes (the freeze lock, which every write holds shared) and
 *      notifies "F:<gateway>" on ddbd.meta: each other gateway's freezer thread takes its freeze
 *      lock exclusively (waiting for the writes it had begun), and then the gateway acknowledges;
 *   3. the write intents of gateways that died are resolved, pending ones rolled back (no live
 *      gateway is inside a write), so no key is marked in the snapshot and its reads need not
 *      resolve anything;
 *   4. the pool snapshot is made; the taker waits for the OSD map that holds it and notifies
 *      "T:<gateway>": each gateway waits for that map too before it writes again. OSDs apply an
 *      operation only once they have the map it was sent with, so a later write never lands in
 *      the snapshot.
 * A paused gateway resumes by itself after FREEZE_MAX_MS (its taker died in between). Not covered:
 * a gateway that does not acknowledge the pause within the notify's timeout (logged;
 * docs/scale-out.md). Reads through a snapshot go through an I/O context set to read it; releasing
 * it removes the pool snapshot. A gateway that dies holding one leaves it: snapshots of ddbd older
 * than a day are removed when a gateway opens the pool. Calls rados_txn.c (step 3); the notifies
 * reach other gateways through rados_meta.c's watch, which passes them here (rs_freeze_notify).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/alloc.h"
#include "server/base/faults.h"
#include "server/base/clock.h"
#include "server/base/wake.h"
#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_txn.h"

#define SNAP_LOCK_OBJ "ddbd.snaplock"
#define NOTIFY_TIMEOUT_MS 5000
#define FREEZE_MAX_MS 10000   /* a pause no taker ended: resumed by the gateway itself */
#define STALE_SNAP_S (24 * 3600) /* DDBD_RADOS_STALE_SNAPSHOT_S overrides it (tests) */

struct rs_freezer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int want;   /* WANT_FREEZE or WANT_THAW, asked by the watch callback */
    int frozen; /* the thread holds the freeze lock */
    int stop;
    pthread_t thread;
};

enum { WANT_NONE, WANT_FREEZE, WANT_THAW };

/* Holds the freeze lock from a freeze request to the thaw (or FREEZE_MAX_MS): the lock must be
   released by the thread that took it, and the watch callback must stay free for the thaw. */
static void *freezer_thread(void *arg)
{
    ddb_store *s = arg;
    struct rs_freezer *f = s->freezer;

    pthread_mutex_lock(&f->lock);
    for (;;) {
        struct timespec until;
        while (f->want != WANT_FREEZE && !f->stop)
            pthread_cond_wait(&f->cond, &f->lock);
        if (f->stop)
            break;
        pthread_mutex_unlock(&f->lock);
        pthread_rwlock_wrlock(&s->freeze); /* the writes begun are done, new ones wait */
        pthread_mutex_lock(&f->lock);
        f->frozen = 1;
        if (f->want == WANT_FREEZE)
            f->want = WANT_NONE;
        pthread_cond_broadcast(&f->cond);
        ddb_clock_system_deadline(&until, FREEZE_MAX_MS);
        while (f->want != WANT_THAW && !f->stop && pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
            ;
        if (f->want != WANT_THAW && !f->stop)
            ddb_log(DDB_LOG_WARN, "rados: writes resumed after %d ms: the gateway taking a snapshot did not say it was done",
                    FREEZE_MAX_MS);
        f->want = WANT_NONE;
        pthread_mutex_unlock(&f->lock);
        rados_wait_for_latest_osdmap(s->cluster); /* writes from now on are sent with the snapshot's map */
        pthread_rwlock_unlock(&s->freeze);
        pthread_mutex_lock(&f->lock);
        f->frozen = 0;
        pthread_cond_broadcast(&f->cond);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

void rs_snapshots_tidy(ddb_store *s)
{
    rados_snap_t ids[256];
    int n = rados_ioctx_snap_list(s->io, ids, 256);
    time_t now = ddb_clock_system_s(); /* the snapshots' stamps are the cluster's */
    const char *env = getenv("DDBD_RADOS_STALE_SNAPSHOT_S");
    long stale = env != NULL && *env != '\0' ? atol(env) : STALE_SNAP_S;

    for (int i = 0; i < n; i++) {
        char name[64];
        time_t stamp;
        if (rados_ioctx_snap_get_name(s->io, ids[i], name, sizeof(name)) < 0 || strncmp(name, "ddbd.", 5) != 0 ||
            rados_ioctx_snap_get_stamp(s->io, ids[i], &stamp) < 0 || now - stamp < stale)
            continue;
        if (rados_ioctx_snap_remove(s->io, name) == 0)
            ddb_log(DDB_LOG_INFO, "rados: removed snapshot %s, left by a gateway that stopped before releasing it",
                    name);
    }
}

int rs_freeze_start(ddb_store *s)
{
    struct rs_freezer *f = ddb_zalloc(sizeof(*f));
    pthread_rwlockattr_t ra;

    pthread_rwlockattr_init(&ra);
    /* a pause must not wait behind a stream of writes */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->freeze, &ra);
    pthread_rwlockattr_destroy(&ra);
    pthread_mutex_init(&s->snap_lock, NULL);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    s->freezer = f;
    if (pthread_create(&f->thread, NULL, freezer_thread, s) != 0)
        abort();
    return DDB_STORE_OK;
}

void rs_freeze_stop(ddb_store *s)
{
    struct rs_freezer *f = s->freezer;

    if (f == NULL)
        return;
    ddb_wake_stop(&f->lock, &f->cond, &f->stop, f->thread);
    pthread_mutex_destroy(&s->snap_lock);
    pthread_rwlock_destroy(&s->freeze);
    free(f);
    s->freezer = NULL;
}

int rs_freeze_notify(ddb_store *s, const char *data, size_t len)
{
    struct rs_freezer *f = s->freezer;
    struct timespec until;
    int want;

    if (len < 2 || data[1] != ':' || (data[0] != 'F' && data[0] != 'T'))
        return 0;
    if (len - 2 == strlen(s->gateway) && memcmp(data + 2, s->gateway, len - 2) == 0)
        return 1; /* the taker: its own writes are paused by its own thread */
    want = data[0] == 'F' ? WANT_FREEZE : WANT_THAW;
    ddb_clock_system_deadline(&until, NOTIFY_TIMEOUT_MS - 1000); /* answered before the taker's notify gives up */
    pthread_mutex_lock(&f->lock);
    if (want == WANT_THAW && !f->frozen && f->want != WANT_FREEZE) {
        pthread_mutex_unlock(&f->lock);
        return 1;
    }
    f->want = want;
    pthread_cond_broadcast(&f->cond);
    while ((want == WANT_FREEZE ? !f->frozen : f->frozen) &&
           pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&f->lock);
    return 1;
}

/* ---- taking and releasing ---- */

static void notify(ddb_store *s, char kind)
{
    char msg[2 + sizeof(s->gateway)], *reply = NULL;
    size_t rlen = 0;
    int rc;

    snprintf(msg, sizeof(msg), "%c:%s", kind, s->gateway);
    rc = rados_notify2(s->io, RS_META_OBJ, msg, strlen(msg), NOTIFY_TIMEOUT_MS, &reply, &rlen);
    if (reply != NULL)
        rados_buffer_free(reply);
    if (rc < 0)
        ddb_log(DDB_LOG_WARN, "rados: not every gateway confirmed it %s its writes for a snapshot within %d ms (%s)",
                kind == 'F' ? "paused" : "resumed", NOTIFY_TIMEOUT_MS, strerror(-rc));
}

/* The pool's snapshot lock (waits for another taker, up to 30 s); 0 or -errno. */
static int lock_pool(ddb_store *s)
{
    struct timeval hold = {30, 0};
    int rc;

    for (int i = 0; i < 3000; i++) {
        rc = rados_lock_exclusive(s->io, SNAP_LOCK_OBJ, "snapshot", s->gateway, "ddbd snapshot", &hold, 0);
        if (rc != -EBUSY && rc != -EEXIST)
            return rc;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -EBUSY;
}

/* Steps 2 to 4 (the header): the pool snapshot `name` of a moment no gateway wrote; 0 or -errno. */
static int snapshot_paused(ddb_store *s, const char *name, rados_snap_t *id)
{
    int rc;

    pthread_rwlock_wrlock(&s->freeze);
    notify(s, 'F');
    ddb_crash_point("rados-snapshot-paused");
    if ((rc = rs_recover_intents(s, 1)) != DDB_STORE_OK)
        ddb_log(DDB_LOG_WARN, "rados: a write intent could not be resolved before a snapshot");
    rc = rados_ioctx_snap_create(s->io, name);
    if (rc == 0)
        rc = rados_ioctx_snap_lookup(s->io, name, id);
    rados_wait_for_latest_osdmap(s->cluster);
    notify(s, 'T');
    pthread_rwlock_unlock(&s->freeze);
    return rc;
}

/* A handle reading the pool snapshot `id`: an I/O context of its own set to it; 0 or -errno. */
static int open_reader(ddb_store *s, ddb_store_snapshot *snap, rados_snap_t id)
{
    int rc = rados_ioctx_create(s->cluster, s->pool, &snap->io);

    if (rc < 0) {
        snap->io = NULL;
        return rc;
    }
    rados_ioctx_set_namespace(snap->io, s->ns);
    rados_ioctx_snap_set_read(snap->io, id);
    return 0;
}

ddb_store_snapshot *rs_snapshot_take(ddb_store *s, int point_in_time)
{
    ddb_store_snapshot *snap = ddb_zalloc(sizeof(*snap));
    rados_snap_t id = 0;
    int rc;

    if (!point_in_time)
        return snap;
    pthread_mutex_lock(&s->snap_lock);
    snprintf(snap->name, sizeof(snap->name), "ddbd.%s.%llu", s->gateway, (unsigned long long)++s->next_snap);
    if ((rc = lock_pool(s)) == 0) {
        rc = snapshot_paused(s, snap->name, &id);
        rados_unlock(s->io, SNAP_LOCK_OBJ, "snapshot", s->gateway);
    }
    pthread_mutex_unlock(&s->snap_lock);
    if (rc == 0 && (rc = open_reader(s, snap, id)) == 0)
        return snap;
    if (id != 0)
        rados_ioctx_snap_remove(s->io, snap->name);
    /* the latest state rather than no answer: what the snapshot's reader gets is logged */
    ddb_log(DDB_LOG_ERROR, "rados: snapshot %s failed (%s): reading the latest state instead", snap->name,
            strerror(-rc));
    snap->io = NULL;
    return snap;
}

void rs_snapshot_release(ddb_store *s, ddb_store_snapshot *snap)
{
    int rc;

    if (snap->io != NULL) {
        rados_ioctx_destroy(snap->io);
        if ((rc = rados_ioctx_snap_remove(s->io, snap->name)) < 0)
            ddb_log(DDB_LOG_WARN, "rados: removing snapshot %s: %s", snap->name, strerror(-rc));
    }
    free(snap);
}

const char *rs_snapshot_name(const ddb_store_snapshot *snap)
{
    return snap->io != NULL ? snap->name : NULL;
}

ddb_store_snapshot *rs_snapshot_open(ddb_store *s, const char *name)
{
    ddb_store_snapshot *snap;
    rados_snap_t id;

    if (strlen(name) >= sizeof(snap->name) || rados_ioctx_snap_lookup(s->io, name, &id) < 0)
        return NULL; /* released (its copy done), or removed as stale */
    if ((snap = calloc(1, sizeof(*snap))) == NULL)
        abort();
    strcpy(snap->name, name);
    if (open_reader(s, snap, id) < 0) {
        free(snap);
        return NULL;
    }
    return snap;
}

void rs_snapshot_detach(ddb_store *s, ddb_store_snapshot *snap)
{
    (void)s;
    if (snap->io != NULL)
        rados_ioctx_destroy(snap->io);
    free(snap);
}
