/*
 * tests/unit/storage/test_lazy.c: a new store waits for its first write (server/storage/lazy.c).
 * Before it nothing of RocksDB has run (not its static initialisers, where the build set them
 * aside: base/deferred_init.h) and a data directory stays empty; reads answer as a new store
 * does, and a snapshot taken then still sees nothing after the write; a second store on the same
 * new directory is refused; a directory with anything in it is opened at once. The rest of the
 * contract is test_contract.c's, whose new stores are all of this kind (and one row opens them
 * at once).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/base/deferred_init.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"
#include "test.h"

static ddb_store *open_at(const char *path, char **err)
{
    ddb_store_options o;

    memset(&o, 0, sizeof(o));
    o.path = path;
    o.in_memory = path == NULL;
    o.default_nshards = 3;
    o.key_hash = ddb_key_part_hash; /* (the engine's; these keys are too short to carry one: hash 0) */
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    *err = NULL;
    return ddb_store_open(&o, err);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    while (d != NULL && (e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static int put(ddb_store *s, const char *k, const char *v, int meta)
{
    ddb_arena a;
    ddb_batch b;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    if (meta)
        ddb_batch_meta_put(&b, k, strlen(k), v, strlen(v));
    else
        ddb_batch_put(&b, k, strlen(k), v, strlen(v));
    rc = ddb_store_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

/* The keys in the range; -1 when the iterator ended with an error. */
static int iter_count(ddb_store_iter *it)
{
    int n = 0;

    ddb_store_iter_seek(it, NULL, 0);
    for (; ddb_store_iter_valid(it); ddb_store_iter_next(it))
        n++;
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        n = -1;
    ddb_store_iter_close(it);
    return n;
}

/* Runs first (the tests run in file order): nothing before it has opened a store in this process. */
TEST(lazy_new_store_reads_empty_and_runs_no_rocksdb_until_written)
{
    char *err, *v = (char *)"x";
    size_t vlen = 9;
    ddb_arena a;
    ddb_store *s = open_at(NULL, &err);
    ddb_store_snapshot *before;
    ddb_store_key keys[2] = {{"key0000000001", 13, (char *)"x", 1}, {"key0000000002", 13, (char *)"y", 1}};

    ASSERT(s != NULL);
    ddb_arena_init(&a);
    ASSERT_STR_EQ(ddb_store_backend_name(s), "rocksdb");
    ASSERT_EQ(ddb_store_nshards(s), 3);
    ASSERT_EQ(ddb_store_format_found(s), 0);
    ASSERT(ddb_store_groupcommit(s) == NULL);
    /* the reads of a new store: nothing, and no error */
    ASSERT_EQ(ddb_store_get(s, &a, "key0000000001", 13, &v, &vlen), DDB_STORE_OK);
    ASSERT_NULL(v);
    ASSERT_EQ(vlen, 0);
    v = (char *)"x";
    ASSERT_EQ(ddb_store_meta_get(s, &a, "m/1", 3, &v, &vlen), DDB_STORE_OK);
    ASSERT_NULL(v);
    ASSERT_EQ(ddb_store_multi_get(s, &a, keys, 2), DDB_STORE_OK);
    ASSERT_NULL(keys[0].val);
    ASSERT_NULL(keys[1].val);
    ASSERT_EQ(iter_count(ddb_store_iter_open(s, "a", 1, "z", 1, 0)), 0);
    ASSERT_EQ(iter_count(ddb_store_meta_iter_open(s, "", 0, "\xff", 1)), 0);
    ASSERT_EQ(ddb_store_seq_last(s, "seq1", 4), 0);
    ddb_store_barrier(s);
    before = ddb_store_snapshot_take(s);
    ASSERT(before != NULL);
    /* where the build set RocksDB's static initialisers aside, none of them has run yet */
    if (ddb_deferred_init_count() > 0)
        ASSERT(!ddb_deferred_init_done());
    /* the first write opens it */
    ASSERT_EQ(put(s, "key0000000001", "one", 0), DDB_STORE_OK);
    ASSERT_EQ(put(s, "m/1", "meta", 1), DDB_STORE_OK);
    if (ddb_deferred_init_count() > 0)
        ASSERT(ddb_deferred_init_done());
    ASSERT_EQ(ddb_store_get(s, &a, "key0000000001", 13, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "one", 3);
    ASSERT_EQ(ddb_store_meta_get(s, &a, "m/1", 3, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "meta", 4);
    ASSERT_EQ(iter_count(ddb_store_iter_open(s, "a", 1, "z", 1, 0)), 1);
    /* the snapshot taken before still sees the store as it was: empty */
    keys[0].val = (char *)"x";
    ASSERT_EQ(ddb_store_multi_get_at(s, before, &a, keys, 1), DDB_STORE_OK);
    ASSERT_NULL(keys[0].val);
    ASSERT_EQ(iter_count(ddb_store_iter_open_at(s, before, "a", 1, "z", 1, 0)), 0);
    ddb_store_snapshot_release(s, before);
    ddb_store_close(s);
    ddb_arena_free(&a);
}

TEST(lazy_data_directory_stays_empty_until_written_and_is_locked)
{
    char tmpl[] = "/tmp/ddbd-lazy-XXXXXX", *dir = mkdtemp(tmpl), *err, *path;
    ddb_store *s, *t;
    ddb_arena a;
    char *v;
    size_t vlen;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    path = ddb_arena_sprintf(&a, "%s/data", dir);
    /* a missing directory is made, and stays empty while nothing is written */
    s = open_at(path, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(entries(path), 0);
    /* a second store on it is refused, as RocksDB's lock refuses one on a directory in use */
    t = open_at(path, &err);
    ASSERT_NULL(t);
    ASSERT(err != NULL && strstr(err, "is in use by another process") != NULL);
    free(err);
    ddb_store_close(s);
    /* closed, it opens again; the first write creates the database */
    s = open_at(path, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(put(s, "key0000000001", "one", 0), DDB_STORE_OK);
    ASSERT(entries(path) > 0);
    ddb_store_close(s);
    /* a directory with a database is opened at once: the data is there */
    s = open_at(path, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_nshards(s), 3);
    ASSERT_EQ(ddb_store_get(s, &a, "key0000000001", 13, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "one", 3);
    t = open_at(path, &err); /* (RocksDB's own lock, now) */
    ASSERT_NULL(t);
    free(err);
    ddb_store_close(s);
    ddb_arena_free(&a);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TEST(lazy_bad_options_are_refused_at_open)
{
    ddb_store_options o;
    char *err = NULL;

    memset(&o, 0, sizeof(o));
    o.in_memory = 1;
    o.nshards = 300;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    ASSERT_NULL(ddb_store_open(&o, &err));
    ASSERT_STR_EQ(err, "shard count must be between 1 and 256");
    free(err);
}
