/*
 * server/ops/ops_export.c: ExportTableToPointInTime, DescribeExport and ListExports.
 *
 * The handler checks the request, writes the export's record IN_PROGRESS (engine/xfer.h) and
 * kicks the background worker, which writes the files (engine/export.c); the answer is the
 * record as DescribeExport renders it. The kinds (engine/export.c):
 *   - no ExportTime, or one within EXPORT_TIME_SLACK seconds of now: the table as it is when the
 *     export starts; point-in-time recovery is not required for it (docs/compatibility.md);
 *   - an earlier ExportTime: the table as of that time, from point-in-time recovery's history,
 *     which must be enabled and hold that time (record member ddbdAtMs);
 *   - INCREMENTAL_EXPORT: the changes in [ExportFromTime, ExportToTime) (ddbdFromMs, ddbdToMs),
 *     a period of 15 minutes to 24 hours inside the recovery window.
 * A FilterSpecification (full exports only) is checked as Query's or Scan's expressions are and
 * kept in the record, where DescribeExport shows it and the worker applies it.
 * Times are the server clock's (clock.h), which tests move. Messages DynamoDB's documentation
 * does not give are ddbd's choices (docs/compatibility.md, Exports and imports).
 */
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/arn.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/handlers.h"
#include "server/ops/history.h"
#include "server/ops/ops_common.h"
#include "server/ops/ops_xfer.h"
#include "server/ops/page.h"

#define EXPORT_TIME_SLACK 5.0
#define MINUTE_MS 60000ULL
#define INVALID_TIME "Export Time is invalid" /* (captured from DynamoDB by ScyllaDB's tests) */

/* The table name of "arn:aws:dynamodb:<region>:<account>:table/<name>", or NULL. */
static const char *name_of_arn(ddb_req *req, const char *arn)
{
    ddb_arn a;

    if (arn == NULL || ddb_arn_parts(arn, strlen(arn), &a) != 0 || !ddb_arn_type_is(&a, "table") || a.path == NULL)
        return NULL;
    return ddb_arena_strndup(req->arena, a.name, a.name_len);
}

/* Whether the record's FilterSpecification is the request's (both absent, or the same JSON text). */
static int same_filter(const ddb_json *rec, const ddb_json *in)
{
    const ddb_json *a = ddb_json_get(rec, "FilterSpecification"), *b = ddb_json_get(in, "FilterSpecification");
    ddb_buf ta = {0}, tb = {0};
    ddb_jw w;
    int same;

    if (!ddb_v_present(a) || !ddb_v_present(b))
        return ddb_v_present(a) == ddb_v_present(b);
    ddb_jw_init(&w, &ta);
    ddb_jw_json(&w, a);
    ddb_jw_init(&w, &tb);
    ddb_jw_json(&w, b);
    same = ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0;
    ddb_buf_free(&ta);
    ddb_buf_free(&tb);
    return same;
}

/* An earlier export with this ClientToken: the same request gets it again, another one a conflict. */
static int client_token(ddb_req *req, const char *token, const char *table_arn, const ddb_json **found)
{
    const char **ids;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, DDB_EXPORT_PREFIX, &ids);
    const ddb_json *in = req->in;

    *found = NULL;
    for (size_t i = 0; token != NULL && i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(req->eng->store, req->arena, DDB_EXPORT_PREFIX, ids[i]);
        if (!ddb_xfer_same(rec, "ClientToken", token) || !ddb_xfer_same(rec, "ddbdNs", req->ns))
            continue;
        if (!ddb_xfer_same(rec, "TableArn", table_arn) || !ddb_xfer_same(rec, "S3Bucket", ddb_json_get_str(in, "S3Bucket")) ||
            !ddb_xfer_same(rec, "S3Prefix", ddb_json_get_str(in, "S3Prefix")) || !same_filter(rec, in))
            return ddb_req_fail(req, DDB_E_EXPORT_CONFLICT,
                                "There was a conflict when writing to the specified S3 bucket. This can occur when "
                                "an export with the same client token and different parameters was requested");
        *found = rec;
    }
    return DDB_OK;
}

static void opt_member(ddb_jw *w, const ddb_json *in, const char *name)
{
    const char *v = ddb_json_get_str(in, name);

    if (v != NULL) {
        ddb_jw_key(w, name);
        ddb_jw_str(w, v);
    }
}

/* A request's time member in ms (a microsecond up: "…297.020" is 297019.99999… ms as a double). */
static uint64_t ms_of(const ddb_json *v)
{
    double s = ddb_v_number(v, 0);

    return s <= 0 ? 0 : (uint64_t)(s * 1000.0 + 1e-3);
}

