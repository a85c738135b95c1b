/*
 * tests/client/test_client_api.c: every libddb call against a real ddbd on loopback: tables,
 * items with expressions and ReturnValues, queries and scans, batches and their helpers,
 * transactions, error mapping, configuration from the environment, one client shared by many
 * threads, and raw requests pipelined on one connection (ddb_pipe.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_pipe.h"
#include "harness.h"
#include "test.h"

static ddb_client *client;
static char table[64];

#define CHECK_OK(call, r)                                                                                              \
    do {                                                                                                               \
        int rc_ = (call);                                                                                              \
        if (rc_ != DDB_OK) {                                                                                           \
            ddb_test_fail(__FILE__, __LINE__, "%s: %s: %s", #call, ddb_status_name(rc_), ddb_result_message(r));       \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static ddb_item *key(const char *pk, long long sk)
{
    ddb_item *k = ddb_item_new();

    ddb_item_set_s(k, "pk", pk);
    ddb_item_set_int(k, "sk", sk);
    return k;
}

TEST(health_and_create_table_with_indexes)
{
    ddb_table_def *d;
    ddb_result *r = NULL;

    client = tc_client();
    snprintf(table, sizeof(table), "%s", tc_name("api"));
    ASSERT_EQ(ddb_health(client), DDB_OK);
    d = ddb_table_def_new(table);
    ASSERT_EQ(ddb_table_def_key(d, "pk", DDB_TYPE_S, "sk", DDB_TYPE_N), DDB_OK);
    ASSERT_EQ(ddb_table_def_gsi(d, "by_g", "g", DDB_TYPE_S, "sk", DDB_TYPE_N, "ALL"), DDB_OK);
    ASSERT_EQ(ddb_table_def_lsi(d, "by_l", "l", DDB_TYPE_N, "INCLUDE:x,y"), DDB_OK);
    CHECK_OK(ddb_create_table(client, d, &r), r);
    ASSERT_STR_EQ(ddb_result_get(r, "TableDescription.TableName"), table);
    ASSERT_EQ(ddb_result_len(r, "TableDescription.KeySchema"), 2);
    ddb_result_free(r);
    ddb_table_def_free(d);
    ASSERT_EQ(ddb_wait_table_active(client, table, 10000), DDB_OK);
}

/* ddb_get_path: a path of ddbd's own, its body whatever the status (ddb usage's call). */
TEST(get_path_returns_the_body)
{
    char *body = NULL;
    size_t len = 7;

    ASSERT_EQ(ddb_get_path(client, "/", &body, &len), DDB_OK);
    ASSERT(body != NULL && strlen(body) == len);
    free(body);
    /* no --admin here: /ddbd/usage is refused, and its body still comes back */
    ASSERT_EQ(ddb_get_path(client, "/ddbd/usage", &body, &len), DDB_E_PROTOCOL);
    ASSERT_STR_EQ(body, "<UnknownOperationException/>\n");
    free(body);
    ASSERT_EQ(ddb_get_path(client, "ddbd/usage", &body, &len), DDB_E_INVALID_ARGUMENT);
    ASSERT(body == NULL && len == 0);
    ASSERT_EQ(ddb_get_path(client, "/a b", NULL, NULL), DDB_E_INVALID_ARGUMENT);
}

TEST(describe_and_list_tables)
{
    ddb_result *r = NULL;
    const char *start = NULL;
    char last[128] = "";
    int found = 0;

    CHECK_OK(ddb_describe_table(client, table, &r), r);
    ASSERT_STR_EQ(ddb_result_get(r, "Table.TableStatus"), "ACTIVE");
    ASSERT_STR_EQ(ddb_result_get(r, "Table.KeySchema.0.AttributeName"), "pk");
    ASSERT_STR_EQ(ddb_result_get(r, "Table.GlobalSecondaryIndexes.0.IndexName"), "by_g");
    ASSERT_STR_EQ(ddb_result_get(r, "Table.LocalSecondaryIndexes.0.Projection.ProjectionType"), "INCLUDE");
    ddb_result_free(r);
    /* page through ListTables one name at a time */
    for (int pages = 0; pages < 1000; pages++) {
        r = NULL;
        CHECK_OK(ddb_list_tables(client, start, 1, &r), r);
        ASSERT(ddb_result_len(r, "TableNames") <= 1);
        if (ddb_result_get(r, "TableNames.0") != NULL && strcmp(ddb_result_get(r, "TableNames.0"), table) == 0)
            found = 1;
        start = ddb_result_get(r, "LastEvaluatedTableName");
        if (start != NULL)
            snprintf(last, sizeof(last), "%s", start);
        ddb_result_free(r);
        if (start == NULL)
            break;
        start = last;
    }
    ASSERT(found);
}

