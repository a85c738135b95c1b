/*
 * server/api/validate/validate_import.c: what ImportTable, DescribeImport and ListImports accept
 * (ops/ops_import.c), as data, with the constraints of DynamoDB's API reference; members in the
 * reference's (alphabetical) order. ImportTable's TableCreationParameters are CreateTable's
 * members: they are checked by CreateTable's own spec when the handler creates the table.
 */
#include <string.h>

#include "server/api/validate/validate_internal.h"

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
    {"TableCreationParameters", DDB_V_STRUCT, DDB_VF_NOT_NULL | DDB_VF_ELSEWHERE, .children = CREATION_FIELDS},
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

const ddb_spec ddb_spec_import_table = {IMPORT_TABLE_FIELDS, import_table_rules};
const ddb_spec ddb_spec_describe_import = {DESCRIBE_IMPORT_FIELDS};
const ddb_spec ddb_spec_list_imports = {LIST_IMPORTS_FIELDS};
