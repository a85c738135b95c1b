/*
 * server/http/request_metrics.c: per-thread request counters and their Prometheus rendering (see
 * request_metrics.h).
 */
#include "server/http/request_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "server/base/clock.h"
#include "server/base/trace.h"

static const double BOUNDS[DDB_METRICS_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
static const char *const BOUND_TEXT[DDB_METRICS_BUCKETS] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
                                                            "0.01",   "0.025",   "0.05",   "0.1",   "0.5",    "1"};

/* Seqlock write: a scrape that reads while the exemplar changes sees an odd or changed seq and
   reads it again. */
static void set_exemplar(ddb_exemplar *x, const uint8_t *trace_id, double seconds)
{
    uint64_t now = ddb_clock_system_ns();

    __atomic_store_n(&x->seq, x->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy(x->trace_id, trace_id, 16);
    x->value = seconds;
    x->timestamp_ns = now;
    __atomic_store_n(&x->seq, x->seq + 1, __ATOMIC_RELEASE);
}

void ddb_metrics_record(ddb_metrics_thread *m, int op, int status, double seconds, const uint8_t *trace_id)
{
    unsigned b = 0;

    if (op < 0 || op >= DDB_OP__COUNT)
        op = DDB_OP_NONE;
    while (b < DDB_METRICS_BUCKETS && seconds > BOUNDS[b])
        b++;
    /* one writer per thread; relaxed stores keep a concurrent scrape's reads well-defined */
    __atomic_store_n(&m->requests[op][status != DDB_OK], m->requests[op][status != DDB_OK] + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&m->latency[op][b], m->latency[op][b] + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&m->latency_ns[op], m->latency_ns[op] + (uint64_t)(seconds * 1e9), __ATOMIC_RELAXED);
    if (status > DDB_OK && status < DDB_E__SERVER_LAST)
        __atomic_store_n(&m->errors[status], m->errors[status] + 1, __ATOMIC_RELAXED);
    if (trace_id != NULL)
        set_exemplar(&m->exemplars[op][b], trace_id, seconds);
}

static const ddb_metrics_thread *thread_at(const ddb_metrics_thread *t, size_t stride, size_t i)
{
    return (const ddb_metrics_thread *)((const char *)t + stride * i);
}

static uint64_t sum_u64(const ddb_metrics_thread *t, size_t stride, size_t n, size_t offset)
{
    uint64_t s = 0;

    for (size_t i = 0; i < n; i++)
        s += __atomic_load_n((const uint64_t *)((const char *)thread_at(t, stride, i) + offset), __ATOMIC_RELAXED);
    return s;
}

#define SUM(field) sum_u64(threads, stride, n, offsetof(ddb_metrics_thread, field))

static const char *op_label(int op)
{
    return op == DDB_OP_NONE ? "unknown" : ddb_op_name((ddb_op)op);
}

static void render_requests(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n)
{
    ddb_buf_puts(out, "# HELP ddbd_requests_total API requests answered, by operation and outcome.\n"
                      "# TYPE ddbd_requests_total counter\n");
    for (int op = 0; op < DDB_OP__COUNT; op++) {
        for (int e = 0; e < 2; e++) {
            uint64_t v = SUM(requests[op][e]);
            if (v > 0)
                ddb_buf_printf(out, "ddbd_requests_total{operation=\"%s\",outcome=\"%s\"} %llu\n", op_label(op),
                               e ? "error" : "ok", (unsigned long long)v);
        }
    }
    ddb_buf_puts(out, "# HELP ddbd_errors_total Errors answered, by __type.\n# TYPE ddbd_errors_total counter\n");
    for (int c = 1; c < DDB_E__SERVER_LAST; c++) {
        uint64_t v = SUM(errors[c]);
        if (v > 0)
            ddb_buf_printf(out, "ddbd_errors_total{type=\"%s\"} %llu\n", ddb_error_lookup(c)->type, (unsigned long long)v);
    }
}

/* The most recent exemplar of a bucket across the threads; 0 when none was ever set. */
static int latest_exemplar(const ddb_metrics_thread *threads, size_t stride, size_t n, int op, int b, ddb_exemplar *out)
{
    int found = 0;

    for (size_t i = 0; i < n; i++) {
        const ddb_exemplar *x = &thread_at(threads, stride, i)->exemplars[op][b];
        ddb_exemplar copy;
        uint32_t seq;
        int tries = 0;
        do {
            seq = __atomic_load_n(&x->seq, __ATOMIC_ACQUIRE);
            memcpy(&copy, x, sizeof(copy));
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
        } while ((seq % 2 != 0 || seq != __atomic_load_n(&x->seq, __ATOMIC_RELAXED)) && ++tries < 8);
        if (seq != 0 && seq % 2 == 0 && (!found || copy.timestamp_ns > out->timestamp_ns)) {
            *out = copy;
            found = 1;
        }
    }
    return found;
}

/* " # {trace_id="..."} value timestamp" after a bucket's count (OpenMetrics 1.0.0, "Exemplars"). */
static void put_exemplar(ddb_buf *out, const ddb_exemplar *x)
{
    char hex[33];

    ddb_trace_hex(x->trace_id, 16, hex);
    ddb_buf_printf(out, " # {trace_id=\"%s\"} %.9f %llu.%03llu", hex, x->value,
                   (unsigned long long)(x->timestamp_ns / 1000000000u),
                   (unsigned long long)(x->timestamp_ns / 1000000u % 1000u));
}

static void render_latency(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n, int openmetrics)
{
    ddb_buf_puts(out, "# HELP ddbd_request_duration_seconds Time from a request's arrival to its answer.\n"
                      "# TYPE ddbd_request_duration_seconds histogram\n");
    for (int op = 0; op < DDB_OP__COUNT; op++) {
        uint64_t cum = 0, total = SUM(requests[op][0]) + SUM(requests[op][1]);
        if (total == 0)
            continue;
        for (int b = 0; b <= DDB_METRICS_BUCKETS; b++) {
            ddb_exemplar x;
            cum += SUM(latency[op][b]);
            ddb_buf_printf(out, "ddbd_request_duration_seconds_bucket{operation=\"%s\",le=\"%s\"} %llu", op_label(op),
                           b < DDB_METRICS_BUCKETS ? BOUND_TEXT[b] : "+Inf", (unsigned long long)cum);
            if (openmetrics && latest_exemplar(threads, stride, n, op, b, &x))
                put_exemplar(out, &x);
            ddb_buf_putc(out, '\n');
        }
        ddb_buf_printf(out, "ddbd_request_duration_seconds_sum{operation=\"%s\"} %.9f\n", op_label(op),
                       (double)SUM(latency_ns[op]) / 1e9);
        ddb_buf_printf(out, "ddbd_request_duration_seconds_count{operation=\"%s\"} %llu\n", op_label(op),
                       (unsigned long long)cum);
    }
}

void ddb_metrics_render(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n, unsigned connections,
                        int openmetrics)
{
    render_requests(out, threads, stride, n);
    render_latency(out, threads, stride, n, openmetrics);
    ddb_buf_printf(out, "# HELP ddbd_connections Open client connections.\n# TYPE ddbd_connections gauge\n"
                        "ddbd_connections %u\n",
                   connections);
}

/* A "# HELP name" or "# TYPE name" line of a counter family: the length of its name's _total, or 0. */
static size_t total_suffix(const char *line, size_t len, const char **name)
{
    const char *n = line + 7, *e;

    if (len < 7 || (memcmp(line, "# HELP ", 7) != 0 && memcmp(line, "# TYPE ", 7) != 0))
        return 0;
    e = memchr(n, ' ', len - 7);
    if (e == NULL || e - n < 7 || memcmp(e - 6, "_total", 6) != 0)
        return 0;
    *name = n;
    return (size_t)(e - n);
}

void ddb_metrics_openmetrics(ddb_buf *page)
{
    ddb_buf in = *page;
    size_t at = 0;

    memset(page, 0, sizeof(*page));
    while (at < in.len) {
        const char *line = in.data + at, *nl = memchr(line, '\n', in.len - at), *name;
        size_t len = nl ? (size_t)(nl - line) : in.len - at, nlen = total_suffix(line, len, &name);
        at += len + 1;
        if (len > 8 && memcmp(line + len - 8, " untyped", 8) == 0 && memcmp(line, "# TYPE ", 7) == 0) {
            ddb_buf_append(page, line, len - 7);
            ddb_buf_puts(page, "unknown\n");
        } else if (nlen > 0) { /* the family's name is the counter's without _total */
            ddb_buf_append(page, line, (size_t)(name - line) + nlen - 6);
            ddb_buf_append(page, name + nlen, len - (size_t)(name - line) - nlen);
            ddb_buf_putc(page, '\n');
        } else {
            ddb_buf_append(page, line, len);
            ddb_buf_putc(page, '\n');
        }
    }
    ddb_buf_puts(page, "# EOF\n");
    free(in.data);
}
