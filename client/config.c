/*
 * client/config.c: ddb_config (defaults from the AWS environment variables) and the ddb_client
 * lifecycle: the endpoint is parsed and resolved once, connections are opened on demand.
 */
#include <netdb.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

static atomic_uint_fast64_t next_serial;

struct ddb_config {
    char *endpoint, *region, *access_key, *secret_key, *token;
    unsigned connect_ms, io_ms, max_retries, connect_retries, base_delay_ms, max_delay_ms, pool_size;
    unsigned throttle_delay_ms, quota;
    ddb_retry_mode mode;
    ddb_sleep_fn sleep_fn;
    void *sleep_arg;
    /*
     * Why sticky: a refused endpoint must not leave the default endpoint in place for a caller
     * that ignored the setter's status; ddb_client_new() refuses this config until a valid
     * endpoint is set. NULL when the endpoint is valid.
     */
    char *endpoint_error;
};

static char *dup_or_null(const char *s)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        abort();
    return d;
}

static void replace(char **slot, const char *s)
{
    free(*slot);
    *slot = dup_or_null(s);
}

/* The first non-empty environment variable of a NULL-terminated list, or `fallback`. */
static const char *env_first(const char *const *names, const char *fallback)
{
    for (; *names != NULL; names++) {
        const char *v = getenv(*names);

        if (v != NULL && *v != '\0')
            return v;
    }
    return fallback;
}

/* NULL when `url` is an endpoint this client can use, else why not (malloc'd). */
static char *endpoint_problem(const char *url)
{
    char *msg = NULL;
    int n = -1;

    if (url == NULL)
        n = asprintf(&msg, "the endpoint is NULL");
    else if (strncmp(url, "https://", 8) == 0)
        n = asprintf(&msg, "endpoint '%s': https is not supported (libddb speaks plain HTTP; use http:// or a "
                           "local TLS proxy such as stunnel)", url);
    else if (strncmp(url, "http://", 7) != 0)
        n = asprintf(&msg, "endpoint '%s' is not a URL of the form http://host[:port]", url);
    else if (strcspn(url + 7, "/?#") == 0)
        n = asprintf(&msg, "endpoint '%s' has no host", url);
    else
        return NULL;
    if (n < 0)
        abort();
    return msg;
}

ddb_config *ddb_config_new(void)
{
    static const char *const endpoint_vars[] = {"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL", NULL};
    static const char *const region_vars[] = {"AWS_REGION", "AWS_DEFAULT_REGION", NULL};
    static const char *const ak_vars[] = {"AWS_ACCESS_KEY_ID", NULL};
    static const char *const sk_vars[] = {"AWS_SECRET_ACCESS_KEY", NULL};
    static const char *const token_vars[] = {"AWS_SESSION_TOKEN", NULL};
    ddb_config *cfg = calloc(1, sizeof(*cfg));

    if (cfg == NULL)
        abort();
    cfg->endpoint = dup_or_null(env_first(endpoint_vars, "http://localhost:8000"));
    cfg->region = dup_or_null(env_first(region_vars, "us-east-1"));
    cfg->access_key = dup_or_null(env_first(ak_vars, "local"));
    cfg->secret_key = dup_or_null(env_first(sk_vars, "local"));
    cfg->token = dup_or_null(env_first(token_vars, NULL));
    cfg->connect_ms = 2000;
    cfg->io_ms = 10000;
    cfg->endpoint_error = endpoint_problem(cfg->endpoint);
    ddb_config_set_retry_mode(cfg, DDB_RETRY_STANDARD);
    cfg->pool_size = 32;
    return cfg;
}

void ddb_config_free(ddb_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->endpoint);
    free(cfg->region);
    free(cfg->access_key);
    free(cfg->secret_key);
    free(cfg->token);
    free(cfg->endpoint_error);
    free(cfg);
}

int ddb_config_set_endpoint(ddb_config *cfg, const char *url)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    free(cfg->endpoint_error);
    cfg->endpoint_error = endpoint_problem(url);
    if (cfg->endpoint_error != NULL)
        return DDB_E_INVALID_ARGUMENT;
    replace(&cfg->endpoint, url);
    return DDB_OK;
}

const char *ddb_config_error(const ddb_config *cfg)
{
    return cfg != NULL ? cfg->endpoint_error : NULL;
}

int ddb_config_set_region(ddb_config *cfg, const char *region)
{
    if (cfg == NULL || region == NULL || *region == '\0')
        return DDB_E_INVALID_ARGUMENT;
    replace(&cfg->region, region);
    return DDB_OK;
}

int ddb_config_set_credentials(ddb_config *cfg, const char *access_key, const char *secret_key,
                               const char *session_token)
{
    if (cfg == NULL || access_key == NULL || secret_key == NULL)
        return DDB_E_INVALID_ARGUMENT;
    replace(&cfg->access_key, access_key);
    replace(&cfg->secret_key, secret_key);
    replace(&cfg->token, session_token);
    return DDB_OK;
}

