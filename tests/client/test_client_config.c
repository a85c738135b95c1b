/*
 * tests/client/test_client_config.c: the configuration's guarantees: a refused endpoint (https,
 * no scheme, no host) is sticky, so no client is made from that configuration and the reason can
 * be read; connect failures are retried at most connect_retries times whatever max_retries says
 * (by default as often as anything else, 4 attempts as the SDKs' standard mode; legacy mode 3);
 * the result getters take const pointers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "test.h"

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A client from a config whose endpoint was refused: the status, the reason, and no client. */
static void assert_refused(const char *url, const char *reason)
{
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = (ddb_client *)cfg; /* any non-NULL value: must come back NULL */

    ASSERT_EQ(ddb_config_set_endpoint(cfg, url), DDB_E_INVALID_ARGUMENT);
    ASSERT_STR_EQ(ddb_config_error(cfg), reason);
    ASSERT_EQ(ddb_config_set_region(cfg, "eu-west-1"), DDB_OK); /* other setters do not clear it */
    ASSERT_STR_EQ(ddb_config_error(cfg), reason);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_E_INVALID_ARGUMENT);
    ASSERT_NULL(c);
    ddb_config_free(cfg);
}

TEST(https_endpoint_is_refused_with_a_reason)
{
    assert_refused("https://dynamodb.us-east-1.amazonaws.com",
                   "endpoint 'https://dynamodb.us-east-1.amazonaws.com': https is not supported (libddb speaks "
                   "plain HTTP; use http:// or a local TLS proxy such as stunnel)");
}

TEST(endpoint_without_scheme_is_refused_with_a_reason)
{
    assert_refused("localhost:8000", "endpoint 'localhost:8000' is not a URL of the form http://host[:port]");
}

TEST(endpoint_without_host_is_refused_with_a_reason)
{
    assert_refused("http://", "endpoint 'http://' has no host");
    assert_refused("http:///x", "endpoint 'http:///x' has no host");
}

