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
#include "server/base/worker.h"

#define RECHECK_MS 100              /* while writes are allowed: how old a reading may be */
#define RESUME_MIN_FREE (1ULL << 20) /* a resume writes the memtables out: not into a full disk */
#define RESUME_RETRY_MS 1000        /* a failed resume is retried this soon, or when space grows */
#define RESUME_POLL_MS 20           /* while stalled: how often the watcher reads the free space */
#define RESUME_STUCK_MS 5000        /* on the server's clock: a resume running this long is stuck (watch) */

struct ddb_diskguard {
    char *path;
    uint64_t reserve;
    uint64_t checked_ms; /* atomic: when the free space was last read */
    int ok;              /* atomic: the last reading's verdict */
    int stalled;         /* atomic: the engine stopped for want of space, not resumed yet */
    /* the watcher: a thread started at the first stall, which starts each attempt and watches it */
    ddb_worker watcher;
    pthread_mutex_t resume_lock; /* the engine, and the attempt's hand-over below */
    const ddb_diskguard_engine *engine;
    void *engine_ctx;
    /* the attempt: a resume (or a reopen) on a thread of its own, so that one that hangs can be
       seen and ended; the watcher's alone but where said */
    int attempting;             /* started, not joined yet */
    pthread_t attempt;
    uint64_t began_ms;          /* on the server's clock */
    uint64_t attempt_free;      /* the free space it began with */
    int attempt_ok;             /* written by the attempt before attempt_done */
    int attempt_done;           /* atomic: it returned */
    int resume_returned;        /* under resume_lock: its resume returned (cancelling it is too late) */
    int cancelled;              /* under resume_lock: its resume was cancelled: it reopens instead */
    pthread_cond_t cancel_cond; /* signalled when cancelled (the stuck-resume fault waits for it) */
    /* under resume_lock: the attempt's use of the engine (its window: attempt_main) and a hold's
       (ddb_diskguard_hold), which waits for the window to close and keeps another from opening */
    int in_window;
    int held;
    int superseded;             /* a hold came while the window was open, or before it opened */
    pthread_cond_t window_cond; /* signalled when the window closes */
    int attempt_held;           /* written by the attempt before attempt_done: superseded */
    int must_reopen;            /* a cancelled engine takes writes again only once reopened */
    uint64_t failed_free, failed_ms; /* the last failed attempt's free space and time (0: none) */
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
    pthread_cond_init(&g->cancel_cond, NULL);
    pthread_cond_init(&g->window_cond, NULL);
    ddb_worker_init(&g->watcher);
    return g;
}

static void end_attempt(ddb_diskguard *g);

