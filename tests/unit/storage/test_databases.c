/*
 * tests/unit/storage/test_databases.c: the RocksDB store's databases (server/storage/rocksdb/rocks_dbs.c).
 * A new directory gets a database a shard (up to 16), an older one stays one database; a write
 * across databases cut short by a crash after its first part is completed at the next open; a
 * snapshot, and a range read across them, sees every database at one moment while writes across
 * them race it; a plain write across databases numbers its record in its keys' order, as a
 * commit does; named snapshots save and restore every database, on disk and in memory.
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

/* Whether a range read over every key (a merge across the databases, with no store snapshot: a
   Scan's) reads them all, of one batch. */
static int one_batch_read(ddb_store *s)
{
    ddb_store_iter *it = ddb_store_iter_open(s, "0", 1, "1", 1, 0);
    const char *v0 = NULL;
    size_t p0 = 0;
    int n = 0, same = 1;

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && same; ddb_store_iter_next(it), n++) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        const char *slash = memchr(v, '/', vlen);
        size_t p = slash != NULL ? (size_t)(slash - v) : vlen;
        if (v0 == NULL) {
            v0 = strndup(v, p);
            p0 = p;
        } else if (p != p0 || memcmp(v, v0, p) != 0) {
            same = 0;
        }
    }
    ddb_store_iter_close(it);
    free((void *)v0);
    return same && n == NKEYS;
}

static void snapshots_see_one_moment(ddb_store *s)
{
    struct race r = {s, 0, 0, 0};
    pthread_t t[2];
    int torn = 0, taken = 0, torn_reads = 0;

    ASSERT_EQ(write_keys(s, NKEYS, "0/"), DDB_STORE_OK);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, writer, &r);
    while (__atomic_load_n(&r.writes, __ATOMIC_ACQUIRE) < 400 || taken < 200) {
        ddb_store_snapshot *snap = ddb_store_snapshot_take(s);
        torn += !one_batch_at(s, snap);
        taken++;
        ddb_store_snapshot_release(s, snap);
        torn_reads += !one_batch_read(s);
    }
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ASSERT_EQ(torn, 0);
    ASSERT_EQ(torn_reads, 0);
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

/* ---- a plain write and a commit over the same keys and numbered prefix ---- */

#define ORDER_KEYS 8     /* the keys both write: in every one of the 3 databases */
#define ORDER_ROUNDS 300 /* rounds of one write each */
static const char SEQ_PREFIX[] = "log/";

struct order_race {
    ddb_store *s;
    pthread_barrier_t go, done, checked;
    int misordered, failed;
};

static char *order_key(ddb_arena *a, int i)
{
    return ddb_arena_sprintf(a, "%04dkey", i);
}

/* A commit's decide: every key and a record under the numbered prefix (a stream record's shape),
   both the round's tag. */
static int decide_tagged(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    const char *tag = ctx;

    for (size_t i = 0; i < n; i++)
        ddb_batch_put(out, keys[i].key, keys[i].klen, tag, strlen(tag));
    ddb_batch_put_seq(out, SEQ_PREFIX, sizeof(SEQ_PREFIX) - 1, tag, strlen(tag));
    return 0;
}

static void *committer(void *arg)
{
    struct order_race *r = arg;

    for (int round = 0; round < ORDER_ROUNDS; round++) {
        ddb_store_key keys[ORDER_KEYS];
        ddb_arena a;
        ddb_arena_init(&a);
        for (int i = 0; i < ORDER_KEYS; i++) {
            keys[i].key = order_key(&a, i);
            keys[i].klen = strlen(keys[i].key);
            keys[i].meta = 0;
        }
        pthread_barrier_wait(&r->go);
        if (ddb_store_commit(r->s, &a, keys, ORDER_KEYS, decide_tagged, ddb_arena_sprintf(&a, "c%d", round)) != 0)
            __atomic_add_fetch(&r->failed, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&r->done);
        pthread_barrier_wait(&r->checked);
        ddb_arena_free(&a);
    }
    return NULL;
}

