/*
 * server/ops/ops_item.c: PutItem, GetItem, UpdateItem and DeleteItem.
 *
 * Validation (validate_specs.c, expr.c) has decoded Item/Key and parsed the expressions into
 * req->parsed; these handlers check the key against the table's schema, then do one guarded
 * read-modify-write on the item's shard (storage.h): the condition is evaluated against the item
 * that is there while its lock is held, so two racing conditional writes never both succeed.
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
    const ddb_table *t;
    const ddb_key *key;
    const ddb_attr *item;      /* PutItem: the new item */
    const ddb_attr *keyattrs;  /* UpdateItem: the Key (the item it creates when absent) */
    size_t item_size;
    int need_old;              /* decode the old item (condition, ReturnValues, update) */
    int old_on_failure;        /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    ddb_attr old;              /* decoded old item, when need_old and it existed */
    int had_old;
    size_t old_size;
    ddb_attr new_item;         /* UpdateItem: the result */
    int created_nothing;       /* UpdateItem on an absent item that wrote nothing */
} write_ctx;

static void write_ctx_init(write_ctx *c, ddb_req *req, const ddb_table *t, const ddb_key *key, return_values rv)
{
    const char *rvf = ddb_json_get_str(req->in, "ReturnValuesOnConditionCheckFailure");

    memset(c, 0, sizeof(*c));
    c->req = req;
    c->t = t;
    c->key = key;
    c->old_on_failure = rvf != NULL && strcmp(rvf, "ALL_OLD") == 0;
    c->need_old = rv != RV_NONE || req->parsed.condition != NULL;
}

