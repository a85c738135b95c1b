/*
 * tests/client/test_client_retry.c: the retry policy and the transport, against the scripted
 * fault server: throttling, conflicts and 503 are retried for every request; 500, a dropped
 * connection and a wrong x-amz-crc32 only for idempotent ones; connection reuse and timeouts.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "test.h"

/* One call through a fresh client against a fresh fault server; returns the status. */
typedef int (*call_fn)(ddb_client *c, ddb_result **out);

static int get_item(ddb_client *c, ddb_result **out)
{
    ddb_item *k = ddb_item_new();
    int rc;

    ddb_item_set_s(k, "pk", "a");
    rc = ddb_get_item(c, "t", k, NULL, out);
    ddb_item_free(k);
    return rc;
}

static int update_item(ddb_client *c, ddb_result **out)
{
    ddb_item *k = ddb_item_new();
    ddb_opts *o = ddb_opts_new();
    int rc;

    ddb_item_set_s(k, "pk", "a");
    ddb_item_set_int(ddb_opts_values(o), ":one", 1);
    rc = ddb_update_item(c, "t", k, "ADD n :one", o, out);
    ddb_opts_free(o);
    ddb_item_free(k);
    return rc;
}

static int conditional_put(ddb_client *c, ddb_result **out)
{
    ddb_item *it = ddb_item_new();
    ddb_opts *o = ddb_opts_new();
    int rc;

    ddb_item_set_s(it, "pk", "a");
    ddb_opts_set(o, DDB_P_ConditionExpression, "attribute_not_exists(pk)");
    rc = ddb_put_item(c, "t", it, o, out);
    ddb_opts_free(o);
    ddb_item_free(it);
    return rc;
}

static int search_vectors(ddb_client *c, ddb_result **out)
{
    ddb_list *v = ddb_list_new();
    int rc;

    ddb_list_append_n(v, "0.5");
    rc = ddb_search_vectors(c, "t", "vix", v, 5, NULL, out);
    ddb_list_free(v);
    return rc;
}

static int raw_search_vectors(ddb_client *c, ddb_result **out)
{
    static const char body[] =
        "{\"TableName\":\"t\",\"IndexName\":\"vix\",\"SearchVector\":[{\"N\":\"1\"}],\"TopK\":5}";

    return ddb_call(c, "SearchVectors", body, strlen(body), out);
}

typedef struct outcome {
    int status;
    unsigned attempts;
    int requests, accepts;
    char type[64];
} outcome;

static outcome run(const char *script, call_fn fn, unsigned max_retries)
{
    faultsrv *s = faultsrv_start(script);
    ddb_client *c = tc_client_for(faultsrv_endpoint(s), max_retries);
    ddb_result *r = NULL;
    outcome o;

    o.status = fn(c, &r);
    o.attempts = ddb_result_attempts(r);
    snprintf(o.type, sizeof(o.type), "%s", ddb_result_error_type(r));
    ddb_result_free(r);
    ddb_client_free(c);
    o.requests = faultsrv_requests(s);
    o.accepts = faultsrv_accepts(s);
    faultsrv_stop(s);
    return o;
}

TEST(throttling_is_retried_even_for_updates)
{
    outcome o = run("TTT", update_item, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 4);
    ASSERT_EQ(o.requests, 4);
}

TEST(conflicts_503_and_throttling_exception_are_retried)
{
    outcome o = run("CSW", conditional_put, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 4);
}

