/*
 * server/http/http.c: the HTTP front on h2o; with respond.c, the only files that touch h2o_req_t.
 *
 * Each event-loop thread owns an h2o context and a SO_REUSEPORT listener on the same port; the
 * kernel spreads connections across them. A request is handled to completion on its loop thread:
 * headers are turned into plain strings for dispatch.c, and the outcome (req->out or req->err) is
 * rendered once, by respond.c, with x-amzn-RequestId, x-amz-crc32 and Content-Length.
 */
#include <openssl/err.h>

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "server/http/http.h"
#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "proto/ops.h"
#include "server/api/auth/auth.h"
#include "server/api/dispatch.h"
#include "server/api/record/record.h"
#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/base/groupcommit.h"
#include "server/base/log.h"
#include "server/base/log_turn.h"
#include "server/base/otlp.h"
#include "server/guard/guard.h"
#include "server/http/conns.h"
#include "server/http/doors.h"
#include "server/http/http_internal.h"
#include "server/http/listen.h"
#include "server/http/offload.h"
#include "server/http/spin.h"
#include "server/http/tracing.h"

/* An HTTP thread keeps buffers up to this size for its next requests: a Query or Scan page's answer
   (1 MB of items) fits, so paging through a table does not free and regrow one at every page. */
#define THREAD_BUF_KEEP (4u << 20)

/* Without a Host header (HTTP/1.0), the name DynamoDB's own endpoint would give. */
static const char health_body[] = "healthy: dynamodb.us-east-1.amazonaws.com ";
/* The response headers DynamoDB lets a browser read (ScyllaDB's server.cc quotes DynamoDB's list). */
static const char not_found_body[] = "<UnknownOperationException/>\n";

/* ---- helpers over h2o ---- */

/*
 * The request headers the API's path reads, found in one pass over req->headers: a lookup by name
 * is a pass of its own, and there were eight a request (1.5 % of a GetItem's instructions). The
 * first of each counts, as h2o_find_header's does; of traceparent, how many there are too.
 */
typedef struct api_headers {
    h2o_iovec_t origin, content_type, content_encoding, target, peer, auth, traceparent, amzn_trace;
    int has_date;     /* X-Amz-Date or Date */
    int traceparents; /* 0, 1, or 2 for two or more */
    unsigned origins; /* how many Origin headers (guard.h: more than one is refused) */
} api_headers;

static void take(h2o_iovec_t *slot, const h2o_header_t *e)
{
    if (slot->base == NULL)
        *slot = e->value;
}

static void api_headers_of(const h2o_req_t *req, api_headers *hd)
{
    memset(hd, 0, sizeof(*hd));
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *e = &req->headers.entries[i];
        const char *n = e->name->base;
        switch (e->name->len) {
        case 4: hd->has_date |= memcmp(n, "date", 4) == 0; break;
        case 6:
            if (memcmp(n, "origin", 6) == 0) {
                take(&hd->origin, e);
                hd->origins++;
            }
            break;
        case 10: hd->has_date |= memcmp(n, "x-amz-date", 10) == 0; break;
        case 11:
            if (memcmp(n, "traceparent", 11) == 0) {
                take(&hd->traceparent, e);
                hd->traceparents += hd->traceparents < 2;
            } else if (memcmp(n, "x-ddbd-peer", 11) == 0) {
                take(&hd->peer, e);
            }
            break;
        case 12:
            if (memcmp(n, "x-amz-target", 12) == 0)
                take(&hd->target, e);
            else if (memcmp(n, "content-type", 12) == 0)
                take(&hd->content_type, e);
            break;
        case 13: if (memcmp(n, "authorization", 13) == 0) take(&hd->auth, e); break;
        case 15: if (memcmp(n, "x-amzn-trace-id", 15) == 0) take(&hd->amzn_trace, e); break;
        case 16: if (memcmp(n, "content-encoding", 16) == 0) take(&hd->content_encoding, e); break;
        default: break;
        }
    }
}

/* "healthy: <Host> ", as DynamoDB answers GET / (ScyllaDB's test_health.py, run against DynamoDB). */
static void send_health(h2o_req_t *req)
{
    h2o_iovec_t host = req->authority;
    char *body;
    size_t len;

    if (host.base == NULL || host.len == 0) {
        ddb_http_send_body(req, 200, "OK", "text/plain", health_body, sizeof(health_body) - 1);
        return;
    }
    len = 9 + host.len + 1;
    body = h2o_mem_alloc_pool(&req->pool, len);
    memcpy(body, "healthy: ", 9);
    memcpy(body + 9, host.base, host.len);
    body[len - 1] = ' ';
    ddb_http_send_body(req, 200, "OK", "text/plain", body, len);
}

/* ---- the DynamoDB request ---- */


/* The answer's Content-Type for the request's media type (ddb_http_media_type()). */
static const char *response_content_type(h2o_iovec_t ct)
{
    if (ct.base != NULL && h2o_memis(ct.base, ct.len, H2O_STRLIT("application/x-amz-json-1.1")))
        return "application/x-amz-json-1.1";
    return "application/x-amz-json-1.0";
}

static int acceptable_content_type(h2o_iovec_t ct)
{
    return h2o_memis(ct.base, ct.len, H2O_STRLIT("application/x-amz-json-1.0")) ||
           h2o_memis(ct.base, ct.len, H2O_STRLIT("application/x-amz-json-1.1")) ||
           h2o_memis(ct.base, ct.len, H2O_STRLIT("application/json"));
}


