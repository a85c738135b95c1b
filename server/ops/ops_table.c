/*
 * server/ops/ops_table.c: CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable.
 *
 * Request shapes are validated by validate_specs.c before these run; handlers here look up the
 * catalog, store the description and render DynamoDB's TableDescription. Tables are ACTIVE at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ddb/ddb_status.h"
#include "itemcodec.h"
#include "ops_common.h"
#include "server.h"

/* Request members kept in the stored description, in the order DescribeTable renders them. */
static const char *const stored_members[] = {
    "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput", "LocalSecondaryIndexes",
    "GlobalSecondaryIndexes", "StreamSpecification", "SSESpecification", "TableClass", "DeletionProtectionEnabled",
    NULL,
};

/* ---- counting ---- */

typedef struct table_stats {
    unsigned long long items, bytes;
} table_stats;

/* Exact ItemCount and TableSizeBytes: one pass over the table's key range, reading only value headers. */
static table_stats count_table(ddb_req *req, const ddb_table *t)
{
    table_stats st = {0, 0};
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    unsigned nshards = ddb_store_nshards(req->srv->store);

    ddb_key_table_range(t->id, lo, hi);
    for (unsigned s = 0; s < nshards; s++) {
        ddb_store_iter *it = ddb_store_iter_open(req->srv->store, (int)s, lo, sizeof(lo), hi, sizeof(hi), 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
            size_t vlen;
            const char *v = ddb_store_iter_val(it, &vlen);
            st.items++;
            st.bytes += ddb_item_stored_size(v, vlen);
        }
        ddb_store_iter_close(it);
    }
    return st;
}

/* ---- rendering ---- */

static const char *billing_mode(const ddb_table *t)
{
    const char *m = ddb_json_get_str(t->desc, "BillingMode");
    return m ? m : "PROVISIONED";
}

static long long json_ll(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);
    return v && v->type == DDB_JSON_NUMBER ? strtoll(v->u.s, NULL, 10) : 0;
}

static void write_throughput(ddb_jw *w, const ddb_json *pt, int pay_per_request)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    if (ddb_json_get(pt, "LastIncreaseDateTime")) {
        ddb_jw_key(w, "LastIncreaseDateTime");
        ddb_jw_json(w, ddb_json_get(pt, "LastIncreaseDateTime"));
    }
    if (ddb_json_get(pt, "LastDecreaseDateTime")) {
        ddb_jw_key(w, "LastDecreaseDateTime");
        ddb_jw_json(w, ddb_json_get(pt, "LastDecreaseDateTime"));
    }
    ddb_jw_key(w, "NumberOfDecreasesToday");
    ddb_jw_int(w, 0);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, pay_per_request ? 0 : json_ll(pt, "ReadCapacityUnits"));
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, pay_per_request ? 0 : json_ll(pt, "WriteCapacityUnits"));
    ddb_jw_obj_end(w);
}

static void write_indexes(ddb_req *req, const ddb_table *t, const char *member, int global, int ppr)
{
    const ddb_json *list = ddb_json_get(t->desc, member);
    ddb_jw *w = &req->out;

    if (list == NULL || list->type != DDB_JSON_ARRAY)
        return;
    ddb_jw_key(w, member);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < list->n; i++) {
        const ddb_json *ix = list->u.items[i];
        const char *name = ddb_json_get_str(ix, "IndexName");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "IndexName");
        ddb_jw_str(w, name ? name : "");
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, ddb_json_get(ix, "KeySchema"));
        ddb_jw_key(w, "Projection");
        ddb_jw_json(w, ddb_json_get(ix, "Projection"));
        if (global) {
            ddb_jw_key(w, "IndexStatus");
            ddb_jw_str(w, "ACTIVE");
            write_throughput(w, ddb_json_get(ix, "ProvisionedThroughput"), ppr);
        }
        ddb_jw_key(w, "IndexSizeBytes");
        ddb_jw_int(w, 0);
        ddb_jw_key(w, "ItemCount");
        ddb_jw_int(w, 0);
        ddb_jw_key(w, "IndexArn");
        ddb_jw_str(w, ddb_arena_sprintf(req->arena, "%s/index/%s", ddb_table_arn(req, t->name), name ? name : ""));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* Writes "<wrapper>": TableDescription. */
