/*
 * tests/unit/engine/test_report_reads.c: what the cost report (engine/report/) reads of the core,
 * read-only (issue 75, item 2): a table's figures as kept, or counted and kept nowhere, never
 * repaired by a report (table_stats.h's ddb_table_figures_peek); and a keyspace's partitions
 * through the read path (read.h's ddb_read_partitions, ddb_read_partition_key), which the
 * report's forecast and its low-cardinality warning used to read with the key layout spelled out.
 *
 * Requests go through ddb_dispatch() (tests/harness/inproc.h); the store is written underneath.
 */
#include <string.h>

#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/engine/read.h"
#include "server/engine/table_stats.h"
#include "test.h"
#include "tests/harness/inproc.h"

#define CALL_OK(c, op, ...) INPROC_CALL_OK_ELSE(goto out, c, op, __VA_ARGS__)

#define TABLE                                                                                                          \
    "{\"TableName\":\"peeked\",\"BillingMode\":\"PAY_PER_REQUEST\","                                                   \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"                                                 \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]}"

/* Item {pk: "b"} put into t underneath the pipeline: its kept figures are one item short. */
static int put_underneath(ddb_engine *eng, ddb_arena *a, const ddb_table *t)
{
    const char *text = "{\"pk\":{\"S\":\"b\"}}";
    const ddb_json *json = ddb_json_parse(a, text, strlen(text));
    ddb_attr item;
    ddb_key key;
    ddb_batch b;
    char *val;
    size_t vlen;

    if (json == NULL || ddb_item_from_json(a, json, &item) != NULL)
        return -1;
    ddb_key_build(a, eng->store, t->id, ddb_item_get(&item, "pk", 2), NULL, &key);
    ddb_item_encode(a, &item, ddb_item_size(&item), &val, &vlen);
    ddb_batch_init(&b, a);
    ddb_batch_put(&b, key.bytes, key.len, val, vlen);
    return ddb_store_write(eng->store, &b);
}

/* The report reads the kept figures as they are (one item short: no check, no repair), and figures
   not known yet it counts without keeping them (they stay unknown: the background pass learns). */
TEST(a_report_reads_figures_without_keeping_or_repairing_them)
{
    inproc_server *e = inproc_open(NULL, 2);
    inproc_client c;
    const ddb_table *t;
    ddb_table copy;
    ddb_table_figures f;
    ddb_arena a;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    ddb_arena_init(&a);
    CALL_OK(&c, "CreateTable", TABLE);
    CALL_OK(&c, "PutItem", "{\"TableName\":\"peeked\",\"Item\":{\"pk\":{\"S\":\"a\"}}}");
    t = ddb_catalog_get(e->eng->catalog, "peeked");
    CHECK_EQ(put_underneath(e->eng, &a, t), DDB_STORE_OK);
    CHECK_EQ(ddb_table_figures_peek(e->eng->store, t, &f), DDB_STORE_OK);
    CHECK_EQ(f.items, 1); /* the kept figure, as it is */
    CHECK_EQ(t->stats->repairs, 0);
    copy = *t; /* the same table with figures not known yet (one loaded, not counted) */
    copy.stats = ddb_table_stats_new(&copy, 0, NULL, NULL);
    CHECK_EQ(ddb_table_figures_peek(e->eng->store, &copy, &f), DDB_STORE_OK);
    CHECK_EQ(f.items, 2); /* counted */
    CHECK_EQ(ddb_table_stats_known(copy.stats, &copy), 0); /* and kept nowhere */
    ddb_table_stats_free(copy.stats);
out:
    inproc_client_free(&c);
    ddb_arena_free(&a);
    inproc_close(e);
}

/* A keyspace no table uses, written as the engine lays out keys (keycodec.h). */
#define KEYSPACE 0x7ffffff1u

