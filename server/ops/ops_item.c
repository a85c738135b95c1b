/*
 * server/ops/ops_item.c: PutItem, GetItem, UpdateItem and DeleteItem.
 *
 * Validation (validate_item.c, expr.c) has decoded Item/Key and parsed the expressions into
 * req->parsed; the write handlers check the key against the table's schema, build a mutation and
 * run it through the one mutation pipeline (engine/mutation.h): the condition is evaluated against
 * the item that is there while its lock is held, so two racing conditional writes never both
 * succeed, and the item's index entries change in the same atomic commit.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/faults.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation.h"
#include "server/engine/read.h"
#include "server/expr/expr.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

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

/* A write's mutation from the request: its condition and what ReturnValues needs. */
static void mutation_from_req(ddb_mutation *m, ddb_req *req, ddb_mut_kind kind, const ddb_table *t, const ddb_key *key,
                              return_values rv)
{
    const char *rvf = ddb_json_get_str(req->in, "ReturnValuesOnConditionCheckFailure");

    ddb_mutation_init(m, kind, t, key);
    ddb_pattern_record_key(req, t, key);
    m->condition = req->parsed.condition;
    m->need_old = rv != RV_NONE;
    m->old_on_failure = rvf != NULL && strcmp(rvf, "ALL_OLD") == 0;
    m->single_write = 1;
    m->request = DDB_REQUEST_ONE;
    m->repl_hold_ms = req->fault_repl_hold_ms;
}

static int run_mutation(ddb_req *req, ddb_mutation *m)
{
    if (ddb_mutate(req->eng, req->arena, m) == DDB_OK)
        return DDB_OK;
    /* "If the expression evaluates to false, DynamoDB still consumes write capacity units from the
       table": the larger of the existing item and the one the write would have made, at least one
       unit (mutation_image.h), one figure for /metrics, the access log, the trace span and
       --enforce-capacity's buckets (the table's and the partition's); the error itself reports none
       (`used` made here only: its ~350 bytes cleared cost a write that succeeds ~45 instructions) */
    if (m->out.err.code == DDB_E_CONDITIONAL_CHECK_FAILED) {
        ddb_consumed used = {.t = m->t, .refused = 1};
        ddb_consumed_add(&used, m->t, ddb_write_units(m->out.refused_size), NULL);
        ddb_consumed_record(req, &used);
        ddb_partition_record(req, m->t, NULL, 1, m->key.bytes, m->key.len, used.table);
    }
    req->err = m->out.err;
    return req->err.code;
}

/* "ItemCollectionMetrics" for a table with local secondary indexes, when asked for. */
static void write_collection_metrics(ddb_req *req, const ddb_mutation *m)
{
    const char *rcm = ddb_json_get_str(req->in, "ReturnItemCollectionMetrics");
    ddb_jw *w = &req->out;
    const ddb_attr *item = m->out.has_new ? &m->out.new_item : m->out.had_old ? &m->out.old : m->keyattrs;
    const ddb_attr *pk;

    if (rcm == NULL || strcmp(rcm, "SIZE") != 0 || m->t->nlsi == 0 || item == NULL ||
        (pk = ddb_item_get(item, m->t->hash_key, strlen(m->t->hash_key))) == NULL)
        return;
    ddb_write_collection_metrics(w, m->t, pk, m->out.collection_size);
}

