/*
 * server/ops/ops_batch.c: BatchWriteItem and BatchGetItem.
 *
 * Every request of a batch is checked (tables exist, keys match their schemas, no key twice)
 * before any is executed, as DynamoDB does; each write is then its own guarded write, so a batch
 * is not atomic as a whole (neither is DynamoDB's). Nothing is ever left unprocessed locally
 * except what exceeds BatchGetItem's 16 MB response limit.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "expr.h"
#include "itemcodec.h"
#include "ops_common.h"
#include "server.h"

#define BATCH_GET_RESPONSE_LIMIT (16 * 1024 * 1024)

typedef struct batch_write {
    const ddb_table *t;
    int is_delete;
    ddb_attr item; /* PutRequest.Item */
    ddb_key key;
    size_t old_size, new_size;
} batch_write;

static int duplicate_key(const ddb_key *keys, size_t n, const ddb_key *k)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len == k->len && memcmp(keys[i].bytes, k->bytes, k->len) == 0)
            return 1;
    }
    return 0;
}

/* Decodes and checks one table's write requests into w[]; returns how many or -1 after failing the request. */
static long prepare_table_writes(ddb_req *req, const ddb_table *t, const ddb_json *list, batch_write *w)
{
    ddb_key *seen = ddb_arena_alloc(req->arena, sizeof(ddb_key) * (list->n ? list->n : 1));
    const char *msg;

    for (uint32_t i = 0; i < list->n; i++) {
        const ddb_json *put = ddb_json_get(ddb_json_get(list->u.items[i], "PutRequest"), "Item");
        const ddb_json *del = ddb_json_get(ddb_json_get(list->u.items[i], "DeleteRequest"), "Key");
        batch_write *b = &w[i];

        memset(b, 0, sizeof(*b));
        b->t = t;
        b->is_delete = put == NULL;
        if ((msg = ddb_item_from_json(req->arena, put ? put : del, &b->item)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg), -1;
        /* BatchWriteItem words every key mismatch, of puts too, as "The provided key element does not match the schema" */
        if (put ? ddb_item_key_generic_or_fail(req, t, &b->item, &b->key) : ddb_key_param_or_fail(req, t, &b->item, &b->key))
            return -1;
        if (duplicate_key(seen, i, &b->key))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Provided list of item keys contains duplicates"), -1;
        seen[i] = b->key;
        b->new_size = put ? ddb_item_size(&b->item) : 0;
    }
    return list->n;
}

static int decide_batch_write(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    batch_write *b = ctx;
    char *val;
    size_t vlen;

    b->old_size = old ? ddb_item_stored_size(old, oldlen) : 0;
    if (b->is_delete) {
        if (old != NULL)
            ddb_batch_delete(out, (int)b->key.shard, b->key.bytes, b->key.len);
        return 0;
    }
    ddb_item_encode(out->arena, &b->item, b->new_size, &val, &vlen);
    ddb_batch_put(out, (int)b->key.shard, b->key.bytes, b->key.len, val, vlen);
    return 0;
}

/* Writes "ConsumedCapacity": [{"TableName": t, "CapacityUnits": u}, ...] for per-table sums. */
static void write_consumed_list(ddb_jw *w, ddb_rcc rcc, const ddb_table **tables, const double *units, size_t n)
{
    if (rcc == DDB_RCC_NONE)
        return;
    ddb_jw_key(w, "ConsumedCapacity");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "TableName");
        ddb_jw_str(w, tables[i]->name);
        ddb_jw_key(w, "CapacityUnits");
        ddb_jw_double(w, units[i]);
        if (rcc == DDB_RCC_INDEXES) {
            ddb_jw_key(w, "Table");
            ddb_jw_obj_begin(w);
            ddb_jw_key(w, "CapacityUnits");
            ddb_jw_double(w, units[i]);
            ddb_jw_obj_end(w);
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

int ddb_op_batch_write_item(ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems");
    uint32_t ntables = items->n;
    const ddb_table **tables = ddb_arena_alloc(req->arena, sizeof(*tables) * ntables);
    double *units = ddb_arena_calloc(req->arena, sizeof(*units) * ntables);
    batch_write **writes = ddb_arena_alloc(req->arena, sizeof(*writes) * ntables);
    long *counts = ddb_arena_alloc(req->arena, sizeof(*counts) * ntables);
    ddb_jw *w = &req->out;

    for (uint32_t i = 0; i < ntables; i++) {
        const ddb_json *list = items->u.members[i].val;
        if ((tables[i] = ddb_table_or_fail(req, items->u.members[i].key, 0)) == NULL)
            return req->err.code;
        writes[i] = ddb_arena_alloc(req->arena, sizeof(batch_write) * (list->n ? list->n : 1));
        if ((counts[i] = prepare_table_writes(req, tables[i], list, writes[i])) < 0)
            return req->err.code;
    }
    for (uint32_t i = 0; i < ntables; i++) {
        for (long k = 0; k < counts[i]; k++) {
            batch_write *b = &writes[i][k];
            if (ddb_store_rmw(req->srv->store, req->arena, (int)b->key.shard, ddb_key_lock_hash(&b->key), b->key.bytes,
                              b->key.len, decide_batch_write, b) != 0)
                return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
            units[i] += ddb_write_units(b->new_size > b->old_size ? b->new_size : b->old_size);
        }
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "UnprocessedItems");
    ddb_jw_obj_begin(w);
    ddb_jw_obj_end(w);
    write_consumed_list(w, ddb_rcc_parse(req->in), tables, units, ntables);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- BatchGetItem ---- */

typedef struct batch_get_table {
    const ddb_table *t;
    const ddb_json *entry;   /* the KeysAndAttributes object */
    ddb_key *keys;
    uint32_t nkeys;
    int consistent;
    const ddb_expr *projection; /* ProjectionExpression or AttributesToGet of this table's entry */
} batch_get_table;

static int prepare_table_gets(ddb_req *req, batch_get_table *g)
{
    const ddb_json *keys = ddb_json_get(g->entry, "Keys");
    const ddb_json *cr = ddb_json_get(g->entry, "ConsistentRead");
    const char *msg;

    ddb_parsed saved = req->parsed;

    /* validation has checked every entry's expressions; parse again only to build a projection
       (each table has its own, with its own names), with the entry as the request */
    if (ddb_json_get(g->entry, "ProjectionExpression") != NULL || ddb_json_get(g->entry, "AttributesToGet") != NULL) {
        if ((msg = ddb_expr_prepare(req, g->entry)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        g->projection = req->parsed.projection;
        req->parsed = saved;
    }
    g->consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    g->nkeys = keys ? keys->n : 0;
    g->keys = ddb_arena_alloc(req->arena, sizeof(ddb_key) * (g->nkeys ? g->nkeys : 1));
    for (uint32_t i = 0; i < g->nkeys; i++) {
        ddb_attr k;
        if ((msg = ddb_item_from_json(req->arena, keys->u.items[i], &k)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        if (ddb_key_param_or_fail(req, g->t, &k, &g->keys[i]) != DDB_OK)
            return req->err.code;
        if (duplicate_key(g->keys, i, &g->keys[i]))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Provided list of item keys contains duplicates");
    }
    return DDB_OK;
}

/* Re-emits the keys from `from` on as this table's UnprocessedKeys entry. */
static void write_unprocessed(ddb_jw *w, const batch_get_table *g, uint32_t from)
{
    const ddb_json *keys = ddb_json_get(g->entry, "Keys");

    ddb_jw_key(w, g->t->name);
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < g->entry->n; i++) {
        const ddb_json_member *m = &g->entry->u.members[i];
        if (strcmp(m->key, "Keys") == 0)
            continue;
        ddb_jw_keyn(w, m->key, m->klen);
        ddb_jw_json(w, m->val);
    }
    ddb_jw_key(w, "Keys");
    ddb_jw_arr_begin(w);
    for (uint32_t i = from; i < g->nkeys; i++)
        ddb_jw_json(w, keys->u.items[i]);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

int ddb_op_batch_get_item(ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems");
    uint32_t ntables = items->n;
    batch_get_table *g = ddb_arena_calloc(req->arena, sizeof(*g) * ntables);
    const ddb_table **tables = ddb_arena_alloc(req->arena, sizeof(*tables) * ntables);
    double *units = ddb_arena_calloc(req->arena, sizeof(*units) * ntables);
    uint32_t *done = ddb_arena_calloc(req->arena, sizeof(*done) * ntables);
    size_t total = 0;
    int full = 0;
    ddb_jw *w = &req->out;

    for (uint32_t i = 0; i < ntables; i++) {
        g[i].entry = items->u.members[i].val;
        if ((g[i].t = tables[i] = ddb_table_or_fail(req, items->u.members[i].key, 0)) == NULL ||
            prepare_table_gets(req, &g[i]) != DDB_OK)
            return req->err.code;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Responses");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < ntables; i++) {
        ddb_jw_key(w, g[i].t->name);
        ddb_jw_arr_begin(w);
        for (; done[i] < g[i].nkeys && !full; done[i]++) {
            const ddb_key *k = &g[i].keys[done[i]];
            char *val;
            size_t vlen, size;
            ddb_attr item, out;
            if (ddb_store_get(req->srv->store, req->arena, (int)k->shard, k->bytes, k->len, &val, &vlen) != 0 ||
                (val != NULL && ddb_item_decode(req->arena, val, vlen, &item) != 0))
                return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
            size = val ? ddb_item_stored_size(val, vlen) : 0;
            if (val != NULL && total + size > BATCH_GET_RESPONSE_LIMIT) {
                full = 1; /* this key and the rest come back in UnprocessedKeys, unread and uncharged */
                break;
            }
            units[i] += ddb_read_units(size, g[i].consistent);
            if (val == NULL)
                continue;
            total += size;
            ddb_expr_project(req->arena, g[i].projection, &item, &out);
            ddb_item_write_json(w, &out);
        }
        ddb_jw_arr_end(w);
    }
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "UnprocessedKeys");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < ntables; i++) {
        if (done[i] < g[i].nkeys)
            write_unprocessed(w, &g[i], done[i]);
    }
    ddb_jw_obj_end(w);
    write_consumed_list(w, ddb_rcc_parse(req->in), tables, units, ntables);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
