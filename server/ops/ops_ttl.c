/*
 * server/ops/ops_ttl.c: UpdateTimeToLive and DescribeTimeToLive (the sweep: engine/ttl.h).
 *
 * DynamoDB's rules: enabling when enabled ("TimeToLive is already enabled"), disabling when
 * disabled ("TimeToLive is already disabled"), another attribute while enabled ("TimeToLive is
 * active on a different AttributeName"), and one change an hour per table ("Time to live has been
 * modified multiple times within a fixed interval"). A disabled TTL reports DISABLING for that
 * hour, then DISABLED; an enabled one is ENABLED at once. Hours are the server's clock's.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/ttl.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

static int check_change(ddb_req *req, const ddb_table *t, int enable, const char *attr, uint64_t now)
{
    if (t->ttl.enabled && t->ttl.attr != NULL && strcmp(t->ttl.attr, attr) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is active on a different AttributeName");
    if (enable && t->ttl.enabled)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is already enabled");
    if (enable && t->rep.strong && t->rep.nreplicas > 1) /* DynamoDB documents it; its text was not recorded */
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: time to live is not supported on a global "
                            "table with MultiRegionConsistency set to STRONG");
    if (!enable && !t->ttl.enabled)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is already disabled");
    if (t->ttl.changed_ms != 0 && now < t->ttl.changed_ms + DDB_TTL_CHANGE_INTERVAL_MS)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Time to live has been modified multiple times within a fixed interval");
    return DDB_OK;
}

typedef struct ttl_change {
    ddb_req *req;
    int enable;
    const char *attr;
} ttl_change;

/* The change of the live table, or -2 with the error recorded. */
static int ttl_edit(void *ctx, ddb_desc_edit **e)
{
    const ttl_change *c = ctx;
    ddb_req *req = c->req;
    /* "Requested resource not found: Table: <name> not found", as AWS answers both TTL operations
       (captured in LocalStack's pull request 9038) */
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1);
    uint64_t now = ddb_clock_now_ms();

    if (t == NULL || check_change(req, t, c->enable, c->attr, now) != DDB_OK)
        return -2;
    *e = ddb_desc_edit_of(req->arena, t);
    ddb_edit_ttl(*e, c->attr, c->enable, now);
    return 0;
}

int ddb_op_update_time_to_live(ddb_req *req)
{
    const ddb_json *spec = ddb_json_get(req->in, "TimeToLiveSpecification");
    const ddb_json *on = ddb_json_get(spec, "Enabled");
    ttl_change c = {req, on != NULL && on->type == DDB_JSON_BOOL && on->u.b, ddb_json_get_str(spec, "AttributeName")};
    const ddb_table *updated;
    ddb_jw *w = &req->out;

    if (ddb_table_edit_or_fail(req, ddb_catalog_edit(req->eng->catalog, 16, ttl_edit, &c, &updated)) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveSpecification");
    ddb_jw_json(w, spec); /* only the members the model has (DDB_OPF_AS_MODELED) */
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_describe_time_to_live(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1);
    ddb_jw *w = &req->out;
    const char *status;

    if (t == NULL)
        return req->err.code;
    status = t->ttl.enabled ? "ENABLED"
             : t->ttl.attr != NULL && ddb_clock_now_ms() < t->ttl.changed_ms + DDB_TTL_CHANGE_INTERVAL_MS
                 ? "DISABLING"
                 : "DISABLED";
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveStatus");
    ddb_jw_str(w, status);
    if (strcmp(status, "DISABLED") != 0) {
        ddb_jw_key(w, "AttributeName");
        ddb_jw_str(w, t->ttl.attr);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