/* A STRONG global table's conflict is retry-safe (the SDKs retry it): nothing was applied. */
TEST(replicated_write_conflict_is_retried)
{
    outcome o = run("RR", update_item, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
    o = run("RRRR", update_item, 2);
    ASSERT_EQ(o.status, DDB_E_REPLICATED_WRITE_CONFLICT);
    ASSERT_STR_EQ(o.type, "ReplicatedWriteConflictException");
}

TEST(retries_stop_at_the_configured_maximum)
{
    outcome o = run("TTTTTTTTTT", get_item, 3);

    ASSERT_EQ(o.status, DDB_E_THROUGHPUT_EXCEEDED);
    ASSERT_EQ(o.attempts, 4);
    ASSERT_EQ(o.requests, 4);
    ASSERT_STR_EQ(o.type, "ProvisionedThroughputExceededException");
}

TEST(internal_error_is_retried_for_a_read)
{
    outcome o = run("II", get_item, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
}

TEST(internal_error_is_retried_for_a_vector_search)
{
    outcome o = run("II", search_vectors, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
    o = run("DI", raw_search_vectors, 5); /* a read through ddb_call too */
    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
}

TEST(internal_error_is_not_retried_for_an_update)
{
    outcome o = run("I", update_item, 5);

    ASSERT_EQ(o.status, DDB_E_INTERNAL);
    ASSERT_EQ(o.attempts, 1);
    ASSERT_EQ(o.requests, 1);
}

TEST(internal_error_is_not_retried_for_a_conditional_put)
{
    outcome o = run("I", conditional_put, 5);

    ASSERT_EQ(o.status, DDB_E_INTERNAL);
    ASSERT_EQ(o.requests, 1);
}

TEST(dropped_connection_is_retried_for_a_read)
{
    outcome o = run("DD", get_item, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
    ASSERT_EQ(o.accepts, 3); /* a dropped connection is never reused */
}

TEST(dropped_connection_is_not_retried_for_an_update)
{
    outcome o = run("D", update_item, 5);

    ASSERT_EQ(o.status, DDB_E_TRANSPORT);
    ASSERT_EQ(o.attempts, 1);
    ASSERT_EQ(o.requests, 1);
}

TEST(wrong_crc_is_a_protocol_error_retried_for_reads_only)
{
    outcome o = run("K", get_item, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 2);
    o = run("K", update_item, 5);
    ASSERT_EQ(o.status, DDB_E_PROTOCOL);
    ASSERT_EQ(o.attempts, 1);
}

TEST(unknown_error_type_is_kept)
{
    outcome o = run("U", get_item, 5);

    ASSERT_EQ(o.status, DDB_E_UNKNOWN_ERROR);
    ASSERT_EQ(o.attempts, 1);
    ASSERT_STR_EQ(o.type, "WeirdNewException");
}

TEST(timeout_is_a_transport_error)
{
    faultsrv *s = faultsrv_start("H");
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    ddb_result *r = NULL;

    ddb_config_set_endpoint(cfg, faultsrv_endpoint(s));
    ddb_config_set_timeouts(cfg, 500, 200);
    ddb_config_set_retries(cfg, 0, 1, 1);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ASSERT_EQ(update_item(c, &r), DDB_E_TRANSPORT);
    ASSERT(strstr(ddb_result_message(r), "timed out") != NULL);
    ddb_result_free(r);
    ddb_client_free(c);
    ddb_config_free(cfg);
    faultsrv_stop(s);
}

TEST(refused_connection_is_retried_then_reported)
{
    faultsrv *s = faultsrv_start("");
    char ep[64];
    ddb_client *c;
    ddb_result *r = NULL;

    snprintf(ep, sizeof(ep), "%s", faultsrv_endpoint(s));
    faultsrv_stop(s); /* nothing listens there any more */
    c = tc_client_for(ep, 2);
    ASSERT_EQ(update_item(c, &r), DDB_E_TRANSPORT); /* never sent, so even an update is retried */
    ASSERT_EQ(ddb_result_attempts(r), 3);
    ASSERT(strstr(ddb_result_message(r), "connect") != NULL);
    ddb_result_free(r);
    ddb_client_free(c);
}

TEST(keep_alive_reuses_one_connection)
{
    faultsrv *s = faultsrv_start("");
    ddb_client *c = tc_client_for(faultsrv_endpoint(s), 0);

    for (int i = 0; i < 20; i++)
        ASSERT_EQ(get_item(c, NULL), DDB_OK);
    ddb_client_free(c);
    ASSERT_EQ(faultsrv_requests(s), 20);
    ASSERT_EQ(faultsrv_accepts(s), 1);
    faultsrv_stop(s);
}

TEST(batch_write_all_resends_unprocessed_items)
{
    faultsrv *s = faultsrv_start("PP");
    ddb_client *c = tc_client_for(faultsrv_endpoint(s), 5);
    ddb_batch *b = ddb_batch_new();
    ddb_item *it = ddb_item_new();
    ddb_result *r = NULL;

    ddb_item_set_s(it, "pk", "x");
    ddb_batch_put(b, "t", it);
    ASSERT_EQ(ddb_batch_write_all(c, b, NULL, &r), DDB_OK);
    ASSERT_EQ(ddb_result_unprocessed_count(r), 0);
    ASSERT_EQ(faultsrv_requests(s), 3);
    ddb_result_free(r);
    ddb_item_free(it);
    ddb_batch_free(b);
    ddb_client_free(c);
    faultsrv_stop(s);
}

TEST(batch_write_all_gives_up_with_unprocessed_items)
{
    faultsrv *s = faultsrv_start("PPPPPPPP");
    ddb_client *c = tc_client_for(faultsrv_endpoint(s), 2);
    ddb_batch *b = ddb_batch_new();
    ddb_item *it = ddb_item_new();
    ddb_result *r = NULL;

    ddb_item_set_s(it, "pk", "x");
    ddb_batch_put(b, "t", it);
    ASSERT_EQ(ddb_batch_write_all(c, b, NULL, &r), DDB_E_THROUGHPUT_EXCEEDED);
    ASSERT_EQ(ddb_result_unprocessed_count(r), 1);
    ASSERT_EQ(faultsrv_requests(s), 3);
    ddb_result_free(r);
    ddb_item_free(it);
    ddb_batch_free(b);
    ddb_client_free(c);
    faultsrv_stop(s);
}
