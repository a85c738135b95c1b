/*
 * tests/unit/test_storage_contract.c: the storage contract (server/storage/storage.h,
 * docs/storage-backends.md), checked through that interface only, so that any backend (RocksDB
 * today, RADOS later) can be held to it by linking it in place of rocks.c.
 *
 * Covered: point reads and writes, atomic compound writes across shards, ordered iteration both
 * ways with bounds and seek-from, batched reads, snapshots (point and range), conditional
 * commits (values seen by decide, refusal, atomicity, re-run safety), racing commits and rmw on
 * overlapping keys (exact sums), opposite lock orders (no deadlock), the barrier, iterator
 * status, range deletion, and reopening a data directory (data kept, old format upgraded,
 * unknown format refused).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "storage.h"
#include "test.h"

/* ---- helpers ---- */

static uint64_t test_key_hash(const char *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    return h;
}

static ddb_store *open_store(const char *path, unsigned nshards, char **err)
{
    ddb_store_options o;

    memset(&o, 0, sizeof(o));
    o.path = path;
    o.in_memory = path == NULL;
    o.nshards = nshards;
    o.key_hash = test_key_hash;
    *err = NULL;
    return ddb_store_open(&o, err);
}

static ddb_store *open_mem(unsigned nshards)
{
    char *err = NULL;
    ddb_store *s = open_store(NULL, nshards, &err);

    if (s == NULL) {
        fprintf(stderr, "cannot open an in-memory store: %s\n", err ? err : "?");
        abort();
    }
    return s;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int put(ddb_store *s, ddb_arena *a, int shard, const char *k, const char *v)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_put(&b, shard, k, strlen(k), v, strlen(v));
    return ddb_store_write(s, &b);
}

static int del(ddb_store *s, ddb_arena *a, int shard, const char *k)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_delete(&b, shard, k, strlen(k));
    return ddb_store_write(s, &b);
}

/* The value as a NUL-terminated arena string, NULL when absent, "<error>" on an error. */
static const char *get(ddb_store *s, ddb_arena *a, int shard, const char *k)
{
    char *v;
    size_t vlen;

    if (ddb_store_get(s, a, shard, k, strlen(k), &v, &vlen) != DDB_STORE_OK)
        return "<error>";
    return v == NULL ? NULL : ddb_arena_strndup(a, v, vlen);
}

static ddb_store_key skey(int shard, const char *k)
{
    ddb_store_key key = {shard, k, strlen(k), NULL, 0};
    return key;
}

