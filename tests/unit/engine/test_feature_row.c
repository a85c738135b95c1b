/*
 * tests/unit/engine/test_feature_row.c: docs/architecture.md's checklist "A new feature", walked
 * with a throwaway row that touches no core file (issue 63, item 1). The row is this file's own,
 * handed to an open engine as the wiring hands server/features.def's (ddb_engine_add_feature):
 * the core calls each of its hooks at its moment, with its state, and knows nothing else of it: a
 * client's write is admitted by it (or refused), a key of its own is read in the write's commit,
 * prepare and derive run in each decision (its record lands in the same commit: the next write
 * reads it back), what follows a commit sees a transaction's runs at once, and the read path feeds
 * it its keys, and GET /metrics its section. A row whose state is NULL is off: none of its hooks is called. A row of
 * engine/emulate/'s kind, turned on while the server runs (ddb_engine_publish_feature, once),
 * serves the eventually consistent reads and never a ConsistentRead one, and its draw refuses a
 * single-item write as contended.
 */
#include <string.h>

#include "server/base/be.h"
#include "server/engine/derive.h"
#include "server/engine/engine.h"
#include "test.h"
#include "tests/harness/inproc.h"

/* The keyspace of the row's own records (a table id no test reaches). */
#define ROW_KEYSPACE 0x7ffffff0u

typedef struct counts {
    int refuse;          /* admit refuses the writes while set */
    int admitted, keyed, seen, prepared, derived, commits, runs, reads, ranges;
} counts;

static int admit(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    counts *c = f->state;

    (void)eng;
    (void)a;
    c->admitted++;
    if (!c->refuse)
        return 0;
    m->out.err.code = DDB_E_VALIDATION;
    m->out.err.msg = "refused by the throwaway row";
    return DDB_E_VALIDATION;
}

/* its record's key: the item's, in the row's keyspace */
static int commit_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *key)
{
    char *k = ddb_arena_memdup(a, m->key.bytes, m->key.len);

    ddb_put_be(k, ROW_KEYSPACE, 4);
    *key = (ddb_store_key){k, m->key.len, NULL, 0};
    return 1;
}

static int prepare(const ddb_feature_slot *f, ddb_decision *d)
{
    counts *c = f->state;
    const ddb_store_key *k = ddb_decision_key(d, f);

    c->prepared++;
    if (k != NULL) {
        c->keyed++;
        c->seen += k->val != NULL; /* an earlier write's record, read in this commit */
    }
    d->now.scratch[f->index] = c; /* the run's own, cleared with the run */
    return 0;
}

static void derive(const ddb_feature_slot *f, ddb_decision *d, ddb_batch *out)
{
    const ddb_store_key *k = ddb_decision_key(d, f);

    if (d->now.scratch[f->index] != f->state || k == NULL)
        return;
    ((counts *)f->state)->derived++;
    ddb_batch_put(out, k->key, k->klen, "1", 1);
}

static void committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n)
{
    counts *c = f->state;

    (void)eng;
    (void)a;
    (void)runs;
    c->commits++;
    c->runs += (int)n;
}

static void read_key(void *state, const char *key, size_t klen, size_t stored_size)
{
    (void)key;
    (void)klen;
    (void)stored_size;
    ((counts *)state)->reads++;
}

static void read_range(void *state, const char *lo, size_t lolen)
{
    (void)lo;
    (void)lolen;
    ((counts *)state)->ranges++;
}

/* Its section of GET /metrics: what it counted. */
static void metrics(const ddb_feature_slot *f, ddb_engine *eng, ddb_buf *out)
{
    (void)eng;
    ddb_buf_printf(out, "throwaway_commits_total %d\n", ((counts *)f->state)->commits);
}

static const ddb_feature throwaway = {.name = "throwaway", .admit = admit, .commit_key = commit_key,
                                      .prepare = prepare, .derive = derive, .committed = committed,
                                      .read = read_key, .range = read_range, .metrics = metrics};

#define TABLE                                                                                                          \
    "{\"TableName\":\"tbl\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"                           \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"                                  \
    "\"BillingMode\":\"PAY_PER_REQUEST\"}"
#define PUT(k) "{\"Put\":{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"" k "\"}}}}"

