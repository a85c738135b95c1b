/*
 * server/base/trace.h: a request's trace context and the span ddbd records for it.
 *
 * The context comes from the caller's W3C `traceparent` header or AWS X-Ray's `X-Amzn-Trace-Id`
 * (parsed here, for the front: server/http/http.c), or is made up when spans are exported
 * (--otlp-endpoint, base/otlp.h) and the caller sent none. While a traced request runs on its
 * thread, ddb_trace_active points at its span, and the layers below note their round trips in it
 * as child spans (the storage commit, RADOS operations). Nothing is read, allocated or timed when
 * the pointer is NULL, which is every request of a server that neither exports nor was sent a header.
 */
#ifndef DDB_TRACE_H
#define DDB_TRACE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ddb_trace_ctx {
    uint8_t trace_id[16];
    uint8_t parent_id[8]; /* the caller's span, if has_parent */
    int has_parent;
    int sampled; /* 0: the caller chose not to record this trace (flags 00, Sampled=0) */
} ddb_trace_ctx;

/*
 * W3C Trace Context (level 1) traceparent, "00-<32 hex>-<16 hex>-<2 hex>": 0 with ctx filled, or -1
 * when the value is not one (then the header is ignored, as the recommendation says): a wrong length
 * or separator, upper-case or non-hex digits, an all-zero trace or parent id, version ff. A later
 * version may be longer (a '-' and more after the flags), version 00 may not.
 */
int ddb_trace_parse_traceparent(const char *s, size_t n, ddb_trace_ctx *ctx);

/*
 * X-Amzn-Trace-Id, "Root=1-<8 hex>-<24 hex>[;Parent=<16 hex>][;Sampled=0|1|?]" with fields in any
 * order, blanks around them allowed, and any other Key=Value fields (Self=, Lineage=...) passed
 * over: 0 with ctx filled (the trace id is the root's 32 digits, as X-Ray's OpenTelemetry
 * propagator reads it), or -1 when there is no valid Root, or a Parent or Sampled is malformed.
 */
int ddb_trace_parse_amzn(const char *s, size_t n, ddb_trace_ctx *ctx);

/* The lower-case hex of b[0..n) into out (2n characters and a NUL). */
void ddb_trace_hex(const uint8_t *b, size_t n, char *out);

/* A fresh, random trace context (no parent). */
void ddb_trace_new(ddb_trace_ctx *ctx);

#define DDB_TRACE_CHILDREN 16

/* A round trip below the request: a storage commit, a RADOS operation. */
typedef struct ddb_span_child {
    const char *name;  /* a string literal */
    int parent;        /* the child it ran inside, or -1: the request itself */
    uint64_t start_ns, end_ns;
} ddb_span_child;

/* One API request's span: what base/otlp.h exports (times since the epoch, in nanoseconds). */
typedef struct ddb_span {
    ddb_trace_ctx ctx;
    uint8_t span_id[8];
    uint64_t start_ns, end_ns;
    int status;           /* the HTTP status */
    char op[48];          /* the operation, "" for an unknown target */
    char error_type[64];  /* the error's __type without its namespace, "" on success */
    char request_id[56];  /* x-amzn-RequestId */
    char tables[256];     /* the tables named, comma-separated (cut at a name boundary) */
    double read_units, write_units;
    unsigned nchildren, children_dropped;
    int open_child;       /* the child now running, -1: none */
    ddb_span_child children[DDB_TRACE_CHILDREN];
} ddb_span;

/* The span of the request this thread is serving, or NULL (not traced). */
extern __thread ddb_span *ddb_trace_active;

/* Opens a child span named `name` (a literal) of the active span: its index, or -1 (no active
   span, or no room: counted). Costs one thread-local read when tracing is off. */
int ddb_trace_child_open_slow(const char *name);
static inline int ddb_trace_child_open(const char *name)
{
    return ddb_trace_active != NULL ? ddb_trace_child_open_slow(name) : -1;
}
/* Closes what ddb_trace_child_open returned (nothing for -1). */
void ddb_trace_child_close_slow(int child);
static inline void ddb_trace_child_close(int child)
{
    if (child >= 0)
        ddb_trace_child_close_slow(child);
}

#endif
