/*
 * tests/unit/api/test_validate.c: request validation (server/api/validate/validate.c, and the data-plane
 * specs: validate_item.c, validate_query.c, validate_scan.c, validate_batch.c, validate_data.c).
 *
 * Each case feeds a JSON body through ddb_validate(op's spec) and asserts the exact
 * error code and message DynamoDB gives (texts and order from dynalite's validations and tests).
 * Bodies that would reach the expression parser carry no expression, so these cases do not
 * depend on server/expr/expr.c.
 */
#include <stdlib.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/dispatch.h"
#include "server/api/validate/validate.h"
#include "server/ops/optable.h"
#include "test.h"

#define SER DDB_E_SERIALIZATION
#define VAL DDB_E_VALIDATION
#define OK DDB_OK

#define INVALID "One or more parameter values were invalid: "
#define TRUNC "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
#define CMP_ENUM "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
#define NAME_RE "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
#define AT(v, path) "Value " v " at '" path "' failed to satisfy constraint: "
#define IS_NULL(path) AT("null", path) "Member must not be null"
#define EMPTY_AV "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MULTI_AV                                                                                                       \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
#define MAP_KEYS                                                                                                       \
    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length "  \
    "greater than or equal to 3, " NAME_RE "]"
#define MAP_VALUES                                                                                                     \
    "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length "  \
    "greater than or equal to 1]"

/* Valid CreateTable pieces. */
#define DEFS_AB                                                                                                        \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"                                     \
    "{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}]"
#define KS_A "\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"a\"}]"
#define KS_AB                                                                                                          \
    "\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"a\"},{\"KeyType\":\"RANGE\",\"AttributeName\":\"b\"}]"
#define PT1 "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}"
#define IDX_KS_AB                                                                                                      \
    "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"b\",\"KeyType\":\"RANGE\"}]"
#define LSI(name, proj) "{\"IndexName\":\"" name "\"," IDX_KS_AB ",\"Projection\":" proj "}"
#define GSI(name, proj) "{\"IndexName\":\"" name "\"," IDX_KS_AB ",\"Projection\":" proj "," PT1 "}"
#define TABLE_AB "{\"TableName\":\"abc\"," DEFS_AB "," KS_AB "," PT1
#define NOTHING_TO_UPDATE                                                                                              \
    "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "           \
    "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "      \
    "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"

/* op's spec, as the pipeline finds it (the operation table, dispatch.h); NULL for none. */
static const ddb_spec *spec_of(int op)
{
    return op > DDB_OP_NONE && op < DDB_OP__COUNT ? ddb_op_table[op].spec : NULL;
}

typedef struct vcase {
    int op;
    const char *body;
    int code;
    const char *msg; /* NULL when code is OK */
} vcase;

/* Runs one body; on mismatch records a failure naming the body, and keeps going. */
static int run_body(int op, const char *body, int code, const char *msg)
{
    ddb_arena arena;
    ddb_req req;
    const ddb_json *in;
    int rc, ok;

    ddb_arena_init(&arena);
    memset(&req, 0, sizeof(req));
    req.arena = &arena;
    in = ddb_json_parse(&arena, body, strlen(body));
    if (in == NULL) {
        ddb_test_fail(__FILE__, __LINE__, "bad JSON in test: %s", body);
        ddb_arena_free(&arena);
        return 0;
    }
    rc = ddb_validate(&req, spec_of(op), in);
    ok = rc == code && (msg == NULL ? req.err.msg == NULL : req.err.msg != NULL && strcmp(req.err.msg, msg) == 0);
    if (!ok)
        ddb_test_fail(__FILE__, __LINE__, "%s %.300s\n    want %d \"%s\"\n    got  %d \"%s\"", ddb_op_name(op), body,
                      code, msg ? msg : "(null)", rc, req.err.msg ? req.err.msg : "(null)");
    ddb_arena_free(&arena);
    return ok;
}

static void run_cases(const vcase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_body(cases[i].op, cases[i].body, cases[i].code, cases[i].msg);
}

#define RUN(cases) run_cases(cases, ARRAY_LEN(cases))

/* ---- phase 1: SerializationException ---- */

static const vcase serialization_cases[] = {
    {DDB_OP_PutItem, "{\"TableName\":1}", SER, TRUNC " can not be converted to an String"},
    {DDB_OP_PutItem, "{\"TableName\":true}", SER, "class java.lang.Boolean can not be converted to an String"},
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":[]}", SER, "Start of list found where not expected"},
    {DDB_OP_PutItem, "{\"Item\":\"x\"}", SER, "Expected map or null"},
    {DDB_OP_PutItem, "{\"Item\":{\"a\":{\"S\":5}}}", SER, TRUNC " can not be converted to an String"},
    {DDB_OP_PutItem, "{\"Expected\":{\"a\":{\"Exists\":\"maybe\"}}}", SER,
     "'MAYBE' can not be converted to an Boolean"},
    {DDB_OP_GetItem, "{\"ConsistentRead\":\"hello\"}", SER, "'HELLO' can not be converted to an Boolean"},
    {DDB_OP_GetItem, "{\"ConsistentRead\":1}", SER, TRUNC " can not be converted to an Boolean"},
    {DDB_OP_GetItem, "{\"ConsistentRead\":[]}", SER, "Start of list found where not expected"},
    {DDB_OP_Query, "{\"Limit\":\"5\"}", SER, "class java.lang.String can not be converted to an Integer"},
    {DDB_OP_Query, "{\"Limit\":true}", SER, "class java.lang.Boolean can not be converted to an Integer"},
    {DDB_OP_Query, "{\"Limit\":{}}", SER, "Start of structure or map found where not expected."},
    /* spec order, not document order: Limit is checked before TableName */
    {DDB_OP_Query, "{\"TableName\":5,\"Limit\":\"x\"}", SER,
     "class java.lang.String can not be converted to an Integer"},
    {DDB_OP_CreateTable, "{\"ProvisionedThroughput\":{\"ReadCapacityUnits\":\"1\"}}", SER,
     "class java.lang.String can not be converted to an Long"},
    {DDB_OP_CreateTable, "{\"KeySchema\":{}}", SER, "Start of structure or map found where not expected."},
    {DDB_OP_CreateTable, "{\"KeySchema\":\"x\"}", SER, "Expected list or null"},
    {DDB_OP_CreateTable, "{\"KeySchema\":[5]}", SER, "Expected null"},
    {DDB_OP_CreateTable, "{\"ProvisionedThroughput\":5}", SER, "Expected null"},
    {DDB_OP_CreateTable, "{\"ProvisionedThroughput\":[]}", SER, "Start of list found where not expected"},
    {DDB_OP_BatchWriteItem, "{\"RequestItems\":{\"abc\":{}}}", SER,
     "Start of structure or map found where not expected."},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":[]}]}}}", SER,
     "Start of list found where not expected"},
    /* unknown members and null members are ignored */
    {DDB_OP_DeleteTable, "{\"TableName\":\"abc\",\"Foo\":[1,2]}", OK, NULL},
    {DDB_OP_Query, "{\"Limit\":null,\"TableName\":5}", SER, TRUNC " can not be converted to an String"},
};

TEST(validate_serialization)
{
    RUN(serialization_cases);
}

/* ---- phase 2: required parameters and table names ---- */

static const vcase required_cases[] = {
    {DDB_OP_DeleteTable, "{}", VAL, "The parameter 'TableName' is required but was not present in the request"},
    {DDB_OP_DescribeTable, "{\"TableName\":null}", VAL,
     "The parameter 'TableName' is required but was not present in the request"},
    {DDB_OP_DescribeTable, "{\"TableName\":\"ab\"}", VAL,
     "1 validation error detected: " AT("'ab'", "tableName") "Member must have length greater than or equal to 3"},
    /* characters, not bytes: "aé" is 3 bytes but 2 characters */
    {DDB_OP_DescribeTable, "{\"TableName\":\"a\xc3\xa9\"}", VAL,
     "2 validation errors detected: " AT("'a\xc3\xa9'", "tableName") NAME_RE "; " AT("'a\xc3\xa9'", "tableName")
     "Member must have length greater than or equal to 3"},
    /* the length is one more constraint, reported with the others */
    {DDB_OP_CreateTable, "{\"TableName\":\"a;\"}", VAL,
     "4 validation errors detected: " IS_NULL("attributeDefinitions") "; " AT("'a;'", "tableName") NAME_RE "; "
     AT("'a;'", "tableName") "Member must have length greater than or equal to 3; " IS_NULL("keySchema")},
    {DDB_OP_UpdateTable, "{}", VAL, "The parameter 'TableName' is required but was not present in the request"},
    {DDB_OP_DeleteTable, "{\"TableName\":\"abc;\"}", VAL,
     "1 validation error detected: " AT("'abc;'", "tableName") NAME_RE},
    {DDB_OP_DeleteTable, "{\"TableName\":\"abc\"}", OK, NULL},
    {DDB_OP_DescribeTable, "{\"TableName\":\"a-b_c.9\"}", OK, NULL},
};

TEST(validate_required_and_table_name)
{
    char body[400], name[300];

    RUN(required_cases);
    memset(name, 'a', 256);
    name[256] = '\0';
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", name);
    {
        char want[700];
        snprintf(want, sizeof(want),
                 "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must "
                 "have length less than or equal to 255",
                 name);
        run_body(DDB_OP_DescribeTable, body, VAL, want);
    }
    name[255] = '\0';
    snprintf(body, sizeof(body), "{\"TableName\":\"%s\"}", name);
    run_body(DDB_OP_DescribeTable, body, OK, NULL);
}