/* ---- the API request ---- */

/* The headers dispatch reads (plain strings into in; they live in the request's pool). */
static void read_in(const api_headers *hd, ddb_http_in *in)
{
    in->target = hd->target.base;
    in->target_len = hd->target.len;
    in->auth = hd->auth.base;
    in->auth_len = hd->auth.len;
    in->has_date = hd->has_date;
    in->peer = hd->peer.base;
    in->peer_len = hd->peer.len;
}

/* The request's span (in `span`) when it is traced (tracing.h), else NULL. */
static ddb_span *trace_begin(ddb_http *h, ddb_span *span, const api_headers *ah)
{
    ddb_trace_headers hd = {0};

    if (ah->traceparents == 0 && ah->amzn_trace.base == NULL && h->env->otlp == NULL)
        return NULL;
    if (ah->traceparents != 0) {
        hd.traceparent = ah->traceparent.base;
        hd.traceparent_len = ah->traceparent.len;
        hd.traceparents = ah->traceparents;
    }
    if (ah->amzn_trace.base != NULL) {
        hd.amzn = ah->amzn_trace.base;
        hd.amzn_len = ah->amzn_trace.len;
    }
    if (!ddb_http_trace_start(span, &hd, h->env->otlp != NULL))
        return NULL;
    return span;
}

/* The layers below note their round trips only in a span that is going to be exported (on the
   thread that runs the request's dispatch). */
static void trace_activate(ddb_http *h, ddb_span *span)
{
    if (span != NULL && h->env->otlp != NULL && span->ctx.sampled)
        ddb_trace_active = span;
}

/* The answered request's span: finished, and exported when it was sampled; held with the loop's
   turn's (respond.c's release_lines) when its answer waits for the turn's end (`waits`: it may go out
   as InternalServerError), or spans do. */
static void trace_end(ddb_http *h, http_thread *t, ddb_span *span, const ddb_req *r, const char *id, int status,
                      int waits)
{
    ddb_trace_active = NULL;
    if (h->env->otlp == NULL || !span->ctx.sampled)
        return;
    ddb_http_trace_finish(span, r, id, status, &t->trace_scratch);
    if (!waits && t->nheld_spans == 0) {
        ddb_otlp_submit(h->env->otlp, span);
        return;
    }
    if (t->nheld_spans == t->held_spans_cap) {
        unsigned cap = t->held_spans_cap != 0 ? t->held_spans_cap * 2 : 8;
        struct held_span *grown = realloc(t->held_spans, cap * sizeof(*grown));
        if (grown == NULL)
            abort();
        t->held_spans = grown;
        t->held_spans_cap = cap;
    }
    t->held_spans[t->nheld_spans].span = *span;
    t->held_spans[t->nheld_spans++].waits = waits;
}

/* A dispatched request's outcome as its answer's status and body: out, or its error rendered in err. */
static void outcome(const ddb_req *r, ddb_buf *out, ddb_buf *err, held_answer *a)
{
    a->op = r->op;
    a->code = r->err.code;
    a->status = 200;
    if (r->err.code != DDB_OK) {
        a->status = ddb_error_lookup(r->err.code)->http_status;
        err->len = 0;
        ddb_req_render_error(r, err);
        a->body = err->data;
        a->len = err->len;
        return;
    }
    /* an output of no members is an empty body, as DynamoDB sends it; any other answer is JSON */
    if (out->len == 0 && !(ddb_op_flags((ddb_op)r->op) & DDB_OPF_NO_OUTPUT))
        ddb_buf_puts(out, "{}");
    a->body = out->data;
    a->len = out->len;
}

/* Sends a dispatched request's answer with its request id, its span ended and its access log line
   written; req NULL (its client has gone): the same, and nothing sent. */
static void answer_api(ddb_http *h, http_thread *t, h2o_req_t *req, const ddb_req *r, ddb_span *span, held_answer *a,
                       double seconds)
{
    char trace_hex[33], gone_id[REQUEST_ID_LEN + 1];
    char *id = req != NULL ? h2o_mem_alloc_pool(&req->pool, REQUEST_ID_LEN + 1) : gone_id;
    ddb_recording *rec;
    int waits = h->gc == NULL && ddb_log_turn_owed(); /* until the turn's end, and so do its log lines */

    /* an answer an injected latency delays past the turn goes after writes the log has taken: now,
       or as InternalServerError (and its lines as the turn's held answers': the turn failed) */
    if (waits && req != NULL && r->fault_delay_ms > 0 && (waits = ddb_log_turn_flush() != 0))
        ddb_http_internal_answer(t, a);
    t->holding |= waits;
    ddb_http_next_request_id(t, id);
    a->id = id;
    a->conn_fault = r->fault_conn;
    if (span != NULL) {
        trace_end(h, t, span, r, a->id, a->status, waits);
        ddb_trace_hex(span->ctx.trace_id, 16, trace_hex);
        a->traced = 1;
        memcpy(a->trace_id, span->ctx.trace_id, 16);
    }
    if (h->log != NULL)
        ddb_access_log_add(h->log, &t->alog, r, a->id, span != NULL ? trace_hex : NULL, a->status, seconds, waits);
    if ((rec = __atomic_load_n(&h->env->api->recording, __ATOMIC_ACQUIRE)) != NULL) /* --record, /ddbd/record */
        ddb_record_add(rec, (unsigned)(t - h->threads), r, a->id, req != NULL ? req->conn->id : 0, a->status, a->body,
                       a->len, a->started, h->gc == NULL ? &t->rec_held : NULL, waits);
    if (req != NULL && r->fault_delay_ms > 0) {
        a->settled = h->gc == NULL; /* (--sync: it waits for the sync that covers its write, as any answer) */
        ddb_http_answer_later(h, t, req, a, r->fault_delay_ms);
    }
    else if (req != NULL)
        ddb_http_answer(h, t, req, a);
}