static void write_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count)
{
    ddb_jw *w = &req->out;
    const ddb_json *d = t->desc;
    int ppr = strcmp(billing_mode(t), "PAY_PER_REQUEST") == 0;
    table_stats st = count ? count_table(req, t) : (table_stats){0, 0};

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, wrapper);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_json(w, ddb_json_get(d, "AttributeDefinitions"));
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(d, "KeySchema"));
    ddb_jw_key(w, "TableStatus");
    ddb_jw_str(w, status);
    ddb_jw_key(w, "CreationDateTime");
    ddb_jw_json(w, ddb_json_get(d, "CreationDateTime"));
    write_throughput(w, ddb_json_get(d, "ProvisionedThroughput"), ppr);
    ddb_jw_key(w, "TableSizeBytes");
    ddb_jw_int(w, (long long)st.bytes);
    ddb_jw_key(w, "ItemCount");
    ddb_jw_int(w, (long long)st.items);
    ddb_jw_key(w, "TableArn");
    ddb_jw_str(w, ddb_table_arn(req, t->name));
    ddb_jw_key(w, "TableId");
    ddb_jw_str(w, ddb_json_get_str(d, "TableId") ? ddb_json_get_str(d, "TableId") : "");
    /* DynamoDB reports the billing mode once it has been set explicitly (at creation or by UpdateTable) */
    if (ddb_json_get(d, "BillingMode") != NULL) {
        const ddb_json *switched = ddb_json_get(d, "BillingModeUpdated");
        ddb_jw_key(w, "BillingModeSummary");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "BillingMode");
        ddb_jw_str(w, billing_mode(t));
        if (ppr || switched != NULL) {
            ddb_jw_key(w, "LastUpdateToPayPerRequestDateTime");
            ddb_jw_json(w, switched ? switched : ddb_json_get(d, "CreationDateTime"));
        }
        ddb_jw_obj_end(w);
    }
    write_indexes(req, t, "LocalSecondaryIndexes", 0, ppr);
    write_indexes(req, t, "GlobalSecondaryIndexes", 1, ppr);
    if (ddb_json_get(d, "StreamSpecification")) {
        ddb_jw_key(w, "StreamSpecification");
        ddb_jw_json(w, ddb_json_get(d, "StreamSpecification"));
    }
    if (ddb_json_get(d, "TableClass")) {
        ddb_jw_key(w, "TableClassSummary");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "TableClass");
        ddb_jw_json(w, ddb_json_get(d, "TableClass"));
        ddb_jw_obj_end(w);
    }
    ddb_jw_key(w, "DeletionProtectionEnabled");
    ddb_jw_bool(w, ddb_json_get(d, "DeletionProtectionEnabled") && ddb_json_get(d, "DeletionProtectionEnabled")->u.b);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

/* ---- descriptions ---- */

static void write_uuid(ddb_jw *w)
{
    unsigned char b[16];
    char s[37];

    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(s, sizeof(s), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    ddb_jw_str(w, s);
}

/* Copies the stored members of `src` into an object being written, skipping those in `skip`. */
static void copy_members(ddb_jw *w, const ddb_json *src, const char *const *skip)
{
    for (int i = 0; stored_members[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(src, stored_members[i]);
        int skipped = 0;
        for (int k = 0; skip && skip[k]; k++)
            skipped |= strcmp(skip[k], stored_members[i]) == 0;
        if (v == NULL || v->type == DDB_JSON_NULL || skipped)
            continue;
        ddb_jw_key(w, stored_members[i]);
        ddb_jw_json(w, v);
    }
}

int ddb_op_create_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_table *t;
    int rc;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableId");
    write_uuid(&w);
    copy_members(&w, req->in, NULL);
    ddb_jw_obj_end(&w);
    rc = ddb_catalog_create(req->srv->catalog, name, buf.data, buf.len, ddb_now_seconds(), &t);
    ddb_buf_free(&buf);
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE, "Table already exists: %s", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    write_description(req, t, "TableDescription", "ACTIVE", 0);
    return DDB_OK;
}

int ddb_op_describe_table(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 1);

    if (t == NULL)
        return req->err.code;
    write_description(req, t, "Table", "ACTIVE", 1);
    return DDB_OK;
}

int ddb_op_delete_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const ddb_table *t = ddb_table_or_fail(req, name, 1);
    int rc;

    if (t == NULL)
        return req->err.code;
    if (ddb_json_get(t->desc, "DeletionProtectionEnabled") && ddb_json_get(t->desc, "DeletionProtectionEnabled")->u.b)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
                            "protection first.");
    write_description(req, t, "TableDescription", "DELETING", 1);
    rc = ddb_catalog_delete(req->srv->catalog, name);
    if (rc == 1) /* deleted concurrently */
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    return DDB_OK;
}

