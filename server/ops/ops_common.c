/*
 * server/ops/ops_common.c: helpers shared by the operations (see ops_common.h).
 */
#include "server/ops/ops_common.h"
#include "proto/ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ddb/ddb_status.h"
#include "server/base/arn.h"
#include "server/engine/engine.h"
#include "server/engine/item.h"
#include "server/expr/expr.h"

/* Whether an operation is refused table t (NULL: none) for the table's state: absent, or still
   being made (a restore filling it, a replica's copy, --table-states' CREATING). */
static int refused(ddb_req *req, const ddb_table *t)
{
    return t == NULL || ((t->restoring || ddb_replica_creating(t) || ddb_creating_now(req->eng, t, NULL)) &&
                         !(ddb_op_flags((ddb_op)req->op) & DDB_OPF_WHILE_CREATING));
}

const ddb_table *ddb_table_named(ddb_req *req, const char *name)
{
    const char *key = ddb_ns_key(req->arena, req->ns, name);
    const ddb_table *t = ddb_catalog_get(req->eng->catalog, key);

    return t == NULL || t->restoring ? ddb_catalog_confirm(req->eng->catalog, key) : t;
}

const ddb_table *ddb_table_or_fail(ddb_req *req, const char *name, int name_in_message)
{
    const char *key = name ? ddb_ns_key(req->arena, req->ns, name) : NULL;
    const ddb_table *t = key ? ddb_catalog_get(req->eng->catalog, key) : NULL;

    if (__builtin_expect(key != NULL && !refused(req, t), 1))
        return t;
    if (key != NULL) /* another gateway may have made it already (catalog.c) */
        t = ddb_catalog_confirm(req->eng->catalog, key);
    if (t != NULL && refused(req, t)) {
        /* a table a restore is still filling (engine/backups.h), or one --table-states keeps
           CREATING (ddb_creating_now): DynamoDB serves no reads or writes on it and refuses
           changes (a bulk put's load too); a replica still being filled answers only DescribeTable
           (docs/compatibility.md) */
        if (!t->restoring && !ddb_creating_now(req->eng, t, NULL))
            ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
        else if (ddb_op_flags((ddb_op)req->op) & DDB_OPF_CHANGES_TABLE)
            ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                         "Attempt to change a resource which is still in use: Table is being created: %s", name);
        else
            ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
        return NULL;
    }
    if (t != NULL)
        return t;
    if (name_in_message)
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name ? name : "");
    else
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
    return NULL;
}

uint64_t ddb_state_until(const ddb_req *req)
{
    const ddb_feature_slot *f = req->internal ? NULL : ddb_engine_life(req->eng);

    return f != NULL ? f->row->state_until(f) : 0;
}

void ddb_edit_creating(const ddb_req *req, struct ddb_desc_edit *e, int index, uint64_t until)
{
    const ddb_feature_slot *f = ddb_engine_life(req->eng); /* (the row `until` came from) */

    if (f != NULL && until != 0)
        f->row->creating_until(f, e, index, until);
}

int ddb_item_key_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *item, ddb_key *key)
{
    const char *msg = ddb_item_key_check(req->arena, req->eng->store, t, item, 0, key);

    return msg ? ddb_req_fail_msg(req, DDB_E_VALIDATION, msg) : DDB_OK;
}

int ddb_item_key_generic_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *item, ddb_key *key)
{
    const char *msg = ddb_item_key_check(req->arena, req->eng->store, t, item, 1, key);

    return msg ? ddb_req_fail_msg(req, DDB_E_VALIDATION, msg) : DDB_OK;
}

const char *ddb_key_param_check(ddb_req *req, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key)
{
    return ddb_key_attrs_check(req->arena, req->eng->store, t, keyattrs, key);
}

int ddb_key_param_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key)
{
    const char *msg = ddb_key_param_check(req, t, keyattrs, key);

    return msg ? ddb_req_fail_msg(req, DDB_E_VALIDATION, msg) : DDB_OK;
}

int ddb_partition_key_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *value, ddb_key *key)
{
    const char *msg = ddb_key_value_check(req->arena, t->hash_key, value, 1);

    if (msg != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    ddb_key_build(req->arena, req->eng->store, t->id, value, NULL, key);
    return DDB_OK;
}

const char *ddb_update_key_target_check(ddb_arena *a, const ddb_table *t, const ddb_expr *update)
{
    const ddb_expr_target *targets;
    size_t n = update ? ddb_expr_update_targets(update, &targets) : 0;
    const char *keys[2] = {t->hash_key, t->range_key};

    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2 && keys[k] != NULL; k++) {
            if (strlen(keys[k]) == targets[i].nlen && memcmp(keys[k], targets[i].name, targets[i].nlen) == 0)
                return ddb_arena_sprintf(a,
                                         "One or more parameter values were invalid: Cannot update attribute %s. This "
                                         "attribute is part of the key",
                                         keys[k]);
        }
    }
    return NULL;
}

