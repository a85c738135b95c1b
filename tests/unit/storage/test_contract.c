/*
 * tests/unit/storage/test_contract.c: the storage contract (server/storage/storage.h,
 * docs/storage-backends.md), checked through that interface only, on every backend in BACKENDS[]
 * below that this environment has: RocksDB always, RADOS when DDBD_TEST_RADOS_CONF names a
 * cluster's ceph.conf (tests/rados/run.sh starts one). Each case (CONTRACT) runs once per backend,
 * in the table's order; a failure ends the case and names the backend. What one backend does and
 * another does not yet is a capability in the table, and the cases check it only where it is
 * claimed. A new backend is one row (its name, how a test opens a store, its capabilities).
 *
 * Placement is the backend's: the test only supplies key_hash (test_key_hash) and never names a
 * shard. Where a test needs keys in different places it writes enough keys (24 or more, scattered
 * by their hashes) that several places are certainly used.
 *
 * Covered: point reads and writes, the metadata space kept apart from the data space (point
 * reads, range reads, range deletion), compound writes (atomic across places, appended batches),
 * ordered iteration both ways with bounds and seek-from over ranges merged across places (stores
 * of 1, 3 and 8 shards) and over one partition, batched reads, snapshots (point, merged range,
 * one partition, places first written after the snapshot), conditional commits (values seen by
 * decide, refusal, atomicity, re-run safety), independent commits in one call (in order, each
 * whole, stopping at a refusal), racing commits, rmw and such calls on overlapping keys (exact
 * sums), opposite lock orders (no deadlock), the barrier, iterator status, range deletion, the
 * keyed hash, and reopening a data directory (data kept, keys moved to another shard count,
 * old format upgraded, unknown format refused, a trimmed sequenced prefix numbered above its
 * floor); and that each row opens the backend it names,
 * shared or not as its capabilities say.
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

#include <sodium.h>

#include "rados_conf.h"
#include "server/base/be.h"
#include "server/storage/ring.h" /* ddb_ring_fixed_key */
#include "server/storage/storage.h"
#include "test.h"

/* ---- helpers ---- */

/* Bytes of a data key that name its partition in the engine's layout (table or index id, 4, and
   the partition hash, 8); RocksDB reads a range whose bounds share them from one place. */
#define PARTITION_BYTES 12

/*
 * The partition hash: FNV-1a of the key's partition prefix (its first PARTITION_BYTES bytes) or
 * of the whole of a shorter key. Keys sharing a 12-byte prefix are therefore one partition, as in
 * the engine's layout, and short keys each hash (and are placed) on their own, which scatters the
 * short keys of most tests over every shard.
 */
static uint64_t test_key_hash(const char *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    if (klen > PARTITION_BYTES)
        klen = PARTITION_BYTES;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    return h;
}

/*
 * ---- the backends ----
 *
 * A backend's open: a store on the data directory `path` (NULL: a new in-memory store) with
 * `nshards` shards, the test's key_hash and PARTITION_BYTES; NULL with *err set when it cannot.
 */
typedef ddb_store *(*backend_open)(const char *path, unsigned nshards, char **err);

/* What a backend does beyond what every backend must. */
enum {
    /* a range read through a snapshot sees the store as of the snapshot, as point reads do (RADOS:
       not yet, its range reads are not point-in-time: docs/scale-out.md) */
    CAP_SCAN_SNAPSHOT = 1 << 0,
    /* several processes (gateways) may open one store at once (ddb_store_shared); their races are
       tests/unit/storage/rados/'s */
    CAP_SHARED = 1 << 1,
};

typedef struct backend {
    const char *name; /* ddb_store_backend_name's */
    const char *how;  /* which row of that backend, in failure messages */
    backend_open open;
    unsigned caps;
    const char *(*missing)(void); /* why this environment does not have the backend, NULL when it has it;
                                     the member NULL: every environment has it */
    int race_share;               /* the racing cases' rounds are divided by it: on RADOS every commit is
                                     network round trips, and an eighth of RocksDB's rounds is still
                                     thousands of contended commits (20,000 took 93 s on the 2-core machine) */
    int format;                   /* the format version a new store is stamped with (docs/storage-format.md:
                                     a data directory's 5, several databases; a RADOS pool's 4) */
} backend;

static void base_options(ddb_store_options *o, const char *path, unsigned nshards)
{
    memset(o, 0, sizeof(*o));
    o->path = path;
    o->in_memory = path == NULL;
    o->nshards = nshards;
    o->key_hash = test_key_hash;
    o->partition_bytes = PARTITION_BYTES;
}

static ddb_store *rocksdb_open(const char *path, unsigned nshards, char **err)
{
    ddb_store_options o;

    base_options(&o, path, nshards);
    *err = NULL;
    return ddb_store_open(&o, err);
}

/* The same, a new store opened at once rather than on its first write (storage/lazy.c), as
   --sync opens a new data directory: the cases above run on both. */
static ddb_store *rocksdb_open_now(const char *path, unsigned nshards, char **err)
{
    ddb_store_options o;

    base_options(&o, path, nshards);
    o.open_now = 1;
    *err = NULL;
    return ddb_store_open(&o, err);
}

/* A RADOS store in a namespace of its own of the pool "ddbd": an in-memory store gets a new
   namespace, a directory the same one at every open. */
static ddb_store *rados_open(const char *path, unsigned nshards, char **err)
{
    static int stores;
    const char *base = path != NULL ? strrchr(path, '/') : NULL;
    ddb_store_options o;
    char pool[256];

    base_options(&o, path, nshards);
    o.backend = DDB_BACKEND_RADOS;
    o.rados_conf = test_rados_conf();
    if (path != NULL)
        snprintf(pool, sizeof(pool), "ddbd/c%ld-%s", (long)getpid(), base != NULL ? base + 1 : path);
    else
        snprintf(pool, sizeof(pool), "ddbd/c%ld-mem%d", (long)getpid(), stores++);
    o.rados_pool = pool;
    *err = NULL;
    return ddb_store_open(&o, err);
}

static const char *rados_missing(void)
{
    return test_rados_conf() == NULL ? "DDBD_TEST_RADOS_CONF is not set" : NULL;
}

static const backend BACKENDS[] = {
    {"rocksdb", "a new store opened on its first write", rocksdb_open, CAP_SCAN_SNAPSHOT, NULL, 1, 5},
    {"rocksdb", "a new store opened at once", rocksdb_open_now, CAP_SCAN_SNAPSHOT, NULL, 1, 5},
    {"rados", "", rados_open, CAP_SHARED, rados_missing, 8, 4},
};

static const backend *current; /* the backend the running case is on */

static int has(unsigned cap)
{
    return (current->caps & cap) == cap;
}

/* Runs a case on every backend this environment has, in the table's order, until one fails. */
static void on_every_backend(void (*run)(void))
{
    static int told;

    for (size_t i = 0; i < ARRAY_LEN(BACKENDS); i++) {
        const char *why = BACKENDS[i].missing != NULL ? BACKENDS[i].missing() : NULL;
        if (why != NULL) {
            if (!told)
                fprintf(stderr, "  skipped on %s: %s\n", BACKENDS[i].name, why);
            continue;
        }
        current = &BACKENDS[i];
        run();
        if (ddb_test_failed) {
            ddb_test_fail(__FILE__, __LINE__, "(on the %s backend%s%s)", current->name, *current->how ? ": " : "",
                          current->how);
            break;
        }
    }
    told = 1;
    current = NULL;
}

/* CONTRACT(name) { ... }: a case of the contract, run on every backend (on_every_backend). */
#define CONTRACT(name)                                                                                                 \
    static void name##_on_backend(void);                                                                               \
    TEST(name) { on_every_backend(name##_on_backend); }                                                                \
    static void name##_on_backend(void)

static ddb_store *open_store(const char *path, unsigned nshards, char **err)
{
    return current->open(path, nshards, err);
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

static int put(ddb_store *s, ddb_arena *a, const char *k, const char *v)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_put(&b, k, strlen(k), v, strlen(v));
    return ddb_store_write(s, &b);
}

static int del(ddb_store *s, ddb_arena *a, const char *k)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_delete(&b, k, strlen(k));
    return ddb_store_write(s, &b);
}

static int meta_put(ddb_store *s, ddb_arena *a, const char *k, const char *v)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_meta_put(&b, k, strlen(k), v, strlen(v));
    return ddb_store_write(s, &b);
}

static int meta_del(ddb_store *s, ddb_arena *a, const char *k)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_meta_delete(&b, k, strlen(k));
    return ddb_store_write(s, &b);
}

/* The value as a NUL-terminated arena string, NULL when absent, "<error>" on an error. */
static const char *get(ddb_store *s, ddb_arena *a, const char *k)
{
    char *v;
    size_t vlen;

    if (ddb_store_get(s, a, k, strlen(k), &v, &vlen) != DDB_STORE_OK)
        return "<error>";
    return v == NULL ? NULL : ddb_arena_strndup(a, v, vlen);
}

static const char *meta_get(ddb_store *s, ddb_arena *a, const char *k)
{
    char *v;
    size_t vlen;

    if (ddb_store_meta_get(s, a, k, strlen(k), &v, &vlen) != DDB_STORE_OK)
        return "<error>";
    return v == NULL ? NULL : ddb_arena_strndup(a, v, vlen);
}

