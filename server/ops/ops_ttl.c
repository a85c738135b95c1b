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

#include "server/base/clock.h"
#include "ddb/ddb_status.h"
#include "server/ops/ops_common.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/ttl.h"

static int check_change(ddb_req *req, const ddb_table *t, int enable, const char *attr, uint64_t now)
{
    if (t->ttl_enabled && t->ttl_attr != NULL && strcmp(t->ttl_attr, attr) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is active on a different AttributeName");
    if (enable && t->ttl_enabled)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is already enabled");
    if (!enable && !t->ttl_enabled)
        return ddb_req_fail(req, DDB_E_VALIDATION, "TimeToLive is already disabled");
    if (t->ttl_changed_ms != 0 && now < t->ttl_changed_ms + DDB_TTL_CHANGE_INTERVAL_MS)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Time to live has been modified multiple times within a fixed interval");
    return DDB_OK;
}

int ddb_op_update_time_to_live(ddb_req *req)
{
    static const char *const skip[] = {"ddbdTtl", NULL};
    const ddb_json *spec = ddb_json_get(req->in, "TimeToLiveSpecification");
    const ddb_json *on = ddb_json_get(spec, "Enabled");
    const char *attr = ddb_json_get_str(spec, "AttributeName");
    int enable = on != NULL && on->type == DDB_JSON_BOOL && on->u.b, rc = 2;
    ddb_jw *w = &req->out;

    for (int tries = 0; rc == 2 && tries < 16; tries++) {
        /* "Requested resource not found: Table: <name> not found", as AWS answers both TTL operations
           (captured in LocalStack's pull request 9038) */
        const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 1), *updated;
        uint64_t now = ddb_clock_now_ms();
        ddb_buf buf = {0};
        ddb_jw d;
        if (t == NULL || check_change(req, t, enable, attr, now) != DDB_OK)
            return req->err.code;
        ddb_jw_init(&d, &buf);
        ddb_jw_obj_begin(&d);
        ddb_desc_write(&d, t, skip, NULL);
        ddb_jw_key(&d, "ddbdTtl");
        ddb_jw_obj_begin(&d);
        ddb_jw_key(&d, "Attr");
        ddb_jw_str(&d, attr);
        ddb_jw_key(&d, "Enabled");
        ddb_jw_bool(&d, enable);
        ddb_jw_key(&d, "Changed");
        ddb_jw_int(&d, (long long)now);
        ddb_jw_obj_end(&d);
        ddb_jw_obj_end(&d);
        rc = ddb_catalog_update(req->eng->catalog, t, buf.data, buf.len, NULL, &updated);
        ddb_buf_free(&buf);
    }
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            ddb_json_get_str(req->in, "TableName"));
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveSpecification");
    ddb_jw_json(w, spec);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_describe_time_to_live(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 1);
    ddb_jw *w = &req->out;
    const char *status;

    if (t == NULL)
        return req->err.code;
    status = t->ttl_enabled ? "ENABLED"
             : t->ttl_attr != NULL && ddb_clock_now_ms() < t->ttl_changed_ms + DDB_TTL_CHANGE_INTERVAL_MS
                 ? "DISABLING"
                 : "DISABLED";
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TimeToLiveStatus");
    ddb_jw_str(w, status);
    if (strcmp(status, "DISABLED") != 0) {
        ddb_jw_key(w, "AttributeName");
        ddb_jw_str(w, t->ttl_attr);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
