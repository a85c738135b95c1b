/*
 * server/http/bodies.c: a request's body before dispatch reads it: a compressed one inflated
 * (encoding.h), and whether one is large enough to be run on a large-body worker (http.c).
 */
#include "proto/errors.h"
#include "server/http/conns.h"
#include "server/http/encoding.h"
#include "server/http/http_internal.h"

/*
 * Inflates a Content-Encoding: gzip or deflate body into r's body; an undecodable one (or another
 * coding) becomes in->body_error. The inflated bytes count against --max-pending-bodies as a plain
 * body's do (conns.h), so that a 30 KB body inflating to 16 MB is held to the bound that a 16 MB
 * one is (issue 49). A loop serves one request at a time: its inflated body is counted, and other
 * bodies wait meanwhile. With the request workers (RADOS) a loop has many requests out at once, so
 * a body is inflated only as far as the room the bound has left; past it, the answer is the one
 * for a loop with too many requests out, DynamoDB's 503, which SDKs retry. A large body (below) is
 * inflated on a large-body worker, and counted only once it is back on its loop (http.c's
 * on_jobs_done): each of those workers, one per loop, holds one inflated body at a time, as a loop
 * does.
 */
void ddb_http_take_inflated(ddb_http *h, int rc, size_t limit, ddb_buf *into, ddb_req *r, ddb_http_in *in)
{
    if (rc == 0) {
        r->body = into->data;
        r->body_len = into->len;
    } else if (rc == -2 && limit < h->cfg->max_body) {
        in->body_error = DDB_E_SERVICE_UNAVAILABLE;
        in->body_error_msg = DDB_HTTP_OVERLOADED;
    } else if (rc == -2) {
        in->body_error = DDB_E_REQUEST_TOO_LARGE;
        in->body_error_msg = ddb_arena_sprintf(r->arena, "Request size exceeded %zu bytes", h->cfg->max_body);
    } else {
        in->body_error = DDB_E_INTERNAL;
        in->body_error_msg = DDB_MSG_INTERNAL;
    }
}

void ddb_http_decode_body(ddb_http *h, http_thread *t, h2o_req_t *req, ddb_buf *into, h2o_iovec_t ce, ddb_req *r,
                          ddb_http_in *in, int tried)
{
    ddb_encoding e = ddb_content_encoding(ce.base, ce.len);
    size_t limit = h->cfg->max_body, room;
    int rc = tried;

    if (e == DDB_ENC_NONE)
        return;
    if (h->offload != NULL && (room = ddb_conn_body_room(t, req)) < limit)
        limit = room;
    if (rc == DDB_HTTP_TRIED_NOT)
        rc = ddb_inflate(e, r->body != NULL ? r->body : "", r->body_len, limit, into);
    ddb_http_take_inflated(h, rc, limit, into, r, in);
    if (rc == 0)
        ddb_conn_inflated(t, req, into->len);
}

/*
 * What reading a body costs is its size: inflating it, its Unicode check and yajl's reading of it,
 * ~10 ns a byte and more, 0.07 to 0.16 s for 12 to 16 MB here (issue 73: TransactGetItems of 300,000
 * Gets, 25 to 45 KB gzipped), however little of it is built. On its loop, that long a parse held the
 * loop's other connections as long. So a body of LARGE_BODY bytes or more, as sent or inflated, is
 * decoded, parsed and run on a large-body worker, and its loop serves the others meanwhile; what
 * a loop spends on one is at most LARGE_BODY of inflating (to learn its size) and a copy of what was
 * sent. A loop whose workers' pool is full (a worker's body running and 4 waiting, per loop) runs
 * the next large one itself, as it did before the pool. A smaller body is read on its loop (~10 ms
 * at most), without a job's copy and two wake-ups.
 */
#define DEFLATE_RATIO_MAX 1032 /* the most a deflate stream inflates a byte (zlib's docs) */

int ddb_http_large_body(ddb_http *h, http_thread *t, h2o_req_t *req, h2o_iovec_t ce, int *tried)
{
    ddb_encoding e;
    size_t limit;

    if (req->entity.base == NULL)
        return 0;
    if (req->entity.len >= LARGE_BODY)
        return 1;
    e = ddb_content_encoding(ce.base, ce.len);
    if ((e != DDB_ENC_GZIP && e != DDB_ENC_DEFLATE) || req->entity.len * DEFLATE_RATIO_MAX < LARGE_BODY)
        return 0;
    limit = h->cfg->max_body < LARGE_BODY ? h->cfg->max_body : LARGE_BODY;
    *tried = ddb_inflate(e, req->entity.base, req->entity.len, limit, &t->body);
    if (*tried != -2 || limit == h->cfg->max_body)
        return 0; /* (inflated whole, not valid, or past --max-body: ddb_http_decode_body takes it as it is) */
    *tried = DDB_HTTP_TRIED_NOT;
    return 1;
}