static long val_long(const ddb_store_key *k)
{
    char buf[32];
    size_t n = k->vlen < sizeof(buf) - 1 ? k->vlen : sizeof(buf) - 1;

    if (k->val == NULL)
        return 0;
    memcpy(buf, k->val, n);
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static char *long_str(ddb_arena *a, long v)
{
    return ddb_arena_sprintf(a, "%ld", v);
}

/* Iterates the whole range and joins the keys with ','. */
static const char *scan_keys(ddb_store_iter *it, ddb_arena *a, const char *from, int *status)
{
    char *out = ddb_arena_strndup(a, "", 0);

    ddb_store_iter_seek(it, from, from ? strlen(from) : 0);
    for (; ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        out = ddb_arena_sprintf(a, "%s%s%.*s", out, *out ? "," : "", (int)klen, k);
    }
    *status = ddb_store_iter_status(it);
    return out;
}

static const char *range_keys(ddb_store *s, ddb_arena *a, int shard, const char *lo, const char *hi, int reverse,
                              const char *from)
{
    ddb_store_iter *it = ddb_store_iter_open(s, shard, lo, strlen(lo), hi, strlen(hi), reverse);
    int status;
    const char *r = scan_keys(it, a, from, &status);

    ddb_store_iter_close(it);
    return status == DDB_STORE_OK ? r : "<error>";
}

/* ---- point reads and writes ---- */

TEST(contract_result_classes)
{
    ASSERT_EQ(DDB_STORE_OK, 0);
    ASSERT_EQ(DDB_STORE_EIO, -1);
    ASSERT(DDB_STORE_ECONFLICT < 0 && DDB_STORE_ECORRUPT < 0);
    ASSERT(DDB_STORE_ECONFLICT != DDB_STORE_EIO && DDB_STORE_ECORRUPT != DDB_STORE_EIO);
}

TEST(contract_point_put_get_delete)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    char *v;
    size_t vlen;

    ddb_arena_init(&a);
    ASSERT_NULL(get(s, &a, 0, "k1"));
    ASSERT_NULL(get(s, &a, 2, "k1")); /* a shard never written */
    ASSERT_EQ(put(s, &a, 0, "k1", "v1"), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 0, "k1"), "v1");
    ASSERT_NULL(get(s, &a, 1, "k1")); /* shards are separate keyspaces */
    ASSERT_EQ(put(s, &a, 0, "k1", "v2"), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 0, "k1"), "v2");
    ASSERT_EQ(del(s, &a, 0, "k1"), DDB_STORE_OK);
    ASSERT_NULL(get(s, &a, 0, "k1"));
    ASSERT_EQ(del(s, &a, 0, "never-there"), DDB_STORE_OK);
    /* an empty value is a value, not an absence */
    ASSERT_EQ(put(s, &a, 1, "empty", ""), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_get(s, &a, 1, "empty", 5, &v, &vlen), DDB_STORE_OK);
    ASSERT(v != NULL);
    ASSERT_EQ(vlen, 0);
    /* binary keys and values with NUL bytes */
    {
        const char bk[] = {'b', 0, 'k', 0}, bv[] = {0, 1, 2, 0, 3};
        ddb_batch b;
        ddb_batch_init(&b, &a);
        ddb_batch_put(&b, 2, bk, sizeof(bk), bv, sizeof(bv));
        ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
        ASSERT_EQ(ddb_store_get(s, &a, 2, bk, sizeof(bk), &v, &vlen), DDB_STORE_OK);
        ASSERT_MEM_EQ(v, vlen, bv, sizeof(bv));
        ASSERT_EQ(ddb_store_get(s, &a, 2, bk, 2, &v, &vlen), DDB_STORE_OK); /* a prefix is another key */
        ASSERT_NULL(v);
    }
    /* the metadata space */
    ASSERT_EQ(put(s, &a, -1, "meta/x", "m"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_meta_get(s, &a, "meta/x", 6, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "m", 1);
    ASSERT_NULL(get(s, &a, 0, "meta/x"));
    ASSERT_EQ(ddb_store_nshards(s), 3);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- compound writes ---- */

TEST(contract_compound_write_applies_all)
{
    ddb_store *s = open_mem(4);
    ddb_arena a;
    ddb_batch b;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, 3, "gone", "x"), DDB_STORE_OK);
    ddb_batch_init(&b, &a);
    for (int i = 0; i < 40; i++) { /* grows the batch past its first allocation */
        char *k = ddb_arena_sprintf(&a, "k%02d", i);
        ddb_batch_put(&b, i % 4, k, strlen(k), k, strlen(k));
    }
    ddb_batch_delete(&b, 3, "gone", 4);
    ddb_batch_put(&b, -1, "meta", 4, "m", 1);
    ddb_batch_put(&b, 0, "k00", 3, "last", 4); /* a later op on the same key wins */
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 0, "k00"), "last");
    ASSERT_STR_EQ(get(s, &a, 1, "k01"), "k01");
    ASSERT_STR_EQ(get(s, &a, 3, "k39"), "k39");
    ASSERT_STR_EQ(get(s, &a, -1, "meta"), "m");
    ASSERT_NULL(get(s, &a, 3, "gone"));
    ddb_batch_init(&b, &a);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK); /* an empty batch */
    ddb_arena_free(&a);
    ddb_store_close(s);
}

typedef struct atomic_ctx {
    ddb_store *s;
    atomic_int stop;
    atomic_int bad;
    atomic_long reads;
} atomic_ctx;

static void *atomic_writer(void *p)
{
    atomic_ctx *c = p;
    ddb_arena a;

    ddb_arena_init(&a);
    for (long gen = 1; gen <= 3000 && !atomic_load(&c->stop); gen++) {
        ddb_batch b;
        char *v = long_str(&a, gen);
        ddb_batch_init(&b, &a);
        ddb_batch_put(&b, 0, "pair-a", 6, v, strlen(v));
        ddb_batch_put(&b, 1, "pair-b", 6, v, strlen(v));
        ddb_batch_put(&b, 2, "pair-c", 6, v, strlen(v));
        if (ddb_store_write(c->s, &b) != DDB_STORE_OK)
            atomic_store(&c->bad, 1);
        ddb_arena_reset(&a);
    }
    atomic_store(&c->stop, 1);
    ddb_arena_free(&a);
    return NULL;
}