void ddb_consumed_add(ddb_consumed *c, const ddb_table *src, double table, const double *index)
{
    c->table += table;
    c->written += table;
    /* matched by index id: a schema change during a batch may have added or dropped indexes */
    for (unsigned i = 0; index != NULL && i < src->nindexes; i++) {
        for (unsigned k = 0; k < c->t->nindexes; k++) {
            if (c->t->indexes[k].id == src->indexes[i].id) {
                c->index[k] += index[i];
                c->written += c->t->indexes[k].kind != DDB_IX_VECTOR ? index[i] : 0; /* (bytes, not units) */
            }
        }
    }
}

/* {"CapacityUnits": u} (with its Read/Write twin when the units are named) */
static void write_units(ddb_jw *w, char units, double u)
{
    ddb_jw_obj_begin(w);
    if (units != 0) {
        ddb_jw_key(w, units == 'R' ? "ReadCapacityUnits" : "WriteCapacityUnits");
        ddb_jw_double(w, u);
    }
    ddb_jw_key(w, "CapacityUnits");
    ddb_jw_double(w, u);
    ddb_jw_obj_end(w);
}

static void write_index_units(ddb_jw *w, const ddb_consumed *c, ddb_index_kind kind, const char *member)
{
    int open = 0;

    for (unsigned i = 0; i < c->t->nindexes; i++) {
        if (c->t->indexes[i].kind != kind || c->index[i] == 0)
            continue;
        if (!open) {
            ddb_jw_key(w, member);
            ddb_jw_obj_begin(w);
            open = 1;
        }
        ddb_jw_key(w, c->t->indexes[i].name);
        write_units(w, c->units, c->index[i]);
    }
    if (open)
        ddb_jw_obj_end(w);
}

/* VectorIndexes: {name: {"VectorWriteRequestBytes": b}} (a vector index's c->index is its bytes) */
static void write_vector_bytes(ddb_jw *w, const ddb_consumed *c)
{
    int open = 0;

    for (unsigned i = 0; i < c->t->nindexes; i++) {
        if (c->t->indexes[i].kind != DDB_IX_VECTOR || c->index[i] == 0)
            continue;
        if (!open) {
            ddb_jw_key(w, "VectorIndexes");
            ddb_jw_obj_begin(w);
            open = 1;
        }
        ddb_jw_key(w, c->t->indexes[i].name);
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "VectorWriteRequestBytes");
        ddb_jw_double(w, c->index[i]);
        ddb_jw_obj_end(w);
    }
    if (open)
        ddb_jw_obj_end(w);
}

void ddb_consumed_write_obj(ddb_jw *w, ddb_rcc rcc, const ddb_consumed *c)
{
    double total = ddb_consumed_units(c);

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, c->name != NULL ? c->name : c->t->name);
    ddb_jw_key(w, "CapacityUnits");
    ddb_jw_double(w, total);
    if (c->units != 0) {
        ddb_jw_key(w, c->units == 'R' ? "ReadCapacityUnits" : "WriteCapacityUnits");
        ddb_jw_double(w, total);
    }
    if (rcc == DDB_RCC_INDEXES) {
        ddb_jw_key(w, "Table");
        write_units(w, c->units, c->table);
        write_index_units(w, c, DDB_IX_LOCAL, "LocalSecondaryIndexes");
        write_index_units(w, c, DDB_IX_GLOBAL, "GlobalSecondaryIndexes");
        write_vector_bytes(w, c);
    }
    ddb_jw_obj_end(w);
}

/* A catalog change's result: DDB_OK (0), the error it recorded (-2), `code` with the message (1: the
   table is not there, or is already), else InternalServerError. */