TEST(update_table_creates_and_deletes_a_gsi)
{
    ddb_table_def *d = ddb_table_def_new(table);
    ddb_result *r = NULL;

    ASSERT_EQ(ddb_table_def_gsi(d, "by_h", "h", DDB_TYPE_N, NULL, DDB_TYPE_NONE, "KEYS_ONLY"), DDB_OK);
    CHECK_OK(ddb_update_table(client, d, &r), r);
    ddb_result_free(r);
    ddb_table_def_free(d);
    ASSERT_EQ(ddb_wait_table_active(client, table, 10000), DDB_OK);
    r = NULL;
    CHECK_OK(ddb_describe_table(client, table, &r), r);
    ASSERT_EQ(ddb_result_len(r, "Table.GlobalSecondaryIndexes"), 2);
    ddb_result_free(r);
    d = ddb_table_def_new(table);
    ddb_table_def_delete_gsi(d, "by_h");
    r = NULL;
    CHECK_OK(ddb_update_table(client, d, &r), r);
    ddb_result_free(r);
    ddb_table_def_free(d);
}

TEST(put_get_with_return_values_and_projection)
{
    ddb_item *it = key("p", 1), *k = key("p", 1);
    ddb_opts *o = ddb_opts_new();
    ddb_result *r = NULL;

    ddb_item_set_s(it, "g", "green");
    ddb_item_set_int(it, "l", 7);
    ddb_item_set_s(it, "name", "first");
    CHECK_OK(ddb_put_item(client, table, it, NULL, &r), r);
    ASSERT_NULL(ddb_result_item(r));
    ddb_result_free(r);
    ddb_item_set_s(it, "name", "second");
    ddb_opts_set(o, DDB_P_ReturnValues, "ALL_OLD");
    ddb_opts_set(o, DDB_P_ReturnConsumedCapacity, "TOTAL");
    r = NULL;
    CHECK_OK(ddb_put_item(client, table, it, o, &r), r);
    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_item(r), "name"), "first");
    ASSERT(ddb_result_get(r, "ConsumedCapacity.CapacityUnits") != NULL);
    ASSERT_STR_EQ(ddb_result_get(r, "ConsumedCapacity.TableName"), table);
    ddb_result_free(r);
    ddb_opts_free(o);

    o = ddb_opts_new();
    ddb_opts_set(o, DDB_P_ProjectionExpression, "#n, g");
    ddb_opts_name(o, "#n", "name");
    ddb_opts_set_int(o, DDB_P_ConsistentRead, 1);
    r = NULL;
    CHECK_OK(ddb_get_item(client, table, k, o, &r), r);
    ASSERT_EQ(ddb_item_count(ddb_result_item(r)), 2);
    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_item(r), "name"), "second");
    ddb_result_free(r);
    ddb_opts_free(o);
    ddb_item_free(it);
    ddb_item_free(k);
}

TEST(update_item_and_conditional_counter)
{
    ddb_item *k = key("counter", 0);
    ddb_opts *o = ddb_opts_new();
    ddb_result *r = NULL;

    ddb_item_set_int(ddb_opts_values(o), ":one", 1);
    ddb_item_set_int(ddb_opts_values(o), ":max", 3);
    ddb_opts_set(o, DDB_P_ConditionExpression, "attribute_not_exists(n) OR n < :max");
    ddb_opts_set(o, DDB_P_ReturnValues, "ALL_NEW");
    ddb_opts_set(o, DDB_P_ReturnValuesOnConditionCheckFailure, "ALL_OLD");
    for (int i = 1; i <= 3; i++) {
        char want[8];

        r = NULL;
        CHECK_OK(ddb_update_item(client, table, k, "ADD n :one SET updated = :one", o, &r), r);
        snprintf(want, sizeof(want), "%d", i);
        ASSERT_STR_EQ(ddb_item_get_n(ddb_result_item(r), "n"), want);
        ddb_result_free(r);
    }
    r = NULL;
    ASSERT_EQ(ddb_update_item(client, table, k, "ADD n :one SET updated = :one", o, &r),
              DDB_E_CONDITIONAL_CHECK_FAILED);
    ASSERT_EQ(ddb_result_status(r), DDB_E_CONDITIONAL_CHECK_FAILED);
    ASSERT_STR_EQ(ddb_result_error_type(r), "ConditionalCheckFailedException");
    ASSERT_STR_EQ(ddb_result_message(r), "The conditional request failed");
    ASSERT_EQ(ddb_result_http_status(r), 400);
    ASSERT_STR_EQ(ddb_item_get_n(ddb_result_item(r), "n"), "3"); /* the item as it was */
    ddb_result_free(r);
    ddb_opts_free(o);
    ddb_item_free(k);
}

