/*
 * server/doors/metrics.c: the engine's figures for GET /metrics (see metrics.h).
 */
#include "server/doors/metrics.h"

#include "proto/arena.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/report/hot_report.h"
#include "server/engine/table_stats.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/doors/insights_view.h"

static void render_tables(ddb_buf *out, ddb_catalog *c, ddb_store *s, struct ddb_hot *hot)
{
    ddb_arena a;
    const ddb_table **tables;
    ddb_table_figures *f;
    size_t n;

    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(c, &a, &tables);
    f = DDB_NEW_ARRAY(&a, ddb_table_figures, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        if (ddb_table_stats_read(tables[i]->stats, s, tables[i], &f[i]) != DDB_STORE_OK)
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
    ddb_buf_puts(out, "# HELP ddbd_vector_request_bytes_total Vector indexes' request bytes (VectorSearchRequestBytes, "
                      "VectorWriteRequestBytes), by table and kind.\n"
                      "# TYPE ddbd_vector_request_bytes_total counter\n");
    for (size_t i = 0; i < n; i++) {
        if (tables[i]->nvector > 0)
            ddb_buf_printf(out,
                           "ddbd_vector_request_bytes_total{table=\"%s\",kind=\"search\"} %llu\n"
                           "ddbd_vector_request_bytes_total{table=\"%s\",kind=\"write\"} %llu\n",
                           tables[i]->name, f[i].vector_search_bytes, tables[i]->name, f[i].vector_write_bytes);
    }
    ddb_usage_hot_metrics(out, hot, tables, n);
    ddb_arena_free(&a);
}

void ddb_metrics_render_engine(ddb_buf *out, ddb_engine *eng)
{
    ddb_buf_printf(out, "# HELP ddbd_tables Tables in the catalog.\n# TYPE ddbd_tables gauge\nddbd_tables %zu\n",
                   ddb_catalog_count(eng->catalog));
    ddb_engine_store_metrics(eng, out);
    ddb_engine_metrics(eng, out); /* the features' sections, each its row's (the vector searches, the retained history) */
    render_tables(out, eng->catalog, eng->store, ddb_hot_of(eng));
    ddb_buf_printf(out,
                   "# HELP ddbd_counted_items_total Items and index entries read by passes that count a table "
                   "(once per table loaded, then by the periodic check; never by DescribeTable).\n"
                   "# TYPE ddbd_counted_items_total counter\nddbd_counted_items_total %llu\n",
                   (unsigned long long)ddb_figures_counted(ddb_catalog_figures(eng->catalog)));
    ddb_insights_metrics(out, eng);
}
