/*
 * server/http/req_read.c: what the API's path and the doors' (doors.c) both read of an h2o request:
 * a header, the media type, the request as SigV4 signed it; and whether a request's head is one
 * to refuse before anything in it is looked at (its size, its body framed two ways).
 */
#include <string.h>

#include "server/http/http_internal.h"

h2o_iovec_t ddb_http_header_value(h2o_req_t *req, const char *name, size_t len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, len, -1);

    return i < 0 ? h2o_iovec_init(NULL, 0) : req->headers.entries[i].value;
}

unsigned ddb_http_header_count(h2o_req_t *req, const char *name, size_t len)
{
    unsigned n = 0;

    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->headers, name, len, i)) >= 0;)
        n++;
    return n;
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

/*
 * Request heads over 16 KiB in all (request line and headers) are refused before anything in
 * them is looked at: 400, plain text, connection closed, as h2o answers a malformed request line.
 * DynamoDB publishes no figure; its signed headers are well under 2 KiB (docs/compatibility.md).
 */
#define MAX_HEAD_BYTES 16384

static size_t head_bytes(const h2o_req_t *req)
{
    size_t n = req->method.len + req->path.len + 12;

    for (size_t i = 0; i < req->headers.size; i++)
        n += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
    return n;
}

/* A Content-Length line's value, spaces and tabs trimmed ([p, eol) is the line, without its '\n'). */
static h2o_iovec_t length_value(const char *p, const char *eol)
{
    p += 15;
    while (p < eol && (*p == ' ' || *p == '\t'))
        p++;
    while (eol > p && (eol[-1] == '\r' || eol[-1] == ' ' || eol[-1] == '\t'))
        eol--;
    return h2o_iovec_init(p, (size_t)(eol - p));
}

/* Whether the line [p, eol) is a Host header, its name in any case: four bytes folded to lower
   case and compared inline, where strncasecmp cost a call and a locale lookup on every request. */
static int is_host_line(const char *p, const char *eol)
{
    char name[4];

    if (eol - p <= 5 || p[4] != ':')
        return 0;
    for (int i = 0; i < 4; i++)
        name[i] = (char)(p[i] | 0x20); /* only 'H', 'O', 'S', 'T' fold onto "host" */
    return memcmp(name, "host", 4) == 0;
}

/*
 * A head h2o reads one way where another reader may read it another (the request being answered is
 * the socket's first: the next is consumed after the answer), found in one pass over the head as
 * received, a memchr a line:
 *   - a body framed two ways: Content-Length with Transfer-Encoding, two Transfer-Encodings, or two
 *     Content-Lengths that differ. h2o reads it one way (the last coding; the first length); a proxy
 *     in front may have read it the other, and what h2o takes for the next request would be one
 *     smuggled past the proxy (RFC 9112 6.3). h2o keeps both headers out of req->headers, so the
 *     head is read as received. Looked for only when there is a body (every API request).
 *   - two Host headers (RFC 9112 3.2: a server MUST answer 400): h2o keeps the last as the
 *     request's authority, which the Host rule (guard.h) and SigV4 read, where a proxy in front
 *     may have routed or checked by the first. Looked for in every HTTP/1 request.
 */
static int ambiguous_head(h2o_req_t *req, h2o_socket_t *sock)
{
    const char *p, *end;
    h2o_iovec_t first = {NULL, 0};
    int lengths = 0, codings = 0, hosts = 0, body = req->entity.base != NULL;

    p = sock->input->bytes;
    end = p + sock->input->size;
    /* the request line, "METHOD PATH HTTP/1.x\r\n" when written plainly */
    if ((size_t)(end - p) > req->method.len + req->path.len + 12 && p[req->method.len + req->path.len + 11] == '\n')
        p += req->method.len + req->path.len + 12;
    else if ((p = memchr(p, '\n', (size_t)(end - p))) != NULL)
        p++;
    for (const char *eol; p != NULL && p < end && *p != '\r' && *p != '\n'; p = eol + 1) {
        if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
            break;
        switch (*p) { /* h2o lower-cased the names it parsed (conns.c); a Host in any case all the same */
        case 'h':
        case 'H':
            if (is_host_line(p, eol) && ++hosts > 1)
                return 1;
            break;
        case 'c':
            if (body && eol - p > 15 && memcmp(p, "content-length:", 15) == 0) {
                h2o_iovec_t v = length_value(p, eol);
                if (lengths++ == 0)
                    first = v;
                else if (!h2o_memis(v.base, v.len, first.base, first.len))
                    return 1;
            }
            break;
        case 't':
            codings += body && eol - p > 18 && memcmp(p, "transfer-encoding:", 18) == 0;
            break;
        }
    }
    /* h2o reads the last Transfer-Encoding alone, whatever else is there */
    return codings > 1 || (codings == 1 && lengths > 0);
}

/* The socket an HTTP/1 request was read from, or NULL. */
static h2o_socket_t *http1_socket(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return NULL;
    return req->conn->callbacks->get_socket(req->conn);
}

int ddb_http_head_refused(h2o_req_t *req)
{
    h2o_socket_t *sock = http1_socket(req);

    /* A head read whole from the start of an input of N bytes (h2o's method points at its start, as
       picohttpparser leaves it) counts at most N + 2 a header + 1 (a header line may be
       "name:value\n", two bytes under what head_bytes counts it), so a short input needs no count:
       the sum over every header was ~140 of a GetItem's ~35,000 instructions. */
    if ((sock == NULL || req->method.base != sock->input->bytes ||
         sock->input->size + 2 * req->headers.size + 1 > MAX_HEAD_BYTES) &&
        head_bytes(req) > MAX_HEAD_BYTES)
        return 1;
    return sock != NULL && ambiguous_head(req, sock);
}
