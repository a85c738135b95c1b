/*
 * server/base/groupcommit.c: the sync thread of --sync (see groupcommit.h).
 */
#include "server/base/groupcommit.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/base/wake.h"

struct ddb_groupcommit {
    int (*sync)(void *ctx);
    void *ctx;
    void (*cb)(void *arg);
    void *cb_arg;
    pthread_t tid;
    pthread_mutex_t lock;
    pthread_mutex_t cb_lock; /* held while cb runs, so unsubscribing waits for a call in progress */
    pthread_cond_t more; /* written moved past durable, or stopping */
    uint64_t written;    /* atomic; also changed under `lock` */
    uint64_t durable;    /* atomic */
    uint64_t syncs;      /* atomic */
    int sleeping;        /* the thread waits on `more` (under lock) */
    int stopping;
};

static void *sync_main(void *arg)
{
    ddb_groupcommit *g = arg;
    time_t last_log = 0;

    pthread_mutex_lock(&g->lock);
    for (;;) {
        uint64_t target;
        while (g->written == g->durable && !g->stopping) {
            g->sleeping = 1;
            pthread_cond_wait(&g->more, &g->lock);
            g->sleeping = 0;
        }
        if (g->written == g->durable && g->stopping)
            break;
        /* every write counted so far has returned from the backend, so one sync covers them */
        target = g->written;
        pthread_mutex_unlock(&g->lock);
        ddb_crash_point("groupcommit-before-sync");
        if (g->sync(g->ctx) != 0) {
            struct timespec pause = {0, 100 * 1000 * 1000};
            time_t now = (time_t)(ddb_clock_mono_ms() / 1000); /* one line a second at most */
            if (now != last_log)
                ddb_log(DDB_LOG_ERROR, "--sync: syncing the log failed; answers wait until it succeeds");
            last_log = now;
            nanosleep(&pause, NULL);
            pthread_mutex_lock(&g->lock);
            continue;
        }
        __atomic_store_n(&g->durable, target, __ATOMIC_RELEASE);
        __atomic_add_fetch(&g->syncs, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&g->cb_lock);
        if (g->cb != NULL)
            g->cb(g->cb_arg);
        pthread_mutex_unlock(&g->cb_lock);
        pthread_mutex_lock(&g->lock);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

ddb_groupcommit *ddb_groupcommit_start(int (*sync)(void *ctx), void *ctx)
{
    ddb_groupcommit *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    g->sync = sync;
    g->ctx = ctx;
    pthread_mutex_init(&g->lock, NULL);
    pthread_mutex_init(&g->cb_lock, NULL);
    pthread_cond_init(&g->more, NULL);
    if (pthread_create(&g->tid, NULL, sync_main, g) != 0) {
        free(g);
        return NULL;
    }
    return g;
}

void ddb_groupcommit_stop(ddb_groupcommit *g)
{
    if (g == NULL)
        return;
    ddb_wake_stop(&g->lock, &g->more, &g->stopping, g->tid);
    pthread_mutex_destroy(&g->cb_lock);
    free(g);
}

void ddb_groupcommit_note(ddb_groupcommit *g)
{
    /* The lock orders this count after the write it counts: a sync that reads it started after
       the write returned. The signal is only needed when the thread sleeps; while it syncs, it
       sees the new count when it comes back. */
    pthread_mutex_lock(&g->lock);
    __atomic_store_n(&g->written, g->written + 1, __ATOMIC_RELEASE);
    if (g->sleeping)
        pthread_cond_signal(&g->more);
    pthread_mutex_unlock(&g->lock);
}

uint64_t ddb_groupcommit_written(const ddb_groupcommit *g)
{
    return __atomic_load_n(&g->written, __ATOMIC_ACQUIRE);
}

uint64_t ddb_groupcommit_durable(const ddb_groupcommit *g)
{
    return __atomic_load_n(&g->durable, __ATOMIC_ACQUIRE);
}

uint64_t ddb_groupcommit_syncs(const ddb_groupcommit *g)
{
    return __atomic_load_n(&g->syncs, __ATOMIC_RELAXED);
}

void ddb_groupcommit_subscribe(ddb_groupcommit *g, void (*cb)(void *arg), void *arg)
{
    pthread_mutex_lock(&g->cb_lock);
    g->cb_arg = arg;
    g->cb = cb;
    pthread_mutex_unlock(&g->cb_lock);
}
