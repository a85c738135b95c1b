/*
 * tests/unit/engine/test_concurrency.c: the table engine under concurrency: DeleteTable racing writers,
 * GSI creation and deletion protection; online GSI creation and deletion (backfill, purge) racing
 * writers; compare-and-swap UpdateTables against the background worker's changes; the format-1
 * migration of declared indexes; a backfill resumed from its cursor after a restart (with the same
 * and with another shard count); mutations whose table description is replaced under them.
 *
 * Requests go through ddb_dispatch() (the whole pipeline, no sockets: tests/harness/inproc.h), one
 * client (arena and output buffer) per thread; the engine's storage is read to look underneath:
 * every index entry is compared with the base items, and every key of a deleted table must be purged.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "test.h"
#include "tests/harness/inproc.h"

/* ---- servers: tests/harness/inproc.h ---- */

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- in-process requests (tests/harness/inproc.h), one client per thread ---- */

/* The request succeeds, or the test jumps to its `out:` label (one assertion). */
#define CALL_OK(c, op, ...) INPROC_CALL_OK_ELSE(goto out, c, op, __VA_ARGS__)

/* ASSERT that cleans up: jumps to the test's `out:` label. */
#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        if (!(cond)) {                                                                                                 \
            ddb_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                                     \
            goto out;                                                                                                  \
        }                                                                                                              \
    } while (0)

#define PPR "\"BillingMode\":\"PAY_PER_REQUEST\""
#define KEY_HR                                                                                                         \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]"
#define DEF(n, t) "{\"AttributeName\":\"" n "\",\"AttributeType\":\"" t "\"}"

static ddb_attr parse_item(ddb_arena *a, const char *json)
{
    ddb_attr item;
    const ddb_json *j = ddb_json_parse(a, json, strlen(json));

    if (j == NULL || ddb_item_check_types(a, j) != NULL || ddb_item_from_json(a, j, &item) != NULL)
        abort();
    return item;
}

/* Writes n items straight into the table's keyspace (what n PutItems would store, without indexes: for a
   table with none yet), 1000 to a batch. */
static int load_direct(ddb_engine *eng, const char *table, int n)
{
    const ddb_table *t = ddb_catalog_get(eng->catalog, table);
    ddb_arena a;
    ddb_batch b;
    int rc = 0;

    if (t == NULL || t->nindexes != 0)
        return -1;
    ddb_arena_init(&a);
    for (int i = 0; i < n && rc == 0; i += 1000) {
        ddb_arena_reset(&a);
        ddb_batch_init(&b, &a);
        for (int k = i; k < n && k < i + 1000; k++) {
            char json[256];
            ddb_attr item;
            ddb_key key;
            char *val;
            size_t vlen;
            snprintf(json, sizeof(json),
                     "{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"g\":{\"S\":\"g%d\"},\"r\":{\"N\":\"%d\"},"
                     "\"a\":{\"S\":\"a%d\"}}",
                     k % 50, k, k % 7, k, k);
            item = parse_item(&a, json);
            ddb_key_build(&a, eng->store, t->id, ddb_item_get(&item, "pk", 2), ddb_item_get(&item, "sk", 2), &key);
            ddb_item_encode(&a, &item, ddb_item_size(&item), &val, &vlen);
            ddb_batch_put(&b, key.bytes, key.len, val, vlen);
        }
        rc = ddb_store_write(eng->store, &b);
    }
    ddb_arena_free(&a);
    return rc;
}

/* ---- catalog and storage helpers ---- */

/* The index's state, or -1 when the table or the index is gone; *backfilling when asked. */
static int index_state(ddb_engine *eng, const char *table, const char *index, int *backfilling)
{
    const ddb_table *t = ddb_catalog_get(eng->catalog, table);
    const ddb_index *ix = t ? ddb_table_index(t, index) : NULL;

    if (backfilling != NULL)
        *backfilling = ix ? ix->backfilling : 0;
    return ix ? (int)ix->state : -1;
}

/* Waits until the index is ACTIVE (1) or gone (want_gone); 0 on timeout. */
static int wait_index(ddb_engine *eng, const char *table, const char *index, int want_gone, double timeout)
{
    double end = now_s() + timeout;

    while (now_s() < end) {
        int bf, st = index_state(eng, table, index, &bf);
        if (want_gone ? st == -1 : (st == DDB_IX_ACTIVE && !bf))
            return 1;
        sleep_us(1000);
    }
    return 0;
}

/* Keys of keyspace `id` (its whole range: every place the store put them). */
static size_t count_keys(ddb_store *s, uint32_t id)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    size_t n = 0;
    ddb_store_iter *it;

    ddb_key_table_range(id, lo, hi);
    it = ddb_store_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it))
        n++;
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        n = (size_t)-1;
    ddb_store_iter_close(it);
    return n;
}

/* Every data key; the keyspace ids found (up to 8) go to ids/nids. */
static size_t count_all_keys(ddb_store *s, uint32_t *ids, size_t *nids)
{
    static const char lo[] = "", hi[] = "\xff\xff\xff\xff\xff";
    size_t n = 0;
    ddb_store_iter *it = ddb_store_iter_open(s, lo, 0, hi, 5, 0);

    *nids = 0;
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen;
        const unsigned char *k = (const unsigned char *)ddb_store_iter_key(it, &klen);
        uint32_t id = klen >= 4 ? (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 | (uint32_t)k[2] << 8 | k[3] : 0;
        int known = 0;
        for (size_t i = 0; i < *nids; i++)
            known |= ids[i] == id;
        if (!known && *nids < 8)
            ids[(*nids)++] = id;
        n++;
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        n = (size_t)-1;
    ddb_store_iter_close(it);
    return n;
}

/* Metadata keys under `prefix`. */
static size_t count_meta(ddb_store *s, const char *prefix)
{
    char hi[64];
    size_t n = 0, plen = strlen(prefix);
    ddb_store_iter *it;

    memcpy(hi, prefix, plen);
    hi[plen - 1]++;
    it = ddb_store_meta_iter_open(s, prefix, plen, hi, plen);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it))
        n++;
    ddb_store_iter_close(it);
    return n;
}

/* Waits until no data key and no purge record is left; 0 on timeout. */
static int wait_store_empty(ddb_store *s, double timeout, uint32_t *ids, size_t *nids, size_t *left)
{
    double end = now_s() + timeout;

    for (;;) {
        *left = count_all_keys(s, ids, nids);
        if (*left == 0 && count_meta(s, "task/purge/") == 0)
            return 1;
        if (now_s() > end)
            return 0;
        sleep_us(2000);
    }
}

/* ---- index verification: the entries must be exactly those derived from the base items ---- */

typedef struct entry {
    int placed;         /* a point read of the key finds it (it is where the store places its partition) */
    const char *key;
    size_t klen;
    ddb_attr val;
} entry;

static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);

    if (c != 0)
        return c;
    return (a->klen > b->klen) - (a->klen < b->klen);
}

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

static void entries_add(entries *e, entry x)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 1024;
        e->v = realloc(e->v, e->cap * sizeof(*e->v));
        if (e->v == NULL)
            abort();
    }
    e->v[e->n++] = x;
}

static void hex(char *out, size_t cap, const char *p, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n && o + 3 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%02x", (unsigned char)p[i]);
    out[o] = '\0';
}

static int verify_quiet; /* verify_index prints no differences */

/*
 * Compares the index's stored entries with those derived from the table's items (each item
 * with every index key attribute of the right type: one entry, at the computed key, whose value
 * is the item's projection). The table's and the index's whole ranges are each read once (the
 * store merges every place); each stored entry must also be found by a point read, which looks
 * only where the store places the entry's partition. Returns the number of differences (printed,
 * up to 5); *nexpected gets the number of entries.
 */
