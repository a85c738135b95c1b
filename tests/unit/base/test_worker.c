/*
 * tests/unit/base/test_worker.c: a background worker's threads (server/base/worker.h). A thread
 * spawned counts for the clock's steps at once (a settle waits for its pass at the new time); the
 * halt stops and joins every thread of the worker, once however often asked; a worker that never
 * spawned halts and is released without waiting.
 */
#include "server/base/clock.h"
#include "server/base/worker.h"
#include "test.h"

typedef struct run_state {
    ddb_worker *w;
    uint64_t seen; /* the clock the last pass read */
    int hold;      /* the thread waits before its first pass until this is 0 */
} run_state;

static int exits;

static void *run(void *arg)
{
    run_state *r = arg;

    while (__atomic_load_n(&r->hold, __ATOMIC_ACQUIRE))
        ;
    while (!ddb_worker_stopping(r->w)) {
        __atomic_store_n(&r->seen, ddb_clock_now_ms(), __ATOMIC_RELEASE);
        ddb_sleeper_nap(&r->w->sleeper, 60000); /* only a wake or the stop ends it in time */
    }
    __atomic_add_fetch(&exits, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

static void *let_go_later(void *arg)
{
    run_state *r = arg;

    for (volatile int i = 0; i < 1000000; i++) /* the settle below has asked by now, or will */
        ;
    __atomic_store_n(&r->hold, 0, __ATOMIC_RELEASE);
    return NULL;
}

/* The thread is held before its first nap: a settle that did not count it from its start would
   return at once, its pass not made. */
TEST(a_spawned_thread_is_waited_for_by_a_step)
{
    ddb_worker w;
    run_state r = {.w = &w, .hold = 1};
    pthread_t t;

    ddb_clock_freeze();
    ddb_worker_init(&w);
    ASSERT_EQ(ddb_worker_spawn(&w, run, &r), 0);
    ddb_clock_set_ms(3000000);
    ASSERT_EQ(pthread_create(&t, NULL, let_go_later, &r), 0);
    ASSERT_EQ(ddb_sleepers_settle(30000), 0u);
    ASSERT_EQ(__atomic_load_n(&r.seen, __ATOMIC_ACQUIRE), 3000000u);
    pthread_join(t, NULL);
    ddb_worker_destroy(&w);
    ddb_clock_run();
}

TEST(the_halt_joins_every_thread_once)
{
    ddb_worker w;
    run_state r[3];

    __atomic_store_n(&exits, 0, __ATOMIC_RELEASE);
    ddb_worker_init(&w);
    for (int i = 0; i < 3; i++) {
        r[i] = (run_state){.w = &w};
        ASSERT_EQ(ddb_worker_spawn(&w, run, &r[i]), 0);
    }
    ASSERT_EQ(w.n, 3u);
    ASSERT(!ddb_worker_stopping(&w));
    ddb_worker_halt(&w);
    ASSERT(ddb_worker_stopping(&w));
    ASSERT_EQ(__atomic_load_n(&exits, __ATOMIC_ACQUIRE), 3); /* joined: each had returned */
    ddb_worker_halt(&w); /* halted already: nothing (a second join would be undefined) */
    ddb_worker_destroy(&w);
    ASSERT_EQ(__atomic_load_n(&exits, __ATOMIC_ACQUIRE), 3);
}

TEST(a_worker_without_a_thread_is_not_waited_for)
{
    ddb_worker w;
    uint64_t t0 = ddb_clock_mono_ms();

    ddb_worker_init(&w);
    ASSERT_EQ(ddb_sleepers_settle(5000), 0u);
    ASSERT(ddb_clock_mono_ms() - t0 < 4000); /* (a lower bound on failure: it would wait the 5 s) */
    ddb_worker_halt(&w);
    ddb_worker_destroy(&w);
}
