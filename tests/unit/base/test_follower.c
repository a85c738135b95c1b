/*
 * tests/unit/base/test_follower.c: a follower's loop (server/base/follower.h) runs passes until its
 * sleeper is stopped, hands each pass the pace's idle nap to change, and passes again at once after
 * one that delivered or that asks for no nap.
 */
#include "server/base/clock.h"
#include "server/base/follower.h"
#include "test.h"

#include <pthread.h>
#include <time.h>

typedef struct script {
    ddb_sleeper sleeper;
    const int *rcs; /* what each pass answers; the pass after the last stops the loop */
    int n, at;
    unsigned seen_wait[16];
} script;

static int scripted(void *ctx, unsigned *wait_ms)
{
    script *s = ctx;

    s->seen_wait[s->at] = *wait_ms;
    if (s->at == s->n) {
        ddb_sleeper_stop(&s->sleeper);
        return 0;
    }
    if (s->rcs[s->at] == 2) { /* "nothing, and pass again at once" */
        *wait_ms = 0;
        s->at++;
        return 0;
    }
    return s->rcs[s->at++];
}

TEST(follow_runs_until_stopped)
{
    static const int rcs[] = {1, 1, 0, 2, -1, -1, 0};
    static const ddb_follow_pace pace = {1, 1, 2};
    script s = {.rcs = rcs, .n = 7};
    uint64_t t0 = ddb_clock_mono_ms();

    ddb_sleeper_init(&s.sleeper);
    ddb_follow(&s.sleeper, &pace, scripted, &s);
    ASSERT_EQ(s.at, 7);
    for (int i = 0; i <= 7; i++)
        ASSERT_EQ(s.seen_wait[i], 1u); /* every pass is offered the idle nap */
    ASSERT(ddb_clock_mono_ms() - t0 < 1000); /* naps of 1 and 2 ms, none longer */
    ddb_sleeper_destroy(&s.sleeper);
}

TEST(a_wake_is_kept_for_the_next_nap)
{
    ddb_sleeper s;
    uint64_t t0;

    ddb_sleeper_init(&s);
    ddb_sleeper_wake(&s); /* while the thread works: no nap under way */
    t0 = ddb_clock_mono_ms();
    ddb_sleeper_nap(&s, 5000);
    ASSERT(ddb_clock_mono_ms() - t0 < 1000);
    ddb_sleeper_destroy(&s);
}

/* the commit path's wake: it ends a nap under way, and while one is pending it leaves it pending */
typedef struct napper {
    ddb_sleeper s;
    uint64_t took_ms;
} napper;

static void *nap_long(void *arg)
{
    napper *n = arg;
    uint64_t t0 = ddb_clock_mono_ms();

    ddb_sleeper_nap(&n->s, 5000);
    n->took_ms = ddb_clock_mono_ms() - t0;
    return NULL;
}

TEST(a_nudge_ends_a_nap_and_is_kept_while_pending)
{
    napper n;
    pthread_t t;
    uint64_t t0;

    ddb_sleeper_init(&n.s);
    ddb_sleeper_nudge(&n.s);
    ddb_sleeper_nudge(&n.s); /* pending already: kept, not doubled */
    t0 = ddb_clock_mono_ms();
    ddb_sleeper_nap(&n.s, 5000); /* takes the pending wake */
    ASSERT(ddb_clock_mono_ms() - t0 < 1000);
    ASSERT(pthread_create(&t, NULL, nap_long, &n) == 0);
    for (int i = 0; i < 50; i++) { /* the nap under way is ended by a nudge */
        struct timespec ms10 = {0, 10 * 1000 * 1000};
        nanosleep(&ms10, NULL);
        ddb_sleeper_nudge(&n.s);
    }
    pthread_join(t, NULL);
    ASSERT(n.took_ms < 1000);
    ddb_sleeper_destroy(&n.s);
}
