/*
 * tests/unit/api/test_resources.c: the list of resource-bearing members (server/api/resources.def)
 * and its walk (resources.c), and the ARN splitter the decision resolves names with (arn.c).
 */
#include <string.h>

#include "server/base/arn.h"
#include "server/api/resources.h"
#include "test.h"

/* ddb_res_each finds an operation's rows through an index that assumes they stand together. */
TEST(an_operation_s_rows_stand_together)
{
    size_t n;
    const ddb_res_member *m = ddb_res_list(&n);
    int seen[DDB_OP__COUNT] = {0};

    for (size_t i = 0; i < n; i++) {
        if (i > 0 && m[i].op != m[i - 1].op)
            ASSERT(!seen[m[i].op]);
        seen[m[i].op] = 1;
    }
}

/* Every served operation whose name says it works on a table has a decided row. */
TEST(every_operation_on_a_table_has_a_row)
{
    size_t n;
    const ddb_res_member *m = ddb_res_list(&n);

    for (int op = 1; op < DDB_OP__COUNT; op++) {
        const char *name = ddb_op_name((ddb_op)op);
        int rows = 0;
        for (size_t i = 0; i < n; i++)
            rows += (int)m[i].op == op && m[i].kind != DDB_RES_NONE;
        if (strcmp(name, "ListTables") == 0 || strcmp(name, "ListGlobalTables") == 0 ||
            strcmp(name, "DescribeEndpoints") == 0 || strcmp(name, "DescribeLimits") == 0 ||
            strcmp(name, "ListBulkOperations") == 0)
            ASSERT_EQ(rows, 0);
        else if (rows == 0)
            ddb_test_fail(__FILE__, __LINE__, "%s has no resource row", name);
    }
}

typedef struct seen {
    const char *texts[8];
    int n;
} seen;

static int collect(void *ctx, const ddb_res_member *m, const char *text)
{
    seen *s = ctx;
    (void)m;
    s->texts[s->n++] = text;
    return 0;
}

static const ddb_json *parse(ddb_arena *a, const char *text)
{
    return ddb_json_parse(a, text, strlen(text));
}

TEST(the_walk_finds_members_list_elements_and_map_keys)
{
    ddb_arena a;
    seen s = {0};
    int named;

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_res_each(DDB_OP_TransactWriteItems,
                           parse(&a, "{\"TransactItems\":[{\"Put\":{\"TableName\":\"a\"}},{\"Delete\":{\"TableName\":\"b\"}},"
                                     "{\"ConditionCheck\":{\"TableName\":\"c\"}}]}"),
                           collect, &s, &named),
              0);
    ASSERT(named);
    ASSERT_EQ(s.n, 3);
    ASSERT_STR_EQ(s.texts[0], "a"); /* the list's order: Put rows, then Delete, then ConditionCheck */
    ASSERT_STR_EQ(s.texts[1], "b");
    ASSERT_STR_EQ(s.texts[2], "c");
    s.n = 0;
    ASSERT_EQ(ddb_res_each(DDB_OP_BatchGetItem, parse(&a, "{\"RequestItems\":{\"x\":{},\"y\":{}}}"), collect, &s, &named),
              0);
    ASSERT_EQ(s.n, 2);
    s.n = 0;
    ASSERT_EQ(ddb_res_each(DDB_OP_ImportTable, parse(&a, "{\"TableCreationParameters\":{\"TableName\":\"t\"}}"), collect,
                           &s, &named),
              0);
    ASSERT_EQ(s.n, 1);
    ASSERT_STR_EQ(s.texts[0], "t");
    s.n = 0;
    /* a member of the wrong type names nothing (validation refuses it later) */
    ASSERT_EQ(ddb_res_each(DDB_OP_GetItem, parse(&a, "{\"TableName\":7}"), collect, &s, &named), 0);
    ASSERT(!named);
    ddb_arena_free(&a);
}

static int collect_place(void *ctx, const ddb_res_member *m, ddb_json *obj, uint32_t i, int key)
{
    seen *s = ctx;
    (void)m;
    s->texts[s->n++] = key ? obj->u.members[i].key : obj->u.members[i].val->u.s;
    return 0;
}

/* The walk that rewrites (validate_arn.c) sees what a handler reads: of a member sent twice the
   last, at every level, where the decision's walk sees both. */