static void *atomic_reader(void *p)
{
    atomic_ctx *c = p;
    ddb_arena a;

    ddb_arena_init(&a);
    while (!atomic_load(&c->stop)) {
        ddb_store_key k[3] = {skey(0, "pair-a"), skey(1, "pair-b"), skey(2, "pair-c")};
        ddb_store_snapshot *snap = ddb_store_snapshot_take(c->s);
        if (ddb_store_multi_get_at(c->s, snap, &a, k, 3) != DDB_STORE_OK || val_long(&k[0]) != val_long(&k[1]) ||
            val_long(&k[1]) != val_long(&k[2]))
            atomic_store(&c->bad, 1);
        ddb_store_snapshot_release(c->s, snap);
        atomic_fetch_add(&c->reads, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* A snapshot never sees part of a compound write across shards. */
TEST(contract_compound_write_is_atomic_across_shards)
{
    atomic_ctx c;
    pthread_t w, r;

    memset(&c, 0, sizeof(c));
    c.s = open_mem(3);
    pthread_create(&r, NULL, atomic_reader, &c);
    pthread_create(&w, NULL, atomic_writer, &c);
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    ASSERT_EQ(atomic_load(&c.bad), 0);
    ASSERT(atomic_load(&c.reads) > 0);
    ddb_store_close(c.s);
}

/* ---- ordered range reads ---- */

TEST(contract_iter_forward_reverse_bounds_seek)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    ddb_store_iter *it;
    int status;

    ddb_arena_init(&a);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(put(s, &a, 0, ddb_arena_sprintf(&a, "k%d", i), "v"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 0, "j", "out"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 0, "l", "out"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 1, "k5", "other shard"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, -1, "k4", "meta"), DDB_STORE_OK);

    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 0, NULL), "k0,k1,k2,k3,k4,k5,k6,k7,k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 1, NULL), "k9,k8,k7,k6,k5,k4,k3,k2,k1,k0");
    /* lo inclusive, hi exclusive */
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k2", "k5", 0, NULL), "k2,k3,k4");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k2", "k5", 1, NULL), "k4,k3,k2");
    /* seek-from: at `from` itself or past it, in the iteration's direction */
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 0, "k7"), "k7,k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 0, "k7x"), "k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 1, "k3"), "k3,k2,k1,k0");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k", "l", 1, "k3x"), "k3,k2,k1,k0");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k2", "k5", 0, "k9"), "");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "k2", "k5", 1, "k0"), "");
    /* other shards and the metadata space are separate */
    ASSERT_STR_EQ(range_keys(s, &a, 1, "k", "l", 0, NULL), "k5");
    ASSERT_STR_EQ(range_keys(s, &a, -1, "k", "l", 0, NULL), "k4");
    /* an empty range, and a shard never written */
    ASSERT_STR_EQ(range_keys(s, &a, 0, "m", "n", 0, NULL), "");
    ASSERT_STR_EQ(range_keys(s, &a, 0, "m", "n", 1, NULL), "");

    /* values; re-seeking an open iterator */
    it = ddb_store_iter_open(s, 0, "j", 1, "k1", 2, 0);
    ddb_store_iter_seek(it, NULL, 0);
    ASSERT(ddb_store_iter_valid(it));
    {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        ASSERT_MEM_EQ(k, klen, "j", 1);
        ASSERT_MEM_EQ(v, vlen, "out", 3);
    }
    ASSERT_STR_EQ(scan_keys(it, &a, "k0", &status), "k0");
    ASSERT_EQ(status, DDB_STORE_OK);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "j,k0");
    ddb_store_iter_close(it);

    /* iter_status: OK after the range ran out, also for a shard never written */
    for (int sh = 0; sh < 2; sh++) {
        it = ddb_store_iter_open(s, sh, "a", 1, "z", 1, sh);
        ddb_store_iter_seek(it, NULL, 0);
        while (ddb_store_iter_valid(it))
            ddb_store_iter_next(it);
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
    }
    ddb_store_close(s);
    s = open_mem(4);
    it = ddb_store_iter_open(s, 3, "a", 1, "z", 1, 0);
    ddb_store_iter_seek(it, NULL, 0);
    ASSERT(!ddb_store_iter_valid(it));
    ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
    ddb_store_iter_close(it);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- batched reads and snapshots ---- */

