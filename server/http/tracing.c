/*
 * server/http/tracing.c: a request's trace (see tracing.h).
 */
#include "server/http/tracing.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "proto/errors.h"
#include "proto/ops.h"
#include "server/base/clock.h"
#include "server/http/access_log.h"

static int context_of(const ddb_trace_headers *hd, ddb_trace_ctx *ctx)
{
    if (hd->traceparents == 1 && ddb_trace_parse_traceparent(hd->traceparent, hd->traceparent_len, ctx) == 0)
        return 1;
    return hd->amzn != NULL && ddb_trace_parse_amzn(hd->amzn, hd->amzn_len, ctx) == 0;
}

int ddb_http_trace_start(ddb_span *s, const ddb_trace_headers *hd, int exporting)
{
    if (!context_of(hd, &s->ctx)) {
        if (!exporting)
            return 0;
        ddb_trace_new(&s->ctx);
    }
    if (!exporting || !s->ctx.sampled) /* its trace id is all that is needed */
        return 1;
    randombytes_buf(s->span_id, sizeof(s->span_id));
    s->start_ns = ddb_clock_system_ns();
    s->nchildren = s->children_dropped = 0;
    s->open_child = -1;
    return 1;
}

/* The list cut at the last whole name that fits (span attributes need no more). */
static void copy_tables(char *out, size_t size, const ddb_buf *list)
{
    size_t n = list->len;

    if (n >= size) {
        n = size - 1;
        while (n > 0 && list->data[n] != ',')
            n--;
    }
    if (n > 0) /* an empty list may have no buffer yet */
        memcpy(out, list->data, n);
    out[n] = '\0';
}

void ddb_http_trace_finish(ddb_span *s, const ddb_req *r, const char *request_id, int status, ddb_buf *scratch)
{
    s->end_ns = ddb_clock_system_ns();
    s->status = status;
    snprintf(s->op, sizeof(s->op), "%s", r->op != DDB_OP_NONE ? ddb_op_name((ddb_op)r->op) : "");
    snprintf(s->error_type, sizeof(s->error_type), "%s",
             r->err.code != DDB_OK ? ddb_error_lookup(r->err.code)->type : "");
    snprintf(s->request_id, sizeof(s->request_id), "%s", request_id);
    scratch->len = 0;
    ddb_access_log_tables(r->in, scratch);
    copy_tables(s->tables, sizeof(s->tables), scratch);
    s->read_units = r->consumed_read;
    s->write_units = r->consumed_write;
}
