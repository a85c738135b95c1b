/*
 * server/http/tracing.h: a request's trace, from its headers to its span (base/trace.h).
 *
 * A request is traced when it carries a valid W3C traceparent (the standard, so it wins) or a
 * valid X-Amzn-Trace-Id, or when spans are exported (--otlp-endpoint): then a trace is started
 * for it. A traced request's trace id goes into its access log line and its latency's exemplar;
 * its span is exported when the caller sampled it (flags 01, Sampled=1 or ?, or no header), as
 * OpenTelemetry's default parent-based sampler decides. An untraced request costs two header
 * lookups: no clock read, no allocation.
 */
#ifndef DDB_HTTP_TRACING_H
#define DDB_HTTP_TRACING_H

#include <stddef.h>

#include "proto/buf.h"
#include "server/api/req.h"
#include "server/base/trace.h"

/* The trace headers as the request sent them (NULL when absent). */
typedef struct ddb_trace_headers {
    const char *traceparent;
    size_t traceparent_len;
    int traceparents; /* how many traceparent headers: more than one is not a valid one */
    const char *amzn;
    size_t amzn_len;
} ddb_trace_headers;

/* Starts s for the request: 1 when it is traced (s's context set; its id and start time too when
   it is to be exported: exporting, and sampled), 0 when not. */
int ddb_http_trace_start(ddb_span *s, const ddb_trace_headers *hd, int exporting);
/* Fills s from the answered request (operation, tables, status, error type, units, end time). */
void ddb_http_trace_finish(ddb_span *s, const ddb_req *r, const char *request_id, int status, ddb_buf *scratch);

#endif
