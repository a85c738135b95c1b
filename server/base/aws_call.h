/*
 * server/base/aws_call.h: a request to an AWS service (or one speaking its protocol), signed with
 * Signature Version 4: the one place that dates, hashes and signs what ddbd sends out. Kinesis
 * delivery (engine/jobs/kinesis.c) and the calls to peer regions (engine/jobs/peer.c) make their
 * JSON calls through ddb_aws_json_call; the S3 client (engine/xfer/s3.c) builds its head with
 * ddb_aws_head and reads its own answer (ranges, bounded bodies).
 */
#ifndef DDB_AWS_CALL_H
#define DDB_AWS_CALL_H

#include <stddef.h>

#include "proto/buf.h"
#include "proto/sigv4.h"

typedef struct ddb_aws_signer {
    const char *service, *region, *access_key, *secret_key;
} ddb_aws_signer;

typedef struct ddb_aws_request {
    const char *method, *path, *query; /* query without '?', NULL for none */
    const char *hostport;              /* the Host header */
    const ddb_sigv4_header *headers;   /* sent and signed, besides Host and X-Amz-Date */
    size_t nheaders;
    const ddb_sigv4_header *plain; /* sent, not signed (SigV4 asks for Host and the x-amz- ones) */
    size_t nplain;
    int content_sha256; /* also send and sign X-Amz-Content-SHA256 (S3 asks for it) */
    const void *body;
    size_t len;
} ddb_aws_request;

/* Appends the request's head to `tx`: the request line, the headers (Host, X-Amz-Date dated by the
   system clock, as AWS compares it with its own; Content-Length; Connection: close) and the
   Authorization, ending with the blank line. The body is the caller's to send after it. */
void ddb_aws_head(const ddb_aws_request *r, const ddb_aws_signer *s, ddb_buf *tx);

/*
 * POSTs `body` to `url` as <target> of a JSON API (X-Amz-Target, `content_type`), with `extra`
 * headers signed too, and reads the answer: 0 with *status and the body in `resp`, or -1 with
 * the reason in `err` ("<what>: <errno text>" when sending failed).
 */
int ddb_aws_json_call(const char *url, const ddb_aws_signer *s, const char *content_type, const char *target,
                      const ddb_sigv4_header *extra, size_t nextra, const void *body, size_t len, unsigned timeout_s,
                      const char *what, int *status, ddb_buf *resp, char *err, size_t errlen);

#endif
