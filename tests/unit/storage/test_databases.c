/*
 * tests/unit/storage/test_databases.c: the RocksDB store's databases (server/storage/rocksdb/rocks_dbs.c).
 * A new directory gets a database a shard (up to 16), an older one stays one database; a write
 * across databases cut short by a crash after its first part is completed at the next open; a
 * snapshot sees every database at one moment while writes across them race it; named snapshots
 * save and restore every database, on disk and in memory.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/base/faults.h"
#include "server/storage/storage.h"
#include "store_keys.h"
#include "test.h"

#define NKEYS 64 /* keys of one batch: with 3 databases, in all of them (placement by hash) */

static ddb_store *open_with(const char *path, unsigned nshards)
{
    return store_open_at(path, nshards, 1, 6);
}

/* One batch: "0000key".."<n>key" (each its own partition) = <prefix><i>. */
static int write_keys(ddb_store *s, int n, const char *prefix)
{
    return store_keys_write(s, n, "%04dkey", prefix);
}

/* How many of the keys do not read back as <prefix><i>. */
static int keys_differ(ddb_store *s, int n, const char *prefix)
{
    return store_keys_differ(s, n, "%04dkey", prefix);
}

static char *meta(ddb_store *s, ddb_arena *a, const char *key)
{
    return store_meta_str(s, a, key);
}

static int has_db(const char *dir, unsigned d)
{
    char p[512];
    struct stat st;

    snprintf(p, sizeof(p), "%s/db-%u/CURRENT", dir, d);
    return stat(p, &st) == 0;
}

TEST(a_new_directory_has_a_database_a_shard)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    ddb_arena a;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    s = open_with(dir, 3);
    ASSERT(s != NULL);
    ASSERT_STR_EQ(meta(s, &a, "ddbd/dbs"), "3");
    ASSERT_STR_EQ(meta(s, &a, "ddbd/format"), "5");
    ASSERT_EQ(write_keys(s, NKEYS, "v"), DDB_STORE_OK);
    ASSERT_EQ(keys_differ(s, NKEYS, "v"), 0);
    ddb_store_close(s);
    ASSERT(has_db(dir, 1) && has_db(dir, 2));
    ASSERT(!has_db(dir, 3));
    /* the count is the directory's: opened with 5 shards, still 3 databases, every key there */
    s = open_with(dir, 5);
    ASSERT(s != NULL);
    ASSERT_STR_EQ(meta(s, &a, "ddbd/dbs"), "3");
    ASSERT_EQ(keys_differ(s, NKEYS, "v"), 0);
    ASSERT_EQ(write_keys(s, NKEYS, "w"), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_with(dir, 1); /* and moved back to one shard: every key into database 0 */
    ASSERT(s != NULL);
    ASSERT_EQ(keys_differ(s, NKEYS, "w"), 0);
    ddb_store_close(s);
    ddb_arena_free(&a);
    store_rm_dir(dir);
}

TEST(a_directory_of_format_4_stays_one_database)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    ddb_arena a;
    ddb_batch b;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    /* what format 4 left: one database, its shards' families in it, no "ddbd/dbs" */
    s = open_with(dir, 1);
    ASSERT(s != NULL);
    ASSERT_EQ(write_keys(s, NKEYS, "v"), DDB_STORE_OK);
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/format", 11, "4", 1);
    ddb_batch_meta_delete(&b, "ddbd/dbs", 8);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_with(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 4);
    ASSERT_STR_EQ(meta(s, &a, "ddbd/dbs"), "1");
    ASSERT_STR_EQ(meta(s, &a, "ddbd/format"), "5");
    ASSERT_EQ(keys_differ(s, NKEYS, "v"), 0);
    ASSERT_EQ(write_keys(s, NKEYS, "w"), DDB_STORE_OK);
    ddb_store_close(s);
    ASSERT(!has_db(dir, 1));
    s = open_with(dir, 0);
    ASSERT(s != NULL);
    ASSERT_EQ(keys_differ(s, NKEYS, "w"), 0);
    ddb_store_close(s);
    ddb_arena_free(&a);
    store_rm_dir(dir);
}

/* In a child: the crash point armed, a batch across the databases, which the point kills. */
static void crash_mid_write(const char *dir, const char *prefix)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        ddb_store *s = open_with(dir, 3);
        if (s == NULL)
            _exit(3);
        setenv("DDBD_CRASH_POINT", "xdb-between-parts", 1);
        ddb_crash_points_init();
        write_keys(s, NKEYS, prefix);
        _exit(4); /* not reached: the point kills the process */
    }
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        fprintf(stderr, "the child was not killed at the crash point (status %d)\n", status);
        abort();
    }
}

