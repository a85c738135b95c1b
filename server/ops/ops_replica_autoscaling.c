/*
 * server/ops/ops_replica_autoscaling.c: DescribeTableReplicaAutoScaling and
 * UpdateTableReplicaAutoScaling on a global table (version 2019.11.21; its replicas:
 * ops_replicas.c). ddbd does no auto scaling: a table's replicas describe it as disabled, and an
 * update may only disable it, with DynamoDB's messages (docs/compatibility.md, "Global tables").
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_replicas.h"
#include "server/ops/table_desc.h"

static const ddb_table *global_table_or_fail(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *t = ddb_table_or_fail(req, name, 1);

    if (t == NULL) {
        req->err.code = DDB_OK; /* the answer is the global table's */
        req->err.msg = NULL;
    }
    if (t == NULL || t->rep.id == 0 || t->rep.nreplicas < 2) {
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Global table with name: '%s' does not exist.",
                     t != NULL ? t->name : name);
        return NULL;
    }
    return t;
}

static void disabled_settings(ddb_jw *w, const char *key)
{
    ddb_jw_key(w, key);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "AutoScalingDisabled");
    ddb_jw_bool(w, 1);
    ddb_jw_key(w, "ScalingPolicies");
    ddb_jw_arr_begin(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

/* Every region, its own included, in alphabetical order: on-demand, so auto scaling is disabled. */
int ddb_op_describe_table_replica_auto_scaling(ddb_req *req)
{
    const ddb_table *t = global_table_or_fail(req);
    const ddb_replica *order[DDB_MAX_REPLICAS];
    ddb_jw *w = &req->out;

    if (t == NULL)
        return req->err.code;
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        unsigned j = i;
        while (j > 0 && strcmp(order[j - 1]->region, t->rep.replicas[i].region) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = &t->rep.replicas[i];
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableAutoScalingDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "TableStatus");
    ddb_jw_str(w, ddb_table_status(req->eng, t));
    ddb_jw_key(w, "Replicas");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "RegionName");
        ddb_jw_str(w, order[i]->region);
        ddb_jw_key(w, "GlobalSecondaryIndexes");
        ddb_jw_arr_begin(w);
        ddb_jw_arr_end(w);
        disabled_settings(w, "ReplicaProvisionedReadCapacityAutoScalingSettings");
        disabled_settings(w, "ReplicaProvisionedWriteCapacityAutoScalingSettings");
        ddb_jw_key(w, "ReplicaStatus");
        ddb_jw_str(w, ddb_replica_state_name(ddb_replica_state_now(order[i]))); /* (--table-states) */
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* The upper-cased regions, quoted, as DynamoDB's refusal names them. */
static const char *upper_regions(ddb_arena *a, const ddb_table *t)
{
    const char *s = "";

    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        char *r = ddb_arena_sprintf(a, "%s", t->rep.replicas[i].region);
        for (char *c = r; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        s = ddb_arena_sprintf(a, "%s%s'%s'", s, i ? ", " : "", r);
    }
    return s;
}

/* Whether an AutoScalingSettingsUpdate only disables auto scaling. */
static int only_disables(const ddb_json *u)
{
    const ddb_json *d = ddb_json_get(u, "AutoScalingDisabled");

    return u == NULL || (u->n == 1 && d != NULL && d->type == DDB_JSON_BOOL && d->u.b);
}

/*
 * Every global table here is on demand (a provisioned one cannot get replicas: auto scaling is
 * not served), so a setting is refused as DynamoDB refuses it on an on-demand table; disabling
 * auto scaling, which it is, changes nothing.
 */
int ddb_op_update_table_replica_auto_scaling(ddb_req *req)
{
    const ddb_json *in = req->in, *reps = ddb_json_get(in, "ReplicaUpdates");
    const ddb_json *gsis = ddb_json_get(in, "GlobalSecondaryIndexUpdates");
    const ddb_json *wr = ddb_json_get(in, "ProvisionedWriteCapacityAutoScalingUpdate");
    const ddb_table *t = global_table_or_fail(req);
    const char *param = NULL;

    if (t == NULL)
        return req->err.code;
    if (wr == NULL && reps == NULL && gsis == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Failed to update settings for global table with name: \xe2\x80\x98%s\xe2\x80\x99 because "
                            "at least one update parameter must be specified.",
                            t->name);
    for (uint32_t i = 0; reps != NULL && i < reps->n; i++) {
        const ddb_json *r = reps->u.items[i];
        const char *region = ddb_json_get_str(r, "RegionName");
        if (ddb_table_replica(t, region) == NULL)
            return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND,
                                "Failed to update settings for global table with name: %s because the replica in "
                                "region %s does not exist.",
                                t->name, region);
        if (!only_disables(ddb_json_get(r, "ReplicaProvisionedReadCapacityAutoScalingUpdate")))
            param = "ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate";
    }
    if (!only_disables(wr))
        param = "GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate";
    for (uint32_t i = 0; gsis != NULL && i < gsis->n; i++)
        if (!only_disables(ddb_json_get(gsis->u.items[i], "ProvisionedWriteCapacityAutoScalingUpdate")))
            param = "GlobalTableGlobalSecondaryIndexSettingsUpdate";
    if (param != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Failed to update global table with name \xe2\x80\x98%s\xe2\x80\x98. Replicas %s BillingMode "
                            "is PayPerRequest. You must convert table's BillingMode to PROVISIONED to set parameters: "
                            "'%s'.",
                            t->name, upper_regions(req->arena, t), param);
    return ddb_op_describe_table_replica_auto_scaling(req);
}
