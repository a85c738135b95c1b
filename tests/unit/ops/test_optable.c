/*
 * tests/unit/ops/test_optable.c: the operation rows (proto/ops.def) and what is generated from them,
 * where a wrong row would still compile: a row whose snake name belongs to another operation (it
 * would call that operation's handler), a served operation missing from the table, the names and
 * services X-Amz-Target resolves, the client-visible `allow=read` set, and the answer of the
 * operations ddbd does not serve.
 */
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/auth/auth.h"
#include "server/api/dispatch.h"
#include "server/ops/handlers.h"
#include "server/ops/optable.h"
#include "test.h"
#include "tests/harness/inproc.h"

static const struct {
    ddb_op op;
    const char *camel, *snake;
    int service;
    ddb_handler handler; /* NULL: MISSING */
    const ddb_spec *spec;
} ROWS[] = {
#define X(camel, snake, svc, impl, flags)                                                                              \
    {DDB_OP_##camel,                                                                                                   \
     #camel,                                                                                                           \
     #snake,                                                                                                           \
     DDB_SVC_##svc,                                                                                                    \
     DDB_HANDLED_OR_NULL(impl, ddb_op_##snake),                                                                        \
     DDB_HANDLED_OR_NULL(impl, &ddb_spec_##snake)},
#include "proto/ops.def"
#undef X
};
#define NROWS (sizeof(ROWS) / sizeof(ROWS[0]))

static const char *const PREFIX[] = {[DDB_SVC_DYNAMODB] = "DynamoDB_20120810.",
                                     [DDB_SVC_STREAMS] = "DynamoDBStreams_20120810."};

/* "DescribeTimeToLive" -> "describe_time_to_live" */
static void snake_of(const char *camel, char *out, size_t size)
{
    size_t n = 0;

    for (const char *p = camel; *p && n + 2 < size; p++) {
        if (isupper((unsigned char)*p) && p != camel)
            out[n++] = '_';
        out[n++] = (char)tolower((unsigned char)*p);
    }
    out[n] = '\0';
}

TEST(optable_rows_are_consistent)
{
    int missing = 0;

    ASSERT_EQ(NROWS, DDB_OP__COUNT - 1);
    for (size_t i = 0; i < NROWS; i++) {
        char want[128];

        ASSERT_EQ(ROWS[i].op, (int)i + 1);
        snake_of(ROWS[i].camel, want, sizeof(want));
        if (strcmp(ROWS[i].snake, want) != 0)
            ddb_test_fail(__FILE__, __LINE__, "%s: snake name %s, want %s", ROWS[i].camel, ROWS[i].snake, want);
        ASSERT_STR_EQ(ddb_op_name(ROWS[i].op), ROWS[i].camel);
        missing += ROWS[i].handler == NULL;
    }
    /* the 15 ddbd has answered by name since 2026 less ListContributorInsights and the three
       resource-policy operations, served since, and 4 newer ones (the bulk operations; SearchVectors
       is served since issue 25), less the six of global tables 2017.11.29 and
       UpdateTableReplicaAutoScaling (issue 26), less the three Kinesis streaming destinations' and
       UpdateContributorInsights (issue 27), less the 4 bulk operations (issue 27) */
    ASSERT_EQ(missing, 0);
}

TEST(optable_entries_follow_the_rows)
{
    const ddb_api api = {.ops = ddb_op_table}; /* as the wiring hands the table over (server.c) */

    ASSERT_NULL(ddb_op_entry_of(&api, DDB_OP_NONE));
    ASSERT_NULL(ddb_op_entry_of(&api, DDB_OP__COUNT));
    ASSERT_NULL(ddb_op_entry_of(&api, -1));
    for (size_t i = 0; i < NROWS; i++) {
        const ddb_op_entry *e = ddb_op_entry_of(&api, ROWS[i].op);

        ASSERT(e != NULL);
        if (e->handler != ROWS[i].handler || e->spec != ROWS[i].spec)
            ddb_test_fail(__FILE__, __LINE__, "%s: the table's entry is not its row's", ROWS[i].camel);
        if ((e->handler == NULL) != (e->spec == NULL))
            ddb_test_fail(__FILE__, __LINE__, "%s: a handler without a spec, or a spec without one", ROWS[i].camel);
    }
}

TEST(optable_targets_resolve_in_their_service)
{
    char target[128];

    for (size_t i = 0; i < NROWS; i++) {
        int svc = ROWS[i].service;

        snprintf(target, sizeof(target), "%s%s", PREFIX[svc], ROWS[i].camel);
        ASSERT_EQ(ddb_op_from_target(target, strlen(target)), ROWS[i].op);
        snprintf(target, sizeof(target), "%s%s", PREFIX[!svc], ROWS[i].camel);
        ASSERT_EQ(ddb_op_from_target(target, strlen(target)), DDB_OP_NONE);
        ASSERT_EQ(ddb_op_from_name(ROWS[i].camel, strlen(ROWS[i].camel)), ROWS[i].op);
    }
    ASSERT_EQ(ddb_op_from_target("DynamoDB_20120810.", 18), DDB_OP_NONE);
    ASSERT_EQ(ddb_op_from_target("DynamoDB_20120810.PutItemX", 26), DDB_OP_NONE);
    ASSERT_EQ(ddb_op_from_target("DynamoDB_20120810.PutItem", 24), DDB_OP_NONE); /* a prefix of the name */
    ASSERT_EQ(ddb_op_from_name("PartiQLSelect", 13), DDB_OP_NONE);
}

/*
 * `allow=read` as it was published (a client-visible set: keys written for it must keep meaning
 * the same). Changing it is a deliberate change of --auth's behaviour: change this list with it.
 */
TEST(optable_allow_read_is_the_published_set)
{
    static const char *const READ[] = {
        "GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables", "TransactGetItems", "PartiQLSelect",
        "DescribeTimeToLive", "ListTagsOfResource", "DescribeContinuousBackups", "DescribeLimits", "DescribeEndpoints",
        "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords", "DescribeTableReplicaAutoScaling",
        "DescribeKinesisStreamingDestination", "DescribeContributorInsights", "DescribeBackup", "ListBackups",
        "ListContributorInsights", /* (served since the operation table: issue 24) */
        "SearchVectors",           /* (issue 25) */
        "GetResourcePolicy",       /* (issue 26; IAM lists it with the read actions) */
        "DescribeGlobalTable", "DescribeGlobalTableSettings", "ListGlobalTables", /* (issue 26; in
                                      AmazonDynamoDBReadOnlyAccess) */
    };
    static const char *const OTHER_ACTIONS[] = {"PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete",
                                                "NoSuchAction"};
    const size_t nother = sizeof(OTHER_ACTIONS) / sizeof(OTHER_ACTIONS[0]);
    char path[] = "/tmp/ddb_test_optable_XXXXXX";
    const char *keys = "AKIDREAD readsecret 111122223333 name=reader allow=read\n";
    int fd = mkstemp(path), allowed = 0;
    char *err = NULL;
    ddb_auth *auth;
    ddb_arena arena;
    ddb_req req;

    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, keys, strlen(keys)), (long long)strlen(keys));
    close(fd);
    auth = ddb_auth_load(path, &err);
    unlink(path);
    free(err);
    ASSERT(auth != NULL);
    ddb_arena_init(&arena);
    for (size_t i = 0; i < NROWS + nother; i++) {
        const char *action = i < NROWS ? ROWS[i].camel : OTHER_ACTIONS[i - NROWS];
        int want = 0, got;

        for (size_t k = 0; k < sizeof(READ) / sizeof(READ[0]); k++)
            want |= strcmp(READ[k], action) == 0;
        memset(&req, 0, sizeof(req));
        req.arena = &arena;
        req.access_key = "AKIDREAD";
        got = ddb_auth_allow(auth, &req, action, NULL, NULL) == DDB_OK;
        allowed += got;
        if (got != want)
            ddb_test_fail(__FILE__, __LINE__, "allow=read %s %s", want ? "refuses" : "allows", action);
    }
    ASSERT_EQ(allowed, (int)(sizeof(READ) / sizeof(READ[0])));
    ddb_arena_free(&arena);
    ddb_auth_free(auth);
}

/* Answered before anything is looked up, so a pipeline with no engine will do. */
static ddb_error dispatch_target(const char *target)
{
    static const ddb_api api = {.ops = ddb_op_table};
    static inproc_client c;

    if (c.api == NULL)
        inproc_client_init(&c, &api);
    return inproc_send(&c, target, "{}", 2).err; /* (its message lives in the arena until the next call) */
}

TEST(optable_missing_operations_name_themselves)
{
    char target[128], want[160];
    ddb_error err;

    for (size_t i = 0; i < NROWS; i++) {
        if (ROWS[i].handler != NULL)
            continue;
        snprintf(target, sizeof(target), "%s%s", PREFIX[ROWS[i].service], ROWS[i].camel);
        snprintf(want, sizeof(want), "ddbd does not implement the DynamoDB operation %s yet", ROWS[i].camel);
        err = dispatch_target(target);
        ASSERT_EQ(err.code, DDB_E_UNKNOWN_OPERATION);
        ASSERT_STR_EQ(err.msg, want);
        /* in the other service it is no operation at all */
        snprintf(target, sizeof(target), "%s%s", PREFIX[!ROWS[i].service], ROWS[i].camel);
        err = dispatch_target(target);
        ASSERT_EQ(err.code, DDB_E_UNKNOWN_OPERATION);
        ASSERT_NULL(err.msg);
    }
    err = dispatch_target("DynamoDB_20120810.Frobnicate");
    ASSERT_EQ(err.code, DDB_E_UNKNOWN_OPERATION);
    ASSERT_NULL(err.msg);
}