int ddb_config_set_timeouts(ddb_config *cfg, unsigned connect_ms, unsigned io_ms)
{
    if (cfg == NULL || connect_ms == 0 || io_ms == 0)
        return DDB_E_INVALID_ARGUMENT;
    cfg->connect_ms = connect_ms;
    cfg->io_ms = io_ms;
    return DDB_OK;
}

/*
 * Each mode's defaults. Standard: @smithy/core 3.41's StandardRetryStrategy with
 * @aws-sdk/client-dynamodb's overrides (maxAttempts 4, base 25 ms; Retry.throttlingDelay() 1000 ms,
 * MAXIMUM_RETRY_DELAY 20 s, INITIAL_RETRY_TOKENS 500); connect retries are not bounded below the
 * retries, as the SDK retries ECONNREFUSED like any transient error. Legacy: libddb's policy
 * until 2026 (the SDKs' legacy DynamoDB policy, 10 retries of 25 ms base).
 */
int ddb_config_set_retry_mode(ddb_config *cfg, ddb_retry_mode mode)
{
    if (cfg == NULL || (mode != DDB_RETRY_STANDARD && mode != DDB_RETRY_LEGACY))
        return DDB_E_INVALID_ARGUMENT;
    cfg->mode = mode;
    cfg->base_delay_ms = 25;
    if (mode == DDB_RETRY_STANDARD) {
        cfg->max_retries = 3;
        cfg->connect_retries = 3;
        cfg->throttle_delay_ms = 1000;
        cfg->max_delay_ms = 20000;
        cfg->quota = 500;
    } else {
        cfg->max_retries = 10;
        cfg->connect_retries = 2;
        cfg->throttle_delay_ms = 25;
        cfg->max_delay_ms = 5000;
        cfg->quota = 0;
    }
    return DDB_OK;
}

int ddb_config_set_throttle_delay(ddb_config *cfg, unsigned base_delay_ms)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    cfg->throttle_delay_ms = base_delay_ms;
    return DDB_OK;
}

int ddb_config_set_retry_quota(ddb_config *cfg, unsigned tokens)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    cfg->quota = tokens;
    return DDB_OK;
}

int ddb_config_set_sleep(ddb_config *cfg, ddb_sleep_fn fn, void *arg)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    cfg->sleep_fn = fn;
    cfg->sleep_arg = fn != NULL ? arg : NULL;
    return DDB_OK;
}

int ddb_config_set_retries(ddb_config *cfg, unsigned max_retries, unsigned base_delay_ms, unsigned max_delay_ms)
{
    if (cfg == NULL || max_delay_ms < base_delay_ms)
        return DDB_E_INVALID_ARGUMENT;
    cfg->max_retries = max_retries;
    cfg->base_delay_ms = base_delay_ms;
    cfg->max_delay_ms = max_delay_ms;
    return DDB_OK;
}

int ddb_config_set_connect_retries(ddb_config *cfg, unsigned connect_retries)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    cfg->connect_retries = connect_retries;
    return DDB_OK;
}

int ddb_config_set_pool_size(ddb_config *cfg, unsigned idle_connections)
{
    if (cfg == NULL)
        return DDB_E_INVALID_ARGUMENT;
    cfg->pool_size = idle_connections;
    return DDB_OK;
}

/* ---- client ---- */

/* Splits "http://host[:port][/]" into host, port and the Host header value. */
static int parse_endpoint(const char *url, client_cfg *out)
{
    const char *h = url + 7, *end = h + strcspn(h, "/?#"), *colon;
    size_t hlen;

    if (strncmp(url, "http://", 7) != 0 || end == h)
        return DDB_E_INVALID_ARGUMENT;
    colon = *h == '[' ? memchr(h, ']', (size_t)(end - h)) : h;
    colon = colon != NULL ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
    hlen = (size_t)((colon != NULL ? colon : end) - h);
    if (*h == '[') { /* [::1]:8000 */
        h++;
        hlen -= 2;
    }
    out->host = strndup(h, hlen);
    out->port = colon != NULL ? strndup(colon + 1, (size_t)(end - colon - 1)) : strdup("80");
    out->hostport = strndup(url + 7, (size_t)(end - url - 7));
    if (out->host == NULL || out->port == NULL || out->hostport == NULL)
        abort();
    return *out->host != '\0' && *out->port != '\0' ? DDB_OK : DDB_E_INVALID_ARGUMENT;
}

static int resolve(ddb_client *c)
{
    struct addrinfo hints = {0}, *res = NULL;

    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(c->cfg.host, c->cfg.port, &hints, &res) != 0 || res == NULL)
        return DDB_E_INVALID_ARGUMENT;
    c->addr = calloc(1, sizeof(*c->addr));
    if (c->addr == NULL)
        abort();
    memcpy(c->addr, res->ai_addr, res->ai_addrlen);
    c->addrlen = (unsigned)res->ai_addrlen;
    freeaddrinfo(res);
    return DDB_OK;
}

