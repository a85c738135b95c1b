/*
 * server/base/otlp.c: request spans exported over OTLP/HTTP JSON (see otlp.h).
 */
#include "server/base/otlp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "proto/json.h"
#include "server/base/clock.h"
#include "server/base/http_client.h"
#include "server/base/log.h"
#include "server/base/wake.h"

#define BATCH_DELAY_MS 200 /* a span waits this long at most for others to share its post */
#define RETRIES 4          /* tries of one post: 100, 200, 400 ms apart */
#define TIMEOUT_S 2        /* connect, send and receive */

struct ddb_otlp {
    ddb_http_url url;
    char service[64];
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ddb_span *ring; /* DDB_OTLP_QUEUE slots */
    size_t head, count;
    int stopping;
    uint64_t exported, dropped, failed_posts; /* read by scrapes (relaxed) */
};

/* ---- the JSON (opentelemetry-proto's JSON mapping: hex ids, 64-bit integers as strings) ---- */

static void attr_begin(ddb_jw *w, const char *key)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "key");
    ddb_jw_str(w, key);
    ddb_jw_key(w, "value");
    ddb_jw_obj_begin(w);
}

static void attr_end(ddb_jw *w)
{
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

static void attr_str(ddb_jw *w, const char *key, const char *v)
{
    attr_begin(w, key);
    ddb_jw_key(w, "stringValue");
    ddb_jw_str(w, v);
    attr_end(w);
}

static void attr_int(ddb_jw *w, const char *key, long long v)
{
    char text[24];

    snprintf(text, sizeof(text), "%lld", v);
    attr_begin(w, key);
    ddb_jw_key(w, "intValue");
    ddb_jw_str(w, text);
    attr_end(w);
}

static void put_nanos(ddb_jw *w, const char *key, uint64_t ns)
{
    char text[24];

    snprintf(text, sizeof(text), "%llu", (unsigned long long)ns);
    ddb_jw_key(w, key);
    ddb_jw_str(w, text);
}

static void put_id(ddb_jw *w, const char *key, const uint8_t *id, size_t n)
{
    char hex[33];

    ddb_trace_hex(id, n, hex);
    ddb_jw_key(w, key);
    ddb_jw_str(w, hex);
}

/* aws.dynamodb.table_names: the comma-separated list as a string array. */
static void attr_tables(ddb_jw *w, const char *tables)
{
    attr_begin(w, "aws.dynamodb.table_names");
    ddb_jw_key(w, "arrayValue");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "values");
    ddb_jw_arr_begin(w);
    for (const char *p = tables; *p != '\0';) {
        size_t n = strcspn(p, ",");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "stringValue");
        ddb_jw_strn(w, p, n);
        ddb_jw_obj_end(w);
        p += n + (p[n] == ',');
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    attr_end(w);
}

/* aws.dynamodb.consumed_capacity: one ConsumedCapacity, JSON-serialized, in a string array. */
static void attr_capacity(ddb_jw *w, const ddb_span *s)
{
    ddb_buf cc = {0};
    ddb_jw cw;

    ddb_jw_init(&cw, &cc);
    ddb_jw_obj_begin(&cw);
    if (s->tables[0] != '\0' && strchr(s->tables, ',') == NULL) {
        ddb_jw_key(&cw, "TableName");
        ddb_jw_str(&cw, s->tables);
    }
    ddb_jw_key(&cw, "CapacityUnits");
    ddb_jw_double(&cw, s->read_units + s->write_units);
    ddb_jw_key(&cw, "ReadCapacityUnits");
    ddb_jw_double(&cw, s->read_units);
    ddb_jw_key(&cw, "WriteCapacityUnits");
    ddb_jw_double(&cw, s->write_units);
    ddb_jw_obj_end(&cw);
    attr_begin(w, "aws.dynamodb.consumed_capacity");
    ddb_jw_key(w, "arrayValue");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "values");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "stringValue");
    ddb_jw_strn(w, cc.data, cc.len);
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    attr_end(w);
    free(cc.data);
}