TEST(contract_multi_get)
{
    ddb_store *s = open_mem(4);
    ddb_arena a;
    ddb_store_key k[5];

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, 0, "a", "va"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 2, "b", "vb"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, -1, "m", "vm"), DDB_STORE_OK);
    k[0] = skey(0, "a");
    k[1] = skey(1, "a"); /* same bytes, other shard: absent */
    k[2] = skey(2, "b");
    k[3] = skey(3, "b"); /* a shard never written */
    k[4] = skey(-1, "m");
    for (int i = 0; i < 5; i++) { /* stale output must be overwritten */
        k[i].val = (char *)"stale";
        k[i].vlen = 5;
    }
    ASSERT_EQ(ddb_store_multi_get(s, &a, k, 5), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "va", 2);
    ASSERT_NULL(k[1].val);
    ASSERT_MEM_EQ(k[2].val, k[2].vlen, "vb", 2);
    ASSERT_NULL(k[3].val);
    ASSERT_MEM_EQ(k[4].val, k[4].vlen, "vm", 2);
    ASSERT_EQ(ddb_store_multi_get(s, &a, k, 0), DDB_STORE_OK);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

TEST(contract_snapshot_isolation)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_store_snapshot *snap, *snap2;
    ddb_store_key k[4];
    ddb_store_iter *it;
    int status;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, 0, "a", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 0, "c", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 0, "d", "1"), DDB_STORE_OK);
    snap = ddb_store_snapshot_take(s);
    ASSERT(snap != NULL);
    ASSERT_EQ(put(s, &a, 0, "a", "2"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 0, "b", "2"), DDB_STORE_OK);
    ASSERT_EQ(del(s, &a, 0, "c"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 2, "z", "2"), DDB_STORE_OK); /* a shard first written after the snapshot */

    k[0] = skey(0, "a");
    k[1] = skey(0, "b");
    k[2] = skey(0, "c");
    k[3] = skey(2, "z");
    ASSERT_EQ(ddb_store_multi_get_at(s, snap, &a, k, 4), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "1", 1);
    ASSERT_NULL(k[1].val);
    ASSERT_MEM_EQ(k[2].val, k[2].vlen, "1", 1);
    ASSERT_NULL(k[3].val);
    ASSERT_EQ(ddb_store_multi_get(s, &a, k, 4), DDB_STORE_OK); /* the live view */
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "2", 1);
    ASSERT_MEM_EQ(k[1].val, k[1].vlen, "2", 1);
    ASSERT_NULL(k[2].val);
    ASSERT_MEM_EQ(k[3].val, k[3].vlen, "2", 1);

    /* iterators through the snapshot, both directions */
    it = ddb_store_iter_open_at(s, snap, 0, "a", 1, "z", 1, 0);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "a,c,d");
    ASSERT_EQ(status, DDB_STORE_OK);
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, 0, "a", 1, "z", 1, 1);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "d,c,a");
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, 0, "a", 1, "z", 1, 0);
    ddb_store_iter_seek(it, "a", 1);
    ASSERT(ddb_store_iter_valid(it));
    {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        ASSERT_MEM_EQ(v, vlen, "1", 1);
    }
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, 2, "a", 1, "zz", 2, 0);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "");
    ddb_store_iter_close(it);
    ASSERT_STR_EQ(range_keys(s, &a, 0, "a", "z", 0, NULL), "a,b,d");

    /* a second snapshot sees the later state; the first is unchanged by it */
    snap2 = ddb_store_snapshot_take(s);
    ASSERT_EQ(put(s, &a, 0, "a", "3"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_multi_get_at(s, snap2, &a, k, 1), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "2", 1);
    ASSERT_EQ(ddb_store_multi_get_at(s, snap, &a, k, 1), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "1", 1);
    ddb_store_snapshot_release(s, snap);
    ddb_store_snapshot_release(s, snap2);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- commits ---- */

/* decide: requires x == expect_x, then moves x's value to y and writes a log key in shard 2. It
   keeps no state across calls but `calls` and `batch_was_dirty`, which only observe. */
typedef struct move_ctx {
    long expect_x;
    int calls;
    int batch_was_dirty;
    int saw_y_absent;
    ddb_arena *a;
} move_ctx;

static int decide_move(void *p, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    move_ctx *c = p;
    long x, y;
    char *v;

    c->calls++;
    if (out->n != 0)
        c->batch_was_dirty = 1;
    if (n != 2)
        return 99;
    x = val_long(&keys[0]);
    y = val_long(&keys[1]);
    c->saw_y_absent = keys[1].val == NULL;
    if (x != c->expect_x)
        return 7; /* the guard failed: nothing is written */
    /* some puts first, so a refusal after them would show if the backend wrote anyway */
    v = long_str(c->a, 0);
    ddb_batch_put(out, keys[0].shard, keys[0].key, keys[0].klen, v, strlen(v));
    v = long_str(c->a, x + y);
    ddb_batch_put(out, keys[1].shard, keys[1].key, keys[1].klen, v, strlen(v));
    ddb_batch_put(out, 2, "log", 3, "moved", 5);
    return 0;
}

TEST(contract_commit_decide_sees_values_and_refusal_writes_nothing)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_store_key k[2];
    move_ctx c;

    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    ASSERT_EQ(put(s, &a, 0, "x", "5"), DDB_STORE_OK);
    k[0] = skey(0, "x");
    k[1] = skey(1, "y");

    c.expect_x = 4; /* refused: positive result returned unchanged, nothing written */
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), 7);
    ASSERT(c.calls >= 1);
    ASSERT_STR_EQ(get(s, &a, 0, "x"), "5");
    ASSERT_NULL(get(s, &a, 1, "y"));
    ASSERT_NULL(get(s, &a, 2, "log"));

    c.expect_x = 5;
    c.calls = 0;
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), DDB_STORE_OK);
    ASSERT(c.calls >= 1);
    ASSERT(c.saw_y_absent);
    ASSERT_EQ(c.batch_was_dirty, 0);
    ASSERT_STR_EQ(get(s, &a, 0, "x"), "0");
    ASSERT_STR_EQ(get(s, &a, 1, "y"), "5");
    ASSERT_STR_EQ(get(s, &a, 2, "log"), "moved"); /* out may touch keys that were not read */
    /* the values decide saw are left in keys[] */
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "5", 1);

    /* decide sees the current values: a second move finds x == 0 */
    c.expect_x = 0;
    ASSERT_EQ(put(s, &a, 0, "x", "3"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), 7);
    c.expect_x = 3;
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 1, "y"), "8");
    ASSERT(!c.saw_y_absent);
    ASSERT_EQ(c.batch_was_dirty, 0);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* A pure decide (its output depends only on the keys' values): running it again gives the same
   batch, so whether the backend calls it once or retries, the outcome is the same. */
typedef struct pure_ctx {
    int calls;
    int dirty;
    long last_seen;
    ddb_arena *a;
} pure_ctx;

static int decide_incr_pure(void *p, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    pure_ctx *c = p;

    c->calls++;
    if (out->n != 0)
        c->dirty = 1;
    c->last_seen = val_long(&keys[0]); /* state reset on every call, never accumulated */
    for (size_t i = 0; i < n; i++) {
        char *v = long_str(c->a, val_long(&keys[i]) + 1);
        ddb_batch_put(out, keys[i].shard, keys[i].key, keys[i].klen, v, strlen(v));
    }
    return 0;
}

TEST(contract_commit_decide_rerun_safe)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    ddb_store_key k[3];
    pure_ctx c;

    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    k[0] = skey(0, "p");
    k[1] = skey(1, "q");
    k[2] = skey(1, "r");
    for (int i = 1; i <= 20; i++) {
        c.calls = 0;
        ASSERT_EQ(ddb_store_commit(s, &a, k, 3, decide_incr_pure, &c), DDB_STORE_OK);
        ASSERT(c.calls >= 1); /* at least once; any count is allowed */
        ASSERT_EQ(c.dirty, 0);
        ASSERT_EQ(c.last_seen, i - 1);
    }
    ASSERT_STR_EQ(get(s, &a, 0, "p"), "20");
    ASSERT_STR_EQ(get(s, &a, 1, "q"), "20");
    ASSERT_STR_EQ(get(s, &a, 1, "r"), "20");
    ASSERT_EQ(ddb_store_commit(s, &a, k, 0, decide_incr_pure, &c), DDB_STORE_OK); /* no keys */
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* Many keys in one commit (some surely share a lock stripe in a striped backend). */
TEST(contract_commit_many_keys)
{
    ddb_store *s = open_mem(4);
    ddb_arena a;
    ddb_store_key *k;
    pure_ctx c;
    enum { N = 300 };

    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    k = ddb_arena_alloc(&a, N * sizeof(*k));
    for (int i = 0; i < N; i++)
        k[i] = skey(i % 4, ddb_arena_sprintf(&a, "many-%03d", i));
    ASSERT_EQ(ddb_store_commit(s, &a, k, N, decide_incr_pure, &c), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_commit(s, &a, k, N, decide_incr_pure, &c), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 0, "many-000"), "2");
    ASSERT_STR_EQ(get(s, &a, 3, "many-299"), "2");
    ddb_arena_free(&a);
    ddb_store_close(s);
}

