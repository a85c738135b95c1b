/*
 * server/http/encoding.h: compressed request and response bodies, as DynamoDB handles them.
 *
 * Requests: `Content-Encoding: gzip` bodies (what the SDKs' request compression sends; gzip
 * members may be concatenated) and `deflate` bodies (the zlib format, as HTTP defines it; DynamoDB
 * takes them, as a conformance suite run against it found) are inflated before the JSON is read;
 * the signature covers the body as sent. Any other value, and a body that is not valid in its
 * coding, is an InternalServerError (500), as DynamoDB answers (ScyllaDB's Alternator tests, run
 * against DynamoDB, record this for an unknown coding and for broken gzip). The inflated size is
 * limited to --max-body (DynamoDB has no such limit: docs/compatibility.md).
 *
 * Responses: with `Accept-Encoding` naming gzip or deflate, an answer of 4096 bytes or more is
 * compressed, the coding chosen by DynamoDB's rules (ddb_accept_encoding), and x-amz-crc32 is the
 * CRC-32 of the compressed bytes, as DynamoDB computes it.
 */
#ifndef DDB_HTTP_ENCODING_H
#define DDB_HTTP_ENCODING_H

#include <stddef.h>

#include "proto/buf.h" /* ddb_buf */

#define X_ENCODINGS(X) \
    X(NONE, "")        \
    X(GZIP, "gzip")    \
    X(DEFLATE, "deflate")

typedef enum {
#define X(name, token) DDB_ENC_##name,
    X_ENCODINGS(X)
#undef X
    DDB_ENC_UNSUPPORTED
} ddb_encoding;

/* The token of an encoding ("gzip"), for the Content-Encoding header. */
const char *ddb_encoding_name(ddb_encoding e);

/* A request's Content-Encoding: NONE (absent, empty or identity), GZIP, DEFLATE, or UNSUPPORTED. */
ddb_encoding ddb_content_encoding(const char *v, size_t len);

/* Inflates a body of coding `e` (GZIP: members one after another, bytes after the last that do
   not start a member ignored; or DEFLATE: one zlib stream) into `out` (cleared first), at most
   `limit` bytes. Returns 0, -1 when the body is not valid in that coding, -2 when it inflates
   past `limit`. */
int ddb_inflate(ddb_encoding e, const char *in, size_t len, size_t limit, ddb_buf *out);

/* The coding an Accept-Encoding header asks for: GZIP, DEFLATE or NONE (DynamoDB's choice rules:
   quality values, `*`, ties to the coding listed first). v may be NULL. */
ddb_encoding ddb_accept_encoding(const char *v, size_t len);

/* Smallest answer DynamoDB compresses. */
#define DDB_COMPRESS_MIN 4096

/* Compresses `in` as gzip or deflate (the zlib format, as HTTP's deflate is) into `out` (cleared
   first). Returns 0 or -1. */
int ddb_compress(ddb_encoding e, const char *in, size_t len, ddb_buf *out);

#endif
