/*
 * client/retry.c: libddb's retry policy: which failed attempts are retried, how long to wait
 * before the next one, and the retry quota.
 *
 * DDB_RETRY_STANDARD is the AWS SDKs' standard mode as it is since November 2026, read from the
 * JavaScript SDK, the reference the other SDKs' changes were made to match: @smithy/core 3.41.0
 * (util-retry/StandardRetryStrategy.js, DefaultRetryBackoffStrategy.js, retries-2026-config.js,
 * service-error-classification/constants.js, middleware-retry/parseRetryAfterHeader.js) with
 * @aws-sdk/client-dynamodb 3.1164's overrides (4 attempts, 25 ms base). DDB_RETRY_LEGACY is
 * libddb's policy before it. docs/client.md has the table the tests pin.
 *
 * One rule of libddb's own holds in both modes: a request that may already have been applied (a
 * 500, 502 or 504, a reply lost after sending, a wrong CRC) is resent only when applying it twice
 * changes nothing (call_kind); the SDK resends any request after those.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "client/internal.h"

/* The SDK's THROTTLING_ERROR_CODES: a retry after one waits the throttling base and costs less. */
#define THROTTLING_CODES(X)                                                                                            \
    X("BandwidthLimitExceeded") X("EC2ThrottledException") X("LimitExceededException") X("PriorRequestNotComplete")   \
    X("ProvisionedThroughputExceededException") X("RequestLimitExceeded") X("RequestThrottled")                        \
    X("RequestThrottledException") X("SlowDown") X("ThrottledException") X("Throttling") X("ThrottlingException")     \
    X("TooManyRequestsException") X("TransactionInProgressException")
/* Transient by name: the SDK's TRANSIENT_ERROR_CODES, and DynamoDB's one error modelled @retryable. */
#define TRANSIENT_CODES(X) X("RequestTimeout") X("RequestTimeoutException") X("ReplicatedWriteConflictException")
#define AS_STRING(name) name,

#define HINT_EXTRA_MS 5000 /* x-amz-retry-after lengthens the delay by at most this */
#define COST_THROTTLING 5  /* Retry.throttlingCost() */
#define COST_TRANSIENT 14  /* Retry.cost() */
#define REFUND_NO_RETRY 1  /* NO_RETRY_INCREMENT */

typedef enum err_class {
    ERR_FINAL,      /* returned to the caller */
    ERR_TRANSIENT,  /* retried after the base delay */
    ERR_THROTTLING, /* retried after the throttling delay */
} err_class;

static int named(const char *type, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(type, names[i]) == 0)
            return 1;
    return 0;
}

static int transient_status(int http)
{
    return http == 500 || http == 502 || http == 503 || http == 504; /* TRANSIENT_ERROR_STATUS_CODES */
}

/* The SDK's getRetryErrorType(): throttling, transient, or (server or client error) final. */
static err_class classify(const ddb_result *r, fail_kind f)
{
    static const char *const throttling[] = {THROTTLING_CODES(AS_STRING)};
    static const char *const transient[] = {TRANSIENT_CODES(AS_STRING)};

    /* no reply (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE), or a wrong x-amz-crc32 (botocore retries it) */
    if (f != FAIL_NONE || r->status == DDB_E_PROTOCOL)
        return ERR_TRANSIENT;
    if (r->http_status == 429 || named(r->error_type, throttling, sizeof(throttling) / sizeof(*throttling)))
        return ERR_THROTTLING;
    if (transient_status(r->http_status) || named(r->error_type, transient, sizeof(transient) / sizeof(*transient)))
        return ERR_TRANSIENT;
    if (strcmp(r->error_type, "InvalidSignatureException") == 0 && strstr(r->message, "Signature expired") != NULL)
        return ERR_TRANSIENT; /* signed again with the time of the next attempt */
    return ERR_FINAL;
}