static size_t verify_index(ddb_engine *eng, const ddb_table *t, const ddb_index *ix, size_t *nexpected)
{
    ddb_store *s = eng->store;
    ddb_arena a;
    entries want = {0}, got = {0};
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    size_t bad = 0, i = 0, j = 0;
    ddb_store_iter *it;

    ddb_arena_init(&a);
    ddb_key_table_range(t->id, lo, hi);
    it = ddb_store_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        char *kc = ddb_arena_memdup(&a, k, klen), *vc = ddb_arena_memdup(&a, v, vlen);
        ddb_key base, ek;
        ddb_attr item;
        entry x;
        if (ddb_item_decode(&a, vc, vlen, &item) != 0) {
            fprintf(stderr, "  undecodable item\n");
            bad++;
            continue;
        }
        ddb_key_from_stored(kc, klen, &base);
        if (ddb_index_entry_key(&a, s, ix, &item, &base, &ek) != 0)
            continue;
        x.placed = 1;
        x.key = ek.bytes;
        x.klen = ek.len;
        ddb_index_project(&a, t, ix, &item, &x.val);
        entries_add(&want, x);
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK) {
        fprintf(stderr, "  reading the table failed\n");
        bad++;
    }
    ddb_store_iter_close(it);
    ddb_key_table_range(ix->id, lo, hi);
    it = ddb_store_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        entry x;
        x.key = ddb_arena_memdup(&a, k, klen);
        x.klen = klen;
        if (ddb_item_decode(&a, ddb_arena_memdup(&a, v, vlen), vlen, &x.val) != 0) {
            fprintf(stderr, "  undecodable entry\n");
            bad++;
            continue;
        }
        entries_add(&got, x);
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK) {
        fprintf(stderr, "  reading the index failed\n");
        bad++;
    }
    ddb_store_iter_close(it);
    for (size_t g = 0; g < got.n; g++) {
        char *v = NULL;
        size_t vlen = 0;
        ddb_attr pv;
        got.v[g].placed = ddb_store_get(s, &a, got.v[g].key, got.v[g].klen, &v, &vlen) == DDB_STORE_OK && v != NULL &&
                          ddb_item_decode(&a, v, vlen, &pv) == 0 && ddb_attr_equal(&pv, &got.v[g].val);
    }
    qsort(want.v, want.n, sizeof(entry), entry_cmp);
    qsort(got.v, got.n, sizeof(entry), entry_cmp);
    while (i < want.n || j < got.n) {
        int c = i == want.n ? 1 : j == got.n ? -1 : entry_cmp(&want.v[i], &got.v[j]);
        const char *what = NULL;
        const entry *x = c <= 0 ? &want.v[i] : &got.v[j];
        if (c < 0)
            what = "missing";
        else if (c > 0)
            what = "extra";
        else if (want.v[i].placed != got.v[j].placed)
            what = "not found by a point read (not where the store places its partition)";
        else if (!ddb_attr_equal(&want.v[i].val, &got.v[j].val))
            what = "with a stale value";
        if (what != NULL) {
            if (bad < 5 && !verify_quiet) {
                char h[200];
                hex(h, sizeof(h), x->key, x->klen);
                fprintf(stderr, "  index %s: entry %s: %s\n", ix->name, what, h);
            }
            bad++;
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    if (bad && !verify_quiet)
        fprintf(stderr, "  index %s: %zu entries expected, %zu stored, %zu differences\n", ix->name, want.n, got.n, bad);
    *nexpected = want.n;
    free(want.v);
    free(got.v);
    ddb_arena_free(&a);
    return bad;
}

/* ==== DeleteTable racing writers ==== */

typedef struct writer {
    pthread_t th;
    const ddb_api *api;
    const char *table;
    unsigned seed;
    int max_ops;
    int *stop;          /* read atomically; NULL: run until the table is gone */
    int index_types;    /* the table may have a GSI on g (S) / r (N): never write other types there */
    int ops, ok, not_found, invalid, unexpected;
    char first_error[256];
} writer;

static void note_error(writer *w, inproc_result r)
{
    if (w->unexpected++ == 0)
        snprintf(w->first_error, sizeof(w->first_error), "%d %s", r.code, r.msg);
}

/* Random puts, updates and deletes of items p<0..49> / 0..k; counts the outcomes. */
static void *writer_main(void *arg)
{
    writer *w = arg;
    inproc_client c;
    int gone_after = -1;

    inproc_client_init(&c, w->api);
    for (int i = 0; i < w->max_ops; i++) {
        int k = (int)(rand_r(&w->seed) % 4000), op = (int)(rand_r(&w->seed) % 10);
        int gv = (int)(rand_r(&w->seed) % 7), rv = (int)(rand_r(&w->seed) % 1000);
        inproc_result r;
        if (w->stop != NULL && __atomic_load_n(w->stop, __ATOMIC_ACQUIRE))
            break;
        if (op < 6) {
            const char *gattr = "";
            char gbuf[96];
            int variant = (int)(rand_r(&w->seed) % 10);
            if (variant < 6)
                snprintf(gbuf, sizeof(gbuf), ",\"g\":{\"S\":\"g%d\"},\"r\":{\"N\":\"%d\"}", gv, rv);
            else if (variant < 8)
                snprintf(gbuf, sizeof(gbuf), ",\"g\":{\"S\":\"g%d\"}", gv);
            else if (variant < 9 && !w->index_types)
                snprintf(gbuf, sizeof(gbuf), ",\"g\":{\"N\":\"%d\"},\"r\":{\"S\":\"x\"}", gv); /* wrong types */
            else
                gbuf[0] = '\0';
            gattr = gbuf;
            r = inproc_callf(&c, "PutItem",
                             "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"l\":{\"N\":\"%d\"},"
                             "\"a\":{\"S\":\"a%d\"},\"b\":{\"N\":\"%d\"}%s}}",
                             w->table, k % 50, k, rv, i, i, gattr);
        } else if (op < 8) {
            if (rand_r(&w->seed) % 3 == 0)
                r = inproc_callf(&c, "UpdateItem",
                                 "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}},"
                                 "\"UpdateExpression\":\"REMOVE g SET a = :a\",\"ExpressionAttributeValues\":{\":a\":{\"S\":\"u%d\"}}}",
                                 w->table, k % 50, k, i);
            else
                r = inproc_callf(&c, "UpdateItem",
                                 "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}},"
                                 "\"UpdateExpression\":\"SET g = :g, r = :r, a = :a\",\"ExpressionAttributeValues\":"
                                 "{\":g\":{\"S\":\"g%d\"},\":r\":{\"N\":\"%d\"},\":a\":{\"S\":\"v%d\"}}}",
                                 w->table, k % 50, k, gv, rv, i);
        } else {
            r = inproc_callf(&c, "DeleteItem",
                             "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}}}", w->table,
                             k % 50, k);
        }
        w->ops++;
        if (r.code == DDB_OK)
            w->ok++;
        else if (r.code == DDB_E_RESOURCE_NOT_FOUND) {
            w->not_found++;
            if (gone_after < 0)
                gone_after = i;
        } else if (r.code == DDB_E_VALIDATION && strstr(r.msg, "Type mismatch for Index Key") != NULL)
            w->invalid++; /* a wrong-typed g written while the GSI appeared */
        else
            note_error(w, r);
        if (w->stop == NULL && gone_after >= 0 && i > gone_after + 20)
            break; /* a few more writes against the deleted table, then stop */
    }
    inproc_client_free(&c);
    return NULL;
}

static void start_writers(writer *ws, int n, const ddb_api *api, const char *table, unsigned seed, int max_ops,
                          int *stop, int index_types)
{
    for (int i = 0; i < n; i++) {
        memset(&ws[i], 0, sizeof(ws[i]));
        ws[i].api = api;
        ws[i].table = table;
        ws[i].seed = seed * 31 + (unsigned)i;
        ws[i].max_ops = max_ops;
        ws[i].stop = stop;
        ws[i].index_types = index_types;
        if (pthread_create(&ws[i].th, NULL, writer_main, &ws[i]) != 0)
            abort();
    }
}

/* Joins the writers; returns the number of unexpected errors (the first one printed). */
static int join_writers(writer *ws, int n)
{
    int bad = 0;

    for (int i = 0; i < n; i++) {
        pthread_join(ws[i].th, NULL);
        if (getenv("DDB_TEST_VERBOSE"))
            fprintf(stderr, "  writer %d: %d ops, %d ok, %d not found, %d index type errors\n", i, ws[i].ops, ws[i].ok,
                    ws[i].not_found, ws[i].invalid);
        if (ws[i].unexpected) {
            fprintf(stderr, "  writer %d: %d unexpected errors, first: %s\n", i, ws[i].unexpected, ws[i].first_error);
            bad += ws[i].unexpected;
        }
    }
    return bad;
}

static int load_items(inproc_client *c, const char *table, int n, unsigned seed, int wrong_types)
{
    for (int k = 0; k < n; k++) {
        int v = (int)(rand_r(&seed) % 10);
        char g[96];
        inproc_result r;
        if (v < 6)
            snprintf(g, sizeof(g), ",\"g\":{\"S\":\"g%d\"},\"r\":{\"N\":\"%d\"}", k % 7, (k * 7919) % 1000);
        else if (v < 7)
            snprintf(g, sizeof(g), ",\"g\":{\"S\":\"g%d\"}", k % 7);
        else if (v < 8 && wrong_types)
            snprintf(g, sizeof(g), ",\"g\":{\"N\":\"%d\"},\"r\":{\"N\":\"1\"}", k % 7);
        else if (v < 9 && wrong_types)
            snprintf(g, sizeof(g), ",\"g\":{\"S\":\"g%d\"},\"r\":{\"S\":\"1\"}", k % 7);
        else
            g[0] = '\0';
        r = inproc_callf(c, "PutItem",
                         "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"l\":{\"N\":\"%d\"},"
                         "\"a\":{\"S\":\"a%d\"},\"b\":{\"N\":\"%d\"},\"c\":{\"M\":{\"x\":{\"L\":[{\"S\":\"y\"}]}}}%s}}",
                         table, k % 50, k, k, k, k, g);
        if (r.code != DDB_OK) {
            fprintf(stderr, "  load: PutItem failed: %d %s\n", r.code, r.msg);
            return -1;
        }
    }
    return 0;
}

#define RACE_TABLE                                                                                                     \
    "{\"TableName\":\"race\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "," DEF(        \
        "l", "N") "," DEF("g", "S") "," DEF("r", "N") "]," PPR ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\","   \
                                                      "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{" \
                                                      "\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{" \
                                                      "\"ProjectionType\":\"ALL\"}}],\"GlobalSecondaryIndexes\":[{"      \
                                                      "\"IndexName\":\"byG\",\"KeySchema\":[{\"AttributeName\":\"g\","   \
                                                      "\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":"      \
                                                      "\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\","      \
                                                      "\"NonKeyAttributes\":[\"a\"]}}]}"

