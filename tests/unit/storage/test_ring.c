/*
 * tests/unit/storage/test_ring.c: the shard ring (server/storage/ring.c: the RocksDB backend's
 * placement): partitions spread over every shard, a shard added takes partitions only from the
 * others, one shard owns everything.
 */
#include <stdio.h>

#include "server/storage/ring.h"
#include "test.h"

static const unsigned char hash_key[DDB_HASH_KEY_BYTES] = "0123456789abcdef";

TEST(ring_spreads_partitions_over_every_shard)
{
    ddb_ring r;
    unsigned counts[4] = {0};

    ASSERT_EQ(ddb_ring_init(&r, 4, hash_key), 0);
    for (int i = 0; i < 40000; i++) {
        char pk[16];
        int n = snprintf(pk, sizeof(pk), "user#%d", i);
        counts[ddb_ring_owner(&r, ddb_ring_hash(&r, pk, (size_t)n))]++;
    }
    for (int s = 0; s < 4; s++) /* 128 virtual nodes keep every shard within 25% of its share */
        ASSERT(counts[s] > 7500 && counts[s] < 12500);
    ddb_ring_free(&r);
}

TEST(ring_growth_moves_only_partitions_to_the_new_shard)
{
    ddb_ring r3, r4;
    int moved = 0, n = 30000;

    ASSERT_EQ(ddb_ring_init(&r3, 3, hash_key), 0);
    ASSERT_EQ(ddb_ring_init(&r4, 4, hash_key), 0);
    for (int i = 0; i < n; i++) {
        char pk[16];
        int len = snprintf(pk, sizeof(pk), "k%d", i);
        uint64_t h = ddb_ring_hash(&r3, pk, (size_t)len);
        unsigned a = ddb_ring_owner(&r3, h), b = ddb_ring_owner(&r4, h);
        if (a != b) {
            ASSERT_EQ(b, 3); /* a partition only ever moves to the added shard */
            moved++;
        }
    }
    ASSERT(moved > n / 4 * 3 / 4 && moved < n / 4 * 5 / 4); /* about 1/(n+1) of them */
    ddb_ring_free(&r3);
    ddb_ring_free(&r4);
}

TEST(ring_single_shard_owns_everything)
{
    ddb_ring r;

    ASSERT_EQ(ddb_ring_init(&r, 1, hash_key), 0);
    ASSERT_EQ(ddb_ring_owner(&r, 0), 0);
    ASSERT_EQ(ddb_ring_owner(&r, UINT64_MAX), 0);
    ddb_ring_free(&r);
}