static int rmw_set(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    int *mode = ctx;

    (void)oldlen;
    if (*mode == 1)
        return old == NULL ? 0 : 5; /* attribute_not_exists */
    if (*mode == 2)
        return -1; /* the engine's "request failed" result: returned unchanged too */
    ddb_batch_put(out, 0, "r", 1, "set", 3);
    return 0;
}

TEST(contract_rmw)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    int mode = 0;

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_rmw(s, &a, 0, "r", 1, rmw_set, &mode), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, 0, "r"), "set");
    mode = 1;
    ASSERT_EQ(ddb_store_rmw(s, &a, 0, "r", 1, rmw_set, &mode), 5);
    ASSERT_EQ(ddb_store_rmw(s, &a, 0, "absent", 6, rmw_set, &mode), DDB_STORE_OK);
    mode = 2;
    ASSERT_EQ(ddb_store_rmw(s, &a, 0, "r", 1, rmw_set, &mode), -1);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- concurrency ---- */

#define RACE_THREADS 8
#define RACE_ITERS 2000
#define RACE_COUNTERS 8
#define RMW_THREADS 2
#define RMW_ITERS 2000

static const char *counter_key[RACE_COUNTERS] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};

static int counter_shard(int i)
{
    return i % 3;
}

typedef struct race_ctx {
    ddb_store *s;
    int id;
    atomic_int *failed;
} race_ctx;

