/*
 * server/ops/ops_control.c: the control-plane reads every SDK and tool may call, answered as
 * DynamoDB answers them for a table without the feature (the continuous backups pair is in
 * ops_pitr.c).
 *
 * Shapes: the API reference for each operation; values for a table without the feature from the
 * captures in public suites (ScyllaDB's test_describe_endpoints.py; the ACK DynamoDB controller's quirks
 * catalogue). DescribeLimits answers the default quotas, as DynamoDB and DynamoDB Local 1.25 do.
 * DescribeKinesisStreamingDestination is ops_kinesis.c's; Contributor Insights' operations are in
 * ops_insights.c.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/engine/engine.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/table_desc.h"

static const char *region_of(const ddb_req *req)
{
    return req->region != NULL && req->region[0] ? req->region : "us-east-1";
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

