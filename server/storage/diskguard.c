/*
 * server/storage/diskguard.c: the free-space check before writes (see diskguard.h).
 */
#include "server/storage/diskguard.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/base/sleeper.h"

#define RECHECK_MS 100              /* while writes are allowed: how old a reading may be */
#define RESUME_MIN_FREE (1ULL << 20) /* a resume writes the memtables out: not into a full disk */
#define RESUME_RETRY_MS 1000        /* a failed resume is retried this soon, or when space grows */
#define RESUME_POLL_MS 20           /* while stalled: how often the resumer reads the free space */
#define RESUME_STUCK_MS 5000        /* a resume running this long is stuck (report_stuck_resume) */

struct ddb_diskguard {
    char *path;
    uint64_t reserve;
    uint64_t checked_ms; /* atomic: when the free space was last read */
    int ok;              /* atomic: the last reading's verdict */
    pthread_mutex_t resume_lock;
    uint64_t failed_free, failed_ms; /* the last failed resume's free space and time (0: none) */
    /* the resumer: a thread started at the first stall, which resumes the engine off the loops */
    int (*resume)(void *ctx);
    void *resume_ctx;
    int stalled; /* atomic: the engine stopped for want of space, not resumed yet */
    uint64_t resume_began_ms; /* atomic: when the running resume began (0: none is running) */
    int stuck_told;           /* atomic: report_stuck_resume has logged */
    int started;
    pthread_t thread;
    ddb_sleeper sleeper;
};

ddb_diskguard *ddb_diskguard_new(const char *path, uint64_t reserve)
{
    ddb_diskguard *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    g->path = path != NULL ? strdup(path) : NULL;
    g->reserve = reserve;
    g->ok = 1;
    pthread_mutex_init(&g->resume_lock, NULL);
    ddb_sleeper_init(&g->sleeper);
    return g;
}

void ddb_diskguard_free(ddb_diskguard *g)
{
    if (g == NULL)
        return;
    if (g->started) {
        ddb_sleeper_stop(&g->sleeper);
        pthread_join(g->thread, NULL);
    }
    ddb_sleeper_destroy(&g->sleeper);
    pthread_mutex_destroy(&g->resume_lock);
    free(g->path);
    free(g);
}

static uint64_t free_bytes(const ddb_diskguard *g)
{
    long long pretend = ddb_fault_free_bytes();
    struct statvfs st;

    if (pretend >= 0)
        return (uint64_t)pretend;
    if (g->path == NULL || statvfs(g->path, &st) != 0)
        return UINT64_MAX; /* unknown: let the write try */
    return (uint64_t)st.f_bavail * st.f_frsize;
}

/* Reads the free space now and records the verdict, logging its changes. */
static int check(ddb_diskguard *g, uint64_t now)
{
    uint64_t avail = free_bytes(g);
    int ok = avail >= g->reserve, was;

    __atomic_store_n(&g->checked_ms, now, __ATOMIC_RELAXED);
    was = __atomic_exchange_n(&g->ok, ok, __ATOMIC_RELAXED);
    if (was && !ok)
        ddb_log(DDB_LOG_ERROR, "disk nearly full: %llu bytes free, --min-free-disk is %llu; refusing writes "
                               "(InternalServerError) until there is room again, but deletes",
                (unsigned long long)avail, (unsigned long long)g->reserve);
    else if (!was && ok)
        ddb_log(DDB_LOG_WARN, "disk has room again (%llu bytes free): writes resume", (unsigned long long)avail);
    return ok;
}

int ddb_diskguard_ok(ddb_diskguard *g, int only_removes)
{
    uint64_t now;

    if (g == NULL || g->reserve == 0 || only_removes || (g->path == NULL && ddb_fault_free_bytes() < 0))
        return 1;
    now = ddb_clock_mono_coarse_ms();
    /* a reading that allowed writes is reused for a while; one that refused them is not: writes
       follow the space as soon as it returns (and a test's pretended amount at once) */
    if (__atomic_load_n(&g->ok, __ATOMIC_RELAXED) && ddb_fault_free_bytes() < 0 &&
        now - __atomic_load_n(&g->checked_ms, __ATOMIC_RELAXED) < RECHECK_MS)
        return 1;
    return check(g, now);
}

