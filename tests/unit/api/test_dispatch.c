/*
 * tests/unit/api/test_dispatch.c: in-process request tests. Requests go through ddb_dispatch() (the
 * whole pipeline: parse, validation, handler, storage) against an in-memory store, with no
 * sockets (tests/harness/inproc.h), so the sanitizer build covers the server's code paths end to
 * end.
 */
#include <stdlib.h>

#include "test.h"
#include "tests/harness/inproc.h"

/* The file's one server (in memory, 3 shards) and its client, opened by the first request. */
static inproc_client *client(void)
{
    static inproc_client c;
    static inproc_server *srv;

    if (srv == NULL) {
        if ((srv = inproc_open(NULL, 3)) == NULL)
            abort();
        inproc_client_init(&c, srv->api);
    }
    return &c;
}

static inproc_result call(const char *op, const char *body)
{
    return inproc_call(client(), op, body);
}

#define CALL_OK(op, body) INPROC_CALL_OK_ELSE(return, client(), op, "%s", body)

#define KEYS_HR "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]"
#define DEFS_HR "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]"

TEST(table_lifecycle_and_errors)
{
    inproc_result r;

    CALL_OK("CreateTable", "{\"TableName\":\"life\"," KEYS_HR "," DEFS_HR ",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    r = call("CreateTable", "{\"TableName\":\"life\"," KEYS_HR "," DEFS_HR ",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    ASSERT_EQ(r.code, DDB_E_RESOURCE_IN_USE);
    ASSERT_STR_EQ(r.msg, "Table already exists: life");
    r = call("DescribeTable", "{\"TableName\":\"life\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT(strstr(r.body, "\"TableStatus\":\"ACTIVE\"") != NULL);
    ASSERT(strstr(r.body, "\"ItemCount\":0") != NULL);
    CALL_OK("DeleteTable", "{\"TableName\":\"life\"}");
    r = call("DescribeTable", "{\"TableName\":\"life\"}");
    ASSERT_EQ(r.code, DDB_E_RESOURCE_NOT_FOUND);
    ASSERT_STR_EQ(r.msg, "Requested resource not found: Table: life not found");
}

TEST(pipeline_order_of_errors)
{
    inproc_result r = call("ListTables", "{not json");

    ASSERT_EQ(r.code, DDB_E_SERIALIZATION);
    r = call("NoSuchOp", "{}");
    ASSERT_EQ(r.code, DDB_E_UNKNOWN_OPERATION);
    r = call("ListTables", "{\"Limit\":0}");
    ASSERT_EQ(r.code, DDB_E_VALIDATION);
    ASSERT_STR_EQ(r.msg, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
                         "must have value greater than or equal to 1");
    r = call("GetItem", "{\"TableName\":\"missing\",\"Key\":{\"pk\":{\"S\":\"a\"}}}");
    ASSERT_EQ(r.code, DDB_E_RESOURCE_NOT_FOUND);
    ASSERT_STR_EQ(r.msg, "Requested resource not found");
}

TEST(items_round_trip_and_conditions_guard_writes)
{
    inproc_result r;

    CALL_OK("CreateTable", "{\"TableName\":\"items\"," KEYS_HR "," DEFS_HR ",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    CALL_OK("PutItem", "{\"TableName\":\"items\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.50\"},\"c\":{\"N\":\"1\"}}}");
    r = call("GetItem", "{\"TableName\":\"items\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"}}}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT_STR_EQ(r.body, "{\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"},\"c\":{\"N\":\"1\"}}}");
    r = call("PutItem", "{\"TableName\":\"items\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"}},"
                        "\"ConditionExpression\":\"attribute_not_exists(pk)\"}");
    ASSERT_EQ(r.code, DDB_E_CONDITIONAL_CHECK_FAILED);
    ASSERT_STR_EQ(r.msg, "The conditional request failed");
    r = call("UpdateItem", "{\"TableName\":\"items\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"}},"
                           "\"UpdateExpression\":\"SET c = c + :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}},"
                           "\"ReturnValues\":\"UPDATED_NEW\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT_STR_EQ(r.body, "{\"Attributes\":{\"c\":{\"N\":\"2\"}}}");
    r = call("DeleteItem", "{\"TableName\":\"items\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"}},"
                           "\"ReturnValues\":\"ALL_OLD\"}");
    ASSERT_EQ(r.code, DDB_OK);
    ASSERT(strstr(r.body, "\"c\":{\"N\":\"2\"}") != NULL);
    r = call("GetItem", "{\"TableName\":\"items\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1.5\"}}}");
    ASSERT_STR_EQ(r.body, "{}");
}

/* Copies the JSON object that starts at p (balanced braces; no braces inside strings here). */
static void balanced_object(const char *p, char *out, size_t cap)
{
    int depth = 0;
    size_t n = 0;

    do {
        if (*p == '{')
            depth++;
        else if (*p == '}')
            depth--;
        if (n + 1 < cap)
            out[n++] = *p;
        p++;
    } while (depth > 0 && *p);
    out[n] = '\0';
}

TEST(query_pages_in_sort_key_order)
{
    char body[512];
    inproc_result r;
    int seen = 0;
    char start[128] = "";

    CALL_OK("CreateTable", "{\"TableName\":\"paged\"," KEYS_HR "," DEFS_HR ",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    for (int i = 9; i >= -9; i--) {
        snprintf(body, sizeof(body), "{\"TableName\":\"paged\",\"Item\":{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"%d\"}}}", i);
        CALL_OK("PutItem", body);
    }
    for (int page = 0; page < 10; page++) {
        const char *lek;
        snprintf(body, sizeof(body),
                 "{\"TableName\":\"paged\",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":"
                 "{\":p\":{\"S\":\"p\"}},\"Limit\":5%s%s%s}",
                 start[0] ? ",\"ExclusiveStartKey\":" : "", start, "");
        r = call("Query", body);
        ASSERT_EQ(r.code, DDB_OK);
        for (const char *p = strstr(r.body, "\"sk\":{\"N\":\""); p != NULL; p = strstr(p + 1, "\"sk\":{\"N\":\"")) {
            if (strncmp(r.body, "{\"Items\"", 8) == 0 && (lek = strstr(r.body, "LastEvaluatedKey")) != NULL && p > lek)
                break;
            ASSERT_EQ(atoi(p + 11), seen - 9); /* -9, -8, ... 9 in numeric order */
            seen++;
        }
        lek = strstr(r.body, "\"LastEvaluatedKey\":");
        if (lek == NULL)
            break;
        balanced_object(lek + 19, start, sizeof(start));
    }
    ASSERT_EQ(seen, 19);
}
