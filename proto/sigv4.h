/*
 * proto/sigv4.h: AWS Signature Version 4 (AWS4-HMAC-SHA256) on libsodium.
 *
 * The client signs with it; the server's verifier is meant to rebuild the same canonical request
 * from what it received (ddb_sigv4_canonical_request takes any method, path, query and header
 * set, in any case, order and repetition) and compare signatures with sodium_memcmp. Steps and
 * names follow AWS's description: canonical request -> string to sign -> signing key -> signature.
 */
#ifndef DDB_SIGV4_H
#define DDB_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h" /* ddb_buf */

#define DDB_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define DDB_SIGV4_HEX_LEN 64 /* a SHA-256 or HMAC-SHA256 as lowercase hex, without NUL */

typedef struct ddb_sigv4_header {
    const char *name;  /* any case; NUL-terminated */
    const char *value; /* as sent; leading/trailing spaces trimmed and inner runs folded when signed */
} ddb_sigv4_header;

typedef struct ddb_sigv4_request {
    const char *method; /* "POST" */
    const char *path;   /* raw path as sent, e.g. "/"; NULL means "/" */
    const char *query;  /* raw query without '?', or NULL */
    const ddb_sigv4_header *headers; /* the headers to sign (repeated names are joined with ',') */
    size_t nheaders;
    const void *payload; /* the body, hashed unless payload_hash is given */
    size_t payload_len;
    const char *payload_hash; /* 64 hex chars, or NULL */
} ddb_sigv4_request;

/* Lowercase hex SHA-256 of `n` bytes into hex[65] (NUL-terminated). */
void ddb_sigv4_sha256_hex(const void *p, size_t n, char hex[DDB_SIGV4_HEX_LEN + 1]);

/*
 * Appends the canonical request to `out` and the signed-header list ("host;x-amz-date") to
 * `signed_headers` (may be NULL). Headers are lowercased, sorted by name, repeated names joined;
 * the path is normalised (".", "..", repeated '/') and URI-encoded per segment, the query sorted
 * and encoded, as for every service but S3.
 */
void ddb_sigv4_canonical_request(const ddb_sigv4_request *r, ddb_buf *out, ddb_buf *signed_headers);

/*
 * The same canonical request without allocating, for the usual DynamoDB request (path "/", no
 * query, payload_hash given, each header once and already in sorted order, as SDKs sign them),
 * written into buf: its length, or 0 when the request is not that simple or does not fit (then
 * ddb_sigv4_canonical_request does it). The verifier's fast path (server/api/auth/auth.c).
 */
size_t ddb_sigv4_canonical_simple(const ddb_sigv4_request *r, char *buf, size_t cap);

/* "20150830/us-east-1/service/aws4_request" into out. */
void ddb_sigv4_scope(ddb_buf *out, const char *date8, const char *region, const char *service);

/* Appends the string to sign for a canonical request. `amz_date` is "20150830T123600Z". */
void ddb_sigv4_string_to_sign(ddb_buf *out, const char *amz_date, const char *scope, const char *creq,
                              size_t creq_len);

/*
 * The signing key: HMAC chain over date, region, service, "aws4_request" starting from
 * "AWS4" + secret (which may exceed a block, hence the init/update/final HMAC API).
 */
void ddb_sigv4_signing_key(const char *secret, const char *date8, const char *region, const char *service,
                           uint8_t key[32]);

/* Lowercase hex HMAC-SHA256(key, msg) into hex[65]: the signature of a string to sign. */
void ddb_sigv4_sign(const uint8_t key[32], const char *msg, size_t len, char hex[DDB_SIGV4_HEX_LEN + 1]);

/*
 * Whole header value: "AWS4-HMAC-SHA256 Credential=<ak>/<scope>, SignedHeaders=<sh>, Signature=<sig>"
 * appended to `out`.
 */
void ddb_sigv4_authorization(ddb_buf *out, const char *access_key, const char *scope, const char *signed_headers,
                             const char *signature);

/*
 * The steps above in one, for a request signed once (the server's own requests: S3, a peer
 * server): appends the Authorization value of r, for `service` in `region` at `amz_date`
 * ("20150830T123600Z"), to `out`.
 */
void ddb_sigv4_sign_request(const ddb_sigv4_request *r, const char *amz_date, const char *region, const char *service,
                            const char *access_key, const char *secret, ddb_buf *out);

#endif