TEST(delete_item_returns_the_old_item)
{
    ddb_item *it = key("gone", 1), *k = key("gone", 1);
    ddb_opts *o = ddb_opts_new();
    ddb_result *r = NULL;

    ddb_item_set_s(it, "v", "bye");
    CHECK_OK(ddb_put_item(client, table, it, NULL, NULL), r);
    ddb_opts_set(o, DDB_P_ReturnValues, "ALL_OLD");
    CHECK_OK(ddb_delete_item(client, table, k, o, &r), r);
    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_item(r), "v"), "bye");
    ddb_result_free(r);
    r = NULL;
    CHECK_OK(ddb_get_item(client, table, k, NULL, &r), r);
    ASSERT_NULL(ddb_result_item(r));
    ddb_result_free(r);
    ddb_opts_free(o);
    ddb_item_free(it);
    ddb_item_free(k);
}

TEST(query_scan_and_indexes)
{
    ddb_opts *o = ddb_opts_new();
    ddb_result *r = NULL;

    for (int i = 0; i < 10; i++) {
        ddb_item *it = key("q", i);

        ddb_item_set_s(it, "g", i % 2 ? "odd" : "even");
        ddb_item_set_int(it, "l", 100 - i);
        ASSERT_EQ(ddb_put_item(client, table, it, NULL, NULL), DDB_OK);
        ddb_item_free(it);
    }
    ddb_item_set_s(ddb_opts_values(o), ":p", "q");
    ddb_item_set_int(ddb_opts_values(o), ":lo", 2);
    ddb_item_set_int(ddb_opts_values(o), ":hi", 6);
    ddb_opts_set(o, DDB_P_ScanIndexForward, "false");
    CHECK_OK(ddb_query(client, table, "pk = :p AND sk BETWEEN :lo AND :hi", o, &r), r);
    ASSERT_EQ(ddb_result_item_count(r), 5);
    ASSERT_STR_EQ(ddb_item_get_n(ddb_result_item_at(r, 0), "sk"), "6");
    ASSERT_STR_EQ(ddb_result_get(r, "Count"), "5");
    ddb_result_free(r);
    ddb_opts_free(o);

    o = ddb_opts_new();
    ddb_opts_set(o, DDB_P_IndexName, "by_g");
    ddb_item_set_s(ddb_opts_values(o), ":g", "odd");
    r = NULL;
    CHECK_OK(ddb_query(client, table, "g = :g", o, &r), r);
    ASSERT_EQ(ddb_result_item_count(r), 5);
    ddb_result_free(r);
    ddb_opts_free(o);

    o = ddb_opts_new();
    ddb_opts_set(o, DDB_P_FilterExpression, "pk = :p AND l > :l");
    ddb_item_set_s(ddb_opts_values(o), ":p", "q");
    ddb_item_set_int(ddb_opts_values(o), ":l", 95);
    ddb_opts_set(o, DDB_P_Select, "COUNT");
    r = NULL;
    CHECK_OK(ddb_scan(client, table, o, &r), r);
    ASSERT_STR_EQ(ddb_result_get(r, "Count"), "5"); /* l = 100..96 */
    ASSERT_EQ(ddb_result_item_count(r), 0);
    ddb_result_free(r);
    ddb_opts_free(o);
}

