/*
 * tests/unit/engine/capacity/test_bucket.c: the one token bucket (engine/capacity/bucket.h) that
 * --enforce-capacity refuses by and the hot-partition model reports by: its refill and burst, the
 * one-unit rule, a table's first fill, a partition's owner, and its clock, which a step back of the
 * server's clock never moves back. Time is an input: every call is given its moment (and a table's
 * age is read on the frozen meter clock, stepped).
 */
#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/engine/capacity/bucket.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/catalog/catalog.h"
#include "test.h"
#include "test_store.h"

#define S 1000000 /* us */
#define T0 ((int64_t)1893456000 * S)

TEST(a_partition_refills_continuously_and_keeps_one_second)
{
    ddb_bucket b = {0};

    /* first used: one second of 1,000 units */
    ASSERT_EQ(ddb_bucket_tokens(&b, T0, 1000, 1, NULL), 1000);
    ddb_bucket_take(&b, T0, 1000, 1000, 1, NULL);
    ASSERT(!ddb_bucket_admits(&b, T0, 1000, NULL));
    /* half a second later, half of it: not per calendar second */
    ASSERT_EQ(ddb_bucket_tokens(&b, T0 + S / 2, 1000, 1, NULL), 500);
    ASSERT(ddb_bucket_admits(&b, T0 + S / 2, 1000, NULL));
    /* ten seconds idle keep one second */
    ASSERT_EQ(ddb_bucket_tokens(&b, T0 + 10 * S, 1000, 1, NULL), 1000);
}

TEST(a_request_is_let_in_while_one_unit_is_held)
{
    ddb_bucket b = {0};

    ddb_bucket_tokens(&b, T0, 10, 1, NULL); /* 10 units */
    for (int i = 0; i < 3; i++) {
        ASSERT(ddb_bucket_admits(&b, T0, 10, NULL));
        ddb_bucket_take(&b, T0, 3, 10, 1, NULL);
    }
    ASSERT(ddb_bucket_admits(&b, T0, 10, NULL)); /* one unit left: a 3-unit request gets in */
    ddb_bucket_take(&b, T0, 3, 10, 1, NULL);
    ASSERT_EQ(ddb_bucket_tokens(&b, T0, 10, 1, NULL), -2); /* in debt, as DynamoDB's go */
    ASSERT(!ddb_bucket_admits(&b, T0, 10, NULL));
    ASSERT(!ddb_bucket_admits(&b, T0 + S / 10 * 2, 10, NULL)); /* 0 units */
    ASSERT(ddb_bucket_admits(&b, T0 + S / 10 * 3, 10, NULL));  /* 1 unit */
}

/* A fresh bucket of table t at T0: what it holds when first used (rate 1 a second). */
static int64_t first_fill(const ddb_table *t)
{
    ddb_bucket b = {0};

    return ddb_bucket_tokens(&b, T0, 1, DDB_BURST_SECONDS, t);
}

TEST(a_table_first_holds_what_went_unused_since_its_create_table)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, NULL, &err);
    const char *desc = "{\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
                       "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}";
    const uint64_t at = 1893456000000ull;
    const ddb_table *t = NULL;
    ddb_bucket b = {0};

    ddb_clock_freeze();
    ddb_clock_set_ms(at);
    ASSERT(c != NULL);
    ASSERT(ddb_catalog_create(c, "new", desc, strlen(desc), (double)at / 1e3, NULL, &t) == 0);
    ASSERT_EQ(first_fill(t), 1); /* used at once: one second */
    ddb_clock_set_ms(at + 120000);
    ASSERT_EQ(first_fill(t), 120); /* two minutes unused */
    /* an hour back and an hour forward again: the clock reads what it read, but an hour went
       unused (the meter clock's); the age on the server's clock gave one second before */
    ddb_clock_set_ms(at - 3600000);
    ddb_clock_set_ms(at);
    ASSERT_EQ(first_fill(t), DDB_BURST_SECONDS);
    ddb_bucket_take(&b, T0, 300, 1, DDB_BURST_SECONDS, t);
    ASSERT(!ddb_bucket_admits(&b, T0, 1, t));
    /* found at an open (a restart's): not known how long it went unused, the whole burst */
    ddb_catalog_close(c);
    c = ddb_catalog_open(st, NULL, &err);
    ASSERT(c != NULL);
    ddb_clock_set_ms(at);
    ASSERT(ddb_catalog_get(c, "new") != NULL);
    ASSERT_EQ(first_fill(ddb_catalog_get(c, "new")), DDB_BURST_SECONDS);
    ddb_clock_run();
    ddb_catalog_close(c);
    ddb_store_close(st);
    free(err);
}

TEST(a_partition_holds_back_its_owner_not_the_keys_beside_it)
{
    ddb_key_bucket kb = {0};
    uint64_t hot = 0x11, cold = 0x21, hotter = 0x31;

    for (int i = 0; i < 10; i++) {
        ASSERT(ddb_key_bucket_admits(&kb, hot, T0, 1000));
        ddb_key_bucket_take(&kb, hot, T0, 100, 1000);
    }
    ASSERT(!ddb_key_bucket_admits(&kb, hot, T0, 1000)); /* its own 1,000 units spent */
    ASSERT(ddb_key_bucket_admits(&kb, cold, T0, 1000)); /* another key of its bucket is not held back */
    ddb_key_bucket_take(&kb, cold, T0, 1, 1000);        /* and takes nothing of the owner's debt */
    ASSERT(kb.owner == hot);
    ASSERT(!ddb_key_bucket_admits(&kb, hot, T0, 1000));
    /* half a second: the owner's debt is 500; a load of 600 takes the bucket over */
    ddb_key_bucket_take(&kb, hotter, T0 + S / 2, 600, 1000);
    ASSERT(kb.owner == hotter);
    ASSERT_EQ(ddb_bucket_tokens(&kb.b, T0 + S / 2, 1000, 1, NULL), 400);
    ASSERT(ddb_key_bucket_admits(&kb, hot, T0 + S / 2, 1000));
}

TEST(the_buckets_clock_never_goes_back)
{
    int64_t before, after;

    ddb_clock_freeze();
    ddb_clock_set_ms(1893456000000ull);
    before = ddb_bucket_now_us();
    ddb_clock_set_ms(1893456000000ull - 3600000); /* an hour back: a bucket stays where it stood */
    after = ddb_bucket_now_us();
    ASSERT_EQ(after, before);
    ddb_clock_set_ms(1893456000000ull - 3600000 + 1500);
    ASSERT_EQ(ddb_bucket_now_us(), before + 1500000);
    ddb_clock_run();
}