static ddb_store_key skey(const char *k)
{
    ddb_store_key key = {k, strlen(k), NULL, 0};
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

/* A growing string (long joined key lists without quadratic arena use). */
typedef struct strbuf {
    char *p;
    size_t n, cap;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Appends an item of a ','-joined list. */
static void sb_item(strbuf *b, const char *s, size_t n)
{
    if (b->n > 0)
        sb_add(b, ",", 1);
    sb_add(b, s, n);
}

/* The list as an arena string; frees the buffer. */
static const char *sb_done(strbuf *b, ddb_arena *a)
{
    const char *r = ddb_arena_strndup(a, b->p ? b->p : "", b->n);

    free(b->p);
    memset(b, 0, sizeof(*b));
    return r;
}

/* Iterates the whole range (from `from` when given) and joins the keys with ',' (with_vals:
   "key=value" items). */
static const char *scan_items(ddb_store_iter *it, ddb_arena *a, const char *from, int with_vals, int *status)
{
    strbuf b = {0};

    ddb_store_iter_seek(it, from, from ? strlen(from) : 0);
    for (; ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        sb_item(&b, k, klen);
        if (with_vals) {
            const char *v = ddb_store_iter_val(it, &vlen);
            sb_add(&b, "=", 1);
            sb_add(&b, v, vlen);
        }
    }
    *status = ddb_store_iter_status(it);
    return sb_done(&b, a);
}

static const char *scan_keys(ddb_store_iter *it, ddb_arena *a, const char *from, int *status)
{
    return scan_items(it, a, from, 0, status);
}

/* A data range read as a key list, "<error>" when the iterator ended with an error. */
static const char *range_items(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, const char *lo,
                               size_t lolen, const char *hi, size_t hilen, int reverse, const char *from, int with_vals)
{
    ddb_store_iter *it = snap != NULL ? ddb_store_iter_open_at(s, snap, lo, lolen, hi, hilen, reverse)
                                      : ddb_store_iter_open(s, lo, lolen, hi, hilen, reverse);
    int status;
    const char *r = scan_items(it, a, from, with_vals, &status);

    ddb_store_iter_close(it);
    return status == DDB_STORE_OK ? r : "<error>";
}

static const char *range_keys(ddb_store *s, ddb_arena *a, const char *lo, const char *hi, int reverse,
                              const char *from)
{
    return range_items(s, NULL, a, lo, strlen(lo), hi, strlen(hi), reverse, from, 0);
}

static const char *meta_range_keys(ddb_store *s, ddb_arena *a, const char *lo, const char *hi, const char *from)
{
    ddb_store_iter *it = ddb_store_meta_iter_open(s, lo, strlen(lo), hi, strlen(hi));
    int status;
    const char *r = scan_keys(it, a, from, &status);

    ddb_store_iter_close(it);
    return status == DDB_STORE_OK ? r : "<error>";
}

/* The keys printf(fmt, i) for i = first .. last (inclusive, either direction), ','-joined. */
static const char *seq(ddb_arena *a, const char *fmt, int first, int last)
{
    strbuf b = {0};
    int step = first <= last ? 1 : -1;

    for (int i = first;; i += step) {
        char k[64];
        int n = snprintf(k, sizeof(k), fmt, i);
        sb_item(&b, k, (size_t)n);
        if (i == last)
            break;
    }
    return sb_done(&b, a);
}

/* ---- point reads and writes ---- */

/* (no store: once, not per backend) */
TEST(contract_result_classes)
{
    ASSERT_EQ(DDB_STORE_OK, 0);
    ASSERT_EQ(DDB_STORE_EIO, -1);
    ASSERT(DDB_STORE_ECONFLICT < 0 && DDB_STORE_ECORRUPT < 0);
    ASSERT(DDB_STORE_ECONFLICT != DDB_STORE_EIO && DDB_STORE_ECORRUPT != DDB_STORE_EIO);
}

/* The store a row opens is that backend's, and shared (several gateways) exactly when the row says so. */
CONTRACT(contract_backend_is_what_its_row_says)
{
    ddb_store *s = open_mem(2);

    ASSERT_STR_EQ(ddb_store_backend_name(s), current->name);
    ASSERT_EQ(ddb_store_shared(s), has(CAP_SHARED));
    ddb_store_close(s);
}

CONTRACT(contract_point_put_get_delete)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    char *v;
    size_t vlen;

    ddb_arena_init(&a);
    ASSERT_NULL(get(s, &a, "k1")); /* nothing was ever written anywhere */
    ASSERT_NULL(meta_get(s, &a, "k1"));
    ASSERT_EQ(put(s, &a, "k1", "v1"), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "k1"), "v1");
    ASSERT_NULL(get(s, &a, "k2")); /* another key, wherever it is placed */
    ASSERT_NULL(get(s, &a, "k")); /* a prefix is another key */
    ASSERT_NULL(get(s, &a, "k10"));
    ASSERT_EQ(put(s, &a, "k1", "v2"), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "k1"), "v2");
    ASSERT_EQ(del(s, &a, "k1"), DDB_STORE_OK);
    ASSERT_NULL(get(s, &a, "k1"));
    ASSERT_EQ(del(s, &a, "never-there"), DDB_STORE_OK);
    /* an empty value is a value, not an absence */
    ASSERT_EQ(put(s, &a, "empty", ""), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_get(s, &a, "empty", 5, &v, &vlen), DDB_STORE_OK);
    ASSERT(v != NULL);
    ASSERT_EQ(vlen, 0);
    /* binary keys and values with NUL bytes */
    {
        const char bk[] = {'b', 0, 'k', 0}, bv[] = {0, 1, 2, 0, 3};
        ddb_batch b;
        ddb_batch_init(&b, &a);
        ddb_batch_put(&b, bk, sizeof(bk), bv, sizeof(bv));
        ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
        ASSERT_EQ(ddb_store_get(s, &a, bk, sizeof(bk), &v, &vlen), DDB_STORE_OK);
        ASSERT_MEM_EQ(v, vlen, bv, sizeof(bv));
        ASSERT_EQ(ddb_store_get(s, &a, bk, 2, &v, &vlen), DDB_STORE_OK); /* a prefix is another key */
        ASSERT_NULL(v);
    }
    /* many keys, wherever placed, each read back as written */
    for (int i = 0; i < 64; i++)
        ASSERT_EQ(put(s, &a, ddb_arena_sprintf(&a, "many%d", i), ddb_arena_sprintf(&a, "v%d", i)), DDB_STORE_OK);
    for (int i = 0; i < 64; i++)
        ASSERT_STR_EQ(get(s, &a, ddb_arena_sprintf(&a, "many%d", i)), ddb_arena_sprintf(&a, "v%d", i));
    /* the metadata space: separate from the data space, also for the same key bytes */
    ASSERT_EQ(meta_put(s, &a, "meta/x", "m"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_meta_get(s, &a, "meta/x", 6, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "m", 1);
    ASSERT_NULL(get(s, &a, "meta/x"));
    ASSERT_EQ(put(s, &a, "both", "data"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "both", "meta"), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "both"), "data");
    ASSERT_STR_EQ(meta_get(s, &a, "both"), "meta");
    ASSERT_EQ(del(s, &a, "both"), DDB_STORE_OK); /* a data delete leaves the metadata key */
    ASSERT_NULL(get(s, &a, "both"));
    ASSERT_STR_EQ(meta_get(s, &a, "both"), "meta");
    ASSERT_EQ(put(s, &a, "both", "data"), DDB_STORE_OK);
    ASSERT_EQ(meta_del(s, &a, "both"), DDB_STORE_OK); /* and the reverse */
    ASSERT_NULL(meta_get(s, &a, "both"));
    ASSERT_STR_EQ(get(s, &a, "both"), "data");
    ASSERT_EQ(ddb_store_nshards(s), 3);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- compound writes ---- */

CONTRACT(contract_compound_write_applies_all)
{
    ddb_store *s = open_mem(4);
    ddb_arena a;
    ddb_batch b;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, "gone", "x"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "meta-gone", "x"), DDB_STORE_OK);
    ddb_batch_init(&b, &a);
    for (int i = 0; i < 40; i++) { /* grows the batch past its first allocation; spans every shard */
        char *k = ddb_arena_sprintf(&a, "k%02d", i);
        ddb_batch_put(&b, k, strlen(k), k, strlen(k));
    }
    ddb_batch_delete(&b, "gone", 4);
    ddb_batch_meta_put(&b, "meta", 4, "m", 1);
    ddb_batch_meta_delete(&b, "meta-gone", 9);
    ddb_batch_put(&b, "k00", 3, "last", 4); /* a later op on the same key wins */
    ASSERT_EQ(b.n, 44);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "k00"), "last");
    for (int i = 1; i < 40; i++) {
        char *k = ddb_arena_sprintf(&a, "k%02d", i);
        ASSERT_STR_EQ(get(s, &a, k), k);
    }
    ASSERT_STR_EQ(meta_get(s, &a, "meta"), "m");
    ASSERT_NULL(get(s, &a, "meta")); /* a metadata put is not a data put */
    ASSERT_NULL(get(s, &a, "gone"));
    ASSERT_NULL(meta_get(s, &a, "meta-gone"));
    ddb_batch_init(&b, &a);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK); /* an empty batch */
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ddb_batch_append: every op of the source, in order, after the destination's own. */
CONTRACT(contract_batch_append)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_batch b, src, empty;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, "del-me", "x"), DDB_STORE_OK);
    ddb_batch_init(&b, &a);
    ddb_batch_init(&src, &a);
    ddb_batch_init(&empty, &a);
    ddb_batch_put(&b, "a", 1, "from-b", 6);
    ddb_batch_put(&b, "b", 1, "from-b", 6);
    for (int i = 0; i < 30; i++) { /* grows the destination while appending */
        char *k = ddb_arena_sprintf(&a, "app%02d", i);
        ddb_batch_put(&src, k, strlen(k), "src", 3);
    }
    ddb_batch_put(&src, "a", 1, "from-src", 8); /* after b's own put of "a": wins */
    ddb_batch_delete(&src, "del-me", 6);
    ddb_batch_meta_put(&src, "m", 1, "meta", 4);
    ddb_batch_append(&b, &src);
    ddb_batch_append(&b, &empty);
    ddb_batch_append(&b, NULL);
    ASSERT_EQ(b.n, 2 + 30 + 3);
    ASSERT_EQ(src.n, 33); /* the source is left as it was */
    ASSERT_MEM_EQ(b.ops[0].key, b.ops[0].klen, "a", 1);
    ASSERT_MEM_EQ(b.ops[2].key, b.ops[2].klen, "app00", 5);
    ASSERT_EQ(b.ops[34].meta, 1);
    ASSERT_EQ(b.ops[33].is_delete, 1);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "a"), "from-src");
    ASSERT_STR_EQ(get(s, &a, "b"), "from-b");
    ASSERT_STR_EQ(get(s, &a, "app00"), "src");
    ASSERT_STR_EQ(get(s, &a, "app29"), "src");
    ASSERT_NULL(get(s, &a, "del-me"));
    ASSERT_STR_EQ(meta_get(s, &a, "m"), "meta");
    ASSERT_NULL(get(s, &a, "m"));
    /* appending to an empty batch copies the source */
    ddb_batch_init(&b, &a);
    ddb_batch_append(&b, &src);
    ASSERT_EQ(b.n, src.n);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* Keys of one compound write; 24 scattered keys certainly span the shards of a 3-shard store. */
#define PAIR_KEYS 24

typedef struct atomic_ctx {
    ddb_store *s;
    atomic_int stop;
    atomic_int bad;
    atomic_long reads;
    atomic_long scans;
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
        for (int i = 0; i < PAIR_KEYS; i++) {
            char *k = ddb_arena_sprintf(&a, "pair-%02d", i);
            ddb_batch_put(&b, k, strlen(k), v, strlen(v));
        }
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
        ddb_store_key k[PAIR_KEYS];
        ddb_store_snapshot *snap = ddb_store_snapshot_take(c->s);
        for (int i = 0; i < PAIR_KEYS; i++)
            k[i] = skey(ddb_arena_sprintf(&a, "pair-%02d", i));
        if (ddb_store_multi_get_at(c->s, snap, &a, k, PAIR_KEYS) != DDB_STORE_OK)
            atomic_store(&c->bad, 1);
        for (int i = 1; i < PAIR_KEYS; i++) {
            if (val_long(&k[i]) != val_long(&k[0]))
                atomic_store(&c->bad, 1);
        }
        /* the same through a range read merged across the shards: all keys or none, one value
           (where range reads through a snapshot are point-in-time) */
        if (atomic_fetch_add(&c->reads, 1) % 4 == 0 && has(CAP_SCAN_SNAPSHOT)) {
            ddb_store_iter *it = ddb_store_iter_open_at(c->s, snap, "pair-", 5, "pair.", 5, c->reads % 8 == 1);
            int n = 0;
            long first = -1;
            for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
                ddb_store_key v = {"", 0, NULL, 0};
                v.val = (char *)ddb_store_iter_val(it, &v.vlen);
                if (first < 0)
                    first = val_long(&v);
                else if (val_long(&v) != first)
                    atomic_store(&c->bad, 1);
                n++;
            }
            if ((n != 0 && n != PAIR_KEYS) || ddb_store_iter_status(it) != DDB_STORE_OK ||
                (n != 0 && first != val_long(&k[0])))
                atomic_store(&c->bad, 1);
            ddb_store_iter_close(it);
            atomic_fetch_add(&c->scans, 1);
        }
        ddb_store_snapshot_release(c->s, snap);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* A snapshot never sees part of a compound write across shards (point or range reads). */
CONTRACT(contract_compound_write_is_atomic_across_shards)
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
    ASSERT(atomic_load(&c.scans) > 0 || !has(CAP_SCAN_SNAPSHOT));
    ddb_store_close(c.s);
}

/* ---- ordered range reads ---- */

