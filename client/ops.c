/*
 * client/ops.c: one public function per single-request operation. Each writes its request body
 * with proto's JSON writer, chooses how the request may be retried, and hands it to transport.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/internal.h"

/*
 * Operations that never change anything, hence retryable like reads when sent through ddb_call();
 * any other raw call is treated as must-not-apply-twice.
 */
#define DDB_READ_OPS(X)                                                                                                \
    X(GetItem) X(Query) X(Scan) X(BatchGetItem) X(TransactGetItems) X(DescribeTable) X(ListTables)                     \
    X(DescribeTimeToLive) X(ListTagsOfResource) X(DescribeEndpoints) X(DescribeLimits)                                 \
    X(DescribeContinuousBackups) X(ListStreams) X(DescribeStream) X(GetRecords) X(GetShardIterator)                    \
    X(SearchVectors)

void req_begin(ddb_jw *w, ddb_buf *b, const char *table)
{
    memset(b, 0, sizeof(*b));
    ddb_jw_init(w, b);
    ddb_jw_obj_begin(w);
    if (table != NULL) {
        ddb_jw_key(w, "TableName");
        ddb_jw_str(w, table);
    }
}

int req_finish(ddb_client *c, const char *op, ddb_buf *b, call_kind kind, ddb_result **out)
{
    int rc = transport_call(c, op, b->data, b->len, kind, out);

    ddb_buf_free(b);
    return rc;
}

/* A call refused before sending: the status, and a result saying why when one is wanted. */
static int refuse(ddb_result **out, const char *why)
{
    if (out != NULL) {
        *out = result_new();
        result_fail(*out, DDB_E_INVALID_ARGUMENT, "%s", why);
    }
    return DDB_E_INVALID_ARGUMENT;
}

/* Writes that are safe to apply twice: no condition, and no "old" values that a repeat would change. */
static call_kind write_kind(const ddb_opts *o)
{
    const char *rv = opts_get(o, DDB_P_ReturnValues);

    if (opts_get(o, DDB_P_ConditionExpression) != NULL || (rv != NULL && strcmp(rv, "NONE") != 0))
        return CALL_ONCE;
    return CALL_IDEMPOTENT;
}

/* Put/Get/Delete: TableName + one item-shaped member + opts. */
static int item_call(ddb_client *c, const char *op, const char *table, const char *member, const ddb_item *it,
                     const ddb_opts *o, call_kind kind, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL || it == NULL)
        return refuse(out, "client, table and item/key are required");
    req_begin(&w, &b, table);
    ddb_jw_key(&w, member);
    ddb_item_write_json(&w, AS_CATTR(it));
    opts_write(&w, o);
    ddb_jw_obj_end(&w);
    return req_finish(c, op, &b, kind, out);
}

int ddb_put_item(ddb_client *c, const char *table, const ddb_item *item, const ddb_opts *opts, ddb_result **out)
{
    return item_call(c, "PutItem", table, "Item", item, opts, write_kind(opts), out);
}

int ddb_get_item(ddb_client *c, const char *table, const ddb_item *key, const ddb_opts *opts, ddb_result **out)
{
    return item_call(c, "GetItem", table, "Key", key, opts, CALL_READ, out);
}

int ddb_delete_item(ddb_client *c, const char *table, const ddb_item *key, const ddb_opts *opts, ddb_result **out)
{
    return item_call(c, "DeleteItem", table, "Key", key, opts, write_kind(opts), out);
}

int ddb_update_item(ddb_client *c, const char *table, const ddb_item *key, const char *update_expression,
                    const ddb_opts *opts, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL || key == NULL)
        return refuse(out, "client, table and key are required");
    req_begin(&w, &b, table);
    ddb_jw_key(&w, "Key");
    ddb_item_write_json(&w, AS_CATTR(key));
    if (update_expression != NULL) {
        ddb_jw_key(&w, "UpdateExpression");
        ddb_jw_str(&w, update_expression);
    }
    opts_write(&w, opts);
    ddb_jw_obj_end(&w);
    /* an update (ADD, SET x = x + 1, list_append) may not be idempotent: never sent twice */
    return req_finish(c, "UpdateItem", &b, CALL_ONCE, out);
}

int ddb_query(ddb_client *c, const char *table, const char *key_condition, const ddb_opts *opts, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL)
        return refuse(out, "client and table are required");
    req_begin(&w, &b, table);
    if (key_condition != NULL) {
        ddb_jw_key(&w, "KeyConditionExpression");
        ddb_jw_str(&w, key_condition);
    }
    opts_write(&w, opts);
    ddb_jw_obj_end(&w);
    return req_finish(c, "Query", &b, CALL_READ, out);
}