static void offload_api(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct);
static int large_api(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct);

static void handle_api(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct)
{
    ddb_auth_request ar;
    uint64_t started, now;
    ddb_req r;
    ddb_http_in in;
    held_answer a;
    unsigned slot = (unsigned)(t - h->threads);
    ddb_span *span;
    double seconds;
    int tried = DDB_HTTP_TRIED_NOT;

    if (h->offload != NULL) { /* RADOS: on a worker, the loop free meanwhile */
        offload_api(h, t, req, hd, ct);
        return;
    }
    /* (a small plain body, the common one, costs two comparisons here) */
    if (h->large != NULL && req->entity.base != NULL &&
        (req->entity.len >= LARGE_BODY || hd->content_encoding.base != NULL) &&
        ddb_http_large_body(h, t, req, hd->content_encoding, &tried) && large_api(h, t, req, hd, ct))
        return; /* (its pool full: the loop runs it, as before there was one) */
    started = ddb_clock_mono_ns();
    span = trace_begin(h, &t->span, hd);
    trace_activate(h, span);
    memset(&r, 0, sizeof(r));
    memset(&in, 0, sizeof(in));
    ddb_arena_reset(&t->arena);
    t->out.len = 0;
    r.arena = &t->arena;
    r.body = req->entity.base;
    r.body_len = req->entity.base ? req->entity.len : 0;
    r.outbuf = &t->out;
    ddb_jw_init(&r.out, &t->out);
    read_in(hd, &in);
    if (h->env->api->auth != NULL) {
        ddb_http_auth_request_of(&t->arena, req, &ar);
        in.http = &ar;
    }
    if (hd->content_encoding.base != NULL)
        ddb_http_decode_body(h, t, req, &t->body, hd->content_encoding, &r, &in, tried);
    ddb_gate_enter(h->env->gate, slot);
    ddb_dispatch(h->env->api, &r, &in);
    ddb_gate_leave(h->env->gate, slot);
    now = ddb_clock_mono_ns();
    seconds = (double)(now - started) / 1e9;
    ddb_conn_cost(t, req, (now - started) / 1000, now / 1000);
    a = (held_answer){.ctype = response_content_type(ct), .started = started, .enc = ddb_http_accepted_encoding(req)};
    outcome(&r, &t->out, &t->err, &a);
    answer_api(h, t, req, &r, span, &a, seconds);
}

/* ---- RADOS: the request on a worker (offload.h) ---- */

/* A request past --rados-inflight's bound: DynamoDB's answer when it is overloaded (5xx: SDKs retry). */
static void send_overloaded(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct,
                            uint64_t started)
{
    held_answer a = {.ctype = response_content_type(ct), .started = started, .enc = ddb_http_accepted_encoding(req)};
    ddb_req r;

    memset(&r, 0, sizeof(r));
    ddb_arena_reset(&t->arena);
    r.arena = &t->arena;
    r.op = ddb_op_from_target(hd->target.base, hd->target.len);
    ddb_req_fail_msg(&r, DDB_E_SERVICE_UNAVAILABLE, DDB_HTTP_OVERLOADED);
    outcome(&r, &t->out, &t->err, &a);
    answer_api(h, t, req, &r, NULL, &a, ddb_clock_mono_since_s(started));
}

static const char *job_str(offload_job *j, h2o_iovec_t v, size_t *len)
{
    *len = v.len;
    return v.base != NULL ? ddb_arena_strndup(&j->arena, v.base, v.len) : NULL;
}

/* The request as dispatch reads it, in the job's own memory (the worker touches nothing of req); its
   body as sent (a large body's is decoded on its worker: large_run). */
static void job_of(ddb_http *h, http_thread *t, offload_job *j, h2o_req_t *req, const api_headers *hd)
{
    ddb_req *r = &j->r;

    memset(r, 0, sizeof(*r));
    memset(&j->in, 0, sizeof(j->in));
    j->out.len = j->raw.len = 0;
    r->arena = &j->arena;
    if (req->entity.base != NULL) {
        ddb_buf_reserve(&j->raw, req->entity.len);
        ddb_buf_append(&j->raw, req->entity.base, req->entity.len);
        r->body = j->raw.data;
        r->body_len = j->raw.len;
    }
    r->outbuf = &j->out;
    ddb_jw_init(&r->out, &j->out);
    j->in.target = job_str(j, hd->target, &j->in.target_len);
    j->in.auth = job_str(j, hd->auth, &j->in.auth_len);
    j->in.peer = job_str(j, hd->peer, &j->in.peer_len);
    j->in.has_date = hd->has_date;
    if (h->env->api->auth != NULL) {
        ddb_http_auth_request_of(&j->arena, req, &j->ar);
        j->ar.body = r->body;
        j->in.http = &j->ar;
    }
}

/* On the loop: req into job j of `pool`, for a worker; its body decoded here (RADOS), or by the worker
   (a large body: on_worker, large_run). */
