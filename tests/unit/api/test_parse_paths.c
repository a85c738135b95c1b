/*
 * tests/unit/api/test_parse_paths.c: a body read for the members that name its resources alone
 * (ddb_v_parse_paths, validate_view.c, with the paths of resources.def): what --auth decides a
 * large request on before its body is built (dispatch.c). Each holds the resource members as sent
 * and nothing else: a map's values and the members beside them unbuilt, a list to one past its
 * bound.
 */
#include <string.h>

#include "server/api/resources.h"
#include "server/api/validate/validate.h"
#include "test.h"

/* The body of op read for its resources, written back as JSON (arena memory). */
static const char *resources_of(ddb_arena *a, ddb_op op, const ddb_spec *spec, const char *body)
{
    const char *paths[8];
    size_t n;
    const ddb_res_member *m = ddb_res_of(op, &n);
    const ddb_json *tree;
    ddb_buf out = {0};
    ddb_jw w;
    char *s;

    for (size_t i = 0; i < n && i < 8; i++)
        paths[i] = m[i].path;
    if ((tree = ddb_v_parse_paths(a, body, strlen(body), spec->fields, paths, n)) == NULL)
        return NULL;
    ddb_jw_init(&w, &out);
    ddb_jw_json(&w, tree);
    s = ddb_arena_strndup(a, out.data, out.len);
    ddb_buf_free(&out);
    return s;
}

TEST(a_transaction_keeps_each_element_s_table_alone)
{
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_TransactWriteItems, &ddb_spec_transact_write_items,
                               "{\"ClientRequestToken\":\"x\",\"TransactItems\":["
                               "{\"Put\":{\"Item\":{\"pk\":{\"L\":[{\"N\":\"1\"}]}},\"TableName\":\"a\"}},"
                               "{\"ConditionCheck\":{\"TableName\":\"b\",\"Key\":{\"pk\":{\"S\":\"k\"}},"
                               "\"ExpressionAttributeNames\":{\"#a\":\"b\",\"#a\":\"c\"}},\"Junk\":[[1]]},"
                               "{\"Update\":{\"TableName\":\"c\",\"UpdateExpression\":\"SET a = :a\"},"
                               "\"Delete\":{\"TableName\":\"d\"}}]}"),
                  "{\"TransactItems\":[{\"Put\":{\"TableName\":\"a\"}},{\"ConditionCheck\":{\"TableName\":\"b\"}},"
                  "{\"Update\":{\"TableName\":\"c\"},\"Delete\":{\"TableName\":\"d\"}}]}");
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_TransactGetItems, &ddb_spec_transact_get_items,
                               "{\"TransactItems\":[{\"Get\":{\"TableName\":\"a\",\"Key\":{\"pk\":{\"S\":\"k\"}},"
                               "\"ProjectionExpression\":\"#p\"}}],\"ReturnConsumedCapacity\":\"TOTAL\"}"),
                  "{\"TransactItems\":[{\"Get\":{\"TableName\":\"a\"}}]}");
    ddb_arena_free(&a);
}

TEST(a_batch_keeps_its_table_names_and_no_more)
{
    ddb_arena a;

    ddb_arena_init(&a);
    /* a table's list: two empty objects stand for it, whatever it holds */
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_BatchWriteItem, &ddb_spec_batch_write_item,
                               "{\"RequestItems\":{\"t1\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"a\"}}}},"
                               "{\"DeleteRequest\":{\"Key\":{\"pk\":{\"S\":\"b\"}}}},{\"PutRequest\":{}}],"
                               "\"t2\":[{\"PutRequest\":{\"Item\":{}}}]},\"ReturnConsumedCapacity\":\"TOTAL\"}"),
                  "{\"RequestItems\":{\"t1\":[{},{}],\"t2\":[{}]}}");
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_BatchGetItem, &ddb_spec_batch_get_item,
                               "{\"RequestItems\":{\"t\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}],\"ConsistentRead\":true,"
                               "\"ExpressionAttributeNames\":{\"#p\":\"pk\"}}}}"),
                  "{\"RequestItems\":{\"t\":{}}}");
    ddb_arena_free(&a);
}

TEST(a_query_keeps_its_table_and_index)
{
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_Query, &ddb_spec_query,
                               "{\"KeyConditionExpression\":\"#a = :v\",\"TableName\":\"t\","
                               "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"k\"}},\"IndexName\":\"i\","
                               "\"ExpressionAttributeNames\":{\"#a\":\"pk\"}}"),
                  "{\"TableName\":\"t\",\"IndexName\":\"i\"}");
    /* a member of another type is built as sent (the whole parse's type pass refuses it) */
    ASSERT_STR_EQ(resources_of(&a, DDB_OP_Scan, &ddb_spec_scan, "{\"TableName\":[\"t\",{\"x\":1}],\"Limit\":1}"),
                  "{\"TableName\":[\"t\",{\"x\":1}]}");
    ASSERT_NULL(resources_of(&a, DDB_OP_Scan, &ddb_spec_scan, "{\"TableName\":\"t\",\"Limit\":}"));
    ddb_arena_free(&a);
}

/* A transaction's list is built to one past its 100, as the whole parse builds it. */
TEST(a_transaction_of_150_is_read_to_101)
{
    ddb_arena a;
    ddb_buf body = {0};
    const char *paths[1] = {"TransactItems[].Get.TableName"};
    const ddb_json *tree, *items;

    ddb_arena_init(&a);
    ddb_buf_puts(&body, "{\"TransactItems\":[");
    for (int i = 0; i < 150; i++)
        ddb_buf_puts(&body, i ? ",{\"Get\":{\"TableName\":\"t\"}}" : "{\"Get\":{\"TableName\":\"t\"}}");
    ddb_buf_puts(&body, "]}");
    tree = ddb_v_parse_paths(&a, body.data, body.len, ddb_spec_transact_get_items.fields, paths, 1);
    ASSERT(tree != NULL);
    items = ddb_json_get(tree, "TransactItems");
    ASSERT(items != NULL && items->type == DDB_JSON_ARRAY);
    ASSERT_EQ(items->n, 101);
    ddb_buf_free(&body);
    ddb_arena_free(&a);
}
