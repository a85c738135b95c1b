/*
 * server/metrics.c: per-thread request counters and their Prometheus rendering (see metrics.h).
 */
#include "server/metrics.h"

#include "proto/arena.h"
#include "server/engine/catalog.h"
#include "proto/errors.h"
#include "server/engine/table_stats.h"

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

void ddb_metrics_render(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n,
                        const ddb_metrics_gauges *g)
{
    render_requests(out, threads, stride, n);
    render_latency(out, threads, stride, n);
    ddb_buf_printf(out, "# HELP ddbd_connections Open client connections.\n# TYPE ddbd_connections gauge\n"
                        "ddbd_connections %u\n",
                   g->connections);
    ddb_buf_printf(out, "# HELP ddbd_tables Tables in the catalog.\n# TYPE ddbd_tables gauge\nddbd_tables %zu\n",
                   g->tables);
    if (g->store_text != NULL)
        ddb_buf_puts(out, g->store_text);
}

void ddb_metrics_render_tables(ddb_buf *out, ddb_catalog *c, ddb_store *s)
{
    ddb_arena a;
    const ddb_table **tables;
    ddb_table_figures *f;
    size_t n;

    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(c, &a, &tables);
    f = DDB_NEW_ARRAY(&a, ddb_table_figures, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        if (ddb_table_stats_read(tables[i]->stats, s, tables[i]->id, &f[i]) != DDB_STORE_OK)
            f[i].items = f[i].bytes = -1; /* not countable now: left out */
    }
    ddb_buf_puts(out, "# HELP ddbd_table_items Items in a table.\n# TYPE ddbd_table_items gauge\n");
    for (size_t i = 0; i < n; i++) {
        if (f[i].items >= 0)
            ddb_buf_printf(out, "ddbd_table_items{table=\"%s\"} %lld\n", tables[i]->name, f[i].items);
    }
    ddb_buf_puts(out, "# HELP ddbd_table_size_bytes Bytes of a table's items, as DescribeTable's TableSizeBytes.\n"
                      "# TYPE ddbd_table_size_bytes gauge\n");
    for (size_t i = 0; i < n; i++) {
        if (f[i].bytes >= 0)
            ddb_buf_printf(out, "ddbd_table_size_bytes{table=\"%s\"} %lld\n", tables[i]->name, f[i].bytes);
    }
    ddb_buf_puts(out, "# HELP ddbd_consumed_capacity_units_total Capacity units consumed, by table and kind.\n"
                      "# TYPE ddbd_consumed_capacity_units_total counter\n");
    for (size_t i = 0; i < n; i++)
        ddb_buf_printf(out,
                       "ddbd_consumed_capacity_units_total{table=\"%s\",kind=\"read\"} %.3f\n"
                       "ddbd_consumed_capacity_units_total{table=\"%s\",kind=\"write\"} %.3f\n",
                       tables[i]->name, f[i].read_units, tables[i]->name, f[i].write_units);
    ddb_arena_free(&a);
}
