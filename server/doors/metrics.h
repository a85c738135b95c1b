/*
 * server/doors/metrics.h: the engine's figures GET /metrics serves, in Prometheus' text format, after the
 * HTTP front's request counters (server/http/request_metrics.h): the tables in the catalog, the
 * storage backend's own figures (RocksDB's memory, cache, compaction and stall figures), --sync's
 * group commit, each feature's section (its row's metrics hook: engine/feature.h), and each
 * table's items, bytes and consumed capacity, which the table's own counters keep
 * (engine/table_stats.h). The capacity row's sections (the hot partitions, Contributor Insights'
 * top keys) are still rendered here by name, until the cost report's model is in the engine.
 */
#ifndef DDB_METRICS_H
#define DDB_METRICS_H

#include "proto/json.h"
#include "server/engine/engine.h"

/* Appends the figures to `out`; the caller keeps the store and catalog in place meanwhile (the gate). */
void ddb_metrics_render_engine(ddb_buf *out, ddb_engine *eng);

#endif
