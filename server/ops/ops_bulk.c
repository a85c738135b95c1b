/*
 * server/ops/ops_bulk.c: StartBulkPutItems, DescribeBulkOperation, ListBulkOperations and
 * CancelBulkOperation.
 *
 * StartBulkPutItems checks the EXISTING table (ResourceNotFoundException; ResourceInUseException
 * while it is being created or indexed, or is a global table, which bulk put items does not
 * support), records the operation IN_PROGRESS ("bulk/<id>", engine/xfer/xfer.h) and kicks the
 * worker, which loads the items through the mutation pipeline from its checkpoint
 * (engine/xfer/bulk.c). A ClientToken names one operation for 8 hours: the same request again gets
 * it back, another one IdempotentParameterMismatchException. CancelBulkOperation marks it
 * CANCELLING ("bulkcancel/<id>" too, which the worker reads at its next checkpoint, so its own
 * record writes cannot lose the request) and the worker ends it CANCELLED.
 */
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_xfer.h"

#define TOKEN_SECONDS (8 * 3600)
#define LIST_DEFAULT 10
#define MAX_ACTIVE 50          /* in progress in a namespace: ImportTable's 50 simultaneous imports */
#define MAX_ACTIVE_PER_TABLE 1 /* on one table: an import's one (it fills the table it creates) */

/* The request as stored to compare a later one with the same ClientToken (its JSON text). */
static const char *request_text(ddb_req *req)
{
    ddb_buf b = {0};
    ddb_jw w;
    const char *s;

    ddb_jw_init(&w, &b);
    ddb_jw_json(&w, req->in);
    s = ddb_arena_strndup(req->arena, b.data ? b.data : "", b.len);
    ddb_buf_free(&b);
    return s;
}

/* An operation this ClientToken started in the last 8 hours: the same request gets it again, another
   one IdempotentParameterMismatchException. */
static int client_token(ddb_req *req, const char *token, const char *text, const ddb_json **found)
{
    const char **ids;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, DDB_BULK_PREFIX, &ids);
    double now = ddb_clock_now_s();

    *found = NULL;
    for (size_t i = 0; token != NULL && i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(req->eng->store, req->arena, DDB_BULK_PREFIX, ids[i]);
        const ddb_json *start = ddb_json_get(rec, "StartTime");
        if (!ddb_xfer_same(rec, "ClientToken", token) || !ddb_xfer_same(rec, "ddbdNs", req->ns) || start == NULL ||
            (double)ddb_json_integer(start, 0) + TOKEN_SECONDS < now)
            continue;
        if (!ddb_xfer_same(rec, "ddbdRequest", text))
            return ddb_req_fail(req, DDB_E_IDEMPOTENT_PARAMETER_MISMATCH,
                                "Request parameters do not match the original request that used this ClientToken");
        *found = rec;
    }
    return DDB_OK;
}

/* The table, which must exist and take bulk writes now. */
static const ddb_table *target_table(ddb_req *req, const char *name)
{
    const ddb_table *t = ddb_table_or_fail(req, name, 1);

    if (t == NULL)
        return NULL;
    if (t->rep.nreplicas > 1) {
        ddb_req_fail(req, DDB_E_RESOURCE_IN_USE, "Bulk put items does not support global tables: %s", t->name);
        return NULL;
    }
    for (uint32_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i].backfilling) {
            ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                         "Attempt to change a resource which is still in use: Table is creating an index: %s", t->name);
            return NULL;
        }
    return t;
}

static int in_progress(const ddb_json *rec)
{
    const char *status = ddb_json_get_str(rec, "BulkOperationStatus");

    return status != NULL && (strcmp(status, "IN_PROGRESS") == 0 || strcmp(status, "CANCELLING") == 0);
}