static void submit_job(ddb_http *h, http_thread *t, struct ddb_offload *pool, offload_job *j, h2o_req_t *req,
                       const api_headers *hd, h2o_iovec_t ct, uint64_t started, int on_worker)
{
    uint64_t now;

    j->started = started;
    j->mcp = 0;
    j->ctype = response_content_type(ct);
    j->enc = ddb_http_accepted_encoding(req);
    j->traced = trace_begin(h, &j->span, hd) != NULL;
    job_of(h, t, j, req, hd);
    j->coding = on_worker ? ddb_content_encoding(hd->content_encoding.base, hd->content_encoding.len) : DDB_ENC_NONE;
    if (!on_worker)
        ddb_http_decode_body(h, t, req, &j->body, hd->content_encoding, &j->r, &j->in, DDB_HTTP_TRIED_NOT);
    t->jobs++;
    now = ddb_clock_mono_ns();
    ddb_conn_cost(t, req, (now - started) / 1000, now / 1000); /* the loop's time alone */
    ddb_offload_submit(pool, j, req, &t->offload_rx);
}

/* On the loop: the request into a job, for a worker; or 503 past the bound. */
static void offload_api(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct)
{
    uint64_t started = ddb_clock_mono_ns();
    offload_job *j = ddb_offload_take(h->offload);

    if (j == NULL)
        send_overloaded(h, t, req, hd, ct, started);
    else
        submit_job(h, t, h->offload, j, req, hd, ct, started, 0);
}

/* A job not run, its client gone: DynamoDB's 503 (nothing applied; sent, if at all, to no one). */
static void skip_job(offload_job *j)
{
    if (j->mcp) {
        ddb_http_mcp_skipped(j);
        return;
    }
    j->r.op = ddb_op_from_target(j->in.target, j->in.target_len);
    ddb_req_fail_msg(&j->r, DDB_E_SERVICE_UNAVAILABLE, DDB_HTTP_OVERLOADED);
}

/* On a worker (gate slot `slot`): the job's dispatch, or its 503 when its client has gone. */
static void offload_run(void *ctx, offload_job *j, unsigned slot, int gone)
{
    ddb_http *h = ctx;

    if (gone || j->mcp) {
        if (gone)
            skip_job(j);
        else
            ddb_http_mcp_run(h, j, slot);
        j->seconds = ddb_clock_mono_since_s(j->started);
        return;
    }
    ddb_gate_enter(h->env->gate, slot);
    trace_activate(h, j->traced ? &j->span : NULL);
    ddb_dispatch(h->env->api, &j->r, &j->in);
    ddb_trace_active = NULL;
    ddb_gate_leave(h->env->gate, slot);
    j->seconds = ddb_clock_mono_since_s(j->started);
}

/* On the loop: jobs done, their answers sent (or dropped: their clients have gone). */
static void on_jobs_done(h2o_multithread_receiver_t *rx, h2o_linklist_t *done)
{
    http_thread *t = H2O_STRUCT_FROM_MEMBER(http_thread, offload_rx, rx);
    ddb_http *h = t->http;
    int trim;

    while (!h2o_linklist_is_empty(done)) {
        offload_job *j = H2O_STRUCT_FROM_MEMBER(offload_job, msg.link, done->next);
        held_answer a = {.ctype = j->ctype, .started = j->started, .enc = j->enc};
        h2o_linklist_unlink(&j->msg.link);
        t->jobs--;
        if (j->req != NULL)
            *j->ref = NULL; /* the pool may be cleared once the answer is sent, the job reused by then */
        if (j->mcp) {
            ddb_http_mcp_done(j);
            ddb_offload_give_back(h->offload, j);
            continue;
        }
        /* a large body inflated on its worker counts from now until its answer is sent, as the
           loop's count one from their inflation (bodies.c): a client that does not read its answer
           keeps other bodies waiting as long */
        if (h->large != NULL && j->req != NULL && j->coding != DDB_ENC_NONE && j->in.body_error == 0)
            ddb_conn_inflated(t, j->req, j->body.len);
        outcome(&j->r, &j->out, &j->err, &a);
        answer_api(h, t, j->req, &j->r, j->traced ? &j->span : NULL, &a, j->seconds);
        /* a large body's memory back at once, as memory_back gives a loop's (its buffers freed by
           give_back, then what malloc's heaps hold free) */
        trim = h->large != NULL && (j->raw.cap > THREAD_BUF_KEEP || j->body.cap > THREAD_BUF_KEEP ||
                                    j->out.cap > THREAD_BUF_KEEP || j->err.cap > THREAD_BUF_KEEP);
        ddb_offload_give_back(h->offload != NULL ? h->offload : h->large, j);
        if (trim)
            malloc_trim(0);
    }
}

/* ---- a large body on a worker (RocksDB: offload.h's pool, one worker per loop; bodies.c) ---- */

/* On a worker: the body inflated (a compressed one), then as offload_run runs a job. */
static void large_run(void *ctx, offload_job *j, unsigned slot, int gone)
{
    ddb_http *h = ctx;
    size_t limit = h->cfg->max_body;
    int rc;

    if (!gone && j->coding != DDB_ENC_NONE) {
        rc = ddb_inflate(j->coding, j->r.body != NULL ? j->r.body : "", j->r.body_len, limit, &j->body);
        ddb_http_take_inflated(h, rc, limit, &j->body, &j->r, &j->in);
    }
    offload_run(ctx, j, slot, gone);
}