/* The resource's attributes: the service's name, its one. */
static void resource_attributes(ddb_jw *w, const char *service)
{
    ddb_jw_key(w, "attributes");
    ddb_jw_arr_begin(w);
    attr_str(w, "service.name", service);
    ddb_jw_arr_end(w);
}

/* The semantic conventions' attributes of a DynamoDB call (rpc.*, aws.dynamodb.*), seen by the server. */
static void request_attributes(ddb_jw *w, const ddb_span *s)
{
    ddb_jw_key(w, "attributes");
    ddb_jw_arr_begin(w);
    attr_str(w, "rpc.system", "aws-api");
    attr_str(w, "rpc.service", "DynamoDB");
    if (s->op[0] != '\0')
        attr_str(w, "rpc.method", s->op);
    if (s->tables[0] != '\0')
        attr_tables(w, s->tables);
    if (s->read_units + s->write_units > 0)
        attr_capacity(w, s);
    attr_int(w, "http.response.status_code", s->status);
    attr_str(w, "aws.request_id", s->request_id);
    if (s->error_type[0] != '\0')
        attr_str(w, "error.type", s->error_type);
    ddb_jw_arr_end(w);
}

static void span_head(ddb_jw *w, const uint8_t *trace_id, const uint8_t *id, const uint8_t *parent, const char *name,
                      int kind, uint64_t start, uint64_t end)
{
    put_id(w, "traceId", trace_id, 16);
    put_id(w, "spanId", id, 8);
    if (parent != NULL)
        put_id(w, "parentSpanId", parent, 8);
    ddb_jw_key(w, "name");
    ddb_jw_str(w, name);
    ddb_jw_key(w, "kind");
    ddb_jw_int(w, kind);
    put_nanos(w, "startTimeUnixNano", start);
    put_nanos(w, "endTimeUnixNano", end);
}

#define KIND_INTERNAL 1
#define KIND_SERVER 2

/* The request's span (kind SERVER, "DynamoDB.<operation>") and its children (INTERNAL). */
static void encode_span(ddb_jw *w, const ddb_span *s)
{
    uint8_t ids[DDB_TRACE_CHILDREN][8];
    char name[64];

    snprintf(name, sizeof(name), "DynamoDB.%s", s->op[0] != '\0' ? s->op : "unknown");
    ddb_jw_obj_begin(w);
    span_head(w, s->ctx.trace_id, s->span_id, s->ctx.has_parent ? s->ctx.parent_id : NULL, name, KIND_SERVER,
              s->start_ns, s->end_ns);
    request_attributes(w, s);
    ddb_jw_key(w, "status");
    ddb_jw_obj_begin(w);
    if (s->error_type[0] != '\0') { /* STATUS_CODE_ERROR */
        ddb_jw_key(w, "code");
        ddb_jw_int(w, 2);
        ddb_jw_key(w, "message");
        ddb_jw_str(w, s->error_type);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    randombytes_buf(ids, sizeof(ids));
    for (unsigned i = 0; i < s->nchildren; i++) {
        const ddb_span_child *c = &s->children[i];
        ddb_jw_obj_begin(w);
        span_head(w, s->ctx.trace_id, ids[i], c->parent >= 0 ? ids[c->parent] : s->span_id, c->name, KIND_INTERNAL,
                  c->start_ns, c->end_ns);
        ddb_jw_obj_end(w);
    }
}

/* Opens one level of OTLP's envelope (resourceSpans, then scopeSpans): a list of one item, which
   starts with the object that says what it holds (its resource, its scope), left open here. */
static void level_begin(ddb_jw *w, const char *list, const char *about)
{
    ddb_jw_key(w, list);
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, about);
    ddb_jw_obj_begin(w);
}

