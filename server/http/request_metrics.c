/*
 * server/http/request_metrics.c: per-thread request counters and their Prometheus rendering (see
 * request_metrics.h).
 */
#include "server/http/request_metrics.h"

#include "proto/errors.h"

static const double BOUNDS[DDB_METRICS_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
static const char *const BOUND_TEXT[DDB_METRICS_BUCKETS] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
                                                            "0.01",   "0.025",   "0.05",   "0.1",   "0.5",    "1"};

void ddb_metrics_record(ddb_metrics_thread *m, int op, int status, double seconds)
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

static void render_latency(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n)
{
    ddb_buf_puts(out, "# HELP ddbd_request_duration_seconds Time from a request's arrival to its answer.\n"
                      "# TYPE ddbd_request_duration_seconds histogram\n");
    for (int op = 0; op < DDB_OP__COUNT; op++) {
        uint64_t cum = 0, total = SUM(requests[op][0]) + SUM(requests[op][1]);
        if (total == 0)
            continue;
        for (int b = 0; b <= DDB_METRICS_BUCKETS; b++) {
            cum += SUM(latency[op][b]);
            ddb_buf_printf(out, "ddbd_request_duration_seconds_bucket{operation=\"%s\",le=\"%s\"} %llu\n", op_label(op),
                           b < DDB_METRICS_BUCKETS ? BOUND_TEXT[b] : "+Inf", (unsigned long long)cum);
        }
        ddb_buf_printf(out, "ddbd_request_duration_seconds_sum{operation=\"%s\"} %.9f\n", op_label(op),
                       (double)SUM(latency_ns[op]) / 1e9);
        ddb_buf_printf(out, "ddbd_request_duration_seconds_count{operation=\"%s\"} %llu\n", op_label(op),
                       (unsigned long long)cum);
    }
}

void ddb_metrics_render(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n, unsigned connections)
{
    render_requests(out, threads, stride, n);
    render_latency(out, threads, stride, n);
    ddb_buf_printf(out, "# HELP ddbd_connections Open client connections.\n# TYPE ddbd_connections gauge\n"
                        "ddbd_connections %u\n",
                   connections);
}
