/*
 * tests/unit/engine/test_table_stats.c: the item counts and sizes the write path keeps for a table
 * and each of its indexes (engine/table_stats.h): exact against a count of the keyspaces after
 * writers racing the periodic check, and a check that finds them off (an item written outside the
 * pipeline) repairs them.
 *
 * Requests go through ddb_dispatch() (tests/harness/inproc.h); the store is read underneath.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/engine/table_stats.h"
#include "test.h"
#include "tests/harness/inproc.h"

#define CALL_OK(c, op, ...) INPROC_CALL_OK_ELSE(goto out, c, op, __VA_ARGS__)

/* A table with an LSI (ls) and a GSI (g, KEYS_ONLY: its entries are smaller than the items). */
#define TABLE_WITH_INDEXES                                                                                             \
    "{\"TableName\":\"counted\",\"BillingMode\":\"PAY_PER_REQUEST\","                                                  \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]," \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"                                   \
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"ls\",\"AttributeType\":\"S\"},"           \
    "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"                                                              \
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}," \
    "{\"AttributeName\":\"ls\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}],"               \
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}]," \
    "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}]}"

typedef struct writer {
    pthread_t th;
    const ddb_api *api;
    unsigned seed;
    int errors;
} writer;

/* Puts, updates (in and out of the indexes) and deletes over a small key space, so they collide. */
static void *writer_main(void *arg)
{
    writer *w = arg;
    inproc_client c;

    inproc_client_init(&c, w->api);
    for (int i = 0; i < 3000; i++) {
        int k = rand_r(&w->seed) % 64, op = rand_r(&w->seed) % 4;
        inproc_result r;
        if (op == 0)
            r = inproc_callf(&c, "PutItem",
                             "{\"TableName\":\"counted\",\"Item\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"},"
                             "\"ls\":{\"S\":\"l%d\"},\"g\":{\"S\":\"g%d\"},\"pad\":{\"S\":\"%*d\"}}}",
                             k % 8, k, i, k % 5, 1 + rand_r(&w->seed) % 200, i);
        else if (op == 1)
            r = inproc_callf(&c, "UpdateItem",
                             "{\"TableName\":\"counted\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}},"
                             "\"UpdateExpression\":\"REMOVE g, ls SET x = :x\","
                             "\"ExpressionAttributeValues\":{\":x\":{\"N\":\"%d\"}}}",
                             k % 8, k, i);
        else if (op == 2)
            r = inproc_callf(&c, "UpdateItem",
                             "{\"TableName\":\"counted\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}},"
                             "\"UpdateExpression\":\"SET g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"h%d\"}}}",
                             k % 8, k, i % 3);
        else
            r = inproc_callf(&c, "DeleteItem",
                             "{\"TableName\":\"counted\",\"Key\":{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"%d\"}}}", k % 8,
                             k);
        if (r.code != DDB_OK && w->errors++ == 0)
            fprintf(stderr, "writer: %d %s\n", r.code, r.msg);
    }
    inproc_client_free(&c);
    return NULL;
}

/* The kept figures of t equal a count of its keyspaces (the table's and each index's). */
static int figures_exact(ddb_engine *eng, const ddb_table *t)
{
    ddb_table_figures f;
    unsigned long long items, bytes;

    if (ddb_table_stats_read(t->stats, eng->store, t, &f) != DDB_STORE_OK ||
        ddb_keyspace_count(eng->store, NULL, t->id, &items, &bytes) != DDB_STORE_OK)
        return 0;
    if (f.items != (long long)items || f.bytes != (long long)bytes) {
        fprintf(stderr, "table: kept %lld items %lld bytes, counted %llu %llu\n", f.items, f.bytes, items, bytes);
        return 0;
    }
    for (unsigned i = 0; i < t->nindexes; i++) {
        ddb_keyspace_figures x = ddb_table_figures_index(&f, t->indexes[i].id);
        if (ddb_keyspace_count(eng->store, NULL, t->indexes[i].id, &items, &bytes) != DDB_STORE_OK)
            return 0;
        if (x.items != (long long)items || x.bytes != (long long)bytes || items == 0) {
            fprintf(stderr, "%s: kept %lld items %lld bytes, counted %llu %llu\n", t->indexes[i].name, x.items,
                    x.bytes, items, bytes);
            return 0;
        }
    }
    return 1;
}

