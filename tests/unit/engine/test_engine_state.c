/*
 * tests/unit/engine/test_engine_state.c: two engines in one process share no state (issue 55,
 * item 2). --enforce-capacity's buckets and switch, Contributor Insights' sketches and the
 * hot-partition model were once process-wide: an engine with the option on throttled the other's
 * tables, and one engine's writes landed in the other's sketches for a table of the same id.
 * Each engine here is a whole server opened in the test's process (tests/harness/inproc.h), both
 * in memory, so their first tables have the same id.
 */
#include <stdlib.h>
#include <string.h>

#include "server/doors/insights_view.h"
#include "server/server.h"
#include "test.h"
#include "tests/harness/inproc.h"

/* A server with --enforce-capacity, opened as inproc_open opens one (it has no such setting). */
typedef struct throttled_server {
    ddb_server srv;
    ddb_config cfg;
} throttled_server;

static throttled_server *open_throttled(void)
{
    throttled_server *t = calloc(1, sizeof(*t));
    char *err = NULL;

    if (t == NULL)
        abort();
    t->cfg.in_memory = 1;
    t->cfg.shards = 3;
    t->cfg.enforce_capacity = 1;
    if (ddb_server_open(&t->srv, &t->cfg, &err) != 0) {
        fprintf(stderr, "cannot open the server: %s\n", err ? err : "?");
        abort();
    }
    return t;
}

static void close_throttled(throttled_server *t)
{
    ddb_server_close(&t->srv);
    free(t);
}

#define TABLE(name, billing)                                                                                           \
    "{\"TableName\":\"" name "\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"                     \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}]," billing "}"
#define PROVISIONED "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}"
#define ON_DEMAND "\"BillingMode\":\"PAY_PER_REQUEST\""

/* How many of n PutItems of table `name` were refused for throughput. */
static int refused_puts(inproc_client *c, const char *name, int n)
{
    int refused = 0;

    for (int i = 0; i < n; i++) {
        inproc_result r =
            inproc_callf(c, "PutItem", "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"k%d\"}}}", name, i);
        refused += r.code == DDB_E_THROUGHPUT_EXCEEDED;
    }
    return refused;
}

/* One engine with --enforce-capacity, one without, each with a table of 1 write unit a second:
   the first throttles a burst of writes, the second never does. */
TEST(throttling_is_one_engines)
{
    inproc_server *plain = inproc_open(NULL, 3);
    throttled_server *enforcing = open_throttled();
    inproc_client a, b;
    int refused_plain, refused_enforcing;

    ASSERT(plain != NULL);
    inproc_client_init(&a, &enforcing->srv.api);
    inproc_client_init(&b, plain->api);
    ASSERT_EQ(inproc_call(&a, "CreateTable", TABLE("slow", PROVISIONED)).code, DDB_OK);
    ASSERT_EQ(inproc_call(&b, "CreateTable", TABLE("slow", PROVISIONED)).code, DDB_OK);
    refused_enforcing = refused_puts(&a, "slow", 20);
    refused_plain = refused_puts(&b, "slow", 20);
    inproc_client_free(&a);
    inproc_client_free(&b);
    close_throttled(enforcing);
    inproc_close(plain);
    ASSERT(refused_enforcing > 0);
    ASSERT_EQ(refused_plain, 0);
}

/* Contributor Insights enabled on one engine's table: the other engine's writes to its own table
   of the same id are not among the first's keys. */
TEST(insights_are_one_engines)
{
    inproc_server *one = inproc_open(NULL, 3), *other = inproc_open(NULL, 3);
    inproc_client a, b;
    ddb_buf out = {0};
    int status;

    ASSERT(one != NULL && other != NULL);
    inproc_client_init(&a, one->api);
    inproc_client_init(&b, other->api);
    ASSERT_EQ(inproc_call(&a, "CreateTable", TABLE("tab", ON_DEMAND)).code, DDB_OK);
    ASSERT_EQ(inproc_call(&b, "CreateTable", TABLE("tab", ON_DEMAND)).code, DDB_OK);
    ASSERT_EQ(inproc_call(&a, "UpdateContributorInsights",
                          "{\"TableName\":\"tab\",\"ContributorInsightsAction\":\"ENABLE\"}")
                  .code,
              DDB_OK);
    ASSERT_EQ(inproc_call(&a, "PutItem", "{\"TableName\":\"tab\",\"Item\":{\"pk\":{\"S\":\"mine\"}}}").code, DDB_OK);
    ASSERT_EQ(inproc_call(&b, "PutItem", "{\"TableName\":\"tab\",\"Item\":{\"pk\":{\"S\":\"theirs\"}}}").code, DDB_OK);
    status = ddb_insights_admin(one->eng, "tab", 3, &out);
    ddb_buf_putc(&out, '\0');
    inproc_client_free(&a);
    inproc_client_free(&b);
    inproc_close(one);
    inproc_close(other);
    ASSERT_EQ(status, 200);
    ASSERT(strstr(out.data, "\"mine\"") != NULL);
    ASSERT(strstr(out.data, "\"theirs\"") == NULL);
    ddb_buf_free(&out);
}
