/*
 * client/batch.c: BatchWriteItem / BatchGetItem (the builder, single calls, and the helpers that
 * chunk a batch and resend unprocessed requests) and TransactWriteItems / TransactGetItems.
 *
 * Requests are serialised when added (each a JSON fragment), so building a call's body is only
 * grouping fragments by table; resending UnprocessedItems re-emits the server's own JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

#define BATCH_WRITE_MAX 25 /* DynamoDB's limits per call */
#define BATCH_GET_MAX 100

typedef struct batch_req {
    size_t table;
    char *json;
} batch_req;

typedef struct batch_table {
    char *name;
    ddb_opts *opts; /* BatchGetItem per-table parameters, or NULL */
} batch_table;

struct ddb_batch {
    batch_table *tables;
    size_t ntables;
    batch_req *reqs;
    size_t nreqs;
};

ddb_batch *ddb_batch_new(void)
{
    ddb_batch *b = calloc(1, sizeof(*b));

    if (b == NULL)
        abort();
    return b;
}

void ddb_batch_free(ddb_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->ntables; i++) {
        free(b->tables[i].name);
        ddb_opts_free(b->tables[i].opts);
    }
    for (size_t i = 0; i < b->nreqs; i++)
        free(b->reqs[i].json);
    free(b->tables);
    free(b->reqs);
    free(b);
}

size_t ddb_batch_count(const ddb_batch *b)
{
    return b != NULL ? b->nreqs : 0;
}

static size_t table_index(ddb_batch *b, const char *table)
{
    batch_table *v;

    for (size_t i = 0; i < b->ntables; i++) {
        if (strcmp(b->tables[i].name, table) == 0)
            return i;
    }
    v = realloc(b->tables, sizeof(*v) * (b->ntables + 1));
    if (v == NULL || (v[b->ntables].name = strdup(table)) == NULL)
        abort();
    v[b->ntables].opts = NULL;
    b->tables = v;
    return b->ntables++;
}

/* Adds {"<wrap>":{"<member>": item}} (or the bare item when wrap is NULL) for `table`. */
static int batch_add(ddb_batch *b, const char *table, const char *wrap, const char *member, const ddb_item *it)
{
    ddb_buf buf = {0};
    ddb_jw w;
    batch_req *v;

    if (b == NULL || table == NULL || it == NULL)
        return DDB_E_INVALID_ARGUMENT;
    ddb_jw_init(&w, &buf);
    if (wrap != NULL) {
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, wrap);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, member);
    }
    ddb_item_write_json(&w, AS_CATTR(it));
    if (wrap != NULL) {
        ddb_jw_obj_end(&w);
        ddb_jw_obj_end(&w);
    }
    v = realloc(b->reqs, sizeof(*v) * (b->nreqs + 1));
    if (v == NULL)
        abort();
    b->reqs = v;
    v[b->nreqs].table = table_index(b, table);
    v[b->nreqs++].json = buf.data;
    return DDB_OK;
}

int ddb_batch_put(ddb_batch *b, const char *table, const ddb_item *item)
{
    return batch_add(b, table, "PutRequest", "Item", item);
}

int ddb_batch_delete(ddb_batch *b, const char *table, const ddb_item *key)
{
    return batch_add(b, table, "DeleteRequest", "Key", key);
}

int ddb_batch_get(ddb_batch *b, const char *table, const ddb_item *key)
{
    return batch_add(b, table, NULL, NULL, key);
}

int ddb_batch_table_opts(ddb_batch *b, const char *table, const ddb_opts *o)
{
    size_t t;

    if (b == NULL || table == NULL)
        return DDB_E_INVALID_ARGUMENT;
    t = table_index(b, table);
    ddb_opts_free(b->tables[t].opts);
    b->tables[t].opts = ddb_opts_dup(o);
    return DDB_OK;
}

/* {"RequestItems": {...requests [from, to) grouped by table...}, opts} */
static void write_batch_body(ddb_buf *out, const ddb_batch *b, size_t from, size_t to, int get, const ddb_opts *o)
{
    ddb_jw w;

    req_begin(&w, out, NULL);
    ddb_jw_key(&w, "RequestItems");
    ddb_jw_obj_begin(&w);
    for (size_t t = 0; t < b->ntables; t++) {
        int open = 0;

        for (size_t i = from; i < to; i++) {
            if (b->reqs[i].table != t)
                continue;
            if (!open) {
                ddb_jw_key(&w, b->tables[t].name);
                if (get) {
                    ddb_jw_obj_begin(&w);
                    opts_write_action(&w, b->tables[t].opts, 1);
                    ddb_jw_key(&w, "Keys");
                }
                ddb_jw_arr_begin(&w);
                open = 1;
            }
            ddb_jw_raw_number(&w, b->reqs[i].json); /* a fragment already in JSON syntax */
        }
        if (open) {
            ddb_jw_arr_end(&w);
            if (get)
                ddb_jw_obj_end(&w);
        }
    }
    ddb_jw_obj_end(&w);
    opts_write(&w, o);
    ddb_jw_obj_end(&w);
}