/* The tag of the prefix's last record (its highest number), in a. */
static char *last_record(ddb_store *s, ddb_arena *a)
{
    char hi[sizeof(SEQ_PREFIX)];
    ddb_store_iter *it;
    char *tag = NULL;

    memcpy(hi, SEQ_PREFIX, sizeof(SEQ_PREFIX) - 1);
    hi[sizeof(SEQ_PREFIX) - 2]++;
    it = ddb_store_seq_iter_open(s, SEQ_PREFIX, sizeof(SEQ_PREFIX) - 1, hi, sizeof(SEQ_PREFIX) - 1, 1);
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        tag = ddb_arena_strndup(a, v, vlen);
    }
    ddb_store_iter_close(it);
    return tag;
}

/* A batch written without a commit's locks (a background job's): the same keys and a record,
   this round's tag; then, once both wrote, the check. */
static void *plain_writer(void *arg)
{
    struct order_race *r = arg;

    for (int round = 0; round < ORDER_ROUNDS; round++) {
        char *tag, *v = NULL, *last;
        size_t vlen = 0;
        ddb_arena a;
        ddb_batch b;
        ddb_arena_init(&a);
        ddb_batch_init(&b, &a);
        tag = ddb_arena_sprintf(&a, "p%d", round);
        for (int i = 0; i < ORDER_KEYS; i++) {
            char *k = order_key(&a, i);
            ddb_batch_put(&b, k, strlen(k), tag, strlen(tag));
        }
        ddb_batch_put_seq(&b, SEQ_PREFIX, sizeof(SEQ_PREFIX) - 1, tag, strlen(tag));
        pthread_barrier_wait(&r->go);
        if (ddb_store_write(r->s, &b) != DDB_STORE_OK)
            __atomic_add_fetch(&r->failed, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&r->done);
        /* the item's last change is its stream's last record */
        last = last_record(r->s, &a);
        if (ddb_store_get(r->s, &a, "0000key", 7, &v, &vlen) != DDB_STORE_OK || v == NULL || last == NULL ||
            strlen(last) != vlen || memcmp(v, last, vlen) != 0)
            r->misordered++;
        pthread_barrier_wait(&r->checked);
        ddb_arena_free(&a);
    }
    return NULL;
}

/*
 * A plain write across databases takes its keys' stripes before its record's number, as a commit
 * does: where it numbered first (before c9ab5d4), a commit over the same keys that held them then
 * took the next number and wrote first, and the plain write landed after it under the lower
 * number: the keys' last change was not the prefix's last record (a stream out of the items' order).
 * Rounds of one write each, the two started together; after each the keys' value is the last
 * record's. Every write lands, each record numbered once.
 */
static void records_follow_the_keys_order(ddb_store *s)
{
    struct order_race r;
    pthread_t c, w;

    memset(&r, 0, sizeof(r));
    r.s = s;
    pthread_barrier_init(&r.go, NULL, 2);
    pthread_barrier_init(&r.done, NULL, 2);
    pthread_barrier_init(&r.checked, NULL, 2);
    pthread_create(&c, NULL, committer, &r);
    pthread_create(&w, NULL, plain_writer, &r);
    pthread_join(c, NULL);
    pthread_join(w, NULL);
    pthread_barrier_destroy(&r.go);
    pthread_barrier_destroy(&r.done);
    pthread_barrier_destroy(&r.checked);
    ASSERT_EQ(r.failed, 0);
    ASSERT_EQ(r.misordered, 0);
    ASSERT_EQ(ddb_store_seq_last(s, SEQ_PREFIX, sizeof(SEQ_PREFIX) - 1), (uint64_t)2 * ORDER_ROUNDS);
}

TEST(a_plain_write_across_databases_numbers_its_record_in_its_keys_order)
{
    char tmpl[] = "/tmp/ddbd-dbs-XXXXXX";
    char *dir = in_memory_then_on_disk(tmpl, records_follow_the_keys_order);

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