/* ---- phase 3: constraints ---- */

static const vcase constraint_cases[] = {
    {DDB_OP_PutItem, "{}", VAL,
     "2 validation errors detected: " IS_NULL("tableName") "; " IS_NULL("item")},
    {DDB_OP_GetItem, "{\"TableName\":\"a\",\"Key\":{}}", VAL,
     "1 validation error detected: " AT("'a'", "tableName") "Member must have length greater than or equal to 3"},
    {DDB_OP_GetItem, "{\"TableName\":\"a;\",\"Key\":{}}", VAL,
     "2 validation errors detected: " AT("'a;'", "tableName") NAME_RE "; " AT("'a;'", "tableName")
     "Member must have length greater than or equal to 3"},
    {DDB_OP_ListTables, "{\"Limit\":0}", VAL,
     "1 validation error detected: " AT("'0'", "limit") "Member must have value greater than or equal to 1"},
    {DDB_OP_ListTables, "{\"Limit\":101}", VAL,
     "1 validation error detected: " AT("'101'", "limit") "Member must have value less than or equal to 100"},
    /* Integers are floor()ed before they are checked and printed */
    {DDB_OP_ListTables, "{\"Limit\":0.5}", VAL,
     "1 validation error detected: " AT("'0'", "limit") "Member must have value greater than or equal to 1"},
    {DDB_OP_ListTables, "{\"Limit\":-1.5}", VAL,
     "1 validation error detected: " AT("'-2'", "limit") "Member must have value greater than or equal to 1"},
    {DDB_OP_ListTables, "{\"Limit\":1e3}", VAL,
     "1 validation error detected: " AT("'1000'", "limit") "Member must have value less than or equal to 100"},
    {DDB_OP_ListTables, "{\"Limit\":1e21}", VAL,
     "1 validation error detected: " AT("'1e+21'", "limit") "Member must have value less than or equal to 100"},
    {DDB_OP_ListTables, "{\"Limit\":100.9}", OK, NULL},
    {DDB_OP_ListTables, "{\"ExclusiveStartTableName\":\"a;\"}", VAL,
     "2 validation errors detected: " AT("'a;'", "exclusiveStartTableName") NAME_RE "; " AT("'a;'",
     "exclusiveStartTableName") "Member must have length greater than or equal to 3"},
    {DDB_OP_ListTables, "{}", OK, NULL},
    {DDB_OP_CreateTable, "{\"TableName\":\"abc;\"}", VAL,
     "3 validation errors detected: " IS_NULL("attributeDefinitions") "; " AT("'abc;'", "tableName") NAME_RE
     "; " IS_NULL("keySchema")},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[],\"KeySchema\":[],\"ProvisionedThroughput\":"
     "{\"ReadCapacityUnits\":-1,\"WriteCapacityUnits\":-1},\"BillingMode\":\"A\"}",
     VAL,
     "4 validation errors detected: " AT("'A'", "billingMode")
     "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; " AT("'-1'",
     "provisionedThroughput.writeCapacityUnits") "Member must have value greater than or equal to 1; " AT("'-1'",
     "provisionedThroughput.readCapacityUnits") "Member must have value greater than or equal to 1; " AT("'[]'",
     "keySchema") "Member must have length greater than or equal to 1"},
    /* key schemas echo in DynamoDB's Java rendering (issue 15; conformance suite) */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," PT1 ",\"KeySchema\":[{\"KeyType\":\"HASH\"},"
     "{\"AttributeName\":\"a\"},{\"KeyType\":\"Woop\",\"AttributeName\":\"a\"}]}",
     VAL,
     "4 validation errors detected: "
     "Value '[KeySchemaElement(attributeName=null, keyType=HASH), KeySchemaElement(attributeName=a, keyType=null), "
     "KeySchemaElement(attributeName=a, keyType=Woop)]' "
     "at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2; "
     IS_NULL("keySchema.1.member.attributeName") "; " IS_NULL("keySchema.2.member.keyType") "; " AT("'Woop'",
     "keySchema.3.member.keyType") "Member must satisfy enum value set: [HASH, RANGE]"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[{}]," KS_A "," PT1 "}", VAL,
     "2 validation errors detected: " IS_NULL("attributeDefinitions.1.member.attributeName") "; "
     IS_NULL("attributeDefinitions.1.member.attributeType")},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[{\"AttributeName\":\"b\",\"AttributeType\":\"SS\"}]," KS_A ","
     PT1 "}", VAL,
     "1 validation error detected: " AT("'SS'", "attributeDefinitions.1.member.attributeType")
     "Member must satisfy enum value set: [B, N, S]"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"abc\"," IDX_KS_AB
     ",\"Projection\":{\"NonKeyAttributes\":[],\"ProjectionType\":\"abc\"}}]}", VAL,
     "2 validation errors detected: " AT("'abc'", "localSecondaryIndexes.1.member.projection.projectionType")
     "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; " AT("'[]'",
     "localSecondaryIndexes.1.member.projection.nonKeyAttributes")
     "Member must have length greater than or equal to 1"},
    /* map members are walked in reverse; ten messages at most */
    {DDB_OP_Query,
     "{\"TableName\":\"abc;\",\"ReturnConsumedCapacity\":\"hi\",\"AttributesToGet\":[],\"IndexName\":\"abc;\","
     "\"Select\":\"hi\",\"Limit\":-1,\"KeyConditions\":{\"a\":{},\"b\":{\"ComparisonOperator\":\"\"}},"
     "\"ConditionalOperator\":\"AN\",\"QueryFilter\":{\"a\":{},\"b\":{\"ComparisonOperator\":\"\"}}}",
     VAL,
     "10 validation errors detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater "
     "than or equal to 1; "
     AT("'hi'", "returnConsumedCapacity") "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
     AT("'[]'", "attributesToGet") "Member must have length greater than or equal to 1; "
     AT("''", "queryFilter.b.member.comparisonOperator") "Member must satisfy enum value set: " CMP_ENUM "; "
     IS_NULL("queryFilter.a.member.comparisonOperator") "; "
     AT("'hi'", "select") "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
     "ALL_PROJECTED_ATTRIBUTES]; " AT("'AN'", "conditionalOperator") "Member must satisfy enum value set: [OR, AND]; "
     AT("''", "keyConditions.b.member.comparisonOperator") "Member must satisfy enum value set: " CMP_ENUM "; "
     IS_NULL("keyConditions.a.member.comparisonOperator") "; " AT("'abc;'", "tableName") NAME_RE},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":-1,\"TotalSegments\":0}", VAL,
     "2 validation errors detected: " AT("'-1'", "segment") "Member must have value greater than or equal to 0; "
     AT("'0'", "totalSegments") "Member must have value greater than or equal to 1"},
    /* a Create's ProvisionedThroughput is optional (on-demand tables) */
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"GlobalSecondaryIndexUpdates\":[{\"Create\":{}}]}", VAL,
     "3 validation errors detected: " IS_NULL("globalSecondaryIndexUpdates.1.member.create.projection") "; "
     IS_NULL("globalSecondaryIndexUpdates.1.member.create.indexName") "; "
     IS_NULL("globalSecondaryIndexUpdates.1.member.create.keySchema")},
};

TEST(validate_constraints)
{
    RUN(constraint_cases);
}

/* ---- null list members and map values (issue 49): never reach a handler ---- */

#define MEMBER_NOT_NULL "Member must satisfy constraint: [Member must not be null]"

static const vcase null_member_cases[] = {
    /* a structure, map, list or AttributeValue member reads as empty: [null] as [{}] */
    {DDB_OP_ExecuteTransaction, "{\"TransactStatements\":[null]}", VAL,
     "1 validation error detected: " IS_NULL("transactStatements.1.member.statement")},
    {DDB_OP_BatchExecuteStatement, "{\"Statements\":[{\"Statement\":\"x\"},null]}", VAL,
     "1 validation error detected: " IS_NULL("statements.2.member.statement")},
    {DDB_OP_TransactGetItems, "{\"TransactItems\":[null]}", VAL,
     "1 validation error detected: " IS_NULL("transactItems.1.member.get")},
    {DDB_OP_CreateTable, "{" DEFS_AB ",\"KeySchema\":[null],\"TableName\":\"abc\"}", VAL,
     "2 validation errors detected: " IS_NULL("keySchema.1.member.attributeName") "; "
     IS_NULL("keySchema.1.member.keyType")},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":null}}", VAL,
     "1 validation error detected: " IS_NULL("requestItems.abc.member.keys")},
    {DDB_OP_GetItem, "{\"TableName\":\"abc\",\"Key\":{\"pk\":null}}", VAL, EMPTY_AV},
    /* a scalar member: the member constraint, once for the list or map */
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"AttributesToGet\":[\"a\",null,null]}", VAL,
     "1 validation error detected: " AT("'[a, null, null]'", "attributesToGet") MEMBER_NOT_NULL},
    {DDB_OP_UntagResource, "{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/abc\","
     "\"TagKeys\":[null]}", VAL, "1 validation error detected: " AT("'[null]'", "tagKeys") MEMBER_NOT_NULL},
    {DDB_OP_Query, "{\"TableName\":\"abc\",\"ExpressionAttributeNames\":{\"#a\":null}}", VAL,
     "1 validation error detected: " AT("'{#a=null}'", "expressionAttributeNames")
     "Map value must satisfy constraint: [Member must not be null]"},
};

TEST(validate_null_members)
{
    RUN(null_member_cases);
}

