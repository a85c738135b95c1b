/*
 * server/http/encoding.c: gzip/deflate bodies (see encoding.h).
 */
#include "server/http/encoding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

static const char *const names[] = {
#define X(name, token) token,
    X_ENCODINGS(X)
#undef X
};

const char *ddb_encoding_name(ddb_encoding e)
{
    return e < DDB_ENC_UNSUPPORTED ? names[e] : "";
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims spaces and tabs off both ends of [*p, *p + *n). */
static void trim(const char **p, size_t *n)
{
    while (*n > 0 && is_space(**p))
        (*p)++, (*n)--;
    while (*n > 0 && is_space((*p)[*n - 1]))
        (*n)--;
}

static int token_is(const char *p, size_t n, const char *token)
{
    return n == strlen(token) && strncasecmp(p, token, n) == 0;
}

ddb_encoding ddb_content_encoding(const char *v, size_t len)
{
    if (v == NULL)
        return DDB_ENC_NONE;
    trim(&v, &len);
    if (len == 0 || token_is(v, len, "identity"))
        return DDB_ENC_NONE;
    for (int e = DDB_ENC_GZIP; e < DDB_ENC_UNSUPPORTED; e++)
        if (token_is(v, len, names[e]))
            return (ddb_encoding)e;
    return DDB_ENC_UNSUPPORTED;
}

/* Whether the bytes after a gzip member start another: its magic and deflate method (RFC 1952). */
static int gzip_member_follows(const unsigned char *p, size_t n)
{
    return n >= 10 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

int ddb_inflate(ddb_encoding e, const char *in, size_t len, size_t limit, ddb_buf *out)
{
    z_stream z;
    int rc = Z_OK;

    out->len = 0;
    if (len == 0 || (e != DDB_ENC_GZIP && e != DDB_ENC_DEFLATE))
        return -1; /* nothing is not a compressed stream */
    memset(&z, 0, sizeof(z));
    /* HTTP's deflate is the zlib format (RFC 9110 8.4.1.2): its header and Adler-32 are checked */
    if (inflateInit2(&z, e == DDB_ENC_GZIP ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    for (;;) {
        size_t room = out->len < 65536 ? 65536 : out->len;
        if (room > limit + 1 - out->len)
            room = limit + 1 - out->len;
        ddb_buf_reserve(out, room);
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)room;
        rc = inflate(&z, Z_NO_FLUSH);
        out->len = (size_t)((char *)z.next_out - out->data);
        if (out->len > limit) {
            inflateEnd(&z);
            return -2;
        }
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0 || e != DDB_ENC_GZIP)
                break;
            /* gzip allows members one after another (a zlib stream is one); bytes after a member
               that do not start another are ignored, as DynamoDB (Java's GZIPInputStream) does */
            if (!gzip_member_follows(z.next_in, z.avail_in)) {
                z.avail_in = 0;
                break;
            }
            if (inflateReset(&z) != Z_OK)
                break;
            continue;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_out == 0))
            break;
        if (z.avail_in == 0 && z.avail_out != 0) {
            rc = Z_DATA_ERROR; /* the stream ended without its trailer */
            break;
        }
    }
    inflateEnd(&z);
    out->data[out->len] = '\0';
    return rc == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

/* A quality value as DynamoDB reads it: a number in [0, 1] (above clamps to 1, below to 0);
   anything that is not wholly a number counts as 1. */
static double quality(const char *p, size_t n)
{
    char tmp[32], *end;
    double q;

    trim(&p, &n);
    if (n == 0 || n >= sizeof(tmp))
        return 1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    q = strtod(tmp, &end);
    if (*end != '\0' || end == tmp)
        return 1;
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

/* One list element "coding;param;q=x": its coding (trimmed) and its weight. DynamoDB takes as the
   weight what follows the first "q=" in the parameters, wherever it starts in one: "gzip;nq=0;q=1"
   and "gzip; q=0;q=1" are not compressed, "gzip;q =0;q=1" (no "q=" before ";q=1") is gzip
   (Alternator's test_compressed_response.py, test_accept_encoding_header, run against DynamoDB). */
static void element(const char *p, size_t n, const char **coding, size_t *clen, double *q)
{
    const char *semi = memchr(p, ';', n);

    *coding = p;
    *clen = semi ? (size_t)(semi - p) : n;
    trim(coding, clen);
    *q = 1;
    while (semi != NULL) {
        const char *param = semi + 1;
        size_t plen = n - (size_t)(param - p);
        semi = memchr(param, ';', plen);
        if (semi != NULL)
            plen = (size_t)(semi - param);
        for (size_t k = 0; k + 1 < plen; k++) {
            if ((param[k] == 'q' || param[k] == 'Q') && param[k + 1] == '=') {
                *q = quality(param + k + 2, plen - k - 2);
                return; /* the first q= counts */
            }
        }
    }
}

ddb_encoding ddb_accept_encoding(const char *v, size_t len)
{
    /* per coding: its best quality when named, and where it was first named */
    double named_q[2] = {-1, -1}, star_q = -1;
    size_t first_at[2] = {SIZE_MAX, SIZE_MAX}, at = 0;
    const char *p = v, *end = v + len;
    ddb_encoding best = DDB_ENC_NONE;
    double best_q = 0;
    int best_named = 0;
    size_t best_at = SIZE_MAX;

    if (v == NULL)
        return DDB_ENC_NONE;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
        const char *coding;
        size_t clen;
        double q;
        element(p, n, &coding, &clen, &q);
        for (int i = 0; i < 2; i++) {
            if (token_is(coding, clen, names[DDB_ENC_GZIP + i])) {
                if (q > named_q[i])
                    named_q[i] = q;
                if (first_at[i] == SIZE_MAX)
                    first_at[i] = at;
            }
        }
        if (token_is(coding, clen, "*") && q > star_q)
            star_q = q;
        at++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    /* the best quality wins; at equal quality a named coding beats `*`, the one named first beats
       the other, and through `*` alone gzip comes first */
    for (int i = 0; i < 2; i++) {
        int named = named_q[i] >= 0;
        double q = named ? named_q[i] : star_q;
        size_t where = named ? first_at[i] : SIZE_MAX;
        if (q <= 0)
            continue;
        if (q > best_q || (q == best_q && (named > best_named || (named == best_named && where < best_at)))) {
            best = (ddb_encoding)(DDB_ENC_GZIP + i);
            best_q = q;
            best_named = named;
            best_at = where;
        }
    }
    return best;
}

int ddb_compress(ddb_encoding e, const char *in, size_t len, ddb_buf *out)
{
    z_stream z;
    uLong bound;
    int rc;

    out->len = 0;
    memset(&z, 0, sizeof(z));
    /* level 1: answers are compressed on the event loop, and most of the saving comes at once */
    if (deflateInit2(&z, 1, Z_DEFLATED, e == DDB_ENC_GZIP ? 16 + MAX_WBITS : MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    bound = deflateBound(&z, (uLong)len);
    ddb_buf_reserve(out, bound);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH);
    out->len = (size_t)z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}
