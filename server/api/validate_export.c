/*
 * server/api/validate_export.c: what ExportTableToPointInTime, DescribeExport, ListExports,
 * ImportTable, DescribeImport and ListImports accept (ops/ops_export.c, ops/ops_import.c), as data,
 * with the constraints of DynamoDB's API reference (lengths of ARNs, tokens, buckets and prefixes;
 * page sizes; the enums). Members are checked in the reference's (alphabetical) order. ImportTable's
 * TableCreationParameters are CreateTable's members: they are checked by CreateTable's own spec
 * when the handler creates the table. ExportTableToPointInTime's FilterSpecification holds Query's
 * expressions, checked here as Query's are; their key rules need the table (the handler's).
 */
#include "server/api/validate_internal.h"
#include "server/expr/expr.h"

#define F_ARN(name, flags) {name, DDB_V_STRING, (flags) | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024}
#define F_CLIENT_TOKEN {"ClientToken", DDB_V_STRING, DDB_VF_TOKEN_RE | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36}
#define F_NEXT_TOKEN {"NextToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024}
#define F_BUCKET(flags) {"S3Bucket", DDB_V_STRING, (flags) | DDB_VF_LEN_MAX | DDB_VF_BUCKET_RE, .len_max = 255}
#define F_BUCKET_OWNER {"S3BucketOwner", DDB_V_STRING, DDB_VF_ACCOUNT_RE}
#define F_PREFIX(name) {name, DDB_V_STRING, DDB_VF_LEN_MAX, .len_max = 1024}

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
    return ddb_expr_prepare_into(req->arena, DDB_OPF_EXPORT_FILTER, spec, &req->parsed);
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

static const ddb_field STRING_MEMBER[] = {{"member", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1,
                                           .len_max = 65536}};

static const ddb_field CSV_FIELDS[] = {
    {"Delimiter", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1},
    {"HeaderList", DDB_V_LIST, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255,
     .children = STRING_MEMBER},
    {NULL},
};

static const ddb_field FORMAT_OPTIONS_FIELDS[] = {
    {"Csv", DDB_V_STRUCT, .children = CSV_FIELDS},
    {NULL},
};

static const ddb_field BUCKET_SOURCE_FIELDS[] = {
    F_BUCKET(DDB_VF_NOT_NULL),
    F_BUCKET_OWNER,
    F_PREFIX("S3KeyPrefix"),
    {NULL},
};

/* the rest is CreateTable's, checked by its spec when the table is created */
static const ddb_field CREATION_FIELDS[] = {
    {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL},
    {NULL},
};

static const ddb_field IMPORT_TABLE_FIELDS[] = {
    F_CLIENT_TOKEN,
    {"InputCompressionType", DDB_V_STRING, .one_of = ENUM("GZIP", "ZSTD", "NONE")},
    {"InputFormat", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("DYNAMODB_JSON", "ION", "CSV")},
    {"InputFormatOptions", DDB_V_STRUCT, .children = FORMAT_OPTIONS_FIELDS},
    {"S3BucketSource", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = BUCKET_SOURCE_FIELDS},
    {"TableCreationParameters", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = CREATION_FIELDS},
    {NULL},
};

/* A delimiter DynamoDB accepts: [,;:|\t ] */
static const char *import_table_rules(ddb_req *req, const ddb_json *in)
{
    const char *d = ddb_json_get_str(ddb_json_get(ddb_json_get(in, "InputFormatOptions"), "Csv"), "Delimiter");

    (void)req;
    if (d != NULL && strchr(",;:|\t ", d[0]) == NULL)
        return "1 validation error detected: Value at 'inputFormatOptions.csv.delimiter' failed to satisfy "
               "constraint: Member must satisfy regular expression pattern: [,;:|\\t ]";
    return NULL;
}

static const ddb_field DESCRIBE_IMPORT_FIELDS[] = {
    {"ImportArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024},
    {NULL},
};

static const ddb_field LIST_IMPORTS_FIELDS[] = {
    F_NEXT_TOKEN,
    {"PageSize", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 25},
    F_ARN("TableArn", 0),
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_export_table_to_point_in_time = {EXPORT_TABLE_FIELDS, export_table_rules};
const ddb_spec ddb_spec_describe_export = {DESCRIBE_EXPORT_FIELDS};
const ddb_spec ddb_spec_list_exports = {LIST_EXPORTS_FIELDS};
const ddb_spec ddb_spec_import_table = {IMPORT_TABLE_FIELDS, import_table_rules};
const ddb_spec ddb_spec_describe_import = {DESCRIBE_IMPORT_FIELDS};
const ddb_spec ddb_spec_list_imports = {LIST_IMPORTS_FIELDS};