/* ---- members refused until implemented (DDB_VF_REFUSED): after the type pass, not when null ---- */

#define REFUSED(member) INVALID member " is not supported by ddbd (docs/compatibility.md)"

static const vcase refused_cases[] = {
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"DisassociationProtectionEnabled\":true}", VAL,
     REFUSED("DisassociationProtectionEnabled")},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"DisassociationProtectionEnabled\":[]}", SER,
     "Start of list found where not expected"},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"DisassociationProtectionEnabled\":null,\"TableClass\":\"STANDARD\"}",
     OK, NULL},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"ReplicaUpdates\":[{\"Delete\":{\"RegionName\":\"r\"}},"
     "{\"Disassociate\":{}}]}", VAL, REFUSED("ReplicaUpdates.Disassociate")},
};

TEST(validate_refused_members)
{
    RUN(refused_cases);
}

/* ExportTableToPointInTime's FilterSpecification: Query's expression checks (the key rules need the table). */
static const vcase export_filter_cases[] = {
    {DDB_OP_ExportTableToPointInTime, "{\"TableArn\":\"a\",\"S3Bucket\":\"bb\",\"FilterSpecification\":{}}", OK, NULL},
    {DDB_OP_ExportTableToPointInTime, "{\"TableArn\":\"a\",\"S3Bucket\":\"bb\",\"FilterSpecification\":"
     "{\"ProjectionExpression\":\"a\",\"ExpressionAttributeNames\":{\"#b\":\"b\"}}}", VAL,
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"},
    {DDB_OP_ExportTableToPointInTime, "{\"TableArn\":\"a\",\"S3Bucket\":\"bb\",\"FilterSpecification\":"
     "{\"KeyConditionExpression\":\"a = :v OR b = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"x\"}}}}", VAL,
     "Invalid operator used in KeyConditionExpression: OR"},
    {DDB_OP_ExportTableToPointInTime, "{\"TableArn\":\"a\",\"S3Bucket\":\"bb\",\"FilterSpecification\":"
     "{\"FilterExpression\":1}}", SER, TRUNC " can not be converted to an String"},
};

TEST(validate_export_filter)
{
    RUN(export_filter_cases);
}

/* Nine empty LocalSecondaryIndexes give 27 problems; only the first ten are reported. */
TEST(validate_ten_message_cap)
{
    char want[2048];
    size_t len = (size_t)snprintf(want, sizeof(want), "10 validation errors detected: ");
    static const char *const members[] = {"indexName", "keySchema", "projection"};

    for (int i = 0; i < 10; i++)
        len += (size_t)snprintf(want + len, sizeof(want) - len, "%s" IS_NULL("localSecondaryIndexes.%d.member.%s"),
                                i > 0 ? "; " : "", i / 3 + 1, members[i % 3]);
    run_body(DDB_OP_CreateTable, TABLE_AB ",\"LocalSecondaryIndexes\":[{},{},{},{},{},{},{},{},{}]}", VAL, want);
}

/* ---- batch request maps: keys, values and JSON rendering ---- */

static const vcase batch_constraint_cases[] = {
    {DDB_OP_BatchGetItem, "{}", VAL, "1 validation error detected: " IS_NULL("requestItems")},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{}}", VAL,
     "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have length "
     "greater than or equal to 1"},
    /* the whole map is printed as the checked view: spec order, unknown members dropped, Booleans converted */
    {DDB_OP_BatchGetItem,
     "{\"RequestItems\":{\"a;\":{\"ConsistentRead\":\"yes\",\"Foo\":1,\"Keys\":[{\"k\":{\"S\":\"q\\\"\\n\"}}]}}}",
     VAL,
     "1 validation error detected: Value '{\"a;\":{\"Keys\":[{\"k\":{\"S\":\"q\\\"\\n\"}}],\"ConsistentRead\":true}}' "
     "at 'requestItems' failed to satisfy constraint: " MAP_KEYS},
    /* one message per bad key */
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"a\":{\"Keys\":[{}]},\"b\":{\"Keys\":[{}]}}}", VAL,
     "2 validation errors detected: " AT("'{\"a\":{\"Keys\":[{}]},\"b\":{\"Keys\":[{}]}}'", "requestItems") MAP_KEYS
     "; " AT("'{\"a\":{\"Keys\":[{}]},\"b\":{\"Keys\":[{}]}}'", "requestItems") MAP_KEYS},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{\"Keys\":[]}}}", VAL,
     "1 validation error detected: Value at 'RequestItems.abc.member.Keys' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{}}}", VAL,
     "1 validation error detected: " IS_NULL("requestItems.abc.member.keys")},
    {DDB_OP_BatchWriteItem, "{\"RequestItems\":{\"abc\":[]}}", VAL,
     "1 validation error detected: " AT("'{abc=[]}'", "requestItems") MAP_VALUES},
    {DDB_OP_BatchWriteItem, "{\"RequestItems\":{\"abc\":[{\"DeleteRequest\":{}}]}}", VAL,
     "1 validation error detected: " IS_NULL("requestItems.abc.member.1.member.deleteRequest.key")},
    {DDB_OP_BatchWriteItem, "{\"ReturnItemCollectionMetrics\":\"ALL\",\"RequestItems\":{\"abc\":[{}]}}", VAL,
     "1 validation error detected: " AT("'ALL'", "returnItemCollectionMetrics")
     "Member must satisfy enum value set: [SIZE, NONE]"},
};

TEST(validate_batch_constraints)
{
    RUN(batch_constraint_cases);
}

/* ---- custom rules: item operations ---- */

#define PUT_EXPECTED(cond) "{\"TableName\":\"abc\",\"Item\":{\"a\":{\"S\":\"x\"}},\"Expected\":{\"a\":" cond "}}"

static const vcase item_rule_cases[] = {
    {DDB_OP_PutItem,
     "{\"TableName\":\"abc\",\"Item\":{},\"Expected\":{\"a\":{\"Exists\":false}},\"ConditionExpression\":\"x\"}", VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{Expected} Expression parameters: {ConditionExpression}"},
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":{},\"ExpressionAttributeNames\":{\"#a\":\"a\"}}", VAL,
     "ExpressionAttributeNames can only be specified when using expressions"},
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":{},\"ExpressionAttributeValues\":{\":a\":{\"S\":\"a\"}}}", VAL,
     "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":{\"a\":{}}}", VAL, EMPTY_AV},
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":{\"a\":{\"S\":\"x\"}},\"ReturnValues\":\"ALL_NEW\"}", VAL,
     "ReturnValues can only be ALL_OLD or NONE"},
    /* the Item is checked before ReturnValues */
    {DDB_OP_PutItem, "{\"TableName\":\"abc\",\"Item\":{\"a\":{\"S\":\"x\",\"N\":\"1\"}},\"ReturnValues\":\"ALL_NEW\"}",
     VAL, MULTI_AV},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"Value\":{\"S\":\"x\"},\"AttributeValueList\":[]}"), VAL,
     INVALID "Value and AttributeValueList cannot be used together for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"ComparisonOperator\":\"EQ\",\"Exists\":true}"), VAL,
     INVALID "Exists and ComparisonOperator cannot be used together for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"ComparisonOperator\":\"EQ\"}"), VAL,
     INVALID "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"1\"}]}"), VAL,
     INVALID "Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"ComparisonOperator\":\"NULL\",\"Value\":{\"N\":\"1\"}}"), VAL,
     INVALID "Invalid number of argument(s) for the NULL ComparisonOperator"},
    {DDB_OP_PutItem,
     PUT_EXPECTED("{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[{\"N\":\"1\"},{\"S\":\"x\"}]}"), VAL,
     INVALID "AttributeValues inside AttributeValueList must be of same type"},
    {DDB_OP_PutItem,
     PUT_EXPECTED("{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"5\"},{\"N\":\"10e-1\"}]}"),
     VAL, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"AttributeValueList\":[{\"S\":\"x\"}]}"), VAL,
     INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{}"), VAL, INVALID "Value must be provided when Exists is null for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"Exists\":\"YES\"}"), VAL,
     INVALID "Value must be provided when Exists is true for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"Exists\":\"no\",\"Value\":{\"S\":\"x\"}}"), VAL,
     INVALID "Value cannot be used when Exists is false for Attribute: a"},
    {DDB_OP_PutItem, PUT_EXPECTED("{\"Value\":{}}"), VAL, EMPTY_AV},
    {DDB_OP_GetItem, "{\"TableName\":\"abc\",\"Key\":{},\"AttributesToGet\":[\"a\",\"b\",\"a\"]}", VAL,
     INVALID "Duplicate value in attribute name: a"},
    {DDB_OP_GetItem, "{\"TableName\":\"abc\",\"Key\":{},\"AttributesToGet\":[\"a\"],\"ProjectionExpression\":\"a\"}",
     VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributesToGet} Expression parameters: {ProjectionExpression}"},
    {DDB_OP_GetItem, "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"NULL\":false}}}", VAL,
     INVALID "Null attribute value types must have the value of true"},
    {DDB_OP_GetItem, "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"S\":\"x\"}},\"ConsistentRead\":\"yes\"}", OK, NULL},
    {DDB_OP_DeleteItem, "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"S\":\"x\",\"N\":\"1\"}}}", VAL, MULTI_AV},
    {DDB_OP_DeleteItem, "{\"TableName\":\"abc\",\"Key\":{},\"Expected\":{\"a\":{\"Exists\":true}}}", VAL,
     INVALID "Value must be provided when Exists is true for Attribute: a"},
    {DDB_OP_UpdateItem, "{\"TableName\":\"abc\",\"Key\":{},\"AttributeUpdates\":{\"a\":{\"Action\":\"PUT\"}}}", VAL,
     INVALID "Only DELETE action is allowed when no attribute value is specified"},
    {DDB_OP_UpdateItem,
     "{\"TableName\":\"abc\",\"Key\":{},\"AttributeUpdates\":{\"a\":{\"Action\":\"DELETE\",\"Value\":{\"S\":\"x\"}}}}",
     VAL, INVALID "DELETE action with value is not supported for the type S"},
    {DDB_OP_UpdateItem,
     "{\"TableName\":\"abc\",\"Key\":{},\"AttributeUpdates\":{\"a\":{\"Action\":\"ADD\",\"Value\":{\"BOOL\":true}}}}",
     VAL, INVALID "ADD action is not supported for the type BOOL"},
    {DDB_OP_UpdateItem,
     "{\"TableName\":\"abc\",\"Key\":{},\"AttributeUpdates\":{\"a\":{\"Action\":\"PUT\",\"Value\":{\"SS\":[]}}}}",
     VAL, INVALID "An string set  may not be empty"},
    {DDB_OP_UpdateItem,
     "{\"TableName\":\"abc\",\"Key\":{},\"AttributeUpdates\":{\"a\":{\"Action\":\"PUT\"}},\"UpdateExpression\":\"x\","
     "\"Expected\":{}}",
     VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributeUpdates, Expected} Expression parameters: {UpdateExpression}"},
    {DDB_OP_UpdateItem, "{\"TableName\":\"abc\",\"Key\":{},\"ExpressionAttributeValues\":{}}", VAL,
     "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
     "ConditionExpression are null"},
};