typedef struct incr_ctx {
    ddb_arena *a;
} incr_ctx;

static int decide_incr(void *p, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    incr_ctx *c = p;

    for (size_t i = 0; i < n; i++) {
        char *v = long_str(c->a, val_long(&keys[i]) + 1);
        ddb_batch_put(out, keys[i].shard, keys[i].key, keys[i].klen, v, strlen(v));
    }
    return 0;
}

static void *race_commit(void *p)
{
    race_ctx *r = p;
    ddb_arena a;
    incr_ctx c = {&a};
    int i0 = r->id % RACE_COUNTERS, i1 = (r->id + 1) % RACE_COUNTERS;

    ddb_arena_init(&a);
    for (int it = 0; it < RACE_ITERS; it++) {
        ddb_store_key k[2];
        /* odd threads name the pair in the other order */
        int x = (r->id & 1) ? i1 : i0, y = (r->id & 1) ? i0 : i1;
        k[0] = skey(counter_shard(x), counter_key[x]);
        k[1] = skey(counter_shard(y), counter_key[y]);
        if (ddb_store_commit(r->s, &a, k, 2, decide_incr, &c) != DDB_STORE_OK)
            atomic_store(r->failed, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

static int rmw_incr(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    incr_ctx *c = ctx;
    ddb_store_key k = {counter_shard(0), counter_key[0], 2, (char *)old, oldlen};
    char *v = long_str(c->a, val_long(&k) + 1);

    ddb_batch_put(out, k.shard, k.key, k.klen, v, strlen(v));
    return 0;
}

static void *race_rmw(void *p)
{
    race_ctx *r = p;
    ddb_arena a;
    incr_ctx c = {&a};

    ddb_arena_init(&a);
    for (int it = 0; it < RMW_ITERS; it++) {
        if (ddb_store_rmw(r->s, &a, counter_shard(0), counter_key[0], 2,
                          rmw_incr, &c) != DDB_STORE_OK)
            atomic_store(r->failed, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* 8 threads x 2000 two-key increments over overlapping pairs, plus rmw increments of one of the
   keys: every counter ends exact, so no commit (nor rmw) interleaved with another on a key. */
TEST(contract_commit_races_exact_sums)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    atomic_int failed = 0;
    pthread_t th[RACE_THREADS + RMW_THREADS];
    race_ctx rc[RACE_THREADS + RMW_THREADS];
    char *v;
    size_t vlen;

    ddb_arena_init(&a);
    for (int i = 0; i < RACE_THREADS + RMW_THREADS; i++) {
        rc[i] = (race_ctx){s, i, &failed};
        pthread_create(&th[i], NULL, i < RACE_THREADS ? race_commit : race_rmw, &rc[i]);
    }
    for (int i = 0; i < RACE_THREADS + RMW_THREADS; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ(atomic_load(&failed), 0);
    for (int i = 0; i < RACE_COUNTERS; i++) {
        /* counter i is in the pairs of threads i-1 and i */
        long want = 2L * RACE_ITERS + (i == 0 ? (long)RMW_THREADS * RMW_ITERS : 0);
        ASSERT_EQ(ddb_store_get(s, &a, counter_shard(i), counter_key[i], 2, &v, &vlen), DDB_STORE_OK);
        ASSERT(v != NULL);
        ddb_store_key k = {0, "", 0, v, vlen};
        ASSERT_EQ(val_long(&k), want);
    }
    ddb_arena_free(&a);
    ddb_store_close(s);
}

#define DL_THREADS 4
#define DL_ITERS 1000
#define DL_KEYS 6

typedef struct dl_ctx {
    ddb_store *s;
    int id;
    atomic_int *done;
    atomic_int *failed;
} dl_ctx;

static void *deadlock_worker(void *p)
{
    dl_ctx *d = p;
    ddb_arena a;
    incr_ctx c = {&a};
    static const char *names[DL_KEYS] = {"dl-a", "dl-b", "dl-c", "dl-d", "dl-e", "dl-f"};

    ddb_arena_init(&a);
    for (int it = 0; it < DL_ITERS; it++) {
        ddb_store_key k[DL_KEYS];
        for (int i = 0; i < DL_KEYS; i++) {
            /* even threads ascending, odd threads descending; rotated every iteration */
            int j = (d->id & 1) ? DL_KEYS - 1 - (i + it) % DL_KEYS : (i + it) % DL_KEYS;
            k[i] = skey(j % 3, names[j]);
        }
        if (ddb_store_commit(d->s, &a, k, DL_KEYS, decide_incr, &c) != DDB_STORE_OK)
            atomic_store(d->failed, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    atomic_fetch_add(d->done, 1);
    return NULL;
}

/* Threads committing the same key set in opposite orders all finish (within a minute). */
TEST(contract_commit_no_deadlock_opposite_orders)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    atomic_int done = 0, failed = 0;
    pthread_t th[DL_THREADS];
    dl_ctx d[DL_THREADS];
    double deadline = now_ms() + 60000;

    ddb_arena_init(&a);
    for (int i = 0; i < DL_THREADS; i++) {
        d[i] = (dl_ctx){s, i, &done, &failed};
        pthread_create(&th[i], NULL, deadlock_worker, &d[i]);
    }
    while (atomic_load(&done) < DL_THREADS && now_ms() < deadline)
        sleep_ms(5);
    if (atomic_load(&done) < DL_THREADS) {
        ddb_test_fail(__FILE__, __LINE__, "commits deadlocked: %d of %d threads finished", atomic_load(&done),
                      DL_THREADS);
        fflush(NULL);
        _exit(1); /* the stuck threads cannot be joined */
    }
    for (int i = 0; i < DL_THREADS; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ(atomic_load(&failed), 0);
    ASSERT_EQ(strtol(get(s, &a, 0, "dl-a"), NULL, 10), DL_THREADS * DL_ITERS);
    ASSERT_EQ(strtol(get(s, &a, 2, "dl-f"), NULL, 10), DL_THREADS * DL_ITERS);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- the barrier ---- */

typedef struct slow_ctx {
    ddb_store *s;
    atomic_int in_decide;
    atomic_int decided;
    int rc;
} slow_ctx;

static int decide_slow(void *p, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    slow_ctx *c = p;

    (void)keys;
    (void)n;
    atomic_store(&c->in_decide, 1);
    sleep_ms(50);
    ddb_batch_put(out, 1, "slow", 4, "done", 4);
    atomic_store(&c->decided, 1);
    return 0;
}

static void *slow_commit(void *p)
{
    slow_ctx *c = p;
    ddb_arena a;
    ddb_store_key k = skey(1, "slow");

    ddb_arena_init(&a);
    c->rc = ddb_store_commit(c->s, &a, &k, 1, decide_slow, c);
    ddb_arena_free(&a);
    return NULL;
}

TEST(contract_barrier_waits_for_commits_in_flight)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    slow_ctx c;
    pthread_t th;
    double t0;

    ddb_arena_init(&a);
    ddb_store_barrier(s); /* nothing in flight: returns */
    memset(&c, 0, sizeof(c));
    c.s = s;
    pthread_create(&th, NULL, slow_commit, &c);
    while (!atomic_load(&c.in_decide))
        sleep_ms(1);
    t0 = now_ms();
    ddb_store_barrier(s);
    /* the commit had started: its write is complete and visible when the barrier returns */
    ASSERT(atomic_load(&c.decided));
    ASSERT_STR_EQ(get(s, &a, 1, "slow"), "done");
    ASSERT(now_ms() - t0 >= 20); /* it did wait (decide sleeps 50 ms) */
    pthread_join(th, NULL);
    ASSERT_EQ(c.rc, DDB_STORE_OK);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- range deletion ---- */

TEST(contract_delete_range_all)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;

    ddb_arena_init(&a);
    for (int sh = 0; sh < 3; sh++) {
        ASSERT_EQ(put(s, &a, sh, "t1/a", "x"), DDB_STORE_OK);
        ASSERT_EQ(put(s, &a, sh, "t1/b", "x"), DDB_STORE_OK);
        ASSERT_EQ(put(s, &a, sh, "t0/z", "x"), DDB_STORE_OK);
        ASSERT_EQ(put(s, &a, sh, "t2", "x"), DDB_STORE_OK);
    }
    ASSERT_EQ(ddb_store_delete_range_all(s, "t1", 2, "t2", 2), DDB_STORE_OK);
    for (int sh = 0; sh < 3; sh++) {
        ASSERT_STR_EQ(range_keys(s, &a, sh, "t", "u", 0, NULL), "t0/z,t2");
        ASSERT_NULL(get(s, &a, sh, "t1/a"));
    }
    /* an empty range and an empty store are fine */
    ASSERT_EQ(ddb_store_delete_range_all(s, "x", 1, "y", 1), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_mem(2);
    ASSERT_EQ(ddb_store_delete_range_all(s, "a", 1, "z", 1), DDB_STORE_OK);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- data directories ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TEST(contract_reopen_keeps_data_and_upgrades_format)
{
    char tmpl[] = "/tmp/ddb-contract-XXXXXX";
    char *dir = mkdtemp(tmpl), *err = NULL;
    ddb_store *s;
    ddb_arena a;
    int current;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 0); /* a new directory */
    ASSERT_EQ(put(s, &a, 0, "a", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, 2, "b", "2"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, -1, "m", "3"), DDB_STORE_OK);
    ddb_store_close(s);

    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    current = ddb_store_format_found(s);
    ASSERT(current >= 2); /* written by this version at the first open */
    ASSERT_STR_EQ(get(s, &a, 0, "a"), "1");
    ASSERT_STR_EQ(get(s, &a, 2, "b"), "2");
    ASSERT_STR_EQ(get(s, &a, -1, "m"), "3");
    ASSERT_STR_EQ(range_keys(s, &a, 2, "a", "z", 0, NULL), "b");
    /* make it look like a format-1 directory (written by the previous version) */
    ASSERT_EQ(put(s, &a, -1, "ddbd/format", "1"), DDB_STORE_OK);
    ddb_store_close(s);

    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 1); /* accepted, reported, upgraded */
    ASSERT_STR_EQ(get(s, &a, 0, "a"), "1");
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), current);
    /* an unknown (future) format is refused, and the directory is left as it was */
    ASSERT_EQ(put(s, &a, -1, "ddbd/format", "99"), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT_NULL(s);
    ASSERT(err != NULL && strstr(err, "format") != NULL);
    free(err);
    err = NULL;
    s = open_store(dir, 3, &err);
    ASSERT_NULL(s);
    free(err);

    ddb_arena_free(&a);
    rm_tree(dir);
}
