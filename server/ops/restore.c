/*
 * server/ops/restore.c: a table created as a restore of a backup or of a point in time (see
 * restore.h).
 */
#include "server/ops/restore.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/backups.h" /* ddb_edit_restore */
#include "server/engine/jobs/pitr.h"
#include "server/engine/jobs/tasks.h"
#include "server/ops/ops_common.h"
#include "server/ops/table_create.h"
#include "server/ops/table_desc.h"

typedef struct restore_member {
    const ddb_backup *b;
    uint64_t now;
    uint32_t log;      /* to a point in time: the source's change log (pitr.h), replayed up to `now` */
    uint64_t last;     /* and up to its record numbered `last`, the last when it was asked (0: none) */
} restore_member;

static int attr_used(const ddb_json *src, const ddb_json *lsis, const ddb_json *gsis, const ddb_json *vis,
                     const char *name)
{
    const ddb_json *lists[2] = {lsis, gsis};

    if (ddb_attr_named(ddb_json_get(src, "KeySchema"), name) != NULL)
        return 1;

    for (int l = 0; l < 2; l++) {
        for (uint32_t i = 0; lists[l] != NULL && lists[l]->type == DDB_JSON_ARRAY && i < lists[l]->n; i++)
            if (ddb_attr_named(ddb_json_get(lists[l]->u.items[i], "KeySchema"), name) != NULL)
                return 1;
    }
    for (uint32_t i = 0; vis != NULL && vis->type == DDB_JSON_ARRAY && i < vis->n; i++)
        if (ddb_attr_named(ddb_json_get(vis->u.items[i], "SearchSchema"), name) != NULL) /* (AttributeName members) */
            return 1;
    return 0;
}

/* The source's vector indexes as CreateTable takes them (the restore fills them as it fills the
   table: every item goes through the mutation pipeline). */
static void write_vector_indexes(ddb_jw *w, const ddb_json *list)
{
    static const char *const members[] = {"IndexName", "VectorAttribute", "Projection", "Dimensions",
                                          "DistanceFunction", "SearchSchema", NULL};

    ddb_write_list_members(w, "VectorIndexes", list, members);
}

static const char *const ODT_UNITS[] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};

/* OnDemandThroughput of the source's maximums `src` with the override's in (-1 removes one), when
   one is left; on demand only. */
static void write_on_demand(ddb_jw *w, const ddb_json *src, const ddb_json *override)
{
    long long v[2];
    int any = 0;

    for (int i = 0; i < 2; i++) {
        const ddb_json *o = ddb_json_get(override, ODT_UNITS[i]);
        v[i] = ddb_json_ll(o != NULL && o->type == DDB_JSON_NUMBER ? override : src, ODT_UNITS[i]);
        any |= v[i] > 0;
    }
    if (!any)
        return;
    ddb_jw_key(w, "OnDemandThroughput");
    ddb_jw_obj_begin(w);
    for (int i = 0; i < 2; i++) {
        if (v[i] > 0)
            ddb_jw_member_int(w, ODT_UNITS[i], v[i]);
    }
    ddb_jw_obj_end(w);
}

/* An index as CreateTable takes it: its name, key, projection and (provisioned) throughput, or on
   demand its maximums. */
static void write_index(ddb_jw *w, const ddb_json *ix, int global, const ddb_json *pt)
{
    ddb_jw_obj_begin(w);
    ddb_write_index_shape(w, ix);
    if (global && pt != NULL) {
        const ddb_json *own = ddb_json_get(ix, "ProvisionedThroughput");
        const ddb_json *use = own != NULL && ddb_json_ll(own, "ReadCapacityUnits") > 0 ? own : pt;
        ddb_jw_key(w, "ProvisionedThroughput");
        ddb_jw_obj_begin(w);
        ddb_jw_member_int(w, "ReadCapacityUnits", ddb_json_ll(use, "ReadCapacityUnits"));
        ddb_jw_member_int(w, "WriteCapacityUnits", ddb_json_ll(use, "WriteCapacityUnits"));
        ddb_jw_obj_end(w);
    } else if (global) {
        write_on_demand(w, ddb_json_get(ix, "OnDemandThroughput"), NULL);
    }
    ddb_jw_obj_end(w);
}