/* Closes a level's item and its list. */
static void level_end(ddb_jw *w)
{
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
}

void ddb_otlp_encode(const ddb_span *spans, size_t n, const char *service, ddb_buf *out)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    level_begin(&w, "resourceSpans", "resource");
    resource_attributes(&w, service);
    ddb_jw_obj_end(&w);
    level_begin(&w, "scopeSpans", "scope");
    ddb_jw_key(&w, "name");
    ddb_jw_str(&w, "ddbd");
    ddb_jw_obj_end(&w);
    ddb_jw_key(&w, "spans");
    ddb_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        encode_span(&w, &spans[i]);
    ddb_jw_arr_end(&w);
    level_end(&w);
    level_end(&w);
    ddb_jw_obj_end(&w);
}

/* ---- the queue and its thread ---- */

void ddb_otlp_submit(ddb_otlp *o, const ddb_span *span)
{
    pthread_mutex_lock(&o->mu);
    if (o->count == DDB_OTLP_QUEUE) {
        __atomic_add_fetch(&o->dropped, 1, __ATOMIC_RELAXED);
    } else {
        o->ring[(o->head + o->count) % DDB_OTLP_QUEUE] = *span;
        if (++o->count == DDB_OTLP_BATCH)
            pthread_cond_signal(&o->cv);
    }
    pthread_mutex_unlock(&o->mu);
}

