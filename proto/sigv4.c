/*
 * proto/sigv4.c: AWS Signature Version 4 (see sigv4.h).
 *
 * Canonicalisation is general (any header set, path and query) so that a verifier can rebuild
 * what a client signed; the client's hot path pays for it only with a sort of five headers.
 */
#include "proto/sigv4.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

static void to_hex(const uint8_t *p, size_t n, char *hex)
{
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = hexdigits[p[i] >> 4];
        hex[2 * i + 1] = hexdigits[p[i] & 15];
    }
    hex[2 * n] = '\0';
}

void ddb_sigv4_sha256_hex(const void *p, size_t n, char hex[DDB_SIGV4_HEX_LEN + 1])
{
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, p, n);
    to_hex(h, sizeof(h), hex);
}

/* ---- URI encoding ---- */

static int unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends s[0..n) URI-encoded (RFC 3986 unreserved kept, %XX uppercase for the rest). */
static void uri_encode(ddb_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (unreserved(c)) {
            ddb_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]};
            ddb_buf_append(b, esc, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out (already-encoded input is encoded once more, not twice). */
static size_t uri_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* ---- path ---- */

typedef struct seg {
    const char *p;
    size_t n;
} seg;

/* Splits the path into segments, dropping empty ones and "." and resolving "..". */
static size_t path_segments(const char *path, seg *segs, size_t max)
{
    size_t nseg = 0;
    const char *s = path;

    while (*s != '\0') {
        const char *e = strchr(s, '/');
        size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

        if (n == 2 && memcmp(s, "..", 2) == 0) {
            if (nseg > 0)
                nseg--;
        } else if (n > 0 && !(n == 1 && s[0] == '.') && nseg < max) {
            segs[nseg++] = (seg){s, n};
        }
        s += n;
        if (*s == '/')
            s++;
    }
    return nseg;
}

static void canonical_path(ddb_buf *out, const char *path)
{
    size_t len = path != NULL ? strlen(path) : 0;
    seg *segs;
    size_t nseg;
    int trailing = len > 1 && path[len - 1] == '/';

    if (len == 0 || (len == 1 && path[0] == '/')) { /* every DynamoDB request */
        ddb_buf_putc(out, '/');
        return;
    }
    segs = malloc(sizeof(seg) * (len / 2 + 1));
    if (segs == NULL)
        abort();
    nseg = path_segments(path, segs, len / 2 + 1);
    for (size_t i = 0; i < nseg; i++) {
        char *dec = malloc(segs[i].n + 1);

        if (dec == NULL)
            abort();
        ddb_buf_putc(out, '/');
        uri_encode(out, dec, uri_decode(segs[i].p, segs[i].n, dec));
        free(dec);
    }
    if (nseg == 0 || trailing)
        ddb_buf_putc(out, '/');
    free(segs);
}

/* ---- query ---- */

typedef struct qparam {
    char *enc; /* "key=value", each side URI-encoded once */
    size_t klen;
} qparam;

static int qparam_cmp(const void *pa, const void *pb)
{
    const qparam *a = pa, *b = pb;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->enc, b->enc, n);

    if (c != 0)
        return c;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    return strcmp(a->enc + a->klen, b->enc + b->klen); /* same key: by value */
}

static qparam encode_param(const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    size_t kn = eq != NULL ? (size_t)(eq - s) : n;
    char *dec = malloc(n + 1);
    ddb_buf b = {0};
    qparam q;

    if (dec == NULL)
        abort();
    uri_encode(&b, dec, uri_decode(s, kn, dec));
    q.klen = b.len;
    ddb_buf_putc(&b, '=');
    if (eq != NULL)
        uri_encode(&b, dec, uri_decode(eq + 1, n - kn - 1, dec));
    free(dec);
    q.enc = b.data;
    return q;
}

static void canonical_query(ddb_buf *out, const char *query)
{
    size_t cap = 1, n = 0;
    qparam *ps;

    if (query == NULL || *query == '\0')
        return;
    for (const char *s = query; *s; s++)
        cap += *s == '&';
    ps = malloc(sizeof(*ps) * cap);
    if (ps == NULL)
        abort();
    for (const char *s = query; *s;) {
        const char *e = strchr(s, '&');
        size_t len = e != NULL ? (size_t)(e - s) : strlen(s);

        if (len > 0)
            ps[n++] = encode_param(s, len);
        s += len + (e != NULL);
    }
    qsort(ps, n, sizeof(*ps), qparam_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ddb_buf_putc(out, '&');
        ddb_buf_puts(out, ps[i].enc);
        free(ps[i].enc);
    }
    free(ps);
}

/* ---- headers ---- */

static int header_cmp(const void *pa, const void *pb)
{
    const ddb_sigv4_header *a = *(const ddb_sigv4_header *const *)pa, *b = *(const ddb_sigv4_header *const *)pb;
    int c = strcasecmp(a->name, b->name);

    /* same name: keep the order they were sent in (values are joined in that order) */
    return c != 0 ? c : (a < b ? -1 : a > b);
}