void ddb_diskguard_free(ddb_diskguard *g)
{
    if (g == NULL)
        return;
    ddb_worker_halt(&g->watcher);
    end_attempt(g);
    ddb_worker_destroy(&g->watcher);
    pthread_cond_destroy(&g->cancel_cond);
    pthread_cond_destroy(&g->window_cond);
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

/* ---- the resume after a full disk ---- */

/*
 * RocksDB 7.8's resume can wait forever for the flush of a memtable that a failed background flush
 * (one that met the full disk too) left out of its flush queue: DB::Resume waits in
 * WaitForFlushMemTables with every background thread idle (facebook/rocksdb#15030; seen here about
 * once in six full disks with --min-free-disk 0, never with the reserve, which keeps flushes room).
 * So a resume runs on a thread of its own, and the watcher, seeing it run RESUME_STUCK_MS on the
 * server's clock, cancels it (RocksDB's wait ends at a shutdown) and has that thread reopen the
 * engine in place instead: the reopen replays the log, where every acknowledged write is.
 */

/* The stuck-resume fault (faults.h): a resume that waits, as RocksDB's can, until it is cancelled. */
static int hang(ddb_diskguard *g)
{
    pthread_mutex_lock(&g->resume_lock);
    while (!g->cancelled)
        pthread_cond_wait(&g->cancel_cond, &g->resume_lock);
    pthread_mutex_unlock(&g->resume_lock);
    return 0;
}

/* The attempt's window opens unless a hold is on (then it is superseded at once). */
static int open_window(ddb_diskguard *g)
{
    int open;

    pthread_mutex_lock(&g->resume_lock);
    open = !g->held;
    g->in_window = open;
    g->superseded = !open;
    if (!open)
        g->resume_returned = 1; /* (nothing to cancel) */
    pthread_mutex_unlock(&g->resume_lock);
    return open;
}

/* 1 when a hold superseded the attempt: the engine's files are opened anew by another. */
static int close_window(ddb_diskguard *g)
{
    int superseded;

    pthread_mutex_lock(&g->resume_lock);
    g->in_window = 0;
    superseded = g->superseded;
    pthread_cond_broadcast(&g->window_cond);
    pthread_mutex_unlock(&g->resume_lock);
    return superseded;
}

/*
 * The engine is used inside the window only: its resume, and before a reopen the end of its
 * background work (a failed job pauses a second: awaited before requests are held). The reopen
 * itself runs outside it, since it waits for the server's quiesce, which a hold's caller holds.
 */
static void *attempt_main(void *arg)
{
    ddb_diskguard *g = arg;
    int ok = 0, reopen = g->must_reopen, superseded; /* (set before this thread was started) */

    if (open_window(g)) {
        if (!reopen)
            ok = ddb_fault_stuck_resume() ? hang(g) : g->engine->resume(g->engine_ctx);
        pthread_mutex_lock(&g->resume_lock);
        g->resume_returned = 1;
        /* a cancelled engine runs no background work: reopened, even if it resumed */
        reopen = reopen || g->cancelled || ok < 0;
        superseded = g->superseded;
        pthread_mutex_unlock(&g->resume_lock);
        if (reopen && !superseded && !ddb_worker_stopping(&g->watcher))
            g->engine->cancel(g->engine_ctx, 1);
    }
    superseded = close_window(g);
    if (superseded)
        ok = 0;
    else if (reopen)
        ok = !ddb_worker_stopping(&g->watcher) && g->engine->reopen(g->engine_ctx);
    g->attempt_ok = ok > 0;
    g->attempt_held = superseded;
    __atomic_store_n(&g->attempt_done, 1, __ATOMIC_RELEASE);
    ddb_sleeper_wake(&g->watcher.sleeper);
    return NULL;
}

/* Whether an attempt is worth starting: the disk has room again (the reserve, and at least 1 MiB:
   a resume writes out what is in memory) and none failed since the free space last grew, or one
   failed over a second ago. */
static int worth_trying(ddb_diskguard *g, uint64_t *avail)
{
    *avail = free_bytes(g);
    if (*avail < g->reserve || *avail < RESUME_MIN_FREE)
        return 0;
    return g->failed_ms == 0 || *avail > g->failed_free || ddb_clock_mono_coarse_ms() - g->failed_ms >= RESUME_RETRY_MS;
}

static void start_attempt(ddb_diskguard *g, uint64_t avail)
{
    pthread_mutex_lock(&g->resume_lock);
    g->cancelled = g->resume_returned = g->superseded = 0;
    pthread_mutex_unlock(&g->resume_lock);
    g->attempt_done = 0;
    g->attempt_free = avail;
    g->began_ms = ddb_clock_now_ms();
    if (pthread_create(&g->attempt, NULL, attempt_main, g) != 0)
        return; /* tried again at the next pass */
    g->attempting = 1;
    if (!g->must_reopen)
        ddb_sleeper_due(&g->watcher.sleeper, g->began_ms + RESUME_STUCK_MS); /* a step of the clock stops there */
}

/* Under resume_lock: ends the attempt's resume if it has not returned (nor been ended): 1 if so.
   Under the lock, so the attempt goes on (to a reopen, or to its window's end) only once it is. */
static int end_resume(ddb_diskguard *g)
{
    if (g->resume_returned || g->cancelled)
        return 0;
    g->cancelled = 1;
    g->engine->cancel(g->engine_ctx, 0);
    pthread_cond_broadcast(&g->cancel_cond);
    return 1;
}

/* Cancels the attempt's resume if it has not returned: 1 if it was (the engine is then reopened). */
static int cancel_resume(ddb_diskguard *g)
{
    int cancel;

    pthread_mutex_lock(&g->resume_lock);
    cancel = end_resume(g);
    if (cancel)
        g->must_reopen = 1;
    pthread_mutex_unlock(&g->resume_lock);
    return cancel;
}

static void finish_attempt(ddb_diskguard *g)
{
    pthread_join(g->attempt, NULL);
    g->attempting = 0;
    ddb_sleeper_due(&g->watcher.sleeper, 0);
    if (g->attempt_held) { /* the engine was opened anew: resumed (not reopened) at once */
        g->must_reopen = 0;
        g->failed_ms = 0;
        return;
    }
    if (!g->attempt_ok) {
        g->failed_ms = ddb_clock_mono_coarse_ms();
        g->failed_free = g->attempt_free;
        return;
    }
    g->failed_ms = 0;
    __atomic_store_n(&g->stalled, 0, __ATOMIC_RELEASE);
    if (!g->must_reopen) /* (a reopen says so itself, before any request sees it) */
        ddb_log(DDB_LOG_WARN, "rocksdb resumed: the disk has room again");
    g->must_reopen = 0;
}

/* One pass of the watcher while stalled: collects the attempt that returned, cancels one that is
   stuck, or starts one when it is worth it. */
static void watch(ddb_diskguard *g)
{
    uint64_t now, avail;

    if (g->attempting && __atomic_load_n(&g->attempt_done, __ATOMIC_ACQUIRE)) {
        finish_attempt(g);
    } else if (g->attempting) {
        now = ddb_clock_now_ms();
        if (now < g->began_ms) { /* the clock was set back: counted from there */
            g->began_ms = now;
            ddb_sleeper_due(&g->watcher.sleeper, now + RESUME_STUCK_MS);
        }
        if (g->must_reopen || now - g->began_ms < RESUME_STUCK_MS || !cancel_resume(g))
            return;
        ddb_sleeper_due(&g->watcher.sleeper, 0);
        ddb_log(DDB_LOG_ERROR, "rocksdb has not resumed %d s after the disk had room again: its resume waits for a "
                               "flush RocksDB lost (facebook/rocksdb#15030); reopening the store in place, which "
                               "loses nothing acknowledged (writes are refused until then)",
                RESUME_STUCK_MS / 1000);
    } else if (!__atomic_load_n(&g->held, __ATOMIC_ACQUIRE) && worth_trying(g, &avail)) {
        start_attempt(g, avail);
    }
}

static void *watcher_main(void *arg)
{
    ddb_diskguard *g = arg;

    while (!ddb_worker_stopping(&g->watcher)) {
        if (__atomic_load_n(&g->stalled, __ATOMIC_ACQUIRE))
            watch(g);
        ddb_sleeper_nap(&g->watcher.sleeper, __atomic_load_n(&g->stalled, __ATOMIC_ACQUIRE) ? RESUME_POLL_MS : 60000);
    }
    return NULL;
}

/* At free, the watcher stopped: an attempt still running is ended (a resume that hangs cancelled;
   the attempt then does not reopen) and joined. */
static void end_attempt(ddb_diskguard *g)
{
    if (!g->attempting)
        return;
    (void)cancel_resume(g);
    pthread_join(g->attempt, NULL);
    g->attempting = 0;
}

void ddb_diskguard_stalled(ddb_diskguard *g, const ddb_diskguard_engine *e, void *ctx)
{
    if (g == NULL || __atomic_exchange_n(&g->stalled, 1, __ATOMIC_ACQ_REL))
        return;
    pthread_mutex_lock(&g->resume_lock);
    g->engine = e;
    g->engine_ctx = ctx;
    if (g->watcher.n == 0)
        (void)ddb_worker_spawn(&g->watcher, watcher_main, g);
    pthread_mutex_unlock(&g->resume_lock);
    ddb_sleeper_wake(&g->watcher.sleeper);
}

void ddb_diskguard_hold(ddb_diskguard *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->resume_lock);
    __atomic_store_n(&g->held, 1, __ATOMIC_RELEASE);
    if (g->in_window) {
        g->superseded = 1;
        (void)end_resume(g); /* a resume that may hang (not reopened after: the caller opens the files anew) */
        while (g->in_window)
            pthread_cond_wait(&g->window_cond, &g->resume_lock);
    }
    pthread_mutex_unlock(&g->resume_lock);
}

void ddb_diskguard_release(ddb_diskguard *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->resume_lock);
    __atomic_store_n(&g->held, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&g->resume_lock);
    ddb_sleeper_wake(&g->watcher.sleeper);
}
