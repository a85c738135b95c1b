/*
 * server/http/cors.c: what a browser's request meets before its door: the door its path leads to,
 * the API's CORS rule on its Origin (guard.h), a refused page, a preflight's answer.
 */
#include <string.h>

#include "server/guard/guard.h"
#include "server/http/doors.h"
#include "server/http/http_internal.h"

static const char expose_headers[] = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

/* The API door's CORS rule (guard.h) on the request's Origin: Access-Control-Allow-Origin added
   when --cors grants it; the verdict, DDB_ORIGIN_FOREIGN to refuse. */
ddb_origin_verdict ddb_http_cors(ddb_http *h, h2o_req_t *req, h2o_iovec_t origin, unsigned origins)
{
    h2o_iovec_t host;
    ddb_origin_verdict v;

    if (origin.base == NULL)
        return DDB_ORIGIN_NONE;
    host = ddb_http_host(req);
    if (origins > 1)
        return DDB_ORIGIN_FOREIGN;
    v = ddb_door_origin(h->cfg->cors, origin.base, origin.len, host.base, host.len);
    if (v == DDB_ORIGIN_ANY)
        ddb_http_add_header(req, "Access-Control-Allow-Origin", "*", 1);
    else if (v == DDB_ORIGIN_LISTED)
        ddb_http_add_header(req, "Access-Control-Allow-Origin", origin.base, origin.len);
    if (v == DDB_ORIGIN_ANY || v == DDB_ORIGIN_LISTED)
        ddb_http_add_header(req, "Access-Control-Expose-Headers", expose_headers, sizeof(expose_headers) - 1);
    return v;
}

/* A page on an origin --cors does not allow: 403, AccessDeniedException, no Access-Control-Allow-*
   header (its preflight fails, so a browser sends it nothing else; a request sent anyway, which
   no browser's fetch does, is refused too rather than served unread). */
void ddb_http_refuse_origin(ddb_http *h, http_thread *t, h2o_req_t *req, h2o_iovec_t origin, unsigned origins)
{
    ddb_req r;

    memset(&r, 0, sizeof(r));
    ddb_arena_reset(&t->arena);
    r.arena = &t->arena;
    ddb_door_origin_refuse(&r, h->cfg->cors, origin.base, origin.len, origins);
    ddb_http_render_error(t, &r);
    ddb_http_send_body(req, DDB_DOOR_ORIGIN_STATUS, "Forbidden", "application/x-amz-json-1.0", t->err.data, t->err.len);
}

/* The door a path leads to (server/guard/guard.h), whatever the method; DDB_DOOR_API for
   the rest. */
ddb_door ddb_http_door_of(ddb_http *h, h2o_req_t *req)
{
    h2o_iovec_t p = req->path_normalized;

    if (h->metrics_fd < 0 && h2o_memis(p.base, p.len, H2O_STRLIT("/metrics")))
        return DDB_DOOR_METRICS;
    if (h->cfg->console && p.len >= 13 && memcmp(p.base, "/ddbd/console", 13) == 0 &&
        (p.len == 13 || p.base[13] == '/'))
        return DDB_DOOR_CONSOLE;
    if (h->cfg->admin && p.len >= 6 && memcmp(p.base, "/ddbd/", 6) == 0)
        return DDB_DOOR_ADMIN;
    if (h->cfg->mcp && h2o_memis(p.base, p.len, H2O_STRLIT("/mcp")))
        return DDB_DOOR_MCP;
    return DDB_DOOR_API;
}

/* --cors grants the API alone: a door's preflight gets no Access-Control-Allow-* headers, so a
   browser sends no cross-site request to it that a page could not send without asking (which the
   guard refuses), and reads none of its answers. */
void ddb_http_preflight(ddb_http *h, http_thread *t, h2o_req_t *req)
{
    h2o_iovec_t hdrs = ddb_http_header_value(req, H2O_STRLIT("access-control-request-headers"));
    h2o_iovec_t meth = ddb_http_header_value(req, H2O_STRLIT("access-control-request-method"));
    h2o_iovec_t origin = ddb_http_header_value(req, H2O_STRLIT("origin"));
    ddb_origin_verdict v;

    if (ddb_http_door_of(h, req) != DDB_DOOR_API) {
        ddb_http_send_body(req, 200, "OK", NULL, "", 0);
        return;
    }
    unsigned origins = ddb_http_header_count(req, H2O_STRLIT("origin"));

    if ((v = ddb_http_cors(h, req, origin, origins)) == DDB_ORIGIN_FOREIGN) {
        ddb_http_refuse_origin(h, t, req, origin, origins);
        return;
    }
    if (v == DDB_ORIGIN_ANY || v == DDB_ORIGIN_LISTED) {
        if (hdrs.base != NULL)
            ddb_http_add_header(req, "Access-Control-Allow-Headers", hdrs.base, hdrs.len);
        if (meth.base != NULL)
            ddb_http_add_header(req, "Access-Control-Allow-Methods", meth.base, meth.len);
        ddb_http_add_header(req, "Access-Control-Max-Age", "172800", 6);
    }
    ddb_http_send_body(req, 200, "OK", NULL, "", 0);
}