/* N writers put, update and delete (with GSI and LSI keys) while the table is deleted: once the
   purge has run, no key of the table or of its indexes is left anywhere in the store. */
TEST(delete_table_racing_writers_leaves_no_keys)
{
    for (int round = 0; round < 5; round++) {
        inproc_server *e = inproc_open(NULL, 3);
        inproc_client c;
        writer ws[4];
        uint32_t ids[8];
        size_t nids = 0, left = 0;
        unsigned seed = 1000 + (unsigned)round;
        int started = 0;

        ASSERT(e != NULL);
        inproc_client_init(&c, e->api);
        CALL_OK(&c, "CreateTable", RACE_TABLE);
        {
            const ddb_table *t = ddb_catalog_get(e->eng->catalog, "race");
            CHECK(t != NULL && t->nindexes == 2);
        }
        CHECK(load_items(&c, "race", 300, seed, 0) == 0);
        start_writers(ws, 4, e->api, "race", seed, 200000, NULL, 1);
        started = 1;
        sleep_us(1000 + (long)(rand_r(&seed) % 15000));
        CALL_OK(&c, "DeleteTable", "{\"TableName\":\"race\"}");
        started = 0;
        CHECK_EQ(join_writers(ws, 4), 0);
        for (int i = 0; i < 4; i++)
            CHECK(ws[i].not_found > 0); /* each writer saw the table go */
        if (!wait_store_empty(e->eng->store, 20, ids, &nids, &left)) {
            ddb_test_fail(__FILE__, __LINE__, "round %d: %zu keys left after the purge (keyspace %u%s)", round, left,
                          nids ? ids[0] : 0, nids > 1 ? " and others" : "");
            goto out;
        }
    out:
        if (started)
            join_writers(ws, 4);
        inproc_client_free(&c);
        inproc_close(e);
        if (ddb_test_failed)
            return;
    }
}

typedef struct deleter {
    pthread_t th;
    const ddb_api *api;
    const char *table;
    int go;
    double started, ended; /* of the DeleteTable call */
    int code;
    char msg[256];
} deleter;

static void *deleter_main(void *arg)
{
    deleter *d = arg;
    inproc_client c;
    inproc_result r;

    inproc_client_init(&c, d->api);
    while (!__atomic_load_n(&d->go, __ATOMIC_ACQUIRE))
        sched_yield();
    d->started = now_s();
    r = inproc_callf(&c, "DeleteTable", "{\"TableName\":\"%s\"}", d->table);
    d->ended = now_s();
    d->code = r.code;
    snprintf(d->msg, sizeof(d->msg), "%s", r.msg);
    inproc_client_free(&c);
    return NULL;
}

/*
 * DeleteTable racing UpdateTable (Create GSI) while writers fill the new index: whichever wins,
 * once the purge has run no key of the table or of any index it ever had is left.
 */
TEST(delete_table_racing_gsi_creation_leaves_no_keys)
{
    long target_us = 0;

    for (int round = 0; round < 16; round++) {
        inproc_server *e = inproc_open(NULL, 2);
        inproc_client c;
        writer ws[2];
        deleter d;
        uint32_t ids[8];
        size_t nids = 0, left = 0;
        unsigned seed = 2000 + (unsigned)round;
        int started = 0, deleting = 0;
        uint32_t table_id = 0;
        inproc_result r;

        ASSERT(e != NULL);
        inproc_client_init(&c, e->api);
        CALL_OK(&c, "CreateTable",
                "{\"TableName\":\"race2\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "],"
                PPR "}");
        CHECK(ddb_catalog_get(e->eng->catalog, "race2") != NULL);
        table_id = ddb_catalog_get(e->eng->catalog, "race2")->id;
        CHECK(load_direct(e->eng, "race2", 20000) == 0);
        start_writers(ws, 2, e->api, "race2", seed, 200000, NULL, 1);
        started = 1;
        memset(&d, 0, sizeof(d));
        d.api = e->api;
        d.table = "race2";
        if (pthread_create(&d.th, NULL, deleter_main, &d) != 0)
            abort();
        deleting = 1;
        sleep_us(1000);
        __atomic_store_n(&d.go, 1, __ATOMIC_RELEASE);
        /* aim inside DeleteTable, which counts the table's items between its lookup and its commit (as
           long as the previous round measured) */
        sleep_us((long)(rand_r(&seed) % (unsigned long)(target_us > 0 ? target_us : 2000)));
        r = inproc_callf(&c, "UpdateTable",
                         "{\"TableName\":\"race2\",\"AttributeDefinitions\":[" DEF("g", "S") "," DEF("r", "N") "],"
                         "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"late\",\"KeySchema\":["
                         "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
                         "\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}");
        CHECK(r.code == DDB_OK || r.code == DDB_E_RESOURCE_NOT_FOUND);
        pthread_join(d.th, NULL);
        deleting = 0;
        target_us = (long)((d.ended - d.started) * 1e6);
        if (d.code != DDB_OK) {
            ddb_test_fail(__FILE__, __LINE__, "DeleteTable failed: %d %s", d.code, d.msg);
            goto out;
        }
        started = 0;
        CHECK_EQ(join_writers(ws, 2), 0);
        if (!wait_store_empty(e->eng->store, 5, ids, &nids, &left)) {
            ddb_test_fail(__FILE__, __LINE__,
                          "round %d: %zu keys left after the purge (keyspace %u%s; the table's is %u); UpdateTable "
                          "%s before the delete",
                          round, left, nids ? ids[0] : 0, nids > 1 ? " and others" : "", table_id,
                          r.code == DDB_OK ? "committed" : "did not commit");
            goto out;
        }
    out:
        if (deleting) {
            __atomic_store_n(&d.go, 1, __ATOMIC_RELEASE);
            pthread_join(d.th, NULL);
        }
        if (started)
            join_writers(ws, 2);
        inproc_client_free(&c);
        inproc_close(e);
        if (ddb_test_failed)
            return;
    }
}