static void write_index_list(ddb_jw *w, const char *key, const ddb_json *list, int global, const ddb_json *pt,
                             int from_request)
{
    if (list == NULL || list->type != DDB_JSON_ARRAY || list->n == 0)
        return;
    ddb_jw_key(w, key);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < list->n; i++) {
        if (from_request) /* an override is passed as sent: CreateTable's spec judges it */
            ddb_jw_json(w, list->u.items[i]);
        else
            write_index(w, list->u.items[i], global, pt);
    }
    ddb_jw_arr_end(w);
}

/*
 * The CreateTable request that makes the restored table: the backup's schema with the request's
 * overrides (billing mode, throughput, the index lists replacing the backup's, vector indexes
 * included, SSE); only the attribute definitions the remaining keys use are kept. Streams, TTL,
 * tags, deletion protection and PITR are not restored, as in DynamoDB.
 */
const ddb_json *ddb_restore_compose(ddb_req *req, const ddb_backup *b)
{
    const ddb_json *in = req->in, *src = b->source;
    const char *mode = ddb_json_get_str(in, "BillingModeOverride");
    const ddb_json *pt = ddb_json_get(in, "ProvisionedThroughputOverride");
    const ddb_json *lsi_o = ddb_json_get(in, "LocalSecondaryIndexOverride");
    const ddb_json *gsi_o = ddb_json_get(in, "GlobalSecondaryIndexOverride");
    const ddb_json *lsis = lsi_o != NULL ? lsi_o : ddb_json_get(src, "LocalSecondaryIndexes");
    const ddb_json *gsis = gsi_o != NULL ? gsi_o : ddb_json_get(src, "GlobalSecondaryIndexes");
    const ddb_json *vis_o = ddb_json_get(in, "VectorIndexOverride");
    const ddb_json *vis = vis_o != NULL ? vis_o : ddb_json_get(src, "VectorIndexes");
    const ddb_json *sse = ddb_json_get(in, "SSESpecificationOverride");
    const ddb_json *defs = ddb_json_get(src, "AttributeDefinitions");
    int src_on_demand = strcmp(ddb_backup_billing_mode(b), "PAY_PER_REQUEST") == 0;
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_json *out;

    if (mode == NULL)
        mode = ddb_backup_billing_mode(b);
    if (pt == NULL && strcmp(mode, "PROVISIONED") == 0 && strcmp(ddb_backup_billing_mode(b), "PROVISIONED") == 0)
        pt = ddb_json_get(src, "ProvisionedThroughput");
    if (sse == NULL)
        sse = ddb_json_get(src, "SSESpecification");
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "TableName", ddb_json_get_str(in, "TargetTableName"));
    ddb_jw_key(&w, "AttributeDefinitions");
    ddb_jw_arr_begin(&w);
    for (uint32_t i = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++) {
        const char *name = ddb_json_get_str(defs->u.items[i], "AttributeName");
        if (name != NULL && attr_used(src, lsis, gsis, vis, name))
            ddb_jw_json(&w, defs->u.items[i]);
    }
    ddb_jw_arr_end(&w);
    ddb_jw_key(&w, "KeySchema");
    ddb_jw_json(&w, ddb_json_get(src, "KeySchema"));
    ddb_jw_member_str(&w, "BillingMode", mode);
    if (pt != NULL && strcmp(mode, "PROVISIONED") == 0) {
        ddb_jw_key(&w, "ProvisionedThroughput");
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "ReadCapacityUnits");
        ddb_jw_json(&w, ddb_json_get(pt, "ReadCapacityUnits"));
        ddb_jw_key(&w, "WriteCapacityUnits");
        ddb_jw_json(&w, ddb_json_get(pt, "WriteCapacityUnits"));
        ddb_jw_obj_end(&w);
    }
    if (strcmp(mode, "PAY_PER_REQUEST") == 0) /* the source's maximums only if it was on demand too */
        write_on_demand(&w, src_on_demand ? ddb_json_get(src, "OnDemandThroughput") : NULL,
                        ddb_json_get(in, "OnDemandThroughputOverride"));
    write_index_list(&w, "LocalSecondaryIndexes", lsis, 0, NULL, lsi_o != NULL);
    write_index_list(&w, "GlobalSecondaryIndexes", gsis, 1, strcmp(mode, "PROVISIONED") == 0 ? pt : NULL,
                     gsi_o != NULL);
    write_vector_indexes(&w, vis);
    if (sse != NULL) {
        ddb_jw_key(&w, "SSESpecification");
        ddb_jw_json(&w, sse);
    }
    if (ddb_json_get(src, "TableClass") != NULL) {
        ddb_jw_key(&w, "TableClass");
        ddb_jw_json(&w, ddb_json_get(src, "TableClass"));
    }
    ddb_jw_obj_end(&w);
    out = ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
    return out;
}