/* Reads the old value and checks the condition against it; nonzero means stop (error recorded). */
static int check_old(write_ctx *c, const char *old, size_t oldlen)
{
    ddb_req *req = c->req;

    c->had_old = old != NULL;
    if (old == NULL)
        return 0;
    c->old_size = ddb_item_stored_size(old, oldlen);
    if (c->need_old && ddb_item_decode(req->arena, old, oldlen, &c->old) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    return 0;
}

static int check_condition(write_ctx *c)
{
    ddb_req *req = c->req;

    if (req->parsed.condition == NULL || ddb_expr_eval_condition(req->parsed.condition, c->had_old ? &c->old : NULL))
        return 0;
    ddb_req_fail(req, DDB_E_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    if (c->old_on_failure && c->had_old) { /* the error outlives this context: keep the item in the arena */
        ddb_attr *old = DDB_NEW(req->arena, ddb_attr);
        *old = c->old;
        req->err.item = old;
    }
    return -1;
}

static int decide_put(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    write_ctx *c = ctx;
    char *val;
    size_t vlen;

    if (check_old(c, old, oldlen) != 0 || check_condition(c) != 0)
        return -1;
    ddb_item_encode(c->req->arena, c->item, c->item_size, &val, &vlen);
    ddb_batch_put(out, (int)c->key->shard, c->key->bytes, c->key->len, val, vlen);
    return 0;
}

static int decide_delete(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    write_ctx *c = ctx;

    if (check_old(c, old, oldlen) != 0 || check_condition(c) != 0)
        return -1;
    if (old != NULL)
        ddb_batch_delete(out, (int)c->key->shard, c->key->bytes, c->key->len);
    return 0;
}

static int has_actions(const ddb_expr *update)
{
    const ddb_expr_target *targets;

    return update != NULL && ddb_expr_update_targets(update, &targets) > 0;
}

static int decide_update(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    write_ctx *c = ctx;
    ddb_req *req = c->req;
    const char *msg = NULL;
    char *val;
    size_t vlen;

    if (check_old(c, old, oldlen) != 0 || check_condition(c) != 0)
        return -1;
    if (ddb_expr_apply_update(req->arena, req->parsed.update, c->had_old ? &c->old : c->keyattrs, &c->new_item, &msg) != 0)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg), -1;
    c->item_size = ddb_item_size(&c->new_item);
    if (c->item_size > DDB_MAX_ITEM_SIZE)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size"), -1;
    /* actions that leave an absent item with nothing but its key (REMOVE, DELETE) create nothing;
       an update without actions still creates the key-only item */
    if (!c->had_old && c->new_item.len == (c->t->range_key ? 2u : 1u) && has_actions(req->parsed.update)) {
        c->created_nothing = 1;
        return 0;
    }
    ddb_item_encode(req->arena, &c->new_item, c->item_size, &val, &vlen);
    ddb_batch_put(out, (int)c->key->shard, c->key->bytes, c->key->len, val, vlen);
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

/* {"Attributes": ...} as ReturnValues asks, then ConsumedCapacity. */
static void write_result(write_ctx *c, return_values rv, double units)
{
    ddb_req *req = c->req;
    ddb_jw *w = &req->out;
    ddb_attr projected;
    const ddb_attr *attrs = NULL;

    switch (rv) {
    case RV_ALL_OLD:
        attrs = c->had_old ? &c->old : NULL;
        break;
    case RV_UPDATED_OLD:
        if (c->had_old) {
            ddb_expr_project_updated(req->arena, req->parsed.update, &c->old, &projected);
            attrs = &projected;
        }
        break;
    case RV_ALL_NEW:
        attrs = c->created_nothing ? NULL : &c->new_item;
        break;
    case RV_UPDATED_NEW:
        if (c->created_nothing)
            break;
        ddb_expr_project_updated(req->arena, req->parsed.update, &c->new_item, &projected);
        attrs = &projected;
        break;
    default:
        break;
    }
    ddb_jw_obj_begin(w);
    if (attrs != NULL && attrs->len > 0) {
        ddb_jw_key(w, "Attributes");
        ddb_item_write_json(w, attrs);
    }
    ddb_write_consumed(w, ddb_rcc_parse(req->in), c->t->name, units);
    ddb_jw_obj_end(w);
}

static double max_write_units(const write_ctx *c)
{
    return ddb_write_units(c->item_size > c->old_size ? c->item_size : c->old_size);
}

int ddb_op_put_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    return_values rv = parse_return_values(req->in);
    write_ctx c;
    ddb_key key;

    if (t == NULL || ddb_item_key_or_fail(req, t, req->parsed.item, &key) != DDB_OK)
        return req->err.code;
    write_ctx_init(&c, req, t, &key, rv);
    c.item = req->parsed.item;
    c.item_size = ddb_item_size(req->parsed.item);
    if (run_write(&c, decide_put) != DDB_OK)
        return req->err.code;
    write_result(&c, rv, max_write_units(&c));
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
    write_ctx_init(&c, req, t, &key, rv);
    if (run_write(&c, decide_delete) != DDB_OK)
        return req->err.code;
    write_result(&c, rv, ddb_write_units(c.old_size));
    return DDB_OK;
}

/* "Cannot update attribute pk. This attribute is part of the key" */
static int update_targets_or_fail(ddb_req *req, const ddb_table *t)
{
    const ddb_expr_target *targets;
    size_t n = req->parsed.update ? ddb_expr_update_targets(req->parsed.update, &targets) : 0;
    const char *keys[2] = {t->hash_key, t->range_key};

    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2 && keys[k] != NULL; k++) {
            if (strlen(keys[k]) == targets[i].nlen && memcmp(keys[k], targets[i].name, targets[i].nlen) == 0)
                return ddb_req_fail(req, DDB_E_VALIDATION,
                                    "One or more parameter values were invalid: Cannot update attribute %s. This "
                                    "attribute is part of the key",
                                    keys[k]);
        }
    }
    return DDB_OK;
}

int ddb_op_update_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    return_values rv = parse_return_values(req->in);
    write_ctx c;
    ddb_key key;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK ||
        update_targets_or_fail(req, t) != DDB_OK)
        return req->err.code;
    write_ctx_init(&c, req, t, &key, rv);
    c.need_old = 1; /* the update is computed from the old item */
    c.keyattrs = req->parsed.key;
    if (run_write(&c, decide_update) != DDB_OK)
        return req->err.code;
    write_result(&c, rv, max_write_units(&c));
    return DDB_OK;
}

int ddb_op_get_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    int consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    ddb_jw *w = &req->out;
    ddb_key key;
    ddb_attr item, out;
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
        ddb_expr_project(req->arena, req->parsed.projection, &item, &out);
        ddb_jw_key(w, "Item");
        ddb_item_write_json(w, &out);
    }
    ddb_write_consumed(w, ddb_rcc_parse(req->in), t->name, ddb_read_units(size, consistent));
    ddb_jw_obj_end(w);
    return DDB_OK;
}