TEST(validate_item_rules)
{
    RUN(item_rule_cases);
}

/* Builds a PutItem whose one attribute "a" holds an n-byte string. */
static char *item_of_size(size_t n)
{
    static const char prefix[] = "{\"TableName\":\"abc\",\"Item\":{\"a\":{\"S\":\"";
    char *body = malloc(sizeof(prefix) + n + 8);

    memcpy(body, prefix, sizeof(prefix) - 1);
    memset(body + sizeof(prefix) - 1, 'x', n);
    strcpy(body + sizeof(prefix) - 1 + n, "\"}}}");
    return body;
}

/* DynamoDB counts name bytes plus value bytes: 1 + 409599 is exactly the 400 KB limit. */
TEST(validate_item_size_limit)
{
    char *body = item_of_size(400 * 1024);

    run_body(DDB_OP_PutItem, body, VAL, "Item size has exceeded the maximum allowed size");
    free(body);
    body = item_of_size(400 * 1024 - 1);
    run_body(DDB_OP_PutItem, body, OK, NULL);
    free(body);
}

/* Item and Key are decoded once, for the handler: they live in the request's arena. */
static const ddb_parsed *parse_ok(ddb_arena *arena, ddb_req *req, int op, const char *body)
{
    memset(req, 0, sizeof(*req));
    req->arena = arena;
    if (ddb_validate(req, spec_of(op), ddb_json_parse(arena, body, strlen(body))) != DDB_OK)
        return NULL;
    return &req->parsed;
}

TEST(validate_stores_parsed_values)
{
    ddb_arena arena;
    ddb_req req;
    const ddb_parsed *p;

    ddb_arena_init(&arena);
    p = parse_ok(&arena, &req, DDB_OP_PutItem,
                 "{\"TableName\":\"abc\",\"Item\":{\"a\":{\"N\":\"1.50\"},\"b\":{\"S\":\"x\"}}}");
    ASSERT(p != NULL && p->item != NULL);
    ASSERT_EQ(p->item->type, DDB_T_M);
    ASSERT_EQ(p->item->len, 2);
    ASSERT_MEM_EQ(p->item->u.entries[0].val.u.s, p->item->u.entries[0].val.len, "1.5", 3);
    p = parse_ok(&arena, &req, DDB_OP_DeleteItem, "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"S\":\"x\"}}}");
    ASSERT(p != NULL && p->key != NULL);
    ASSERT_EQ(p->key->len, 1);
    ASSERT_NULL(p->item);
    ddb_arena_free(&arena);
}

/* ---- custom rules: Query and Scan ---- */

#define KEYCOND "\"KeyConditions\":{\"a\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{\"S\":\"x\"}]}}"
#define QUERY_FILTER(op, vals)                                                                                         \
    "{\"TableName\":\"abc\"," KEYCOND ",\"QueryFilter\":{\"b\":{\"ComparisonOperator\":\"" op                 \
    "\",\"AttributeValueList\":" vals "}}}"

static const vcase query_scan_cases[] = {
    {DDB_OP_Query,
     "{\"TableName\":\"abc\",\"ExclusiveStartKey\":{\"a\":{}},\"Select\":\"SPECIFIC_ATTRIBUTES\",\"AttributesToGet\":"
     "[\"a\",\"a\"],\"QueryFilter\":{\"a\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{}]}},"
     "\"ConditionalOperator\":\"OR\"," KEYCOND ",\"ProjectionExpression\":\"\",\"FilterExpression\":\"\","
     "\"KeyConditionExpression\":\"\",\"ExpressionAttributeNames\":{},\"ExpressionAttributeValues\":{}}",
     VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributesToGet, QueryFilter, ConditionalOperator, KeyConditions} Expression parameters: {ProjectionExpression, "
     "FilterExpression, KeyConditionExpression}"},
    /* KeyConditions may go with a FilterExpression when there is no KeyConditionExpression */
    {DDB_OP_Query,
     "{\"TableName\":\"abc\",\"QueryFilter\":{},\"AttributesToGet\":[\"a\"]," KEYCOND ",\"ConditionalOperator\":\"OR\","
     "\"FilterExpression\":\"\",\"ProjectionExpression\":\"\"}",
     VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributesToGet, QueryFilter, ConditionalOperator} Expression parameters: {ProjectionExpression, "
     "FilterExpression}"},
    {DDB_OP_Query, "{\"TableName\":\"abc\",\"AttributesToGet\":[\"a\"],\"ExpressionAttributeNames\":{}}", VAL,
     "ExpressionAttributeNames can only be specified when using expressions"},
    {DDB_OP_Query, "{\"TableName\":\"abc\",\"ExpressionAttributeValues\":{}}", VAL,
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and "
     "KeyConditionExpression are null"},
    {DDB_OP_Query, "{\"TableName\":\"abc\"}", VAL,
     "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
    {DDB_OP_Query, "{\"TableName\":\"abc\",\"AttributesToGet\":[\"a\",\"a\"]}", VAL,
     INVALID "Duplicate value in attribute name: a"},
    {DDB_OP_Query, "{\"TableName\":\"abc\",\"ExclusiveStartKey\":{\"a\":{}}}", VAL,
     "The provided starting key is invalid: " EMPTY_AV},
    {DDB_OP_Query, QUERY_FILTER("EQ", "[{\"N\":\"1\"},{\"N\":\"2\"}]"), VAL,
     INVALID "Invalid number of argument(s) for the EQ ComparisonOperator"},
    {DDB_OP_Query, QUERY_FILTER("IN", "[]"), VAL,
     INVALID "Invalid number of argument(s) for the IN ComparisonOperator"},
    {DDB_OP_Query, QUERY_FILTER("BEGINS_WITH", "[{\"N\":\"1\"}]"), VAL,
     INVALID "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
    {DDB_OP_Query, QUERY_FILTER("CONTAINS", "[{\"SS\":[\"a\"]}]"), VAL,
     INVALID "ComparisonOperator CONTAINS is not valid for SS AttributeValue type"},
    {DDB_OP_Query, QUERY_FILTER("IN", "[{\"S\":\"a\"},{\"N\":\"1\"}]"), VAL,
     INVALID "AttributeValues inside AttributeValueList must be of same type"},
    {DDB_OP_Query, QUERY_FILTER("BETWEEN", "[{\"S\":\"b\"},{\"S\":\"a\"}]"), VAL,
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
    {DDB_OP_Query, QUERY_FILTER("EQ", "[{\"NULL\":false}]"), VAL,
     INVALID "Null attribute value types must have the value of true"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":1}", VAL,
     "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"TotalSegments\":2}", VAL,
     "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":3,\"TotalSegments\":2}", VAL,
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than "
     "TotalSegments: 2"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":1.9,\"TotalSegments\":1.5}", VAL,
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 1 is not less than "
     "TotalSegments: 1"},
    /* Segment 0 without TotalSegments is refused too (DynamoDB Local's list of DynamoDB's texts; issue 15) */
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":0}", VAL,
     "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"Segment\":1,\"TotalSegments\":4,\"Limit\":10}", OK, NULL},
    {DDB_OP_Scan,
     "{\"TableName\":\"abc\",\"ScanFilter\":{\"a\":{\"ComparisonOperator\":\"NULL\",\"AttributeValueList\":"
     "[{\"S\":\"a\"}]}}}",
     VAL, INVALID "Invalid number of argument(s) for the NULL ComparisonOperator"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"ScanFilter\":{},\"FilterExpression\":\"a\"}", VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{ScanFilter} Expression parameters: {FilterExpression}"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"ExclusiveStartKey\":{\"a\":{\"N\":\"abc\"}}}", VAL,
     "The provided starting key is invalid: The parameter cannot be converted to a numeric value: abc"},
    {DDB_OP_Scan, "{\"TableName\":\"abc\",\"ConsistentRead\":\"x\"}", SER, "'X' can not be converted to an Boolean"},
};

TEST(validate_query_scan_rules)
{
    RUN(query_scan_cases);
}

/* ---- custom rules: batch operations ---- */

static const vcase batch_rule_cases[] = {
    {DDB_OP_BatchWriteItem, "{\"RequestItems\":{\"abc\":[{\"PutRequest\":{\"Item\":{}}},{}]}}", VAL, MULTI_AV},
    {DDB_OP_BatchWriteItem,
     "{\"RequestItems\":{\"abc\":[{\"PutRequest\":{\"Item\":{\"a\":{\"S\":\"x\",\"B\":\"\"}}}}]}}", VAL, MULTI_AV},
    {DDB_OP_BatchWriteItem, "{\"RequestItems\":{\"abc\":[{\"DeleteRequest\":{\"Key\":{\"a\":{}}}}]}}", VAL, EMPTY_AV},
    {DDB_OP_BatchWriteItem,
     "{\"RequestItems\":{\"abc\":[{\"PutRequest\":{\"Item\":{\"a\":{\"S\":\"x\"}}}},"
     "{\"DeleteRequest\":{\"Key\":{\"a\":{\"S\":\"y\"}}}}]}}",
     OK, NULL},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"S\":\"x\"}},{\"a\":{\"S\":\"x\"}}]}}}", VAL,
     "Provided list of item keys contains duplicates"},
    /* numbers compare as sent (DynamoDB's BatchGetItem: ScyllaDB's tests, docs/compatibility.md), in any order */
    {DDB_OP_BatchGetItem,
     "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"x\"}},"
     "{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"1.0\"}}]}}}",
     OK, NULL},
    {DDB_OP_BatchGetItem,
     "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"N\":\"1.0\"},\"b\":{\"S\":\"x\"}},"
     "{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"1.0\"}}]}}}",
     VAL, "Provided list of item keys contains duplicates"},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"S\":\"x\"}},{\"a\":{\"S\":\"y\"}}]}}}", OK,
     NULL},
    {DDB_OP_BatchGetItem,
     "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"S\":\"x\"}}],\"AttributesToGet\":[\"b\",\"b\"]}}}", VAL,
     INVALID "Duplicate value in attribute name: b"},
    {DDB_OP_BatchGetItem,
     "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"S\":\"x\"}}],\"AttributesToGet\":[\"a\"],"
     "\"ProjectionExpression\":\"a\"}}}",
     VAL,
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributesToGet} Expression parameters: {ProjectionExpression}"},
    {DDB_OP_BatchGetItem, "{\"RequestItems\":{\"abc\":{\"Keys\":[{\"a\":{\"SS\":[]}}]}}}", VAL,
     INVALID "An string set  may not be empty"},
};

