/*
 * server/engine/report/hot_report.c: the hot-partition report (see hot_report.h and engine/capacity/hot.h).
 *
 * A table's partitions are estimated as the developer guide's partitions page counts them (one
 * per 10 GB, and enough for its throughput at 3,000 read and 1,000 write units each): the larger of
 * its size / 10 GB and read / 3,000 + write / 1,000, the throughput being a provisioned table's
 * provisioned units, an on-demand table's observed peak (at least its initial 12,000 read or
 * 4,000 write units a second, four partitions): the capacity model's ddb_capacity_partitions.
 */
#include "server/engine/report/hot_report.h"

#include <string.h>

#include "server/engine/capacity/capacity.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/table_stats.h"

/* The partitions the capacity model counts for t, from its size when its figures are at hand. */
static double estimated_partitions(ddb_store *s, const ddb_table *t, const ddb_hot_view *v)
{
    ddb_table_figures f;
    double bytes = ddb_table_figures_peek(s, t, &f) == DDB_STORE_OK ? (double)f.bytes : 0; /* read-only */

    return ddb_capacity_partitions(t, v->peak, bytes);
}

/* One would-be-throttled key, or the table's (or index's) own limit. */
static void write_report(ddb_jw *w, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_hot_report *r)
{
    ddb_jw_obj_begin(w);
    if (ix != NULL)
        ddb_jw_member_str(w, "index", ix->name);
    ddb_jw_member_str(w, "operation", r->write ? "Write" : "Read");
    ddb_jw_key(w, "reason"); /* as ThrottlingReasons would name it */
    ddb_jw_str(w, ddb_arena_sprintf(a, "%s%s%s", ix != NULL ? "Index" : "Table", r->write ? "Write" : "Read",
                                    r->limit));
    if (r->key.hash != 0) {
        ddb_attr pk, sk;
        ddb_insights_values(a, &r->key, ix != NULL ? ix->hash[0].type : t->hash_type, DDB_T_NONE, &pk, &sk);
        ddb_jw_key(w, "partitionKey");
        ddb_attr_write_json(w, &pk);
    }
    ddb_jw_member_int(w, "requests", (long long)r->requests);
    ddb_jw_member_int(w, "firstSecond", r->first_second);
    ddb_jw_member_int(w, "lastSecond", r->last_second);
    ddb_jw_member_int(w, "peakSecond", r->peak_second);
    ddb_jw_member_double(w, "peakUnitsPerSecond", r->peak_units);
    ddb_jw_member_double(w, "limitUnitsPerSecond", r->limit_units);
    ddb_jw_obj_end(w);
}

/* t's (ix NULL) or its GSI's would-be-throttled keys; adds their requests to *total. */
static void write_reports(ddb_jw *w, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_hot_view *v,
                          uint64_t *total)
{
    *total += v->throttled;
    for (size_t i = 0; i < v->nreports; i++)
        write_report(w, a, t, ix, &v->reports[i]);
}

static void write_table(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const ddb_hot_view *v)
{
    uint64_t total = 0;
    ddb_hot_view *iv = ddb_arena_alloc(a, sizeof(*iv));

    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "table", t->name);
    ddb_jw_member_double(w, "estimatedPartitions", estimated_partitions(eng->store, t, v));
    ddb_jw_member_double(w, "peakReadUnitsPerSecond", v->peak[0]);
    ddb_jw_member_double(w, "peakWriteUnitsPerSecond", v->peak[1]);
    ddb_jw_key(w, "throttled");
    ddb_jw_arr_begin(w);
    write_reports(w, a, t, NULL, v, &total);
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL && ddb_hot_view_of(ddb_hot_of(eng), t->indexes[i].id, iv))
            write_reports(w, a, t, &t->indexes[i], iv, &total);
    ddb_jw_arr_end(w);
    ddb_jw_member_int(w, "wouldHaveThrottledRequests", (long long)total);
    ddb_jw_obj_end(w);
}

void ddb_usage_model_begin(ddb_jw *w)
{
    ddb_jw_key(w, "model");
    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "partitionReadUnitsPerSecond", DDB_PARTITION_READ_UNITS);
    ddb_jw_member_int(w, "partitionWriteUnitsPerSecond", DDB_PARTITION_WRITE_UNITS);
}

void ddb_usage_write_hot(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_table *const *tables, size_t n)
{
    ddb_hot_view *v = ddb_arena_alloc(a, sizeof(*v));

    ddb_jw_key(w, "hotPartitions");
    ddb_jw_obj_begin(w);
    ddb_usage_model_begin(w);
    ddb_jw_member_double(w, "partitionBytes", DDB_PARTITION_SIZE_BYTES);
    ddb_jw_member_int(w, "burstSeconds", DDB_BURST_SECONDS);
    ddb_jw_member_double(w, "onDemandInitialReadUnitsPerSecond", DDB_ON_DEMAND_INITIAL_READ);
    ddb_jw_member_double(w, "onDemandInitialWriteUnitsPerSecond", DDB_ON_DEMAND_INITIAL_WRITE);
    ddb_jw_member_int(w, "keyBucketsPerTable", DDB_HOT_BUCKETS);
    ddb_jw_member_int(w, "memoryBytes", (long long)ddb_hot_memory_bytes());
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "tables");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        memset(v, 0, sizeof(*v));
        if (tables[i]->stats != NULL && ddb_hot_view_of(ddb_hot_of(eng), tables[i]->id, v))
            write_table(w, a, eng, tables[i], v);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

static void metric_line(ddb_buf *out, const ddb_table *t, const ddb_index *ix, uint64_t n)
{
    ddb_buf_printf(out, "ddbd_would_throttle_requests_total{table=\"%s\",index=\"%s\"} %llu\n", t->name,
                   ix != NULL ? ix->name : "", (unsigned long long)n);
}

void ddb_usage_hot_metrics(ddb_buf *out, ddb_hot *hot, const ddb_table *const *tables, size_t n)
{
    ddb_hot_view v;

    ddb_buf_puts(out, "# HELP ddbd_would_throttle_requests_total Requests DynamoDB would have throttled "
                      "(hot partitions, burst, on-demand peaks: docs/usage.md), by table and index.\n"
                      "# TYPE ddbd_would_throttle_requests_total counter\n");
    for (size_t i = 0; i < n; i++) {
        const ddb_table *t = tables[i];
        if (ddb_hot_view_of(hot, t->id, &v))
            metric_line(out, t, NULL, v.throttled);
        for (unsigned j = 0; j < t->nindexes; j++)
            if (t->indexes[j].kind == DDB_IX_GLOBAL && ddb_hot_view_of(hot, t->indexes[j].id, &v))
                metric_line(out, t, &t->indexes[j], v.throttled);
    }
}
