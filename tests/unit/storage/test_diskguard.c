/*
 * tests/unit/storage/test_diskguard.c: a full disk's resume meets a snapshot restore
 * (diskguard.h, ddb_diskguard_hold). A restore closes the engine's files and opens them again,
 * with the server quiesced; the guard's resume ran on a thread of its own, outside that quiesce,
 * on the same files (RocksDB's DB::Resume on a database being closed). Here an engine whose
 * resume hangs until cancelled, as RocksDB's can: a hold ends that resume and returns only once
 * it has returned, no attempt starts while held, and the engine opened anew is then resumed, not
 * reopened. And a resume found stuck is still reopened, its background work ended first.
 */
#include "test.h"

#include <pthread.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/storage/diskguard.h"

#define AT_MS 1767225600000ULL

typedef struct fake {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int hang;      /* a resume waits until cancelled */
    int result;    /* what a resume that did not hang returns */
    int cancelled; /* its background work cancelled (reset by the test) */
    int resumes, in_resume, returned, cancels, waited_cancels, reopens;
    int waited_before_reopen; /* waited_cancels at the reopen */
} fake;

static int fake_resume(void *ctx)
{
    fake *f = ctx;
    const struct timespec shutdown = {0, 30 * 1000000};
    int r, cancelled;

    pthread_mutex_lock(&f->mu);
    f->resumes++;
    f->in_resume = 1;
    pthread_cond_broadcast(&f->cv);
    while (f->hang && !f->cancelled)
        pthread_cond_wait(&f->cv, &f->mu);
    cancelled = f->cancelled;
    pthread_mutex_unlock(&f->mu);
    /* a cancelled resume goes on using the engine a while before it returns (RocksDB's shuts its
       work down): a hold that did not wait for it would return meanwhile */
    if (cancelled)
        nanosleep(&shutdown, NULL);
    pthread_mutex_lock(&f->mu);
    f->in_resume = 0;
    f->returned++;
    r = cancelled ? 0 : f->result;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return r;
}

static void fake_cancel(void *ctx, int wait)
{
    fake *f = ctx;

    pthread_mutex_lock(&f->mu);
    f->cancels++;
    f->waited_cancels += wait != 0;
    f->cancelled = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static int fake_reopen(void *ctx)
{
    fake *f = ctx;

    pthread_mutex_lock(&f->mu);
    f->reopens++;
    f->waited_before_reopen = f->waited_cancels;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return 1;
}

static const ddb_diskguard_engine engine = {fake_resume, fake_cancel, fake_reopen};

static void fake_init(fake *f)
{
    *f = (fake){.hang = 1, .result = 1};
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
}

/* Waits until *field reaches want, up to ms on the wall clock: 1 when it did. */
static int wait_for(fake *f, const int *field, int want, unsigned ms)
{
    struct timespec until;
    int reached;

    ddb_clock_system_deadline(&until, ms);
    pthread_mutex_lock(&f->mu);
    while (*field < want && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0) {
    }
    reached = *field >= want;
    pthread_mutex_unlock(&f->mu);
    return reached;
}

static int read_int(fake *f, const int *field)
{
    int v;

    pthread_mutex_lock(&f->mu);
    v = *field;
    pthread_mutex_unlock(&f->mu);
    return v;
}

TEST(a_hold_ends_the_resume_under_way_and_starts_none_until_its_release)
{
    ddb_diskguard *g = ddb_diskguard_new(NULL, 0);
    fake f;

    ddb_clock_start_frozen(AT_MS); /* never stuck: only the hold ends the resume */
    fake_init(&f);
    ddb_diskguard_stalled(g, &engine, &f);
    ASSERT(wait_for(&f, &f.resumes, 1, 60000));
    ddb_diskguard_hold(g);
    /* the resume was ended, and had returned: the files may be closed */
    ASSERT_EQ(read_int(&f, &f.returned), 1);
    ASSERT_EQ(read_int(&f, &f.in_resume), 0);
    ASSERT_EQ(read_int(&f, &f.cancels), 1);
    pthread_mutex_lock(&f.mu);
    f.hang = 0; /* the engine opened anew resumes */
    f.cancelled = 0;
    pthread_mutex_unlock(&f.mu);
    /* none starts while held (a bounded wait, which can only expose one that did) */
    ASSERT(!wait_for(&f, &f.resumes, 2, 300));
    ddb_diskguard_release(g);
    ASSERT(wait_for(&f, &f.returned, 2, 60000));
    ddb_diskguard_free(g); /* (the attempt joined) */
    /* resumed, not reopened, and its work never waited for: the hold's caller opened it anew */
    ASSERT_EQ(f.reopens, 0);
    ASSERT_EQ(f.waited_cancels, 0);
    ASSERT_EQ(f.resumes, 2);
}

TEST(a_hold_with_no_attempt_under_way_returns_at_once)
{
    ddb_diskguard *g = ddb_diskguard_new(NULL, 0);
    fake f;

    ddb_clock_start_frozen(AT_MS);
    fake_init(&f);
    f.hang = 0;
    ddb_diskguard_hold(g); /* (before any stall: no watcher yet) */
    ddb_diskguard_stalled(g, &engine, &f);
    ASSERT(!wait_for(&f, &f.resumes, 1, 300));
    ddb_diskguard_release(g);
    ASSERT(wait_for(&f, &f.returned, 1, 60000));
    /* (read before the free, whose end of an attempt cancels a resume that has not told the guard
       it returned) */
    ASSERT_EQ(read_int(&f, &f.cancels), 0);
    ddb_diskguard_free(g);
    ASSERT_EQ(f.reopens, 0);
    ddb_diskguard_hold(NULL); /* no guard (RADOS): nothing to hold */
    ddb_diskguard_release(NULL);
}

TEST(a_resume_found_stuck_is_reopened_after_its_work_ended)
{
    ddb_diskguard *g = ddb_diskguard_new(NULL, 0);
    fake f;

    ddb_clock_start_frozen(AT_MS);
    fake_init(&f);
    ddb_diskguard_stalled(g, &engine, &f);
    ASSERT(wait_for(&f, &f.resumes, 1, 60000));
    ddb_clock_set_ms(AT_MS + 5000); /* RESUME_STUCK_MS on the server's clock */
    ASSERT(wait_for(&f, &f.reopens, 1, 60000));
    ddb_diskguard_free(g);
    /* the watcher's cancel (no wait), then the attempt's (waiting for the jobs' end) before the reopen */
    ASSERT_EQ(f.cancels, 2);
    ASSERT_EQ(f.waited_before_reopen, 1);
    ASSERT_EQ(f.reopens, 1);
    ddb_clock_run();
}
