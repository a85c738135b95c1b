/*
 * tests/unit/storage/test_shard_count.c: the shard count belongs to the data directory (storage.h,
 * nshards 0). A directory created with 3 shards opens with 3 whatever the default (the CPUs of
 * the host or container that opens it) says, keys untouched; only an explicit count moves them;
 * a move cut short is finished at the count it was going to; a new directory takes the default.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "server/storage/storage.h"
#include "store_keys.h"
#include "test.h"

static ddb_store *open_with(const char *path, unsigned nshards, unsigned fallback)
{
    return store_open_at(path, nshards, fallback, 12);
}

static void write_keys(ddb_store *s, int n)
{
    store_keys_write(s, n, "key%04d", "value");
}

/* 0 when every key written by write_keys reads back as written */
static int keys_intact(ddb_store *s, int n)
{
    return store_keys_differ(s, n, "key%04d", "value");
}

static char *meta(ddb_store *s, ddb_arena *a, const char *key)
{
    return store_meta_str(s, a, key);
}

TEST(shard_count_comes_from_the_directory)
{
    char tmpl[] = "/tmp/ddbd-shards-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    ddb_arena a;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    /* a new directory takes the default */
    s = open_with(dir, 0, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 3);
    write_keys(s, 200);
    ddb_store_close(s);
    /* opened where the default is 1, then 8: still 3 shards, every key where it was */
    for (unsigned fallback = 1; fallback <= 8; fallback *= 8) {
        s = open_with(dir, 0, fallback);
        ASSERT(s != NULL);
        ASSERT_EQ(ddb_store_nshards(s), 3);
        ASSERT_EQ(keys_intact(s, 200), 0);
        ASSERT_STR_EQ(meta(s, &a, "ddbd/nshards"), "3");
        ddb_store_close(s);
    }
    /* an explicit count still moves the partitions, and then belongs to the directory */
    s = open_with(dir, 5, 1);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 5);
    ASSERT_EQ(keys_intact(s, 200), 0);
    ddb_store_close(s);
    s = open_with(dir, 0, 2);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 5);
    ASSERT_EQ(keys_intact(s, 200), 0);
    ddb_store_close(s);
    ddb_arena_free(&a);
    store_rm_dir(dir);
}

TEST(shard_count_unset_finishes_an_interrupted_move)
{
    char tmpl[] = "/tmp/ddbd-shards-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    ddb_arena a;
    ddb_batch b;

    ASSERT(dir != NULL);
    s = open_with(dir, 2, 1);
    ASSERT(s != NULL);
    write_keys(s, 200);
    /* what a crash in the middle of a move to 4 shards leaves: the marker, the old count */
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/rebalancing", 16, "4", 1);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_with(dir, 0, 1);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 4);
    ASSERT_EQ(keys_intact(s, 200), 0);
    ASSERT_NULL(meta(s, &a, "ddbd/rebalancing"));
    ASSERT_STR_EQ(meta(s, &a, "ddbd/nshards"), "4");
    ddb_store_close(s);
    ddb_arena_free(&a);
    store_rm_dir(dir);
}

TEST(shard_count_in_memory_and_bounds)
{
    ddb_store *s = open_with(NULL, 0, 2);

    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 2);
    ddb_store_close(s);
    ASSERT_NULL(open_with(NULL, 0, 0)); /* no count at all */
    ASSERT_NULL(open_with(NULL, 257, 1));
}