TEST(batch_write_and_get)
{
    ddb_batch *w = ddb_batch_new(), *g = ddb_batch_new();
    ddb_opts *proj = ddb_opts_new();
    ddb_result *r = NULL;

    for (int i = 0; i < 20; i++) {
        ddb_item *it = key("b", i);

        ddb_item_set_int(it, "v", i * i);
        ASSERT_EQ(ddb_batch_put(w, table, it), DDB_OK);
        ASSERT_EQ(ddb_batch_get(g, table, it), DDB_OK); /* the extra attribute makes it invalid as a key */
        ddb_item_free(it);
    }
    CHECK_OK(ddb_batch_write_item(client, w, NULL, &r), r);
    ASSERT_EQ(ddb_result_unprocessed_count(r), 0);
    ddb_result_free(r);
    ddb_batch_free(g);
    g = ddb_batch_new();
    for (int i = 0; i < 20; i++) {
        ddb_item *k = key("b", i);

        ASSERT_EQ(ddb_batch_get(g, table, k), DDB_OK);
        ddb_item_free(k);
    }
    ddb_opts_set(proj, DDB_P_ProjectionExpression, "sk, v");
    ddb_batch_table_opts(g, table, proj);
    r = NULL;
    CHECK_OK(ddb_batch_get_item(client, g, NULL, &r), r);
    ASSERT_EQ(ddb_result_table_item_count(r, table), 20);
    ASSERT_EQ(ddb_item_count(ddb_result_table_item_at(r, table, 0)), 2);
    ddb_result_free(r);
    ddb_batch_free(w);
    w = ddb_batch_new();
    for (int i = 0; i < 10; i++) {
        ddb_item *k = key("b", i);

        ddb_batch_delete(w, table, k);
        ddb_item_free(k);
    }
    CHECK_OK(ddb_batch_write_item(client, w, NULL, NULL), r);
    r = NULL;
    CHECK_OK(ddb_batch_get_item(client, g, NULL, &r), r);
    ASSERT_EQ(ddb_result_table_item_count(r, table), 10);
    ddb_result_free(r);
    ddb_opts_free(proj);
    ddb_batch_free(w);
    ddb_batch_free(g);
}

TEST(batch_helpers_split_and_merge)
{
    ddb_batch *w = ddb_batch_new(), *g = ddb_batch_new();
    ddb_result *r = NULL;

    for (int i = 0; i < 160; i++) {
        ddb_item *it = key("many", i);

        ddb_item_set_s(it, "pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        ddb_batch_put(w, table, it);
        ddb_item_free(it);
        it = key("many", i);
        ddb_batch_get(g, table, it);
        ddb_item_free(it);
    }
    CHECK_OK(ddb_batch_write_all(client, w, NULL, &r), r); /* 7 calls of at most 25 */
    ddb_result_free(r);
    r = NULL;
    CHECK_OK(ddb_batch_get_all(client, g, NULL, &r), r); /* 2 calls of at most 100 */
    ASSERT_EQ(ddb_result_table_item_count(r, table), 160);
    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_table_item_at(r, table, 159), "pk"), "many");
    ddb_result_free(r);
    ddb_batch_free(w);
    ddb_batch_free(g);
}

TEST(transactions)
{
    ddb_transact *t = ddb_transact_new(), *tg = ddb_transact_new();
    ddb_item *a = key("tx", 1), *ka = key("tx", 1), *b = key("tx", 2), *absent = key("tx", 3);
    ddb_opts *cond = ddb_opts_new(), *o = ddb_opts_new();
    ddb_result *r = NULL;
    const char *code;
    const ddb_item *old;
    int rc;

    ddb_item_set_s(a, "v", "a");
    ddb_transact_put(t, table, a, NULL);
    ddb_transact_put(t, table, b, NULL);
    ddb_opts_set(o, DDB_P_ClientRequestToken, "libddb-test-token-1");
    rc = ddb_transact_write_items(client, t, o, &r);
    if (rc == DDB_E_UNKNOWN_OPERATION) {
        printf("  (skipped: this ddbd has no transactions yet)\n");
        goto out;
    }
    CHECK_OK(rc, r);
    ddb_result_free(r);
    ddb_transact_get(tg, table, ka, NULL);
    ddb_transact_get(tg, table, absent, NULL); /* an empty slot */
    r = NULL;
    CHECK_OK(ddb_transact_get_items(client, tg, NULL, &r), r);
    ASSERT_EQ(ddb_result_item_count(r), 2);
    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_item_at(r, 0), "v"), "a");
    ASSERT_NULL(ddb_result_item_at(r, 1));
    ddb_result_free(r);
    /* a failing check cancels the whole transaction, with one reason per action */
    ddb_transact_free(t);
    t = ddb_transact_new();
    ddb_item_set_s(ddb_opts_values(o), ":nv", "new");
    ddb_transact_update(t, table, b, "SET v = :nv", o);
    ddb_item_set_s(ddb_opts_values(cond), ":v", "zzz");
    ddb_opts_set(cond, DDB_P_ReturnValuesOnConditionCheckFailure, "ALL_OLD");
    ddb_transact_check(t, table, ka, "v = :v", cond);
    r = NULL;
    ASSERT_EQ(ddb_transact_write_items(client, t, NULL, &r), DDB_E_TRANSACTION_CANCELED);
    ASSERT_EQ(ddb_result_reason_count(r), 2);
    ASSERT_EQ(ddb_result_reason(r, 0, &code, NULL, NULL), DDB_OK);
    ASSERT_STR_EQ(code, "None");
    ASSERT_EQ(ddb_result_reason(r, 1, &code, NULL, &old), DDB_OK);
    ASSERT_STR_EQ(code, "ConditionalCheckFailed");
    ASSERT_STR_EQ(ddb_item_get_s(old, "v"), "a");
    ddb_result_free(r);