CONTRACT(contract_iter_forward_reverse_bounds_seek)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    ddb_store_iter *it;
    int status;

    ddb_arena_init(&a);
    for (int i = 0; i < 10; i++)
        ASSERT_EQ(put(s, &a, ddb_arena_sprintf(&a, "k%d", i), "v"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "j", "out"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "l", "out"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "k4x", "meta"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "k5", "meta"), DDB_STORE_OK);

    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 0, NULL), "k0,k1,k2,k3,k4,k5,k6,k7,k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 1, NULL), "k9,k8,k7,k6,k5,k4,k3,k2,k1,k0");
    /* lo inclusive, hi exclusive */
    ASSERT_STR_EQ(range_keys(s, &a, "k2", "k5", 0, NULL), "k2,k3,k4");
    ASSERT_STR_EQ(range_keys(s, &a, "k2", "k5", 1, NULL), "k4,k3,k2");
    /* seek-from: at `from` itself or past it, in the iteration's direction */
    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 0, "k7"), "k7,k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 0, "k7x"), "k8,k9");
    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 1, "k3"), "k3,k2,k1,k0");
    ASSERT_STR_EQ(range_keys(s, &a, "k", "l", 1, "k3x"), "k3,k2,k1,k0");
    ASSERT_STR_EQ(range_keys(s, &a, "k2", "k5", 0, "k9"), "");
    ASSERT_STR_EQ(range_keys(s, &a, "k2", "k5", 1, "k0"), "");
    /* the metadata space is separate: its keys are not in data ranges, and the reverse */
    ASSERT_STR_EQ(range_keys(s, &a, "k4", "k6", 0, NULL), "k4,k5");
    ASSERT_STR_EQ(meta_range_keys(s, &a, "k", "l", NULL), "k4x,k5");
    /* an empty range */
    ASSERT_STR_EQ(range_keys(s, &a, "m", "n", 0, NULL), "");
    ASSERT_STR_EQ(range_keys(s, &a, "m", "n", 1, NULL), "");
    /* the whole data space */
    ASSERT_STR_EQ(range_keys(s, &a, "", "\xff", 0, NULL), "j,k0,k1,k2,k3,k4,k5,k6,k7,k8,k9,l");

    /* values; re-seeking an open iterator */
    it = ddb_store_iter_open(s, "j", 1, "k1", 2, 0);
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
    it = ddb_store_iter_open(s, "j", 1, "z", 1, 1); /* reverse, re-seeked */
    ASSERT_STR_EQ(scan_keys(it, &a, "k1", &status), "k1,k0,j");
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "l,k9,k8,k7,k6,k5,k4,k3,k2,k1,k0,j");
    ASSERT_EQ(status, DDB_STORE_OK);
    ddb_store_iter_close(it);

    /* iter_status: OK after the range ran out, both directions */
    for (int rev = 0; rev < 2; rev++) {
        it = ddb_store_iter_open(s, "a", 1, "z", 1, rev);
        ddb_store_iter_seek(it, NULL, 0);
        while (ddb_store_iter_valid(it))
            ddb_store_iter_next(it);
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
    }
    ddb_store_close(s);
    /* ... and on a store never written (no place holds anything yet), merged or one partition */
    s = open_mem(4);
    for (int rev = 0; rev < 2; rev++) {
        it = ddb_store_iter_open(s, "a", 1, "z", 1, rev);
        ddb_store_iter_seek(it, NULL, 0);
        ASSERT(!ddb_store_iter_valid(it));
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
        it = ddb_store_iter_open(s, "T001P0000001", 12, "T001P0000001\xff", 13, rev);
        ddb_store_iter_seek(it, NULL, 0);
        ASSERT(!ddb_store_iter_valid(it));
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
    }
    ASSERT_STR_EQ(meta_range_keys(s, &a, "a", "c", NULL), "");
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/*
 * A range over many partitions (keys scattered over every shard) in a store of `nshards`: every
 * key exactly once, in key order, forward and reverse, with bounds and seek-from; values with
 * their keys; iter_status OK. The keys are written in a scrambled order, in several batches.
 */
#define MANY 500

static void check_many(ddb_store *s, ddb_arena *a)
{
    const char *fwd = seq(a, "p%04d", 0, MANY - 1), *rev = seq(a, "p%04d", MANY - 1, 0);
    strbuf pairs = {0};

    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 0, NULL), fwd);
    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 1, NULL), rev);
    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 0, "p0250"), seq(a, "p%04d", 250, MANY - 1));
    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 0, "p0250x"), seq(a, "p%04d", 251, MANY - 1));
    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 1, "p0250"), seq(a, "p%04d", 250, 0));
    ASSERT_STR_EQ(range_keys(s, a, "p", "q", 1, "p0250x"), seq(a, "p%04d", 250, 0));
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 0, NULL), seq(a, "p%04d", 100, 199));
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 1, NULL), seq(a, "p%04d", 199, 100));
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 0, "p0150"), seq(a, "p%04d", 150, 199));
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 1, "p0150"), seq(a, "p%04d", 150, 100));
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 0, "p0300"), "");
    ASSERT_STR_EQ(range_keys(s, a, "p0100", "p0200", 1, "p0050"), "");
    ASSERT_STR_EQ(range_keys(s, a, "p0499", "q", 0, NULL), "p0499");
    ASSERT_STR_EQ(range_keys(s, a, "p", "p0001", 1, NULL), "p0000");
    for (int i = 0; i < MANY; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "p%04d", i);
        sb_item(&pairs, k, (size_t)n);
        sb_add(&pairs, "=v", 2);
        sb_add(&pairs, k, (size_t)n);
    }
    ASSERT_STR_EQ(range_items(s, NULL, a, "p", 1, "q", 1, 0, NULL, 1), sb_done(&pairs, a));
    /* the neighbours on both sides and the metadata keys in the range stay out */
    ASSERT_STR_EQ(range_keys(s, a, "o", "r", 0, NULL),
                  ddb_arena_sprintf(a, "o9999,%s,q0000", fwd));
    ASSERT_STR_EQ(range_keys(s, a, "o", "r", 1, NULL),
                  ddb_arena_sprintf(a, "q0000,%s,o9999", rev));
    ASSERT_STR_EQ(meta_range_keys(s, a, "p", "q", NULL), "p0007,p0123");
    for (int i = 0; i < MANY; i += 37)
        ASSERT_STR_EQ(get(s, a, ddb_arena_sprintf(a, "p%04d", i)), ddb_arena_sprintf(a, "vp%04d", i));
}

static void write_many(ddb_store *s, ddb_arena *a)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    for (int j = 0; j < MANY; j++) {
        int i = (int)(((long)j * 263) % MANY); /* 263 is prime to MANY: a permutation */
        char *k = ddb_arena_sprintf(a, "p%04d", i), *v = ddb_arena_sprintf(a, "vp%04d", i);
        ddb_batch_put(&b, k, strlen(k), v, strlen(v));
        if (b.n == 64 || j == MANY - 1) {
            ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
            ddb_batch_init(&b, a);
        }
    }
    ASSERT_EQ(put(s, a, "o9999", "neighbour"), DDB_STORE_OK);
    ASSERT_EQ(put(s, a, "q0000", "neighbour"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, a, "p0007", "meta"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, a, "p0123", "meta"), DDB_STORE_OK);
}

CONTRACT(contract_iter_merged_many_partitions_1_3_8_shards)
{
    static const unsigned counts[] = {1, 3, 8};

    for (size_t c = 0; c < ARRAY_LEN(counts); c++) {
        ddb_store *s = open_mem(counts[c]);
        ddb_arena a;

        ddb_arena_init(&a);
        ASSERT_EQ(ddb_store_nshards(s), counts[c]);
        write_many(s, &a);
        if (!ddb_test_failed)
            check_many(s, &a);
        if (ddb_test_failed) {
            ddb_test_fail(__FILE__, __LINE__, "(in a store of %u shards)", counts[c]);
            return;
        }
        ddb_arena_free(&a);
        ddb_store_close(s);
    }
}

/* iter_status stays OK on merged ranges, after exhaustion both ways, re-seeks, and seeks past
   either end. */
CONTRACT(contract_iter_status_ok_on_merged_ranges)
{
    ddb_store *s = open_mem(8);
    ddb_arena a;
    ddb_store_iter *it;
    int n;

    ddb_arena_init(&a);
    write_many(s, &a);
    for (int rev = 0; rev < 2; rev++) {
        it = ddb_store_iter_open(s, "p", 1, "q", 1, rev);
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK); /* before any seek */
        for (int round = 0; round < 2; round++) {
            n = 0;
            for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
                ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK); /* also while valid */
                n++;
            }
            ASSERT_EQ(n, MANY);
            ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        }
        ddb_store_iter_seek(it, rev ? "a" : "z", 1); /* past the range's end in this direction */
        ASSERT(!ddb_store_iter_valid(it));
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_seek(it, "p0400", 5);
        ASSERT(ddb_store_iter_valid(it));
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
        /* an empty merged range */
        it = ddb_store_iter_open(s, "x", 1, "y", 1, rev);
        ddb_store_iter_seek(it, NULL, 0);
        ASSERT(!ddb_store_iter_valid(it));
        ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
    }
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/*
 * Partitioned keys: a 12-byte partition prefix "T<table>P<partition>" (test_key_hash places by
 * it), alone or followed by "/s<sort>". A range whose bounds share their first 12 bytes is one
 * partition's: it reads that partition's keys, all of them, in order, and nothing of the others.
 */
#define PT_TABLES 3
#define PT_PARTS 12
#define PT_SORTS 30

static const char *part_prefix(ddb_arena *a, int t, int p)
{
    return ddb_arena_sprintf(a, "T%03dP%07d", t, p);
}

/* The partition's keys, ','-joined (the bare prefix first), reversed when asked. */
static const char *part_keys(ddb_arena *a, int t, int p, int from, int to, int with_bare, int reverse)
{
    const char *pre = part_prefix(a, t, p);
    strbuf b = {0};

    if (with_bare && !reverse)
        sb_item(&b, pre, PARTITION_BYTES);
    for (int i = reverse ? to - 1 : from; reverse ? i >= from : i < to; i += reverse ? -1 : 1) {
        char k[32];
        int n = snprintf(k, sizeof(k), "%s/s%03d", pre, i);
        sb_item(&b, k, (size_t)n);
    }
    if (with_bare && reverse)
        sb_item(&b, pre, PARTITION_BYTES);
    return sb_done(&b, a);
}

static void write_partitions(ddb_store *s, ddb_arena *a)
{
    for (int t = 1; t <= PT_TABLES; t++) {
        for (int p = 0; p < PT_PARTS; p++) {
            const char *pre = part_prefix(a, t, p);
            ddb_batch b;
            ddb_batch_init(&b, a);
            /* sort keys in a scrambled order */
            for (int j = 0; j < PT_SORTS; j++) {
                char *k = ddb_arena_sprintf(a, "%s/s%03d", pre, (j * 7) % PT_SORTS);
                ddb_batch_put(&b, k, strlen(k), k, strlen(k));
            }
            ddb_batch_put(&b, pre, PARTITION_BYTES, "bare", 4);
            ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
            /* a metadata key with the partition's prefix, never in data reads */
            ASSERT_EQ(meta_put(s, a, ddb_arena_sprintf(a, "%s/meta", pre), "meta"), DDB_STORE_OK);
        }
    }
}

