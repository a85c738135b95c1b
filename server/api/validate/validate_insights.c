/*
 * server/api/validate/validate_insights.c: the specs of Contributor Insights (ops/ops_insights.c), members in
 * the API reference's (alphabetical) order.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field DESCRIBE_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    F_INDEX_NAME(0),
    F_TABLE_OR_ARN,
    {NULL},
};

static const ddb_field UPDATE_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    {"ContributorInsightsAction", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("ENABLE", "DISABLE")},
    {"ContributorInsightsMode", DDB_V_STRING, .one_of = ENUM("ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS")},
    F_INDEX_NAME(0),
    F_TABLE_OR_ARN,
    {NULL},
};

/* TableName is optional here: without it the summaries of every table are listed */
static const ddb_field LIST_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    {"MaxResults", DDB_V_INTEGER, DDB_VF_MAX, .max = 100},
    {"NextToken", DDB_V_STRING},
    {"TableName", DDB_V_STRING, DDB_VF_TABLE_ARN},
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_describe_contributor_insights = {DESCRIBE_CONTRIBUTOR_INSIGHTS_FIELDS};
const ddb_spec ddb_spec_list_contributor_insights = {LIST_CONTRIBUTOR_INSIGHTS_FIELDS};
const ddb_spec ddb_spec_update_contributor_insights = {UPDATE_CONTRIBUTOR_INSIGHTS_FIELDS};
