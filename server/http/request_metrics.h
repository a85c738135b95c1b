/*
 * server/http/request_metrics.h: the request figures GET /metrics serves, in Prometheus' text format.
 *
 * Every API request is counted once, by the HTTP thread that answered it, in that thread's own
 * counters (no shared cache line on the hot path): requests by operation and outcome, errors by
 * __type, and a latency histogram per operation. A scrape sums the threads' counters (relaxed
 * reads: a scrape may miss a request in flight, never count one twice) and adds the open
 * connections; the wiring's hook then adds the rest (server/metrics.h).
 */
#ifndef DDB_REQUEST_METRICS_H
#define DDB_REQUEST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ddb/ddb_status.h"
#include "proto/json.h"
#include "proto/ops.h"

/* Latency buckets, in seconds (le="..."), then +Inf. */
#define DDB_METRICS_BUCKETS 12

typedef struct ddb_metrics_thread {
    uint64_t requests[DDB_OP__COUNT][2];                   /* [op][0 ok, 1 error] */
    uint64_t errors[DDB_E__SERVER_LAST];                   /* by error code */
    uint64_t latency[DDB_OP__COUNT][DDB_METRICS_BUCKETS + 1]; /* counts per bucket (not cumulative) */
    uint64_t latency_ns[DDB_OP__COUNT];                    /* summed */
} ddb_metrics_thread;

/* Counts one request of `op` (DDB_OP_NONE for an unknown target) ending in `status` after `seconds`. */
void ddb_metrics_record(ddb_metrics_thread *m, int op, int status, double seconds);

/* Writes the text format (version 0.0.4) of n threads' counters (`stride` bytes apart) and the
   open connections to `out`. */
void ddb_metrics_render(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n, unsigned connections);

#endif
