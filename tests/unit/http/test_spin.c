/*
 * tests/unit/http/test_spin.c: server/http/spin.c, whether a loop serving one connection polls
 * after an answer. The clock is the test's: each case feeds the times a client would produce.
 */
#include "test.h"

#include "server/http/spin.h"

#define US 1000u

/* Serves `answers` answers on one connection, each `poll_us` after the previous one when the loop
   polled after it and `wait_us` when it waited, as a client faster with one or the other would
   send them; returns whether the loop polls after the last. */
static int serve(ddb_spin *s, uint64_t *now, unsigned answers, unsigned poll_us, unsigned wait_us)
{
    int polling = s->until != 0;

    for (unsigned i = 0; i < answers; i++) {
        *now += (uint64_t)(polling ? poll_us : wait_us) * US;
        polling = ddb_spin_next(s, *now, 1, 1);
    }
    return polling;
}

/* A stretch is a trial (DDB_SPIN_TRIAL answers each way) and the choice's DDB_SPIN_KEEP answers. */
#define STRETCH (2 * DDB_SPIN_TRIAL + DDB_SPIN_KEEP)

TEST(polls_while_polling_gives_the_shorter_round_trip)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    ASSERT(ddb_spin_next(&s, now, 1, 1)); /* the first trial polls */
    ASSERT(serve(&s, &now, 3 * STRETCH, 20, 40));
    ASSERT_EQ(s.choice, 1);
}

TEST(waits_when_waiting_gives_the_shorter_round_trip)
{
    ddb_spin s = {0};
    uint64_t now = 1;
    int polled = 0;

    /* as on this machine under load: polling moves the client to the other CPU */
    serve(&s, &now, 2 * DDB_SPIN_TRIAL, 60, 30);
    ASSERT_EQ(s.choice, 0);
    for (unsigned i = 0; i < DDB_SPIN_KEEP - 1; i++) {
        now += 30 * US;
        polled |= ddb_spin_next(&s, now, 1, 1);
    }
    ASSERT_EQ(polled, 0);
    /* then the next trial polls again, and a machine that became quiet is noticed */
    ASSERT(serve(&s, &now, 2, 20, 30));
    ASSERT(serve(&s, &now, 2 * STRETCH, 20, 30));
    ASSERT_EQ(s.choice, 1);
}

TEST(waits_when_polling_is_not_clearly_shorter)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    /* a client pausing between requests (a script): the poll never catches the next one */
    serve(&s, &now, 2 * DDB_SPIN_TRIAL, 3000, 3000);
    ASSERT_EQ(s.choice, 0);
    serve(&s, &now, STRETCH, 31, 32); /* within 1/16 */
    ASSERT_EQ(s.choice, 0);
}

TEST(a_stall_counts_as_the_cap)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    /* polling is faster but for one 5 s stall (in a polling block); uncapped, it alone would make waiting win */
    serve(&s, &now, DDB_SPIN_TRIAL / 2, 20, 40);
    now += 5000000 * US;
    ddb_spin_next(&s, now, 1, 1);
    serve(&s, &now, DDB_SPIN_TRIAL + DDB_SPIN_TRIAL / 2 - 1, 20, 40);
    ASSERT_EQ(s.keeping, 1);
    ASSERT_EQ(s.choice, 1);
}

TEST(a_change_of_load_during_a_trial_hits_both_ways)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    /* the machine is busy for the trial's first half (everything takes 150 us), then quiet, where
       polling is faster: a trial polling for its first half and waiting for its second would
       choose waiting */
    serve(&s, &now, DDB_SPIN_TRIAL, 150, 150);
    serve(&s, &now, DDB_SPIN_TRIAL, 20, 30);
    ASSERT_EQ(s.keeping, 1);
    ASSERT_EQ(s.choice, 1);
}

TEST(a_poll_ends_after_its_time)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    ASSERT(ddb_spin_next(&s, now, 1, 1));
    ASSERT(ddb_spin_next(&s, now + 1 * US, 0, 0));
    ASSERT(ddb_spin_next(&s, now + DDB_SPIN_NS - 1, 0, 0));
    ASSERT_EQ(ddb_spin_next(&s, now + DDB_SPIN_NS, 0, 0), 0);
    ASSERT_EQ(ddb_spin_next(&s, now + DDB_SPIN_NS + 1 * US, 0, 0), 0); /* and stays off until an answer */
}

TEST(never_polls_with_several_connections)
{
    ddb_spin s = {0};
    uint64_t now = 1;

    for (unsigned i = 0; i < STRETCH; i++) {
        now += 20 * US;
        ASSERT_EQ(ddb_spin_next(&s, now, 1, 0), 0);
    }
    ASSERT_EQ(s.n, 0); /* nor are their answers counted in a trial */
}