/* The operations in progress in the request's namespace, and of them on table t (t may be NULL). */
static long long count_in_progress(ddb_req *req, const ddb_table *t, long long *on_table)
{
    const char **ids;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, DDB_BULK_PREFIX, &ids);
    long long active = 0;

    *on_table = 0;
    for (size_t i = 0; i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(req->eng->store, req->arena, DDB_BULK_PREFIX, ids[i]);
        if (!ddb_xfer_same(rec, "ddbdNs", req->ns) || !in_progress(rec))
            continue;
        active++;
        *on_table += t != NULL && ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0) == (long long)t->id;
    }
    return active;
}

int ddb_bulk_in_progress_on(ddb_req *req, const ddb_table *t)
{
    long long on_table;

    count_in_progress(req, t, &on_table);
    return on_table > 0;
}

/* LimitExceededException when the namespace or the table has its quota of operations in progress. */
static int quota(ddb_req *req, const ddb_table *t)
{
    long long on_table, active = count_in_progress(req, t, &on_table);

    if (active >= MAX_ACTIVE)
        return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: Only %d bulk operations can be in progress at a time", MAX_ACTIVE);
    if (on_table >= MAX_ACTIVE_PER_TABLE)
        return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: Only %d bulk operation can be in progress on table %s at a time",
                            MAX_ACTIVE_PER_TABLE, t->name);
    return DDB_OK;
}

/* InputS3Configuration as stored and described: InputCompressionType defaults to NONE. */
static void write_input(ddb_jw *w, const ddb_json *in)
{
    ddb_jw_key(w, "InputS3Configuration");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < in->n; i++) {
        ddb_jw_keyn(w, in->u.members[i].key, in->u.members[i].klen);
        ddb_jw_json(w, in->u.members[i].val);
    }
    if (ddb_json_get(in, "InputCompressionType") == NULL) {
        ddb_jw_key(w, "InputCompressionType");
        ddb_jw_str(w, "NONE");
    }
    ddb_jw_obj_end(w);
}

static void write_counters(ddb_jw *w, const ddb_table *t)
{
    static const char *const zero[] = {"ProcessedItemCount", "ProcessedInputBytes", "FailedItemCount"};

    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
        ddb_jw_key(w, zero[i]);
        ddb_jw_int(w, 0);
    }
    ddb_jw_key(w, "BulkOperationUsage");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "BulkPutBytes");
    ddb_jw_int(w, 0);
    ddb_jw_key(w, "Table");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "BulkPutBytes");
    ddb_jw_int(w, 0);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
}

int ddb_op_start_bulk_put_items(ddb_req *req)
{
    const ddb_json *in = req->in, *prev;
    const char *text = request_text(req), *tier = ddb_json_get_str(in, "PerformanceTier"), *arn;
    const ddb_table *t;
    double now = ddb_clock_now_s();
    char id[32], ts[40];
    ddb_buf buf = {0};
    ddb_jw w;

    if (client_token(req, ddb_json_get_str(in, "ClientToken"), text, &prev) != DDB_OK)
        return req->err.code;
    if (prev != NULL) {
        ddb_xfer_describe(req, "BulkOperationDescription", prev);
        return DDB_OK;
    }
    if ((t = target_table(req, req->table)) == NULL || quota(req, t) != DDB_OK)
        return req->err.code;
    arn = ddb_table_arn(req, t);
    snprintf(ts, sizeof(ts), "%.3f", now);
    ddb_xfer_record_begin(req, &w, &buf, id, (uint64_t)(now * 1000), "BulkOperationArn", "BulkOperationStatus",
                          "bulk-operation", arn);
    ddb_jw_key(&w, "TableDetails");
    ddb_jw_arr_begin(&w);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, t->name);
    ddb_xfer_copy_member(&w, t->desc, "TableId");
    ddb_jw_obj_end(&w);
    ddb_jw_arr_end(&w);
    ddb_xfer_copy_member(&w, in, "ClientToken");
    write_input(&w, ddb_json_get(in, "InputS3Configuration"));
    ddb_xfer_copy_member(&w, in, "OutputS3Configuration");
    ddb_jw_key(&w, "StartTime");
    ddb_jw_raw_number(&w, ts);
    write_counters(&w, t);
    ddb_xfer_copy_member(&w, in, "MaxWriteRequestUnits");
    ddb_jw_key(&w, "PerformanceTier");
    ddb_jw_str(&w, tier ? tier : "STANDARD");
    ddb_jw_key(&w, "ddbdNs");
    ddb_jw_str(&w, req->ns);
    ddb_jw_key(&w, "ddbdTable");
    ddb_jw_str(&w, t->name);
    ddb_jw_key(&w, "ddbdTableId");
    ddb_jw_int(&w, t->id);
    ddb_jw_key(&w, "ddbdRequest");
    ddb_jw_str(&w, text);
    ddb_jw_obj_end(&w);
    return ddb_xfer_start(req, DDB_BULK_PREFIX, id, &buf, "BulkOperationDescription");
}