/* One partition's range reads (its bounds share the 12-byte prefix), through `snap` if given. */
static void check_partition(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, int t, int p)
{
    const char *pre = part_prefix(a, t, p);
    char *hi = ddb_arena_sprintf(a, "%s\xff", pre), *lo5 = ddb_arena_sprintf(a, "%s/s005", pre),
         *lo10 = ddb_arena_sprintf(a, "%s/s010", pre), *lo10x = ddb_arena_sprintf(a, "%s/s010x", pre),
         *hi8 = ddb_arena_sprintf(a, "%s/s008", pre), *hi20 = ddb_arena_sprintf(a, "%s/s020", pre);

    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 0, NULL, 0), part_keys(a, t, p, 0, PT_SORTS, 1, 0));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 1, NULL, 0), part_keys(a, t, p, 0, PT_SORTS, 1, 1));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 0, lo10, 0), part_keys(a, t, p, 10, PT_SORTS, 0, 0));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 0, lo10x, 0), part_keys(a, t, p, 11, PT_SORTS, 0, 0));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 1, lo10x, 0), part_keys(a, t, p, 0, 11, 1, 1));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, hi, 13, 1, lo10, 0), part_keys(a, t, p, 0, 11, 1, 1));
    ASSERT_STR_EQ(range_items(s, snap, a, lo5, strlen(lo5), hi8, strlen(hi8), 0, NULL, 0),
                  part_keys(a, t, p, 5, 8, 0, 0));
    ASSERT_STR_EQ(range_items(s, snap, a, lo5, strlen(lo5), hi8, strlen(hi8), 1, NULL, 0),
                  part_keys(a, t, p, 5, 8, 0, 1));
    ASSERT_STR_EQ(range_items(s, snap, a, lo10, strlen(lo10), hi20, strlen(hi20), 1, lo10x, 0),
                  part_keys(a, t, p, 10, 11, 0, 1));
    /* values come with their keys */
    ASSERT_STR_EQ(range_items(s, snap, a, lo5, strlen(lo5), hi8, strlen(hi8), 0, NULL, 1),
                  ddb_arena_sprintf(a, "%s/s005=%s/s005,%s/s006=%s/s006,%s/s007=%s/s007", pre, pre, pre, pre, pre,
                                    pre));
    ASSERT_STR_EQ(range_items(s, snap, a, pre, 12, lo5, strlen(lo5), 0, NULL, 1),
                  ddb_arena_sprintf(a, "%s=bare,%s/s000=%s/s000,%s/s001=%s/s001,%s/s002=%s/s002,%s/s003=%s/s003,"
                                       "%s/s004=%s/s004",
                                    pre, pre, pre, pre, pre, pre, pre, pre, pre, pre, pre));
}

static void check_partitions(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a)
{
    strbuf all = {0};

    for (int t = 1; t <= PT_TABLES; t++) {
        for (int p = 0; p < PT_PARTS; p++) {
            check_partition(s, snap, a, t, p);
            if (ddb_test_failed) {
                ddb_test_fail(__FILE__, __LINE__, "(partition %s)", part_prefix(a, t, p));
                return;
            }
        }
    }
    /* a partition never written, and one of a table never written */
    ASSERT_STR_EQ(range_items(s, snap, a, "T001P9999999", 12, "T001P9999999\xff", 13, 0, NULL, 0), "");
    ASSERT_STR_EQ(range_items(s, snap, a, "T009P0000000", 12, "T009P0000000\xff", 13, 1, NULL, 0), "");
    /* a whole table, merged across its partitions' places: the partitions in prefix order */
    for (int p = 0; p < PT_PARTS; p++) {
        const char *k = part_keys(a, 2, p, 0, PT_SORTS, 1, 0);
        sb_item(&all, k, strlen(k));
    }
    ASSERT_STR_EQ(range_items(s, snap, a, "T002", 4, "T003", 4, 0, NULL, 0), sb_done(&all, a));
    for (int p = PT_PARTS - 1; p >= 0; p--) {
        const char *k = part_keys(a, 2, p, 0, PT_SORTS, 1, 1);
        sb_item(&all, k, strlen(k));
    }
    ASSERT_STR_EQ(range_items(s, snap, a, "T002", 4, "T003", 4, 1, NULL, 0), sb_done(&all, a));
    /* a range across two partitions (bounds differ within the first 12 bytes) */
    ASSERT_STR_EQ(range_items(s, snap, a, "T001P0000003/s028", 17, "T001P0000004/s002", 17, 0, NULL, 0),
                  "T001P0000003/s028,T001P0000003/s029,T001P0000004,T001P0000004/s000,T001P0000004/s001");
    ASSERT_STR_EQ(range_items(s, snap, a, "T001P0000003/s028", 17, "T001P0000004/s002", 17, 1, NULL, 0),
                  "T001P0000004/s001,T001P0000004/s000,T001P0000004,T001P0000003/s029,T001P0000003/s028");
}

CONTRACT(contract_iter_one_partition_range)
{
    static const unsigned counts[] = {1, 3, 8};

    for (size_t c = 0; c < ARRAY_LEN(counts); c++) {
        ddb_store *s = open_mem(counts[c]);
        ddb_arena a;

        ddb_arena_init(&a);
        write_partitions(s, &a);
        if (!ddb_test_failed)
            check_partitions(s, NULL, &a);
        if (!ddb_test_failed) {
            /* the metadata keys with partition prefixes are only in the metadata space */
            ASSERT_STR_EQ(meta_range_keys(s, &a, "T001P0000002", "T001P0000002\xff", NULL), "T001P0000002/meta");
            ASSERT_STR_EQ(range_items(s, NULL, &a, "T001P0000002/meta", 17, "T001P0000002/n", 14, 0, NULL, 0), "");
            /* a point delete inside a partition shows in its range reads */
            ASSERT_EQ(del(s, &a, "T003P0000011/s015"), DDB_STORE_OK);
            ASSERT_STR_EQ(range_items(s, NULL, &a, "T003P0000011/s014", 17, "T003P0000011/s017", 17, 0, NULL, 0),
                          "T003P0000011/s014,T003P0000011/s016");
        }
        if (ddb_test_failed) {
            ddb_test_fail(__FILE__, __LINE__, "(in a store of %u shards)", counts[c]);
            return;
        }
        ddb_arena_free(&a);
        ddb_store_close(s);
    }
}

/* Metadata keys never appear in data range reads, and data keys never in metadata range reads. */
CONTRACT(contract_meta_and_data_ranges_are_disjoint)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_store_iter *it;
    strbuf even = {0};
    int status;

    ddb_arena_init(&a);
    for (int i = 0; i < 40; i++) {
        char *k = ddb_arena_sprintf(&a, "x/d%02d", i);
        ASSERT_EQ(put(s, &a, k, "data"), DDB_STORE_OK);
        if (i % 2 == 0) { /* every other data key also in the metadata space */
            ASSERT_EQ(meta_put(s, &a, k, "meta"), DDB_STORE_OK);
            sb_item(&even, k, strlen(k));
        }
        ASSERT_EQ(meta_put(s, &a, ddb_arena_sprintf(&a, "x/m%02d", i), "meta"), DDB_STORE_OK);
    }
    /* data ranges: every data key once, no metadata key, merged or one partition */
    ASSERT_STR_EQ(range_keys(s, &a, "x/", "x0", 0, NULL), seq(&a, "x/d%02d", 0, 39));
    ASSERT_STR_EQ(range_keys(s, &a, "x/", "x0", 1, NULL), seq(&a, "x/d%02d", 39, 0));
    ASSERT_STR_EQ(range_items(s, NULL, &a, "x/", 2, "x0", 2, 0, "x/d38", 1), "x/d38=data,x/d39=data");
    ASSERT_STR_EQ(range_keys(s, &a, "x/m", "x/n", 0, NULL), "");
    ASSERT_STR_EQ(range_keys(s, &a, "x/m", "x/n", 1, NULL), "");
    ASSERT_STR_EQ(range_keys(s, &a, "", "\xff", 0, NULL), seq(&a, "x/d%02d", 0, 39));
    /* the backend's own metadata (format, shard count, hash key) is not data either */
    ASSERT_STR_EQ(range_keys(s, &a, "d", "e", 0, NULL), "");
    ASSERT(meta_range_keys(s, &a, "ddbd/", "ddbd0", NULL)[0] != '\0');
    /* metadata ranges: the metadata keys only, with their values; seek-from */
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/m", "x/n", NULL), seq(&a, "x/m%02d", 0, 39));
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/m", "x/n", "x/m30"), seq(&a, "x/m%02d", 30, 39));
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/m", "x/n", "x/m30x"), seq(&a, "x/m%02d", 31, 39));
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/d", "x/e", NULL), sb_done(&even, &a));
    it = ddb_store_meta_iter_open(s, "x/d", 3, "x/d01", 5);
    ddb_store_iter_seek(it, NULL, 0);
    ASSERT(ddb_store_iter_valid(it));
    {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        ASSERT_MEM_EQ(k, klen, "x/d00", 5);
        ASSERT_MEM_EQ(v, vlen, "meta", 4);
    }
    ddb_store_iter_next(it);
    ASSERT(!ddb_store_iter_valid(it));
    ASSERT_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
    ddb_store_iter_close(it);
    /* deletes in one space leave the other */
    ASSERT_EQ(del(s, &a, "x/d00"), DDB_STORE_OK);
    ASSERT_EQ(meta_del(s, &a, "x/d02"), DDB_STORE_OK);
    ASSERT_EQ(meta_del(s, &a, "x/m00"), DDB_STORE_OK);
    ASSERT_STR_EQ(range_keys(s, &a, "x/d", "x/d03", 0, NULL), "x/d01,x/d02");
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/d", "x/d05", NULL), "x/d00,x/d04");
    ASSERT_STR_EQ(meta_range_keys(s, &a, "x/m", "x/m02", NULL), "x/m01");
    it = ddb_store_meta_iter_open(s, "x/m", 3, "x/n", 3);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), seq(&a, "x/m%02d", 1, 39));
    ASSERT_EQ(status, DDB_STORE_OK);
    ddb_store_iter_close(it);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- batched reads and snapshots ---- */

CONTRACT(contract_multi_get)
{
    ddb_store *s = open_mem(4);
    ddb_arena a;
    ddb_store_key k[5], *many;
    enum { N = 100 };

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, "a", "va"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "b", "vb"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "m", "vm"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "gone", "x"), DDB_STORE_OK);
    ASSERT_EQ(del(s, &a, "gone"), DDB_STORE_OK);
    k[0] = skey("a");
    k[1] = skey("never-written"); /* absent */
    k[2] = skey("b");
    k[3] = skey("gone"); /* deleted */
    k[4] = skey("m");    /* a metadata key: not in the data space */
    for (int i = 0; i < 5; i++) { /* stale output must be overwritten */
        k[i].val = (char *)"stale";
        k[i].vlen = 5;
    }
    ASSERT_EQ(ddb_store_multi_get(s, &a, k, 5), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "va", 2);
    ASSERT_NULL(k[1].val);
    ASSERT_MEM_EQ(k[2].val, k[2].vlen, "vb", 2);
    ASSERT_NULL(k[3].val);
    ASSERT_NULL(k[4].val);
    ASSERT_EQ(ddb_store_multi_get(s, &a, k, 0), DDB_STORE_OK);
    /* many keys spread over every shard, present and absent interleaved, in one call */
    many = ddb_arena_alloc(&a, N * sizeof(*many));
    for (int i = 0; i < N; i++) {
        if (i % 3 != 0)
            ASSERT_EQ(put(s, &a, ddb_arena_sprintf(&a, "mg%03d", i), ddb_arena_sprintf(&a, "v%d", i)), DDB_STORE_OK);
        many[N - 1 - i] = skey(ddb_arena_sprintf(&a, "mg%03d", i)); /* in reverse key order */
    }
    ASSERT_EQ(ddb_store_multi_get(s, &a, many, N), DDB_STORE_OK);
    for (int i = 0; i < N; i++) {
        const ddb_store_key *x = &many[N - 1 - i];
        if (i % 3 == 0) {
            ASSERT_NULL(x->val);
        } else {
            const char *want = ddb_arena_sprintf(&a, "v%d", i);
            ASSERT_MEM_EQ(x->val, x->vlen, want, strlen(want));
        }
    }
    ddb_arena_free(&a);
    ddb_store_close(s);
}