static void copy_cfg(ddb_client *c, const ddb_config *cfg)
{
    c->cfg.region = dup_or_null(cfg->region);
    c->cfg.access_key = dup_or_null(cfg->access_key);
    c->cfg.secret_key = dup_or_null(cfg->secret_key);
    c->cfg.token = dup_or_null(cfg->token);
    c->cfg.connect_ms = cfg->connect_ms;
    c->cfg.io_ms = cfg->io_ms;
    c->cfg.max_retries = cfg->max_retries;
    c->cfg.connect_retries = cfg->connect_retries;
    c->cfg.base_delay_ms = cfg->base_delay_ms;
    c->cfg.max_delay_ms = cfg->max_delay_ms;
    c->cfg.throttle_delay_ms = cfg->throttle_delay_ms;
    c->cfg.quota = cfg->quota;
    c->cfg.mode = cfg->mode;
    c->cfg.sleep_fn = cfg->sleep_fn;
    c->cfg.sleep_arg = cfg->sleep_arg;
    c->cfg.pool_size = cfg->pool_size;
    atomic_init(&c->quota, cfg->quota);
}

int ddb_client_new(const ddb_config *cfg, ddb_client **out)
{
    ddb_config *env = NULL;
    ddb_client *c;

    if (out == NULL)
        return DDB_E_INVALID_ARGUMENT;
    *out = NULL;
    if (sodium_init() < 0) /* thread-safe and idempotent; randombytes wants it */
        abort();
    if (cfg == NULL)
        cfg = env = ddb_config_new();
    if (cfg->endpoint_error != NULL) {
        ddb_config_free(env);
        return DDB_E_INVALID_ARGUMENT;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        abort();
    pthread_mutex_init(&c->lock, NULL);
    c->serial = atomic_fetch_add(&next_serial, 1) + 1;
    copy_cfg(c, cfg);
    c->idle = calloc(cfg->pool_size ? cfg->pool_size : 1, sizeof(*c->idle));
    if (c->idle == NULL)
        abort();
    if (parse_endpoint(cfg->endpoint, &c->cfg) != DDB_OK || resolve(c) != DDB_OK) {
        ddb_config_free(env);
        ddb_client_free(c);
        return DDB_E_INVALID_ARGUMENT;
    }
    ddb_config_free(env);
    *out = c;
    return DDB_OK;
}

void ddb_client_free(ddb_client *c)
{
    if (c == NULL)
        return;
    transport_close_all(c);
    pthread_mutex_destroy(&c->lock);
    free(c->idle);
    free(c->addr);
    free(c->cfg.host);
    free(c->cfg.port);
    free(c->cfg.hostport);
    free(c->cfg.region);
    free(c->cfg.access_key);
    if (c->cfg.secret_key != NULL)
        sodium_memzero(c->cfg.secret_key, strlen(c->cfg.secret_key));
    free(c->cfg.secret_key);
    free(c->cfg.token);
    free(c);
}

unsigned ddb_client_retry_quota(const ddb_client *c)
{
    return c != NULL ? atomic_load(&c->quota) : 0;
}

/* GET `path`, or POST `in` to it (in not NULL): ddb_get_path and ddb_post_path. */
static int send_path(ddb_client *c, const char *path, const char *in, size_t in_len, char **body, size_t *len)
{
    ddb_buf b = {0};
    int http;

    if (body != NULL)
        *body = NULL;
    if (len != NULL)
        *len = 0;
    if (c == NULL || path == NULL || path[0] != '/' || strpbrk(path, " \r\n") != NULL)
        return DDB_E_INVALID_ARGUMENT;
    http = transport_send(c, path, in, in_len, &b);
    if (http != 0 && body != NULL) {
        ddb_buf_append(&b, "", 1); /* NUL-terminated for the caller */
        *body = b.data;
        if (len != NULL)
            *len = b.len - 1;
    } else {
        ddb_buf_free(&b);
    }
    if (http == 0)
        return DDB_E_TRANSPORT;
    return http == 200 ? DDB_OK : (http >= 500 ? DDB_E_SERVICE_UNAVAILABLE : DDB_E_PROTOCOL);
}

int ddb_get_path(ddb_client *c, const char *path, char **body, size_t *len)
{
    return send_path(c, path, NULL, 0, body, len);
}

int ddb_post_path(ddb_client *c, const char *path, const char *json, size_t json_len, char **body, size_t *len)
{
    if (json == NULL)
        return DDB_E_INVALID_ARGUMENT;
    return send_path(c, path, json, json_len, body, len);
}

int ddb_health(ddb_client *c)
{
    int http;

    if (c == NULL)
        return DDB_E_INVALID_ARGUMENT;
    http = transport_health(c);
    if (http == 0)
        return DDB_E_TRANSPORT;
    return http == 200 ? DDB_OK : (http >= 500 ? DDB_E_SERVICE_UNAVAILABLE : DDB_E_PROTOCOL);
}