int ddb_op_describe_bulk_operation(ddb_req *req)
{
    return ddb_xfer_describe_op(req, "BulkOperationArn", "bulk-operation", DDB_BULK_PREFIX, DDB_E_RESOURCE_NOT_FOUND,
                                "Bulk operation", "BulkOperationDescription");
}

/* The namespace's operations, the most recent first, MaxResults (10) a page; NextToken is the id
   of the last one shown (one it did not give is refused). */
int ddb_op_list_bulk_operations(ddb_req *req)
{
    static const char *const members[] = {"BulkOperationArn", "BulkOperationStatus", "StartTime", "EndTime", NULL};
    const char *next = ddb_json_get_str(req->in, "NextToken"), **ids, *last = NULL;
    long long max = ddb_json_integer(ddb_json_get(req->in, "MaxResults"), LIST_DEFAULT), shown = 0;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, DDB_BULK_PREFIX, &ids);
    ddb_jw *w = &req->out;
    int more = 0;

    if (ddb_xfer_next_token(req, DDB_BULK_PREFIX, next) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "BulkOperationsSummaryList");
    ddb_jw_arr_begin(w);
    for (size_t i = n; i-- > 0 && !more;) {
        const ddb_json *rec;
        if (next != NULL && strcmp(ids[i], next) >= 0)
            continue;
        rec = ddb_xfer_load(req->eng->store, req->arena, DDB_BULK_PREFIX, ids[i]);
        if (!ddb_xfer_same(rec, "ddbdNs", req->ns))
            continue;
        if (shown == max) {
            more = 1;
            break;
        }
        ddb_jw_obj_begin(w);
        ddb_write_members(w, rec, members);
        ddb_jw_obj_end(w);
        shown++;
        last = ids[i];
    }
    ddb_jw_arr_end(w);
    if (more) {
        ddb_jw_key(w, "NextToken");
        ddb_jw_str(w, last);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_cancel_bulk_operation(ddb_req *req)
{
    const char *arn = ddb_json_get_str(req->in, "BulkOperationArn"), *status, *id;
    const ddb_json *rec = ddb_xfer_of_arn(req, arn, "bulk-operation", DDB_BULK_PREFIX);
    ddb_xfer_set set = {"BulkOperationStatus", XS_STR, "CANCELLING"};

    if (rec == NULL)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Bulk operation not found: %s", arn);
    status = ddb_json_get_str(rec, "BulkOperationStatus");
    if (status == NULL || (strcmp(status, "IN_PROGRESS") != 0 && strcmp(status, "CANCELLING") != 0))
        return ddb_req_fail(req, DDB_E_VALIDATION, "Bulk operation %s cannot be cancelled because it is %s", arn,
                            status ? status : "");
    id = strstr(arn, "/bulk-operation/") + strlen("/bulk-operation/");
    if (ddb_xfer_store(req->eng->store, DDB_BULK_CANCEL_PREFIX, id, "{}", 2) != 0 ||
        ddb_xfer_update(req->eng->store, DDB_BULK_PREFIX, id, rec, &set, 1) != 0)
        return ddb_req_fail_internal(req);
    ddb_tasks_kick(req->eng->tasks);
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, "BulkOperationArn");
    ddb_jw_str(&req->out, arn);
    ddb_jw_key(&req->out, "BulkOperationStatus");
    ddb_jw_str(&req->out, "CANCELLING");
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}