/* What the worker fills the table from, and the RestoreSummary to report. */
static void add_restore_member(ddb_desc_edit *e, void *ctx)
{
    const restore_member *r = ctx;
    ddb_restore_member m = {r->b->keyspace, r->log, r->b->arn, r->b->table_arn, r->now, r->last};

    ddb_edit_restore(e, &m);
}

/*
 * OnDemandThroughputOverride: only for a table restored on demand, each maximum at least 1, or -1
 * to remove the source's (ddbd's reading: DynamoDB's rule for -1 here is not recorded). The texts
 * are DynamoDB's (captured: docs/compatibility.md).
 */
static int check_on_demand_override(ddb_req *req, const ddb_backup *b)
{
    const ddb_json *o = ddb_json_get(req->in, "OnDemandThroughputOverride");
    const char *mode = ddb_json_get_str(req->in, "BillingModeOverride");

    if (mode == NULL)
        mode = ddb_backup_billing_mode(b);
    for (int i = 0; i < 2 && strcmp(mode, "PAY_PER_REQUEST") != 0; i++)
        if (ddb_json_get(o, ODT_UNITS[i]) != NULL && ddb_json_get(o, ODT_UNITS[i])->type == DDB_JSON_NUMBER)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Invalid Request: Cannot override %s for OnDemandThroughput unless "
                                "BillingModeOverride is PAY_PER_REQUEST",
                                ODT_UNITS[i]);
    for (int i = 0; i < 2; i++) {
        const ddb_json *v = ddb_json_get(o, ODT_UNITS[i]);
        long long n = ddb_json_ll(o, ODT_UNITS[i]);
        if (v != NULL && v->type == DDB_JSON_NUMBER && n < 1 && n != -1)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Invalid Request: Requested %s for OnDemandThroughput is outside of valid range",
                                ODT_UNITS[i]);
    }
    return DDB_OK;
}

int ddb_restore_start(ddb_req *req, const ddb_backup *b, uint32_t log, uint64_t when_ms)
{
    const char *target = ddb_json_get_str(req->in, "TargetTableName");
    const ddb_table *t;
    const ddb_json *create;
    restore_member rm;
    int rc;

    if (ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, target)) != NULL)
        return ddb_req_fail(req, DDB_E_TABLE_ALREADY_EXISTS, "Table already exists: %s", target);
    if (check_on_demand_override(req, b) != DDB_OK)
        return req->err.code;
    if ((create = ddb_restore_compose(req, b)) == NULL)
        return ddb_req_fail_internal(req);
    if (ddb_validate(req, &ddb_spec_create_table, create) != DDB_OK)
        return req->err.code;
    rm = (restore_member){b, when_ms, log, 0};
    /* a change logged after this request is not the table's as of when_ms, even in the same
       millisecond (a frozen clock's, or a fast client's): of that millisecond the replay takes no
       record numbered after the last one now (model seed 927318866, replayed by `ddb replay`) */
    if (log != 0)
        rm.last = ddb_pitr_log_last(req->eng, log);
    rc = ddb_table_create(req, create, add_restore_member, &rm, &t);
    if (ddb_table_created_or_fail(req, rc, DDB_E_TABLE_ALREADY_EXISTS, target) != DDB_OK)
        return req->err.code;
    ddb_tasks_kick(req->eng->tasks);
    ddb_write_table_description(req, t, "TableDescription", ddb_table_status(req->eng, t), 0);
    return DDB_OK;
}