/*
 * DeleteTable racing UpdateTable (DeletionProtectionEnabled: true): the two must serialize, so at
 * most one of them succeeds (the delete first: the update finds no table; the update first: the
 * delete is refused). Both succeeding means the table was deleted while protected.
 */
TEST(delete_table_racing_deletion_protection_serializes)
{
    long target_us = 0;

    for (int round = 0; round < 16; round++) {
        inproc_server *e = inproc_open(NULL, 2);
        inproc_client c;
        deleter d;
        unsigned seed = 4000 + (unsigned)round;
        int deleting = 0;
        inproc_result r;

        ASSERT(e != NULL);
        inproc_client_init(&c, e->api);
        CALL_OK(&c, "CreateTable",
                "{\"TableName\":\"prot\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "],"
                PPR "}");
        CHECK(load_direct(e->eng, "prot", 20000) == 0);
        memset(&d, 0, sizeof(d));
        d.api = e->api;
        d.table = "prot";
        if (pthread_create(&d.th, NULL, deleter_main, &d) != 0)
            abort();
        deleting = 1;
        sleep_us(1000);
        __atomic_store_n(&d.go, 1, __ATOMIC_RELEASE);
        sleep_us((long)(rand_r(&seed) % (unsigned long)(target_us > 0 ? target_us : 2000)));
        r = inproc_callf(&c, "UpdateTable", "{\"TableName\":\"prot\",\"DeletionProtectionEnabled\":true}");
        pthread_join(d.th, NULL);
        deleting = 0;
        target_us = (long)((d.ended - d.started) * 1e6);
        CHECK(r.code == DDB_OK || r.code == DDB_E_RESOURCE_NOT_FOUND);
        CHECK(d.code == DDB_OK || d.code == DDB_E_VALIDATION);
        if (r.code == DDB_OK && d.code == DDB_OK) {
            ddb_test_fail(__FILE__, __LINE__,
                          "round %d: UpdateTable enabled deletion protection and DeleteTable deleted the table anyway",
                          round);
            goto out;
        }
    out:
        if (deleting) {
            __atomic_store_n(&d.go, 1, __ATOMIC_RELEASE);
            pthread_join(d.th, NULL);
        }
        inproc_client_free(&c);
        inproc_close(e);
        if (ddb_test_failed)
            return;
    }
}

/* ==== online GSI creation racing writers ==== */

/*
 * A few thousand items, then UpdateTable creates a GSI while 4 writers put, update and delete:
 * when it is ACTIVE, the index holds exactly one entry per item with both index keys of the
 * declared types, at the right key (and where the store places its partition), with the item's
 * projection as its value.
 */
TEST(online_gsi_creation_and_deletion_with_concurrent_writers_are_exact)
{
    static const char *const projections[] = {
        "{\"ProjectionType\":\"KEYS_ONLY\"}",
        "{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\",\"c\"]}",
        "{\"ProjectionType\":\"ALL\"}",
    };

    for (int round = 0; round < 3; round++) {
        inproc_server *e = inproc_open(NULL, 3);
        inproc_client c;
        writer ws[4];
        unsigned seed = 3000 + (unsigned)round * 17;
        int started = 0, stop = 0, bf = 0;
        size_t n = 0;
        const ddb_table *t;
        const ddb_index *ix;

        ASSERT(e != NULL);
        inproc_client_init(&c, e->api);
        CALL_OK(&c, "CreateTable",
                "{\"TableName\":\"online\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N")
                "]," PPR "}");
        CHECK(load_items(&c, "online", 3000, seed, 1) == 0);
        /* writers start before the index exists: their first writes race the description change */
        start_writers(ws, 4, e->api, "online", seed, 1000000, &stop, 0);
        started = 1;
        sleep_us(2000);
        CALL_OK(&c, "UpdateTable",
                "{\"TableName\":\"online\",\"AttributeDefinitions\":[" DEF("g", "S") "," DEF("r", "N") "],"
                "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gix\",\"KeySchema\":["
                "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"r\",\"KeyType\":\"RANGE\"}],"
                "\"Projection\":%s}}]}",
                projections[round]);
        CHECK(index_state(e->eng, "online", "gix", &bf) == DDB_IX_CREATING || bf == 0);
        {
            /* while it is backfilling it cannot be read */
            inproc_result q = inproc_callf(&c, "Query",
                                 "{\"TableName\":\"online\",\"IndexName\":\"gix\",\"KeyConditionExpression\":\"g = :g\","
                                 "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g3\"}}}");
            if (index_state(e->eng, "online", "gix", &bf) == DDB_IX_CREATING && bf && q.code != DDB_OK) {
                CHECK_EQ(q.code, DDB_E_VALIDATION);
                CHECK(strcmp(q.msg, "Cannot read from backfilling global secondary index: gix") == 0);
            }
        }
        if (!wait_index(e->eng, "online", "gix", 0, 40)) {
            ddb_test_fail(__FILE__, __LINE__, "round %d: the index never became ACTIVE", round);
            goto out;
        }
        sleep_us(20000); /* writes maintain the ACTIVE index too */
        __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
        started = 0;
        CHECK_EQ(join_writers(ws, 4), 0);
        t = ddb_catalog_get(e->eng->catalog, "online");
        CHECK(t != NULL);
        ix = ddb_table_index(t, "gix");
        CHECK(ix != NULL && ix->state == DDB_IX_ACTIVE && !ix->backfilling);
        CHECK_EQ(count_meta(e->eng->store, "task/backfill/"), 0); /* the cursor is gone */
        if (verify_index(e->eng, t, ix, &n) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "round %d (%s): the index differs from its items", round,
                          projections[round]);
            goto out;
        }
        CHECK(n > 1000);
        {
            /* Query on the index sees them: count one partition through the request path */
            size_t want = 0, got = 0;
            const char *p;
            ddb_arena a;
            char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
            ddb_arena_init(&a);
            ddb_key_table_range(t->id, lo, hi);
            {
                ddb_store_iter *it = ddb_store_iter_open(e->eng->store, lo, 4, hi, 4, 0);
                for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
                    size_t vlen;
                    const char *v = ddb_store_iter_val(it, &vlen);
                    ddb_attr item;
                    const ddb_attr *g, *r;
                    ddb_arena_reset(&a);
                    if (ddb_item_decode(&a, ddb_arena_memdup(&a, v, vlen), vlen, &item) != 0)
                        continue;
                    g = ddb_item_get(&item, "g", 1);
                    r = ddb_item_get(&item, "r", 1);
                    want += g && g->type == DDB_T_S && g->len == 2 && memcmp(g->u.s, "g3", 2) == 0 && r &&
                            r->type == DDB_T_N;
                }
                CHECK_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
                ddb_store_iter_close(it);
            }
            ddb_arena_free(&a);
            inproc_result q = inproc_callf(&c, "Query",
                                 "{\"TableName\":\"online\",\"IndexName\":\"gix\",\"KeyConditionExpression\":\"g = :g\","
                                 "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g3\"}},\"Select\":\"COUNT\"}");
            CHECK_EQ(q.code, DDB_OK);
            CHECK((p = strstr(q.body, "\"Count\":")) != NULL);
            got = (size_t)strtoul(p + 8, NULL, 10);
            CHECK(strstr(q.body, "LastEvaluatedKey") == NULL);
            CHECK_EQ(got, want);
        }
        {
            /* deleting it while the writers go on: once it has left the description, none of its entries
               is left, and the attributes only it used leave AttributeDefinitions */
            uint32_t ix_id = ix->id;
            const ddb_json *defs;
            stop = 0;
            start_writers(ws, 4, e->api, "online", seed + 1, 1000000, &stop, 1);
            started = 1;
            sleep_us(2000);
            CALL_OK(&c, "UpdateTable",
                    "{\"TableName\":\"online\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"gix\"}}]}");
            if (!wait_index(e->eng, "online", "gix", 1, 20)) {
                ddb_test_fail(__FILE__, __LINE__, "round %d: the index was never dropped", round);
                goto out;
            }
            sleep_us(5000);
            __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
            started = 0;
            CHECK_EQ(join_writers(ws, 4), 0);
            CHECK_EQ(count_keys(e->eng->store, ix_id), 0);
            t = ddb_catalog_get(e->eng->catalog, "online");
            CHECK(t != NULL && t->nindexes == 0);
            defs = ddb_json_get(t->desc, "AttributeDefinitions");
            CHECK(defs != NULL && defs->type == DDB_JSON_ARRAY && defs->n == 2);
        }
    out:
        if (started) {
            __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
            join_writers(ws, 4);
        }
        inproc_client_free(&c);
        inproc_close(e);
        if (ddb_test_failed)
            return;
    }
}