/* Puts the key [KEYSPACE][hash][pk_len][pk][sk] (an empty value). */
static void put_key(ddb_batch *b, ddb_arena *a, uint64_t hash, const char *pk, char sk)
{
    size_t pklen = strlen(pk), len = DDB_KEY_PREFIX_BYTES + pklen + 1;
    char *k = ddb_arena_alloc(a, len);

    ddb_put_be(k, KEYSPACE, 4);
    ddb_put_be(k + 4, hash, 8);
    ddb_put_be(k + DDB_KEY_PARTITION_BYTES, pklen, 2);
    memcpy(k + DDB_KEY_PREFIX_BYTES, pk, pklen);
    k[len - 1] = sk;
    ddb_batch_put(b, k, len, "", 0);
}

typedef struct seen {
    ddb_partition p[8];
    char pk[8][16];
    int n, stop_at; /* stop_at: the call that ends the walk (0: none) */
} seen;

static int note(void *ctx, const ddb_partition *p)
{
    seen *s = ctx;

    s->p[s->n] = *p;
    memcpy(s->pk[s->n], p->pk, p->pklen < 16 ? p->pklen : 16);
    return ++s->n == s->stop_at;
}

/* Partitions 0x10 ("a", 3 entries), 0x20 ("bb", 2), 0x30 ("c", 4): with a budget of 4 the first two
   are counted (3 < 4 before the second) and the third begins past it (5): named, its entries skipped. */
TEST(the_partitions_of_a_keyspace_are_read_through_the_read_path)
{
    inproc_server *e = inproc_open(NULL, 2);
    seen s;
    ddb_arena a;
    ddb_batch b;
    char buf[16];

    ASSERT(e != NULL);
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    for (char sk = '1'; sk <= '3'; sk++)
        put_key(&b, &a, 0x10, "a", sk);
    for (char sk = '1'; sk <= '2'; sk++)
        put_key(&b, &a, 0x20, "bb", sk);
    for (char sk = '1'; sk <= '4'; sk++)
        put_key(&b, &a, 0x30, "c", sk);
    CHECK_EQ(ddb_store_write(e->eng->store, &b), DDB_STORE_OK);
    memset(&s, 0, sizeof(s));
    CHECK_EQ(ddb_read_partitions(e->eng, KEYSPACE, 4, note, &s), 0);
    CHECK_EQ(s.n, 3);
    CHECK_EQ(s.p[0].hash, 0x10);
    CHECK_EQ(s.p[0].entries, 3);
    CHECK_EQ(s.p[0].counted, 1);
    CHECK_EQ(s.p[0].pklen, 3);
    CHECK_EQ(memcmp(s.pk[0], "\0\1a", 3), 0);
    CHECK_EQ(s.p[1].entries, 2);
    CHECK_EQ(s.p[1].counted, 1);
    CHECK_EQ(s.p[1].pklen, 4);
    CHECK_EQ(memcmp(s.pk[1], "\0\2bb", 4), 0);
    CHECK_EQ(s.p[2].hash, 0x30);
    CHECK_EQ(s.p[2].entries, 0);
    CHECK_EQ(s.p[2].counted, 0);
    memset(&s, 0, sizeof(s));
    s.stop_at = 2; /* the caller ends the walk: its answer is returned */
    CHECK_EQ(ddb_read_partitions(e->eng, KEYSPACE, 100, note, &s), 1);
    CHECK_EQ(s.n, 2);
    /* a hash's partition key, its low bit either way; none stored at 0x40 */
    CHECK_EQ(ddb_read_partition_key(e->eng, KEYSPACE, 0x21, buf, sizeof(buf)), 4);
    CHECK_EQ(memcmp(buf, "\0\2bb", 4), 0);
    CHECK_EQ(ddb_read_partition_key(e->eng, KEYSPACE, 0x40, buf, sizeof(buf)), 0);
    CHECK_EQ(ddb_read_partition_key(e->eng, KEYSPACE, 0x20, buf, 3), 3); /* truncated to the room given */
out:
    ddb_arena_free(&a);
    inproc_close(e);
}