TEST(the_places_walk_visits_what_a_handler_reads)
{
    ddb_arena a;
    seen s = {0};
    int named;
    const char *twice = "{\"TableName\":\"first\",\"TableName\":\"last\"}";

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_res_places(DDB_OP_GetItem, (ddb_json *)parse(&a, twice), collect_place, &s), 0);
    ASSERT_EQ(s.n, 1);
    ASSERT_STR_EQ(s.texts[0], "last");
    s.n = 0;
    ASSERT_EQ(ddb_res_each(DDB_OP_GetItem, parse(&a, twice), collect, &s, &named), 0);
    ASSERT_EQ(s.n, 2);
    s.n = 0;
    ASSERT_EQ(ddb_res_places(DDB_OP_TransactGetItems,
                             (ddb_json *)parse(&a, "{\"TransactItems\":[{\"Get\":{\"TableName\":\"a\"},"
                                                   "\"Get\":{\"TableName\":\"b\"}}]}"),
                             collect_place, &s),
              0);
    ASSERT_EQ(s.n, 1);
    ASSERT_STR_EQ(s.texts[0], "b");
    s.n = 0;
    ASSERT_EQ(ddb_res_places(DDB_OP_BatchWriteItem, (ddb_json *)parse(&a, "{\"RequestItems\":{\"x\":[],\"y\":[]}}"),
                             collect_place, &s),
              0);
    ASSERT_EQ(s.n, 2); /* a map's keys are each a place */
    ASSERT_STR_EQ(s.texts[1], "y");
    ddb_arena_free(&a);
}

static int stop(void *ctx, const ddb_res_member *m, const char *text)
{
    (void)m;
    (void)text;
    ++*(int *)ctx;
    return 42;
}

TEST(the_walk_stops_at_the_first_refusal)
{
    ddb_arena a;
    int calls = 0, named;

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_res_each(DDB_OP_BatchWriteItem, parse(&a, "{\"RequestItems\":{\"x\":[],\"y\":[]}}"), stop, &calls,
                           &named),
              42);
    ASSERT_EQ(calls, 1);
    ddb_arena_free(&a);
}

TEST(restore_targets_are_decided_for_the_reads_and_writes_that_fill_them)
{
    const char *const *acts = ddb_res_action_names(DDB_OP_RestoreTableFromBackup, DDB_RES_RESTORED);
    int n = 0;

    ASSERT_STR_EQ(acts[0], "RestoreTableFromBackup");
    while (acts[n] != NULL)
        n++;
    ASSERT_EQ(n, 8);
    ASSERT_STR_EQ(ddb_res_action_names(DDB_OP_TransactWriteItems, DDB_RES_CHECK)[0], "ConditionCheckItem");
}

static int split(const char *s, ddb_arn *a)
{
    return ddb_arn_split(s, strlen(s), a);
}

TEST(arns_split_by_one_rule)
{
    ddb_arn a;

    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1:111122223333:table/orders", &a), 0);
    ASSERT(a.name_len == 6 && memcmp(a.name, "orders", 6) == 0);
    ASSERT(a.sub == NULL);
    ASSERT_EQ(split("arn:aws:dynamodb:eu-west-1:111122223333:table/t/stream/2026-01-01T00:00:00.000", &a), 0);
    ASSERT(ddb_arn_is(&a, "stream"));
    ASSERT(a.id_len == 23);
    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1:1:table/t/backup/0123-abc", &a), 0);
    ASSERT(ddb_arn_is(&a, "backup") && !ddb_arn_is(&a, "stream"));
    ASSERT_EQ(split("arn:aws:dynamodb::1:global-table/g", &a), 0);
    ASSERT(a.name_len == 1 && a.name[0] == 'g');
    /* not DynamoDB's, or not whole */
    ASSERT_EQ(split("arn:aws:kinesis:us-east-1:1:stream/s", &a), -1);
    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1::table/t", &a), -1);
    ASSERT_EQ(split("arn:aws:dynamodb::1:table/t", &a), -1);
    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1:1:table/", &a), -1);
    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1:1:table/t/stream", &a), -1);
    ASSERT_EQ(split("arn:aws:dynamodb:us-east-1:1:tablex/t", &a), -1);
    ASSERT_EQ(split("orders", &a), -1);
}
