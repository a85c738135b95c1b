/*
 * server/http/doors.c: the requests to ddbd's doors (see doors.h).
 */
#include "server/http/doors.h"

#include <stdio.h>
#include <string.h>

#include "server/api/record/record.h"
#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/console/console.h"
#include "server/http/http_internal.h"
#include "server/http/offload.h"

/* Whether the scraper's Accept asks for OpenMetrics (as Prometheus does when it may store exemplars). */
static int wants_openmetrics(h2o_req_t *req)
{
    ssize_t i = -1;

    while ((i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT, i)) >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        if (h2o_strstr(v.base, v.len, H2O_STRLIT("application/openmetrics-text")) != SIZE_MAX)
            return 1;
    }
    return 0;
}

/* GET /metrics: every thread's counters and the connections (request_metrics.h), then the wiring's
   figures; in OpenMetrics' format, with the latencies' exemplars, when the scraper asks for it. */
static void send_metrics(ddb_http *h, http_thread *t, h2o_req_t *req)
{
    int om = wants_openmetrics(req);

    t->out.len = 0;
    ddb_gate_enter(h->env->gate, (unsigned)(t - h->threads)); /* the store and catalog stay put meanwhile */
    ddb_metrics_render(&t->out, &h->threads[0].metrics, sizeof(h->threads[0]), h->nthreads,
                       __atomic_load_n(&h->connections, __ATOMIC_RELAXED), om);
    h->env->metrics(h->env->ctx, &t->out);
    if (h->offload != NULL)
        ddb_offload_metrics(h->offload, &t->out);
    if (h->large != NULL)
        ddb_buf_printf(&t->out, "# HELP ddbd_large_body_requests_total API requests of 1 MiB or more (as sent or "
                                "inflated) run on a large-body worker, their loops free meanwhile.\n"
                                "# TYPE ddbd_large_body_requests_total counter\nddbd_large_body_requests_total %llu\n",
                       __atomic_load_n(&h->large_bodies, __ATOMIC_RELAXED));
    ddb_gate_leave(h->env->gate, (unsigned)(t - h->threads));
    if (om)
        ddb_metrics_openmetrics(&t->out);
    ddb_http_send_body(req, 200, "OK", om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
                       "text/plain; version=0.0.4", t->out.data, t->out.len);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 403:
        return "Forbidden";
    case 415:
        return "Unsupported Media Type";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Bad Request";
    }
}

/* An MCP call or admin request past --rados-inflight's bound, or skipped (its client gone): the API's answer then. */
static const char overloaded[] = "{\"message\": \"" DDB_HTTP_OVERLOADED "\"}";

/* A clock step, while a recording is on, is a line of it (record.h: ddb_record_clock): a replay
   takes the step in its place, and what the step did (TTL deletes) happens there too. */
static void record_clock_step(ddb_http *h, http_thread *t, h2o_req_t *req, const ddb_buf *out, uint64_t started)
{
    ddb_recording *rec = __atomic_load_n(&h->env->api->recording, __ATOMIC_ACQUIRE);

    if (rec != NULL)
        ddb_record_clock(rec, (unsigned)(t - h->threads), req->conn->id, req->entity.base, req->entity.len,
                         out->data, out->len, started);
}

/* An admin request whose client went while it waited for a worker: not run. */
static const char admin_gone[] = "{\"message\": \"the client closed its connection before the request ran\"}";

/*
 * ddbd's admin endpoints (admin.h), only with --admin. Never inside the request gate: a restore
 * closes it. Run on the admin door's workers, never on the loop: an import's sample reads a whole
 * source (issue 73: a 2 MB source held a loop for minutes, every other client of it and SIGTERM
 * waiting), and a loop is every client's.
 */
