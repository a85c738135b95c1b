/*
 * tests/unit/storage/rados/test_gateways.c: what the RADOS backend promises beyond the storage contract
 * (docs/scale-out.md): two gateways (two stores opened on one pool namespace, each with its own
 * cluster connection and its own lock stripes, as two ddbd processes have) never lose an update
 * to a guarded commit of one object, and a write intent left by a stopped gateway is completed
 * by the next open, and a point-in-time snapshot is one moment of every gateway's writes.
 *
 * Runs when DDBD_TEST_RADOS_CONF names a cluster's ceph.conf (tests/rados/run.sh starts one);
 * without it every case passes at once, saying it was skipped.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rados_conf.h"
#include "server/storage/storage.h"
#include "test.h"

#define PARTITION_BYTES 12


/* A gateway: a store on the namespace `ns` of pool ddbd (partitions by the first 12 bytes). */
static ddb_store *gateway(const char *ns)
{
    return test_rados_gateway(ns, 4, test_rados_key_hash, PARTITION_BYTES);
}

static long val_long(const char *v, size_t n)
{
    char buf[32];

    if (v == NULL)
        return 0;
    snprintf(buf, sizeof(buf), "%.*s", (int)n, v);
    return atol(buf);
}

/* ---- racing gateways ---- */

#define ROUNDS 150

typedef struct race {
    ddb_store *s;
    const char *a, *b; /* two keys of one partition: a transfer moves 1 from a to b */
    atomic_int errors;
    long added, moved; /* increments and transfers that committed */
} race;

static int add_one(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    const char *key = ctx;
    char *v = ddb_arena_sprintf(out->arena, "%ld", val_long(old, oldlen) + 1);

    ddb_batch_put(out, key, strlen(key), v, strlen(v));
    return 0;
}

static int transfer(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    char *a = ddb_arena_sprintf(out->arena, "%ld", val_long(keys[0].val, keys[0].vlen) - 1);
    char *b = ddb_arena_sprintf(out->arena, "%ld", val_long(keys[1].val, keys[1].vlen) + 1);

    (void)ctx;
    (void)n;
    ddb_batch_put(out, keys[0].key, keys[0].klen, a, strlen(a));
    ddb_batch_put(out, keys[1].key, keys[1].klen, b, strlen(b));
    return 0;
}

