/*
 * server/api/validate/validate_export.c: what ExportTableToPointInTime, DescribeExport and ListExports
 * accept (ops/ops_export.c), as data, with the constraints of DynamoDB's API reference (lengths of
 * ARNs, tokens, buckets and prefixes; page sizes; the enums; the transfers' shared members are
 * validate_internal.h's). Members are checked in the reference's (alphabetical) order.
 * ExportTableToPointInTime's FilterSpecification holds Query's
 * expressions, checked here as Query's are; their key rules need the table (the handler's).
 */
#include "server/api/validate/validate_internal.h"
#include "server/expr/expr.h"

static const ddb_field INCREMENTAL_FIELDS[] = {
    {"ExportFromTime", DDB_V_DOUBLE},
    {"ExportToTime", DDB_V_DOUBLE},
    {"ExportViewType", DDB_V_STRING, .one_of = ENUM("NEW_IMAGE", "NEW_AND_OLD_IMAGES")},
    {NULL},
};

static const ddb_field NAME_MEMBER[] = {{"member", DDB_V_STRING}};
static const ddb_field VALUE_MEMBER[] = {{"member", DDB_V_ATTR}};

/* Query's expression members (KeyConditionExpression: its key rules need the table, ops_export.c) */
static const ddb_field FILTER_FIELDS[] = {
    {"ExpressionAttributeNames", DDB_V_MAP, .children = NAME_MEMBER},
    {"ExpressionAttributeValues", DDB_V_MAP, .children = VALUE_MEMBER},
    {"FilterExpression", DDB_V_STRING},
    {"KeyConditionExpression", DDB_V_STRING},
    {"ProjectionExpression", DDB_V_STRING},
    {NULL},
};

static const ddb_field EXPORT_TABLE_FIELDS[] = {
    F_CLIENT_TOKEN,
    {"ExportFormat", DDB_V_STRING, .one_of = ENUM("DYNAMODB_JSON", "ION")},
    {"ExportTime", DDB_V_DOUBLE},
    {"ExportType", DDB_V_STRING, .one_of = ENUM("FULL_EXPORT", "INCREMENTAL_EXPORT")},
    {"FilterSpecification", DDB_V_STRUCT, .children = FILTER_FIELDS},
    {"IncrementalExportSpecification", DDB_V_STRUCT, .children = INCREMENTAL_FIELDS},
    F_BUCKET(DDB_VF_NOT_NULL),
    F_BUCKET_OWNER,
    F_PREFIX("S3Prefix"),
    {"S3SseAlgorithm", DDB_V_STRING, .one_of = ENUM("AES256", "KMS")},
    {"S3SseKmsKeyId", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2048},
    F_ARN("TableArn", DDB_VF_NOT_NULL),
    {NULL},
};

/*
 * FilterSpecification's expressions, checked as Query's are (the same messages, in validateExpressions'
 * order); the trees go to req->parsed. The worker parses the stored specification again (export.c).
 */
static const char *export_table_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *spec = ddb_v_get(in, "FilterSpecification");
    const char *msg;

    if (spec == NULL)
        return NULL;
    msg = ddb_expression_params(req->arena, spec,
                                ENUM("ProjectionExpression", "FilterExpression", "KeyConditionExpression"));
    if (msg != NULL)
        return msg;
    return ddb_expr_prepare_as(req->arena, DDB_OPF_EXPORT_FILTER, req->values, spec, &req->parsed);
}

static const ddb_field DESCRIBE_EXPORT_FIELDS[] = {
    {"ExportArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024},
    {NULL},
};

static const ddb_field LIST_EXPORTS_FIELDS[] = {
    {"MaxResults", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 25},
    F_NEXT_TOKEN,
    F_ARN("TableArn", 0),
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_export_table_to_point_in_time = {EXPORT_TABLE_FIELDS, export_table_rules};
const ddb_spec ddb_spec_describe_export = {DESCRIBE_EXPORT_FIELDS};
const ddb_spec ddb_spec_list_exports = {LIST_EXPORTS_FIELDS};