static int no_pitr(ddb_req *req, const ddb_table *t)
{
    return ddb_req_fail(req, DDB_E_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%s'", t->name);
}

typedef struct export_kind {
    int incremental;
    uint64_t at, from, to; /* ms: at (0: now) for a full export, from and to for an incremental one */
    const char *view;
} export_kind;

/* ExportTime of a full export: now (k->at 0), or a time in the recovery window. */
static int check_export_time(ddb_req *req, const ddb_table *t, uint64_t now, export_kind *k)
{
    const ddb_json *when = ddb_json_get(req->in, "ExportTime");
    ddb_pitr_window win;
    double at;

    if (!ddb_v_present(when))
        return DDB_OK;
    at = ddb_v_number(when, 0);
    if (at > (double)now / 1000.0 + EXPORT_TIME_SLACK)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, "Export time cannot be in the future");
    if (at >= (double)now / 1000.0 - EXPORT_TIME_SLACK)
        return DDB_OK; /* now: the table as it is */
    if (ddb_pitr_window_of(req, t, &win) != 0)
        return no_pitr(req, t);
    k->at = ms_of(when);
    if (at < 0 || k->at < win.earliest)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, INVALID_TIME);
    return DDB_OK;
}

/* IncrementalExportSpecification: the period's rules (the developer guide's "incremental export"). */
static int check_incremental(ddb_req *req, const ddb_table *t, uint64_t now, export_kind *k)
{
    const ddb_json *spec = ddb_json_get(req->in, "IncrementalExportSpecification");
    const ddb_json *from = ddb_json_get(spec, "ExportFromTime"), *to = ddb_json_get(spec, "ExportToTime");
    ddb_pitr_window win;

    if (ddb_v_present(ddb_json_get(req->in, "ExportTime")))
        return ddb_req_fail(req, DDB_E_VALIDATION, "ExportTime is not supported for INCREMENTAL_EXPORT");
    if (ddb_v_present(ddb_json_get(req->in, "FilterSpecification"))) /* (ddbd's words: compatibility.md) */
        return ddb_req_fail(req, DDB_E_VALIDATION, "FilterSpecification is not supported for INCREMENTAL_EXPORT");
    if (!ddb_v_present(from))
        return ddb_req_fail(req, DDB_E_VALIDATION, "ExportFromTime is required for INCREMENTAL_EXPORT");
    if (ddb_pitr_window_of(req, t, &win) != 0)
        return no_pitr(req, t);
    k->incremental = 1;
    k->view = ddb_json_get_str(spec, "ExportViewType") ? ddb_json_get_str(spec, "ExportViewType") : "NEW_AND_OLD_IMAGES";
    k->from = ms_of(from);
    k->to = ddb_v_present(to) ? ms_of(to) : now; /* "the latest time with data available" */
    if (k->to > now)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, "ExportToTime cannot be in the future");
    if (k->from >= k->to)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, "ExportFromTime must be earlier than ExportToTime");
    if (k->to - k->from < 15 * MINUTE_MS)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME,
                            "The period between ExportFromTime and ExportToTime must be at least 15 minutes");
    if (k->to - k->from > 24 * 60 * MINUTE_MS)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME,
                            "The period between ExportFromTime and ExportToTime must be at most 24 hours");
    if (k->from < win.earliest)
        return ddb_req_fail(req, DDB_E_INVALID_EXPORT_TIME, INVALID_TIME);
    return DDB_OK;
}

/* FilterSpecification against the table: Query's key rules with a KeyConditionExpression (the
   filter may then name no key attribute), else Scan's (validate_export.c parsed the expressions). */
static int check_filter(ddb_req *req, const ddb_table *t)
{
    ddb_keyspace ks;

    if (!ddb_v_present(ddb_json_get(req->in, "FilterSpecification")))
        return DDB_OK;
    if (ddb_keyspace_or_fail(req, t, &ks) != DDB_OK)
        return req->err.code;
    if (req->parsed.key_condition != NULL)
        return ddb_query_key_rules_or_fail(req, &ks);
    if (ddb_nested_key_paths_or_fail(req, &ks, req->parsed.projection) != DDB_OK)
        return req->err.code;
    return ddb_nested_key_paths_or_fail(req, &ks, req->parsed.filter);
}