/* ==== concurrent UpdateTables ==== */

typedef struct toggler {
    pthread_t th;
    const ddb_api *api;
    int iterations; /* at least; then until stop */
    int stop, ok;
    int last_protection;
    const char *last_class;
    int failures;
    char first_error[256];
} toggler;

static void *toggler_main(void *arg)
{
    toggler *tg = arg;
    inproc_client c;

    inproc_client_init(&c, tg->api);
    for (int i = 0; i < tg->iterations || !__atomic_load_n(&tg->stop, __ATOMIC_ACQUIRE); i++) {
        /* DeletionProtectionEnabled must be alone in its request (DynamoDB's rule) */
        int prot = i % 4 < 2;
        const char *cls = i % 3 == 0 ? "STANDARD_INFREQUENT_ACCESS" : "STANDARD";
        inproc_result r =
            i % 2 == 0
                ? inproc_callf(&c, "UpdateTable", "{\"TableName\":\"cas\",\"DeletionProtectionEnabled\":%s}",
                               prot ? "true" : "false")
                : inproc_callf(&c, "UpdateTable", "{\"TableName\":\"cas\",\"TableClass\":\"%s\"}", cls);
        if (r.code != DDB_OK) {
            if (tg->failures++ == 0)
                snprintf(tg->first_error, sizeof(tg->first_error), "%d %s", r.code, r.msg);
            continue;
        }
        tg->ok++;
        if (i % 2 == 0)
            tg->last_protection = prot;
        else
            tg->last_class = cls;
        sleep_us(200);
    }
    inproc_client_free(&c);
    return NULL;
}

/*
 * One thread toggles DeletionProtectionEnabled and TableClass, another creates and deletes GSIs
 * (and the background worker turns them ACTIVE and drops them): the final description has both
 * threads' last changes.
 */
TEST(concurrent_update_tables_keep_each_others_changes)
{
    inproc_server *e = inproc_open(NULL, 2);
    inproc_client c;
    toggler tg;
    int started = 0;
    const ddb_table *t;
    const ddb_json *prot;
    const char *cls;
    size_t n = 0;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    memset(&tg, 0, sizeof(tg));
    CALL_OK(&c, "CreateTable",
            "{\"TableName\":\"cas\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "]," PPR
            "}");
    CHECK(load_items(&c, "cas", 400, 5, 0) == 0);
    tg.api = e->api;
    tg.iterations = 20;
    if (pthread_create(&tg.th, NULL, toggler_main, &tg) != 0)
        abort();
    started = 1;
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), i == 4 ? "final" : "gsi%d", i);
        CALL_OK(&c, "UpdateTable",
                "{\"TableName\":\"cas\",\"AttributeDefinitions\":[" DEF("g", "S") "],"
                "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"%s\",\"KeySchema\":["
                "{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}",
                name);
        if (!wait_index(e->eng, "cas", name, 0, 20)) {
            ddb_test_fail(__FILE__, __LINE__, "index %s never became ACTIVE", name);
            goto out;
        }
        if (i == 4)
            break;
        CALL_OK(&c, "UpdateTable",
                "{\"TableName\":\"cas\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"%s\"}}]}", name);
        if (!wait_index(e->eng, "cas", name, 1, 20)) {
            ddb_test_fail(__FILE__, __LINE__, "index %s was never dropped", name);
            goto out;
        }
    }
    __atomic_store_n(&tg.stop, 1, __ATOMIC_RELEASE);
    pthread_join(tg.th, NULL);
    started = 0;
    if (tg.failures) {
        ddb_test_fail(__FILE__, __LINE__, "%d toggling UpdateTables failed, first: %s", tg.failures, tg.first_error);
        goto out;
    }
    t = ddb_catalog_get(e->eng->catalog, "cas");
    CHECK(t != NULL && tg.last_class != NULL);
    prot = ddb_json_get(t->desc, "DeletionProtectionEnabled");
    cls = ddb_json_get_str(t->desc, "TableClass");
    CHECK(prot != NULL && prot->type == DDB_JSON_BOOL);
    CHECK_EQ(prot->u.b, tg.last_protection);
    CHECK(cls != NULL && strcmp(cls, tg.last_class) == 0);
    /* every change was applied once, none lost: created at version 1, then the toggles, 5 creates and 4
       deletes, and the worker's 5 ACTIVE and 4 drops */
    CHECK_EQ(t->version, 1 + tg.ok + 9 + 9);
    CHECK_EQ(t->nindexes, 1);
    CHECK(strcmp(t->indexes[0].name, "final") == 0 && t->indexes[0].state == DDB_IX_ACTIVE);
    CHECK_EQ(verify_index(e->eng, t, &t->indexes[0], &n), 0);
    CHECK(n > 0);
    {
        /* DescribeTable agrees */
        inproc_result r = inproc_callf(&c, "DescribeTable", "{\"TableName\":\"cas\"}");
        CHECK_EQ(r.code, DDB_OK);
        CHECK(strstr(r.body, tg.last_protection ? "\"DeletionProtectionEnabled\":true"
                                                : "\"DeletionProtectionEnabled\":false") != NULL);
        CHECK(strstr(r.body, "\"IndexName\":\"final\"") != NULL && strstr(r.body, "\"IndexName\":\"gsi") == NULL);
    }
out:
    if (started) {
        __atomic_store_n(&tg.stop, 1, __ATOMIC_RELEASE);
        pthread_join(tg.th, NULL);
    }
    inproc_client_free(&c);
    inproc_close(e);
}

/* ==== descriptions replaced under a mutation ==== */

/*
 * Replaces t's description, compare-and-swap, with one that adds a GSI (`gsi_members`: the JSON
 * members of its object, without braces; the index gets a new id) in `state` (Backfilling while
 * CREATING) and attribute definitions (`defs`: JSON array elements). This is what UpdateTable
 * does, minus the kick of the worker, so a test decides what the worker finds. Returns the new
 * description, or NULL.
 */
static const ddb_table *add_gsi_direct(ddb_engine *eng, const ddb_table *t, const char *defs, const char *gsi_members,
                                       ddb_index_state state, uint32_t *id_out)
{
    uint32_t id = ddb_catalog_new_id(eng->catalog);
    ddb_arena a;
    const ddb_json *gj, *xdefs;
    const ddb_table *out = NULL;
    ddb_desc_edit *e;
    char *text;

    ddb_arena_init(&a);
    text = ddb_arena_sprintf(&a, "{%s,\"ddbdIndexId\":%u}", gsi_members, id);
    gj = ddb_json_parse(&a, text, strlen(text));
    text = ddb_arena_sprintf(&a, "[%s]", defs);
    xdefs = ddb_json_parse(&a, text, strlen(text));
    if (gj == NULL || xdefs == NULL || id == 0)
        abort();
    e = ddb_desc_edit_of(&a, t);
    ddb_edit_add_gsi(e, gj, state, state == DDB_IX_CREATING);
    ddb_edit_define(e, xdefs);
    if (ddb_catalog_commit(eng->catalog, e, &out) != 0)
        out = NULL;
    ddb_arena_free(&a);
    if (id_out != NULL)
        *id_out = id;
    return out;
}

