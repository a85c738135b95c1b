/*
 * server/ops/ops_xfer.c: what the export and import operations share (see ops_xfer.h).
 */
#include "server/ops/ops_xfer.h"

#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/base/arn.h"
#include "server/base/log.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/xfer.h"

/* The id after "/<what>/" in an export or import ARN, or NULL. */
static const char *id_of_arn(const char *arn, const char *what)
{
    ddb_arn a;

    return arn != NULL && ddb_arn_parts(arn, strlen(arn), &a) == 0 && ddb_arn_is(&a, what) && a.id != NULL ? a.id
                                                                                                           : NULL;
}

const ddb_json *ddb_xfer_of_arn(ddb_req *req, const char *arn, const char *what, const char *prefix)
{
    const char *id = id_of_arn(arn, what), *ns;
    const ddb_json *rec = id != NULL ? ddb_xfer_load(req->eng->store, req->arena, prefix, id) : NULL;

    ns = ddb_json_get_str(rec, "ddbdNs");
    return rec != NULL && ns != NULL && strcmp(ns, req->ns) == 0 ? rec : NULL;
}

int ddb_xfer_same(const ddb_json *rec, const char *member, const char *value)
{
    const char *v = ddb_json_get_str(rec, member);
    return (v == NULL && value == NULL) || (v != NULL && value != NULL && strcmp(v, value) == 0);
}

void ddb_xfer_record_begin(ddb_req *req, ddb_jw *w, ddb_buf *buf, char id[32], uint64_t now_ms, const char *arn_key,
                           const char *status_key, const char *path, const char *table_arn)
{
    ddb_xfer_new_id(id, now_ms);
    ddb_jw_init(w, buf);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, arn_key);
    ddb_jw_str(w, ddb_arena_sprintf(req->arena, "%s/%s/%s", table_arn, path, id));
    ddb_jw_key(w, status_key);
    ddb_jw_str(w, "IN_PROGRESS");
}

void ddb_xfer_table_members(ddb_jw *w, const char *arn, const ddb_table *t)
{
    const char *uuid = ddb_json_get_str(t->desc, "TableId");

    ddb_jw_member_str(w, "TableArn", arn);
    ddb_jw_member_str(w, "TableId", uuid != NULL ? uuid : "");
}

void ddb_xfer_describe(ddb_req *req, const char *wrapper, const ddb_json *rec)
{
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, wrapper);
    ddb_xfer_render(&req->out, rec);
    ddb_jw_obj_end(&req->out);
}

/* An export or import whose bucket no store of this server can hold is accepted all the same, as
   DynamoDB accepts one to a missing bucket and fails it later (S3NoSuchBucket, in Describe*). Here
   the cause is nearly always a missing --export-dir or --s3-endpoint, so the log says so at once. */
static void warn_unreachable(ddb_req *req, const ddb_json *rec)
{
    const ddb_json *src = ddb_json_get(rec, "S3BucketSource");
    const char *bucket = ddb_json_get_str(src != NULL ? src : rec, "S3Bucket");
    const ddb_objstore_settings *cfg = &req->eng->settings.objstore;

    if (bucket == NULL || ddb_objstore_reachable(cfg, bucket))
        return;
    ddb_log(DDB_LOG_WARN,
            "%s: bucket %s is not the directory %s/%s and no --s3-endpoint is set: it will fail with "
            "S3NoSuchBucket (docs/export-import.md)",
            ddb_op_name(req->op), bucket, cfg->export_dir != NULL ? cfg->export_dir : "<--export-dir DIR>", bucket);
}

int ddb_xfer_start(ddb_req *req, const char *prefix, const char *id, ddb_buf *buf, const char *wrapper)
{
    const ddb_json *rec;

    if (ddb_xfer_store(req->eng->store, prefix, id, buf->data, buf->len) != 0) {
        ddb_buf_free(buf);
        return ddb_req_fail_internal(req);
    }
    rec = ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, buf->data, buf->len), buf->len);
    ddb_buf_free(buf);
    warn_unreachable(req, rec);
    ddb_tasks_kick(req->eng->tasks);
    ddb_xfer_describe(req, wrapper, rec);
    return DDB_OK;
}

int ddb_xfer_describe_op(ddb_req *req, const char *arn_member, const char *what, const char *prefix, int not_found,
                         const char *noun, const char *wrapper)
{
    const char *arn = ddb_json_get_str(req->in, arn_member);
    const ddb_json *rec = ddb_xfer_of_arn(req, arn, what, prefix);

    if (rec == NULL)
        return ddb_req_fail(req, not_found, "%s not found: %s", noun, arn);
    ddb_xfer_describe(req, wrapper, rec);
    return DDB_OK;
}

void ddb_xfer_copy_member(ddb_jw *w, const ddb_json *rec, const char *name)
{
    const ddb_json *v = ddb_json_get(rec, name);

    if (v != NULL && v->type != DDB_JSON_NULL) {
        ddb_jw_key(w, name);
        ddb_jw_json(w, v);
    }
}

int ddb_xfer_next_token(ddb_req *req, const char *prefix, const char *next)
{
    const ddb_json *rec = next != NULL ? ddb_xfer_load(req->eng->store, req->arena, prefix, next) : NULL;

    if (next != NULL && (rec == NULL || !ddb_xfer_same(rec, "ddbdNs", req->ns)))
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid NextToken");
    return DDB_OK;
}

int ddb_xfer_list_op(ddb_req *req, const char *prefix, const char *size_member, const char *list_key,
                     const char *const *members)
{
    const char *table = ddb_json_get_str(req->in, "TableArn"), *next = ddb_json_get_str(req->in, "NextToken");
    long long max = ddb_json_integer(ddb_json_get(req->in, size_member), 25);
    const char **ids;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, prefix, &ids), shown = 0;
    const char *last = NULL;
    ddb_jw *w = &req->out;
    int more = 0;

    if (ddb_xfer_next_token(req, prefix, next) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, list_key);
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const ddb_json *rec;
        if (next != NULL && strcmp(ids[i], next) <= 0)
            continue;
        rec = ddb_xfer_load(req->eng->store, req->arena, prefix, ids[i]);
        if (!ddb_xfer_same(rec, "ddbdNs", req->ns) || (table != NULL && !ddb_xfer_same(rec, "TableArn", table)))
            continue;
        if ((long long)shown == max) {
            more = 1;
            break;
        }
        ddb_jw_obj_begin(w);
        for (int k = 0; members[k] != NULL; k++)
            ddb_xfer_copy_member(w, rec, members[k]);
        ddb_jw_obj_end(w);
        shown++;
        last = ids[i];
    }
    ddb_jw_arr_end(w);
    if (more && last != NULL) {
        ddb_jw_key(w, "NextToken");
        ddb_jw_str(w, last);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}
