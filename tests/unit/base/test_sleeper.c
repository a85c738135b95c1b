/*
 * tests/unit/base/test_sleeper.c: the clock's steps (server/base/sleeper.h, clock.h). A settle
 * returns only once each sleeper's thread made a whole pass that began after it asked, whether the
 * thread was napping or in the middle of a pass when it asked; a sleeper no thread naps on is not
 * waited for; wakes and nudges (not a settle's asks) are counted, for a settle's next round; the earliest due time in a window is found; a frozen clock stands and steps.
 */
#include "server/base/clock.h"
#include "server/base/sleeper.h"
#include "server/base/worker.h"
#include "test.h"

/* A worker: each pass reads the clock into `seen` (what a sweep would compare with), then naps. */
typedef struct worker {
    ddb_worker wk; /* its thread, started as the server's workers start theirs (worker.h) */
    uint64_t seen;  /* the clock the last finished pass read */
    int passes;
    int slow_pass;  /* a pass spins until released, to ask mid-pass */
    int release;
    int mid_pass;   /* a slow pass read the clock and spins */
    int hold;       /* the thread waits before its first pass until this is 0 */
} worker;

static void *run(void *arg)
{
    worker *w = arg;

    while (__atomic_load_n(&w->hold, __ATOMIC_ACQUIRE))
        ;
    while (!ddb_sleeper_stopping(&w->wk.sleeper)) {
        uint64_t now = ddb_clock_now_ms();
        __atomic_store_n(&w->mid_pass, __atomic_load_n(&w->slow_pass, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
        while (__atomic_load_n(&w->slow_pass, __ATOMIC_ACQUIRE) && !__atomic_load_n(&w->release, __ATOMIC_ACQUIRE))
            ;
        __atomic_store_n(&w->seen, now, __ATOMIC_RELEASE);
        __atomic_add_fetch(&w->passes, 1, __ATOMIC_ACQ_REL);
        ddb_sleeper_nap(&w->wk.sleeper, 60000); /* only a wake ends it in time for the test */
    }
    return NULL;
}

static void start(worker *w)
{
    ddb_worker_init(&w->wk);
    ASSERT_EQ(ddb_worker_spawn(&w->wk, run, w), 0); /* a step from now on waits for it, before its first nap too */
}

static void finish(worker *w)
{
    ddb_worker_destroy(&w->wk);
}

TEST(a_settle_waits_for_a_pass_at_the_new_time)
{
    worker w = {0};

    ddb_clock_freeze();
    start(&w);
    ddb_clock_set_ms(1000000);
    ASSERT_EQ(ddb_sleepers_settle(30000), 0u);
    ASSERT_EQ(__atomic_load_n(&w.seen, __ATOMIC_ACQUIRE), 1000000u);
    ddb_clock_set_ms(2000000);
    ASSERT_EQ(ddb_sleepers_settle(30000), 0u);
    ASSERT_EQ(__atomic_load_n(&w.seen, __ATOMIC_ACQUIRE), 2000000u);
    finish(&w);
    ddb_clock_run();
}

static void *release_later(void *arg)
{
    worker *w = arg;

    /* the settle below has asked by now or will: either way the pass under way is not enough */
    for (volatile int i = 0; i < 1000000; i++)
        ;
    __atomic_store_n(&w->release, 1, __ATOMIC_RELEASE);
    return NULL;
}

TEST(a_pass_under_way_when_asked_is_not_the_answer)
{
    worker w = {0};
    pthread_t t;

    ddb_clock_freeze();
    ddb_clock_set_ms(5000000);
    start(&w);
    __atomic_store_n(&w.slow_pass, 1, __ATOMIC_RELEASE);
    ddb_sleeper_wake(&w.wk.sleeper); /* a pass begins at 5000000 and spins */
    while (!__atomic_load_n(&w.mid_pass, __ATOMIC_ACQUIRE))
        ;
    ddb_clock_set_ms(6000000); /* moved while the pass that read 5000000 is under way */
    ASSERT_EQ(pthread_create(&t, NULL, release_later, &w), 0);
    ASSERT_EQ(ddb_sleepers_settle(30000), 0u);
    ASSERT_EQ(__atomic_load_n(&w.seen, __ATOMIC_ACQUIRE), 6000000u);
    pthread_join(t, NULL);
    finish(&w);
    ddb_clock_run();
}

static void *let_go_later(void *arg)
{
    worker *w = arg;

    for (volatile int i = 0; i < 1000000; i++) /* the settle below has asked by now, or will */
        ;
    __atomic_store_n(&w->hold, 0, __ATOMIC_RELEASE);
    return NULL;
}

/* A step that comes after the thread started and before its first nap (a loaded machine, right
   after a server opened) waits for its pass: it once took the sleeper for one without a thread and
   returned at once, the thread not having seen the new time. */
TEST(a_thread_not_yet_at_its_first_nap_is_waited_for)
{
    worker w = {.hold = 1};
    pthread_t t;

    ddb_clock_freeze();
    start(&w);
    ddb_clock_set_ms(7000000);
    ASSERT_EQ(pthread_create(&t, NULL, let_go_later, &w), 0);
    ASSERT_EQ(ddb_sleepers_settle(30000), 0u);
    ASSERT_EQ(__atomic_load_n(&w.seen, __ATOMIC_ACQUIRE), 7000000u);
    pthread_join(t, NULL);
    finish(&w);
    ddb_clock_run();
}

TEST(a_sleeper_without_a_thread_is_not_waited_for)
{
    ddb_sleeper idle;
    uint64_t t0 = ddb_clock_mono_ms();

    ddb_sleeper_init(&idle);
    ASSERT_EQ(ddb_sleepers_settle(5000), 0u);
    ASSERT(ddb_clock_mono_ms() - t0 < 4000); /* (a lower bound on failure: it would wait the 5 s) */
    ddb_sleeper_destroy(&idle);
}

TEST(wakes_and_nudges_are_counted_but_not_a_settles_asks)
{
    ddb_sleeper a;
    uint64_t w0;

    ddb_sleeper_init(&a);
    w0 = ddb_sleepers_wakes();
    ASSERT_EQ(ddb_sleepers_settle(5000), 0u); /* asks the thread-less sleeper: no wake counted */
    ASSERT_EQ(ddb_sleepers_wakes(), w0);
    ddb_sleeper_nap(&a, 0); /* (takes the settle's wake) */
    ddb_sleeper_nudge(&a);    /* a commit for it: counted (tasks.c's settle makes another round) */
    ASSERT_EQ(ddb_sleepers_wakes(), w0 + 1);
    ddb_sleeper_nudge(&a); /* a wake still pending: a load, nothing else */
    ASSERT_EQ(ddb_sleepers_wakes(), w0 + 1);
    ddb_sleeper_wake(&a);
    ASSERT_EQ(ddb_sleepers_wakes(), w0 + 2);
    ddb_sleeper_destroy(&a);
}

TEST(the_earliest_due_time_in_the_window)
{
    ddb_sleeper a, b;

    ddb_sleeper_init(&a);
    ddb_sleeper_init(&b);
    ddb_sleeper_due(&a, 300);
    ddb_sleeper_due(&b, 200);
    ASSERT_EQ(ddb_sleepers_next_due(100, 1000), 200u);
    ASSERT_EQ(ddb_sleepers_next_due(200, 1000), 300u); /* after 200: the step is there already */
    ASSERT_EQ(ddb_sleepers_next_due(300, 1000), 0u);
    ASSERT_EQ(ddb_sleepers_next_due(0, 150), 0u);
    ddb_sleeper_due(&b, 0); /* nothing known */
    ASSERT_EQ(ddb_sleepers_next_due(0, 1000), 300u);
    ddb_sleeper_destroy(&a);
    ddb_sleeper_destroy(&b);
    ASSERT_EQ(ddb_sleepers_next_due(0, 1000), 0u);
}

TEST(a_frozen_clock_stands_and_runs_on_from_where_it_stood)
{
    uint64_t at, t;
    int frozen;

    ddb_clock_freeze();
    ddb_clock_set_ms(1700000000000ull);
    ASSERT(ddb_clock_frozen());
    ASSERT_EQ(ddb_clock_now_ms(), 1700000000000ull);
    ASSERT_EQ(ddb_clock_now_us(), 1700000000000000ull);
    ddb_clock_set_offset_ms(0); /* frozen at the wall clock's reading */
    t = ddb_clock_now_ms();
    ASSERT(t >= ddb_clock_system_ms() - 1000 && t <= ddb_clock_system_ms());
    ddb_clock_set_ms(1700000000000ull);
    ddb_clock_run();
    ASSERT(!ddb_clock_frozen());
    t = ddb_clock_now_ms();
    ASSERT(t >= 1700000000000ull && t < 1700000000000ull + 600000);
    ddb_clock_set_offset_ms(0);
    ASSERT_EQ(ddb_clock_parse_mode("running", &frozen, &at), 0);
    ASSERT_EQ(frozen, 0);
    ASSERT_EQ(ddb_clock_parse_mode("frozen", &frozen, &at), 0);
    ASSERT(frozen && at == 0);
    ASSERT_EQ(ddb_clock_parse_mode("frozen@42", &frozen, &at), 0);
    ASSERT(frozen && at == 42);
    ASSERT_EQ(ddb_clock_parse_mode("frozen@", &frozen, &at), -1);
    ASSERT_EQ(ddb_clock_parse_mode("frozen@1x", &frozen, &at), -1);
    ASSERT_EQ(ddb_clock_parse_mode("frozen@253402300800000", &frozen, &at), -1);
    ASSERT_EQ(ddb_clock_parse_mode("Frozen", &frozen, &at), -1);
}