/* The stored value of the entry of `item` in `ix`; NULL when the item is not in the index or the entry is absent. */
static char *stored_entry(ddb_arena *a, ddb_engine *eng, const ddb_index *ix, const ddb_attr *item,
                          const ddb_key *base, size_t *vlen)
{
    ddb_key e;
    char *v = NULL;

    *vlen = 0;
    if (ddb_index_entry_key(a, eng->store, ix, item, base, &e) != 0)
        return NULL;
    if (ddb_store_get(eng->store, a, e.bytes, e.len, &v, vlen) != DDB_STORE_OK)
        return NULL;
    return v;
}

/*
 * A mutation built against a description that was replaced before it commits (an index added)
 * runs again against the new one: the new index gets its entry; a delete under the stale
 * description removes it; a table deleted, or deleted and created again, under the mutation
 * makes it fail with ResourceNotFoundException and write nothing.
 */
TEST(mutation_under_a_replaced_description_maintains_the_new_index)
{
    inproc_server *e = inproc_open(NULL, 2);
    inproc_client c;
    ddb_arena a;
    const ddb_table *t0, *t1, *t2;
    const ddb_index *ixnew, *ixold;
    ddb_mutation m;
    ddb_attr item, pk, projected, stored;
    ddb_key key, key2;
    uint32_t new_id = 0;
    char *v;
    size_t vlen;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    ddb_arena_init(&a);
    CALL_OK(&c, "CreateTable",
            "{\"TableName\":\"swap\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            "\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("g", "S") "]," PPR ",\"GlobalSecondaryIndexes\":[{"
            "\"IndexName\":\"old\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
            "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}");
    t0 = ddb_catalog_get(e->eng->catalog, "swap");
    CHECK(t0 != NULL);
    t1 = add_gsi_direct(e->eng, t0, DEF("h", "S"),
                        "\"IndexName\":\"new\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],"
                        "\"Projection\":{\"ProjectionType\":\"ALL\"}",
                        DDB_IX_ACTIVE, &new_id);
    CHECK(t1 != NULL);
    CHECK(ddb_table_retired(t0) && !ddb_table_retired(t1));
    CHECK(t1->version > t0->version && t1->id == t0->id);
    ixnew = ddb_table_index(t1, "new");
    ixold = ddb_table_index(t1, "old");
    CHECK(ixnew != NULL && ixold != NULL && ixnew->id == new_id && ixnew->state == DDB_IX_ACTIVE);

    /* a put decided under t0 */
    item = parse_item(&a, "{\"pk\":{\"S\":\"k1\"},\"g\":{\"S\":\"x\"},\"h\":{\"S\":\"y\"},\"z\":{\"N\":\"1\"}}");
    pk = *ddb_item_get(&item, "pk", 2);
    ddb_key_build(&a, e->eng->store, t0->id, &pk, NULL, &key);
    ddb_mutation_init(&m, DDB_MUT_PUT, t0, &key);
    m.item = &item;
    CHECK_EQ(ddb_mutate(e->eng, &a, &m), DDB_OK);
    CHECK(m.t == t1);
    CHECK(m.out.index_units[ixnew - t1->indexes] > 0);
    CHECK((v = stored_entry(&a, e->eng, ixnew, &item, &key, &vlen)) != NULL);
    CHECK_EQ(ddb_item_decode(&a, v, vlen, &stored), 0);
    ddb_index_project(&a, t1, ixnew, &item, &projected);
    CHECK(ddb_attr_equal(&stored, &projected));
    CHECK(stored_entry(&a, e->eng, ixold, &item, &key, &vlen) != NULL);

    /* a delete decided under t0 removes both entries */
    ddb_mutation_init(&m, DDB_MUT_DELETE, t0, &key);
    CHECK_EQ(ddb_mutate(e->eng, &a, &m), DDB_OK);
    CHECK(m.out.had_old);
    CHECK(stored_entry(&a, e->eng, ixnew, &item, &key, &vlen) == NULL);
    CHECK(stored_entry(&a, e->eng, ixold, &item, &key, &vlen) == NULL);
    CHECK_EQ(count_keys(e->eng->store, new_id), 0);
    CHECK_EQ(count_keys(e->eng->store, t1->id), 0);

    /* independent puts committed together (BatchWriteItem's), decided under t0 and under t1: each
       lands with both indexes' entries, whichever description it was built against */
    for (int under = 0; under < 2; under++) {
        ddb_mutation ms[3];
        ddb_attr items[3];
        ddb_key keys[3];
        for (int i = 0; i < 3; i++) {
            char json[160];
            snprintf(json, sizeof(json), "{\"pk\":{\"S\":\"e%d-%d\"},\"g\":{\"S\":\"x\"},\"h\":{\"S\":\"y%d\"}}", under,
                     i, i);
            items[i] = parse_item(&a, json);
            pk = *ddb_item_get(&items[i], "pk", 2);
            ddb_key_build(&a, e->eng->store, t0->id, &pk, NULL, &keys[i]);
            ddb_mutation_init(&ms[i], DDB_MUT_PUT, under ? t1 : t0, &keys[i]);
            ms[i].item = &items[i];
            ms[i].request = DDB_REQUEST_ONE;
        }
        CHECK_EQ(ddb_mutate_each(e->eng, &a, ms, 3), 3);
        for (int i = 0; i < 3; i++) {
            CHECK_EQ(ms[i].out.err.code, DDB_OK);
            CHECK(ms[i].t == t1);
            CHECK(ms[i].out.index_units[ixnew - t1->indexes] > 0);
            CHECK(stored_entry(&a, e->eng, ixnew, &items[i], &keys[i], &vlen) != NULL);
            CHECK(stored_entry(&a, e->eng, ixold, &items[i], &keys[i], &vlen) != NULL);
        }
        for (int i = 0; i < 3; i++) /* and deleted together, both entries with them */
            ddb_mutation_init(&ms[i], DDB_MUT_DELETE, t1, &keys[i]);
        CHECK_EQ(ddb_mutate_each(e->eng, &a, ms, 3), 3);
        for (int i = 0; i < 3; i++) {
            CHECK(ms[i].out.err.code == DDB_OK && ms[i].out.had_old);
            CHECK(stored_entry(&a, e->eng, ixnew, &items[i], &keys[i], &vlen) == NULL);
            CHECK(stored_entry(&a, e->eng, ixold, &items[i], &keys[i], &vlen) == NULL);
        }
    }
    CHECK_EQ(count_keys(e->eng->store, new_id), 0);
    CHECK_EQ(count_keys(e->eng->store, t1->id), 0);

    /* the table deleted under the mutation */
    CALL_OK(&c, "DeleteTable", "{\"TableName\":\"swap\"}");
    ddb_mutation_init(&m, DDB_MUT_PUT, t1, &key);
    m.item = &item;
    CHECK_EQ(ddb_mutate(e->eng, &a, &m), DDB_E_RESOURCE_NOT_FOUND);
    {   /* and independent puts under it: the first fails, and the call ends there */
        ddb_mutation ms[2];
        ddb_mutation_init(&ms[0], DDB_MUT_PUT, t1, &key);
        ms[0].item = &item;
        ms[1] = ms[0];
        key2 = key;
        key2.bytes = ddb_arena_memdup(&a, key.bytes, key.len);
        key2.bytes[key.len - 1] ^= 1;
        ms[1].key = key2;
        CHECK_EQ(ddb_mutate_each(e->eng, &a, ms, 2), 1);
        CHECK_EQ(ms[0].out.err.code, DDB_E_RESOURCE_NOT_FOUND);
        CHECK(ddb_store_get(e->eng->store, &a, key2.bytes, key2.len, &v, &vlen) == DDB_STORE_OK && v == NULL);
    }
    CHECK(ddb_store_get(e->eng->store, &a, key.bytes, key.len, &v, &vlen) == DDB_STORE_OK && v == NULL);

    /* deleted and created again under the same name: the old mutation must not land in the new table */
    CALL_OK(&c, "CreateTable",
            "{\"TableName\":\"swap\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            "\"AttributeDefinitions\":[" DEF("pk", "S") "]," PPR "}");
    t2 = ddb_catalog_get(e->eng->catalog, "swap");
    CHECK(t2 != NULL && t2->id != t1->id && t2->id != new_id);
    ddb_mutation_init(&m, DDB_MUT_PUT, t1, &key);
    m.item = &item;
    CHECK_EQ(ddb_mutate(e->eng, &a, &m), DDB_E_RESOURCE_NOT_FOUND);
    ddb_key_build(&a, e->eng->store, t2->id, &pk, NULL, &key2);
    CHECK(ddb_store_get(e->eng->store, &a, key2.bytes, key2.len, &v, &vlen) == DDB_STORE_OK && v == NULL);
    CHECK(ddb_store_get(e->eng->store, &a, key.bytes, key.len, &v, &vlen) == DDB_STORE_OK && v == NULL);
out:
    ddb_arena_free(&a);
    inproc_client_free(&c);
    inproc_close(e);
}