/* On the loop: a large body's request into a job for its worker; 0 when the pool is full. */
static int large_api(ddb_http *h, http_thread *t, h2o_req_t *req, const api_headers *hd, h2o_iovec_t ct)
{
    uint64_t started = ddb_clock_mono_ns();
    offload_job *j = ddb_offload_take(h->large);

    if (j == NULL)
        return 0;
    __atomic_add_fetch(&h->large_bodies, 1, __ATOMIC_RELAXED);
    submit_job(h, t, h->large, j, req, hd, ct, started, 1);
    return 1;
}

/*
 * h2o refuses a body over --max-body (16 MiB) from its Content-Length, before any handler runs,
 * with a text/plain 413 of its own. An error document (h2o's errordoc filter) sends that answer
 * back through here, as an internal GET of TOO_LARGE_PATH, so the one error renderer writes it;
 * h2o then restores the 413 status.
 */
#define TOO_LARGE_PATH "/.ddbd/errors/413"

static void send_too_large(ddb_http *h, http_thread *t, h2o_req_t *req)
{
    ddb_req r;

    memset(&r, 0, sizeof(r));
    ddb_arena_reset(&t->arena);
    r.arena = &t->arena;
    ddb_req_fail(&r, DDB_E_REQUEST_TOO_LARGE, "Request size exceeded %zu bytes", h->cfg->max_body);
    ddb_http_render_error(t, &r);
    ddb_http_send_body(req, 200, "OK", "application/x-amz-json-1.0", t->err.data, t->err.len);
}

static void send_bad_request(h2o_req_t *req)
{
    static const char body[] = "Bad Request";

    req->http1_is_persistent = 0;
    req->res.status = 400;
    req->res.reason = "Bad Request";
    ddb_http_add_server(req);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain; charset=utf-8"));
    req->res.content_length = sizeof(body) - 1;
    h2o_send_inline(req, body, sizeof(body) - 1);
}

/* The API door's Host rule, the doors' own (guard.h): 1 when the request was refused (403, the
   DynamoDB error an SDK reads). */
static int wrong_host(ddb_http *h, http_thread *t, h2o_req_t *req)
{
    ddb_req r;
    h2o_iovec_t host;

    if (!h->hosts.on)
        return 0;
    host = ddb_http_host(req);
    if (ddb_door_host_allowed(&h->hosts, host.base, host.len))
        return 0;
    memset(&r, 0, sizeof(r));
    ddb_arena_reset(&t->arena);
    r.arena = &t->arena;
    ddb_door_host_check(&h->hosts, &r, host.base, host.len);
    ddb_http_render_error(t, &r);
    ddb_http_send_body(req, DDB_DOOR_HOST_STATUS, "Forbidden", "application/x-amz-json-1.0", t->err.data, t->err.len);
    return 1;
}

/* A request, now (cut: its connection was, so it gets a short 400). */
static void serve(http_thread *t, h2o_req_t *req, int cut)
{
    ddb_http *h = t->http;
    h2o_iovec_t ct;
    api_headers hd;
    ddb_door door;

    if (cut || ddb_http_head_refused(req)) {
        send_bad_request(req);
        return;
    }

    /* only the error document's internal redirect has a prefilter (the one restoring the 413) */
    if (req->prefilters != NULL && h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT(TOO_LARGE_PATH))) {
        send_too_large(h, t, req);
        return;
    }

    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"))) {
        ddb_http_preflight(h, t, req);
        return;
    }
    /* /metrics is GET's alone: another method there is a request to the API, which has no such path */
    if ((door = ddb_http_door_of(h, req)) == DDB_DOOR_METRICS && !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")))
        door = DDB_DOOR_API;
    if (door != DDB_DOOR_API) {
        ddb_http_door(h, t, req, door, 0);
        return;
    }
    if (wrong_host(h, t, req))
        return;
    api_headers_of(req, &hd);
    if (hd.origin.base != NULL && /* an SDK's request: the one branch the hot path pays */
        ddb_http_cors(h, req, hd.origin, hd.origins) == DDB_ORIGIN_FOREIGN) {
        ddb_http_refuse_origin(h, t, req, hd.origin, hd.origins);
        return;
    }
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) && req->path_normalized.len == 1) {
        send_health(req);
        return;
    }
    /* DynamoDB serves its API at "/" only: another path, method or content type is a request it
       does not route, whatever its headers and body say */
    ct = ddb_http_media_type(hd.content_type);
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")) || req->path_normalized.len != 1 ||
        (req->entity.base != NULL && req->entity.len > 0 && !acceptable_content_type(ct))) {
        ddb_http_send_body(req, 404, "Not Found", NULL, not_found_body, sizeof(not_found_body) - 1);
        return;
    }
    handle_api(h, t, req, &hd, ct);
}

/* A buffer of the thread's past THREAD_BUF_KEEP is freed (1 when it was). */
static int shrink(ddb_buf *b)
{
    if (b->cap <= THREAD_BUF_KEEP)
        return 0;
    ddb_buf_free(b);
    return 1;
}