static void send_admin(ddb_http *h, http_thread *t, h2o_req_t *req)
{
    h2o_iovec_t path = req->path_normalized;
    offload_job *j = h->admin != NULL ? ddb_offload_take(h->admin) : NULL;

    if (j == NULL) { /* past the workers' queue */
        ddb_http_send_body(req, 503, reason_of(503), "application/json", overloaded, sizeof(overloaded) - 1);
        return;
    }
    /* the query too (/ddbd/contributor-insights/T?index=I): the normalized path has none */
    if (req->query_at != SIZE_MAX)
        path = h2o_concat(&req->pool, path, h2o_iovec_init(req->path.base + req->query_at,
                                                           req->path.len - req->query_at));
    j->started = ddb_clock_mono_ns();
    j->out.len = j->raw.len = 0;
    j->method = ddb_arena_strndup(&j->arena, req->method.base, req->method.len);
    j->path = ddb_arena_strndup(&j->arena, path.base, path.len);
    j->plen = path.len;
    j->traced = 0;
    if (req->entity.base != NULL)
        ddb_buf_append(&j->raw, req->entity.base, req->entity.len);
    t->jobs++;
    ddb_offload_submit(h->admin, j, req, &t->admin_rx);
}

/* On one of the door's workers: the request, or its 503 when its client has gone. */
static void admin_run(void *ctx, offload_job *j, unsigned slot, int gone)
{
    ddb_http *h = ctx;

    (void)slot; /* (the admin door runs outside the gate: no slot of it) */
    if (gone) {
        j->out.len = 0;
        ddb_buf_append(&j->out, admin_gone, sizeof(admin_gone) - 1);
        j->status = 503;
        return;
    }
    j->status = h->env->admin(h->env->ctx, j->method, j->path, j->plen, j->raw.len ? j->raw.data : NULL, j->raw.len,
                              &j->out);
}

int ddb_http_admin_start(ddb_http *h)
{
    return (h->admin = ddb_offload_start(ADMIN_WORKERS, 0, admin_run, h)) != NULL ? 0 : -1;
}

/* On its loop: one answer sent. */
static void admin_answer(ddb_http *h, http_thread *t, offload_job *j)
{
    h2o_req_t *req = j->req;

    if (j->status == 200 && req->entity.base != NULL && strcmp(j->method, "POST") == 0 &&
        h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/ddbd/clock")))
        record_clock_step(h, t, req, &j->out, j->started);
    ddb_http_send_body(req, j->status, reason_of(j->status), "application/json", j->out.data, j->out.len);
}

void ddb_http_admin_done(h2o_multithread_receiver_t *rx, h2o_linklist_t *done)
{
    http_thread *t = H2O_STRUCT_FROM_MEMBER(http_thread, admin_rx, rx);
    ddb_http *h = t->http;

    while (!h2o_linklist_is_empty(done)) {
        offload_job *j = H2O_STRUCT_FROM_MEMBER(offload_job, msg.link, done->next);
        h2o_linklist_unlink(&j->msg.link);
        t->jobs--;
        if (j->req != NULL) {
            *j->ref = NULL; /* the pool may be cleared once the answer is sent, the job reused by then */
            admin_answer(h, t, j);
        }
        ddb_offload_give_back(h->admin, j);
    }
}

/* --console: a built-in file of the console (server/console/console.h), GET or HEAD only;
   session.js is made here, as it says whether the API checks signatures (the page then asks for a
   key before its first call, rather than learning it from a refused one that the browser logs) and
   whether the admin door is open (the usage and faults screens are offered only then). */
static void send_console(ddb_http *h, h2o_req_t *req)
{
    static const char allow[] = "{\"message\": \"the console's files are read with GET\"}";
    h2o_iovec_t p = req->path_normalized;
    const ddb_console_file *f;

    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
        ddb_http_add_header(req, "Allow", "GET, HEAD", 9);
        ddb_http_send_body(req, 405, "Method Not Allowed", "application/json", allow, sizeof(allow) - 1);
        return;
    }
    if (h2o_memis(p.base + 13, p.len - 13, H2O_STRLIT("/session.js")))
        f = ddb_console_session(h->env->api->auth != NULL, h->cfg->admin);
    else
        f = ddb_console_find(p.base + 13, p.len - 13);
    if (f == NULL) {
        ddb_http_send_body(req, 404, "Not Found", "text/plain", "not found\n", 10);
        return;
    }
    for (const char *const *h = ddb_console_headers; *h != NULL; h += 2)
        ddb_http_add_header(req, h[0], h[1], strlen(h[1]));
    ddb_http_send_body(req, 200, "OK", f->ctype, (const char *)f->data, f->len);
}


static const char *arena_str(ddb_arena *a, const char *s)
{
    return s != NULL ? ddb_arena_strndup(a, s, strlen(s)) : NULL;
}

/* RADOS: the call on a request worker (offload.h), as an API request: its tools dispatch and wait
   for the cluster as long, which would hold the loop and every other client of it. */
