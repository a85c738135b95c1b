/*
 * server/ops/ops_kinesis.c: Kinesis streaming destinations: EnableKinesisStreamingDestination,
 * DisableKinesisStreamingDestination, UpdateKinesisStreamingDestination and
 * DescribeKinesisStreamingDestination, over the catalog member engine/history/kinesis_log.h describes.
 *
 * The operations only change the destinations' states; the delivery worker (engine/jobs/kinesis.h)
 * moves them on: ENABLING to ACTIVE once the stream is found ACTIVE on the Kinesis endpoint (or
 * ENABLE_FAILED), UPDATING to ACTIVE, DISABLING to DISABLED once the records captured before the
 * Disable are delivered. As DynamoDB, at most one destination of a table is live at a time, any
 * number stay listed DISABLED or ENABLE_FAILED, and a stream ARN is never checked synchronously.
 *
 * Messages: the state errors are DynamoDB's as recorded by the ACK DynamoDB controller's API quirks
 * (findings DDB-TABLE-299, 302, 304 and its message catalogue); "No streaming destination ..." is
 * not recorded there (docs/compatibility.md).
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/history/kinesis_log.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

#define MAX_TRIES 16
#define STATE "Table is not in a valid state to enable Kinesis Streaming Destination: "

typedef struct kds_op {
    ddb_req *req;
    const char *table, *arn;
    const char *config;          /* the request's configuration member, echoed in the answer */
    ddb_kds_precision precision; /* the request's (NONE: not given) */
    uint32_t log;                /* Enable: the new log */
    ddb_kds_dest *dest;          /* the destination as written */
} kds_op;

typedef int (*kds_change)(kds_op *o, const ddb_table *t, ddb_kds_dest *d, size_t *n, ddb_desc_edit *e);

static long find(const ddb_kds_dest *d, size_t n, const char *arn)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].stream_arn, arn) == 0)
            return (long)i;
    return -1;
}

static const char *precision_of(const ddb_json *in, const char *config)
{
    return ddb_json_get_str(ddb_json_get(in, config), "ApproximateCreationDateTimePrecision");
}

/* ---- the changes, each deciding on the live description (a lost race decides again) ---- */

static int enable_change(kds_op *o, const ddb_table *t, ddb_kds_dest *d, size_t *n, ddb_desc_edit *e)
{
    long at = find(d, *n, o->arn);
    const char *cursor = ddb_kinesis_cursor_key(o->req->arena, o->log);
    ddb_batch *b = ddb_arena_alloc(o->req->arena, sizeof(*b));

    (void)t;
    for (size_t i = 0; i < *n; i++)
        if (ddb_kds_live(d[i].status) || d[i].status == DDB_KDS_DISABLING)
            return ddb_req_fail(o->req, DDB_E_VALIDATION,
                                STATE "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform "
                                      "ENABLE operation.");
    if (at < 0) /* a stream enabled before flips its entry rather than adding one (DDB-TABLE-268) */
        at = (long)(*n)++;
    d[at] = (ddb_kds_dest){o->arn, DDB_KDS_ENABLING, o->precision, NULL, o->log};
    o->dest = &d[at];
    /* the log's cursor, in the same commit: the worker knows every log a table may leave behind */
    ddb_batch_init(b, o->req->arena);
    ddb_batch_meta_put(b, cursor, strlen(cursor), "0", 1);
    ddb_edit_extra(e, b);
    return 0;
}

static int disable_change(kds_op *o, const ddb_table *t, ddb_kds_dest *d, size_t *n, ddb_desc_edit *e)
{
    long at = find(d, *n, o->arn);

    (void)t;
    (void)e;
    if (at < 0 || (d[at].status != DDB_KDS_ACTIVE && d[at].status != DDB_KDS_DISABLING))
        return ddb_req_fail(o->req, DDB_E_VALIDATION,
                            STATE "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.");
    o->dest = &d[at];
    if (d[at].status == DDB_KDS_DISABLING) /* asked again: nothing more to do (DDB-TABLE-304) */
        return DDB_EDIT_NONE;
    d[at].status = DDB_KDS_DISABLING;
    return 0;
}

static int update_change(kds_op *o, const ddb_table *t, ddb_kds_dest *d, size_t *n, ddb_desc_edit *e)
{
    long at = find(d, *n, o->arn);
    ddb_kds_precision cur;

    (void)e;
    if (at < 0)
        return ddb_req_fail(o->req, DDB_E_VALIDATION,
                            STATE "No streaming destination with streamArn: %s found for table with tableName: %s",
                            o->arn, t->name);
    if (d[at].status != DDB_KDS_ACTIVE)
        return ddb_req_fail(o->req, DDB_E_VALIDATION,
                            STATE "Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. "
                                  "TableName: %s, kdsArn: %s",
                            t->name, o->arn);
    if (o->precision == DDB_KDS_PRECISION_NONE)
        return ddb_req_fail(o->req, DDB_E_VALIDATION,
                            "Streaming destination cannot be updated with given parameters: "
                            "UpdateKinesisStreamingConfiguration cannot be null or contain only null values");
    cur = d[at].precision == DDB_KDS_PRECISION_NONE ? DDB_KDS_MILLISECOND : d[at].precision;
    if (cur == o->precision)
        return ddb_req_fail(o->req, DDB_E_VALIDATION,
                            "Invalid Request: Precision is already set to the desired value of %s for tableId: %s, "
                            "kdsArn: %s",
                            ddb_kds_precision_name(cur), ddb_json_get_str(t->desc, "TableId"), o->arn);
    d[at].status = DDB_KDS_UPDATING;
    d[at].precision = o->precision;
    o->dest = &d[at];
    return 0;
}

