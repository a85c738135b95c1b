/*
 * tests/client/test_client_retry.c: the retry policy and the transport, against the scripted
 * fault server: every row of docs/client.md's retry table. The AWS SDKs' standard mode (4
 * attempts; throttling retried after a 1000 ms base, other transient errors after 25 ms; the
 * retry quota; x-amz-retry-after honoured and bounded) with the delays read through the sleep
 * hook, so nothing here waits for them; throttling, 503 and ReplicatedWriteConflict retried for
 * every request, 500/502/504, a dropped connection and a wrong x-amz-crc32 only for idempotent
 * ones; legacy mode; connection reuse and timeouts.
 */
#include <stdio.h>
#include <stdlib.h>
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

TEST(service_unavailable_and_throttling_exception_are_retried)
{
    outcome o = run("SW", conditional_put, 5);

    ASSERT_EQ(o.status, DDB_OK);
    ASSERT_EQ(o.attempts, 3);
}

/* Not in the SDK's throttling or transient lists, nor modelled @retryable: returned at once. */
TEST(transaction_conflict_is_not_retried)
{
    outcome o = run("C", get_item, 5);

    ASSERT_EQ(o.status, DDB_E_TRANSACTION_CONFLICT);
    ASSERT_EQ(o.attempts, 1);
    ASSERT_EQ(o.requests, 1);
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

/* ---- the standard mode's numbers, through the sleep hook (nothing waits) ---- */

/* The delays a client asked to sleep, in order. */
typedef struct delays {
    unsigned n, ms[256];
} delays;

static void record(void *arg, unsigned ms)
{
    delays *d = arg;

    if (d->n < sizeof(d->ms) / sizeof(d->ms[0]))
        d->ms[d->n] = ms;
    d->n++;
}

/* A client with the library's defaults (or `mode`'s), recording its delays in *d. */
static ddb_client *recording_client(faultsrv *s, ddb_retry_mode mode, delays *d)
{
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;

    ddb_config_set_endpoint(cfg, faultsrv_endpoint(s));
    ddb_config_set_credentials(cfg, "AKIDTEST", "secret", NULL);
    ddb_config_set_retry_mode(cfg, mode);
    ddb_config_set_sleep(cfg, record, d);
    if (ddb_client_new(cfg, &c) != DDB_OK)
        abort();
    ddb_config_free(cfg);
    memset(d, 0, sizeof(*d));
    return c;
}

/* One call of `fn` through c; returns its attempts and sets *status. */
static unsigned call(ddb_client *c, call_fn fn, int *status, char *type, size_t tlen)
{
    ddb_result *r = NULL;
    unsigned n;

    *status = fn(c, &r);
    n = ddb_result_attempts(r);
    if (type != NULL)
        snprintf(type, tlen, "%s", ddb_result_error_type(r));
    ddb_result_free(r);
    return n;
}

TEST(standard_mode_makes_four_attempts_by_default)
{
    faultsrv *s = faultsrv_start("TTTTTTTT");
    delays d;
    ddb_client *c = recording_client(s, DDB_RETRY_STANDARD, &d);
    char type[64];
    int st;

    ASSERT_EQ(call(c, get_item, &st, type, sizeof(type)), 4);
    ASSERT_EQ(st, DDB_E_THROUGHPUT_EXCEEDED);
    ASSERT_STR_EQ(type, "ProvisionedThroughputExceededException");
    ASSERT_EQ(faultsrv_requests(s), 4);
    ASSERT_EQ(d.n, 3);
    ddb_client_free(c);
    faultsrv_stop(s);
}

/*
 * After throttling, retry i waits a random [0, 1000 * 2^i) ms: every delay is under its bound, and
 * over 30 calls the largest first delay is above 100 ms and the largest third above 2000 (each
 * fails by chance with a probability under 10^-9), which a 25 ms base could never give.
 */
TEST(throttling_backoff_has_a_1000_ms_base)
{
    char script[128] = "";
    faultsrv *s;
    delays d;
    ddb_client *c;
    unsigned top[3] = {0, 0, 0};
    int st;

    for (int i = 0; i < 30; i++)
        strcat(script, "TWMO");
    s = faultsrv_start(script);
    c = recording_client(s, DDB_RETRY_STANDARD, &d);
    for (int i = 0; i < 30; i++) {
        ASSERT_EQ(call(c, get_item, &st, NULL, 0), 4);
        ASSERT_EQ(st, DDB_OK);
    }
    ASSERT_EQ(d.n, 90);
    for (unsigned i = 0; i < d.n; i++) {
        ASSERT(d.ms[i] < 1000u << (i % 3));
        if (d.ms[i] > top[i % 3])
            top[i % 3] = d.ms[i];
    }
    ASSERT(top[0] > 100);
    ASSERT(top[2] > 2000);
    /* each call: three throttling retries of 5 tokens, then its last retry's 5 given back */
    ASSERT_EQ(ddb_client_retry_quota(c), 500 - 30 * (15 - 5));
    ddb_client_free(c);
    faultsrv_stop(s);
}

/* Other transient errors (500, 502, 503, 504, dropped, bad CRC): [0, 25 * 2^i) ms, 14 tokens each. */
TEST(transient_backoff_has_a_25_ms_base)
{
    char script[160] = "";
    const char *rounds[] = {"IBSO", "GDKO", "REIO"};
    faultsrv *s;
    delays d;
    ddb_client *c;
    unsigned top = 0;
    int st;

    for (int i = 0; i < 30; i++)
        strcat(script, rounds[i % 3]);
    s = faultsrv_start(script);
    c = recording_client(s, DDB_RETRY_STANDARD, &d);
    for (int i = 0; i < 10; i++) {
        ASSERT_EQ(call(c, get_item, &st, NULL, 0), 4);
        ASSERT_EQ(st, DDB_OK);
    }
    ASSERT_EQ(d.n, 30);
    for (unsigned i = 0; i < d.n; i++) {
        ASSERT(d.ms[i] < 25u << (i % 3));
        if (i % 3 == 2 && d.ms[i] > top)
            top = d.ms[i];
    }
    ASSERT(top >= 25); /* all ten third delays under 25 of [0, 100): probability 10^-6 */
    ASSERT_EQ(ddb_client_retry_quota(c), 500 - 10 * (42 - 14));
    ddb_client_free(c);
    faultsrv_stop(s);
}

/* The delay before retry i is at most max_delay_ms (20 s by default) whatever 2^i says. */
TEST(backoff_is_capped)
{
    faultsrv *s = faultsrv_start("TTTTTT");
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    delays d = {0};
    int st;

    ASSERT_EQ(ddb_config_set_retries(cfg, 6, 25, 24), DDB_E_INVALID_ARGUMENT); /* a cap under the base */
    ASSERT_EQ(ddb_config_set_endpoint(cfg, faultsrv_endpoint(s)), DDB_OK);
    ASSERT_EQ(ddb_config_set_retries(cfg, 6, 25, 20000), DDB_OK);
    ASSERT_EQ(ddb_config_set_sleep(cfg, record, &d), DDB_OK);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ddb_config_free(cfg);
    /* 7 attempts: throttling delays under 1, 2, 4, 8, 16, then 20 (not 32) seconds */
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 7);
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(d.n, 6);
    for (unsigned i = 0; i < 5; i++)
        ASSERT(d.ms[i] < 1000u << i);
    ASSERT(d.ms[5] < 20000);
    ddb_client_free(c);
    faultsrv_stop(s);
}

