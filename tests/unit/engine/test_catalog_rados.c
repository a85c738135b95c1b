/*
 * tests/unit/engine/test_catalog_rados.c: the catalog shared by two RADOS gateways (docs/scale-out.md,
 * "The catalog across gateways"): two stores on one pool namespace, each with its own catalog,
 * as two ddbd processes have. Guarded meta commits never lose an update; a table created,
 * changed or deleted through one catalog is in the other's as soon as the call returns; a name
 * raced by both is created once; table ids are never handed out twice.
 *
 * Runs when DDBD_TEST_RADOS_CONF names a cluster's ceph.conf (tests/rados/run.sh starts one);
 * without it every case passes at once, saying it was skipped.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "rados_conf.h"
#include "server/engine/catalog/catalog.h"
#include "server/storage/storage.h"
#include "test.h"

#define DESC "{\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]," \
             "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]}"
#define DESC2 "{\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]," \
              "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"Tags\":[]}"
#define NAMES 20
#define ROUNDS 50


static uint64_t key_hash(const char *key, size_t klen)
{
    (void)key;
    return klen;
}

static ddb_store *gateway(const char *ns)
{
    return test_rados_gateway(ns, 2, key_hash, 4);
}

static ddb_catalog *catalog(ddb_store *s)
{
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(s, NULL, &err);

    if (c == NULL) {
        fprintf(stderr, "cannot open the catalog: %s\n", err ? err : "?");
        abort();
    }
    return c;
}

/* ---- guarded meta commits from two gateways ---- */

static int add_one(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    char buf[32];
    long v = 0;
    char *s;

    (void)ctx;
    (void)n;
    if (keys[0].val != NULL) {
        snprintf(buf, sizeof(buf), "%.*s", (int)keys[0].vlen, keys[0].val);
        v = atol(buf);
    }
    s = ddb_arena_sprintf(out->arena, "%ld", v + 1);
    ddb_batch_meta_put(out, keys[0].key, keys[0].klen, s, strlen(s));
    return 0;
}

typedef struct counter {
    ddb_store *s;
    long done, failed;
} counter;

static void *count(void *arg)
{
    counter *c = arg;
    ddb_arena a;

    ddb_arena_init(&a);
    for (int i = 0; i < ROUNDS; i++) {
        ddb_store_key k = {"test/counter", 12, NULL, 0};
        if (ddb_store_meta_commit(c->s, &a, &k, 1, add_one, NULL) == DDB_STORE_OK)
            c->done++;
        else
            c->failed++; /* ECONFLICT after its retries: wrote nothing */
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

TEST(rados_meta_commits_of_two_gateways_lose_nothing)
{
    char ns[64], *v;
    size_t vlen;
    counter c1 = {0}, c2 = {0};
    pthread_t t1, t2;
    ddb_arena a;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "c%ld-meta", (long)getpid());
    c1.s = gateway(ns);
    c2.s = gateway(ns);
    pthread_create(&t1, NULL, count, &c1);
    pthread_create(&t2, NULL, count, &c2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_store_meta_get(c1.s, &a, "test/counter", 12, &v, &vlen), DDB_STORE_OK);
    ASSERT(v != NULL);
    ASSERT_EQ(atol(ddb_arena_strndup(&a, v, vlen)), c1.done + c2.done);
    ASSERT(c1.done + c2.done > ROUNDS);
    fprintf(stderr, "  %ld + %ld commits, %ld + %ld gave up after their retries\n", c1.done, c2.done, c1.failed,
            c2.failed);
    ddb_arena_free(&a);
    ddb_store_close(c1.s);
    ddb_store_close(c2.s);
}

/* ---- the catalog across gateways ---- */

/* Created on A, changed on B, deleted on A: the other sees each change when the call returns. */
TEST(rados_catalog_changes_reach_the_other_gateway_at_once)
{
    char ns[64];
    ddb_store *sa, *sb;
    ddb_catalog *a, *b;
    const ddb_table *t, *u, *stale;
    uint32_t first_id;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "c%ld-seen", (long)getpid());
    sa = gateway(ns), sb = gateway(ns);
    a = catalog(sa), b = catalog(sb);
    ASSERT_EQ(ddb_catalog_create(a, "t1", DESC, strlen(DESC), 1.0, NULL, &t), 0);
    first_id = t->id;
    ASSERT((u = ddb_catalog_get(b, "t1")) != NULL);
    ASSERT_EQ(u->id, t->id);
    ASSERT_EQ(ddb_catalog_create(b, "t1", DESC, strlen(DESC), 1.0, NULL, &u), 1);

    stale = ddb_catalog_get(a, "t1");
    ASSERT_EQ(ddb_catalog_update(b, ddb_catalog_get(b, "t1"), DESC2, strlen(DESC2), NULL, &u), 0);
    ASSERT_EQ(ddb_catalog_get(a, "t1")->version, 2);
    ASSERT(ddb_table_retired(stale));
    /* a change computed from an old version loses (and A recomputes from the new one) */
    ASSERT_EQ(ddb_catalog_update(a, stale, DESC, strlen(DESC), NULL, &u), 2);

    ASSERT_EQ(ddb_catalog_delete(a, ddb_catalog_get(a, "t1"), NULL), 0);
    ASSERT_NULL(ddb_catalog_get(b, "t1"));
    ASSERT_EQ(ddb_catalog_create(b, "t1", DESC, strlen(DESC), 2.0, NULL, &u), 0);
    ASSERT(u->id > first_id); /* ids are never reused */
    ASSERT_EQ(ddb_catalog_get(a, "t1")->id, u->id);
    ASSERT_EQ(ddb_catalog_count(a), 1);

    ddb_catalog_close(a);
    ddb_catalog_close(b);
    ddb_store_close(sa);
    ddb_store_close(sb);
}

