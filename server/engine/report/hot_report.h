/*
 * server/engine/report/hot_report.h: the cost report's "hotPartitions" member (GET /ddbd/usage) and the
 * would-be-throttled counter of /metrics: what the hot-partition model (engine/capacity/hot.h) saw.
 */
#ifndef DDB_USAGE_HOT_H
#define DDB_USAGE_HOT_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/engine.h"

/* Writes "hotPartitions": {...} into the object w is in, for the `n` tables. */
void ddb_usage_write_hot(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_table *const *tables, size_t n);

/* Opens "model": { with a partition's limits, what both the hot partitions and the forecast
   assume; the caller adds its own figures and closes it. */
void ddb_usage_model_begin(ddb_jw *w);

struct ddb_hot;

/* Appends ddbd_would_throttle_requests_total{table, index} for the `n` tables to out. */
void ddb_usage_hot_metrics(ddb_buf *out, struct ddb_hot *hot, const ddb_table *const *tables, size_t n);

#endif