CONTRACT(contract_snapshot_isolation)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_store_snapshot *snap, *snap2;
    ddb_store_key k[4];
    ddb_store_iter *it;
    int status;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, "a", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "c", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "d", "1"), DDB_STORE_OK);
    snap = ddb_store_snapshot_take(s);
    ASSERT(snap != NULL);
    ASSERT_EQ(put(s, &a, "a", "2"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "b", "2"), DDB_STORE_OK);
    ASSERT_EQ(del(s, &a, "c"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "z", "2"), DDB_STORE_OK);

    k[0] = skey("a");
    k[1] = skey("b");
    k[2] = skey("c");
    k[3] = skey("z");
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
    ASSERT_EQ(ddb_store_multi_get_at(s, NULL, &a, k, 4), DDB_STORE_OK); /* no snapshot: the live view */
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "2", 1);
    ASSERT_NULL(k[2].val);

    /* iterators through the snapshot, both directions */
    it = ddb_store_iter_open_at(s, snap, "a", 1, "z", 1, 0);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "a,c,d");
    ASSERT_EQ(status, DDB_STORE_OK);
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, "a", 1, "z", 1, 1);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "d,c,a");
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, "a", 1, "z", 1, 0);
    ddb_store_iter_seek(it, "a", 1);
    ASSERT(ddb_store_iter_valid(it));
    {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        ASSERT_MEM_EQ(v, vlen, "1", 1);
    }
    ddb_store_iter_close(it);
    it = ddb_store_iter_open_at(s, snap, "a", 1, "zz", 2, 0);
    ASSERT_STR_EQ(scan_keys(it, &a, NULL, &status), "a,c,d"); /* "z" was written after the snapshot */
    ddb_store_iter_close(it);
    ASSERT_STR_EQ(range_keys(s, &a, "a", "z", 0, NULL), "a,b,d");
    ASSERT_STR_EQ(range_keys(s, &a, "a", "zz", 0, NULL), "a,b,d,z");

    /* a second snapshot sees the later state; the first is unchanged by it */
    snap2 = ddb_store_snapshot_take(s);
    ASSERT_EQ(put(s, &a, "a", "3"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_multi_get_at(s, snap2, &a, k, 1), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "2", 1);
    ASSERT_EQ(ddb_store_multi_get_at(s, snap, &a, k, 1), DDB_STORE_OK);
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "1", 1);
    ddb_store_snapshot_release(s, snap);
    ddb_store_snapshot_release(s, snap2);
    ddb_store_snapshot_release(s, NULL);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* A snapshot taken before anything was written (no shard holds anything yet) sees nothing of the
   keys written after it, wherever they are placed, by point reads or merged range reads. */
CONTRACT(contract_snapshot_before_first_write)
{
    ddb_store *s = open_mem(8);
    ddb_arena a;
    ddb_store_snapshot *snap = ddb_store_snapshot_take(s);
    ddb_store_key k[3];

    ddb_arena_init(&a);
    write_many(s, &a);
    write_partitions(s, &a);
    k[0] = skey("p0000");
    k[1] = skey("p0499");
    k[2] = skey("T001P0000001/s001");
    ASSERT_EQ(ddb_store_multi_get_at(s, snap, &a, k, 3), DDB_STORE_OK);
    ASSERT_NULL(k[0].val);
    ASSERT_NULL(k[1].val);
    ASSERT_NULL(k[2].val);
    for (int rev = 0; rev < 2; rev++) {
        ASSERT_STR_EQ(range_items(s, snap, &a, "", 0, "\xff", 1, rev, NULL, 0), "");
        ASSERT_STR_EQ(range_items(s, snap, &a, "p", 1, "q", 1, rev, NULL, 0), "");
        ASSERT_STR_EQ(range_items(s, snap, &a, "T001P0000001", 12, "T001P0000001\xff", 13, rev, NULL, 0), "");
    }
    check_many(s, &a); /* the live view has it all */
    ddb_store_snapshot_release(s, snap);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* Snapshots through ddb_store_iter_open_at on ranges merged across shards (and of one partition):
   the keys and values of the snapshot's moment, in order both ways, with seek-from, while the
   live view has moved on. */
CONTRACT(contract_snapshot_merged_ranges)
{
    ddb_store *s = open_mem(8);
    ddb_arena a;
    ddb_store_snapshot *snap;
    ddb_batch b;
    strbuf live = {0}, old = {0};

    ddb_arena_init(&a);
    write_many(s, &a);
    write_partitions(s, &a);
    snap = ddb_store_snapshot_take(s);
    /* change a third of the keys, delete a third, add keys between them, touch every partition */
    ddb_batch_init(&b, &a);
    for (int i = 0; i < MANY; i++) {
        char *k = ddb_arena_sprintf(&a, "p%04d", i);
        if (i % 3 == 0)
            ddb_batch_delete(&b, k, strlen(k));
        else if (i % 3 == 1)
            ddb_batch_put(&b, k, strlen(k), "new", 3);
        k = ddb_arena_sprintf(&a, "p%04d+", i);
        ddb_batch_put(&b, k, strlen(k), "new", 3);
    }
    for (int t = 1; t <= PT_TABLES; t++) {
        for (int p = 0; p < PT_PARTS; p++) {
            char *k = ddb_arena_sprintf(&a, "%s/s005", part_prefix(&a, t, p));
            ddb_batch_delete(&b, k, strlen(k));
            k = ddb_arena_sprintf(&a, "%s/s0105", part_prefix(&a, t, p));
            ddb_batch_put(&b, k, strlen(k), "new", 3);
        }
    }
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_delete_range_all(s, "T003", 4, "T004", 4), DDB_STORE_OK); /* a whole table */

    /* the snapshot: as written by write_many and write_partitions */
    for (int i = 0; i < MANY; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "p%04d", i);
        sb_item(&old, k, (size_t)n);
        sb_add(&old, "=v", 2);
        sb_add(&old, k, (size_t)n);
        if (i % 3 != 0) {
            sb_item(&live, k, (size_t)n);
            sb_add(&live, i % 3 == 1 ? "=new" : "=v", i % 3 == 1 ? 4 : 2);
            if (i % 3 == 2)
                sb_add(&live, k, (size_t)n);
        }
        sb_item(&live, k, (size_t)n);
        sb_add(&live, "+=new", 5);
    }
    ASSERT_STR_EQ(range_items(s, snap, &a, "p", 1, "q", 1, 0, NULL, 1), sb_done(&old, &a));
    ASSERT_STR_EQ(range_items(s, NULL, &a, "p", 1, "q", 1, 0, NULL, 1), sb_done(&live, &a));
    ASSERT_STR_EQ(range_items(s, snap, &a, "p", 1, "q", 1, 1, NULL, 0), seq(&a, "p%04d", MANY - 1, 0));
    ASSERT_STR_EQ(range_items(s, snap, &a, "p", 1, "q", 1, 0, "p0300+", 0), seq(&a, "p%04d", 301, MANY - 1));
    ASSERT_STR_EQ(range_items(s, snap, &a, "p", 1, "q", 1, 1, "p0300+", 0), seq(&a, "p%04d", 300, 0));
    ASSERT_STR_EQ(range_items(s, snap, &a, "p0010", 5, "p0013", 5, 1, NULL, 1), "p0012=vp0012,p0011=vp0011,p0010=vp0010");
    ASSERT_STR_EQ(range_items(s, NULL, &a, "p0010", 5, "p0013", 5, 1, NULL, 1),
                  "p0012+=new,p0011+=new,p0011=vp0011,p0010+=new,p0010=new");
    check_partitions(s, snap, &a); /* every partition, one-partition and merged reads, as it was */
    ASSERT_STR_EQ(range_items(s, NULL, &a, "T003", 4, "T004", 4, 0, NULL, 0), "");
    ASSERT_STR_EQ(range_items(s, NULL, &a, "T001P0000004/s004", 17, "T001P0000004/s007", 17, 0, NULL, 0),
                  "T001P0000004/s004,T001P0000004/s006");
    ASSERT_STR_EQ(range_items(s, snap, &a, "T001P0000004/s004", 17, "T001P0000004/s007", 17, 0, NULL, 0),
                  "T001P0000004/s004,T001P0000004/s005,T001P0000004/s006");
    ddb_store_snapshot_release(s, snap);
    ddb_arena_free(&a);
    ddb_store_close(s);
}
/* ---- commits ---- */

/* decide: requires x == expect_x, then moves x's value to y and writes a log key it did not read. It
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
    ddb_batch_put(out, keys[0].key, keys[0].klen, v, strlen(v));
    v = long_str(c->a, x + y);
    ddb_batch_put(out, keys[1].key, keys[1].klen, v, strlen(v));
    ddb_batch_put(out, "log", 3, "moved", 5);
    ddb_batch_meta_put(out, "meta-log", 8, "moved", 5); /* and the metadata space */
    return 0;
}

CONTRACT(contract_commit_decide_sees_values_and_refusal_writes_nothing)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    ddb_store_key k[2];
    move_ctx c;

    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    ASSERT_EQ(put(s, &a, "x", "5"), DDB_STORE_OK);
    k[0] = skey("x");
    k[1] = skey("y");

    c.expect_x = 4; /* refused: positive result returned unchanged, nothing written */
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), 7);
    ASSERT(c.calls >= 1);
    ASSERT_STR_EQ(get(s, &a, "x"), "5");
    ASSERT_NULL(get(s, &a, "y"));
    ASSERT_NULL(get(s, &a, "log"));
    ASSERT_NULL(meta_get(s, &a, "meta-log"));

    c.expect_x = 5;
    c.calls = 0;
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), DDB_STORE_OK);
    ASSERT(c.calls >= 1);
    ASSERT(c.saw_y_absent);
    ASSERT_EQ(c.batch_was_dirty, 0);
    ASSERT_STR_EQ(get(s, &a, "x"), "0");
    ASSERT_STR_EQ(get(s, &a, "y"), "5");
    ASSERT_STR_EQ(get(s, &a, "log"), "moved"); /* out may touch keys that were not read */
    ASSERT_STR_EQ(meta_get(s, &a, "meta-log"), "moved");
    ASSERT_NULL(get(s, &a, "meta-log"));
    /* the values decide saw are left in keys[] */
    ASSERT_MEM_EQ(k[0].val, k[0].vlen, "5", 1);

    /* decide sees the current values: a second move finds x == 0 */
    c.expect_x = 0;
    ASSERT_EQ(put(s, &a, "x", "3"), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), 7);
    c.expect_x = 3;
    ASSERT_EQ(ddb_store_commit(s, &a, k, 2, decide_move, &c), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "y"), "8");
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
        ddb_batch_put(out, keys[i].key, keys[i].klen, v, strlen(v));
    }
    return 0;
}

CONTRACT(contract_commit_decide_rerun_safe)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    ddb_store_key k[3];
    pure_ctx c;

    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    k[0] = skey("p");
    k[1] = skey("q");
    k[2] = skey("r");
    for (int i = 1; i <= 20; i++) {
        c.calls = 0;
        ASSERT_EQ(ddb_store_commit(s, &a, k, 3, decide_incr_pure, &c), DDB_STORE_OK);
        ASSERT(c.calls >= 1); /* at least once; any count is allowed */
        ASSERT_EQ(c.dirty, 0);
        ASSERT_EQ(c.last_seen, i - 1);
    }
    ASSERT_STR_EQ(get(s, &a, "p"), "20");
    ASSERT_STR_EQ(get(s, &a, "q"), "20");
    ASSERT_STR_EQ(get(s, &a, "r"), "20");
    ASSERT_EQ(ddb_store_commit(s, &a, k, 0, decide_incr_pure, &c), DDB_STORE_OK); /* no keys */
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* Many keys in one commit (some surely share a lock stripe in a striped backend; they span every
   shard), written as one unit. */