/* {"Attributes": ...} as ReturnValues asks, then ConsumedCapacity and ItemCollectionMetrics. */
static void write_result(ddb_req *req, const ddb_mutation *m, return_values rv)
{
    ddb_jw *w = &req->out;
    ddb_attr projected;
    const ddb_attr *attrs = NULL;
    ddb_consumed used = {.t = m->t};

    switch (rv) {
    case RV_ALL_OLD:
        attrs = m->out.had_old ? &m->out.old : NULL;
        break;
    case RV_UPDATED_OLD:
        if (m->out.had_old) {
            ddb_expr_project_updated(req->arena, m->update, &m->out.old, &projected);
            attrs = &projected;
        }
        break;
    case RV_ALL_NEW:
        attrs = m->out.created_nothing ? NULL : &m->out.new_item;
        break;
    case RV_UPDATED_NEW:
        if (m->out.created_nothing)
            break;
        ddb_expr_project_updated(req->arena, m->update, &m->out.new_item, &projected);
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
    ddb_consumed_add(&used, m->t, ddb_mutation_table_units(m), m->out.index_units);
    ddb_consumed_write(req, req->rcc, &used);
    write_collection_metrics(req, m);
    ddb_jw_obj_end(w);
}

int ddb_op_put_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    return_values rv = parse_return_values(req->in);
    ddb_mutation m;
    ddb_key key;

    if (t == NULL || ddb_item_key_or_fail(req, t, req->parsed.item, &key) != DDB_OK)
        return req->err.code;
    mutation_from_req(&m, req, DDB_MUT_PUT, t, &key, rv);
    m.item = req->parsed.item;
    if (run_mutation(req, &m) != DDB_OK)
        return req->err.code;
    write_result(req, &m, rv);
    return DDB_OK;
}

int ddb_op_delete_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    return_values rv = parse_return_values(req->in);
    ddb_mutation m;
    ddb_key key;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK)
        return req->err.code;
    mutation_from_req(&m, req, DDB_MUT_DELETE, t, &key, rv);
    m.keyattrs = req->parsed.key;
    if (run_mutation(req, &m) != DDB_OK)
        return req->err.code;
    write_result(req, &m, rv);
    return DDB_OK;
}

/* "Cannot update attribute pk. This attribute is part of the key" */
static int update_targets_or_fail(ddb_req *req, const ddb_table *t)
{
    const char *msg = ddb_update_key_target_check(req->arena, t, req->parsed.update);

    return msg ? ddb_req_fail_msg(req, DDB_E_VALIDATION, msg) : DDB_OK;
}

int ddb_op_update_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    return_values rv = parse_return_values(req->in);
    ddb_mutation m;
    ddb_key key;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK ||
        update_targets_or_fail(req, t) != DDB_OK)
        return req->err.code;
    mutation_from_req(&m, req, DDB_MUT_UPDATE, t, &key, rv);
    m.keyattrs = req->parsed.key;
    m.update = req->parsed.update;
    m.statement_sized = !ddb_expr_is_legacy(m.update); /* AttributeUpdates sizes the finished item only */
    if (run_mutation(req, &m) != DDB_OK)
        return req->err.code;
    write_result(req, &m, rv);
    return DDB_OK;
}

int ddb_op_get_item(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    int consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    ddb_jw *w = &req->out;
    ddb_key key;
    ddb_attr item, out;
    size_t size = 0;
    int found;

    if (t == NULL || ddb_key_param_or_fail(req, t, req->parsed.key, &key) != DDB_OK ||
        ddb_read_throttled_or_fail(req, t, NULL, key.bytes, key.len) != DDB_OK)
        return req->err.code;
    if (ddb_read_table_item(req->eng, req->arena, t, consistent, &key, &item, &size, &found, &req->drawn) != 0)
        return ddb_req_fail_internal(req);
    if (ddb_bug(DDB_BUG_UNSET_SIZE))
        size = ddb_bug_unset_size();
    ddb_pattern_record_key(req, t, &key);
    ddb_jw_obj_begin(w);
    if (found) {
        ddb_expr_project(req->arena, req->parsed.projection, &item, &out);
        ddb_jw_key(w, "Item");
        ddb_item_write_json(w, &out);
    }
    ddb_partition_record(req, t, NULL, 0, key.bytes, key.len, ddb_read_units(size, consistent));
    ddb_meter_note_read(&req->meter, req->arena, t, key.bytes, key.len, consistent);
    ddb_consumed_write(req, req->rcc, &(ddb_consumed){.t = t, .table = ddb_read_units(size, consistent)});
    ddb_jw_obj_end(w);
    return DDB_OK;
}