/* Builds {"RequestItems":{"t1":[n1 puts],"t2":[n2 puts]}} with distinct items. */
static char *batch_write_body(int n1, int n2)
{
    char *b = malloc(16384);
    size_t len = (size_t)sprintf(b, "{\"RequestItems\":{");
    int counts[2] = {n1, n2};

    for (int t = 0; t < 2; t++) {
        len += (size_t)sprintf(b + len, "%s\"table%d\":[", t ? "," : "", t);
        for (int i = 0; i < counts[t]; i++)
            len += (size_t)sprintf(b + len, "%s{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"%d\"}}}}", i ? "," : "", i);
        len += (size_t)sprintf(b + len, "]");
    }
    strcpy(b + len, "}}");
    return b;
}

static char *batch_get_body(int n1, int n2)
{
    char *b = malloc(16384);
    size_t len = (size_t)sprintf(b, "{\"RequestItems\":{");
    int counts[2] = {n1, n2};

    for (int t = 0; t < 2; t++) {
        len += (size_t)sprintf(b + len, "%s\"table%d\":{\"Keys\":[", t ? "," : "", t);
        for (int i = 0; i < counts[t]; i++)
            len += (size_t)sprintf(b + len, "%s{\"id\":{\"N\":\"%d\"}}", i ? "," : "", i);
        len += (size_t)sprintf(b + len, "]}");
    }
    strcpy(b + len, "}}");
    return b;
}

TEST(validate_batch_rules)
{
    char *body;

    RUN(batch_rule_cases);
    body = batch_write_body(13, 13);
    run_body(DDB_OP_BatchWriteItem, body, VAL, "Too many items requested for the BatchWriteItem call");
    free(body);
    body = batch_write_body(25, 1);
    run_body(DDB_OP_BatchWriteItem, body, VAL, "Too many items requested for the BatchWriteItem call");
    free(body);
    body = batch_write_body(12, 13);
    run_body(DDB_OP_BatchWriteItem, body, OK, NULL);
    free(body);
    body = batch_get_body(51, 50);
    run_body(DDB_OP_BatchGetItem, body, VAL, "Too many items requested for the BatchGetItem call");
    free(body);
    body = batch_get_body(50, 50);
    run_body(DDB_OP_BatchGetItem, body, OK, NULL);
    free(body);
}

/* ---- custom rules: CreateTable and UpdateTable ---- */

static const vcase table_rule_cases[] = {
    {DDB_OP_CreateTable, "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," KS_A "}", VAL,
     INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," KS_A "," PT1 ",\"BillingMode\":\"PAY_PER_REQUEST\"}", VAL,
     INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," KS_A ",\"ProvisionedThroughput\":{\"WriteCapacityUnits\":"
     "1000000000001,\"ReadCapacityUnits\":1000000000001}}",
     VAL, "Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," KS_A ",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":"
     "1000000000000,\"WriteCapacityUnits\":1000000000001}}",
     VAL, "Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[]," KS_A ",\"BillingMode\":\"PAY_PER_REQUEST\"}", VAL,
     "Invalid KeySchema: Some index key attribute have no definition"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[{\"AttributeName\":\"b\",\"AttributeType\":\"S\"}]," KS_A ","
     PT1 "}",
     VAL,
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," DEFS_AB ",\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"a\"},{\"KeyType\":"
     "\"HASH\",\"AttributeName\":\"a\"}]," PT1 "}",
     VAL, "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," DEFS_AB ",\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"a\"},{\"KeyType\":"
     "\"HASH\",\"AttributeName\":\"b\"}]," PT1 "}",
     VAL, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," DEFS_AB ",\"KeySchema\":[{\"KeyType\":\"RANGE\",\"AttributeName\":\"a\"},{\"KeyType\":"
     "\"HASH\",\"AttributeName\":\"b\"}]," PT1 "}",
     VAL, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
    {DDB_OP_CreateTable, "{\"TableName\":\"abc\"," DEFS_AB "," KS_A "," PT1 "}", VAL,
     INVALID "Number of attributes in KeySchema does not exactly match number of attributes defined in "
     "AttributeDefinitions"},
    {DDB_OP_CreateTable, TABLE_AB ",\"LocalSecondaryIndexes\":[]}", VAL,
     INVALID "List of LocalSecondaryIndexes is empty"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," DEFS_AB "," KS_A "," PT1 ",\"LocalSecondaryIndexes\":[" LSI("abc", "{}") "]}", VAL,
     INVALID "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"abc\",\"KeySchema\":[{\"AttributeName\":\"c\",\"KeyType\":"
     "\"RANGE\"},{\"AttributeName\":\"d\",\"KeyType\":\"RANGE\"}],\"Projection\":{}}]}",
     VAL,
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [c, d], AttributeDefinitions: "
     "[a, b]"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"abc\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":"
     "\"HASH\"}],\"Projection\":{}}]}",
     VAL, INVALID "Index KeySchema does not have a range key for index: abc"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"abc\",\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":"
     "\"HASH\"},{\"AttributeName\":\"a\",\"KeyType\":\"RANGE\"}],\"Projection\":{}}]}",
     VAL,
     INVALID "Index KeySchema does not have the same leading hash key as table KeySchema for index: abc. index hash "
     "key: b, table hash key: a"},
    {DDB_OP_CreateTable, TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("abc", "{}") "]}", VAL,
     INVALID "Unknown ProjectionType: null"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":["
     LSI("abc", "{\"ProjectionType\":\"ALL\",\"NonKeyAttributes\":[\"a\"]}") "]}",
     VAL, INVALID "ProjectionType is ALL, but NonKeyAttributes is specified"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("abc", "{\"ProjectionType\":\"ALL\"}") "," LSI(
         "abc", "{\"ProjectionType\":\"ALL\"}") "]}",
     VAL, INVALID "Duplicate index name: abc"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("ab1", "{\"ProjectionType\":\"ALL\"}") "," LSI(
         "ab2", "{\"ProjectionType\":\"ALL\"}") "," LSI("ab3", "{\"ProjectionType\":\"ALL\"}") "," LSI(
         "ab4", "{\"ProjectionType\":\"ALL\"}") "," LSI("ab5", "{\"ProjectionType\":\"ALL\"}") "," LSI(
         "ab6", "{\"ProjectionType\":\"ALL\"}") "]}",
     VAL, INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of 5"},
    {DDB_OP_CreateTable, TABLE_AB ",\"GlobalSecondaryIndexes\":[]}", VAL,
     INVALID "List of GlobalSecondaryIndexes is empty"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("abc", "{\"ProjectionType\":\"ALL\"}")
     "],\"GlobalSecondaryIndexes\":[" GSI("abc", "{\"ProjectionType\":\"ALL\"}") "]}",
     VAL, INVALID "Duplicate index name: abc"},
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," DEFS_AB "," KS_A ",\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":["
     "{\"IndexName\":\"abc\"," IDX_KS_AB ",\"Projection\":{\"ProjectionType\":\"ALL\"}}," GSI(
         "abd", "{\"ProjectionType\":\"ALL\"}") "]}",
     VAL,
     INVALID "ProvisionedThroughput should not be specified for index: abd when BillingMode is PAY_PER_REQUEST"},
    {DDB_OP_CreateTable, TABLE_AB "}", OK, NULL},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("lsi", "{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"c\"]}")
     "],\"GlobalSecondaryIndexes\":[" GSI("gsi", "{\"ProjectionType\":\"KEYS_ONLY\"}") "]}",
     OK, NULL},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\"}", VAL,
     NOTHING_TO_UPDATE},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"GlobalSecondaryIndexUpdates\":[]}", VAL,
     NOTHING_TO_UPDATE},
    {DDB_OP_UpdateTable,
     "{\"TableName\":\"abc\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1e13}}", VAL,
     "Given value 10000000000000 for WriteCapacityUnits is out of bounds"},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\",\"GlobalSecondaryIndexUpdates\":[{}]}", VAL,
     INVALID "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
     "GlobalSecondaryIndexUpdate.Delete must not be null"},
    {DDB_OP_UpdateTable,
     "{\"TableName\":\"abc\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"abc\"}},{\"Delete\":"
     "{\"IndexName\":\"abc\"}}]}",
     VAL, INVALID "Only one global secondary index update per index is allowed simultaneously. Index: abc"},
    {DDB_OP_UpdateTable,
     "{\"TableName\":\"abc\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"abc\","
     "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000000000001,\"WriteCapacityUnits\":1}}}]}",
     VAL, "Given value 1000000000001 for ReadCapacityUnits is out of bounds for index abc"},
    {DDB_OP_UpdateTable, "{\"TableName\":\"abc\"," PT1 "}", OK, NULL},
};