int ddb_op_list_tables(ddb_req *req)
{
    const ddb_json *limit = ddb_json_get(req->in, "Limit");
    size_t max = limit && limit->type == DDB_JSON_NUMBER ? (size_t)strtoul(limit->u.s, NULL, 10) : 100;
    const char **names;
    int more;
    size_t n = ddb_catalog_list(req->srv->catalog, req->arena, ddb_json_get_str(req->in, "ExclusiveStartTableName"),
                                max, &names, &more);
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableNames");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        ddb_jw_str(w, names[i]);
    ddb_jw_arr_end(w);
    if (more && n > 0) {
        ddb_jw_key(w, "LastEvaluatedTableName");
        ddb_jw_str(w, names[n - 1]);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- UpdateTable ---- */

static int same_throughput(const ddb_json *a, const ddb_json *b)
{
    return json_ll(a, "ReadCapacityUnits") == json_ll(b, "ReadCapacityUnits") &&
           json_ll(a, "WriteCapacityUnits") == json_ll(b, "WriteCapacityUnits");
}

/* DynamoDB's rules for a throughput or billing change that does nothing or contradicts the mode. */
static int check_update(ddb_req *req, const ddb_table *t, const char *mode, const ddb_json *pt)
{
    const char *cur = billing_mode(t);
    const char *next = mode ? mode : cur;
    const ddb_json *curpt = ddb_json_get(t->desc, "ProvisionedThroughput");

    if (strcmp(next, "PAY_PER_REQUEST") == 0 && pt != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                            "can be specified when BillingMode is PAY_PER_REQUEST");
    if (strcmp(next, "PROVISIONED") == 0 && strcmp(cur, "PAY_PER_REQUEST") == 0 && pt == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: ProvisionedThroughput must be specified when "
                            "BillingMode is PROVISIONED");
    if (pt != NULL && strcmp(cur, "PROVISIONED") == 0 && same_throughput(pt, curpt))
        return ddb_req_fail(
            req, DDB_E_VALIDATION,
            "The provisioned throughput for the table will not change. The requested value equals the current value. "
            "Current ReadCapacityUnits provisioned for the table: %lld. Requested ReadCapacityUnits: %lld. Current "
            "WriteCapacityUnits provisioned for the table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon "
            "DynamoDB Developer Guide for current limits and how to request higher limits.",
            json_ll(curpt, "ReadCapacityUnits"), json_ll(pt, "ReadCapacityUnits"), json_ll(curpt, "WriteCapacityUnits"),
            json_ll(pt, "WriteCapacityUnits"));
    return DDB_OK;
}

int ddb_op_update_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const ddb_table *t = ddb_table_or_fail(req, name, 1);
    const char *mode = ddb_json_get_str(req->in, "BillingMode");
    const ddb_json *pt = ddb_json_get(req->in, "ProvisionedThroughput");
    static const char *const replaced[] = {"BillingMode", "ProvisionedThroughput", "DeletionProtectionEnabled",
                                           "TableClass", NULL};
    ddb_buf buf = {0};
    ddb_jw w;
    int rc;

    if (t == NULL || check_update(req, t, mode, pt) != DDB_OK)
        return req->err.code;
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableId");
    ddb_jw_str(&w, ddb_json_get_str(t->desc, "TableId") ? ddb_json_get_str(t->desc, "TableId") : "");
    copy_members(&w, t->desc, replaced);
    ddb_jw_key(&w, "BillingMode");
    ddb_jw_str(&w, mode ? mode : billing_mode(t));
    if (mode && strcmp(mode, "PAY_PER_REQUEST") == 0 && strcmp(billing_mode(t), mode) != 0) {
        ddb_jw_key(&w, "BillingModeUpdated");
        ddb_jw_double(&w, ddb_now_seconds());
    } else if (ddb_json_get(t->desc, "BillingModeUpdated")) {
        ddb_jw_key(&w, "BillingModeUpdated");
        ddb_jw_json(&w, ddb_json_get(t->desc, "BillingModeUpdated"));
    } else if (strcmp(billing_mode(t), "PAY_PER_REQUEST") == 0) { /* created on demand: it was last on demand at creation */
        ddb_jw_key(&w, "BillingModeUpdated");
        ddb_jw_json(&w, ddb_json_get(t->desc, "CreationDateTime"));
    }
    ddb_jw_key(&w, "ProvisionedThroughput");
    if (pt != NULL) {
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "ReadCapacityUnits");
        ddb_jw_int(&w, json_ll(pt, "ReadCapacityUnits"));
        ddb_jw_key(&w, "WriteCapacityUnits");
        ddb_jw_int(&w, json_ll(pt, "WriteCapacityUnits"));
        ddb_jw_key(&w, "LastIncreaseDateTime");
        ddb_jw_double(&w, ddb_now_seconds());
        ddb_jw_obj_end(&w);
    } else {
        ddb_jw_json(&w, ddb_json_get(t->desc, "ProvisionedThroughput") ? ddb_json_get(t->desc, "ProvisionedThroughput")
                                                                        : &(ddb_json){.type = DDB_JSON_NULL});
    }
    for (int i = 2; replaced[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(req->in, replaced[i]);
        if (v == NULL)
            v = ddb_json_get(t->desc, replaced[i]);
        if (v != NULL) {
            ddb_jw_key(&w, replaced[i]);
            ddb_jw_json(&w, v);
        }
    }
    ddb_jw_obj_end(&w);
    rc = ddb_catalog_update(req->srv->catalog, name, buf.data, buf.len, &t);
    ddb_buf_free(&buf);
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    write_description(req, t, "TableDescription", "ACTIVE", 1);
    return DDB_OK;
}