static void offload_mcp(ddb_http *h, http_thread *t, h2o_req_t *req, const ddb_req *who)
{
    offload_job *j = ddb_offload_take(h->offload);

    if (j == NULL) {
        ddb_http_send_body(req, 503, reason_of(503), "application/json", overloaded, sizeof(overloaded) - 1);
        return;
    }
    j->mcp = 1;
    j->traced = 0;
    j->started = ddb_clock_mono_ns();
    j->out.len = j->raw.len = 0;
    ddb_http_auth_request_of(&j->arena, req, &j->ar); /* (the job's own copy: the worker touches nothing of req) */
    if (req->entity.base != NULL) {
        ddb_buf_append(&j->raw, req->entity.base, req->entity.len);
        j->ar.body = j->raw.data;
    }
    j->access_key = arena_str(&j->arena, who->access_key);
    j->region = arena_str(&j->arena, who->region);
    t->jobs++;
    ddb_offload_submit(h->offload, j, req, &t->offload_rx);
}

void ddb_http_mcp_run(ddb_http *h, offload_job *j, unsigned slot)
{
    j->status = h->env->mcp(h->env->ctx, &j->ar, j->access_key, j->region, slot, &j->arena, &j->out, &j->mcp_ctype);
}

void ddb_http_mcp_skipped(offload_job *j)
{
    j->out.len = 0;
    ddb_buf_append(&j->out, overloaded, sizeof(overloaded) - 1);
    j->status = 503;
    j->mcp_ctype = "application/json";
}

void ddb_http_mcp_done(offload_job *j)
{
    if (j->req != NULL)
        ddb_http_send_body(j->req, j->status, reason_of(j->status), j->mcp_ctype, j->out.data, j->out.len);
}

/* --mcp-http: /mcp, the Model Context Protocol (server/mcp/), as the key the guard verified;
   outside the gate as admin is (on RADOS, on a request worker). */
static void send_mcp(ddb_http *h, http_thread *t, h2o_req_t *req, const ddb_auth_request *ar, const ddb_req *who)
{
    const char *ctype;
    int status;

    if (h->offload != NULL) {
        offload_mcp(h, t, req, who);
        return;
    }
    t->out.len = 0;
    status = h->env->mcp(h->env->ctx, ar, who->access_key, who->region, (unsigned)(t - h->threads), &t->arena,
                         &t->out, &ctype);
    ddb_http_send_body(req, status, reason_of(status), ctype, t->out.data, t->out.len);
}

void ddb_http_door(ddb_http *h, http_thread *t, h2o_req_t *req, ddb_door door, int private_port)
{
    h2o_iovec_t ct = ddb_http_media_type(ddb_http_header_value(req, H2O_STRLIT("content-type")));
    ddb_auth_request ar;
    ddb_door_request dr;
    ddb_req who;
    h2o_iovec_t host = ddb_http_host(req);
    h2o_iovec_t origin = ddb_http_header_value(req, H2O_STRLIT("origin"));
    int status;

    ddb_arena_reset(&t->arena);
    memset(&who, 0, sizeof(who));
    who.arena = &t->arena;
    ddb_http_auth_request_of(&t->arena, req, &ar);
    dr = (ddb_door_request){.door = door, .http = &ar, .media_type = ct.base, .media_len = ct.len,
                            .resource = ddb_arena_strndup(&t->arena, req->path_normalized.base,
                                                          req->path_normalized.len),
                            .private_port = private_port, .hosts = &h->hosts, .host = host.base,
                            .host_len = host.len, .cors = h->cfg->cors, .origin = origin.base,
                            .origin_len = origin.len, .origins = ddb_http_header_count(req, H2O_STRLIT("origin"))};
    t->out.len = 0;
    if ((status = ddb_door_guard(h->env->api->auth, &who, &dr, &t->out)) != 0) {
        ddb_http_send_body(req, status, reason_of(status), "application/json", t->out.data, t->out.len);
        return;
    }
    if (door == DDB_DOOR_METRICS)
        send_metrics(h, t, req);
    else if (door == DDB_DOOR_ADMIN)
        send_admin(h, t, req);
    else if (door == DDB_DOOR_CONSOLE)
        send_console(h, req);
    else
        send_mcp(h, t, req, &ar, &who);
}