/* Writers race checks (each a new epoch and snapshot): every change is counted exactly once, and
   no check finds the figures off. */
TEST(kept_counts_stay_exact_under_writers_racing_checks)
{
    inproc_server *e = inproc_open(NULL, 3);
    inproc_client c;
    writer ws[4];
    const ddb_table *t;
    int have_client = 0, started = 0, errors = 0;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    have_client = 1;
    CALL_OK(&c, "CreateTable", TABLE_WITH_INDEXES);
    t = ddb_catalog_get(e->eng->catalog, "counted");
    ASSERT(t != NULL);
    for (int i = 0; i < 4; i++) {
        ws[i] = (writer){.api = e->api, .seed = 7u + (unsigned)i};
        if (pthread_create(&ws[i].th, NULL, writer_main, &ws[i]) != 0)
            abort();
    }
    started = 1;
    for (int i = 0; i < 40; i++)
        CHECK_EQ(ddb_table_stats_check(t->stats, e->eng->store, t), DDB_STORE_OK);
out:
    if (started) {
        for (int i = 0; i < 4; i++) {
            pthread_join(ws[i].th, NULL);
            errors += ws[i].errors;
        }
        TEST_COUNT_ASSERT();
        if (errors != 0)
            ddb_test_fail(__FILE__, __LINE__, "%d writes failed", errors);
        TEST_COUNT_ASSERT();
        if (!figures_exact(e->eng, t))
            ddb_test_fail(__FILE__, __LINE__, "the kept figures differ from a count");
        TEST_COUNT_ASSERT();
        if (t->stats->repairs != 0)
            ddb_test_fail(__FILE__, __LINE__, "a check found the figures off %llu times", t->stats->repairs);
    }
    if (have_client)
        inproc_client_free(&c);
    inproc_close(e);
}

#define ITEM_B "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"2\"}}"

/* An item put underneath the pipeline (as a bug would leave the figures): the next check finds
   the difference and repairs it. */
TEST(a_check_repairs_figures_that_are_off)
{
    inproc_server *e = inproc_open(NULL, 2);
    inproc_client c;
    const ddb_table *t;
    ddb_table_figures f;
    ddb_arena a;
    ddb_batch b;
    ddb_key key;
    ddb_attr item;
    const ddb_json *json;
    char *val;
    size_t vlen;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    ddb_arena_init(&a);
    CALL_OK(&c, "CreateTable", TABLE_WITH_INDEXES);
    CALL_OK(&c, "PutItem", "{\"TableName\":\"counted\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}");
    t = ddb_catalog_get(e->eng->catalog, "counted");
    json = ddb_json_parse(&a, ITEM_B, strlen(ITEM_B));
    ASSERT(json != NULL && ddb_item_from_json(&a, json, &item) == NULL);
    ddb_key_build(&a, e->eng->store, t->id, ddb_item_get(&item, "pk", 2), ddb_item_get(&item, "sk", 2), &key);
    ddb_item_encode(&a, &item, ddb_item_size(&item), &val, &vlen);
    ddb_batch_init(&b, &a);
    ddb_batch_put(&b, key.bytes, key.len, val, vlen);
    CHECK_EQ(ddb_store_write(e->eng->store, &b), DDB_STORE_OK);
    CHECK_EQ(ddb_table_stats_read(t->stats, e->eng->store, t, &f), DDB_STORE_OK);
    CHECK_EQ(f.items, 1); /* the kept figure: the pipeline's one item */
    CHECK_EQ(ddb_table_stats_check(t->stats, e->eng->store, t), DDB_STORE_OK);
    CHECK_EQ(t->stats->repairs, 1);
    CHECK_EQ(ddb_table_stats_read(t->stats, e->eng->store, t, &f), DDB_STORE_OK);
    CHECK_EQ(f.items, 2);
    CHECK_EQ(f.bytes, 2 * (long long)ddb_item_size(&item)); /* the two items are the same size */
out:
    inproc_client_free(&c);
    ddb_arena_free(&a);
    inproc_close(e);
}