/* ==== data directories: format-1 migration, backfill cursor ==== */

static int make_temp_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/ddbd-test-engine-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static size_t query_count(inproc_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t query_count(inproc_client *c, const char *fmt, ...)
{
    char body[1024];
    va_list ap;
    inproc_result r;
    const char *p;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    r = inproc_callf(c, "Query", "%s", body);
    if (r.code != DDB_OK) {
        fprintf(stderr, "  Query failed: %d %s\n", r.code, r.msg);
        return (size_t)-1;
    }
    if ((p = strstr(r.body, "\"Count\":")) == NULL || strstr(r.body, "LastEvaluatedKey") != NULL)
        return (size_t)-2;
    return (size_t)strtoul(p + 8, NULL, 10);
}

#define LEGACY_DESC                                                                                                    \
    "{\"ddbdTableId\":3,\"CreationDateTime\":1700000000.123,\"TableId\":\"3f1c0a62-8d7e-4b44-9a41-5b2f0e6c9d10\","    \
    "\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "," DEF("l", "N") "," DEF("g", "S") "],"          \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]," \
    "\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":["            \
    "{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],"               \
    "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\","          \
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\","   \
    "\"NonKeyAttributes\":[\"a\"]}}]}"

/* Writes a data directory as a format-1 ddbd left it: table "legacy" (id 3) with an LSI and a GSI
   declared but never maintained, and 400 items; the next id counter at 4. */
static int write_format1_dir(const char *dir, unsigned shards)
{
    ddb_store_options o;
    ddb_store *st;
    ddb_arena a;
    ddb_batch b;
    char *err = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    o.path = dir;
    o.nshards = shards;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    if ((st = ddb_store_open(&o, &err)) == NULL) {
        fprintf(stderr, "  cannot open %s: %s\n", dir, err ? err : "?");
        free(err);
        return -1;
    }
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/format", 11, "1", 1);
    ddb_batch_meta_put(&b, "ddbd/next_table_id", 18, "4", 1);
    ddb_batch_meta_put(&b, "table/legacy", 12, LEGACY_DESC, strlen(LEGACY_DESC));
    for (int i = 0; i < 400; i++) {
        char json[256], g[64] = "", l[64] = "";
        ddb_attr item;
        ddb_key k;
        char *val;
        size_t vlen;
        if (i % 8 == 0)
            snprintf(g, sizeof(g), ",\"g\":{\"N\":\"%d\"}", i % 5); /* wrong type: not in byG */
        else if (i % 4 != 0)
            snprintf(g, sizeof(g), ",\"g\":{\"S\":\"g%d\"}", i % 5);
        if (i % 3 != 0)
            snprintf(l, sizeof(l), ",\"l\":{\"N\":\"%d\"}", i);
        snprintf(json, sizeof(json), "{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},\"a\":{\"S\":\"a%d\"},\"b\":{\"N\":\"%d\"}%s%s}",
                 i % 20, i, i, i, g, l);
        item = parse_item(&a, json);
        ddb_key_build(&a, st, 3, ddb_item_get(&item, "pk", 2), ddb_item_get(&item, "sk", 2), &k);
        ddb_item_encode(&a, &item, ddb_item_size(&item), &val, &vlen);
        ddb_batch_put(&b, k.bytes, k.len, val, vlen);
    }
    rc = ddb_store_write(st, &b);
    ddb_arena_free(&a);
    ddb_store_close(st);
    return rc;
}

/* Items of the legacy table in the GSI partition g<v> and in the LSI range of partition p<p>, l in [lo, hi]. */
static size_t legacy_gsi_count(int v)
{
    size_t n = 0;
    for (int i = 0; i < 400; i++)
        n += i % 8 != 0 && i % 4 != 0 && i % 5 == v;
    return n;
}

static size_t legacy_lsi_count(int p, int lo, int hi)
{
    size_t n = 0;
    for (int i = 0; i < 400; i++)
        n += i % 20 == p && i % 3 != 0 && i >= lo && i <= hi;
    return n;
}

/*
 * A format-1 directory (indexes declared, never maintained) opened through the server: each
 * index gets a new id, is built from the items in the background and turns ACTIVE; Query finds
 * the items; ids stay unique (a new table gets another id); a second restart keeps it all.
 */
TEST(format1_indexes_get_ids_and_are_backfilled)
{
    char dir[64];
    inproc_server *e = NULL;
    inproc_client c;
    const ddb_table *t;
    uint32_t ids[2] = {0, 0};
    int have_client = 0;

    ASSERT(make_temp_dir(dir, sizeof(dir)) == 0);
    CHECK(write_format1_dir(dir, 2) == 0);
    CHECK((e = inproc_open(dir, 2)) != NULL);
    inproc_client_init(&c, e->api);
    have_client = 1;
    CHECK_EQ(ddb_store_format_found(e->eng->store), 1);
    t = ddb_catalog_get(e->eng->catalog, "legacy");
    CHECK(t != NULL && t->id == 3 && t->nindexes == 2);
    for (unsigned i = 0; i < 2; i++) {
        ids[i] = t->indexes[i].id;
        CHECK(ids[i] >= 4); /* new ids, from the counter: never a table's */
    }
    CHECK(ids[0] != ids[1]);
    CHECK(wait_index(e->eng, "legacy", "byL", 0, 20));
    CHECK(wait_index(e->eng, "legacy", "byG", 0, 20));
    t = ddb_catalog_get(e->eng->catalog, "legacy");
    CHECK(t->indexes[0].id == ids[0] && t->indexes[1].id == ids[1]);
    for (unsigned i = 0; i < 2; i++) {
        size_t n = 0;
        CHECK_EQ(verify_index(e->eng, t, &t->indexes[i], &n), 0);
        CHECK(n > 0);
    }
    for (int v = 0; v < 5; v++)
        CHECK_EQ(query_count(&c,
                             "{\"TableName\":\"legacy\",\"IndexName\":\"byG\",\"KeyConditionExpression\":\"g = :g\","
                             "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g%d\"}},\"Select\":\"COUNT\"}",
                             v),
                 legacy_gsi_count(v));
    CHECK_EQ(query_count(&c,
                         "{\"TableName\":\"legacy\",\"IndexName\":\"byL\",\"KeyConditionExpression\":\"pk = :p AND l "
                         "BETWEEN :lo AND :hi\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p7\"},\":lo\":{\"N\":\"50\"},"
                         "\":hi\":{\"N\":\"300\"}},\"Select\":\"COUNT\"}"),
             legacy_lsi_count(7, 50, 300));
    {
        inproc_result r = inproc_callf(&c, "DescribeTable", "{\"TableName\":\"legacy\"}");
        CHECK_EQ(r.code, DDB_OK);
        CHECK(strstr(r.body, "\"IndexStatus\":\"ACTIVE\"") != NULL && strstr(r.body, "CREATING") == NULL);
    }
    CALL_OK(&c, "CreateTable",
            "{\"TableName\":\"fresh\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
            "\"AttributeDefinitions\":[" DEF("pk", "S") "]," PPR "}");
    t = ddb_catalog_get(e->eng->catalog, "fresh");
    CHECK(t != NULL && t->id != 3 && t->id != ids[0] && t->id != ids[1]);
    inproc_client_free(&c);
    have_client = 0;
    inproc_close(e);

    /* a second start: nothing to migrate or build again */
    CHECK((e = inproc_open(dir, 2)) != NULL);
    inproc_client_init(&c, e->api);
    have_client = 1;
    CHECK_EQ(ddb_store_format_found(e->eng->store), 5); /* stamped current at the first start */
    t = ddb_catalog_get(e->eng->catalog, "legacy");
    CHECK(t != NULL && t->nindexes == 2 && t->indexes[0].id == ids[0] && t->indexes[1].id == ids[1]);
    CHECK(t->indexes[0].state == DDB_IX_ACTIVE && t->indexes[1].state == DDB_IX_ACTIVE);
    CHECK(!t->indexes[0].backfilling && !t->indexes[1].backfilling);
    CHECK_EQ(count_meta(e->eng->store, "task/backfill/"), 0);
    CHECK_EQ(query_count(&c,
                         "{\"TableName\":\"legacy\",\"IndexName\":\"byG\",\"KeyConditionExpression\":\"g = :g\","
                         "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g2\"}},\"Select\":\"COUNT\"}"),
             legacy_gsi_count(2));
out:
    if (have_client)
        inproc_client_free(&c);
    inproc_close(e);
    inproc_rm_rf(dir);
}

/*
 * A backfill interrupted by a restart resumes from its persisted cursor. The interrupted state is
 * written as the worker writes it (storage-format.md: the index CREATING with Backfilling, the
 * entries of the items up to the cursor, the cursor: the raw last table key indexed, the table's
 * keys being read in one key order whatever their placement), so the test does not depend on
 * stopping the worker at the right moment. The same data directory is then opened again with the
 * same shard count, or with another one (partitions move between shards at open; the key order,
 * so the cursor, does not change): either way the backfill resumes after the cursor (the one item
 * before it left out on purpose stays out: it was not read again) and every other entry is exact.
 */
static void interrupted_backfill(unsigned shards_before, unsigned shards_after)
{
    char dir[64];
    inproc_server *e = NULL;
    inproc_client c;
    const ddb_table *t, *t1;
    const ddb_index *ix;
    ddb_arena a;
    uint32_t ix_id = 0;
    int have_client = 0, planted = 0;
    size_t n = 0, diffs, vlen = 0;
    ddb_attr planted_item;
    ddb_key planted_base;

    memset(&planted_item, 0, sizeof(planted_item));
    memset(&planted_base, 0, sizeof(planted_base));
    ddb_arena_init(&a);
    if (make_temp_dir(dir, sizeof(dir)) != 0) {
        ddb_test_fail(__FILE__, __LINE__, "mkdtemp");
        ddb_arena_free(&a);
        return;
    }
    CHECK((e = inproc_open(dir, shards_before)) != NULL);
    CHECK_EQ(ddb_store_nshards(e->eng->store), shards_before);
    inproc_client_init(&c, e->api);
    have_client = 1;
    CALL_OK(&c, "CreateTable",
            "{\"TableName\":\"resume\"," KEY_HR ",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "]," PPR
            "}");
    CHECK(load_items(&c, "resume", 1500, 77, 0) == 0);
    sleep_us(50000); /* the worker has gone idle: it only wakes when kicked */
    t = ddb_catalog_get(e->eng->catalog, "resume");
    t1 = add_gsi_direct(e->eng, t, DEF("g", "S"),
                        "\"IndexName\":\"gr\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
                        "\"Projection\":{\"ProjectionType\":\"ALL\"}",
                        DDB_IX_CREATING, &ix_id);
    CHECK(t1 != NULL);
    ix = ddb_table_index(t1, "gr");
    CHECK(ix != NULL && ix->backfilling && ix->state == DDB_IX_CREATING);
    {
        /* what the worker would have done before the restart: the first half of the table's keys, in key
           order, indexed; the cursor (the last of them) saved */
        char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES], *last = NULL;
        size_t lastlen = 0, total = count_keys(e->eng->store, t1->id), done = 0;
        ddb_batch b;
        ddb_store_iter *it;
        CHECK(total > 1000 && total != (size_t)-1);
        ddb_key_table_range(t1->id, lo, hi);
        ddb_batch_init(&b, &a);
        it = ddb_store_iter_open(e->eng->store, lo, 4, hi, 4, 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && done < total / 2;
             ddb_store_iter_next(it), done++) {
            size_t klen, ivlen;
            const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &ivlen);
            ddb_key base;
            ddb_attr item;
            if (last != NULL && (memcmp(last, k, lastlen < klen ? lastlen : klen) > 0 ||
                                 (memcmp(last, k, lastlen < klen ? lastlen : klen) == 0 && lastlen >= klen))) {
                ddb_test_fail(__FILE__, __LINE__, "the table's keys are not read in key order");
                break;
            }
            last = ddb_arena_memdup(&a, k, klen);
            lastlen = klen;
            ddb_key_from_stored(last, klen, &base);
            if (ddb_item_decode(&a, ddb_arena_memdup(&a, v, ivlen), ivlen, &item) != 0)
                abort();
            /* one item before the cursor is left out on purpose: a resumed backfill does not
               read it again, a restarted one would */
            if (!planted && ddb_item_get(&item, "g", 1) != NULL) {
                planted = 1;
                planted_item = item;
                planted_base = base;
                continue;
            }
            ddb_mutation_derive_index(&a, e->eng->store, t1, ix, &base, NULL, &item, &b, NULL, NULL, NULL);
        }
        CHECK_EQ(ddb_store_iter_status(it), DDB_STORE_OK);
        ddb_store_iter_close(it);
        if (ddb_test_failed)
            goto out;
        CHECK(planted && done == total / 2);
        {
            char *key = ddb_arena_sprintf(&a, "task/backfill/%010u", ix_id);
            ddb_batch_meta_put(&b, key, strlen(key), last, lastlen); /* the cursor: the raw last key */
        }
        CHECK_EQ(ddb_store_write(e->eng->store, &b), DDB_STORE_OK);
    }
    inproc_client_free(&c);
    have_client = 0;
    inproc_close(e);

    CHECK((e = inproc_open(dir, shards_after)) != NULL);
    CHECK_EQ(ddb_store_nshards(e->eng->store), shards_after);
    inproc_client_init(&c, e->api);
    have_client = 1;
    if (!wait_index(e->eng, "resume", "gr", 0, 30)) {
        ddb_test_fail(__FILE__, __LINE__, "the resumed backfill never finished");
        goto out;
    }
    CHECK_EQ(count_meta(e->eng->store, "task/backfill/"), 0);
    t = ddb_catalog_get(e->eng->catalog, "resume");
    ix = ddb_table_index(t, "gr");
    CHECK(ix != NULL && ix->id == ix_id);
    verify_quiet = 1;
    diffs = verify_index(e->eng, t, ix, &n);
    verify_quiet = 0;
    /* exactly one difference, and it is the planted item's entry, missing: the backfill resumed after the
       cursor, and every other entry (those written before the restart, moved with their partitions when the
       shard count changed, and those the resumed backfill wrote) is exact */
    if (diffs != 1 || stored_entry(&a, e->eng, ix, &planted_item, &planted_base, &vlen) != NULL) {
        ddb_test_fail(__FILE__, __LINE__,
                      "resumed with %u shards (interrupted with %u): %zu differences (want 1: only the item left out "
                      "before the cursor)%s",
                      shards_after, shards_before, diffs,
                      diffs == 1 ? ", but the item left out was indexed" : "");
        if (diffs != 1)
            verify_index(e->eng, t, ix, &n); /* print them */
        goto out;
    }
    CHECK(n > 1000);
out:
    if (have_client)
        inproc_client_free(&c);
    inproc_close(e);
    inproc_rm_rf(dir);
    ddb_arena_free(&a);
}

TEST(interrupted_backfill_resumes_from_its_cursor)
{
    interrupted_backfill(3, 3);
}

/* The cursor is a key, not a place: a directory reopened with fewer shards resumes from it. */
TEST(interrupted_backfill_resumes_after_the_shard_count_shrinks)
{
    interrupted_backfill(3, 2);
}

/* ... and with more shards. */
TEST(interrupted_backfill_resumes_after_the_shard_count_grows)
{
    interrupted_backfill(2, 5);
}