/*
 * The quota: 500 tokens; 14 a transient retry, 5 a throttling one; refused when fewer are left
 * than the retry costs (the error is returned at once); a success gives back its last retry's
 * cost, or 1 when it made none, up to 500.
 */
TEST(retry_quota_is_spent_then_refuses_retries)
{
    char script[128];
    faultsrv *s;
    delays d;
    ddb_client *c;
    int st;

    memset(script, 'I', 48); /* 11 calls of 4 attempts, one of 3, one of 1 */
    strcpy(script + 48, "TTTO");
    s = faultsrv_start(script);
    c = recording_client(s, DDB_RETRY_STANDARD, &d);
    for (int i = 0; i < 11; i++)
        ASSERT_EQ(call(c, get_item, &st, NULL, 0), 4);
    ASSERT_EQ(ddb_client_retry_quota(c), 500 - 11 * 42);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 3); /* 38 tokens: two retries, then 10 < 14 */
    ASSERT_EQ(st, DDB_E_INTERNAL);
    ASSERT_EQ(ddb_client_retry_quota(c), 10);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 1);
    ASSERT_EQ(st, DDB_E_INTERNAL);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 3); /* throttling costs 5: 10 -> 5 -> 0, then refused */
    ASSERT_EQ(st, DDB_E_THROUGHPUT_EXCEEDED);
    ASSERT_EQ(ddb_client_retry_quota(c), 0);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 1); /* the 'O' */
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 1);
    ASSERT_EQ(faultsrv_requests(s), 48 + 4);
    ddb_client_free(c);
    faultsrv_stop(s);
}

TEST(retry_quota_refunds_and_can_be_set_or_turned_off)
{
    faultsrv *s = faultsrv_start("IOTOO");
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    delays d = {0};
    int st;

    ddb_config_set_endpoint(cfg, faultsrv_endpoint(s));
    ddb_config_set_sleep(cfg, record, &d);
    ASSERT_EQ(ddb_config_set_retry_quota(cfg, 20), DDB_OK);
    ASSERT_EQ(ddb_config_set_retry_quota(NULL, 20), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 20);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2); /* 20 - 14, then the 14 back */
    ASSERT_EQ(ddb_client_retry_quota(c), 20);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2); /* 20 - 5 + 5 */
    ASSERT_EQ(ddb_client_retry_quota(c), 20);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 1); /* +1, but never above the quota */
    ASSERT_EQ(ddb_client_retry_quota(c), 20);
    ddb_client_free(c);
    faultsrv_stop(s);
    /* quota 0: no quota, every call makes its 4 attempts */
    s = faultsrv_start("IIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII");
    ddb_config_set_endpoint(cfg, faultsrv_endpoint(s));
    ddb_config_set_retry_quota(cfg, 0);
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    for (int i = 0; i < 16; i++)
        ASSERT_EQ(call(c, get_item, &st, NULL, 0), 4);
    ddb_client_free(c);
    ddb_config_free(cfg);
    faultsrv_stop(s);
}