static void *racer(void *arg)
{
    race *r = arg;
    ddb_arena a;

    ddb_arena_init(&a);
    for (int i = 0; i < ROUNDS; i++) {
        ddb_store_key k[2] = {{r->a, strlen(r->a), NULL, 0}, {r->b, strlen(r->b), NULL, 0}};
        /* DDB_STORE_ECONFLICT (retries ran out) is allowed by the contract: it wrote nothing */
        int rc = ddb_store_rmw(r->s, &a, "counter", 7, add_one, "counter");
        if (rc == DDB_STORE_OK)
            r->added++;
        else if (rc != DDB_STORE_ECONFLICT)
            atomic_fetch_add(&r->errors, 1);
        rc = ddb_store_commit(r->s, &a, k, 2, transfer, NULL);
        if (rc == DDB_STORE_OK)
            r->moved++;
        else if (rc != DDB_STORE_ECONFLICT)
            atomic_fetch_add(&r->errors, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/* Two gateways on the namespace g<pid>-<name> start racing: increments, and transfers from a to b. */
static void race_start(race *r1, race *r2, pthread_t *t1, pthread_t *t2, const char *name, const char *a,
                       const char *b)
{
    char ns[64];

    snprintf(ns, sizeof(ns), "g%ld-%s", (long)getpid(), name);
    r1->s = gateway(ns);
    r2->s = gateway(ns);
    r1->a = r2->a = a;
    r1->b = r2->b = b;
    pthread_create(t1, NULL, racer, r1);
    pthread_create(t2, NULL, racer, r2);
}

/*
 * Two gateways increment one key and move units between two keys of one partition, at once.
 * Their in-process locks do not see each other: only the omap compares of the RADOS operations
 * keep the sums exact (without them, lost updates show at once).
 */
TEST(rados_two_gateways_guarded_commits_lose_nothing)
{
    race r1 = {0}, r2 = {0};
    pthread_t t1, t2;
    ddb_arena a;
    char *v;
    size_t vlen;

    NEEDS_CLUSTER();
    race_start(&r1, &r2, &t1, &t2, "race", "acct00000001/a", "acct00000001/b");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ASSERT_EQ(atomic_load(&r1.errors) + atomic_load(&r2.errors), 0);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_get(r1.s, &a, "counter", 7, &v, &vlen), DDB_STORE_OK);
    /* every committed change counted once: none lost, none applied twice */
    ASSERT_EQ(val_long(v, vlen), r1.added + r2.added);
    ASSERT_EQ(ddb_store_get(r2.s, &a, r1.a, strlen(r1.a), &v, &vlen), DDB_STORE_OK);
    ASSERT_EQ(val_long(v, vlen), -(r1.moved + r2.moved));
    ASSERT_EQ(ddb_store_get(r2.s, &a, r1.b, strlen(r1.b), &v, &vlen), DDB_STORE_OK);
    ASSERT_EQ(val_long(v, vlen), r1.moved + r2.moved);
    /* and retries mostly succeed: most commits land */
    ASSERT(r1.added + r2.added > ROUNDS && r1.moved + r2.moved > ROUNDS);
    { /* the figures show the guards at work: commits decided again after the other's write */
        ddb_buf m = {0};
        ddb_store_metrics_text(r1.s, &m);
        ddb_store_metrics_text(r2.s, &m);
        for (const char *l = m.data; l != NULL && l < m.data + m.len; l = strchr(l, '\n') + 1) {
            if (strncmp(l, "ddbd_rados_commit_retries_total ", 32) == 0)
                fprintf(stderr, "  %.*s\n", (int)(strchr(l, '\n') - l), l);
            if (strchr(l, '\n') == NULL)
                break;
        }
        ddb_buf_free(&m);
    }
    ddb_arena_free(&a);
    ddb_store_close(r1.s);
    ddb_store_close(r2.s);
}

/*
 * The same race with the two keys in different partitions (2 of the 4 objects, unless the pool's
 * hash puts both in one): each transfer is a two-phase commit over two objects (rados_txn.c),
 * and the sums stay exact, where the first stage's per-object guards let one gateway's write
 * override the other's.
 */
TEST(rados_two_gateways_two_phase_commits_lose_nothing)
{
    race r1 = {0}, r2 = {0};
    pthread_t t1, t2;
    ddb_arena a;
    char *va, *vb;
    size_t la, lb;

    NEEDS_CLUSTER();
    race_start(&r1, &r2, &t1, &t2, "race2", "acct00000001/a", "acct00000002/b");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ASSERT_EQ(atomic_load(&r1.errors) + atomic_load(&r2.errors), 0);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_get(r1.s, &a, r1.a, strlen(r1.a), &va, &la), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_get(r2.s, &a, r1.b, strlen(r1.b), &vb, &lb), DDB_STORE_OK);
    ASSERT_EQ(val_long(va, la), -(r1.moved + r2.moved));
    ASSERT_EQ(val_long(vb, lb), r1.moved + r2.moved);
    ASSERT(r1.moved + r2.moved > ROUNDS);
    ddb_arena_free(&a);
    ddb_store_close(r1.s);
    ddb_store_close(r2.s);
}

/* ---- a commit's metadata key across gateways (storage.h: meta) ---- */

#define ONCE_ROUNDS 60

typedef struct once_race {
    ddb_store *s;
    atomic_int errors;
    long done, found; /* commits that wrote, and that found the record (another's commit) */
} once_race;

/* A ClientRequestToken's transaction in small: adds 1 to the counter and writes the record,
   unless the record is there (then 5: nothing). */
static int add_once(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    char *v;

    (void)ctx;
    if (n != 2 || !keys[1].meta)
        return 99;
    if (keys[1].val != NULL)
        return 5;
    v = ddb_arena_sprintf(out->arena, "%ld", val_long(keys[0].val, keys[0].vlen) + 1);
    ddb_batch_put(out, keys[0].key, keys[0].klen, v, strlen(v));
    ddb_batch_meta_put(out, keys[1].key, keys[1].klen, "done", 4);
    return 0;
}

static void *once_racer(void *arg)
{
    once_race *r = arg;
    ddb_arena a;

    ddb_arena_init(&a);
    for (int i = 0; i < ONCE_ROUNDS; i++) {
        char *rec = ddb_arena_sprintf(&a, "once/%d", i);
        ddb_store_key k[2] = {{"acct00000003/c", 14, NULL, 0, 0}, {rec, strlen(rec), NULL, 0, 1}};
        int rc = ddb_store_commit(r->s, &a, k, 2, add_once, NULL);
        if (rc == DDB_STORE_OK)
            r->done++;
        else if (rc == 5)
            r->found++;
        else if (rc != DDB_STORE_ECONFLICT)
            atomic_fetch_add(&r->errors, 1);
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

/*
 * Two gateways run the same 60 commits at once, each writing a metadata record that the commit
 * reads (a key with `meta` set) and writes only while it is absent, as a ClientRequestToken's
 * transaction does (engine/idempotency.h): the record is compared in ddbd.meta with the write, so
 * each commit applies once in all (the counter ends at 60), the other finding the record.
 */
TEST(rados_two_gateways_commit_a_metadata_record_once)
{
    once_race r1 = {0}, r2 = {0};
    pthread_t t1, t2;
    ddb_arena a;
    char ns[64], *v;
    size_t vlen;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-once", (long)getpid());
    r1.s = gateway(ns);
    r2.s = gateway(ns);
    pthread_create(&t1, NULL, once_racer, &r1);
    pthread_create(&t2, NULL, once_racer, &r2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ASSERT_EQ(atomic_load(&r1.errors) + atomic_load(&r2.errors), 0);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_get(r1.s, &a, "acct00000003/c", 14, &v, &vlen), DDB_STORE_OK);
    ASSERT_EQ(val_long(v, vlen), r1.done + r2.done);
    ASSERT_EQ(r1.done + r2.done, ONCE_ROUNDS); /* (a conflict past the retries would leave one undone) */
    ASSERT_EQ(ddb_store_meta_get(r2.s, &a, "once/7", 6, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "done", 4);
    ASSERT_NULL(ddb_store_get(r2.s, &a, "once/7", 6, &v, &vlen) == DDB_STORE_OK ? v : "data");
    ddb_arena_free(&a);
    ddb_store_close(r1.s);
    ddb_store_close(r2.s);
}

/* A write by one gateway is read by the other at once (gateways hold no data cache). */
TEST(rados_gateways_see_each_others_writes)
{
    char ns[64];
    ddb_store *g1, *g2;
    ddb_arena a;
    ddb_batch b;
    char *v;
    size_t vlen;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-see", (long)getpid());
    g1 = gateway(ns);
    g2 = gateway(ns);
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_put(&b, "k1", 2, "one", 3);
    ddb_batch_put(&b, "other-partition", 15, "two", 3);
    ddb_batch_meta_put(&b, "table/x", 7, "{}", 2);
    ASSERT_EQ(ddb_store_write(g1, &b), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_get(g2, &a, "k1", 2, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "one", 3);
    ASSERT_EQ(ddb_store_get(g2, &a, "other-partition", 15, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "two", 3);
    ASSERT_EQ(ddb_store_meta_get(g2, &a, "table/x", 7, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "{}", 2);
    /* both share one hash key: the pool's */
    ASSERT(ddb_store_hash(g1, "pk", 2) == ddb_store_hash(g2, "pk", 2));
    ddb_arena_free(&a);
    ddb_store_close(g1);
    ddb_store_close(g2);
}

/* ---- point-in-time snapshots across gateways (rados_snap.c) ---- */

/* The sum and the first value of the keys under "acct" through `snap`, read by an iterator (one
   object after the other, so a snapshot that is not one moment shows transfers half done). */
static int sum_at(ddb_store *s, const ddb_store_snapshot *snap, long *sum, long *first)
{
    ddb_store_iter *it = ddb_store_iter_open_at(s, snap, "acct", 4, "acct~", 5, 0);
    int rc, n = 0;

    *sum = *first = 0;
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it), n++) {
        size_t vl;
        const char *v = ddb_store_iter_val(it, &vl);
        *sum += val_long(v, vl);
        if (n == 0)
            *first = val_long(v, vl);
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

/*
 * Two gateways move units between two keys of different objects (two-phase commits) while a
 * third takes snapshots: each snapshot holds a moment when no transfer was half done (the sum is
 * 0), and keeps it while the transfers go on (read again later, through an iterator and by key).
 */
TEST(rados_snapshot_is_one_moment_of_every_gateway)
{
    char ns[64];
    race r1 = {0}, r2 = {0};
    pthread_t t1, t2;
    ddb_store *g3;
    ddb_arena a;
    int snaps = 0;

    NEEDS_CLUSTER();
    race_start(&r1, &r2, &t1, &t2, "snap", "acct00000001/a", "acct00000002/b");
    snprintf(ns, sizeof(ns), "g%ld-snap", (long)getpid());
    g3 = gateway(ns);
    ddb_arena_init(&a);
    for (int i = 0; i < 4; i++) {
        struct timespec pause = {0, 150 * 1000000L};
        ddb_store_snapshot *snap;
        ddb_store_key k[2] = {{r1.a, strlen(r1.a), NULL, 0}, {r1.b, strlen(r1.b), NULL, 0}};
        long sum, first, sum2, first2;
        nanosleep(&pause, NULL);
        snap = ddb_store_snapshot_take(g3);
        ASSERT_EQ(sum_at(g3, snap, &sum, &first), DDB_STORE_OK);
        nanosleep(&pause, NULL); /* the transfers go on meanwhile */
        ASSERT_EQ(sum_at(g3, snap, &sum2, &first2), DDB_STORE_OK);
        ASSERT_EQ(ddb_store_multi_get_at(g3, snap, &a, k, 2), DDB_STORE_OK);
        ASSERT_EQ(sum, 0);
        ASSERT_EQ(sum2, 0);
        ASSERT_EQ(first2, first);
        ASSERT_EQ(val_long(k[0].val, k[0].vlen), first);
        ASSERT_EQ(val_long(k[0].val, k[0].vlen) + val_long(k[1].val, k[1].vlen), 0);
        ddb_store_snapshot_release(g3, snap);
        ddb_arena_reset(&a);
        snaps++;
    }
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ASSERT_EQ(atomic_load(&r1.errors) + atomic_load(&r2.errors), 0);
    ASSERT_EQ(snaps, 4);
    ddb_arena_free(&a);
    ddb_store_close(g3);
    ddb_store_close(r1.s);
    ddb_store_close(r2.s);
}

#ifdef DDB_HAVE_RADOS
#include "server/storage/rados/rados_lib.h"

/*
 * A gateway stopped between writing an intent and applying it (or half way through applying
 * it): the next gateway to open the pool applies the intent and removes it. The intent here is
 * written by hand in the format of rados_rw.c (one put of a metadata key).
 */
TEST(rados_open_completes_a_left_intent)
{
    static const char oid[] = "ddbd.meta", key[] = "recovered/key", val[] = "vdone";
    char ns[64], buf[128], *v;
    size_t off = 0, vlen;
    rados_t cluster;
    rados_ioctx_t io;
    ddb_store *g;
    ddb_arena a;
    uint64_t size;
    time_t mtime;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-intent", (long)getpid());
    ddb_store_close(gateway(ns)); /* the store exists */
    buf[off++] = 0, buf[off++] = 0, buf[off++] = 0, buf[off++] = 1; /* one change */
    buf[off++] = 0;                                                    /* a put */
    buf[off++] = (char)strlen(oid);
    memcpy(buf + off, oid, strlen(oid)), off += strlen(oid);
    buf[off++] = 0, buf[off++] = 0, buf[off++] = 0, buf[off++] = (char)strlen(key);
    memcpy(buf + off, key, strlen(key)), off += strlen(key); /* no byte 0 or 1: escaped as it is */
    buf[off++] = 0, buf[off++] = 0, buf[off++] = 0, buf[off++] = (char)strlen(val);
    memcpy(buf + off, val, strlen(val)), off += strlen(val);
    ASSERT_EQ(ddb_rados_lib_load(NULL), 0);
    ASSERT_EQ(rados_create(&cluster, NULL), 0);
    ASSERT_EQ(rados_conf_read_file(cluster, test_rados_conf()), 0);
    ASSERT_EQ(rados_connect(cluster), 0);
    ASSERT_EQ(rados_ioctx_create(cluster, "ddbd", &io), 0);
    rados_ioctx_set_namespace(io, ns);
    ASSERT_EQ(rados_write_full(io, "i.0000000000000000.0000000000000001", buf, off), 0);

    g = gateway(ns);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_meta_get(g, &a, key, strlen(key), &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "done", 4);
    ASSERT_EQ(rados_stat(io, "i.0000000000000000.0000000000000001", &size, &mtime), -ENOENT);
    ddb_arena_free(&a);
    ddb_store_close(g);
    rados_ioctx_destroy(io);
    rados_shutdown(cluster);
}

/* A pool snapshot of ddbd's that no gateway released (its taker died) is removed when a gateway
   opens the pool once it is stale (a day; 0 s here); snapshots of others are left alone. */
TEST(rados_open_removes_stale_snapshots)
{
    char ns[64], stale[64], other[64];
    int stale_left, other_left;
    rados_t cluster;
    rados_ioctx_t io;
    rados_snap_t id;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-tidy", (long)getpid());
    snprintf(stale, sizeof(stale), "ddbd.dead%ld.1", (long)getpid());
    snprintf(other, sizeof(other), "other%ld", (long)getpid());
    ASSERT_EQ(ddb_rados_lib_load(NULL), 0);
    ASSERT_EQ(rados_create(&cluster, NULL), 0);
    ASSERT_EQ(rados_conf_read_file(cluster, test_rados_conf()), 0);
    ASSERT_EQ(rados_connect(cluster), 0);
    ddb_store_close(gateway(ns)); /* the pool exists */
    ASSERT_EQ(rados_ioctx_create(cluster, "ddbd", &io), 0);
    ASSERT_EQ(rados_ioctx_snap_create(io, stale), 0);
    ASSERT_EQ(rados_ioctx_snap_create(io, other), 0);
    setenv("DDBD_RADOS_STALE_SNAPSHOT_S", "0", 1);
    ddb_store_close(gateway(ns));
    unsetenv("DDBD_RADOS_STALE_SNAPSHOT_S");
    rados_wait_for_latest_osdmap(cluster); /* the gateway's removal is in a newer OSD map */
    stale_left = rados_ioctx_snap_lookup(io, stale, &id) == 0;
    other_left = rados_ioctx_snap_lookup(io, other, &id) == 0;
    rados_ioctx_snap_remove(io, other);
    rados_ioctx_snap_remove(io, stale);
    rados_ioctx_destroy(io);
    rados_shutdown(cluster);
    ASSERT(!stale_left);
    ASSERT(other_left);
}
#endif
