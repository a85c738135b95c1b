/*
 * server/http/request_metrics.h: the request figures GET /metrics serves, in Prometheus' text format
 * (or OpenMetrics', with exemplars, when the scraper asks for it).
 *
 * Every API request is counted once, by the HTTP thread that answered it, in that thread's own
 * counters (no shared cache line on the hot path): requests by operation and outcome, errors by
 * __type, and a latency histogram per operation. A scrape sums the threads' counters (relaxed
 * reads: a scrape may miss a request in flight, never count one twice) and adds the open
 * connections; the wiring's hook then adds the rest (server/doors/metrics.h).
 */
#ifndef DDB_REQUEST_METRICS_H
#define DDB_REQUEST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ddb/ddb_status.h"
#include "proto/buf.h"
#include "proto/ops.h"

/* Latency buckets, in seconds (le="..."), then +Inf. */
#define DDB_METRICS_BUCKETS 12

/* The latest traced request of a bucket (OpenMetrics' exemplar): seq is odd while it is written. */
typedef struct ddb_exemplar {
    uint32_t seq;
    uint8_t trace_id[16];
    double value;          /* its latency, seconds */
    uint64_t timestamp_ns; /* when it was answered, since the epoch */
} ddb_exemplar;

typedef struct ddb_metrics_thread {
    uint64_t requests[DDB_OP__COUNT][2];                   /* [op][0 ok, 1 error] */
    uint64_t errors[DDB_E__SERVER_LAST];                   /* by error code */
    uint64_t latency[DDB_OP__COUNT][DDB_METRICS_BUCKETS + 1]; /* counts per bucket (not cumulative) */
    uint64_t latency_ns[DDB_OP__COUNT];                    /* summed */
    ddb_exemplar exemplars[DDB_OP__COUNT][DDB_METRICS_BUCKETS + 1];
} ddb_metrics_thread;

/* Counts one request of `op` (DDB_OP_NONE for an unknown target) ending in `status` after `seconds`;
   a traced one (trace_id: its 16 bytes, else NULL) becomes its latency bucket's exemplar. */
void ddb_metrics_record(ddb_metrics_thread *m, int op, int status, double seconds, const uint8_t *trace_id);

/* Writes the text format (version 0.0.4) of n threads' counters (`stride` bytes apart) and the
   open connections to `out`; with `openmetrics`, the latency buckets carry their exemplars (only
   OpenMetrics has them: application/openmetrics-text, see ddb_metrics_openmetrics). */
void ddb_metrics_render(ddb_buf *out, const ddb_metrics_thread *threads, size_t stride, size_t n, unsigned connections,
                        int openmetrics);

/* Turns a whole text-format page into OpenMetrics 1.0.0: a counter family is named without its
   _total suffix (its samples keep it), "untyped" is "unknown", and the page ends with # EOF. */
void ddb_metrics_openmetrics(ddb_buf *page);

#endif