/* One resume attempt, when the disk has room again (the reserve, and at least 1 MiB: a resume
   writes out what is in memory) and it is worth trying (none failed since the free space last
   grew, or one failed over a second ago). */
static int try_resume(ddb_diskguard *g)
{
    uint64_t avail = free_bytes(g);
    int ok;

    if (avail < g->reserve || avail < RESUME_MIN_FREE)
        return 0;
    if (g->failed_ms != 0 && avail <= g->failed_free && ddb_clock_mono_coarse_ms() - g->failed_ms < RESUME_RETRY_MS)
        return 0;
    __atomic_store_n(&g->resume_began_ms, ddb_clock_mono_coarse_ms() | 1, __ATOMIC_RELEASE);
    ok = g->resume(g->resume_ctx);
    __atomic_store_n(&g->resume_began_ms, 0, __ATOMIC_RELEASE);
    g->failed_ms = ok ? 0 : ddb_clock_mono_coarse_ms();
    g->failed_free = avail;
    return ok;
}

static void *resumer_main(void *arg)
{
    ddb_diskguard *g = arg;

    while (!ddb_sleeper_stopping(&g->sleeper)) {
        if (__atomic_load_n(&g->stalled, __ATOMIC_ACQUIRE) && try_resume(g)) {
            __atomic_store_n(&g->stalled, 0, __ATOMIC_RELEASE);
            ddb_log(DDB_LOG_WARN, "rocksdb resumed: the disk has room again");
        }
        ddb_sleeper_nap(&g->sleeper, __atomic_load_n(&g->stalled, __ATOMIC_ACQUIRE) ? RESUME_POLL_MS : 60000);
    }
    return NULL;
}

/*
 * RocksDB 7.8's resume can wait forever for the flush of a memtable that a failed background flush
 * (one that met the full disk too) left out of its flush queue: DB::Resume waits in
 * WaitForFlushMemTables with every background thread idle (facebook/rocksdb#15030; seen here about
 * once in six full disks with --min-free-disk 0, never with the reserve, which keeps flushes room).
 * Nothing here can end that wait, so the operator is told, once, what brings writes back: a
 * restart, which recovers every acknowledged write from the log. Checked by the failed writes,
 * which call ddb_diskguard_stalled while the resumer is stuck.
 */
static void report_stuck_resume(ddb_diskguard *g)
{
    uint64_t began = __atomic_load_n(&g->resume_began_ms, __ATOMIC_ACQUIRE);

    if (began == 0 || ddb_clock_mono_coarse_ms() - began < RESUME_STUCK_MS ||
        __atomic_exchange_n(&g->stuck_told, 1, __ATOMIC_ACQ_REL))
        return;
    ddb_log(DDB_LOG_ERROR, "rocksdb has not resumed after the full disk: its resume waits for a flush "
                           "RocksDB lost (facebook/rocksdb#15030); writes stay refused until ddbd restarts, "
                           "which loses nothing acknowledged");
}

void ddb_diskguard_stalled(ddb_diskguard *g, int (*resume)(void *ctx), void *ctx)
{
    if (g == NULL)
        return;
    if (__atomic_exchange_n(&g->stalled, 1, __ATOMIC_ACQ_REL)) {
        report_stuck_resume(g);
        return;
    }
    pthread_mutex_lock(&g->resume_lock);
    g->resume = resume;
    g->resume_ctx = ctx;
    if (!g->started && pthread_create(&g->thread, NULL, resumer_main, g) == 0)
        g->started = 1;
    pthread_mutex_unlock(&g->resume_lock);
    ddb_sleeper_wake(&g->sleeper);
}