/* {"RequestItems": <the reply's UnprocessedItems or UnprocessedKeys>, opts} */
static void write_resend_body(ddb_buf *out, ddb_result *r, const char *member, const ddb_opts *o)
{
    ddb_jw w;

    req_begin(&w, out, NULL);
    ddb_jw_key(&w, "RequestItems");
    ddb_jw_json(&w, result_member(r, member));
    opts_write(&w, o);
    ddb_jw_obj_end(&w);
}

int ddb_batch_write_item(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out)
{
    ddb_buf body;

    if (c == NULL || b == NULL)
        return DDB_E_INVALID_ARGUMENT;
    write_batch_body(&body, b, 0, b->nreqs, 0, opts);
    /* puts and deletes of whole items: applying one twice leaves the same table */
    return req_finish(c, "BatchWriteItem", &body, CALL_IDEMPOTENT, out);
}

int ddb_batch_get_item(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out)
{
    ddb_buf body;

    if (c == NULL || b == NULL)
        return DDB_E_INVALID_ARGUMENT;
    write_batch_body(&body, b, 0, b->nreqs, 1, opts);
    return req_finish(c, "BatchGetItem", &body, CALL_READ, out);
}

/*
 * Sends one chunk and resends what comes back unprocessed, with backoff, until nothing is left or
 * the client's retries are spent. Calls `each` on every reply (for BatchGetItem's items).
 * Returns the status and leaves the last reply in *last.
 */
static int send_chunk(ddb_client *c, ddb_buf *body, int get, const ddb_opts *o, ddb_result **last,
                      void (*each)(ddb_result *, ddb_result *), ddb_result *acc)
{
    const char *op = get ? "BatchGetItem" : "BatchWriteItem";

    for (unsigned retry = 0;; retry++) {
        ddb_result *r = NULL;
        int rc = transport_call(c, op, body->data, body->len, get ? CALL_READ : CALL_IDEMPOTENT, &r);

        ddb_buf_free(body);
        ddb_result_free(*last);
        *last = r;
        if (rc != DDB_OK)
            return rc;
        if (each != NULL)
            each(acc, r);
        if (ddb_result_unprocessed_count(r) == 0)
            return DDB_OK;
        if (retry >= c->cfg.max_retries) {
            result_fail(r, DDB_E_THROUGHPUT_EXCEEDED, "requests left unprocessed after %u retries", retry);
            return r->status;
        }
        retry_backoff_unprocessed(c, retry);
        write_resend_body(body, r, get ? "UnprocessedKeys" : "UnprocessedItems", o);
    }
}

int ddb_batch_write_all(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out)
{
    ddb_result *last = NULL;
    int rc = DDB_OK;

    if (c == NULL || b == NULL)
        return DDB_E_INVALID_ARGUMENT;
    for (size_t from = 0; rc == DDB_OK && from < b->nreqs; from += BATCH_WRITE_MAX) {
        ddb_buf body;
        size_t to = from + BATCH_WRITE_MAX < b->nreqs ? from + BATCH_WRITE_MAX : b->nreqs;

        write_batch_body(&body, b, from, to, 0, opts);
        rc = send_chunk(c, &body, 0, opts, &last, NULL, NULL);
    }
    if (last == NULL)
        last = result_new();
    if (out != NULL)
        *out = last;
    else
        ddb_result_free(last);
    return rc;
}

/* Copies a BatchGetItem reply's items into the merged result. */
static void collect(ddb_result *acc, ddb_result *r)
{
    const ddb_json *resp = result_member(r, "Responses");

    for (uint32_t t = 0; resp != NULL && resp->type == DDB_JSON_OBJECT && t < resp->n; t++) {
        const char *table = resp->u.members[t].key;
        size_t n = ddb_result_table_item_count(r, table);

        for (size_t i = 0; i < n; i++)
            result_add_row(acc, table, AS_CATTR(ddb_result_table_item_at(r, table, i)));
    }
    acc->attempts += r->attempts;
}

int ddb_batch_get_all(ddb_client *c, const ddb_batch *b, const ddb_opts *opts, ddb_result **out)
{
    ddb_result *acc = result_new(), *last = NULL;
    int rc = DDB_OK;

    if (c == NULL || b == NULL) {
        ddb_result_free(acc);
        return DDB_E_INVALID_ARGUMENT;
    }
    acc->have_tables = acc->merged = 1;
    acc->http_status = 200;
    for (size_t from = 0; rc == DDB_OK && from < b->nreqs; from += BATCH_GET_MAX) {
        ddb_buf body;
        size_t to = from + BATCH_GET_MAX < b->nreqs ? from + BATCH_GET_MAX : b->nreqs;

        write_batch_body(&body, b, from, to, 1, opts);
        rc = send_chunk(c, &body, 1, opts, &last, collect, acc);
    }
    if (rc != DDB_OK) { /* the failed reply says why */
        ddb_result_free(acc);
        acc = last;
        last = NULL;
    }
    ddb_result_free(last);
    if (out != NULL)
        *out = acc;
    else
        ddb_result_free(acc);
    return rc;
}