/*
 * x-amz-retry-after (ms) lengthens the delay to the server's figure, by at most 5 s above the
 * computed one; a shorter or unreadable one leaves the computed delay; on any retried error.
 */
TEST(retry_after_header_is_honoured_and_bounded)
{
    faultsrv *s = faultsrv_start("XOYOZONO");
    delays d;
    ddb_client *c = recording_client(s, DDB_RETRY_STANDARD, &d);
    int st;

    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2);
    ASSERT_EQ(d.ms[0], 3000); /* 3000 > any first throttling delay (< 1000) */
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2);
    ASSERT(d.ms[1] >= 5000 && d.ms[1] < 6000); /* 60000: the computed delay + 5000 */
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2);
    ASSERT(d.ms[2] < 1000); /* "soon": ignored */
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 2);
    ASSERT_EQ(d.ms[3], 3000); /* on a 500 too (computed < 25) */
    ASSERT_EQ(d.n, 4);
    ddb_client_free(c);
    faultsrv_stop(s);
}

/* Throttling codes of the SDK's list (and HTTP 429) are retried even for a non-idempotent update. */
TEST(every_throttling_code_is_retried_for_an_update)
{
    faultsrv *s = faultsrv_start("TWLOQMO");
    delays d;
    ddb_client *c = recording_client(s, DDB_RETRY_STANDARD, &d);
    int st;

    ASSERT_EQ(call(c, update_item, &st, NULL, 0), 4);
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 500 - 15 + 5); /* throttling: 5 tokens a retry */
    ASSERT_EQ(call(c, update_item, &st, NULL, 0), 3);
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 490 - 10 + 5);
    ddb_client_free(c);
    faultsrv_stop(s);
}

/*
 * 503, ReplicatedWriteConflict, an expired signature, RequestTimeoutException: nothing applied,
 * retried for an update (14 tokens each, the transient base).
 */
TEST(transient_errors_that_applied_nothing_are_retried_for_an_update)
{
    faultsrv *s = faultsrv_start("SREOAO");
    delays d;
    ddb_client *c = recording_client(s, DDB_RETRY_STANDARD, &d);
    int st;

    ASSERT_EQ(call(c, update_item, &st, NULL, 0), 4);
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 500 - 42 + 14);
    ASSERT_EQ(call(c, update_item, &st, NULL, 0), 2);
    ASSERT_EQ(st, DDB_OK);
    ASSERT_EQ(ddb_client_retry_quota(c), 472);
    for (unsigned i = 0; i < d.n; i++)
        ASSERT(d.ms[i] < 25u << (i % 3)); /* the transient base */
    ddb_client_free(c);
    faultsrv_stop(s);
}

/* 500, 502, 504, a dropped reply, a wrong CRC may have been applied: never resent for an update. */
TEST(transient_errors_that_may_have_applied_are_not_retried_for_an_update)
{
    const char *one[] = {"I", "B", "G", "D", "K"};

    for (size_t i = 0; i < sizeof(one) / sizeof(*one); i++) {
        outcome o = run(one[i], update_item, 3);

        ASSERT_EQ(o.attempts, 1);
        ASSERT_EQ(o.requests, 1);
    }
}

/* 501 and other 5xx the SDK calls server errors, and client errors: returned at once, even for a read. */
TEST(final_errors_are_not_retried)
{
    const char *one[] = {"V", "U", "C"};

    for (size_t i = 0; i < sizeof(one) / sizeof(*one); i++) {
        outcome o = run(one[i], get_item, 3);

        ASSERT_EQ(o.attempts, 1);
    }
}

/* DDB_RETRY_LEGACY: libddb's policy before 2026, kept selectable. */
TEST(legacy_mode_keeps_the_old_policy)
{
    char script[32];
    faultsrv *s;
    delays d;
    ddb_client *c;
    int st;

    memset(script, 'T', 12);
    strcpy(script + 12, "CVXO");
    s = faultsrv_start(script);
    c = recording_client(s, DDB_RETRY_LEGACY, &d);
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 11); /* 10 retries */
    ASSERT_EQ(st, DDB_E_THROUGHPUT_EXCEEDED);
    for (unsigned i = 0; i < d.n; i++)
        ASSERT(d.ms[i] < 5000 && d.ms[i] < 25u << (i < 8 ? i : 8)); /* one 25 ms base, 5 s cap */
    ASSERT_EQ(call(c, get_item, &st, NULL, 0), 5); /* T T C V X(3000 ignored) O */
    ASSERT_EQ(st, DDB_OK);
    ASSERT(d.ms[d.n - 1] < 200);
    ASSERT_EQ(ddb_client_retry_quota(c), 0); /* no quota */
    ASSERT_EQ(ddb_config_set_retry_mode(NULL, DDB_RETRY_LEGACY), DDB_E_INVALID_ARGUMENT);
    ddb_client_free(c);
    faultsrv_stop(s);
}