out:
    ddb_opts_free(o);
    ddb_opts_free(cond);
    ddb_item_free(a);
    ddb_item_free(b);
    ddb_item_free(absent);
    ddb_item_free(ka);
    ddb_transact_free(t);
    ddb_transact_free(tg);
}

TEST(errors_map_to_statuses_with_messages)
{
    ddb_item *k = key("x", 1);
    ddb_result *r = NULL;
    static const char bad_json[] = "{\"TableName\": ";

    ASSERT_EQ(ddb_get_item(client, "no_such_table", k, NULL, &r), DDB_E_RESOURCE_NOT_FOUND);
    ASSERT_STR_EQ(ddb_result_error_type(r), "ResourceNotFoundException");
    ASSERT(strstr(ddb_result_message(r), "not found") != NULL);
    ddb_result_free(r);
    r = NULL;
    ASSERT_EQ(tc_create_table(client, table, DDB_TYPE_N), DDB_E_RESOURCE_IN_USE);
    ASSERT_EQ(ddb_update_item(client, table, k, "SET = oops", NULL, &r), DDB_E_VALIDATION);
    ASSERT(strlen(ddb_result_message(r)) > 0);
    ddb_result_free(r);
    r = NULL;
    ASSERT_EQ(ddb_call(client, "GetItem", bad_json, strlen(bad_json), &r), DDB_E_SERIALIZATION);
    ddb_result_free(r);
    r = NULL;
    ASSERT_EQ(ddb_call(client, "Frobnicate", "{}", 2, &r), DDB_E_UNKNOWN_OPERATION);
    ASSERT_EQ(ddb_result_attempts(r), 1);
    ddb_result_free(r);
    r = NULL;
    ASSERT_EQ(ddb_put_item(client, NULL, k, NULL, &r), DDB_E_INVALID_ARGUMENT);
    ASSERT(strlen(ddb_result_message(r)) > 0);
    ddb_result_free(r);
    ASSERT_STR_EQ(ddb_status_name(DDB_E_CONDITIONAL_CHECK_FAILED), "ConditionalCheckFailedException");
    ASSERT_STR_EQ(ddb_status_name(DDB_E_TRANSPORT), "TransportError");
    ddb_item_free(k);
}

TEST(configuration_from_the_environment)
{
    ddb_client *c = NULL;
    ddb_config *cfg;
    ddb_result *r = NULL;

    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1); /* overridden by the DynamoDB-specific one */
    setenv("AWS_ENDPOINT_URL_DYNAMODB", tc_endpoint(), 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "token123", 1);
    setenv("AWS_REGION", "eu-west-3", 1);
    ASSERT_EQ(ddb_client_new(NULL, &c), DDB_OK);
    CHECK_OK(ddb_describe_table(c, table, &r), r);
    ddb_result_free(r);
    ddb_client_free(c);
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    unsetenv("AWS_SESSION_TOKEN");
    cfg = ddb_config_new(); /* now AWS_ENDPOINT_URL: nothing listens on port 1 */
    ddb_config_set_retries(cfg, 0, 1, 1);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ASSERT_EQ(ddb_health(c), DDB_E_TRANSPORT);
    ddb_client_free(c);
    ASSERT_EQ(ddb_config_set_endpoint(cfg, "https://dynamodb.us-east-1.amazonaws.com"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_config_set_endpoint(cfg, "http://no-such-host.invalid:8000"), DDB_OK);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_E_INVALID_ARGUMENT);
    ddb_config_free(cfg);
    unsetenv("AWS_ENDPOINT_URL");
}

#define THREADS 8
#define PER_THREAD 200