/* One POST of body: 0 (2xx), 1 (worth retrying), -1 (refused for good: other 4xx). */
static int post_once(ddb_otlp *o, const ddb_buf *body, ddb_buf *answer)
{
    char err[160], head[768];
    int fd, status = 0, n;

    if ((fd = ddb_http_connect(o->url.host, o->url.port, TIMEOUT_S, err, sizeof(err))) < 0)
        return 1;
    n = snprintf(head, sizeof(head),
                 "POST %s%sv1/traces HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                 o->url.path, o->url.path[strlen(o->url.path) - 1] == '/' ? "" : "/", o->url.hostport, body->len);
    answer->len = 0;
    if (ddb_http_send_all(fd, head, (size_t)n) != 0 || ddb_http_send_all(fd, body->data, body->len) != 0 ||
        ddb_http_read_answer(fd, &status, NULL, answer, err, sizeof(err)) != 0) {
        close(fd);
        return 1;
    }
    close(fd);
    if (status >= 200 && status < 300)
        return 0;
    return status == 429 || status == 502 || status == 503 || status == 504 ? 1 : -1;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    nanosleep(&ts, NULL);
}

/* Posts spans[0..n), retrying with backoff (no retry once stopping); counts the outcome; 0 when posted. */
static int export_batch(ddb_otlp *o, const ddb_span *spans, size_t n, ddb_buf *body, ddb_buf *answer)
{
    int rc = 1;

    body->len = 0;
    ddb_otlp_encode(spans, n, o->service, body);
    for (int i = 0; i < RETRIES && rc == 1; i++) {
        if (i > 0)
            sleep_ms(100u << (i - 1));
        if (i > 0 && __atomic_load_n(&o->stopping, __ATOMIC_RELAXED))
            break;
        rc = post_once(o, body, answer);
    }
    if (rc == 0) {
        __atomic_add_fetch(&o->exported, n, __ATOMIC_RELAXED);
        return 0;
    }
    __atomic_add_fetch(&o->dropped, n, __ATOMIC_RELAXED);
    if (__atomic_add_fetch(&o->failed_posts, 1, __ATOMIC_RELAXED) == 1)
        ddb_log(DDB_LOG_WARN, "--otlp-endpoint: cannot post spans to %s:%s (counted in /metrics from now on)",
                o->url.host, o->url.port);
    return -1;
}

/* At shutdown, after a post failed: what is still queued is dropped, not tried batch by batch (a
   collector that hangs would hold the exit for TIMEOUT_S a batch). */
static void drop_queued(ddb_otlp *o)
{
    pthread_mutex_lock(&o->mu);
    __atomic_add_fetch(&o->dropped, o->count, __ATOMIC_RELAXED);
    o->count = 0;
    pthread_mutex_unlock(&o->mu);
}

/* Waits for a full batch, the batch delay or the stop; moves up to DDB_OTLP_BATCH spans to out. */
static size_t take_batch(ddb_otlp *o, ddb_span *out, int *stop)
{
    struct timespec until;
    size_t n;

    ddb_clock_system_deadline(&until, BATCH_DELAY_MS);
    pthread_mutex_lock(&o->mu);
    while (!o->stopping && o->count < DDB_OTLP_BATCH && pthread_cond_timedwait(&o->cv, &o->mu, &until) == 0)
        ;
    n = o->count < DDB_OTLP_BATCH ? o->count : DDB_OTLP_BATCH;
    for (size_t i = 0; i < n; i++)
        out[i] = o->ring[(o->head + i) % DDB_OTLP_QUEUE];
    o->head = (o->head + n) % DDB_OTLP_QUEUE;
    o->count -= n;
    *stop = o->stopping && o->count == 0;
    pthread_mutex_unlock(&o->mu);
    return n;
}

static void *export_main(void *arg)
{
    ddb_otlp *o = arg;
    ddb_span *batch = malloc(sizeof(*batch) * DDB_OTLP_BATCH);
    ddb_buf body = {0}, answer = {0};
    int stop = 0;

    while (!stop) {
        size_t n = take_batch(o, batch, &stop);
        if (n > 0 && export_batch(o, batch, n, &body, &answer) != 0 &&
            __atomic_load_n(&o->stopping, __ATOMIC_RELAXED)) {
            drop_queued(o);
            stop = 1;
        }
    }
    free(batch);
    free(body.data);
    free(answer.data);
    return NULL;
}

ddb_otlp *ddb_otlp_start(const char *url, const char *service, char *err, size_t errlen)
{
    ddb_otlp *o = calloc(1, sizeof(*o));

    if (ddb_http_url_parse(url, &o->url, err, errlen) != 0) {
        free(o);
        return NULL;
    }
    snprintf(o->service, sizeof(o->service), "%s", service);
    o->ring = malloc(sizeof(*o->ring) * DDB_OTLP_QUEUE);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    if (pthread_create(&o->tid, NULL, export_main, o) != 0) {
        snprintf(err, errlen, "cannot start the export thread");
        free(o->ring);
        free(o);
        return NULL;
    }
    return o;
}

void ddb_otlp_stop(ddb_otlp *o)
{
    if (o == NULL)
        return;
    ddb_wake_stop(&o->mu, &o->cv, &o->stopping, o->tid);
    free(o->ring);
    free(o);
}

void ddb_otlp_metrics_text(ddb_otlp *o, ddb_buf *out)
{
    size_t queued;

    pthread_mutex_lock(&o->mu);
    queued = o->count;
    pthread_mutex_unlock(&o->mu);
    ddb_buf_printf(out,
                   "# HELP ddbd_otlp_spans_exported_total Request spans the collector accepted (--otlp-endpoint).\n"
                   "# TYPE ddbd_otlp_spans_exported_total counter\nddbd_otlp_spans_exported_total %llu\n"
                   "# HELP ddbd_otlp_spans_dropped_total Request spans dropped: the queue was full, or the "
                   "collector could not be reached after retries.\n"
                   "# TYPE ddbd_otlp_spans_dropped_total counter\nddbd_otlp_spans_dropped_total %llu\n"
                   "# HELP ddbd_otlp_spans_queued Request spans waiting to be exported.\n"
                   "# TYPE ddbd_otlp_spans_queued gauge\nddbd_otlp_spans_queued %zu\n",
                   (unsigned long long)__atomic_load_n(&o->exported, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&o->dropped, __ATOMIC_RELAXED), queued);
}
