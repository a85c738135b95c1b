/*
 * server/api/validate/validate_bulk.c: what StartBulkPutItems, DescribeBulkOperation, ListBulkOperations
 * and CancelBulkOperation accept (ops/ops_bulk.c), as data, with the constraints of DynamoDB's API
 * reference (StartBulkPutItems, InputS3Configuration, OutputS3Configuration: lengths, the enums,
 * MaxWriteRequestUnits at least 1,024; BulkOperationArn 37 to 1024 characters; the patterns of
 * S3Bucket, S3BucketOwner and ClientToken, as ExportTableToPointInTime's). Members are
 * checked in the reference's (alphabetical) order. ListBulkOperations' MaxResults range is not in
 * the reference: 1 to 100 is ddbd's choice (docs/compatibility.md).
 */
#include "server/api/validate/validate_internal.h"

#define F_BULK_ARN {"BulkOperationArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}
#define F_BULK_BUCKET(flags) {"S3Bucket", DDB_V_STRING, (flags) | DDB_VF_LEN_MAX | DDB_VF_BUCKET_RE, .len_max = 255}

static const ddb_field INPUT_FIELDS[] = {
    {"InputCompressionType", DDB_V_STRING, .one_of = ENUM("GZIP", "ZSTD", "NONE")},
    {"InputFormat", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("DYNAMODB_JSON", "ION")},
    F_BULK_BUCKET(DDB_VF_NOT_NULL),
    {"S3BucketOwner", DDB_V_STRING, DDB_VF_ACCOUNT_RE},
    {"S3KeyPrefix", DDB_V_STRING, DDB_VF_LEN_MAX, .len_max = 1024},
    {NULL},
};

static const ddb_field OUTPUT_TYPE_MEMBER[] = {
    {"member", DDB_V_STRING, .one_of = ENUM("ERROR", "CONDITION_CHECK_FAILURE")},
};

static const ddb_field OUTPUT_FIELDS[] = {
    {"OutputType", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2,
     .children = OUTPUT_TYPE_MEMBER},
    F_BULK_BUCKET(0),
    {"S3BucketOwner", DDB_V_STRING, DDB_VF_ACCOUNT_RE},
    {"S3KeyPrefix", DDB_V_STRING, DDB_VF_LEN_MAX, .len_max = 1024},
    {"S3SseAlgorithm", DDB_V_STRING, .one_of = ENUM("AES256", "KMS")},
    {"S3SseKmsKeyId", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2048},
    {NULL},
};

static const ddb_field START_BULK_FIELDS[] = {
    {"ClientToken", DDB_V_STRING, DDB_VF_TOKEN_RE | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36},
    {"InputS3Configuration", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = INPUT_FIELDS},
    {"MaxWriteRequestUnits", DDB_V_LONG, DDB_VF_MIN, .min = 1024},
    {"OutputS3Configuration", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = OUTPUT_FIELDS},
    {"PerformanceTier", DDB_V_STRING, .one_of = ENUM("STANDARD", "ACCELERATED")},
    {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024},
    {NULL},
};

static const ddb_field BULK_ARN_FIELDS[] = {
    F_BULK_ARN,
    {NULL},
};

static const ddb_field LIST_BULK_FIELDS[] = {
    {"MaxResults", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 100},
    {"NextToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024},
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_start_bulk_put_items = {START_BULK_FIELDS};
const ddb_spec ddb_spec_describe_bulk_operation = {BULK_ARN_FIELDS};
const ddb_spec ddb_spec_list_bulk_operations = {LIST_BULK_FIELDS};
const ddb_spec ddb_spec_cancel_bulk_operation = {BULK_ARN_FIELDS};
