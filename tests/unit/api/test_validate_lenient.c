/*
 * tests/unit/api/test_validate_lenient.c: ddbd --lenient-numbers (ddb_v_coerce_numbers in
 * server/api/validate/validate_lenient.c), through ddb_dispatch() against an in-memory store
 * (tests/harness/inproc.h).
 *
 * By default a number sent as a JSON string is DynamoDB's SerializationException, with its exact
 * text; with the switch, a string holding a JSON number is read as exactly that number (limits
 * and validation messages included), and any other string still fails as DynamoDB fails it.
 */
#include <stdlib.h>

#include "test.h"
#include "tests/harness/inproc.h"

/* One request through the whole pipeline, with --lenient-numbers on or off, to the file's one
   server (in memory, 2 shards), opened by the first request. */
static inproc_result call(int lenient, const char *op, const char *body)
{
    static inproc_client c;
    static inproc_server *srv;

    if (srv == NULL) {
        if ((srv = inproc_open(NULL, 2)) == NULL)
            abort();
        inproc_client_init(&c, srv->api);
    }
    srv->api->lenient_numbers = lenient; /* what the pipeline reads (api/dispatch.h) */
    return inproc_call(&c, op, body);
}

#define STRICT 0
#define LENIENT 1
#define LONG_ERR "class java.lang.String can not be converted to an Long"
#define INT_ERR "class java.lang.String can not be converted to an Integer"

/* dynamodb-admin's Create Table form: capacities as strings, a GSI's too. */
#define ADMIN_TABLE(name, rcu, wcu)                                                                                    \
    "{\"TableName\":\"" name "\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":" rcu                                \
    ",\"WriteCapacityUnits\":" wcu "},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byColor\","                         \
    "\"KeySchema\":[{\"AttributeName\":\"color\",\"KeyType\":\"HASH\"}],"                                              \
    "\"Projection\":{\"ProjectionType\":\"ALL\"},\"ProvisionedThroughput\":"                                           \
    "{\"ReadCapacityUnits\":\"2\",\"WriteCapacityUnits\":\"4\"}}],"                                                    \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"AttributeDefinitions\":"                        \
    "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"color\",\"AttributeType\":\"S\"}]}"

TEST(default_refuses_numeric_strings_as_dynamodb_does)
{
    inproc_result r = call(STRICT, "CreateTable", ADMIN_TABLE("strict", "\"3\"", "\"3\""));

    ASSERT_EQ(r.code, DDB_E_SERIALIZATION);
    ASSERT_STR_EQ(r.msg, LONG_ERR);
    r = call(STRICT, "Query", "{\"TableName\":\"strict\",\"Limit\":\"5\"}");
    ASSERT_EQ(r.code, DDB_E_SERIALIZATION);
    ASSERT_STR_EQ(r.msg, INT_ERR);
    r = call(STRICT, "DescribeTable", "{\"TableName\":\"strict\"}");
    ASSERT_EQ(r.code, DDB_E_RESOURCE_NOT_FOUND);
}

TEST(lenient_reads_numeric_strings_as_those_numbers)
{
    inproc_result r = call(LENIENT, "CreateTable", ADMIN_TABLE("admin", "\"3\"", "\"3\""));

    ASSERT_EQ(r.code, DDB_OK);
    r = call(STRICT, "DescribeTable", "{\"TableName\":\"admin\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT(strstr(r.body, "\"ReadCapacityUnits\":3,\"WriteCapacityUnits\":3") != NULL);
    ASSERT(strstr(r.body, "\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":4") != NULL); /* the GSI's */

    /* a Limit as a string pages exactly as the number would */
    for (int i = 0; i < 3; i++) {
        char body[160];
        snprintf(body, sizeof(body), "{\"TableName\":\"admin\",\"Item\":{\"pk\":{\"S\":\"k%d\"}}}", i);
        ASSERT_EQ(call(STRICT, "PutItem", body).code, DDB_OK);
    }
    r = call(LENIENT, "Scan", "{\"TableName\":\"admin\",\"Limit\":\"2\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT(strstr(r.body, "\"Count\":2,") != NULL);
    ASSERT(strstr(r.body, "\"LastEvaluatedKey\"") != NULL);
    /* ... and is validated as that number, with DynamoDB's message for it */
    r = call(LENIENT, "Scan", "{\"TableName\":\"admin\",\"Limit\":\"0\"}");
    ASSERT_EQ(r.code, DDB_E_VALIDATION);
    ASSERT_STR_EQ(r.msg, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
                         "must have value greater than or equal to 1");
    r = call(LENIENT, "Scan", "{\"TableName\":\"admin\",\"Limit\":\"10\",\"Select\":\"COUNT\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT(strstr(r.body, "\"Count\":3,") != NULL);
    ASSERT_EQ(call(STRICT, "DeleteTable", "{\"TableName\":\"admin\"}").code, DDB_OK);
}

TEST(lenient_still_refuses_strings_that_are_not_json_numbers)
{
    static const char *const bad[] = {"\"\"", "\"abc\"", "\" 3\"", "\"3 \"", "\"+3\"", "\"0x10\"", "\"3.\"",
                                      "\".5\"", "\"1e\"", "\"--1\"", "\"01\"", "\"NaN\"", "\"Infinity\""};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[1024];
        inproc_result r;
        snprintf(body, sizeof(body), ADMIN_TABLE("badnum", "%s", "1"), bad[i]);
        r = call(LENIENT, "CreateTable", body);
        if (r.code != DDB_E_SERIALIZATION || strcmp(r.msg, LONG_ERR) != 0)
            ddb_test_fail(__FILE__, __LINE__, "ReadCapacityUnits %s: got %d \"%s\"", bad[i], r.code, r.msg);
    }
    /* the switch only turns strings into numbers: a number where a string belongs still fails */
    inproc_result r = call(LENIENT, "DescribeTable", "{\"TableName\":123}");
    ASSERT_EQ(r.code, DDB_E_SERIALIZATION);
    ASSERT_STR_EQ(r.msg,
                  "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
    /* and AttributeValues keep their own wire types: {"N": 5} is still refused */
    r = call(LENIENT, "GetItem", "{\"TableName\":\"badnum\",\"Key\":{\"pk\":{\"N\":5}}}");
    ASSERT_EQ(r.code, DDB_E_SERIALIZATION);
    ASSERT_EQ(call(STRICT, "DescribeTable", "{\"TableName\":\"badnum\"}").code, DDB_E_RESOURCE_NOT_FOUND);
}