static void time_member(ddb_jw *w, const char *name, uint64_t ms)
{
    char s[32];

    snprintf(s, sizeof(s), "%llu.%03llu", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    ddb_jw_key(w, name);
    ddb_jw_raw_number(w, s);
}

static void ms_member(ddb_jw *w, const char *name, uint64_t ms)
{
    ddb_jw_key(w, name);
    ddb_jw_int(w, (long long)ms);
}

/* The members of the record that say what is exported (and the private ones the worker reads). */
static void write_kind(ddb_jw *w, const export_kind *k, uint64_t now)
{
    if (k->incremental) {
        ddb_jw_key(w, "IncrementalExportSpecification");
        ddb_jw_obj_begin(w);
        time_member(w, "ExportFromTime", k->from);
        time_member(w, "ExportToTime", k->to);
        ddb_jw_key(w, "ExportViewType");
        ddb_jw_str(w, k->view);
        ddb_jw_obj_end(w);
        ms_member(w, "ddbdFromMs", k->from);
        ms_member(w, "ddbdToMs", k->to);
        return;
    }
    time_member(w, "ExportTime", k->at ? k->at : now);
    if (k->at)
        ms_member(w, "ddbdAtMs", k->at);
}

int ddb_op_export_table_to_point_in_time(ddb_req *req)
{
    const ddb_json *in = req->in, *prev;
    const char *arn = ddb_json_get_str(in, "TableArn"), *name = name_of_arn(req, arn);
    const char *type = ddb_json_get_str(in, "ExportType"), *fmt = ddb_json_get_str(in, "ExportFormat");
    const char *sse = ddb_json_get_str(in, "S3SseAlgorithm");
    const ddb_table *t;
    uint64_t now = ddb_clock_now_ms();
    export_kind kind = {0};
    char id[32];
    ddb_buf buf = {0};
    ddb_jw w;

    if (name == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid TableArn: %s", arn);
    if (ddb_arn_check_account(req, arn, strlen(arn)) != DDB_OK)
        return req->err.code;
    t = ddb_table_named(req, name);
    if (t == NULL)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", arn); /* the ARN as passed */
    if (type != NULL && strcmp(type, "INCREMENTAL_EXPORT") == 0) {
        if (check_incremental(req, t, now, &kind) != DDB_OK)
            return req->err.code;
    } else if (ddb_v_present(ddb_json_get(in, "IncrementalExportSpecification"))) {
        return ddb_req_fail(req, DDB_E_VALIDATION, "IncrementalExportSpecification is only supported for INCREMENTAL_EXPORT");
    } else if (check_export_time(req, t, now, &kind) != DDB_OK) {
        return req->err.code;
    }
    if (check_filter(req, t) != DDB_OK)
        return req->err.code;
    arn = ddb_table_arn(req, t);
    if (client_token(req, ddb_json_get_str(in, "ClientToken"), arn, &prev) != DDB_OK)
        return req->err.code;
    if (prev != NULL) {
        ddb_xfer_describe(req, "ExportDescription", prev);
        return DDB_OK;
    }
    ddb_xfer_record_begin(req, &w, &buf, id, now, "ExportArn", "ExportStatus", "export", arn);
    time_member(&w, "StartTime", now);
    ddb_xfer_table_members(&w, arn, t);
    write_kind(&w, &kind, now);
    if (ddb_v_present(ddb_json_get(in, "FilterSpecification"))) { /* echoed, and read by the worker */
        ddb_jw_key(&w, "FilterSpecification");
        ddb_jw_json(&w, ddb_json_get(in, "FilterSpecification"));
    }
    opt_member(&w, in, "ClientToken");
    opt_member(&w, in, "S3Bucket");
    opt_member(&w, in, "S3BucketOwner");
    opt_member(&w, in, "S3Prefix");
    ddb_jw_key(&w, "S3SseAlgorithm");
    ddb_jw_str(&w, sse ? sse : "AES256");
    opt_member(&w, in, "S3SseKmsKeyId");
    ddb_jw_key(&w, "ExportFormat");
    ddb_jw_str(&w, fmt ? fmt : "DYNAMODB_JSON");
    ddb_jw_key(&w, "ExportType");
    ddb_jw_str(&w, kind.incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
    if (sse != NULL) { /* asked for: sent on every PUT to the store (engine/s3.c) */
        ddb_jw_key(&w, "ddbdSse");
        ddb_jw_str(&w, sse);
    }
    ddb_jw_key(&w, "ddbdNs");
    ddb_jw_str(&w, req->ns);
    ddb_jw_key(&w, "ddbdTableId");
    ddb_jw_int(&w, t->id);
    ddb_jw_obj_end(&w);
    return ddb_xfer_start(req, DDB_EXPORT_PREFIX, id, &buf, "ExportDescription");
}

int ddb_op_describe_export(ddb_req *req)
{
    return ddb_xfer_describe_op(req, "ExportArn", "export", DDB_EXPORT_PREFIX, DDB_E_EXPORT_NOT_FOUND, "Export",
                                "ExportDescription");
}

int ddb_op_list_exports(ddb_req *req)
{
    static const char *const members[] = {"ExportArn", "ExportStatus", "ExportType", NULL};

    return ddb_xfer_list_op(req, DDB_EXPORT_PREFIX, "MaxResults", "ExportSummaries", members);
}