static void *worker(void *arg)
{
    long id = (long)arg, bad = 0;
    char pk[32];

    snprintf(pk, sizeof(pk), "thread%ld", id);
    for (int i = 0; i < PER_THREAD; i++) {
        ddb_item *it = key(pk, i);
        ddb_result *r = NULL;

        ddb_item_set_int(it, "v", id * 1000 + i);
        bad += ddb_put_item(client, table, it, NULL, NULL) != DDB_OK;
        ddb_item_remove(it, "v");
        if (ddb_get_item(client, table, it, NULL, &r) != DDB_OK ||
            atol(ddb_item_get_n(ddb_result_item(r), "v")) != id * 1000 + i)
            bad++;
        ddb_result_free(r);
        ddb_item_free(it);
    }
    return (void *)bad;
}

TEST(one_client_shared_by_threads)
{
    pthread_t th[THREADS];
    long bad = 0;

    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) {
        void *b;

        pthread_join(th[i], &b);
        bad += (long)b;
    }
    ASSERT_EQ(bad, 0);
}

/* The answers a pipe handed back, in the order they came. */
typedef struct pipe_answers {
    int n;
    const char *req[4];
    int status[4];
    char body[4][256];
} pipe_answers;

static void pipe_answered(void *arg, void *req, int status, const char *body, size_t len)
{
    pipe_answers *a = arg;

    if (a->n < 4) {
        a->req[a->n] = req;
        a->status[a->n] = status;
        snprintf(a->body[a->n], sizeof(a->body[0]), "%.*s", (int)len, body);
    }
    a->n++;
}

TEST(a_pipe_sends_raw_requests_behind_each_other_and_hands_back_their_answers)
{
    char missing[128];
    ddb_pipe *p = ddb_pipe_new(client, 2);
    ddb_wire list = {0}, describe = {0};
    pipe_answers a = {0};
    unsigned conn;

    snprintf(missing, sizeof(missing), "{\"TableName\":\"%s-none\"}", table);
    ddb_pipe_sign(p, "ListTables", 10, "{}", 2, &list);
    ddb_pipe_sign(p, "DescribeTable", 13, missing, strlen(missing), &describe);
    ASSERT(ddb_pipe_can_send(p));
    conn = ddb_pipe_send(p, "list", list.data, list.len);
    ASSERT_EQ(ddb_pipe_send_behind(p, conn, "describe", describe.data, describe.len), DDB_OK);
    ASSERT_EQ(ddb_pipe_send_behind(p, conn == 0 ? 1 : 0, "x", list.data, list.len), DDB_E_INVALID_ARGUMENT); /* idle */
    ASSERT_EQ(ddb_pipe_send_behind(p, 7, "x", list.data, list.len), DDB_E_INVALID_ARGUMENT);                 /* none */
    ASSERT_EQ(ddb_pipe_in_flight(p), 2);
    while (ddb_pipe_in_flight(p) > 0)
        ddb_pipe_poll(p, 5000, pipe_answered, &a);
    ASSERT_EQ(a.n, 2);
    ASSERT_STR_EQ(a.req[0], "list");
    ASSERT_EQ(a.status[0], 200);
    ASSERT(strstr(a.body[0], "\"TableNames\"") != NULL);
    ASSERT_STR_EQ(a.req[1], "describe");
    ASSERT_EQ(a.status[1], 400);
    ASSERT(strstr(a.body[1], "ResourceNotFoundException") != NULL);
    ddb_wire_free(&list);
    ddb_wire_free(&describe);
    ASSERT_NULL(list.data);
    ddb_pipe_free(p);
}

/* ddb_call and the pipe send a DynamoDB Streams operation with the Streams service's X-Amz-Target
   (DynamoDBStreams_20120810.), not DynamoDB's, which answers it UnknownOperationException: a
   consumer reads a table's stream through libddb as through an SDK (ddb replay, too). */
