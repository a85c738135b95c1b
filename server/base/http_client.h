/*
 * server/base/http_client.h: the server's own HTTP/1.1 client, for the few requests it makes to
 * other services: S3 for exports and imports (engine/xfer/s3.c), a stream trigger's function
 * (engine/jobs/triggers.c), and (next) a peer server's DynamoDB API for global tables.
 *
 * One request per connection (Connection: close), plain http only: every endpoint is local or on
 * a private network. Answers may come with Content-Length, chunked, or end at close. Callers
 * write their own request head (their signing differs); this file connects, sends and reads.
 * libddb's transport (client/transport.c) is shaped for a DynamoDB client (pooled connections
 * owned by a ddb_client, x-amz-crc32, retries) and lives above the server's layers.
 */
#ifndef DDB_HTTP_CLIENT_H
#define DDB_HTTP_CLIENT_H

#include <stddef.h>

#include "proto/buf.h"

/* "http://HOST[:PORT][/PATH]", split. */
typedef struct ddb_http_url {
    char host[256];
    char port[8];       /* "80" when the URL has none */
    char hostport[272]; /* as the URL writes it: the Host header */
    char path[512];     /* "/" when the URL has none */
} ddb_http_url;

/* 0, or -1 with the reason in err (https, no host, a part too long). */
int ddb_http_url_parse(const char *url, ddb_http_url *out, char *err, size_t errlen);

/* A connected socket (send and receive time out after timeout_s), or -1 with the reason in err. */
int ddb_http_connect(const char *host, const char *port, unsigned timeout_s, char *err, size_t errlen);

/* Sends all n bytes; 0, or -1 (errno says why). */
int ddb_http_send_all(int fd, const void *p, size_t n);

/*
 * Reads one whole answer from fd: its status, its head (status line and headers, up to the blank
 * line; may be NULL) and its body, de-chunked. 0, or -1 with the reason in err.
 */
int ddb_http_read_answer(int fd, int *status, ddb_buf *head, ddb_buf *body, char *err, size_t errlen);
/* The same, failing (-1) as soon as the answer passes `max` bytes of body (and 64 KiB of head):
   an answer whose size the caller bounds (an S3 range) never takes more memory. 0: no bound. */
int ddb_http_read_answer_max(int fd, int *status, ddb_buf *head, ddb_buf *body, size_t max, char *err,
                             size_t errlen);

/* The value of header `name` (case-insensitive, with its colon left out) in a head, trimmed, into
   out (NUL-terminated, cut to size); 1 when present, 0 when not. */
int ddb_http_header(const ddb_buf *head, const char *name, char *out, size_t size);

#endif