TEST(valid_endpoint_clears_the_error)
{
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;

    ASSERT_EQ(ddb_config_set_endpoint(cfg, "https://example.com"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_config_set_endpoint(cfg, tc_endpoint()), DDB_OK);
    ASSERT_NULL(ddb_config_error(cfg));
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ASSERT_EQ(ddb_health(c), DDB_OK);
    ddb_client_free(c);
    ddb_config_free(cfg);
}

TEST(endpoint_from_the_environment_is_checked_too)
{
    ddb_config *cfg;
    ddb_client *c = NULL;

    setenv("AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb.eu-west-1.amazonaws.com", 1);
    cfg = ddb_config_new();
    ASSERT_STR_EQ(ddb_config_error(cfg), "endpoint 'https://dynamodb.eu-west-1.amazonaws.com': https is not "
                                         "supported (libddb speaks plain HTTP; use http:// or a local TLS proxy "
                                         "such as stunnel)");
    ASSERT_EQ(ddb_client_new(NULL, &c), DDB_E_INVALID_ARGUMENT); /* the same config, from the environment */
    ASSERT_NULL(c);
    unsetenv("AWS_ENDPOINT_URL_DYNAMODB");
    ddb_config_free(cfg);
}

/*
 * Attempts and time of a call refused by a port nothing listens on (connect_retries -1: the
 * default; max_retries 0: the mode's default).
 */
static void refused_in(ddb_retry_mode mode, unsigned max_retries, int connect_retries, unsigned *attempts, uint64_t *ms)
{
    faultsrv *s = faultsrv_start("");
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    ddb_result *r = NULL;
    uint64_t t0;

    ASSERT_EQ(ddb_config_set_endpoint(cfg, faultsrv_endpoint(s)), DDB_OK);
    faultsrv_stop(s); /* nothing listens there any more */
    ASSERT_EQ(ddb_config_set_retry_mode(cfg, mode), DDB_OK);
    if (max_retries > 0)
        ASSERT_EQ(ddb_config_set_retries(cfg, max_retries, 1, 20), DDB_OK);
    if (connect_retries >= 0)
        ASSERT_EQ(ddb_config_set_connect_retries(cfg, (unsigned)connect_retries), DDB_OK);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    t0 = now_ms();
    ASSERT_EQ(ddb_describe_table(c, "t", &r), DDB_E_TRANSPORT);
    *ms = now_ms() - t0;
    ASSERT(strstr(ddb_result_message(r), "Connection refused") != NULL);
    *attempts = ddb_result_attempts(r);
    ddb_result_free(r);
    ddb_client_free(c);
    ddb_config_free(cfg);
}

static void refused(unsigned max_retries, int connect_retries, unsigned *attempts, uint64_t *ms)
{
    refused_in(DDB_RETRY_STANDARD, max_retries, connect_retries, attempts, ms);
}

/* The SDKs retry ECONNREFUSED as any transient error: 4 attempts for DynamoDB; legacy mode 3. */
TEST(refused_connection_makes_the_standard_four_attempts)
{
    unsigned attempts = 0;
    uint64_t ms;

    refused(0, -1, &attempts, &ms);
    ASSERT_EQ(attempts, 4);
    refused_in(DDB_RETRY_LEGACY, 0, -1, &attempts, &ms);
    ASSERT_EQ(attempts, 3);
    refused_in(DDB_RETRY_LEGACY, 10, -1, &attempts, &ms); /* legacy's 2 connect retries of its 10 */
    ASSERT_EQ(attempts, 3);
}

TEST(connect_retries_zero_fails_at_once)
{
    unsigned attempts = 0;
    uint64_t ms = 0;

    refused(10, 0, &attempts, &ms);
    ASSERT_EQ(attempts, 1);
    ASSERT(ms < 1000);
    refused(10, 5, &attempts, &ms);
    ASSERT_EQ(attempts, 6);
    refused(1, 5, &attempts, &ms); /* max_retries still bounds all retries */
    ASSERT_EQ(attempts, 2);
}

TEST(connect_retries_do_not_bound_other_retries)
{
    faultsrv *s = faultsrv_start("TTTT");
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    ddb_result *r = NULL;

    ASSERT_EQ(ddb_config_set_endpoint(cfg, faultsrv_endpoint(s)), DDB_OK);
    ASSERT_EQ(ddb_config_set_retries(cfg, 10, 1, 20), DDB_OK);
    ASSERT_EQ(ddb_config_set_throttle_delay(cfg, 1), DDB_OK);
    ASSERT_EQ(ddb_config_set_connect_retries(cfg, 0), DDB_OK);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ASSERT_EQ(ddb_describe_table(c, "t", &r), DDB_OK);
    ASSERT_EQ(ddb_result_attempts(r), 5); /* four throttles, then success */
    ddb_result_free(r);
    ddb_client_free(c);
    ddb_config_free(cfg);
    faultsrv_stop(s);
}

TEST(connect_retries_needs_a_config)
{
    ASSERT_EQ(ddb_config_set_connect_retries(NULL, 1), DDB_E_INVALID_ARGUMENT);
    ASSERT_NULL(ddb_config_error(NULL));
}

/* Compiles only when the getters take const pointers (-Werror: discarded qualifiers). */
static void read_through_const(const ddb_result *r, const char *table)
{
    const char *code = NULL;

    ASSERT_STR_EQ(ddb_item_get_s(ddb_result_item(r), "pk"), "k1");
    ASSERT_EQ(ddb_result_item_count(r), 0);
    ASSERT_NULL(ddb_result_item_at(r, 0));
    ASSERT_NULL(ddb_result_last_key(r));
    ASSERT_EQ(ddb_result_table_item_count(r, table), 0);
    ASSERT_NULL(ddb_result_table_item_at(r, table, 0));
    ASSERT_EQ(ddb_result_unprocessed_count(r), 0);
    ASSERT_EQ(ddb_result_reason_count(r), 0);
    ASSERT_EQ(ddb_result_reason(r, 0, &code, NULL, NULL), DDB_E_INVALID_ARGUMENT);
    ASSERT_STR_EQ(ddb_result_get(r, "Item.v.N"), "7");
    ASSERT_EQ(ddb_result_len(r, "Item"), 2);
}

TEST(result_getters_take_const_pointers)
{
    ddb_client *c = tc_client();
    const char *table = tc_name("const");
    ddb_item *it = ddb_item_new();
    ddb_result *r = NULL;

    ASSERT_EQ(tc_create_table(c, table, DDB_TYPE_NONE), DDB_OK);
    ddb_item_set_s(it, "pk", "k1");
    ddb_item_set_int(it, "v", 7);
    ASSERT_EQ(ddb_put_item(c, table, it, NULL, NULL), DDB_OK);
    ddb_item_remove(it, "v");
    ASSERT_EQ(ddb_get_item(c, table, it, NULL, &r), DDB_OK);
    read_through_const(r, table);
    ddb_result_free(r);
    ddb_item_free(it);
    ddb_client_free(c);
}
