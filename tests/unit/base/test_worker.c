/*
 * tests/unit/base/test_worker.c: a background worker's threads (server/base/worker.h). The halt
 * stops and joins every thread of the worker, once however often asked; a worker that never
 * spawned halts at once and is released. (That a spawned thread counts for the clock's
 * steps from its start is test_sleeper's a_thread_not_yet_at_its_first_nap_is_waited_for, whose
 * threads ddb_worker_spawn starts.) A job that owns its worker (ddb_worker_own) ends in
 * ddb_worker_stop: its teardown runs once its threads are joined, with its sleeper still in the
 * clock's list, and its memory is freed last (the sanitized build sees a leak or a use after free).
 */
#include <stdlib.h>

#include "server/base/worker.h"
#include "test.h"

static int exits;

static void *run(void *arg)
{
    ddb_worker *w = arg;

    while (!ddb_worker_stopping(w))
        ddb_sleeper_nap(&w->sleeper, 60000); /* only the stop ends it in time */
    __atomic_add_fetch(&exits, 1, __ATOMIC_ACQ_REL);
    return NULL;
}

TEST(the_halt_joins_every_thread_once)
{
    ddb_worker w;

    __atomic_store_n(&exits, 0, __ATOMIC_RELEASE);
    ddb_worker_init(&w);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(ddb_worker_spawn(&w, run, &w), 0);
    ASSERT_EQ(w.n, 3u);
    ASSERT(!ddb_worker_stopping(&w));
    ddb_worker_halt(&w);
    ASSERT(ddb_worker_stopping(&w));
    ASSERT_EQ(__atomic_load_n(&exits, __ATOMIC_ACQUIRE), 3); /* joined: each had returned */
    ddb_worker_halt(&w); /* halted already: nothing (a second join would be undefined) */
    ddb_worker_destroy(&w);
    ASSERT_EQ(__atomic_load_n(&exits, __ATOMIC_ACQUIRE), 3);
}

/* The disk guard's watcher is spawned at the first stall only: a guard that never stalled halts its
   worker with no thread to join. */
TEST(a_worker_that_never_spawned_halts_at_once)
{
    ddb_worker w;

    ddb_worker_init(&w);
    ddb_sleeper_due(&w.sleeper, 42);
    ASSERT_EQ(ddb_sleepers_next_due(0, 100), 42u); /* in the clock's list from its init */
    ASSERT_EQ(w.n, 0u);
    ddb_worker_halt(&w);
    ASSERT(ddb_worker_stopping(&w));
    ddb_worker_destroy(&w);
    ASSERT_EQ(ddb_sleepers_next_due(0, 100), 0u); /* and out of it from its destroy */
}

typedef struct job {
    ddb_worker worker;
    int *seen; /* what its teardown saw: the threads that had exited, the sleeper still listed */
} job;

static void finish(void *owner)
{
    job *j = owner;

    j->seen[0] = __atomic_load_n(&exits, __ATOMIC_ACQUIRE);
    j->seen[1] = ddb_sleepers_next_due(0, 100) == 7;
}

TEST(the_stop_runs_the_teardown_after_the_join_then_frees_the_job)
{
    job *j = calloc(1, sizeof(*j));
    int seen[2] = {-1, -1};

    ASSERT(j != NULL);
    __atomic_store_n(&exits, 0, __ATOMIC_RELEASE);
    j->seen = seen;
    ddb_worker_init(&j->worker);
    ddb_worker_own(&j->worker, j, finish);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ(ddb_worker_spawn(&j->worker, run, &j->worker), 0);
    ddb_sleeper_due(&j->worker.sleeper, 7);
    ddb_worker_stop(&j->worker);
    ASSERT_EQ(seen[0], 2);                         /* both threads joined before the teardown */
    ASSERT_EQ(seen[1], 1);                         /* the sleeper left the list after it */
    ASSERT_EQ(ddb_sleepers_next_due(0, 100), 0u); /* and did leave it */
}

/* A job that does not run (no trigger configured) has no worker: halting or stopping it does nothing. */
TEST(a_job_that_does_not_run_stops_at_once)
{
    ddb_worker_halt(NULL);
    ddb_worker_stop(NULL);
}