typedef struct edit_ctx {
    kds_op *o;
    kds_change change;
} edit_ctx;

static int kds_edit(void *ctx, ddb_desc_edit **e)
{
    edit_ctx *c = ctx;
    const ddb_table *t = ddb_table_or_fail(c->o->req, c->o->table, 1);
    ddb_kds_dest *d;
    size_t n;
    int rc;

    if (t == NULL)
        return -2;
    c->o->table = t->name; /* an ARN in TableName: the answer names the table */
    n = ddb_table_kinesis(t, c->o->req->arena, 1, &d);
    *e = ddb_desc_edit_of(c->o->req->arena, t);
    rc = c->change(c->o, t, d, &n, *e);
    if (c->o->req->err.code != DDB_OK) /* refused: the error is recorded */
        return -2;
    if (rc != 0)
        return rc; /* DDB_EDIT_NONE */
    ddb_edit_kinesis(*e, d, n);
    return 0;
}

/* Runs the change on the table's destinations; DDB_OK or the recorded error's code. */
static int run(kds_op *o, kds_change change)
{
    edit_ctx c = {o, change};
    int rc = ddb_catalog_edit(o->req->eng->catalog, MAX_TRIES, kds_edit, &c, NULL);

    if (o->req->err.code != DDB_OK)
        return o->req->err.code;
    if (rc == 1)
        return ddb_req_fail(o->req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            o->table);
    if (rc != 0)
        return ddb_req_fail_internal(o->req);
    return DDB_OK;
}

static void op_of(kds_op *o, ddb_req *req, const char *config)
{
    memset(o, 0, sizeof(*o));
    o->req = req;
    o->table = req->table;
    o->arn = ddb_json_get_str(req->in, "StreamArn");
    o->config = config;
    o->precision = ddb_kds_precision_parse(precision_of(req->in, config));
}

/* {TableName, StreamArn, DestinationStatus, <config>: {ApproximateCreationDateTimePrecision?}} */
static int answer(const kds_op *o, const char *status)
{
    ddb_jw *w = &o->req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "TableName", o->table);
    ddb_jw_member_str(w, "StreamArn", o->arn);
    ddb_jw_member_str(w, "DestinationStatus", status);
    ddb_jw_key(w, o->config);
    ddb_jw_obj_begin(w);
    if (o->precision != DDB_KDS_PRECISION_NONE)
        ddb_jw_member_str(w, "ApproximateCreationDateTimePrecision", ddb_kds_precision_name(o->precision));
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* Enable, Disable and Update end alike: the change run, then the answer with the destination's new status. */
static int change(kds_op *o, kds_change fn, const char *status)
{
    if (run(o, fn) != DDB_OK)
        return o->req->err.code;
    return answer(o, status);
}

int ddb_op_enable_kinesis_streaming_destination(ddb_req *req)
{
    kds_op o;

    op_of(&o, req, "EnableKinesisStreamingConfiguration");
    if (ddb_table_or_fail(req, o.table, 1) == NULL)
        return req->err.code;
    if ((o.log = ddb_catalog_new_id(req->eng->catalog)) == 0)
        return ddb_req_fail_internal(req);
    return change(&o, enable_change, "ENABLING");
}

int ddb_op_disable_kinesis_streaming_destination(ddb_req *req)
{
    kds_op o;

    /* the configuration is only echoed: a Disable has no precision to set */
    op_of(&o, req, "EnableKinesisStreamingConfiguration");
    return change(&o, disable_change, "DISABLING");
}

int ddb_op_update_kinesis_streaming_destination(ddb_req *req)
{
    kds_op o;

    op_of(&o, req, "UpdateKinesisStreamingConfiguration");
    return change(&o, update_change, "UPDATING");
}

/* Every destination ever enabled; the precision of those that deliver, the reason of a failure. */
int ddb_op_describe_kinesis_streaming_destination(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1);
    ddb_jw *w = &req->out;
    ddb_kds_dest *d;
    size_t n;

    if (t == NULL)
        return req->err.code;
    n = ddb_table_kinesis(t, req->arena, 0, &d);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "TableName", t->name);
    ddb_jw_key(w, "KinesisDataStreamDestinations");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "StreamArn", d[i].stream_arn);
        ddb_jw_member_str(w, "DestinationStatus", ddb_kds_status_name(d[i].status));
        if (d[i].precision != DDB_KDS_PRECISION_NONE && d[i].status != DDB_KDS_DISABLED &&
            d[i].status != DDB_KDS_ENABLE_FAILED) {
            ddb_jw_member_str(w, "ApproximateCreationDateTimePrecision", ddb_kds_precision_name(d[i].precision));
        }
        if (d[i].description != NULL)
            ddb_jw_member_str(w, "DestinationStatusDescription", d[i].description);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