TEST(a_row_handed_to_the_engine_runs_at_each_hook)
{
    inproc_server *s = inproc_open(NULL, 3);
    counts c = {0};
    inproc_client cl;
    inproc_result r;
    ddb_buf out = {0};

    ASSERT(s != NULL);
    ASSERT_EQ(ddb_engine_add_feature(s->eng, &throwaway, &c), 0);
    inproc_client_init(&cl, s->api);
    ASSERT_EQ(inproc_call(&cl, "CreateTable", TABLE).code, DDB_OK);
    ASSERT_EQ(inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    ASSERT_EQ(c.admitted, 1);
    ASSERT_EQ(c.keyed, 1);
    ASSERT_EQ(c.seen, 0);
    ASSERT_EQ(c.derived, 1);
    ASSERT_EQ(c.commits, 1);
    ASSERT_EQ(c.runs, 1);
    /* the second write of the item reads the first's record in its commit */
    ASSERT_EQ(inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    ASSERT_EQ(c.seen, 1);
    /* a transaction's writes follow its commit at once */
    ASSERT_EQ(inproc_call(&cl, "TransactWriteItems", "{\"TransactItems\":[" PUT("b") "," PUT("c") "]}").code, DDB_OK);
    ASSERT_EQ(c.commits, 3);
    ASSERT_EQ(c.runs, 4);
    ASSERT_EQ(c.derived, 4);
    /* the read path's feed */
    ASSERT_EQ(inproc_call(&cl, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    ASSERT(c.reads >= 1);
    ASSERT_EQ(inproc_call(&cl, "Query",
                          "{\"TableName\":\"tbl\",\"KeyConditionExpression\":\"pk = :p\","
                          "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"a\"}}}")
                  .code,
              DDB_OK);
    ASSERT(c.ranges >= 1);
    /* a refusal ends the write before it is decided */
    c.refuse = 1;
    r = inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"d\"}}}");
    ASSERT_EQ(r.code, DDB_E_VALIDATION);
    ASSERT_STR_EQ(r.msg, "refused by the throwaway row");
    ASSERT_EQ(c.derived, 4);
    /* its section of /metrics, where the engine's figures are rendered */
    ddb_buf_puts(&out, "# before\n");
    ddb_engine_metrics(s->eng, &out);
    ddb_buf_append(&out, "", 1);
    ASSERT(strstr(out.data, "# before\n") == out.data && strstr(out.data, "\nthrowaway_commits_total 3\n") != NULL);
    ddb_buf_free(&out);
    inproc_client_free(&cl);
    inproc_close(s);
}

/* The calls the core made to a row that is off (none, or the test fails). */
static int off_calls;

static int off_admit(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    (void)f, (void)eng, (void)a, (void)m;
    off_calls++;
    return 0;
}

static int off_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *key)
{
    (void)a, (void)m, (void)key;
    off_calls++;
    return 0;
}

static void off_derive(const ddb_feature_slot *f, ddb_decision *d, ddb_batch *out)
{
    (void)f, (void)d, (void)out;
    off_calls++;
}

static void off_read(void *state, const char *key, size_t klen, size_t stored_size)
{
    (void)state, (void)key, (void)klen, (void)stored_size;
    off_calls++;
}

static void off_metrics(const ddb_feature_slot *f, ddb_engine *eng, ddb_buf *out)
{
    (void)f, (void)eng, (void)out;
    off_calls++;
}

static const ddb_feature off = {.name = "off", .admit = off_admit, .commit_key = off_key, .derive = off_derive,
                                .read = off_read, .metrics = off_metrics};

TEST(a_row_whose_state_is_null_is_never_called)
{
    inproc_server *s = inproc_open(NULL, 3);
    inproc_client cl;
    ddb_buf out = {0};

    ASSERT(s != NULL);
    ASSERT_EQ(ddb_engine_add_feature(s->eng, &off, NULL), 0);
    inproc_client_init(&cl, s->api);
    ASSERT_EQ(inproc_call(&cl, "CreateTable", TABLE).code, DDB_OK);
    ASSERT_EQ(inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    ASSERT_EQ(inproc_call(&cl, "GetItem", "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    ddb_engine_metrics(s->eng, &out);
    ddb_buf_free(&out);
    inproc_client_free(&cl);
    inproc_close(s);
    ASSERT_EQ(off_calls, 0);
}

/* ---- engine/emulate/'s hooks: a read served as another replica would, a write found contended ---- */

static int replica_calls, contended_calls;

/* The replica has every item as {"pk": "a", "seen": "replica"}. */
static int replica_item(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                        const ddb_key *key, ddb_attr *item, size_t *size, int *found, unsigned *drawn)
{
    ddb_entry *e = DDB_NEW_ARRAY(a, ddb_entry, 2);

    (void)f, (void)eng, (void)t, (void)key;
    replica_calls++;
    *drawn += 2; /* (the request's count of them: what its recorded line says) */
    e[0] = (ddb_entry){"pk", 2, {.type = DDB_T_S, .len = 1, .u.s = "a"}};
    e[1] = (ddb_entry){"seen", 4, {.type = DDB_T_S, .len = 7, .u.s = "replica"}};
    *item = (ddb_attr){.type = DDB_T_M, .len = 2, .u.entries = e};
    *size = 14;
    *found = 1;
    return 0;
}

static int contended(const ddb_feature_slot *f)
{
    (void)f;
    return ++contended_calls == 1; /* the first write asked finds its item held */
}

static const ddb_feature replica = {.name = "replica", .replica_item = replica_item, .contended = contended};

#define GET(consistent)                                                                                                \
    "{\"TableName\":\"tbl\",\"Key\":{\"pk\":{\"S\":\"a\"}}" consistent "}"

TEST(a_row_published_while_serving_answers_eventually_consistent_reads_and_draws_conflicts)
{
    inproc_server *s = inproc_open(NULL, 3);
    static char on;
    inproc_client cl;
    inproc_result r;

    ASSERT(s != NULL);
    ASSERT_EQ(ddb_engine_add_feature(s->eng, &replica, NULL), 0);
    inproc_client_init(&cl, s->api);
    ASSERT_EQ(inproc_call(&cl, "CreateTable", TABLE).code, DDB_OK);
    ASSERT_EQ(inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}}}").code, DDB_OK);
    r = inproc_call(&cl, "GetItem", GET(""));
    ASSERT(r.code == DDB_OK && strstr(r.body, "replica") == NULL); /* off: the store's answer */
    ASSERT(ddb_engine_publish_feature(s->eng, &replica, &on) == &on);
    ASSERT(ddb_engine_publish_feature(s->eng, &replica, s) == &on); /* once: the first stays */
    r = inproc_call(&cl, "GetItem", GET(""));
    ASSERT(r.code == DDB_OK && strstr(r.body, "\"seen\":{\"S\":\"replica\"}") != NULL);
    r = inproc_call(&cl, "GetItem", GET(",\"ConsistentRead\":true"));
    ASSERT(r.code == DDB_OK && strstr(r.body, "replica") == NULL); /* never a strongly consistent one */
    ASSERT_EQ(replica_calls, 1);
    r = inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"b\"}}}");
    ASSERT_EQ(r.code, DDB_E_TRANSACTION_CONFLICT);
    ASSERT_EQ(inproc_call(&cl, "PutItem", "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"b\"}}}").code, DDB_OK);
    ASSERT_EQ(contended_calls, 2);
    inproc_client_free(&cl);
    inproc_close(s);
}

/* ---- a row whose state is replaced with no request running (engine.h: ddb_engine_set_feature, as
   replication's worker does at its start and stop): walked while its state is set, not after ---- */

static int toggled_admits;

static int toggled_admit(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    (void)eng, (void)a, (void)m;
    toggled_admits += f->state != NULL ? 1 : 100; /* (never called without its state) */
    return 0;
}

static const ddb_feature toggled = {.name = "toggled", .admit = toggled_admit};

#define PUT_A "{\"TableName\":\"tbl\",\"Item\":{\"pk\":{\"S\":\"a\"}}}"

TEST(a_row_set_on_and_off_is_walked_only_while_on)
{
    inproc_server *s = inproc_open(NULL, 3);
    static char on;
    inproc_client cl;

    ASSERT(s != NULL);
    ASSERT_EQ(ddb_engine_add_feature(s->eng, &toggled, NULL), 0);
    inproc_client_init(&cl, s->api);
    ASSERT_EQ(inproc_call(&cl, "CreateTable", TABLE).code, DDB_OK);
    ASSERT_EQ(inproc_call(&cl, "PutItem", PUT_A).code, DDB_OK);
    ASSERT_EQ(toggled_admits, 0);
    ASSERT(ddb_engine_set_feature(s->eng, &toggled, &on) == NULL);
    ASSERT_EQ(inproc_call(&cl, "PutItem", PUT_A).code, DDB_OK);
    ASSERT_EQ(toggled_admits, 1);
    ASSERT(ddb_engine_set_feature(s->eng, &toggled, NULL) == &on);
    ASSERT_EQ(inproc_call(&cl, "PutItem", PUT_A).code, DDB_OK);
    ASSERT_EQ(toggled_admits, 1);
    inproc_client_free(&cl);
    inproc_close(s);
}
