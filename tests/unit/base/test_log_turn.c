/*
 * tests/unit/base/test_log_turn.c: a loop's owed log flush (server/base/log_turn.h) when a flush
 * fails before its turn's end. A catalog change and a door's answer flush what the loop owes at
 * once; were such a failure forgotten, the turn's end would find nothing owed and send the answers
 * it held as successes, though RocksDB never writes that buffer again (their writes may be lost).
 * So the failure stays with the turn: every later flush of it fails, its answers are held (owed),
 * and its end reports it once; the next turn starts clean.
 */
#include "server/base/log_turn.h"
#include "test.h"

static int flushes;

static int fails(void *owner)
{
    (void)owner;
    flushes++;
    return -1;
}

static int works(void *owner)
{
    (void)owner;
    flushes++;
    return 0;
}

static int store_a, store_b;

TEST(a_turn_whose_flushes_work_ends_clean)
{
    ddb_log_turn_defer();
    ddb_log_turn_owe(works, &store_a);
    ASSERT_EQ(ddb_log_turn_owed(), 1);
    ASSERT_EQ(ddb_log_turn_flush(), 0); /* (a catalog change's, before the end) */
    ASSERT_EQ(ddb_log_turn_owed(), 0);
    ddb_log_turn_owe(works, &store_a);
    ASSERT_EQ(ddb_log_turn_end(), 0);
    ASSERT_EQ(ddb_log_turn_owed(), 0);
}

TEST(a_flush_that_failed_before_the_turns_end_fails_the_turn)
{
    ddb_log_turn_defer();
    flushes = 0;
    ddb_log_turn_owe(fails, &store_a);
    ASSERT_EQ(ddb_log_turn_flush(), -1);
    ASSERT_EQ(ddb_log_turn_owed(), 1); /* an answer given now is held, to fail with the turn's */
    ddb_log_turn_owe(works, &store_a);  /* a later write of the turn */
    ASSERT_EQ(ddb_log_turn_flush(), -1);
    ASSERT_EQ(ddb_log_turn_end(), -1); /* the held answers fail */
    ASSERT_EQ(flushes, 2);
    /* the next turn starts clean */
    ASSERT_EQ(ddb_log_turn_owed(), 0);
    ASSERT_EQ(ddb_log_turn_end(), 0);
    ddb_log_turn_owe(works, &store_b);
    ASSERT_EQ(ddb_log_turn_end(), 0);
}

TEST(a_second_stores_owe_flushes_the_firsts_and_keeps_its_failure)
{
    ddb_log_turn_defer();
    ddb_log_turn_owe(fails, &store_a);
    ddb_log_turn_owe(works, &store_b); /* (flushes store_a's first) */
    ASSERT_EQ(ddb_log_turn_owed(), 1);
    ASSERT_EQ(ddb_log_turn_end(), -1);
    ASSERT_EQ(ddb_log_turn_owed(), 0);
}