CONTRACT(contract_commit_many_keys)
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
        k[i] = skey(ddb_arena_sprintf(&a, "many-%03d", i));
    ASSERT_EQ(ddb_store_commit(s, &a, k, N, decide_incr_pure, &c), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_commit(s, &a, k, N, decide_incr_pure, &c), DDB_STORE_OK);
    for (int i = 0; i < N; i++)
        ASSERT_STR_EQ(get(s, &a, k[i].key), "2");
    {
        strbuf want = {0};
        for (int i = 0; i < N; i++) {
            sb_item(&want, k[i].key, k[i].klen);
            sb_add(&want, "=2", 2);
        }
        ASSERT_STR_EQ(range_items(s, NULL, &a, "many-", 5, "many.", 5, 0, NULL, 1), sb_done(&want, &a));
    }
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
    ddb_batch_put(out, "r", 1, "set", 3);
    return 0;
}

CONTRACT(contract_rmw)
{
    ddb_store *s = open_mem(2);
    ddb_arena a;
    int mode = 0;

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_rmw(s, &a, "r", 1, rmw_set, &mode), DDB_STORE_OK);
    ASSERT_STR_EQ(get(s, &a, "r"), "set");
    mode = 1;
    ASSERT_EQ(ddb_store_rmw(s, &a, "r", 1, rmw_set, &mode), 5);
    ASSERT_EQ(ddb_store_rmw(s, &a, "absent", 6, rmw_set, &mode), DDB_STORE_OK);
    mode = 2;
    ASSERT_EQ(ddb_store_rmw(s, &a, "r", 1, rmw_set, &mode), -1);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- concurrency ---- */

#define RACE_THREADS 8
#define RACE_ITERS (2000 / current->race_share)
#define RACE_COUNTERS 8
#define RMW_THREADS 2
#define RMW_ITERS (2000 / current->race_share)

static const char *counter_key[RACE_COUNTERS] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};

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
        ddb_batch_put(out, keys[i].key, keys[i].klen, v, strlen(v));
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
        k[0] = skey(counter_key[x]);
        k[1] = skey(counter_key[y]);
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
    ddb_store_key k = {counter_key[0], 2, (char *)old, oldlen};
    char *v = long_str(c->a, val_long(&k) + 1);

    ddb_batch_put(out, k.key, k.klen, v, strlen(v));
    return 0;
}