TEST(streams_operations_go_to_the_streams_service)
{
    char streamed[96], body[1024], arn[256], shard[128], iterator[512];
    ddb_item *k = key("s", 1);
    ddb_result *r = NULL, *d = NULL;
    size_t records = 0;
    ddb_pipe *p = ddb_pipe_new(client, 1);
    ddb_wire w = {0};
    pipe_answers a = {0};

    snprintf(streamed, sizeof(streamed), "%s-streamed", table);
    snprintf(body, sizeof(body),
             "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\",\"AttributeDefinitions\":[{\"AttributeName\":"
             "\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],\"KeySchema\":[{"
             "\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],"
             "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"}}",
             streamed);
    CHECK_OK(ddb_call(client, "CreateTable", body, strlen(body), &r), r);
    ddb_result_free(r);
    r = NULL;
    CHECK_OK(ddb_put_item(client, streamed, k, NULL, NULL), r);
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", streamed);
    CHECK_OK(ddb_call(client, "ListStreams", body, strlen(body), &r), r);
    ASSERT_EQ(ddb_result_len(r, "Streams"), 1);
    snprintf(arn, sizeof(arn), "%s", ddb_result_get(r, "Streams.0.StreamArn"));
    ddb_result_free(r);
    r = NULL;
    snprintf(body, sizeof(body), "{\"StreamArn\":\"%s\"}", arn);
    CHECK_OK(ddb_call(client, "DescribeStream", body, strlen(body), &d), d);
    for (size_t i = 0; i < ddb_result_len(d, "StreamDescription.Shards"); i++) { /* the item's is one of them */
        char path[64];
        snprintf(path, sizeof(path), "StreamDescription.Shards.%zu.ShardId", i);
        snprintf(shard, sizeof(shard), "%s", ddb_result_get(d, path));
        snprintf(body, sizeof(body), "{\"StreamArn\":\"%s\",\"ShardId\":\"%s\",\"ShardIteratorType\":\"TRIM_HORIZON\"}",
                 arn, shard);
        CHECK_OK(ddb_call(client, "GetShardIterator", body, strlen(body), &r), r);
        snprintf(iterator, sizeof(iterator), "%s", ddb_result_get(r, "ShardIterator"));
        ddb_result_free(r);
        r = NULL;
        snprintf(body, sizeof(body), "{\"ShardIterator\":\"%s\"}", iterator);
        CHECK_OK(ddb_call(client, "GetRecords", body, strlen(body), &r), r);
        for (size_t n = 0; n < ddb_result_len(r, "Records"); n++, records++) {
            ASSERT_STR_EQ(ddb_result_get(r, "Records.0.eventName"), "INSERT");
            ASSERT_STR_EQ(ddb_result_get(r, "Records.0.dynamodb.Keys.pk.S"), "s");
        }
        ddb_result_free(r);
        r = NULL;
    }
    ASSERT_EQ(records, 1);
    ddb_result_free(d);
    /* the pipe's signature covers the Streams target too (ddbd checks it: --auth in tests/compat) */
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", streamed);
    ddb_pipe_sign(p, "ListStreams", 11, body, strlen(body), &w);
    ASSERT(memmem(w.data, w.len, "X-Amz-Target: DynamoDBStreams_20120810.ListStreams\r\n", 52) != NULL);
    ddb_pipe_send(p, "list", w.data, w.len);
    while (ddb_pipe_in_flight(p) > 0)
        ddb_pipe_poll(p, 5000, pipe_answered, &a);
    ASSERT_EQ(a.n, 1);
    ASSERT_EQ(a.status[0], 200);
    ASSERT(strstr(a.body[0], "\"StreamArn\"") != NULL);
    ddb_wire_free(&w);
    ddb_pipe_free(p);
    ddb_item_free(k);
}

/* A client of the shared server signing for `region` with `key` (NULL: local/local). */
static ddb_client *client_with(const char *region, const ddb_pipe_key *key)
{
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;

    if (ddb_config_set_endpoint(cfg, tc_endpoint()) != DDB_OK || ddb_config_set_region(cfg, region) != DDB_OK ||
        ddb_config_set_credentials(cfg, key != NULL ? key->access_key : "local", key != NULL ? key->secret : "local",
                                   key != NULL ? key->token : NULL) != DDB_OK ||
        ddb_client_new(cfg, &c) != DDB_OK)
        c = NULL;
    ddb_config_free(cfg);
    return c;
}

static ddb_client *client_in(const char *region)
{
    return client_with(region, NULL);
}

/* Whether p, asked to sign for region (NULL: its client's) with key (NULL: its client's), writes
   the bytes a pipe of a client in that region with that key writes (signed in the same second: a
   second that turned between them is tried again). */
