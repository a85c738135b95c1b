/*
 * server/base/otlp.h: --otlp-endpoint URL, the export of request spans (base/trace.h) to an
 * OpenTelemetry collector over OTLP/HTTP with the JSON encoding (POST URL/v1/traces).
 *
 * The HTTP threads only copy a finished span into a bounded queue (a mutex held for the copy);
 * one background thread takes up to DDB_OTLP_BATCH spans at a time, writes them as one
 * ExportTraceServiceRequest and posts it, retrying a failed post with backoff (connection refused
 * or reset, 429, 502, 503, 504, as the OTLP specification lists them) before giving the batch up.
 * Spans that find the queue full, and batches given up, are counted as dropped (/metrics), never
 * waited for: a slow or absent collector costs the API nothing. At shutdown what is queued is
 * posted, one try a batch, until a post fails (the rest is then dropped: a hung collector holds
 * the exit for one timeout at most, not one per batch).
 */
#ifndef DDB_OTLP_H
#define DDB_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"
#include "server/base/trace.h"

#define DDB_OTLP_QUEUE 4096 /* spans waiting at most */
#define DDB_OTLP_BATCH 256  /* spans per post at most */

typedef struct ddb_otlp ddb_otlp;

/* Starts the exporter to `url` (http://HOST[:PORT][/PATH]; /v1/traces is appended), naming the
   resource `service`; NULL with the reason in err. */
ddb_otlp *ddb_otlp_start(const char *url, const char *service, char *err, size_t errlen);
/* Queues a copy of `span` (dropped and counted when the queue is full). */
void ddb_otlp_submit(ddb_otlp *o, const ddb_span *span);
/* Posts what is queued (see above), ends the thread, frees. NULL: nothing. */
void ddb_otlp_stop(ddb_otlp *o);
/* The exporter's counters in Prometheus' text format. */
void ddb_otlp_metrics_text(ddb_otlp *o, ddb_buf *out);
/* One ExportTraceServiceRequest of spans[0..n) (OTLP's JSON mapping) into out. */
void ddb_otlp_encode(const ddb_span *spans, size_t n, const char *service, ddb_buf *out);

#endif