TEST(a_write_across_databases_cut_short_is_completed_at_open)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;

    ASSERT(dir != NULL);
    s = open_with(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(write_keys(s, NKEYS, "old"), DDB_STORE_OK);
    ddb_store_close(s);
    /* twice: the second intent is numbered above the first's markers */
    for (int round = 0; round < 2; round++) {
        const char *prefix = round == 0 ? "new" : "newer";
        crash_mid_write(dir, prefix);
        s = open_with(dir, 3);
        ASSERT(s != NULL);
        ASSERT_EQ(keys_differ(s, NKEYS, prefix), 0); /* all of it, none of "old" left */
        ddb_store_close(s);
    }
    /* and written over later, a completed intent is not written again at the next open */
    s = open_with(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(write_keys(s, NKEYS, "last"), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_with(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(keys_differ(s, NKEYS, "last"), 0);
    ddb_store_close(s);
    store_rm_dir(dir);
}

/* ---- a snapshot against writes across databases ---- */

struct race {
    ddb_store *s;
    int stop;
    int writes;
    int next; /* the writers' batches' numbers */
};

static void *writer(void *arg)
{
    struct race *r = arg;

    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "%d/", __atomic_add_fetch(&r->next, 1, __ATOMIC_RELAXED));
        if (write_keys(r->s, NKEYS, prefix) == DDB_STORE_OK)
            __atomic_add_fetch(&r->writes, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* Whether the keys read at the snapshot are of one batch (their values' prefixes equal). */
static int one_batch_at(ddb_store *s, const ddb_store_snapshot *snap)
{
    ddb_store_key keys[NKEYS];
    ddb_arena a;
    int same = 1;

    ddb_arena_init(&a);
    for (int i = 0; i < NKEYS; i++) {
        keys[i].key = ddb_arena_sprintf(&a, "%04dkey", i);
        keys[i].klen = strlen(keys[i].key);
        keys[i].meta = 0;
    }
    if (ddb_store_multi_get_at(s, snap, &a, keys, NKEYS) != DDB_STORE_OK)
        same = 0;
    for (int i = 1; i < NKEYS && same; i++) {
        const char *s0 = keys[0].val, *si = keys[i].val;
        size_t p0 = s0 != NULL ? (size_t)(strchr(s0, '/') - s0) : 0, pi = si != NULL ? (size_t)(strchr(si, '/') - si) : 0;
        if (s0 == NULL || si == NULL || p0 != pi || memcmp(s0, si, p0) != 0)
            same = 0;
    }
    ddb_arena_free(&a);
    return same;
}

static void snapshots_see_one_moment(ddb_store *s)
{
    struct race r = {s, 0, 0, 0};
    pthread_t t[2];
    int torn = 0, taken = 0;

    ASSERT_EQ(write_keys(s, NKEYS, "0/"), DDB_STORE_OK);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, writer, &r);
    while (__atomic_load_n(&r.writes, __ATOMIC_ACQUIRE) < 400 || taken < 200) {
        ddb_store_snapshot *snap = ddb_store_snapshot_take(s);
        torn += !one_batch_at(s, snap);
        taken++;
        ddb_store_snapshot_release(s, snap);
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ASSERT_EQ(torn, 0);
}

/* fn on a store of 3 shards in memory, then on one in the new directory made from tmpl, which is
   left for the caller (NULL when it cannot be made). */
static char *in_memory_then_on_disk(char *tmpl, void (*fn)(ddb_store *s))
{
    char *dir = mkdtemp(tmpl);
    ddb_store *s = open_with(NULL, 3);

    if (s != NULL)
        fn(s);
    ddb_store_close(s);
    if (dir == NULL || (s = open_with(dir, 3)) == NULL)
        return NULL;
    fn(s);
    ddb_store_close(s);
    return dir;
}

TEST(a_snapshot_sees_every_database_at_one_moment)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = in_memory_then_on_disk(tmpl, snapshots_see_one_moment);

    ASSERT(dir != NULL);
    store_rm_dir(dir);
}

static void checkpoints_hold_every_database(ddb_store *s)
{
    ASSERT_EQ(write_keys(s, NKEYS, "saved"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_checkpoint_save(s, "cp"), DDB_CHECKPOINT_OK);
    ASSERT_EQ(write_keys(s, NKEYS, "later"), DDB_STORE_OK);
    ASSERT_EQ(keys_differ(s, NKEYS, "later"), 0);
    ASSERT_EQ(ddb_store_checkpoint_restore(s, "cp"), DDB_CHECKPOINT_OK);
    ASSERT_EQ(keys_differ(s, NKEYS, "saved"), 0);
    ASSERT_EQ(write_keys(s, NKEYS, "after"), DDB_STORE_OK);
    ASSERT_EQ(keys_differ(s, NKEYS, "after"), 0);
    ASSERT_EQ(ddb_store_checkpoint_delete(s, "cp"), DDB_CHECKPOINT_OK);
}

TEST(named_snapshots_hold_every_database)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = in_memory_then_on_disk(tmpl, checkpoints_hold_every_database);
    ddb_store *s;

    ASSERT(dir != NULL);
    s = open_with(dir, 0); /* and the restored directory opens again as it was */
    ASSERT(s != NULL);
    ASSERT_EQ(keys_differ(s, NKEYS, "after"), 0);
    ddb_store_close(s);
    store_rm_dir(dir);
}
