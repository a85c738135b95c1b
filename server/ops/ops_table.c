/*
 * server/ops/ops_table.c: CreateTable, DeleteTable, DescribeTable, ListTables, and the
 * TableDescription they render (UpdateTable: ops_update_table.c).
 *
 * Request shapes are validated by the api layer before these run; handlers here look up the
 * catalog, store the description and render DynamoDB's TableDescription. Tables and the indexes
 * created with them are ACTIVE at once; DeleteTable leaves the purge of the keys to a background
 * task (engine/tasks.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ddb/ddb_status.h"
#include "server/engine/itemcodec.h"
#include "server/ops/ops_backups.h"
#include "server/ops/ops_common.h"
#include "server/ops/ops_table.h"
#include "server/engine/jobs/pitr.h"
#include "server/ops/stream_spec.h"
#include "server/engine/table_stats.h"
#include "server/engine/jobs/tasks.h"
#include "server/server.h"

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

/* Exact ItemCount and size of a keyspace (a table or an index): one pass, reading only value headers. */
static table_stats count_keyspace(ddb_req *req, uint32_t id)
{
    table_stats st = {0, 0};

    if (ddb_keyspace_count(req->srv->store, NULL, id, &st.items, &st.bytes) != DDB_STORE_OK)
        ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error"); /* never a wrong count: the description is not sent */
    return st;
}

/* ---- rendering ---- */

const char *ddb_billing_mode(const ddb_table *t)
{
    const char *m = ddb_json_get_str(t->desc, "BillingMode");
    return m ? m : "PROVISIONED";
}

long long ddb_json_ll(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);
    return ddb_json_integer(v, 0);
}

void ddb_write_throughput(ddb_jw *w, const ddb_json *pt, int pay_per_request)
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
    ddb_jw_key(w, "NumberOfDecreasesToday"); /* the count of the UTC day it was kept for (ops_update_table.c) */
    ddb_jw_int(w, ddb_json_ll(pt, "ddbdDecreasesDay") == (long long)(ddb_now_seconds() / 86400)
                      ? ddb_json_ll(pt, "NumberOfDecreasesToday")
                      : 0);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, pay_per_request ? 0 : ddb_json_ll(pt, "ReadCapacityUnits"));
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, pay_per_request ? 0 : ddb_json_ll(pt, "WriteCapacityUnits"));
    ddb_jw_obj_end(w);
}

static void write_indexes(ddb_req *req, const ddb_table *t, ddb_index_kind kind, int ppr, int count)
{
    ddb_jw *w = &req->out;
    int open = 0;

    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        /* an index being built reports nothing yet (its entries are partial), as DynamoDB does */
        int building = ix->state == DDB_IX_CREATING && ix->backfilling;
        table_stats st;
        if (ix->kind != kind)
            continue;
        st = count && !building ? count_keyspace(req, ix->id) : (table_stats){0, 0};
        if (!open) {
            ddb_jw_key(w, kind == DDB_IX_GLOBAL ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
            ddb_jw_arr_begin(w);
            open = 1;
        }
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "IndexName");
        ddb_jw_str(w, ix->name);
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, ddb_json_get(ix->desc, "KeySchema"));
        ddb_jw_key(w, "Projection");
        ddb_jw_json(w, ddb_json_get(ix->desc, "Projection"));
        if (kind == DDB_IX_GLOBAL) {
            ddb_jw_key(w, "IndexStatus");
            ddb_jw_str(w, ddb_index_state_name(ix->state));
            if (ix->state == DDB_IX_CREATING) {
                ddb_jw_key(w, "Backfilling");
                ddb_jw_bool(w, ix->backfilling);
            }
            ddb_write_throughput(w, ddb_json_get(ix->desc, "ProvisionedThroughput"), ppr);
        }
        ddb_jw_key(w, "IndexSizeBytes");
        ddb_jw_int(w, (long long)st.bytes);
        ddb_jw_key(w, "ItemCount");
        ddb_jw_int(w, (long long)st.items);
        ddb_jw_key(w, "IndexArn");
        ddb_jw_str(w, ddb_arena_sprintf(req->arena, "%s/index/%s", ddb_table_arn(req, t->name), ix->name));
        ddb_jw_obj_end(w);
    }
    if (open)
        ddb_jw_arr_end(w);
}

/* UPDATING while an index is being built or removed, as DynamoDB reports it. */
const char *ddb_table_status(const ddb_table *t)
{
    if (t->restoring)
        return "CREATING"; /* a restore fills it (engine/backups.h), as DynamoDB reports one */
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].state != DDB_IX_ACTIVE)
            return "UPDATING";
    }
    return "ACTIVE";
}