/* Writes a header name lowercased (ASCII's tolower: signing is locale-free) at o; NULL when it
   does not fit before end. */
static char *lower_into(char *o, const char *end, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (o == end)
            return NULL;
        *o++ = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    return o;
}

/* Writes a header value as it is signed at o: leading spaces and tabs dropped, every run of
   spaces, tabs, CR and LF folded to one space, none at the end; NULL when it does not fit. The
   value never grows, so strlen(v) bytes always suffice. */
static char *trimmed_into(char *o, const char *end, const char *v)
{
    size_t n = 0;
    int space = 0;

    while (*v == ' ' || *v == '\t')
        v++;
    /* usually nothing to fold: the value as sent */
    for (; v[n] != 0; n++)
        if (v[n] == '\t' || v[n] == '\r' || v[n] == '\n' || (v[n] == ' ' && (v[n + 1] == ' ' || v[n + 1] == 0)))
            break;
    if (v[n] == 0) {
        if ((size_t)(end - o) < n)
            return NULL;
        memcpy(o, v, n);
        return o + n;
    }
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
            space = 1;
            continue;
        }
        if (end - o < 2)
            return NULL;
        if (space)
            *o++ = ' ';
        space = 0;
        *o++ = *v;
    }
    return o;
}

static void put_lower(ddb_buf *b, const char *s)
{
    size_t n = strlen(s);

    ddb_buf_reserve(b, n + 1); /* never zero: data is then never NULL */
    b->len = (size_t)(lower_into(b->data + b->len, b->data + b->len + n, s) - b->data);
}

static void put_trimmed(ddb_buf *b, const char *v)
{
    size_t n = strlen(v);

    ddb_buf_reserve(b, n + 1); /* trimmed_into wants room for a folded space and the next byte */
    b->len = (size_t)(trimmed_into(b->data + b->len, b->data + b->len + n + 1, v) - b->data);
}

static void canonical_headers(ddb_buf *out, ddb_buf *signed_headers, const ddb_sigv4_request *r)
{
    const ddb_sigv4_header *stack[16];
    const ddb_sigv4_header **hs = r->nheaders <= 16 ? stack : malloc(sizeof(*hs) * r->nheaders);

    if (hs == NULL)
        abort();
    /* insertion sort: a handful of headers, already nearly sorted, and stable for repeated names */
    for (size_t i = 0; i < r->nheaders; i++) {
        size_t j = i;

        for (; j > 0 && header_cmp(&hs[j - 1], &(const ddb_sigv4_header *){&r->headers[i]}) > 0; j--)
            hs[j] = hs[j - 1];
        hs[j] = &r->headers[i];
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        int repeat = i > 0 && strcasecmp(hs[i - 1]->name, hs[i]->name) == 0;

        if (repeat) {
            ddb_buf_putc(out, ',');
        } else {
            if (i > 0)
                ddb_buf_putc(out, '\n');
            put_lower(out, hs[i]->name);
            ddb_buf_putc(out, ':');
            if (signed_headers != NULL) {
                if (signed_headers->len > 0)
                    ddb_buf_putc(signed_headers, ';');
                put_lower(signed_headers, hs[i]->name);
            }
        }
        put_trimmed(out, hs[i]->value);
    }
    ddb_buf_puts(out, "\n\n");
    if (hs != stack)
        free(hs);
}

void ddb_sigv4_canonical_request(const ddb_sigv4_request *r, ddb_buf *out, ddb_buf *signed_headers)
{
    ddb_buf sh = {0};
    char hash[DDB_SIGV4_HEX_LEN + 1];

    ddb_buf_puts(out, r->method);
    ddb_buf_putc(out, '\n');
    canonical_path(out, r->path);
    ddb_buf_putc(out, '\n');
    canonical_query(out, r->query);
    ddb_buf_putc(out, '\n');
    canonical_headers(out, &sh, r);
    ddb_buf_append(out, sh.data, sh.len);
    ddb_buf_putc(out, '\n');
    if (r->payload_hash != NULL) {
        ddb_buf_append(out, r->payload_hash, DDB_SIGV4_HEX_LEN);
    } else {
        ddb_sigv4_sha256_hex(r->payload, r->payload_len, hash);
        ddb_buf_append(out, hash, DDB_SIGV4_HEX_LEN);
    }
    if (signed_headers != NULL)
        ddb_buf_append(signed_headers, sh.data, sh.len);
    ddb_buf_free(&sh);
}

