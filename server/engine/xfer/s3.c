/*
 * server/engine/xfer/s3.c: the smallest S3 client exports and imports need (objstore.h): one HTTP/1.1
 * request per connection (Connection: close), path-style addressing, SigV4 over the shared
 * signer (proto/sigv4.h) with service "s3" and the payload's SHA-256.
 *
 * The connection, sending and reading are the server's HTTP client's (base/http_client.h); the
 * request writing and signing follow libddb's transport (client/transport.c).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server/base/aws_call.h"
#include "server/base/clock.h"
#include "server/base/http_client.h"
#include "server/engine/xfer/objstore.h"

#define TIMEOUT_S 60

typedef ddb_http_url endpoint;

static int parse_endpoint(ddb_objstore *o, endpoint *e)
{
    char why[128];

    if (ddb_http_url_parse(o->cfg->s3_endpoint, e, why, sizeof(why)) != 0) {
        snprintf(o->err, sizeof(o->err), "--s3-endpoint: %s", why);
        return -1;
    }
    return 0;
}

void ddb_s3_uri_encode(ddb_buf *b, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || (keep_slash && c == '/')) {
            ddb_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            ddb_buf_append(b, esc, 3);
        }
    }
}

/* The request head with its Authorization. */
static void build_head(ddb_objstore *o, const endpoint *e, const char *method, const char *path, const char *query,
                       const void *body, size_t len, ddb_buf *tx)
{
    const char *ak = o->cfg->s3_access_key ? o->cfg->s3_access_key : getenv("AWS_ACCESS_KEY_ID");
    const char *sk = o->cfg->s3_secret_key ? o->cfg->s3_secret_key : getenv("AWS_SECRET_ACCESS_KEY");
    const ddb_aws_signer s = {"s3", o->cfg->s3_region ? o->cfg->s3_region : "us-east-1", ak ? ak : "", sk ? sk : ""};
    const char *sse = strcmp(method, "PUT") == 0 && o->sse != NULL ? o->sse : NULL;
    ddb_sigv4_header hs[2], range = {"range", o->range};
    ddb_aws_request r = {method, path, query, e->hostport, hs, 0, &range, o->range != NULL, 1, body, len};

    if (sse != NULL) { /* signed, as S3 requires of every x-amz- header */
        int kms = strcmp(sse, "KMS") == 0;
        hs[r.nheaders++] = (ddb_sigv4_header){"x-amz-server-side-encryption", kms ? "aws:kms" : sse};
        if (kms && o->sse_kms_key != NULL)
            hs[r.nheaders++] = (ddb_sigv4_header){"x-amz-server-side-encryption-aws-kms-key-id", o->sse_kms_key};
    }
    ddb_aws_head(&r, &s, tx); /* the Range is not signed: SigV4 asks only for host and the x-amz- headers */
}

int ddb_s3_request(ddb_objstore *o, const char *method, const char *path, const char *query, const void *body,
                   size_t len, int *status, ddb_buf *resp)
{
    endpoint e;
    ddb_buf tx = {0};
    int fd, rc;

    if (parse_endpoint(o, &e) != 0 ||
        (fd = ddb_http_connect(e.host, e.port, TIMEOUT_S, o->err, sizeof(o->err))) < 0)
        return -1;
    build_head(o, &e, method, path, query, body ? body : "", len, &tx);
    rc = ddb_http_send_all(fd, tx.data, tx.len) == 0 && (len == 0 || ddb_http_send_all(fd, body, len) == 0) ? 0 : -1;
    ddb_buf_free(&tx);
    if (rc != 0)
        snprintf(o->err, sizeof(o->err), "S3 request %s %s: %s", method, path, strerror(errno));
    else
        rc = ddb_http_read_answer_max(fd, status, NULL, resp, o->range != NULL ? DDB_OBJ_RANGE : 0, o->err,
                                      sizeof(o->err));
    close(fd);
    return rc;
}