/* A restored table's RestoreSummary (engine/backups.h keeps its members in "ddbdRestore"). */
static void write_restore_summary(ddb_jw *w, const ddb_table *t)
{
    const ddb_json *r = ddb_json_get(t->desc, "ddbdRestore");
    static const char *const members[] = {"SourceBackupArn", "SourceTableArn", "RestoreDateTime", NULL};

    if (r == NULL)
        return;
    ddb_jw_key(w, "RestoreSummary");
    ddb_jw_obj_begin(w);
    for (int i = 0; members[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(r, members[i]);
        if (v == NULL)
            continue;
        ddb_jw_key(w, members[i]);
        ddb_jw_json(w, v);
    }
    ddb_jw_key(w, "RestoreInProgress");
    ddb_jw_bool(w, t->restoring);
    ddb_jw_obj_end(w);
}

/* Writes "<wrapper>": TableDescription. */
void ddb_write_table_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count)
{
    ddb_jw *w = &req->out;
    const ddb_json *d = t->desc;
    int ppr = strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") == 0;
    table_stats st = count ? count_keyspace(req, t->id) : (table_stats){0, 0};
    /* DeleteTable's answer leaves out the schema, the creation time and the index lists (the API
     * reference's example and captures of DynamoDB); DescribeTable of a DELETING table keeps them */
    int deleting = strcmp(wrapper, "TableDescription") == 0 && strcmp(status, "DELETING") == 0;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, wrapper);
    ddb_jw_obj_begin(w);
    if (!deleting) {
        ddb_jw_key(w, "AttributeDefinitions");
        ddb_jw_json(w, ddb_json_get(d, "AttributeDefinitions"));
    }
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    if (!deleting) {
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, ddb_json_get(d, "KeySchema"));
    }
    ddb_jw_key(w, "TableStatus");
    ddb_jw_str(w, status);
    if (!deleting) {
        ddb_jw_key(w, "CreationDateTime");
        ddb_jw_json(w, ddb_json_get(d, "CreationDateTime"));
    }
    ddb_write_throughput(w, ddb_json_get(d, "ProvisionedThroughput"), ppr);
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
        ddb_jw_str(w, ddb_billing_mode(t));
        if (ppr || switched != NULL) {
            ddb_jw_key(w, "LastUpdateToPayPerRequestDateTime");
            ddb_jw_json(w, switched ? switched : ddb_json_get(d, "CreationDateTime"));
        }
        ddb_jw_obj_end(w);
    }
    if (!deleting) {
        write_indexes(req, t, DDB_IX_LOCAL, ppr, count);
        write_indexes(req, t, DDB_IX_GLOBAL, ppr, count);
    }
    if (ddb_json_get(d, "StreamSpecification") && t->stream_id != 0) {
        ddb_jw_key(w, "StreamSpecification");
        ddb_jw_json(w, ddb_json_get(d, "StreamSpecification"));
    }
    ddb_stream_describe(req, w, t);
    if (ddb_json_get(d, "TableClass")) {
        ddb_jw_key(w, "TableClassSummary");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "TableClass");
        ddb_jw_json(w, ddb_json_get(d, "TableClass"));
        ddb_jw_obj_end(w);
    }
    write_restore_summary(w, t);
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

/* Tags as ops_tags.c keeps them: "ddbdTags": [{"Key", "Value"}...] (validated; none: left out). */
static void copy_tags(ddb_jw *w, const ddb_json *tags)
{
    if (tags == NULL || tags->type != DDB_JSON_ARRAY || tags->n == 0)
        return;
    ddb_jw_key(w, "ddbdTags");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < tags->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "Key");
        ddb_jw_str(w, ddb_json_get_str(tags->u.items[i], "Key"));
        ddb_jw_key(w, "Value");
        ddb_jw_str(w, ddb_json_get_str(tags->u.items[i], "Value"));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* Copies the stored members of a CreateTable request into an object being written; its indexes
   are ACTIVE at once (the table is empty, nothing to backfill). The stream is stream_spec.c's. */