static int change_or_fail(ddb_req *req, int rc, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int change_or_fail(ddb_req *req, int rc, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (rc == 0)
        return DDB_OK;
    if (rc == -2)
        return req->err.code;
    if (rc != 1)
        return ddb_req_fail_internal(req);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ddb_req_fail(req, code, "%s", msg);
}

int ddb_table_edit_or_fail(ddb_req *req, int rc)
{
    return change_or_fail(req, rc, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                          req->table);
}

int ddb_table_created_or_fail(ddb_req *req, int rc, int exists, const char *name)
{
    return change_or_fail(req, rc, exists, "Table already exists: %s", name);
}

int ddb_read_admitted(ddb_req *req, const ddb_table *t, const ddb_index *ix, const char *key, size_t klen,
                      ddb_error *err)
{
    return ddb_meter_admit_read(req->meter, req->arena, req->eng, t, ix, key, klen, err);
}

int ddb_read_throttled_or_fail(ddb_req *req, const ddb_table *t, const ddb_index *ix, const char *key, size_t klen)
{
    ddb_error err;

    if (ddb_meter_admit_read(req->meter, req->arena, req->eng, t, ix, key, klen, &err) == 0)
        return DDB_OK;
    if (req->err.code == DDB_OK) /* the first failure is the request's, with its ThrottlingReasons */
        req->err = err;
    return req->err.code;
}

void ddb_consumed_record(ddb_req *req, const ddb_consumed *c)
{
    ddb_meter_add(&req->meter, req->arena, req->eng, c);
}

void ddb_partition_record(ddb_req *req, const ddb_table *t, const ddb_index *ix, int write, const char *key,
                          size_t klen, double units)
{
    ddb_meter_add_partition(&req->meter, req->arena, req->eng, t, ix, write, key, klen, units);
}

void ddb_pattern_record_key(ddb_req *req, const ddb_table *t, const ddb_key *key)
{
    int str = t->hash_type == DDB_T_S && key->part_len >= DDB_KEY_PREFIX_BYTES;

    ddb_meter_note_pattern(&req->meter, req->arena, t, NULL, 1, str ? key->bytes + DDB_KEY_PREFIX_BYTES : NULL,
                           str ? key->part_len - DDB_KEY_PREFIX_BYTES : 0, DDB_PATTERN_SK_NONE, NULL, 0);
}

void ddb_consumed_write(ddb_req *req, ddb_rcc rcc, const ddb_consumed *c)
{
    ddb_consumed named;

    ddb_consumed_record(req, c);
    if (rcc == DDB_RCC_NONE)
        return;
    if (req->table_as_sent != NULL && c->name == NULL) { /* DynamoDB names the table as the request did */
        named = *c;
        named.name = req->table_as_sent;
        c = &named;
    }
    ddb_jw_key(&req->out, "ConsumedCapacity");
    ddb_consumed_write_obj(&req->out, rcc, c);
}

void ddb_consumed_render_list(ddb_req *req, ddb_rcc rcc, const ddb_consumed *used, size_t n)
{
    if (rcc == DDB_RCC_NONE)
        return;
    ddb_jw_key(&req->out, "ConsumedCapacity");
    ddb_jw_arr_begin(&req->out);
    for (size_t i = 0; i < n; i++)
        ddb_consumed_write_obj(&req->out, rcc, &used[i]);
    ddb_jw_arr_end(&req->out);
}

void ddb_consumed_write_list(ddb_req *req, ddb_rcc rcc, const ddb_consumed *used, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ddb_consumed_record(req, &used[i]);
    ddb_consumed_render_list(req, rcc, used, n);
}

const char *ddb_batch_key_as_sent(const ddb_req *req, uint32_t i, const char *name)
{
    return req->items_as_sent != NULL && req->items_as_sent[i] != NULL ? req->items_as_sent[i] : name;
}

ddb_consumed *ddb_consumed_for(ddb_consumed *used, uint32_t *n, const ddb_table *t, char units)
{
    uint32_t k = 0;

    while (k < *n && used[k].t->id != t->id)
        k++;
    if (k == *n)
        used[(*n)++] = (ddb_consumed){.t = t, .units = units};
    return &used[k];
}

int ddb_collection_metrics_asked(const ddb_req *req)
{
    const char *rcm = ddb_json_get_str(req->in, "ReturnItemCollectionMetrics");

    return rcm != NULL && strcmp(rcm, "SIZE") == 0;
}

void ddb_collection_metrics_table(ddb_jw *w, int *open, const char *name)
{
    if (!*open) {
        ddb_jw_key(w, "ItemCollectionMetrics");
        ddb_jw_obj_begin(w);
        *open = 1;
    }
    ddb_jw_key(w, name);
    ddb_jw_arr_begin(w);
}

void ddb_write_collection_metrics(ddb_jw *w, const ddb_table *t, const ddb_attr *pk, unsigned long long size)
{
    ddb_jw_key(w, "ItemCollectionMetrics");
    ddb_write_collection_metrics_obj(w, t, pk, size);
}

void ddb_write_collection_metrics_obj(ddb_jw *w, const ddb_table *t, const ddb_attr *pk, unsigned long long size)
{
    double gb = (double)(size >> 30);

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ItemCollectionKey");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, t->hash_key);
    ddb_attr_write_json(w, pk);
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "SizeEstimateRangeGB");
    ddb_jw_arr_begin(w);
    ddb_jw_double(w, gb);
    ddb_jw_double(w, gb + 1.0);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

const char *ddb_table_account(const ddb_table *t)
{
    return t->account != NULL ? t->account : DDB_DEFAULT_ACCOUNT;
}

const char *ddb_table_arn(ddb_req *req, const ddb_table *t)
{
    return ddb_arn_table(req->arena, req->region, ddb_table_account(t), t->name, NULL, NULL);
}

void ddb_write_time_ms(ddb_jw *w, uint64_t ms)
{
    char s[32];

    snprintf(s, sizeof(s), "%llu.%03llu", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    ddb_jw_raw_number(w, s);
}

void ddb_write_members(ddb_jw *w, const ddb_json *obj, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(obj, names[i]);
        if (v == NULL)
            continue;
        ddb_jw_key(w, names[i]);
        ddb_jw_json(w, v);
    }
}

void ddb_write_list_members(ddb_jw *w, const char *key, const ddb_json *list, const char *const *names)
{
    if (list == NULL || list->type != DDB_JSON_ARRAY || list->n == 0)
        return;
    ddb_jw_key(w, key);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < list->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_write_members(w, list->u.items[i], names);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}