size_t ddb_sigv4_canonical_simple(const ddb_sigv4_request *r, char *buf, size_t cap)
{
    char *o = buf, *end = buf + cap;
    size_t mlen = strlen(r->method);

    if ((r->path != NULL && r->path[0] != 0 && strcmp(r->path, "/") != 0) || (r->query != NULL && r->query[0] != 0) ||
        r->nheaders == 0 || r->payload_hash == NULL || mlen + 4 > cap)
        return 0;
    for (size_t i = 1; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i - 1].name, r->headers[i].name) >= 0)
            return 0;
    memcpy(o, r->method, mlen);
    memcpy(o + mlen, "\n/\n\n", 4);
    o += mlen + 4;
    for (size_t i = 0; i < r->nheaders; i++) {
        if ((o = lower_into(o, end, r->headers[i].name)) == NULL || o == end)
            return 0;
        *o++ = ':';
        if ((o = trimmed_into(o, end, r->headers[i].value)) == NULL || o == end)
            return 0;
        *o++ = '\n';
    }
    if (o == end)
        return 0;
    *o++ = '\n';
    for (size_t i = 0; i < r->nheaders; i++) {
        if (i > 0) {
            if (o == end)
                return 0;
            *o++ = ';';
        }
        if ((o = lower_into(o, end, r->headers[i].name)) == NULL)
            return 0;
    }
    if ((size_t)(end - o) < 1 + DDB_SIGV4_HEX_LEN)
        return 0;
    *o++ = '\n';
    memcpy(o, r->payload_hash, DDB_SIGV4_HEX_LEN);
    return (size_t)(o + DDB_SIGV4_HEX_LEN - buf);
}

void ddb_sigv4_scope(ddb_buf *out, const char *date8, const char *region, const char *service)
{
    ddb_buf_append(out, date8, 8);
    ddb_buf_putc(out, '/');
    ddb_buf_puts(out, region);
    ddb_buf_putc(out, '/');
    ddb_buf_puts(out, service);
    ddb_buf_puts(out, "/aws4_request");
}

void ddb_sigv4_string_to_sign(ddb_buf *out, const char *amz_date, const char *scope, const char *creq,
                              size_t creq_len)
{
    char hash[DDB_SIGV4_HEX_LEN + 1];

    ddb_sigv4_sha256_hex(creq, creq_len, hash);
    ddb_buf_puts(out, DDB_SIGV4_ALGORITHM "\n"); /* appends, not printf: this runs on every request */
    ddb_buf_puts(out, amz_date);
    ddb_buf_putc(out, '\n');
    ddb_buf_puts(out, scope);
    ddb_buf_putc(out, '\n');
    ddb_buf_append(out, hash, DDB_SIGV4_HEX_LEN);
}

static void hmac(uint8_t out[32], const uint8_t *key, size_t klen, const char *msg, size_t mlen)
{
    crypto_auth_hmacsha256_state st;

    /* the init/update/final API takes keys of any length ("AWS4" + a 40-byte secret is 44) */
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, mlen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

void ddb_sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
                           uint8_t key[32])
{
    size_t slen = strlen(secret);
    uint8_t *k0 = malloc(slen + 4);
    uint8_t a[32], b[32];

    if (k0 == NULL)
        abort();
    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, slen);
    hmac(a, k0, slen + 4, date8, 8);
    hmac(b, a, 32, region, strlen(region));
    hmac(a, b, 32, service, strlen(service));
    hmac(key, a, 32, "aws4_request", 12);
    sodium_memzero(k0, slen + 4);
    sodium_memzero(a, sizeof(a));
    sodium_memzero(b, sizeof(b));
    free(k0);
}

void ddb_sigv4_sign(const uint8_t key[32], const char *msg, size_t len, char hex[DDB_SIGV4_HEX_LEN + 1])
{
    uint8_t mac[32];

    hmac(mac, key, 32, msg, len);
    to_hex(mac, sizeof(mac), hex);
}

void ddb_sigv4_authorization(ddb_buf *out, const char *access_key, const char *scope, const char *signed_headers,
                             const char *signature)
{
    ddb_buf_puts(out, DDB_SIGV4_ALGORITHM " Credential=");
    ddb_buf_puts(out, access_key);
    ddb_buf_putc(out, '/');
    ddb_buf_puts(out, scope);
    ddb_buf_puts(out, ", SignedHeaders=");
    ddb_buf_puts(out, signed_headers);
    ddb_buf_puts(out, ", Signature=");
    ddb_buf_puts(out, signature);
}

void ddb_sigv4_sign_request(const ddb_sigv4_request *r, const char *amz_date, const char *region, const char *service,
                            const char *access_key, const char *secret, ddb_buf *out)
{
    ddb_buf creq = {0}, sh = {0}, scope = {0}, sts = {0};
    char sig[DDB_SIGV4_HEX_LEN + 1];
    uint8_t key[32];

    ddb_sigv4_scope(&scope, amz_date, region, service);
    ddb_sigv4_canonical_request(r, &creq, &sh);
    ddb_sigv4_string_to_sign(&sts, amz_date, scope.data, creq.data, creq.len);
    ddb_sigv4_signing_key(secret, amz_date, region, service, key);
    ddb_sigv4_sign(key, sts.data, sts.len, sig);
    ddb_sigv4_authorization(out, access_key, scope.data, sh.data, sig);
    ddb_buf_free(&creq);
    ddb_buf_free(&sh);
    ddb_buf_free(&scope);
    ddb_buf_free(&sts);
}