static void copy_members(ddb_jw *w, const ddb_json *src)
{
    for (int i = 0; stored_members[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(src, stored_members[i]);
        if (v == NULL || v->type == DDB_JSON_NULL || strcmp(stored_members[i], "StreamSpecification") == 0)
            continue;
        ddb_jw_key(w, stored_members[i]);
        if (v->type != DDB_JSON_ARRAY || strstr(stored_members[i], "SecondaryIndexes") == NULL) {
            ddb_jw_json(w, v);
            continue;
        }
        ddb_jw_arr_begin(w);
        for (uint32_t k = 0; k < v->n; k++) {
            const ddb_json *ix = v->u.items[k];
            ddb_jw_obj_begin(w);
            for (uint32_t m = 0; ix->type == DDB_JSON_OBJECT && m < ix->n; m++) {
                ddb_jw_keyn(w, ix->u.members[m].key, ix->u.members[m].klen);
                ddb_jw_json(w, ix->u.members[m].val);
            }
            ddb_jw_key(w, "IndexStatus");
            ddb_jw_str(w, "ACTIVE");
            ddb_jw_obj_end(w);
        }
        ddb_jw_arr_end(w);
    }
    copy_tags(w, ddb_json_get(src, "Tags"));
}

int ddb_table_create(ddb_req *req, const ddb_json *in, void (*more)(ddb_jw *w, void *ctx), void *ctx,
                     const ddb_table **out)
{
    const char *key = ddb_ns_key(req->arena, req->ns, ddb_json_get_str(in, "TableName"));
    int with_stream = in == req->in;
    ddb_buf buf = {0};
    ddb_jw w;
    stream_plan sp;
    ddb_batch extra;
    int rc;

    if (with_stream && ddb_stream_plan(req, NULL, &sp) != DDB_OK)
        return -2;
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableId");
    write_uuid(&w);
    copy_members(&w, in);
    if (with_stream)
        ddb_stream_plan_write(req, &w, NULL, &sp);
    if (more != NULL)
        more(&w, ctx);
    ddb_jw_obj_end(&w);
    ddb_batch_init(&extra, req->arena);
    if (with_stream)
        ddb_stream_plan_registry(req, key, ddb_json_get(in, "KeySchema"), NULL, &sp, &extra);
    rc = ddb_catalog_create(req->srv->catalog, key, buf.data, buf.len, ddb_now_seconds(), &extra, out);
    ddb_buf_free(&buf);
    return rc;
}

int ddb_op_create_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const ddb_table *t;
    int rc = ddb_table_create(req, req->in, NULL, NULL, &t);

    if (rc == -2)
        return req->err.code;
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE, "Table already exists: %s", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_write_table_description(req, t, "TableDescription", "ACTIVE", 0);
    return DDB_OK;
}

int ddb_op_describe_table(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 1);

    if (t == NULL)
        return req->err.code;
    ddb_write_table_description(req, t, "Table", ddb_table_status(t), 1);
    return DDB_OK;
}

/* The purge of the table's and its indexes' keys, recorded with the catalog change; with
   point-in-time recovery the items stay, as the SYSTEM backup's (ddb_backup_system_record). */
static void purge_record(ddb_req *req, const ddb_table *t, ddb_batch *purge)
{
    uint32_t ids[2 + DDB_MAX_INDEXES];
    size_t n = 0;

    if (t->pitr_log == 0)
        ids[n++] = t->id;
    for (unsigned i = 0; i < t->nindexes; i++)
        ids[n++] = t->indexes[i].id;
    if (t->collections_id != 0)
        ids[n++] = t->collections_id;
    ddb_batch_init(purge, req->arena);
    ddb_task_purge_record(purge, req->arena, ids, n);
}

#define DELETE_TRIES 16

int ddb_op_delete_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    int rc = 2;

    /* decided on one description and removed only if it is still the live one (compare-and-swap):
       a concurrent UpdateTable (an index added, deletion protection turned on) is never missed */
    for (int tries = 0; rc == 2 && tries < DELETE_TRIES; tries++) {
        const ddb_table *t = ddb_table_or_fail(req, name, 1);
        const ddb_json *protect;
        ddb_batch purge;
        if (t == NULL)
            return req->err.code;
        protect = ddb_json_get(t->desc, "DeletionProtectionEnabled");
        if (protect != NULL && protect->type == DDB_JSON_BOOL && protect->u.b)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Resource cannot be deleted as it is currently protected against deletion. Disable "
                                "deletion protection first.");
        req->out.out->len = 0; /* a lost race: the description is rendered again from the new one */
        ddb_jw_init(&req->out, req->out.out);
        ddb_write_table_description(req, t, "TableDescription", "DELETING", 1);
        if (req->err.code != DDB_OK)
            return req->err.code;
        purge_record(req, t, &purge);
        ddb_stream_table_deleted(req, t, &purge);
        if (t->pitr_log != 0) { /* its history goes with it, not while trimmed; its items stay as a backup */
            ddb_backup_system_record(req, t, &purge);
            ddb_pitr_lock();
            ddb_pitr_purge_record(req, t, &purge);
            rc = ddb_catalog_delete(req->srv->catalog, t, &purge);
            ddb_pitr_unlock();
        } else {
            rc = ddb_catalog_delete(req->srv->catalog, t, &purge);
        }
    }
    if (rc == 1) /* deleted concurrently */
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_tasks_kick(req->srv->tasks);
    return DDB_OK;
}

int ddb_op_list_tables(ddb_req *req)
{
    const ddb_json *limit = ddb_json_get(req->in, "Limit");
    size_t max = (size_t)ddb_json_integer(limit, 100);
    const char **names;
    int more;
    size_t n = ddb_catalog_list(req->srv->catalog, req->ns, req->arena,
                                ddb_json_get_str(req->in, "ExclusiveStartTableName"), max, &names, &more);
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

