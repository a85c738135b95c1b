/*
 * server/ops/ops_export.c: ExportTableToPointInTime, DescribeExport and ListExports.
 *
 * The handler checks the request, writes the export's record IN_PROGRESS (engine/xfer.h) and
 * kicks the background worker, which writes the files (engine/export.c); the answer is the
 * record as DescribeExport renders it. Decisions where DynamoDB differs (docs/compatibility.md):
 *   - point-in-time recovery is not required (ddbd cannot enable it yet, and an export of the
 *     table as it is needs no history);
 *   - the table is exported as of the moment the export starts: an ExportTime more than
 *     EXPORT_TIME_SLACK seconds in the past is refused with InvalidExportTimeException, one in the
 *     future too, as DynamoDB refuses it;
 *   - INCREMENTAL_EXPORT is refused (it needs the change history PITR will keep).
 */
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "ops_common.h"
#include "server.h"
#include "tasks.h"
#include "validate.h"
#include "ops_xfer.h"
#include "xfer.h"

#define EXPORT_TIME_SLACK 5.0
#define NO_INCREMENTAL "ddbd does not support INCREMENTAL_EXPORT yet: only FULL_EXPORT"

/* The table name of "arn:aws:dynamodb:<region>:<account>:table/<name>", or NULL. */
static const char *name_of_arn(ddb_req *req, const char *arn)
{
    const char *t = arn != NULL ? strstr(arn, ":table/") : NULL;

    if (arn == NULL || strncmp(arn, "arn:", 4) != 0 || t == NULL)
        return NULL;
    t += 7;
    return ddb_arena_strndup(req->arena, t, strcspn(t, "/"));
}

/* The id after "/<what>/" in an export or import ARN, or NULL. */
static const char *id_of_arn(ddb_req *req, const char *arn, const char *what)
{
    char *needle = ddb_arena_sprintf(req->arena, "/%s/", what);
    const char *p = arn != NULL ? strstr(arn, needle) : NULL;

    return p != NULL && strncmp(arn, "arn:", 4) == 0 ? p + strlen(needle) : NULL;
}

const ddb_json *ddb_xfer_of_arn(ddb_req *req, const char *arn, const char *what, const char *prefix)
{
    const char *id = id_of_arn(req, arn, what), *ns;
    const ddb_json *rec = id != NULL ? ddb_xfer_load(req->srv->store, req->arena, prefix, id) : NULL;

    ns = ddb_json_get_str(rec, "ddbdNs");
    return rec != NULL && ns != NULL && strcmp(ns, req->ns) == 0 ? rec : NULL;
}

int ddb_xfer_same(const ddb_json *rec, const char *member, const char *value)
{
    const char *v = ddb_json_get_str(rec, member);
    return (v == NULL && value == NULL) || (v != NULL && value != NULL && strcmp(v, value) == 0);
}

/* An earlier export with this ClientToken: the same request gets it again, another one a conflict. */
static int client_token(ddb_req *req, const char *token, const char *table_arn, const ddb_json **found)
{
    const char **ids;
    size_t n = ddb_xfer_ids(req->srv->store, req->arena, DDB_EXPORT_PREFIX, &ids);
    const ddb_json *in = req->in;

    *found = NULL;
    for (size_t i = 0; token != NULL && i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(req->srv->store, req->arena, DDB_EXPORT_PREFIX, ids[i]);
        if (!ddb_xfer_same(rec, "ClientToken", token) || !ddb_xfer_same(rec, "ddbdNs", req->ns))
            continue;
        if (!ddb_xfer_same(rec, "TableArn", table_arn) || !ddb_xfer_same(rec, "S3Bucket", ddb_json_get_str(in, "S3Bucket")) ||
            !ddb_xfer_same(rec, "S3Prefix", ddb_json_get_str(in, "S3Prefix")))
            return ddb_req_fail(req, DDB_E_EXPORT_CONFLICT,
                                "There was a conflict when writing to the specified S3 bucket. This can occur when "
                                "an export with the same client token and different parameters was requested");
        *found = rec;
    }
    return DDB_OK;
}

void ddb_xfer_describe(ddb_req *req, const char *wrapper, const ddb_json *rec)
{
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, wrapper);
    ddb_xfer_render(&req->out, rec);
    ddb_jw_obj_end(&req->out);
}

static void opt_member(ddb_jw *w, const ddb_json *in, const char *name)
{
    const char *v = ddb_json_get_str(in, name);

    if (v != NULL) {
        ddb_jw_key(w, name);
        ddb_jw_str(w, v);
    }
}