static void *race_rmw(void *p)
{
    race_ctx *r = p;
    ddb_arena a;
    incr_ctx c = {&a};

    ddb_arena_init(&a);
    for (int it = 0; it < RMW_ITERS; it++) {
        if (ddb_store_rmw(r->s, &a, counter_key[0], 2, rmw_incr, &c) != DDB_STORE_OK)
            atomic_store(r->failed, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* Runs `nfirst` threads of `first` and `nrest` of `rest` on s (ids 0..), to their end; 0 when none
   failed. */
static int race_threads(ddb_store *s, void *(*first)(void *), int nfirst, void *(*rest)(void *), int nrest)
{
    atomic_int failed = 0;
    pthread_t th[16];
    race_ctx rc[16];

    for (int i = 0; i < nfirst + nrest; i++) {
        rc[i] = (race_ctx){s, i, &failed};
        pthread_create(&th[i], NULL, i < nfirst ? first : rest, &rc[i]);
    }
    for (int i = 0; i < nfirst + nrest; i++)
        pthread_join(th[i], NULL);
    return atomic_load(&failed);
}

/* Counter i's value (-1: absent or unreadable). */
static long counter_of(ddb_store *s, ddb_arena *a, int i)
{
    char *v;
    size_t vlen;

    if (ddb_store_get(s, a, counter_key[i], 2, &v, &vlen) != DDB_STORE_OK || v == NULL)
        return -1;
    ddb_store_key k = {"", 0, v, vlen};
    return val_long(&k);
}

/* 8 threads x 2000 two-key increments over overlapping pairs (250 on RADOS), plus rmw increments of
   one of the keys: every counter ends exact, so no commit (nor rmw) interleaved with another on a key. */
CONTRACT(contract_commit_races_exact_sums)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT_EQ(race_threads(s, race_commit, RACE_THREADS, race_rmw, RMW_THREADS), 0);
    for (int i = 0; i < RACE_COUNTERS; i++) /* counter i is in the pairs of threads i-1 and i */
        ASSERT_EQ(counter_of(s, &a, i), 2L * RACE_ITERS + (i == 0 ? (long)RMW_THREADS * RMW_ITERS : 0));
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- independent commits in one call (ddb_store_commit_each) ---- */

typedef struct each_ctx {
    ddb_arena *a;
    int id, refuse, calls, dirty;
    long saw;
} each_ctx;

/* Unit `id`: sees its keys, then adds one to each (or refuses, `refuse`: 7) and logs itself. */
static int decide_each(void *p, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    each_ctx *c = p;
    char *v;

    c->calls++;
    if (out->n != 0)
        c->dirty = 1; /* each unit decides into a batch of its own */
    c->saw = val_long(&keys[0]);
    if (c->refuse)
        return 7;
    for (size_t i = 0; i < n; i++) {
        v = long_str(c->a, val_long(&keys[i]) + 1);
        ddb_batch_put(out, keys[i].key, keys[i].klen, v, strlen(v));
    }
    v = ddb_arena_sprintf(c->a, "each-log-%02d", c->id); /* a key it did not read */
    ddb_batch_put(out, v, strlen(v), "in", 2);
    return 0;
}

/* 24 units in order, one a key and one of 30 keys (across every place), on 1 and 4 shards: each
   sees the values as they were and lands whole; a refusal returns its result, writes nothing, and
   ends the call (later units are not decided, what came before stays). */
CONTRACT(contract_commit_each_in_order_stops_at_refusal)
{
    enum { UNITS = 24, WIDE = 5, WIDE_KEYS = 30, REFUSED = 17 };

    for (unsigned nshards = 1; nshards <= 4; nshards += 3) {
        ddb_store *s = open_mem(nshards);
        ddb_arena a;
        ddb_store_unit u[UNITS];
        each_ctx c[UNITS];

        ddb_arena_init(&a);
        for (int i = 0; i < UNITS; i++) {
            size_t nk = i == WIDE ? WIDE_KEYS : 1;
            ddb_store_key *k = ddb_arena_alloc(&a, nk * sizeof(*k));
            for (size_t j = 0; j < nk; j++)
                k[j] = skey(ddb_arena_sprintf(&a, "each-%02d-%02zu", i, j));
            c[i] = (each_ctx){&a, i, 0, 0, 0, -1};
            u[i] = (ddb_store_unit){k, nk, decide_each, &c[i], -99};
        }
        ASSERT_EQ(put(s, &a, "each-03-00", "40"), DDB_STORE_OK);
        ASSERT_EQ(ddb_store_commit_each(s, &a, u, UNITS), UNITS);
        for (int i = 0; i < UNITS; i++) {
            ASSERT_EQ(u[i].rc, DDB_STORE_OK);
            ASSERT(c[i].calls >= 1);
            ASSERT_EQ(c[i].dirty, 0);
            ASSERT_EQ(c[i].saw, i == 3 ? 40 : 0);
            ASSERT_STR_EQ(get(s, &a, ddb_arena_sprintf(&a, "each-log-%02d", i)), "in");
        }
        ASSERT_STR_EQ(get(s, &a, "each-03-00"), "41");
        for (int j = 0; j < WIDE_KEYS; j++)
            ASSERT_STR_EQ(get(s, &a, ddb_arena_sprintf(&a, "each-%02d-%02d", WIDE, j)), "1");

        /* again, with unit REFUSED refusing: the ones before it land, it and the rest do not */
        for (int i = 0; i < UNITS; i++) {
            c[i].calls = 0;
            c[i].refuse = i == REFUSED;
            u[i].rc = -99;
        }
        ASSERT_EQ(ddb_store_commit_each(s, &a, u, UNITS), REFUSED + 1);
        for (int i = 0; i < UNITS; i++) {
            const char *want = i < REFUSED ? "2" : "1";
            ASSERT_EQ(u[i].rc, i < REFUSED ? DDB_STORE_OK : i == REFUSED ? 7 : -99);
            ASSERT(i <= REFUSED ? c[i].calls >= 1 : c[i].calls == 0);
            ASSERT_STR_EQ(get(s, &a, ddb_arena_sprintf(&a, "each-%02d-00", i)), i == 3 ? (i < REFUSED ? "42" : "41")
                                                                                        : want);
        }
        for (int j = 0; j < WIDE_KEYS; j++)
            ASSERT_STR_EQ(get(s, &a, ddb_arena_sprintf(&a, "each-%02d-%02d", WIDE, j)), "2");
        ASSERT_EQ(ddb_store_commit_each(s, &a, u, 0), 0);
        ddb_arena_free(&a);
        ddb_store_close(s);
    }
}

#define EACH_THREADS 4
#define EACH_ITERS (1000 / current->race_share)

static void *race_each(void *p)
{
    race_ctx *r = p;
    ddb_arena a;
    incr_ctx c = {&a};

    ddb_arena_init(&a);
    for (int it = 0; it < EACH_ITERS; it++) {
        ddb_store_key k[RACE_COUNTERS];
        ddb_store_unit u[RACE_COUNTERS];
        for (int i = 0; i < RACE_COUNTERS; i++) { /* every counter a unit, rotated, some threads backwards */
            int j = (r->id & 1) ? RACE_COUNTERS - 1 - (i + it) % RACE_COUNTERS : (i + it) % RACE_COUNTERS;
            k[i] = skey(counter_key[j]);
            u[i] = (ddb_store_unit){&k[i], 1, decide_incr, &c, -99};
        }
        if (ddb_store_commit_each(r->s, &a, u, RACE_COUNTERS) != RACE_COUNTERS)
            atomic_store(r->failed, 1);
        for (int i = 0; i < RACE_COUNTERS; i++)
            if (u[i].rc != DDB_STORE_OK)
                atomic_store(r->failed, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* Calls of eight one-counter units racing two-key commits over the same counters: every counter
   ends exact, so no unit interleaved with a commit on its key, and none deadlocked. */
CONTRACT(contract_commit_each_races_commits_exact_sums)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT_EQ(race_threads(s, race_each, EACH_THREADS, race_commit, RACE_THREADS), 0);
    for (int i = 0; i < RACE_COUNTERS; i++)
        ASSERT_EQ(counter_of(s, &a, i), (long)EACH_THREADS * EACH_ITERS + 2L * RACE_ITERS);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

#define DL_THREADS 4
#define DL_ITERS (1000 / current->race_share)
#define DL_KEYS 6

typedef struct dl_ctx {
    ddb_store *s;
    int id;
    atomic_int *done;
    atomic_int *failed;
    atomic_long *commits; /* finished by all threads: progress, whatever the backend's speed */
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
            k[i] = skey(names[j]);
        }
        if (ddb_store_commit(d->s, &a, k, DL_KEYS, decide_incr, &c) != DDB_STORE_OK)
            atomic_store(d->failed, 1);
        atomic_fetch_add(d->commits, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    atomic_fetch_add(d->done, 1);
    return NULL;
}

/* Threads committing the same key set in opposite orders all finish. A deadlock is no commit
   finishing for DL_STALL_MS, not a total time: on RADOS under a loaded CI machine 4,000
   serialized multi-object commits took from 20 s to well over a minute (it does 500). */
#define DL_STALL_MS 30000
CONTRACT(contract_commit_no_deadlock_opposite_orders)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;
    atomic_int done = 0, failed = 0;
    atomic_long commits = 0;
    long seen = -1;
    pthread_t th[DL_THREADS];
    dl_ctx d[DL_THREADS];
    double last_progress = now_ms();

    ddb_arena_init(&a);
    for (int i = 0; i < DL_THREADS; i++) {
        d[i] = (dl_ctx){s, i, &done, &failed, &commits};
        pthread_create(&th[i], NULL, deadlock_worker, &d[i]);
    }
    while (atomic_load(&done) < DL_THREADS && now_ms() - last_progress < DL_STALL_MS) {
        sleep_ms(5);
        if (atomic_load(&commits) != seen) {
            seen = atomic_load(&commits);
            last_progress = now_ms();
        }
    }
    if (atomic_load(&done) < DL_THREADS) {
        ddb_test_fail(__FILE__, __LINE__, "commits deadlocked: %d of %d threads finished, no commit for %d s (%ld done)",
                      atomic_load(&done), DL_THREADS, DL_STALL_MS / 1000, atomic_load(&commits));
        fflush(NULL);
        _exit(1); /* the stuck threads cannot be joined */
    }
    for (int i = 0; i < DL_THREADS; i++)
        pthread_join(th[i], NULL);
    ASSERT_EQ(atomic_load(&failed), 0);
    for (int i = 0; i < DL_KEYS; i++)
        ASSERT_EQ(strtol(get(s, &a, ddb_arena_sprintf(&a, "dl-%c", 'a' + i)), NULL, 10), DL_THREADS * DL_ITERS);
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
    ddb_batch_put(out, "slow", 4, "done", 4);
    atomic_store(&c->decided, 1);
    return 0;
}

static void *slow_commit(void *p)
{
    slow_ctx *c = p;
    ddb_arena a;
    ddb_store_key k = skey("slow");

    ddb_arena_init(&a);
    c->rc = ddb_store_commit(c->s, &a, &k, 1, decide_slow, c);
    ddb_arena_free(&a);
    return NULL;
}

CONTRACT(contract_barrier_waits_for_commits_in_flight)
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
    ASSERT_STR_EQ(get(s, &a, "slow"), "done");
    ASSERT(now_ms() - t0 >= 20); /* it did wait (decide sleeps 50 ms) */
    pthread_join(th, NULL);
    ASSERT_EQ(c.rc, DDB_STORE_OK);
    ddb_arena_free(&a);
    ddb_store_close(s);
}

typedef struct excl_ctx {
    ddb_store *s;
    slow_ctx *c;
    int decided_when_run;
    char seen[8];
} excl_ctx;

static void exclusive_probe(void *p)
{
    excl_ctx *x = p;
    ddb_arena a;
    const char *v;

    ddb_arena_init(&a);
    x->decided_when_run = atomic_load(&x->c->decided);
    v = get(x->s, &a, "slow");
    snprintf(x->seen, sizeof(x->seen), "%s", v ? v : "");
    ddb_arena_free(&a);
}

CONTRACT(contract_exclusive_runs_between_commits)
{
    ddb_store *s = open_mem(2);
    slow_ctx c;
    excl_ctx x;
    pthread_t th;

    memset(&c, 0, sizeof(c));
    memset(&x, 0, sizeof(x));
    c.s = s;
    x.s = s;
    x.c = &c;
    pthread_create(&th, NULL, slow_commit, &c);
    while (!atomic_load(&c.in_decide))
        sleep_ms(1);
    ddb_store_exclusive(s, exclusive_probe, &x);
    /* the commit was inside its critical section: the callback ran only after its write */
    ASSERT(x.decided_when_run);
    ASSERT_STR_EQ(x.seen, "done");
    pthread_join(th, NULL);
    ASSERT_EQ(c.rc, DDB_STORE_OK);
    ddb_store_close(s);
}

/* ---- range deletion ---- */

CONTRACT(contract_delete_range_all)
{
    ddb_store *s = open_mem(3);
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT_EQ(put(s, &a, "t1/a", "x"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "t1/b", "x"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "t0/z", "x"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "t2", "x"), DDB_STORE_OK);
    for (int i = 0; i < 60; i++) /* t1 spans every shard */
        ASSERT_EQ(put(s, &a, ddb_arena_sprintf(&a, "t1/k%02d", i), "x"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "t1/meta", "m"), DDB_STORE_OK); /* range deletion is of data keys only */
    ASSERT_EQ(ddb_store_delete_range_all(s, "t1", 2, "t2", 2), DDB_STORE_OK);
    ASSERT_STR_EQ(range_keys(s, &a, "t", "u", 0, NULL), "t0/z,t2");
    ASSERT_STR_EQ(range_keys(s, &a, "t", "u", 1, NULL), "t2,t0/z");
    ASSERT_NULL(get(s, &a, "t1/a"));
    for (int i = 0; i < 60; i++)
        ASSERT_NULL(get(s, &a, ddb_arena_sprintf(&a, "t1/k%02d", i)));
    ASSERT_STR_EQ(get(s, &a, "t2"), "x"); /* hi is exclusive */
    ASSERT_STR_EQ(meta_get(s, &a, "t1/meta"), "m");
    /* partitioned keys: a whole table, then one partition */
    write_partitions(s, &a);
    ASSERT_EQ(ddb_store_delete_range_all(s, "T002", 4, "T003", 4), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_delete_range_all(s, "T001P0000003", 12, "T001P0000003\xff", 13), DDB_STORE_OK);
    ASSERT_STR_EQ(range_keys(s, &a, "T002", "T003", 0, NULL), "");
    ASSERT_STR_EQ(range_items(s, NULL, &a, "T001P0000003", 12, "T001P0000003\xff", 13, 0, NULL, 0), "");
    ASSERT_STR_EQ(range_items(s, NULL, &a, "T001P0000002", 12, "T001P0000002\xff", 13, 0, NULL, 0),
                  part_keys(&a, 1, 2, 0, PT_SORTS, 1, 0));
    ASSERT_STR_EQ(range_items(s, NULL, &a, "T001P0000004", 12, "T001P0000004\xff", 13, 1, NULL, 0),
                  part_keys(&a, 1, 4, 0, PT_SORTS, 1, 1));
    ASSERT_STR_EQ(meta_range_keys(s, &a, "T002", "T003", NULL), seq(&a, "T002P%07d/meta", 0, PT_PARTS - 1));
    /* an empty range and an empty store are fine */
    ASSERT_EQ(ddb_store_delete_range_all(s, "x", 1, "y", 1), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_mem(2);
    ASSERT_EQ(ddb_store_delete_range_all(s, "a", 1, "z", 1), DDB_STORE_OK);
    ASSERT_STR_EQ(range_keys(s, &a, "a", "z", 0, NULL), "");
    ddb_arena_free(&a);
    ddb_store_close(s);
}

/* ---- the keyed hash ---- */

static uint64_t siphash_le(const unsigned char key[DDB_HASH_KEY_BYTES], const char *data, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, (const unsigned char *)data, len, key);
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | h[i];
    return v;
}

CONTRACT(contract_store_hash_is_dynamodbs_in_every_new_store)
{
    ddb_store *s1 = open_mem(3), *s2 = open_mem(1);
    uint64_t h = ddb_store_hash(s1, "pk", 2), *seen;
    const char nul[] = {'a', 0, 'b'};
    ddb_arena a;
    enum { N = 2000 };

    ddb_arena_init(&a);
    ASSERT(h == ddb_store_hash(s1, "pk", 2)); /* deterministic */
    ASSERT(h != ddb_store_hash(s1, "pk2", 3));
    ASSERT(h != ddb_store_hash(s1, "pj", 2));
    ASSERT(h != ddb_store_hash(s1, "p", 1));
    ASSERT(ddb_store_hash(s1, "", 0) == ddb_store_hash(s1, "", 0));
    ASSERT(ddb_store_hash(s1, nul, 3) != ddb_store_hash(s1, nul, 1)); /* all bytes count, NULs too */
    /* every new store (another start, another shard count, another machine) hashes as DynamoDB
       does, MD5 of "Outliers" and the bytes, so the same keys scan in DynamoDB's order everywhere
       (issue 62; issue 52 had a fixed SipHash key, and before it a random one). Expected values:
       node -e "crypto.createHash('md5').update('Outliers').update(k).digest('hex').slice(0, 16)" */
    ASSERT(ddb_store_hash_alg(s1) == DDB_HASH_MD5 && ddb_store_hash_alg(s2) == DDB_HASH_MD5);
    ASSERT(h == ddb_store_hash(s2, "pk", 2));
    ASSERT(h == 0xaf57b3f5a3bb3d18ULL);
    ASSERT(ddb_store_hash(s2, "2", 1) == 0x29cbed30d64324c3ULL);
    /* what the server signs (shard iterators) stays keyed by a secret of each store's own */
    ASSERT(ddb_store_secret_hash(s1, "pk", 2) == ddb_store_secret_hash(s1, "pk", 2));
    ASSERT(ddb_store_secret_hash(s1, "pk", 2) != h);
    ASSERT(ddb_store_secret_hash(s1, "pk", 2) != ddb_store_secret_hash(s2, "pk", 2));
    /* no collisions among a few thousand inputs */
    seen = ddb_arena_alloc(&a, N * sizeof(*seen));
    for (int i = 0; i < N; i++) {
        char *k = ddb_arena_sprintf(&a, "pk%d", i);
        seen[i] = ddb_store_hash(s1, k, strlen(k));
        for (int j = 0; j < i; j++)
            ASSERT(seen[j] != seen[i]);
    }
    ddb_arena_free(&a);
    ddb_store_close(s1);
    ddb_store_close(s2);
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

/* A directory made before issue 62 hashes with SipHash (no "ddbd/hash"), and one made before issue
   52 under a random key: every item key carries its partition hash, so each keeps hashing as it
   did and its items stay where they are (and scan in the order they did). */
TEST(store_hash_kept_and_an_older_directory_keeps_its_siphash)
{
    static const unsigned char old[DDB_HASH_KEY_BYTES] = {0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15,
                                                          0xf3, 0x9c, 0xc0, 0x60, 0x5c, 0xed, 0xc8, 0x34};
    char tmpl[] = "/tmp/ddb-contract-XXXXXX";
    char *dir = mkdtemp(tmpl), *err = NULL;
    ddb_store *s;
    ddb_arena a;
    ddb_batch b;
    uint64_t secret;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    s = rocksdb_open_now(dir, 2, &err);
    ASSERT(s != NULL);
    ASSERT(ddb_store_hash_alg(s) == DDB_HASH_MD5);
    ASSERT(ddb_store_hash(s, "pk", 2) == 0xaf57b3f5a3bb3d18ULL);
    secret = ddb_store_secret_hash(s, "pk", 2);
    ddb_store_close(s);
    s = rocksdb_open_now(dir, 2, &err); /* a new directory's hash and secret are kept */
    ASSERT(s != NULL);
    ASSERT(ddb_store_hash_alg(s) == DDB_HASH_MD5 && ddb_store_hash(s, "pk", 2) == 0xaf57b3f5a3bb3d18ULL);
    ASSERT(ddb_store_secret_hash(s, "pk", 2) == secret);
    /* as a directory was made between issues 52 and 62: SipHash under the fixed key */
    ddb_batch_init(&b, &a);
    ddb_batch_meta_delete(&b, "ddbd/hash", 9);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ddb_store_close(s);
    s = rocksdb_open_now(dir, 2, &err);
    ASSERT(s != NULL);
    ASSERT(ddb_store_hash_alg(s) == DDB_HASH_SIPHASH);
    ASSERT(ddb_store_hash(s, "pk", 2) == siphash_le(ddb_ring_fixed_key, "pk", 2));
    ASSERT(ddb_store_secret_hash(s, "pk", 2) == secret);
    /* as a directory was made before issue 52: its random hash key, no secret of its own */
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/hash_key", 13, (const char *)old, sizeof(old));
    ddb_batch_meta_delete(&b, "ddbd/secret_key", 15);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ddb_store_close(s);
    s = rocksdb_open_now(dir, 2, &err);
    ASSERT(s != NULL);
    ASSERT(ddb_store_hash(s, "pk", 2) == siphash_le(old, "pk", 2));
    ASSERT(ddb_store_secret_hash(s, "pk", 2) == siphash_le(old, "pk", 2)); /* its iterators stay valid */
    /* a partition hash this version does not know is refused, not guessed (keys would be lost) */
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/hash", 9, "sha9", 4);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ddb_store_close(s);
    ASSERT_NULL(rocksdb_open_now(dir, 2, &err));
    free(err);
    ddb_arena_free(&a);
    rm_tree(dir);
}

CONTRACT(contract_reopen_keeps_data_and_upgrades_format)
{
    char tmpl[] = "/tmp/ddb-contract-XXXXXX";
    char *dir = mkdtemp(tmpl), *err = NULL;
    ddb_store *s;
    ddb_arena a;
    int stamped;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 0); /* a new directory */
    ASSERT_EQ(put(s, &a, "a", "1"), DDB_STORE_OK);
    ASSERT_EQ(put(s, &a, "b", "2"), DDB_STORE_OK);
    ASSERT_EQ(meta_put(s, &a, "m", "3"), DDB_STORE_OK);
    ddb_store_close(s);

    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    stamped = ddb_store_format_found(s);
    ASSERT(stamped >= 2); /* written by this version at the first open */
    ASSERT_STR_EQ(get(s, &a, "a"), "1");
    ASSERT_STR_EQ(get(s, &a, "b"), "2");
    ASSERT_STR_EQ(meta_get(s, &a, "m"), "3");
    ASSERT_NULL(get(s, &a, "m"));
    ASSERT_STR_EQ(range_keys(s, &a, "a", "z", 0, NULL), "a,b");
    ASSERT_STR_EQ(range_keys(s, &a, "a", "z", 1, NULL), "b,a");
    ASSERT_STR_EQ(meta_range_keys(s, &a, "a", "d", NULL), ""); /* data keys are not metadata */
    ASSERT_STR_EQ(meta_range_keys(s, &a, "m", "n", NULL), "m");
    /* make it look like a format-1 directory (written by the previous version) */
    ASSERT_EQ(meta_put(s, &a, "ddbd/format", "1"), DDB_STORE_OK);
    ddb_store_close(s);

    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 1); /* accepted, reported, upgraded */
    ASSERT_STR_EQ(get(s, &a, "a"), "1");
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), stamped);
    ASSERT_EQ(stamped, current->format); /* (docs/storage-format.md) */
    /* format 2 (before vector indexes) is accepted and upgraded the same way */
    ASSERT_EQ(meta_put(s, &a, "ddbd/format", "2"), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), 2);
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT(s != NULL);
    ASSERT_EQ(ddb_store_format_found(s), stamped);
    /* an unknown (future) format is refused, and the directory is left as it was */
    ASSERT_EQ(meta_put(s, &a, "ddbd/format", "99"), DDB_STORE_OK);
    ddb_store_close(s);
    s = open_store(dir, 3, &err);
    ASSERT_NULL(s);
    ASSERT(err != NULL && strstr(err, "format") != NULL);
    free(err);
    err = NULL;
    s = open_store(dir, 3, &err);
    ASSERT_NULL(s);
    free(err);
    /* so is a shard count the backend cannot have */
    err = NULL;
    ASSERT_NULL(open_store(NULL, 0, &err));
    ASSERT(err != NULL);
    free(err);

    ddb_arena_free(&a);
    rm_tree(dir);
}