/*
 * After each request, the memory a large one took goes back to the system at once, not when its
 * thread next serves one: before, a 30 KB gzip body inflating to a 15 MB item left 235 MB of RSS on
 * its thread for good (issue 49). The arena unmaps its chunks past DDB_ARENA_KEEP itself (arena.c);
 * the thread's buffers past THREAD_BUF_KEEP are freed, and then malloc_trim gives back what malloc's
 * heaps hold free: glibc serves a block below its mmap threshold (which it raises up to 32 MB, to
 * the size of each mapped block freed) from a heap it trims only from its top, so a freed 16 MB
 * inflated body could stay. Only a request that grew a buffer past 4 MiB pays the trim (it walks
 * malloc's arenas); one of ordinary size costs a second arena reset (of its single chunk: a
 * comparison) and four comparisons here.
 */
static void memory_back(http_thread *t)
{
    ddb_arena_reset(&t->arena);
    if (shrink(&t->body) | shrink(&t->out) | shrink(&t->err) | shrink(&t->zout))
        malloc_trim(0);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    http_thread *t = ddb_http_current;
    int rc = ddb_conn_request(t, req);

    if (rc != CONN_DEFERRED) { /* else it comes back from ddb_conn_next_due, in run_loop */
        serve(t, req, rc);
        memory_back(t);
    }
    return 0;
}

/* --metrics-port: GET /metrics, and 404 for anything else. */
static int on_metrics_req(h2o_handler_t *self, h2o_req_t *req)
{
    http_thread *t = ddb_http_current;

    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/metrics")))
        ddb_http_door(t->http, t, req, DDB_DOOR_METRICS, 1);
    else
        ddb_http_send_body(req, 404, "Not Found", "text/plain", "not found\n", 10);
    return 0;
}

/* ---- sockets and threads ---- */

/*
 * --max-connections: at the limit, the thread's least recently active idle connection is closed to
 * make room (conns.h), so a flood of idle sockets cannot lock new clients out; when every one of
 * them is busy, the new connection is closed as soon as it is accepted (the client sees its
 * connection reset and may retry), with one log line a second at most, so a flood of clients cannot
 * take the descriptors and memory the open ones need.
 */
static int over_connection_limit(http_thread *t)
{
    ddb_http *h = t->http;
    unsigned n = __atomic_add_fetch(&h->connections, 1, __ATOMIC_RELAXED);
    uint64_t now = ddb_clock_mono_ms(), last;
    int evicted;

    if (n <= h->cfg->max_connections)
        return 0;
    if (!(evicted = ddb_conn_evict_idle(t)))
        __atomic_sub_fetch(&h->connections, 1, __ATOMIC_RELAXED);
    last = __atomic_load_n(&h->refused_logged_ms, __ATOMIC_RELAXED);
    if (now >= last + 1000 && __atomic_compare_exchange_n(&h->refused_logged_ms, &last, now, 0, __ATOMIC_RELAXED,
                                                          __ATOMIC_RELAXED))
        ddb_log(DDB_LOG_WARN, "connection limit reached (%u open, --max-connections): %s", h->cfg->max_connections,
                evicted ? "closing the least recently active idle connections for new ones"
                        : "refusing new connections");
    return !evicted;
}

