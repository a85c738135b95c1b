/*
 * tests/unit/api/test_dispatch.c: in-process request tests. Requests go through ddb_dispatch() (the
 * whole pipeline: parse, validation, handler, storage) against an in-memory store, with no
 * sockets, so the sanitizer build covers the server's code paths end to end.
 */
#include <stdlib.h>

#include "ddb/ddb_status.h"
#include "server/api/dispatch.h"
#include "server/server.h"
#include "test.h"

typedef struct call_result {
    int code;
    const char *msg;
    const char *body;
} call_result;

static ddb_server srv;
static ddb_config cfg;
static ddb_arena arena;
static ddb_buf out;
static int opened;

static void open_server(void)
{
    char *err = NULL;

    if (opened)
        return;
    memset(&cfg, 0, sizeof(cfg));
    cfg.in_memory = 1;
    cfg.shards = 3;
    if (ddb_server_open(&srv, &cfg, &err) != 0) {
        fprintf(stderr, "cannot open: %s\n", err);
        abort();
    }
    ddb_arena_init(&arena);
    opened = 1;
}

static call_result call(const char *op, const char *body)
{
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    char target[128];
    ddb_req req;
    ddb_http_in in;
    call_result r;

    open_server();
    ddb_arena_reset(&arena);
    out.len = 0;
    memset(&req, 0, sizeof(req));
    req.arena = &arena;
    req.body = body;
    req.body_len = strlen(body);
    req.outbuf = &out;
    ddb_jw_init(&req.out, &out);
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
    memset(&in, 0, sizeof(in));
    in.target = target;
    in.target_len = strlen(target);
    in.auth = auth;
    in.auth_len = sizeof(auth) - 1;
    in.has_date = 1;
    ddb_dispatch(&srv.api, &req, &in);
    r.code = req.err.code;
    r.msg = req.err.msg ? req.err.msg : "";
    ddb_buf_putc(&out, '\0');
    r.body = out.data;
    return r;
}

#define CALL_OK(op, body)                                                                                              \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        call_result r_ = call(op, body);                                                                               \
        if (r_.code != DDB_OK) {                                                                                       \
            ddb_test_fail(__FILE__, __LINE__, "%s failed: %d %s", op, r_.code, r_.msg);                                \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

#define KEYS_HR "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]"
#define DEFS_HR "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]"

TEST(table_lifecycle_and_errors)
{
    call_result r;

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
    call_result r = call("ListTables", "{not json");

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
    call_result r;

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
    call_result r;
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