/* ---- transactions ---- */

struct ddb_transact {
    ddb_buf items; /* the TransactItems fragments, comma-separated */
    size_t n;
};

ddb_transact *ddb_transact_new(void)
{
    ddb_transact *t = calloc(1, sizeof(*t));

    if (t == NULL)
        abort();
    return t;
}

void ddb_transact_free(ddb_transact *t)
{
    if (t == NULL)
        return;
    ddb_buf_free(&t->items);
    free(t);
}

size_t ddb_transact_count(const ddb_transact *t)
{
    return t != NULL ? t->n : 0;
}

/* Appends {"<action>":{"TableName":..,"<member>": it, [expr_key: expr], action opts}}. */
static int transact_add(ddb_transact *t, const char *action, const char *table, const char *member,
                        const ddb_item *it, const char *expr_key, const char *expr, const ddb_opts *o)
{
    ddb_buf buf = {0};
    ddb_jw w;

    if (t == NULL || table == NULL || it == NULL)
        return DDB_E_INVALID_ARGUMENT;
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, action);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, table);
    ddb_jw_key(&w, member);
    ddb_item_write_json(&w, AS_CATTR(it));
    if (expr != NULL) {
        ddb_jw_key(&w, expr_key);
        ddb_jw_str(&w, expr);
    }
    opts_write_action(&w, o, expr != NULL && strcmp(expr_key, "ConditionExpression") == 0);
    ddb_jw_obj_end(&w);
    ddb_jw_obj_end(&w);
    if (t->n++ > 0)
        ddb_buf_putc(&t->items, ',');
    ddb_buf_append(&t->items, buf.data, buf.len);
    ddb_buf_free(&buf);
    return DDB_OK;
}

int ddb_transact_put(ddb_transact *t, const char *table, const ddb_item *item, const ddb_opts *o)
{
    return transact_add(t, "Put", table, "Item", item, NULL, NULL, o);
}

int ddb_transact_update(ddb_transact *t, const char *table, const ddb_item *key, const char *update_expression,
                        const ddb_opts *o)
{
    if (update_expression == NULL)
        return DDB_E_INVALID_ARGUMENT;
    return transact_add(t, "Update", table, "Key", key, "UpdateExpression", update_expression, o);
}

int ddb_transact_delete(ddb_transact *t, const char *table, const ddb_item *key, const ddb_opts *o)
{
    return transact_add(t, "Delete", table, "Key", key, NULL, NULL, o);
}

int ddb_transact_check(ddb_transact *t, const char *table, const ddb_item *key, const char *condition,
                       const ddb_opts *o)
{
    return transact_add(t, "ConditionCheck", table, "Key", key, "ConditionExpression", condition, o);
}

int ddb_transact_get(ddb_transact *t, const char *table, const ddb_item *key, const ddb_opts *o)
{
    return transact_add(t, "Get", table, "Key", key, NULL, NULL, o);
}

static int transact_call(ddb_client *c, const char *op, const ddb_transact *t, const ddb_opts *o, call_kind kind,
                         ddb_result **out)
{
    ddb_buf body;
    ddb_jw w;

    if (c == NULL || t == NULL)
        return DDB_E_INVALID_ARGUMENT;
    req_begin(&w, &body, NULL);
    ddb_jw_key(&w, "TransactItems");
    ddb_jw_arr_begin(&w);
    if (t->n > 0)
        ddb_jw_raw_number(&w, t->items.data); /* the comma-separated actions, already JSON */
    ddb_jw_arr_end(&w);
    opts_write(&w, o);
    ddb_jw_obj_end(&w);
    return req_finish(c, op, &body, kind, out);
}

int ddb_transact_write_items(ddb_client *c, const ddb_transact *t, const ddb_opts *opts, ddb_result **out)
{
    /* with a ClientRequestToken the server applies a repeat at most once (for 10 minutes) */
    call_kind kind = opts_get(opts, DDB_P_ClientRequestToken) != NULL ? CALL_IDEMPOTENT : CALL_ONCE;

    return transact_call(c, "TransactWriteItems", t, opts, kind, out);
}

int ddb_transact_get_items(ddb_client *c, const ddb_transact *t, const ddb_opts *opts, ddb_result **out)
{
    return transact_call(c, "TransactGetItems", t, opts, CALL_READ, out);
}