TEST(validate_table_rules)
{
    RUN(table_rule_cases);
}

TEST(validate_gsi_limit)
{
    char *body = malloc(32768);
    size_t len = (size_t)sprintf(body, "%s", TABLE_AB ",\"GlobalSecondaryIndexes\":[");

    ASSERT(body != NULL);
    for (int i = 0; i < 21; i++)
        len += (size_t)sprintf(body + len, "%s{\"IndexName\":\"abc%d\"," IDX_KS_AB
                                           ",\"Projection\":{\"ProjectionType\":\"ALL\"}," PT1 "}",
                               i ? "," : "", i);
    strcpy(body + len, "]}");
    run_body(DDB_OP_CreateTable, body, VAL, INVALID "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    free(body);
}

/* ---- CreateTable and UpdateTable: the rules DynamoDB added after dynalite ---- */

#define PPR "\"BillingMode\":\"PAY_PER_REQUEST\""
#define DEF(n) "{\"AttributeName\":\"" n "\",\"AttributeType\":\"S\"}"
#define HASH(n) "{\"AttributeName\":\"" n "\",\"KeyType\":\"HASH\"}"
#define RANGE(n) "{\"AttributeName\":\"" n "\",\"KeyType\":\"RANGE\"}"
/* An on-demand table keyed by a, with the given definitions and members. */
#define TABLE_A(defs, rest) "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" defs "]," KS_A rest "}"
#define ONE_GSI(ks, proj)                                                                                              \
    ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[" ks "],\"Projection\":" proj "}]"
#define ALL "{\"ProjectionType\":\"ALL\"}"
#define INCLUDE(list) "{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[" list "]}"
#define NKA_LENGTH                                                                                                     \
    "Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length "    \
    "greater than or equal to 1]"
#define TABLE_CLASS                                                                                                    \
    "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, "             \
    "STANDARD_INFREQUENT_ACCESS]."
#define STREAM_ENUM "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"
#define UPDATE(rest) "{\"TableName\":\"abc\"," rest "}"
#define CREATE_GSI(ks, proj) "{\"Create\":{\"IndexName\":\"gsi\",\"KeySchema\":[" ks "],\"Projection\":" proj "}}"

static const vcase create_definition_cases[] = {
    /* the same name twice, with the same or another type */
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("a"), ""), VAL, "Attribute Name is duplicated: a"},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") ",{\"AttributeName\":\"a\",\"AttributeType\":\"N\"}", ""), VAL, "Attribute Name is duplicated: a"},
    /* after the billing rules, before the key schema's */
    {DDB_OP_CreateTable, "{\"TableName\":\"abc\",\"AttributeDefinitions\":[" DEF("a") "," DEF("a") "]," KS_A "}", VAL,
     INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
    {DDB_OP_CreateTable, TABLE_A(DEF("b") "," DEF("c") "," DEF("b"), ""), VAL, "Attribute Name is duplicated: b"},
    /* with indexes, every definition must be some key's; "keys used" is printed in java.util.HashSet order */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" DEF("sk") "," DEF("a") "," DEF("b") "," DEF("pk") ","
     DEF("c") "],\"KeySchema\":[" HASH("pk") "," RANGE("sk") "]" ONE_GSI(HASH("a"), ALL) "}",
     VAL, INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: [sk, a, b, pk, c], keys used: [a, sk, pk]"},
    /* ... after the index rules (dynalite's captured "List of LocalSecondaryIndexes is empty" beside
       an unused definition; moto's and Dynoxide's order) */
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("g") "," DEF("x"), ONE_GSI(HASH("g"), "{}")), VAL,
     INVALID "Unknown ProjectionType: null"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), ALL)), OK, NULL},
};

TEST(validate_create_table_definitions)
{
    RUN(create_definition_cases);
}

static const vcase projection_cases[] = {
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), "{\"ProjectionType\":\"INCLUDE\"}")), VAL,
     INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
    {DDB_OP_CreateTable,
     TABLE_AB ",\"LocalSecondaryIndexes\":[" LSI("lsi", "{\"ProjectionType\":\"INCLUDE\"}") "]}", VAL,
     INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), INCLUDE("\"x\",\"y\",\"x\""))), VAL,
     INVALID "Duplicate element in NonKeyAttributes: x"},
    /* at most 20 per index, as a constraint */
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), INCLUDE("\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\","
             "\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\""))),
     VAL,
     "1 validation error detected: " AT("'[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]'",
                                        "globalSecondaryIndexes.1.member.projection.nonKeyAttributes")
     "Member must have length less than or equal to 20"},
    /* names are 1-255 characters; reported like a constraint, before the other rules */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\",\"AttributeDefinitions\":[" DEF("a") "," DEF("g") "]," KS_A
     ONE_GSI(HASH("g"), INCLUDE("\"x\",\"\"")) "}",
     VAL, "1 validation error detected: " AT("'[x, ]'", "globalSecondaryIndexes.1.member.projection.nonKeyAttributes")
     NKA_LENGTH},
};

TEST(validate_projection_rules)
{
    char *body = malloc(4096), *name = malloc(300);
    char want[2048];

    RUN(projection_cases);
    ASSERT(body != NULL && name != NULL);
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(body, 4096, TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), INCLUDE("\"%s\""))), name);
    snprintf(want, sizeof(want), "1 validation error detected: " AT("'[%s]'",
             "globalSecondaryIndexes.1.member.projection.nonKeyAttributes") NKA_LENGTH, name);
    run_body(DDB_OP_CreateTable, body, VAL, want);
    name[255] = '\0';
    snprintf(body, 4096, TABLE_A(DEF("a") "," DEF("g"), ONE_GSI(HASH("g"), INCLUDE("\"%s\""))), name);
    run_body(DDB_OP_CreateTable, body, OK, NULL);
    free(body);
    free(name);
}

/* Five LSIs of 20 and a GSI of n NonKeyAttributes. */
static char *projected_body(int n)
{
    char *body = malloc(16384);
    size_t len = (size_t)sprintf(body, "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" DEF("a") "," DEF("b")
                                       "," DEF("g") "]," KS_AB ",\"LocalSecondaryIndexes\":[");
    for (int i = 0; i < 5; i++) {
        len += (size_t)sprintf(body + len, "%s{\"IndexName\":\"lsi%d\"," IDX_KS_AB ",\"Projection\":"
                                           "{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[", i ? "," : "", i);
        for (int k = 0; k < 20; k++)
            len += (size_t)sprintf(body + len, "%s\"l%d_%d\"", k ? "," : "", i, k);
        len += (size_t)sprintf(body + len, "]}}");
    }
    len += (size_t)sprintf(body + len, "],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[" HASH("g")
                                       "],\"Projection\":{\"ProjectionType\":\"%s\"",
                           n > 0 ? "INCLUDE" : "KEYS_ONLY");
    for (int k = 0; k < n; k++)
        len += (size_t)sprintf(body + len, "%s\"g%d\"", k ? "," : ",\"NonKeyAttributes\":[", k);
    sprintf(body + len, "%s}}]}", n > 0 ? "]" : "");
    return body;
}

TEST(validate_projected_total)
{
    char *body = projected_body(1);
    run_body(DDB_OP_CreateTable, body, VAL,
             INVALID "Number of NonKeyAttributes summed across all secondary indexes exceeds per-table limit of 100");
    free(body);
    body = projected_body(0);
    run_body(DDB_OP_CreateTable, body, OK, NULL);
    free(body);
}