/* A scrape's connection: not an API client's, so not counted against --max-connections. */
static void on_metrics_accept(h2o_socket_t *listener, const char *err)
{
    http_thread *t = listener->data;
    h2o_socket_t *sock;

    if (err == NULL && (sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&t->metrics_accept_ctx, sock);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    http_thread *t = listener->data;
    h2o_socket_t *sock;

    if (err != NULL)
        return;
    if ((sock = h2o_evloop_socket_accept(listener)) == NULL)
        return;
    if (over_connection_limit(t)) {
        h2o_socket_close(sock);
        return;
    }
    ddb_conn_open(t, sock);
    h2o_accept(&t->accept_ctx, sock);
    ddb_conn_started(sock);
}

/* h2o 2.2 keeps each context's HTTP/1 and HTTP/2 connections on these lists (no counter is exported). */
static int serves_one_connection(http_thread *t)
{
    h2o_linklist_t *c1 = &t->ctx.http1._conns;

    return c1->next != c1 && c1->next->next == c1 && h2o_linklist_is_empty(&t->ctx.http2._conns);
}

/* A loop serving one connection may poll after an answer instead of waiting (spin.h). */
static void run_loop(ddb_http *h, http_thread *t)
{
    uint64_t answered = t->id_counter;
    ddb_spin spin = {0};
    ddb_recording *rec;
    int polling = 0, did = 0;

    while (!h->stopping) {
        /* access log lines go out when the loop would wait anyway (or are many, or old) */
        if (h->log != NULL)
            ddb_access_log_flush(h->log, &t->alog, !polling);
        /* recorded lines when the last turn answered nothing (traffic stopped), or are many or old:
           under load a loop waits after every few answers, and a write(2) of those few lines cost
           the server a tenth of its throughput */
        if ((rec = __atomic_load_n(&h->env->api->recording, __ATOMIC_ACQUIRE)) != NULL)
            ddb_record_flush(rec, (unsigned)(t - h->threads), !polling && !did);
        ddb_conn_turn(t);
        ddb_http_turn_end(h, t); /* (what ddb_conn_turn answered does not wait for the poll) */
        h2o_evloop_run(t->loop, polling ? 0 : ddb_conn_wait_ms(t));
        ddb_conn_tick(t);
        for (h2o_req_t *req; (req = ddb_conn_next_due(t)) != NULL;) {
            serve(t, req, 0);
            memory_back(t);
        }
        /* the turn's log appends written, then its answers sent (server/base/log_turn.h) */
        ddb_http_turn_end(h, t);
        did = t->id_counter != answered;
        answered = t->id_counter;
        if (did || polling)
            polling = ddb_spin_next(&spin, ddb_clock_mono_ns(), did, did && serves_one_connection(t));
    }
}

static void *thread_main(void *arg)
{
    http_thread *t = arg;
    ddb_http *h = t->http;
    ddb_recording *rec;

    ddb_http_current = t;
    t->loop = h2o_evloop_create();
    h2o_context_init(&t->ctx, t->loop, &h->globalconf);
    t->accept_ctx.ctx = &t->ctx;
    t->accept_ctx.hosts = h->api_hosts;
    t->accept_ctx.ssl_ctx = h->ssl;
    t->listener = h2o_evloop_socket_create(t->loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    t->listener->data = t;
    h2o_socket_read_start(t->listener, on_accept);
    h2o_linklist_init_anchor(&t->held);
    ddb_log_turn_defer(); /* this loop's log appends wait for the end of its turn (ddb_http_turn_end) */
    h2o_linklist_init_anchor(&t->conns);
    h2o_linklist_init_anchor(&t->paused);
    h2o_linklist_init_anchor(&t->busy);
    h2o_linklist_init_anchor(&t->ready);
    h2o_linklist_init_anchor(&t->deferred);
    if (h->offload != NULL || h->large != NULL)
        h2o_multithread_register_receiver(t->ctx.queue, &t->offload_rx, on_jobs_done);
    if (h->admin != NULL)
        h2o_multithread_register_receiver(t->ctx.queue, &t->admin_rx, ddb_http_admin_done);
    if (h->gc != NULL) {
        /* a duplicate: the sync thread may still write to wake_fd after this loop has closed its
           socket, until ddb_http_stop unsubscribes */
        t->wake = h2o_evloop_socket_create(t->loop, dup(t->wake_fd), 0);
        t->wake->data = t;
        h2o_socket_read_start(t->wake, ddb_http_on_wake);
    }
    if (t == &h->threads[0] && h->metrics_fd >= 0) { /* scrapes are rare: one thread serves them */
        t->metrics_accept_ctx.ctx = &t->ctx;
        t->metrics_accept_ctx.hosts = h->metrics_hosts;
        t->metrics_listener = h2o_evloop_socket_create(t->loop, h->metrics_fd, H2O_SOCKET_FLAG_DONT_READ);
        t->metrics_listener->data = t;
        h2o_socket_read_start(t->metrics_listener, on_metrics_accept);
    }
    run_loop(h, t);
    /* stop accepting, then give responses already produced a moment to reach their sockets, and
       requests on the workers (RADOS) up to 5 s to end and be answered (no wait when no client is
       connected: docker stop of an idle server is then its loop's wake-up) */
    h2o_socket_read_stop(t->listener);
    h2o_socket_close(t->listener);
    if (t->metrics_listener != NULL) {
        h2o_socket_read_stop(t->metrics_listener);
        h2o_socket_close(t->metrics_listener);
    }
    for (int i = 0; (i < 4 || (t->jobs != 0 && i < OFFLOAD_DRAIN_TURNS)) &&
                    __atomic_load_n(&h->connections, __ATOMIC_RELAXED) != 0; i++) {
        h2o_evloop_run(t->loop, 25);
        ddb_http_turn_end(h, t);
    }
    /* what is still open (a client's idle keep-alive connection) is cut, and h2o closes it */
    ddb_conns_cut_all(t);
    for (int i = 0; i < 4 && !h2o_linklist_is_empty(&t->conns); i++)
        h2o_evloop_run(t->loop, 10);
    if (t->wake != NULL) {
        h2o_socket_read_stop(t->wake);
        h2o_socket_close(t->wake);
    }
    ddb_access_log_flush(h->log, &t->alog, 1);
    if ((rec = __atomic_load_n(&h->env->api->recording, __ATOMIC_ACQUIRE)) != NULL)
        ddb_record_flush(rec, (unsigned)(t - h->threads), 1);
    return NULL;
}

/* The TLS context of --tls-cert/--tls-key (TLS 1.2 and later, HTTP/1.1), or NULL after logging why. */
static SSL_CTX *tls_context(const ddb_http_options *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ddb_log(DDB_LOG_ERROR, "--tls-cert %s / --tls-key %s: cannot be used (%s)", cfg->tls_cert, cfg->tls_key,
                ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

ddb_http *ddb_http_bind(const ddb_http_options *cfg, const ddb_http_env *env)
{
    ddb_http *h = calloc(1, sizeof(*h));
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    h2o_handler_t *handler;
    int port = cfg->port;

    h->cfg = cfg;
    h->env = env;
    h->nthreads = cfg->threads;
    ddb_door_hosts_init(&h->hosts, cfg->host, cfg->allowed_hosts);
    if (cfg->tls_cert != NULL && (h->ssl = tls_context(cfg)) == NULL)
        return NULL;
    h2o_config_init(&h->globalconf);
    /* none from h2o: our answers add "Server: Server" themselves (respond.c, ddb_http_add_server) */
    h->globalconf.server_name = h2o_iovec_init(H2O_STRLIT(""));
    h->globalconf.max_request_entity_size = cfg->max_body;
    /* h2o's request timer runs from the first byte of a request to its last (slow senders are cut
       off however they dribble) and also limits idling between requests */
    h->globalconf.http1.req_timeout = (uint64_t)cfg->request_timeout * 1000;
    /* HTTP/1.1 only (DynamoDB's JSON API is): one answer at a time per connection, which is what
       --max-unsent-bytes and the answers' timeout count on */
    h->globalconf.http1.upgrade_to_http2 = 0;
    h->header_timeout_ms = (uint64_t)cfg->header_timeout * 1000;
    h->body_budget = cfg->max_pending_bodies / cfg->threads;
    h->unsent_budget = cfg->max_unsent / cfg->threads;
    host = h2o_config_register_host(&h->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/", 0);
    handler = h2o_create_handler(path, sizeof(*handler));
    handler->on_req = on_req;
    /* the 413 is sent from the host's fallback path, before the request is routed */
    h2o_errordoc_register(&host->fallback_path, &(h2o_errordoc_t){413, h2o_iovec_init(H2O_STRLIT(TOO_LARGE_PATH))}, 1);
    h2o_errordoc_register(path, &(h2o_errordoc_t){413, h2o_iovec_init(H2O_STRLIT(TOO_LARGE_PATH))}, 1);
    h->gc = env->gc;
    h->api_hosts[0] = host;
    h->metrics_fd = h->metrics_port = -1;
    if (cfg->metrics_port >= 0) {
        h2o_hostconf_t *mhost = h2o_config_register_host(&h->globalconf, h2o_iovec_init(H2O_STRLIT("metrics")), 65535);
        h2o_pathconf_t *mpath = h2o_config_register_path(mhost, "/", 0);
        h2o_create_handler(mpath, sizeof(h2o_handler_t))->on_req = on_metrics_req;
        h->metrics_hosts[0] = mhost;
        if ((h->metrics_fd = ddb_listen_bind(cfg->host, cfg->metrics_port, 1)) < 0)
            return NULL;
        h->metrics_port = ddb_listen_port(h->metrics_fd);
    }
    if (cfg->access_log != NULL && (h->log = ddb_access_log_open(cfg->access_log)) == NULL)
        return NULL;
    h->threads = calloc(h->nthreads, sizeof(*h->threads));
    for (unsigned i = 0; i < h->nthreads; i++) {
        http_thread *t = &h->threads[i];
        /* with --port 0 the first bind picks the port; the others join it */
        if ((t->fd = ddb_listen_bind(cfg->host, port, i == 0)) < 0)
            return NULL;
        if (i == 0)
            port = h->port = ddb_listen_port(t->fd);
        t->http = h;
        t->wake_fd = -1;
        if (h->gc != NULL && (t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
            return NULL;
        ddb_arena_init(&t->arena);
        randombytes_buf(t->id_prefix, sizeof(t->id_prefix));
        for (size_t k = 0; k < sizeof(t->id_prefix); k++)
            t->id_prefix[k] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(unsigned char)t->id_prefix[k] % 36];
    }
    return h;
}

int ddb_http_port(const ddb_http *h)
{
    return h->port;
}

int ddb_http_metrics_port(const ddb_http *h)
{
    return h->metrics_port;
}

int ddb_http_start(ddb_http *h)
{
    /* the workers' gate slots follow the loops' (server.c sizes the gate for both) */
    if (h->cfg->rados_inflight != 0 &&
        (h->offload = ddb_offload_start(h->cfg->rados_inflight, h->nthreads, offload_run, h)) == NULL)
        return -1;
    /* RocksDB: the large bodies' workers, one per loop (offload.h), their slots after the loops' */
    if (h->cfg->rados_inflight == 0 && (h->large = ddb_offload_start(h->nthreads, h->nthreads, large_run, h)) == NULL)
        return -1;
    if (h->cfg->admin && ddb_http_admin_start(h) != 0)
        return -1;
    if (h->gc != NULL)
        ddb_groupcommit_subscribe(h->gc, ddb_http_on_durable, h);
    for (unsigned i = 0; i < h->nthreads; i++) {
        if (pthread_create(&h->threads[i].tid, NULL, thread_main, &h->threads[i]) != 0)
            return -1;
    }
    return 0;
}

void ddb_http_stop(ddb_http *h)
{
    h->stopping = 1;
    for (unsigned i = 0; i < h->nthreads; i++)
        pthread_join(h->threads[i].tid, NULL);
    ddb_offload_stop(h->offload); /* no loop takes answers any more */
    ddb_offload_stop(h->large);
    ddb_offload_stop(h->admin);   /* (a sample under way has seen api->stopping: main.c) */
    if (h->gc != NULL)
        ddb_groupcommit_subscribe(h->gc, NULL, NULL);
    for (unsigned i = 0; i < h->nthreads; i++) {
        if (h->threads[i].wake_fd >= 0)
            close(h->threads[i].wake_fd);
        ddb_arena_free(&h->threads[i].arena);
        ddb_buf_free(&h->threads[i].out);
        ddb_buf_free(&h->threads[i].err);
        ddb_buf_free(&h->threads[i].body);
        ddb_buf_free(&h->threads[i].zout);
        ddb_buf_free(&h->threads[i].trace_scratch);
        ddb_access_buf_free(&h->threads[i].alog);
        ddb_held_lines_free(&h->threads[i].rec_held);
        free(h->threads[i].held_spans);
    }
    ddb_access_log_close(h->log);
    free(h->threads);
    if (h->ssl != NULL)
        SSL_CTX_free(h->ssl);
    free(h);
}