/* The numbers stored under a sequenced prefix (12 bytes), in order, ','-joined. */
static const char *seq_numbers(ddb_store *s, ddb_arena *a, const char *prefix)
{
    char hi[PARTITION_BYTES];
    strbuf b = {0};
    ddb_store_iter *it;

    memcpy(hi, prefix, PARTITION_BYTES);
    hi[PARTITION_BYTES - 1]++;
    it = ddb_store_seq_iter_open(s, prefix, PARTITION_BYTES, hi, PARTITION_BYTES, 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        uint64_t num = klen == PARTITION_BYTES + 8 ? ddb_get_be(k + PARTITION_BYTES, 8) : 0;
        char *n = ddb_arena_sprintf(a, "%llu", (unsigned long long)num);
        sb_item(&b, n, strlen(n));
    }
    ddb_store_iter_close(it);
    return sb_done(&b, a);
}

static int put_seq(ddb_store *s, ddb_arena *a, const char *prefix)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_put_seq(&b, prefix, PARTITION_BYTES, "r", 1);
    return ddb_store_write(s, &b);
}

/*
 * A trim (ddb_store_seq_trim) that deletes a prefix's every key keeps its numbering above them
 * after a reopen, which finds none of them: a stream shard's consumers and replication continue
 * from the last number they read, and a number given twice would be skipped.
 */
CONTRACT(contract_seq_trim_keeps_numbers_above_its_floor_across_a_reopen)
{
    char tmpl[] = "/tmp/ddb-contract-XXXXXX";
    char *dir = mkdtemp(tmpl), *err = NULL;
    const char prefix[PARTITION_BYTES] = {0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 2};
    char hi[PARTITION_BYTES];
    ddb_store *s;
    ddb_arena a;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    memcpy(hi, prefix, sizeof(hi));
    hi[PARTITION_BYTES - 1]++;
    ASSERT((s = open_store(dir, 3, &err)) != NULL);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(put_seq(s, &a, prefix), DDB_STORE_OK);
    ASSERT_STR_EQ(seq_numbers(s, &a, prefix), "1,2,3");
    ASSERT_EQ(ddb_store_seq_trim(s, prefix, sizeof(prefix), hi, sizeof(hi), 3), DDB_STORE_OK);
    ASSERT_STR_EQ(seq_numbers(s, &a, prefix), "");
    ddb_store_close(s);
    ASSERT((s = open_store(dir, 3, &err)) != NULL);
    ASSERT_EQ(ddb_store_seq_last(s, prefix, sizeof(prefix)), 3);
    ASSERT_EQ(put_seq(s, &a, prefix), DDB_STORE_OK);
    ASSERT_STR_EQ(seq_numbers(s, &a, prefix), "4");
    ddb_store_close(s);
    ddb_arena_free(&a);
    rm_tree(dir);
}

/*
 * Reopening a data directory with another shard count (3 -> 8 -> 1 -> 8 -> 5 -> 2 -> 3): the
 * backend moves the keys at open, and every range read (merged and one-partition), point read and
 * metadata key is as before; nothing is lost, duplicated or brought back (keys deleted at one
 * count stay deleted at the next, also where a shard was dropped and recreated); the keyed hash
 * is the directory's, whatever the shard count.
 */
#define REOPEN_R 200

/* The "r" keys of the model, "key=value" ','-joined (reverse: keys only, descending). */
static const char *model_items(ddb_arena *a, const int *gen, int reverse)
{
    strbuf b = {0};

    for (int j = 0; j < REOPEN_R; j++) {
        int i = reverse ? REOPEN_R - 1 - j : j;
        char k[32];
        int n;
        if (gen[i] < 0)
            continue;
        n = reverse ? snprintf(k, sizeof(k), "r%03d", i) : snprintf(k, sizeof(k), "r%03d=g%d", i, gen[i]);
        sb_item(&b, k, (size_t)n);
    }
    return sb_done(&b, a);
}

/* Deletes or writes every fifth "r" key (shifted by `step`), updating the model. */
static int model_step(ddb_store *s, ddb_arena *a, int *gen, int step)
{
    ddb_batch b;

    ddb_batch_init(&b, a);
    for (int i = 0; i < REOPEN_R; i++) {
        char *k = ddb_arena_sprintf(a, "r%03d", i);
        if ((i + step) % 5 != 0)
            continue;
        if (gen[i] >= 0 && step % 2 == 1) {
            ddb_batch_delete(&b, k, strlen(k));
            gen[i] = -1;
        } else {
            char *v = ddb_arena_sprintf(a, "g%d", step);
            ddb_batch_put(&b, k, strlen(k), v, strlen(v));
            gen[i] = step;
        }
    }
    return ddb_store_write(s, &b);
}

CONTRACT(contract_reopen_with_other_shard_counts_moves_keys)
{
    static const unsigned counts[] = {3, 8, 1, 8, 5, 2, 3};
    char tmpl[] = "/tmp/ddb-contract-XXXXXX";
    char *dir = mkdtemp(tmpl), *err = NULL;
    int gen[REOPEN_R];
    ddb_store *s;
    ddb_arena a;
    uint64_t h;
    const char *all_fwd, *all_rev;

    ASSERT(dir != NULL);
    ddb_arena_init(&a);
    for (int i = 0; i < REOPEN_R; i++)
        gen[i] = -1;
    s = open_store(dir, counts[0], &err);
    ASSERT(s != NULL);
    h = ddb_store_hash(s, "pk", 2);
    write_many(s, &a);
    write_partitions(s, &a);
    ASSERT_EQ(model_step(s, &a, gen, 0), DDB_STORE_OK);
    ASSERT_EQ(model_step(s, &a, gen, 1), DDB_STORE_OK);
    ASSERT_EQ(model_step(s, &a, gen, 2), DDB_STORE_OK);
    all_fwd = range_items(s, NULL, &a, "", 0, "\xff", 1, 0, NULL, 1);
    all_rev = range_items(s, NULL, &a, "", 0, "\xff", 1, 1, NULL, 0);
    ddb_store_close(s);

    for (size_t c = 1; c < ARRAY_LEN(counts); c++) {
        s = open_store(dir, counts[c], &err);
        if (s == NULL)
            ddb_test_fail(__FILE__, __LINE__, "reopen with %u shards: %s", counts[c], err ? err : "?");
        ASSERT(s != NULL);
        ASSERT_EQ(ddb_store_nshards(s), counts[c]);
        ASSERT(ddb_store_hash(s, "pk", 2) == h);
        /* everything as it was before the close, key for key */
        ASSERT_STR_EQ(range_items(s, NULL, &a, "", 0, "\xff", 1, 0, NULL, 1), all_fwd);
        ASSERT_STR_EQ(range_items(s, NULL, &a, "", 0, "\xff", 1, 1, NULL, 0), all_rev);
        check_many(s, &a);
        if (!ddb_test_failed)
            check_partitions(s, NULL, &a);
        if (ddb_test_failed) {
            ddb_test_fail(__FILE__, __LINE__, "(reopened with %u shards)", counts[c]);
            return;
        }
        ASSERT_STR_EQ(range_items(s, NULL, &a, "r", 1, "s", 1, 0, NULL, 1), model_items(&a, gen, 0));
        ASSERT_STR_EQ(range_items(s, NULL, &a, "r", 1, "s", 1, 1, NULL, 0), model_items(&a, gen, 1));
        for (int i = 0; i < REOPEN_R; i++) {
            const char *v = get(s, &a, ddb_arena_sprintf(&a, "r%03d", i));
            if (gen[i] < 0)
                ASSERT_NULL(v);
            else
                ASSERT_STR_EQ(v, ddb_arena_sprintf(&a, "g%d", gen[i]));
        }
        /* change the "r" keys at this count (deletes on odd steps), then close */
        ASSERT_EQ(model_step(s, &a, gen, (int)c + 2), DDB_STORE_OK);
        ASSERT_EQ(model_step(s, &a, gen, (int)c + 3), DDB_STORE_OK);
        all_fwd = range_items(s, NULL, &a, "", 0, "\xff", 1, 0, NULL, 1);
        all_rev = range_items(s, NULL, &a, "", 0, "\xff", 1, 1, NULL, 0);
        ASSERT_STR_EQ(range_items(s, NULL, &a, "r", 1, "s", 1, 0, NULL, 1), model_items(&a, gen, 0));
        ddb_store_close(s);
    }
    ddb_arena_free(&a);
    rm_tree(dir);
}