TEST(validate_key_name_lengths)
{
    char body[2048], name[300], want[1024];

    memset(name, 'k', 256);
    name[256] = '\0';
    /* a long definition is reported before the key schema is found not to match it */
    snprintf(body, sizeof(body), TABLE_A(DEF("%s"), ""), name);
    snprintf(want, sizeof(want), "1 validation error detected: " AT("'%s'", "attributeDefinitions.1.member.attributeName")
             "Member must have length less than or equal to 255", name);
    run_body(DDB_OP_CreateTable, body, VAL, want);
    snprintf(body, sizeof(body), "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" DEF("a") "],"
             "\"KeySchema\":[" HASH("%s") "]}", name);
    snprintf(want, sizeof(want), "1 validation error detected: " AT("'%s'", "keySchema.1.member.attributeName")
             "Member must have length less than or equal to 255", name);
    run_body(DDB_OP_CreateTable, body, VAL, want);
    snprintf(body, sizeof(body), TABLE_A(DEF("a") "," DEF("%s"), ONE_GSI(HASH("%s"), ALL)), name, name);
    snprintf(want, sizeof(want), "2 validation errors detected: " AT("'%s'", "attributeDefinitions.2.member.attributeName")
             "Member must have length less than or equal to 255; " AT("'%s'",
             "globalSecondaryIndexes.1.member.keySchema.1.member.attributeName")
             "Member must have length less than or equal to 255", name, name);
    run_body(DDB_OP_CreateTable, body, VAL, want);
    run_body(DDB_OP_CreateTable, TABLE_A("{\"AttributeName\":\"\",\"AttributeType\":\"S\"}", ""), VAL,
             "1 validation error detected: " AT("''", "attributeDefinitions.1.member.attributeName")
             "Member must have length greater than or equal to 1");
    name[255] = '\0';
    snprintf(body, sizeof(body), "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" DEF("%s") "],"
             "\"KeySchema\":[" HASH("%s") "]}", name, name);
    run_body(DDB_OP_CreateTable, body, OK, NULL);
}

static const vcase index_name_cases[] = {
    /* a GSI's constraint errors come before an LSI's, whatever the request's order */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," PPR "," DEFS_AB "," KS_AB ",\"LocalSecondaryIndexes\":[" LSI("l1", ALL) "],"
     "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"g1\",\"KeySchema\":[" HASH("b") "],\"Projection\":" ALL "}]}",
     VAL,
     "2 validation errors detected: " AT("'g1'", "globalSecondaryIndexes.1.member.indexName")
     "Member must have length greater than or equal to 3; " AT("'l1'", "localSecondaryIndexes.1.member.indexName")
     "Member must have length greater than or equal to 3"},
    /* a provisioned table's GSI needs its own throughput */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," PT1 ",\"AttributeDefinitions\":[" DEF("a") "," DEF("g") "]," KS_A
     ONE_GSI(HASH("g"), ALL) "}",
     VAL, INVALID "ProvisionedThroughput is not specified for index: gsi"},
};

TEST(validate_index_names_and_throughput)
{
    RUN(index_name_cases);
}

#define DEFS_A_TO_F DEF("a") "," DEF("b") "," DEF("c") "," DEF("d") "," DEF("e") "," DEF("f")

static const vcase multi_key_cases[] = {
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("b") "," DEF("c"), ONE_GSI(HASH("b") "," HASH("c"), ALL)), OK, NULL},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") "," DEF("b") "," DEF("c"), ONE_GSI(HASH("a") "," RANGE("b") "," RANGE("c"), ALL)), OK, NULL},
    {DDB_OP_CreateTable,
     TABLE_A(DEFS_A_TO_F "," DEF("g") "," DEF("h") "," DEF("i"),
             ONE_GSI(HASH("b") "," HASH("c") "," HASH("d") "," HASH("e") "," RANGE("f") "," RANGE("g")
                                      "," RANGE("h") "," RANGE("i"), ALL)),
     OK, NULL},
    {DDB_OP_CreateTable,
     TABLE_A(DEFS_A_TO_F, ONE_GSI(HASH("b") "," HASH("c") "," HASH("d") "," HASH("e") "," HASH("f"), ALL)), VAL,
     INVALID "The KeySchema exceeds the maximum allowed number of HASH key attributes"},
    {DDB_OP_CreateTable,
     TABLE_A(DEFS_A_TO_F "," DEF("g"), ONE_GSI(HASH("b") "," RANGE("c") "," RANGE("d") "," RANGE("e") "," RANGE("f") ","
                                      RANGE("g"), ALL)),
     VAL, INVALID "The KeySchema exceeds the maximum allowed number of RANGE key attributes"},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") "," DEF("b") "," DEF("c") "," DEF("d"), ONE_GSI(HASH("b") "," RANGE("c") "," HASH("d"), ALL)), VAL,
     INVALID "All HASH key attributes must precede RANGE key attributes in the KeySchema"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("b") "," DEF("c"), ONE_GSI(HASH("b") "," RANGE("c") "," RANGE("b"), ALL)),
     VAL, "The KeySchema contains multiple key attributes with the same name"},
    /* the classic texts stay for two elements and for the first one */
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("b"), ONE_GSI(HASH("b") "," HASH("b"), ALL)), VAL,
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("b") "," DEF("c"), ONE_GSI(RANGE("b") "," HASH("c"), ALL)), VAL,
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
    /* any other KeyType is the enum constraint's, as the table's (moto's test verified against AWS) */
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") "," DEF("b") "," DEF("c"), ONE_GSI(HASH("b") ",{\"AttributeName\":\"c\",\"KeyType\":\"X\"}", ALL)),
     VAL, "1 validation error detected: Value 'X' at 'globalSecondaryIndexes.1.member.keySchema.2.member.keyType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a") "," DEF("b") "," DEF("c") "," DEF("d"),
             ONE_GSI(HASH("b") "," RANGE("c") ",{\"AttributeName\":\"d\",\"KeyType\":\"X\"}", ALL)),
     VAL, "1 validation error detected: Value 'X' at 'globalSecondaryIndexes.1.member.keySchema.3.member.keyType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
    /* the key attributes must be defined, as before */
    {DDB_OP_CreateTable, TABLE_A(DEF("a") "," DEF("b"), ONE_GSI(HASH("b") "," HASH("c") "," RANGE("d"), ALL)), VAL,
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [b, c, d], AttributeDefinitions: "
     "[a, b]"},
    /* tables and local indexes keep one HASH and one RANGE */
    {DDB_OP_CreateTable,
     "{\"TableName\":\"abc\"," PPR ",\"AttributeDefinitions\":[" DEF("a") "," DEF("b") "," DEF("c") "],"
     "\"KeySchema\":[" HASH("a") "," RANGE("b") "],\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":["
     HASH("a") "," RANGE("b") "," RANGE("c") "],\"Projection\":" ALL "}]}",
     VAL,
     "1 validation error detected: Value '[KeySchemaElement(attributeName=a, keyType=HASH), KeySchemaElement("
     "attributeName=b, keyType=RANGE), KeySchemaElement(attributeName=c, keyType=RANGE)]' at 'localSecondaryIndexes.1.member."
     "keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"},
    {DDB_OP_CreateTable, TABLE_AB ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[" HASH("a") ","
     HASH("b") "],\"Projection\":" ALL "}]}",
     VAL, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
};

TEST(validate_multi_attribute_gsi_keys)
{
    RUN(multi_key_cases);
}

static const vcase class_and_stream_cases[] = {
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"TableClass\":\"FOO\""), VAL, TABLE_CLASS},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"TableClass\":\"standard\""), VAL, TABLE_CLASS},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"TableClass\":5"), SER, TRUNC " can not be converted to an String"},
    {DDB_OP_UpdateTable, UPDATE("\"TableClass\":\"FOO\""), VAL, TABLE_CLASS},
    {DDB_OP_UpdateTable, UPDATE("\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\""), OK, NULL},
    /* StreamEnabled is required; the view type is DynamoDB's enum */
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{}"), VAL,
     "1 validation error detected: " IS_NULL("streamSpecification.streamEnabled")},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamViewType\":\"KEYS_ONLY\"}"), VAL,
     "1 validation error detected: " IS_NULL("streamSpecification.streamEnabled")},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"new_image\"}"), VAL,
     "1 validation error detected: " AT("'new_image'", "streamSpecification.streamViewType") STREAM_ENUM},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":\"maybe\"}"), SER,
     "'MAYBE' can not be converted to an Boolean"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":true}"), VAL,
     INVALID "Table is being created with a stream enabled, UpdateViewType is required"},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":false,\"StreamViewType\":\"KEYS_ONLY\"}"), VAL,
     INVALID "Table is being created with a stream disabled, UpdateViewType should not be specified"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":false}"), OK, NULL},
    /* streams are enabled (the type pass reads "yes" as true) */
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"}"), OK,
     NULL},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":\"yes\",\"StreamViewType\":\"NEW_IMAGE\"}"), OK,
     NULL},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"TableClass\":\"FOO\",\"StreamSpecification\":{\"StreamEnabled\":true,"
                       "\"StreamViewType\":\"NEW_IMAGE\"}"),
     VAL, TABLE_CLASS},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("a"), ",\"TableClass\":\"FOO\",\"StreamSpecification\":{\"StreamEnabled\":true}"), VAL,
     INVALID "Table is being created with a stream enabled, UpdateViewType is required"},
    {DDB_OP_CreateTable,
     TABLE_A(DEF("b"), ",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"}"), VAL,
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
    {DDB_OP_UpdateTable, UPDATE("\"StreamSpecification\":{\"StreamEnabled\":true}"), VAL,
     INVALID "If stream is being enabled then UpdateViewType is required"},
    {DDB_OP_UpdateTable, UPDATE("\"StreamSpecification\":{\"StreamEnabled\":false,\"StreamViewType\":\"KEYS_ONLY\"}"),
     VAL, INVALID "If stream is being disabled, then UpdateViewType must not be specified"},
    {DDB_OP_UpdateTable, UPDATE("\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"}"),
     OK, NULL},
    {DDB_OP_UpdateTable, UPDATE("\"StreamSpecification\":{\"StreamEnabled\":false}"), OK, NULL},
    {DDB_OP_UpdateTable,
     UPDATE("\"TableClass\":\"x\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"}"),
     VAL, TABLE_CLASS},
    /* deletion protection: a Boolean, strings as the type pass reads them */
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"DeletionProtectionEnabled\":\"maybe\""), SER,
     "'MAYBE' can not be converted to an Boolean"},
    {DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"DeletionProtectionEnabled\":1"), SER,
     TRUNC " can not be converted to an Boolean"},
    {DDB_OP_UpdateTable, UPDATE("\"DeletionProtectionEnabled\":[]"), SER, "Start of list found where not expected"},
};

