/*
 * server/http/req_read.c: what the API's path and the doors' (doors.c) both read of an h2o request:
 * a header, the media type, the request as SigV4 signed it.
 */
#include <string.h>

#include "server/http/http_internal.h"

h2o_iovec_t ddb_http_header_value(h2o_req_t *req, const char *name, size_t len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, len, -1);

    return i < 0 ? h2o_iovec_init(NULL, 0) : req->headers.entries[i].value;
}

/* The media type of a Content-Type: its parameters (";charset=...") and surrounding blanks dropped,
   as DynamoDB reads it (dynalite, checked against DynamoDB: split at ';', trimmed). */
h2o_iovec_t ddb_http_media_type(h2o_iovec_t ct)
{
    const char *semi;
    size_t n;

    if (ct.base == NULL)
        return ct;
    /* (every request's: memchr, not a byte loop, finds the parameters) */
    semi = memchr(ct.base, ';', ct.len);
    n = semi != NULL ? (size_t)(semi - ct.base) : ct.len;
    while (n > 0 && (ct.base[n - 1] == ' ' || ct.base[n - 1] == '\t'))
        n--;
    while (n > 0 && (*ct.base == ' ' || *ct.base == '\t')) {
        ct.base++;
        n--;
    }
    ct.len = n;
    return ct;
}

/* The request as SigV4 signed it (--auth): method, raw path and query, every header, Host included. */
void ddb_http_auth_request_of(ddb_arena *a, h2o_req_t *req, ddb_auth_request *ar)
{
    size_t qa = req->query_at, n = 0;
    ddb_sigv4_header *hs = DDB_NEW_ARRAY(a, ddb_sigv4_header, req->headers.size + 1);

    ar->method = ddb_arena_strndup(a, req->method.base, req->method.len);
    ar->path = ddb_arena_strndup(a, req->path.base, qa != SIZE_MAX ? qa : req->path.len);
    ar->query = qa != SIZE_MAX ? ddb_arena_strndup(a, req->path.base + qa + 1, req->path.len - qa - 1) : NULL;
    hs[n++] = (ddb_sigv4_header){"host", ddb_arena_strndup(a, req->authority.base, req->authority.len)};
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *e = &req->headers.entries[i];
        if (h2o_memis(e->name->base, e->name->len, H2O_STRLIT("host")))
            continue;
        hs[n++] = (ddb_sigv4_header){ddb_arena_strndup(a, e->name->base, e->name->len),
                                     ddb_arena_strndup(a, e->value.base, e->value.len)};
    }
    ar->headers = hs;
    ar->nheaders = n;
    ar->body = req->entity.base;
    ar->body_len = req->entity.base ? req->entity.len : 0;
}

h2o_iovec_t ddb_http_host(h2o_req_t *req)
{
    h2o_iovec_t a = req->input.authority;

    /* h2o takes the Host header out of the headers into input.authority, and when there is none
       puts its host's own name there (the very string) */
    if (a.base == NULL || (req->hostconf != NULL && a.base == req->hostconf->authority.hostport.base))
        return h2o_iovec_init(NULL, 0);
    return a;
}
