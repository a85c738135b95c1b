/*
 * server/api/validate/validate_ttl.c: the specs of Time to Live (ops/ops_ttl.c): UpdateTimeToLive, and
 * DescribeTimeToLive, which takes a table name or ARN alone.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field TTL_SPECIFICATION_FIELDS[] = {
    {"Enabled", DDB_V_BOOLEAN, DDB_VF_NOT_NULL},
    {"AttributeName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255},
    {NULL},
};

static const ddb_field UPDATE_TIME_TO_LIVE_FIELDS[] = {
    F_TABLE_OR_ARN,
    {"TimeToLiveSpecification", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = TTL_SPECIFICATION_FIELDS},
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_update_time_to_live = {UPDATE_TIME_TO_LIVE_FIELDS};
const ddb_spec ddb_spec_describe_time_to_live = {ddb_table_or_arn_fields};
