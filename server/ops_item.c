/*
 * server/ops_item.c: PutItem, GetItem and DeleteItem.
 *
 * Validation (validate_specs.c) has decoded Item/Key into req->parsed; these handlers check the
 * key against the table's schema, then do one guarded read-modify-write on the item's shard
 * (storage.h), so the old item they report and replace is exactly the one that was there.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "expr.h"
#include "itemcodec.h"
#include "ops_common.h"
#include "server.h"

typedef enum return_values { RV_NONE, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW } return_values;

static return_values parse_return_values(const ddb_json *in)
{
    static const char *const names[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
    const char *v = ddb_json_get_str(in, "ReturnValues");

    for (int i = 0; v != NULL && i < 5; i++) {
        if (strcmp(v, names[i]) == 0)
            return (return_values)i;
    }
    return RV_NONE;
}

/* What a write's decide callback needs and reports back. */
typedef struct write_ctx {
    ddb_req *req;
    const ddb_key *key;
    const ddb_attr *item;  /* the new item (PutItem), NULL for a delete */
    size_t item_size;
    int want_old;          /* decode the old item for ReturnValues */
    ddb_attr old;          /* decoded old item when want_old and it existed */
    int had_old;
    size_t old_size;
} write_ctx;

static int decode_old(write_ctx *c, const char *old, size_t oldlen)
{
    c->had_old = old != NULL;
    if (old == NULL)
        return 0;
    c->old_size = ddb_item_stored_size(old, oldlen);
    if (c->want_old && ddb_item_decode(c->req->arena, old, oldlen, &c->old) != 0)
        return ddb_req_fail(c->req, DDB_E_INTERNAL, "Internal server error");
    return 0;
}

static int decide_put(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    write_ctx *c = ctx;
    char *val;
    size_t vlen;

    if (decode_old(c, old, oldlen) != 0)
        return -1;
    ddb_item_encode(c->req->arena, c->item, c->item_size, &val, &vlen);
    ddb_batch_put(out, (int)c->key->shard, c->key->bytes, c->key->len, val, vlen);
    return 0;
}

static int decide_delete(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    write_ctx *c = ctx;

    if (decode_old(c, old, oldlen) != 0)
        return -1;
    if (old != NULL)
        ddb_batch_delete(out, (int)c->key->shard, c->key->bytes, c->key->len);
    return 0;
}

static int run_write(write_ctx *c, ddb_rmw_decide decide)
{
    ddb_req *req = c->req;
    int rc = ddb_store_rmw(req->srv->store, req->arena, (int)c->key->shard, ddb_key_lock_hash(c->key), c->key->bytes,
                           c->key->len, decide, c);

    if (rc != 0 && req->err.code == DDB_OK)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    return req->err.code;
}

/* {"Attributes": old} when asked for and present, then ConsumedCapacity. */
static void write_result(ddb_req *req, const ddb_table *t, const write_ctx *c, return_values rv, double units)
{
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    if (rv == RV_ALL_OLD && c->had_old) {
        ddb_jw_key(w, "Attributes");
        ddb_item_write_json(w, &c->old);
    }
    ddb_write_consumed(w, ddb_rcc_parse(req->in), t->name, units);
    ddb_jw_obj_end(w);
}

int ddb_op_put_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    return_values rv = parse_return_values(req->in);
    write_ctx c;
    ddb_key key;

    if (t == NULL || ddb_item_key_or_fail(req, t, req->parsed.item, &key) != DDB_OK)
        return req->err.code;
    memset(&c, 0, sizeof(c));
    c.req = req;
    c.key = &key;
    c.item = req->parsed.item;
    c.item_size = ddb_item_size(req->parsed.item);
    c.want_old = rv == RV_ALL_OLD;
    if (run_write(&c, decide_put) != DDB_OK)
        return req->err.code;
    write_result(req, t, &c, rv, ddb_write_units(c.item_size > c.old_size ? c.item_size : c.old_size));
    return DDB_OK;
}

int ddb_op_delete_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    return_values rv = parse_return_values(req->in);
    write_ctx c;
    ddb_key key;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK)
        return req->err.code;
    memset(&c, 0, sizeof(c));
    c.req = req;
    c.key = &key;
    c.want_old = rv == RV_ALL_OLD;
    if (run_write(&c, decide_delete) != DDB_OK)
        return req->err.code;
    write_result(req, t, &c, rv, ddb_write_units(c.old_size));
    return DDB_OK;
}

int ddb_op_get_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    int consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    ddb_jw *w = &req->out;
    ddb_key key;
    ddb_attr item;
    char *val;
    size_t vlen, size = 0;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK)
        return req->err.code;
    if (ddb_store_get(req->srv->store, req->arena, (int)key.shard, key.bytes, key.len, &val, &vlen) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    if (val != NULL && ddb_item_decode(req->arena, val, vlen, &item) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_jw_obj_begin(w);
    if (val != NULL) {
        size = ddb_item_stored_size(val, vlen);
        ddb_jw_key(w, "Item");
        ddb_item_write_json(w, &item);
    }
    ddb_write_consumed(w, ddb_rcc_parse(req->in), t->name, ddb_read_units(size, consistent));
    ddb_jw_obj_end(w);
    return DDB_OK;
}