int ddb_scan(ddb_client *c, const char *table, const ddb_opts *opts, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL)
        return refuse(out, "client and table are required");
    req_begin(&w, &b, table);
    opts_write(&w, opts);
    ddb_jw_obj_end(&w);
    return req_finish(c, "Scan", &b, CALL_READ, out);
}

/*
 * SearchVectors: the vector is the L's elements as a bare JSON array (the API's shape, not {"L":..}).
 * IndexName is the argument's: opts' own would make the key appear twice.
 */
int ddb_search_vectors(ddb_client *c, const char *table, const char *index, const ddb_list *vector, int top_k,
                       const ddb_opts *opts, ddb_result **out)
{
    const ddb_attr *v = AS_CATTR(vector);
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL || index == NULL || vector == NULL)
        return refuse(out, "client, table, index and vector are required");
    req_begin(&w, &b, table);
    ddb_jw_key(&w, "IndexName");
    ddb_jw_str(&w, index);
    ddb_jw_key(&w, "SearchVector");
    ddb_jw_arr_begin(&w);
    for (uint32_t i = 0; i < v->len; i++)
        ddb_attr_write_json(&w, &v->u.items[i]);
    ddb_jw_arr_end(&w);
    ddb_jw_key(&w, "TopK");
    ddb_jw_int(&w, top_k); /* out of range is the server's to refuse, with DynamoDB's message */
    opts_write_but(&w, opts, DDB_P_IndexName);
    ddb_jw_obj_end(&w);
    return req_finish(c, "SearchVectors", &b, CALL_READ, out);
}

/* ---- tables ---- */

static int table_call(ddb_client *c, const char *op, const char *table, call_kind kind, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || table == NULL)
        return refuse(out, "client and table are required");
    req_begin(&w, &b, table);
    ddb_jw_obj_end(&w);
    return req_finish(c, op, &b, kind, out);
}

int ddb_delete_table(ddb_client *c, const char *table, ddb_result **out)
{
    return table_call(c, "DeleteTable", table, CALL_ONCE, out);
}

int ddb_describe_table(ddb_client *c, const char *table, ddb_result **out)
{
    return table_call(c, "DescribeTable", table, CALL_READ, out);
}

int ddb_list_tables(ddb_client *c, const char *start, int limit, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL)
        return refuse(out, "client is required");
    req_begin(&w, &b, NULL);
    if (start != NULL) {
        ddb_jw_key(&w, "ExclusiveStartTableName");
        ddb_jw_str(&w, start);
    }
    if (limit > 0) {
        ddb_jw_key(&w, "Limit");
        ddb_jw_int(&w, limit);
    }
    ddb_jw_obj_end(&w);
    return req_finish(c, "ListTables", &b, CALL_READ, out);
}

/* Every GSI of a DescribeTable reply is ACTIVE. */
static int indexes_active(ddb_result *r)
{
    char path[96];
    size_t n = ddb_result_len(r, "Table.GlobalSecondaryIndexes");

    for (size_t i = 0; i < n; i++) {
        const char *st;

        snprintf(path, sizeof(path), "Table.GlobalSecondaryIndexes.%zu.IndexStatus", i);
        st = ddb_result_get(r, path);
        if (st == NULL || strcmp(st, "ACTIVE") != 0)
            return 0;
    }
    return 1;
}

int ddb_wait_table_active(ddb_client *c, const char *table, unsigned timeout_ms)
{
    struct timespec pause = {0, 20 * 1000 * 1000};

    for (unsigned waited = 0;; waited += 20) {
        ddb_result *r = NULL;
        int rc = ddb_describe_table(c, table, &r);
        const char *st = ddb_result_get(r, "Table.TableStatus");
        int done = rc == DDB_OK && st != NULL && strcmp(st, "ACTIVE") == 0 && indexes_active(r);

        ddb_result_free(r);
        if (rc != DDB_OK || done)
            return rc;
        if (waited >= timeout_ms)
            return DDB_E_TRANSPORT;
        nanosleep(&pause, NULL);
    }
}

/* ---- raw ---- */

static call_kind raw_kind(const char *op)
{
    static const char *const reads[] = {
#define X(name) #name,
        DDB_READ_OPS(X)
#undef X
    };

    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        if (strcmp(op, reads[i]) == 0)
            return CALL_READ;
    }
    return CALL_ONCE;
}

int ddb_call(ddb_client *c, const char *operation, const char *json, size_t len, ddb_result **out)
{
    if (c == NULL || operation == NULL || json == NULL)
        return refuse(out, "client, operation and body are required");
    return transport_call(c, operation, json, len, raw_kind(operation), out);
}