static int signs_with(ddb_pipe *p, const char *region, const char *own_region, const ddb_pipe_key *key)
{
    ddb_client *c = client_with(own_region, key);
    ddb_pipe *own = c != NULL ? ddb_pipe_new(c, 1) : NULL;
    ddb_wire a = {0}, b = {0};
    char scope[64];
    int same = 0;

    for (int tries = 0; own != NULL && tries < 5; tries++) {
        time_t ta = ddb_pipe_sign_as(p, region, region != NULL ? strlen(region) : 0, key, "ListTables", 10, "{}", 2, &a);
        time_t tb = ddb_pipe_sign(own, "ListTables", 10, "{}", 2, &b);

        if (ta != tb)
            continue;
        snprintf(scope, sizeof(scope), "/%s/dynamodb/aws4_request", own_region);
        same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0 && memmem(a.data, a.len, scope, strlen(scope));
        break;
    }
    ddb_wire_free(&a);
    ddb_wire_free(&b);
    ddb_pipe_free(own);
    ddb_client_free(c);
    return same;
}

static int signs_as(ddb_pipe *p, const char *region, const char *own_region)
{
    return signs_with(p, region, own_region, NULL);
}

/* ddb_pipe_sign_in: each request signed for its own region, as that region's client signs it (a
   recording of a global table's two regions replayed: ddb replay), past the DDB_PIPE_REGIONS keys
   kept too (the last one's place taken, and a region that lost it derived again). */
TEST(a_pipe_signs_for_the_region_each_request_names)
{
    static const char *regions[] = {"eu-west-1",      "us-east-1",      "us-east-2",      "us-west-1",
                                    "eu-west-2",      "eu-west-3",      "eu-central-1",   "eu-north-1",
                                    "ap-south-1",     "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                                    "ap-southeast-1", "ap-southeast-2", "ca-central-1",   "sa-east-1",
                                    "me-south-1",     "af-south-1",     "il-central-1",   "eu-south-1"};
    size_t n = sizeof(regions) / sizeof(*regions);
    ddb_client *c = client_in("us-west-2");
    ddb_pipe *p = ddb_pipe_new(c, 1);

    ASSERT(n > DDB_PIPE_REGIONS);
    for (size_t i = 0; i < n; i++)
        ASSERT(signs_as(p, regions[i], regions[i]));
    ASSERT(signs_as(p, regions[0], regions[0]));         /* kept */
    ASSERT(signs_as(p, regions[n - 2], regions[n - 2])); /* its place taken by the last: derived again */
    ASSERT(signs_as(p, NULL, "us-west-2"));              /* the client's own, kept throughout */
    ASSERT(signs_as(p, "", "us-west-2"));
    ddb_pipe_free(p);
    ddb_client_free(c);
}

/* ddb_pipe_sign_as: each request signed with the key it names (a recording of several keys
   replayed into a server with --auth: ddb replay --keys), its session token sent and signed with
   it, in any region, and the client's own key unchanged between them. */
TEST(a_pipe_signs_with_the_key_each_request_names)
{
    static const ddb_pipe_key one = {"AKIDONE", "secret-one", NULL}, two = {"AKIDTWO", "secret-two", "token-two"};
    ddb_client *c = client_in("us-west-2");
    ddb_pipe *p = ddb_pipe_new(c, 1);
    ddb_wire w = {0};

    ASSERT(signs_with(p, NULL, "us-west-2", &one));
    ASSERT(signs_with(p, NULL, "us-west-2", &two));
    ASSERT(signs_as(p, NULL, "us-west-2"));
    ASSERT(signs_with(p, "eu-west-1", "eu-west-1", &two));
    ASSERT(signs_with(p, "us-west-2", "us-west-2", &one));
    ASSERT(signs_as(p, "eu-west-1", "eu-west-1"));
    ddb_pipe_sign_as(p, NULL, 0, &two, "ListTables", 10, "{}", 2, &w);
    ASSERT(memmem(w.data, w.len, "X-Amz-Security-Token: token-two\r\n", 33) != NULL);
    ASSERT(memmem(w.data, w.len, "Credential=AKIDTWO/", 19) != NULL);
    ddb_pipe_sign_as(p, NULL, 0, &one, "ListTables", 10, "{}", 2, &w);
    ASSERT(memmem(w.data, w.len, "X-Amz-Security-Token", 20) == NULL);
    ddb_wire_free(&w);
    ddb_pipe_free(p);
    ddb_client_free(c);
}

TEST(teardown_api)
{
    ddb_result *r = NULL;

    CHECK_OK(ddb_delete_table(client, table, &r), r);
    ddb_result_free(r);
    r = NULL;
    ASSERT_EQ(ddb_describe_table(client, table, &r), DDB_E_RESOURCE_NOT_FOUND);
    ddb_result_free(r);
    ddb_client_free(client);
    client = NULL;
}