TEST(validate_table_class_and_streams)
{
    RUN(class_and_stream_cases);
}

/* Validates `body` (which must pass); the Boolean at in.<outer>[.<inner>], -1 if not a JSON Boolean, -2 on failure. */
static int validated_boolean(int op, const char *body, const char *outer, const char *inner)
{
    ddb_arena arena;
    ddb_req req;
    const ddb_json *in, *v;
    int out = -2;

    ddb_arena_init(&arena);
    memset(&req, 0, sizeof(req));
    req.arena = &arena;
    in = ddb_json_parse(&arena, body, strlen(body));
    if (in != NULL && ddb_validate(&req, spec_of(op), in) == DDB_OK) {
        v = ddb_json_get(in, outer);
        if (inner != NULL)
            v = ddb_json_get(v, inner);
        out = v != NULL && v->type == DDB_JSON_BOOL ? v->u.b : -1;
    }
    ddb_arena_free(&arena);
    return out;
}

/* Stored as sent, these members must be JSON Booleans: "false" was stored, then read as true. */
TEST(validate_booleans_stored_as_booleans)
{
    ASSERT_EQ(validated_boolean(DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"DeletionProtectionEnabled\":\"false\""),
                                "DeletionProtectionEnabled", NULL), 0);
    ASSERT_EQ(validated_boolean(DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"DeletionProtectionEnabled\":\"TRUE\""),
                                "DeletionProtectionEnabled", NULL), 1);
    ASSERT_EQ(validated_boolean(DDB_OP_UpdateTable, UPDATE("\"DeletionProtectionEnabled\":\"no\""),
                                "DeletionProtectionEnabled", NULL), 0);
    ASSERT_EQ(validated_boolean(DDB_OP_UpdateTable, UPDATE("\"DeletionProtectionEnabled\":\"1\""),
                                "DeletionProtectionEnabled", NULL), 1);
    ASSERT_EQ(validated_boolean(DDB_OP_UpdateTable, UPDATE("\"DeletionProtectionEnabled\":false"),
                                "DeletionProtectionEnabled", NULL), 0);
    ASSERT_EQ(validated_boolean(DDB_OP_CreateTable, TABLE_A(DEF("a"), ",\"StreamSpecification\":{\"StreamEnabled\":\"0\"}"),
                                "StreamSpecification", "StreamEnabled"), 0);
    ASSERT_EQ(validated_boolean(DDB_OP_UpdateTable, UPDATE("\"StreamSpecification\":{\"StreamEnabled\":\"False\"}"),
                                "StreamSpecification", "StreamEnabled"), 0);
}

static const vcase update_index_cases[] = {
    /* an empty list counts as absent for "at least one", and is refused beside another change */
    {DDB_OP_UpdateTable, UPDATE("\"GlobalSecondaryIndexUpdates\":[],\"DeletionProtectionEnabled\":true"), VAL,
     INVALID "List of GlobalSecondaryIndexUpdates is empty"},
    {DDB_OP_UpdateTable, UPDATE("\"MultiRegionConsistency\":\"STRONG\""), VAL,
     "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
     "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, DeletionProtectionEnabled, "
     "OnDemandThroughput, WarmThroughput or TableClass is required"},
    /* one action per element */
    {DDB_OP_UpdateTable,
     UPDATE("\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"abc\"," PT1 "},\"Delete\":{\"IndexName\":"
            "\"abc\"}}]"),
     VAL, INVALID "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"},
    {DDB_OP_UpdateTable,
     UPDATE("\"GlobalSecondaryIndexUpdates\":[{},{\"Update\":{\"IndexName\":\"abc\"},\"Delete\":{\"IndexName\":"
            "\"abc\"}}]"),
     VAL, INVALID "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
     "GlobalSecondaryIndexUpdate.Delete must not be null"},
    /* ProvisionedThroughput is optional in Update and Create (on-demand tables) */
    {DDB_OP_UpdateTable, UPDATE("\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"abc\"}}]"), OK, NULL},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("g") "],\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"), ALL) "]"),
     OK, NULL},
    /* a Create's key attributes are defined by this request */
    {DDB_OP_UpdateTable, UPDATE("\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"), ALL) "]"), VAL,
     INVALID "AttributeDefinitions is not specified for index: gsi"},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("a") "],\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g") ","
            RANGE("a"), ALL) "]"),
     VAL,
     INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [g, a], AttributeDefinitions: "
     "[a]"},
    /* then the key and projection shapes of CreateTable's global indexes */
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("a") "," DEF("b") "," DEF("c") "],\"GlobalSecondaryIndexUpdates\":["
            CREATE_GSI(HASH("a") "," HASH("b") "," RANGE("c"), ALL) "]"),
     OK, NULL},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("a") "," DEF("b") "],\"GlobalSecondaryIndexUpdates\":["
            CREATE_GSI(HASH("a") "," RANGE("b") "," HASH("b"), ALL) "]"),
     VAL, INVALID "All HASH key attributes must precede RANGE key attributes in the KeySchema"},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("g") "],\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"),
            "{\"ProjectionType\":\"INCLUDE\"}") "]"),
     VAL, INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("g") "],\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"),
            INCLUDE("\"\"")) "]"),
     VAL,
     "1 validation error detected: " AT("'[]'", "globalSecondaryIndexUpdates.1.member.create.projection."
                                                "nonKeyAttributes") NKA_LENGTH},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[" DEF("g") "],\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"),
            INCLUDE("\"x\",\"x\"")) "]"),
     VAL, INVALID "Duplicate element in NonKeyAttributes: x"},
    /* an index named twice is reported before the Create's own rules */
    {DDB_OP_UpdateTable,
     UPDATE("\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{\"IndexName\":\"gsi\"}}," CREATE_GSI(HASH("g"), ALL) "]"),
     VAL, INVALID "Only one global secondary index update per index is allowed simultaneously. Index: gsi"},
    {DDB_OP_UpdateTable,
     UPDATE("\"AttributeDefinitions\":[{\"AttributeName\":\"g\",\"AttributeType\":\"X\"}],"
            "\"GlobalSecondaryIndexUpdates\":[" CREATE_GSI(HASH("g"), ALL) "]"),
     VAL, "1 validation error detected: " AT("'X'", "attributeDefinitions.1.member.attributeType")
     "Member must satisfy enum value set: [B, N, S]"},
};

TEST(validate_update_table_indexes)
{
    RUN(update_index_cases);
}

TEST(validate_spec_lookup)
{
    ASSERT_NULL(spec_of(DDB_OP_NONE));
    ASSERT_NULL(spec_of(DDB_OP__COUNT));
#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, ASSERT(spec_of(DDB_OP_##camel) == &ddb_spec_##snake);)
#include "proto/ops.def"
#undef X
}

/* ddb_v_known: what a request stores or echoes holds only the members the model has (issue 49). */
TEST(validate_known_members_only)
{
    static const char *const body =
        "{\"TableName\":\"abc\",\"Junk\":[[[1]]],\"BillingMode\":\"PROVISIONED\",\"BillingMode\":\"PAY_PER_REQUEST\","
        "\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"a\",\"X\":{}}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],"
        "\"Projection\":{\"Deep\":[[[[1]]]],\"ProjectionType\":\"ALL\"}}],\"SSESpecification\":null}";
    static const char *const want =
        "{\"TableName\":\"abc\",\"BillingMode\":\"PAY_PER_REQUEST\",\"KeySchema\":[{\"KeyType\":\"HASH\","
        "\"AttributeName\":\"a\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":"
        "\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}]}";
    ddb_arena arena;
    ddb_req req;
    ddb_buf out = {0};
    ddb_jw w;
    const ddb_json *in;

    ddb_arena_init(&arena);
    memset(&req, 0, sizeof(req));
    req.arena = &arena;
    in = ddb_json_parse(&arena, body, strlen(body));
    ASSERT_EQ(ddb_validate(&req, &ddb_spec_create_table, in), DDB_OK);
    ddb_jw_init(&w, &out);
    ddb_jw_json(&w, ddb_v_known(&arena, in, ddb_spec_create_table.fields));
    ASSERT_STR_EQ(out.data, want); /* in the order sent, the last of a repeated member */
    ASSERT(ddb_op_flags(DDB_OP_CreateTable) & DDB_OPF_AS_MODELED);
    ASSERT(!(ddb_op_flags(DDB_OP_PutItem) & DDB_OPF_AS_MODELED));
    ddb_buf_free(&out);
    ddb_arena_free(&arena);
}