/* libddb's policy before 2026: one class for everything retried. */
static err_class classify_legacy(const ddb_result *r, fail_kind f)
{
    if (f != FAIL_NONE || r->status == DDB_E_PROTOCOL || r->http_status >= 500)
        return ERR_TRANSIENT;
    if (r->status == DDB_E_THROUGHPUT_EXCEEDED || r->status == DDB_E_TRANSACTION_CONFLICT ||
        r->status == DDB_E_REPLICATED_WRITE_CONFLICT || r->status == DDB_E_TRANSACTION_IN_PROGRESS ||
        r->status == DDB_E_THROTTLING || r->status == DDB_E_REQUEST_LIMIT_EXCEEDED ||
        strcmp(r->error_type, "ThrottlingException") == 0 || strcmp(r->error_type, "RequestLimitExceeded") == 0)
        return ERR_TRANSIENT;
    return ERR_FINAL;
}

/* May the server have applied what this attempt sent? (503 and the 4xx say it did not.) */
static int maybe_applied(const ddb_result *r, fail_kind f)
{
    if (f != FAIL_NONE)
        return f == FAIL_MAYBE_SENT;
    return r->status == DDB_E_PROTOCOL || (r->http_status >= 500 && r->http_status != 503);
}

/* "Full jitter": a random delay in [0, min(cap, base * 2^retry)), as DefaultRetryBackoffStrategy. */
static unsigned jitter(unsigned base, unsigned retry, unsigned cap)
{
    uint64_t top = base;

    for (unsigned i = 0; i < retry && top < cap; i++)
        top *= 2;
    if (top > cap)
        top = cap;
    return top > 0 ? randombytes_uniform((uint32_t)top) : 0;
}

static int quota_take(ddb_client *c, unsigned n)
{
    unsigned have = atomic_load(&c->quota);

    do {
        if (have < n)
            return 0;
    } while (!atomic_compare_exchange_weak(&c->quota, &have, have - n));
    return 1;
}

long long retry_decide(ddb_client *c, const ddb_result *r, const attempt_end *e, call_kind kind, unsigned *cost)
{
    int legacy = c->cfg.mode == DDB_RETRY_LEGACY;
    err_class k = legacy ? classify_legacy(r, e->fail) : classify(r, e->fail);
    unsigned need = k == ERR_THROTTLING ? COST_THROTTLING : COST_TRANSIENT, base;
    long long delay;

    if (k == ERR_FINAL || (kind == CALL_ONCE && maybe_applied(r, e->fail)) || e->retry >= c->cfg.max_retries)
        return -1;
    /* a server that is not there rarely appears within the backoff: fail fast (connect_retries) */
    if (e->fail == FAIL_CONNECT && e->connect_fails > c->cfg.connect_retries)
        return -1;
    if (c->cfg.quota > 0 && !quota_take(c, need))
        return -1; /* the quota is spent: the SDK returns the error at once */
    *cost = need;
    base = k == ERR_THROTTLING ? c->cfg.throttle_delay_ms : c->cfg.base_delay_ms;
    delay = jitter(base, e->retry, c->cfg.max_delay_ms);
    /* the server's hint is honoured from the computed delay up to 5 s above it (StandardRetryStrategy) */
    if (!legacy && e->retry_after > delay)
        delay = e->retry_after < delay + HINT_EXTRA_MS ? e->retry_after : delay + HINT_EXTRA_MS;
    return delay;
}

void retry_succeeded(ddb_client *c, unsigned cost)
{
    unsigned have = atomic_load(&c->quota), want;

    if (c->cfg.quota == 0)
        return;
    do {
        if (have >= c->cfg.quota)
            return; /* full, as it mostly is: no write, so threads sharing a client share the line read-only */
        want = have + (cost > 0 ? cost : REFUND_NO_RETRY);
        if (want > c->cfg.quota)
            want = c->cfg.quota;
    } while (!atomic_compare_exchange_weak(&c->quota, &have, want));
}

void retry_sleep(const ddb_client *c, unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    if (c->cfg.sleep_fn != NULL) {
        c->cfg.sleep_fn(c->cfg.sleep_arg, ms);
        return;
    }
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* DynamoDB leaves items unprocessed when it throttles them: the throttling base (legacy: the one base). */
void retry_backoff_unprocessed(const ddb_client *c, unsigned retry)
{
    unsigned base = c->cfg.mode == DDB_RETRY_LEGACY ? c->cfg.base_delay_ms : c->cfg.throttle_delay_ms;

    retry_sleep(c, jitter(base, retry, c->cfg.max_delay_ms));
}