typedef struct creator {
    ddb_catalog *c;
    int rc[NAMES];
    uint32_t ids[NAMES];   /* of the tables it created */
    uint32_t spare[NAMES]; /* ddb_catalog_new_id's */
} creator;

static void *create_all(void *arg)
{
    creator *cr = arg;

    for (int i = 0; i < NAMES; i++) {
        char name[16];
        const ddb_table *t = NULL;
        snprintf(name, sizeof(name), "race%02d", i);
        cr->rc[i] = ddb_catalog_create(cr->c, name, DESC, strlen(DESC), 1.0, NULL, &t);
        cr->ids[i] = cr->rc[i] == 0 ? t->id : 0;
        cr->spare[i] = ddb_catalog_new_id(cr->c);
    }
    return NULL;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Both gateways create the same names at once: each name once, and no id twice. */
TEST(rados_catalog_concurrent_creates_one_winner_distinct_ids)
{
    char ns[64];
    ddb_store *sa, *sb;
    creator ca = {0}, cb = {0};
    pthread_t ta, tb;
    uint32_t all[4 * NAMES];
    size_t n = 0;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "c%ld-race", (long)getpid());
    sa = gateway(ns), sb = gateway(ns);
    ca.c = catalog(sa), cb.c = catalog(sb);
    pthread_create(&ta, NULL, create_all, &ca);
    pthread_create(&tb, NULL, create_all, &cb);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    for (int i = 0; i < NAMES; i++) {
        ASSERT((ca.rc[i] == 0 && cb.rc[i] == 1) || (ca.rc[i] == 1 && cb.rc[i] == 0));
        all[n++] = ca.ids[i] + cb.ids[i];
        all[n++] = ca.spare[i];
        all[n++] = cb.spare[i];
    }
    qsort(all, n, sizeof(*all), cmp_u32);
    for (size_t i = 0; i < n; i++) {
        ASSERT(all[i] != 0);
        ASSERT(i == 0 || all[i] != all[i - 1]);
    }
    ASSERT_EQ(ddb_catalog_count(ca.c), NAMES);
    ASSERT_EQ(ddb_catalog_count(cb.c), NAMES);
    ddb_catalog_close(ca.c);
    ddb_catalog_close(cb.c);
    ddb_store_close(sa);
    ddb_store_close(sb);
}
