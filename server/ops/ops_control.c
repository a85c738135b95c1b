/*
 * server/ops/ops_control.c: the control-plane reads every SDK and tool may call, answered as
 * DynamoDB answers them for a table without the feature, and the one write among them
 * (UpdateContinuousBackups) refused where it cannot work locally.
 *
 * Shapes: the API reference for each operation; values for a table without the feature from the
 * captures in public suites (ScyllaDB's test_describe_endpoints.py and server.cc, which reports
 * continuous backups as DynamoDB does for a new table; the ACK DynamoDB controller's quirks
 * catalogue for DescribeKinesisStreamingDestination, DescribeContributorInsights and
 * DescribeTableReplicaAutoScaling). DescribeLimits answers the default quotas, as DynamoDB and
 * DynamoDB Local 1.25 do.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "ops_common.h"
#include "ops_table.h"
#include "server.h"
#include "validate.h"

/* What ddbd says when a request asks for a feature it cannot provide locally (as for Streams). */
#define NO_PITR "ddbd does not support point-in-time recovery yet"

static const char *region_of(const ddb_req *req)
{
    return req->region != NULL && req->region[0] ? req->region : "us-east-1";
}

/* The table named by TableName, or NULL with ResourceNotFoundException recorded. */
static const ddb_table *table_of(ddb_req *req)
{
    return ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 1);
}

/* DynamoDB's own regional endpoint, cached for a day (the API reference's example). */
int ddb_op_describe_endpoints(ddb_req *req)
{
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Endpoints");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Address");
    ddb_jw_str(w, ddb_arena_sprintf(req->arena, "dynamodb.%s.amazonaws.com", region_of(req)));
    ddb_jw_key(w, "CachePeriodInMinutes");
    ddb_jw_int(w, 1440);
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* The default account and table quotas (DynamoDB's service quotas page; DynamoDB Local agrees). */
int ddb_op_describe_limits(ddb_req *req)
{
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "AccountMaxReadCapacityUnits");
    ddb_jw_int(w, 80000);
    ddb_jw_key(w, "AccountMaxWriteCapacityUnits");
    ddb_jw_int(w, 80000);
    ddb_jw_key(w, "TableMaxReadCapacityUnits");
    ddb_jw_int(w, 40000);
    ddb_jw_key(w, "TableMaxWriteCapacityUnits");
    ddb_jw_int(w, 40000);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* On-demand backups are always ENABLED on a table; point-in-time recovery is off. */
static void write_continuous_backups(ddb_jw *w)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ContinuousBackupsDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ContinuousBackupsStatus");
    ddb_jw_str(w, "ENABLED");
    ddb_jw_key(w, "PointInTimeRecoveryDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "PointInTimeRecoveryStatus");
    ddb_jw_str(w, "DISABLED");
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

/*
 * DynamoDB answers a missing table here with TableNotFoundException "Table not found: <name>"
 * (captured, ACK quirks DDB-TABLE-014), not ResourceNotFoundException.
 */
static const ddb_table *backups_table_of(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const ddb_table *t = name ? ddb_catalog_get(req->srv->catalog, ddb_ns_key(req->arena, req->ns, name)) : NULL;

    if (t == NULL)
        ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", name ? name : "");
    return t;
}

int ddb_op_describe_continuous_backups(ddb_req *req)
{
    if (backups_table_of(req) == NULL)
        return req->err.code;
    write_continuous_backups(&req->out);
    return DDB_OK;
}

/* Turning recovery off is what it already is; turning it on cannot work here. */
int ddb_op_update_continuous_backups(ddb_req *req)
{
    const ddb_json *spec = ddb_json_get(req->in, "PointInTimeRecoverySpecification");
    const ddb_json *on = ddb_json_get(spec, "PointInTimeRecoveryEnabled");

    if (backups_table_of(req) == NULL)
        return req->err.code;
    if (ddb_v_bool(on)) /* TRUE/1/YES pass the type check as Booleans */
        return ddb_req_fail(req, DDB_E_VALIDATION, NO_PITR);
    write_continuous_backups(&req->out);
    return DDB_OK;
}

/* A table that is not a global table: no replicas to scale. */
int ddb_op_describe_table_replica_auto_scaling(ddb_req *req)
{
    const ddb_table *t = table_of(req);
    ddb_jw *w = &req->out;

    if (t == NULL)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableAutoScalingDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "TableStatus");
    ddb_jw_str(w, ddb_table_status(t));
    ddb_jw_key(w, "Replicas");
    ddb_jw_arr_begin(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_describe_kinesis_streaming_destination(ddb_req *req)
{
    const ddb_table *t = table_of(req);
    ddb_jw *w = &req->out;

    if (t == NULL)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "KinesisDataStreamDestinations");
    ddb_jw_arr_begin(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* Contributor Insights is DISABLED on every table and index; an unknown index is not found. */
int ddb_op_describe_contributor_insights(ddb_req *req)
{
    const ddb_table *t = table_of(req);
    const char *index = ddb_json_get_str(req->in, "IndexName");
    ddb_jw *w = &req->out;
    int found = index == NULL;

    if (t == NULL)
        return req->err.code;
    for (unsigned i = 0; i < t->nindexes && !found; i++)
        found = strcmp(t->indexes[i].name, index) == 0;
    if (!found)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Index: %s not found",
                            index);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    if (index != NULL) {
        ddb_jw_key(w, "IndexName");
        ddb_jw_str(w, index);
    }
    ddb_jw_key(w, "ContributorInsightsStatus");
    ddb_jw_str(w, "DISABLED");
    ddb_jw_obj_end(w);
    return DDB_OK;
}