int ddb_op_export_table_to_point_in_time(ddb_req *req)
{
    const ddb_json *in = req->in, *prev, *when = ddb_json_get(in, "ExportTime");
    const char *arn = ddb_json_get_str(in, "TableArn"), *name = name_of_arn(req, arn);
    const char *type = ddb_json_get_str(in, "ExportType"), *fmt = ddb_json_get_str(in, "ExportFormat");
    const ddb_table *t;
    double now = ddb_now_seconds();
    char id[32], ts[40];
    ddb_buf buf = {0};
    ddb_jw w;

    if (name == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid TableArn: %s", arn);
    t = ddb_catalog_get(req->srv->catalog, ddb_ns_key(req->arena, req->ns, name));
    if (t == NULL)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", name);
    if (type != NULL && strcmp(type, "INCREMENTAL_EXPORT") == 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, NO_INCREMENTAL);
    if (when != NULL && when->type != DDB_JSON_NULL) {
        double at = ddb_v_number(when, 0);
        if (at > now + EXPORT_TIME_SLACK)
            return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, "Export time cannot be in the future");
        if (at < now - EXPORT_TIME_SLACK)
            return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME,
                                "ddbd exports a table as it is now: an ExportTime in the past needs point-in-time "
                                "recovery, which ddbd does not support yet");
    }
    arn = ddb_table_arn(req, t->name);
    if (client_token(req, ddb_json_get_str(in, "ClientToken"), arn, &prev) != DDB_OK)
        return req->err.code;
    if (prev != NULL) {
        ddb_xfer_describe(req, "ExportDescription", prev);
        return DDB_OK;
    }
    ddb_xfer_new_id(id, (uint64_t)(now * 1000));
    snprintf(ts, sizeof(ts), "%.3f", now);
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "ExportArn");
    ddb_jw_str(&w, ddb_arena_sprintf(req->arena, "%s/export/%s", arn, id));
    ddb_jw_key(&w, "ExportStatus");
    ddb_jw_str(&w, "IN_PROGRESS");
    ddb_jw_key(&w, "StartTime");
    ddb_jw_raw_number(&w, ts);
    ddb_jw_key(&w, "TableArn");
    ddb_jw_str(&w, arn);
    ddb_jw_key(&w, "TableId");
    ddb_jw_str(&w, ddb_json_get_str(t->desc, "TableId") ? ddb_json_get_str(t->desc, "TableId") : "");
    ddb_jw_key(&w, "ExportTime");
    ddb_jw_raw_number(&w, ts);
    opt_member(&w, in, "ClientToken");
    opt_member(&w, in, "S3Bucket");
    opt_member(&w, in, "S3BucketOwner");
    opt_member(&w, in, "S3Prefix");
    ddb_jw_key(&w, "S3SseAlgorithm");
    ddb_jw_str(&w, ddb_json_get_str(in, "S3SseAlgorithm") ? ddb_json_get_str(in, "S3SseAlgorithm") : "AES256");
    opt_member(&w, in, "S3SseKmsKeyId");
    ddb_jw_key(&w, "ExportFormat");
    ddb_jw_str(&w, fmt ? fmt : "DYNAMODB_JSON");
    ddb_jw_key(&w, "ExportType");
    ddb_jw_str(&w, "FULL_EXPORT");
    ddb_jw_key(&w, "ddbdNs");
    ddb_jw_str(&w, req->ns);
    ddb_jw_key(&w, "ddbdTableId");
    ddb_jw_int(&w, t->id);
    ddb_jw_obj_end(&w);
    return ddb_xfer_start(req, DDB_EXPORT_PREFIX, id, &buf, "ExportDescription");
}

int ddb_xfer_start(ddb_req *req, const char *prefix, const char *id, ddb_buf *buf, const char *wrapper)
{
    const ddb_json *rec;

    if (ddb_xfer_store(req->srv->store, prefix, id, buf->data, buf->len) != 0) {
        ddb_buf_free(buf);
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    }
    rec = ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, buf->data, buf->len), buf->len);
    ddb_buf_free(buf);
    ddb_tasks_kick(req->srv->tasks);
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

int ddb_op_describe_export(ddb_req *req)
{
    return ddb_xfer_describe_op(req, "ExportArn", "export", DDB_EXPORT_PREFIX, DDB_E_EXPORT_NOT_FOUND, "Export",
                                "ExportDescription");
}

void ddb_xfer_copy_member(ddb_jw *w, const ddb_json *rec, const char *name)
{
    const ddb_json *v = ddb_json_get(rec, name);

    if (v != NULL && v->type != DDB_JSON_NULL) {
        ddb_jw_key(w, name);
        ddb_jw_json(w, v);
    }
}

int ddb_xfer_list_op(ddb_req *req, const char *prefix, const char *size_member, const char *list_key,
                     const char *const *members)
{
    const char *table = ddb_json_get_str(req->in, "TableArn"), *next = ddb_json_get_str(req->in, "NextToken");
    long long max = ddb_json_integer(ddb_json_get(req->in, size_member), 25);
    const char **ids;
    size_t n = ddb_xfer_ids(req->srv->store, req->arena, prefix, &ids), shown = 0;
    const char *last = NULL;
    ddb_jw *w = &req->out;
    int more = 0;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, list_key);
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        const ddb_json *rec;
        if (next != NULL && strcmp(ids[i], next) <= 0)
            continue;
        rec = ddb_xfer_load(req->srv->store, req->arena, prefix, ids[i]);
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

int ddb_op_list_exports(ddb_req *req)
{
    static const char *const members[] = {"ExportArn", "ExportStatus", "ExportType", NULL};

    return ddb_xfer_list_op(req, DDB_EXPORT_PREFIX, "MaxResults", "ExportSummaries", members);
}
