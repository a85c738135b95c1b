/*
 * server/engine/s3.c: the smallest S3 client exports and imports need (objstore.h): one HTTP/1.1
 * request per connection (Connection: close), path-style addressing, SigV4 over the shared
 * signer (proto/sigv4.h) with service "s3" and the payload's SHA-256.
 *
 * libddb's transport (client/transport.c) is shaped for DynamoDB (one POST to "/", x-amz-target,
 * x-amz-crc32, pooled connections owned by a ddb_client), so it is not reused here; the request
 * writing and signing follow it. Answers may come with Content-Length, chunked, or end at close.
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

#include "proto/sigv4.h"
#include "server/engine/xfer/objstore.h"

#define TIMEOUT_S 60

typedef struct endpoint {
    char host[256], port[8], hostport[272];
} endpoint;

/* "http://HOST[:PORT][/]" (https is not supported: the endpoint is a local or private store). */
static int parse_endpoint(ddb_objstore *o, endpoint *e)
{
    const char *u = o->cfg->s3_endpoint, *h, *colon, *end;
    size_t hl;

    if (u == NULL || strncmp(u, "http://", 7) != 0) {
        snprintf(o->err, sizeof(o->err), "--s3-endpoint must be http://HOST:PORT");
        return -1;
    }
    h = u + 7;
    end = h + strcspn(h, "/");
    colon = memchr(h, ':', (size_t)(end - h));
    hl = (size_t)((colon ? colon : end) - h);
    if (hl == 0 || hl >= sizeof(e->host)) {
        snprintf(o->err, sizeof(o->err), "--s3-endpoint has no host");
        return -1;
    }
    memcpy(e->host, h, hl);
    e->host[hl] = '\0';
    snprintf(e->port, sizeof(e->port), "%.*s", colon ? (int)(end - colon - 1) : 2, colon ? colon + 1 : "80");
    snprintf(e->hostport, sizeof(e->hostport), "%.*s", (int)(end - h), h);
    return 0;
}

static int connect_to(ddb_objstore *o, const endpoint *e)
{
    struct addrinfo hints = {0}, *res, *ai;
    struct timeval tv = {TIMEOUT_S, 0};
    int fd = -1, rc;

    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(e->host, e->port, &hints, &res)) != 0) {
        snprintf(o->err, sizeof(o->err), "S3 endpoint %s: %s", e->hostport, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(o->err, sizeof(o->err), "S3 endpoint %s: cannot connect: %s", e->hostport, strerror(errno));
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
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

static void put_header(ddb_buf *b, const char *name, const char *value)
{
    ddb_buf_puts(b, name);
    ddb_buf_puts(b, value);
    ddb_buf_puts(b, "\r\n");
}

/* The request head with its Authorization. */
static void build_head(ddb_objstore *o, const endpoint *e, const char *method, const char *path, const char *query,
                       const void *body, size_t len, ddb_buf *tx)
{
    const char *ak = o->cfg->s3_access_key ? o->cfg->s3_access_key : getenv("AWS_ACCESS_KEY_ID");
    const char *sk = o->cfg->s3_secret_key ? o->cfg->s3_secret_key : getenv("AWS_SECRET_ACCESS_KEY");
    const char *region = o->cfg->s3_region ? o->cfg->s3_region : "us-east-1";
    char amz_date[17], hash[DDB_SIGV4_HEX_LEN + 1], sig[DDB_SIGV4_HEX_LEN + 1], clen[24];
    ddb_sigv4_header hs[5] = {{"host", e->hostport}, {"x-amz-content-sha256", hash}, {"x-amz-date", amz_date}};
    ddb_sigv4_request r = {method, path, query, hs, 3, body, len, hash};
    const char *sse = strcmp(method, "PUT") == 0 && o->sse != NULL ? o->sse : NULL;
    ddb_buf creq = {0}, sh = {0}, scope = {0}, sts = {0};
    uint8_t key[32];
    time_t now = time(NULL);
    struct tm tm;

    if (sse != NULL) { /* signed, as S3 requires of every x-amz- header */
        int kms = strcmp(sse, "KMS") == 0;
        hs[r.nheaders++] = (ddb_sigv4_header){"x-amz-server-side-encryption", kms ? "aws:kms" : sse};
        if (kms && o->sse_kms_key != NULL)
            hs[r.nheaders++] = (ddb_sigv4_header){"x-amz-server-side-encryption-aws-kms-key-id", o->sse_kms_key};
    }
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    ddb_sigv4_sha256_hex(body, len, hash);
    ddb_sigv4_scope(&scope, amz_date, region, "s3");
    ddb_sigv4_canonical_request(&r, &creq, &sh);
    ddb_sigv4_string_to_sign(&sts, amz_date, scope.data, creq.data, creq.len);
    ddb_sigv4_signing_key(sk ? sk : "", amz_date, region, "s3", key);
    ddb_sigv4_sign(key, sts.data, sts.len, sig);
    ddb_buf_printf(tx, "%s %s%s%s HTTP/1.1\r\n", method, path, query ? "?" : "", query ? query : "");
    put_header(tx, "Host: ", e->hostport);
    put_header(tx, "X-Amz-Date: ", amz_date);
    put_header(tx, "X-Amz-Content-SHA256: ", hash);
    snprintf(clen, sizeof(clen), "%zu", len);
    put_header(tx, "Content-Length: ", clen);
    put_header(tx, "Connection: ", "close");
    for (size_t i = 3; i < r.nheaders; i++) {
        ddb_buf_printf(tx, "%s: ", hs[i].name);
        put_header(tx, "", hs[i].value);
    }
    ddb_buf_puts(tx, "Authorization: ");
    ddb_sigv4_authorization(tx, ak ? ak : "", scope.data, sh.data, sig);
    ddb_buf_puts(tx, "\r\n\r\n");
    ddb_buf_free(&creq);
    ddb_buf_free(&sh);
    ddb_buf_free(&scope);
    ddb_buf_free(&sts);
}

/* A chunked body decoded in place; -1 when malformed. */
static int dechunk(ddb_buf *b, size_t off)
{
    size_t in = off, out = off;

    for (;;) {
        char *end;
        unsigned long n;
        const char *eol = memmem(b->data + in, b->len - in, "\r\n", 2);
        if (eol == NULL)
            return -1;
        n = strtoul(b->data + in, &end, 16);
        in = (size_t)(eol - b->data) + 2;
        if (n == 0)
            break;
        if (in + n > b->len)
            return -1;
        memmove(b->data + out, b->data + in, n);
        out += n;
        in += n + 2;
    }
    b->len = out;
    return 0;
}

/* Reads the whole answer (the server closes the connection after it). */
static int read_answer(ddb_objstore *o, int fd, int *status, ddb_buf *resp)
{
    ddb_buf rx = {0};
    const char *e, *v;
    size_t head;
    int chunked = 0;
    long long clen = -1;

    for (;;) {
        ssize_t n;
        ddb_buf_reserve(&rx, 65536);
        n = recv(fd, rx.data + rx.len, rx.cap - rx.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(o->err, sizeof(o->err), "S3 answer: %s", strerror(errno));
            ddb_buf_free(&rx);
            return -1;
        }
        if (n == 0)
            break;
        rx.len += (size_t)n;
        rx.data[rx.len] = '\0';
        if (clen >= 0 && (e = memmem(rx.data, rx.len, "\r\n\r\n", 4)) != NULL &&
            rx.len >= (size_t)(e - rx.data) + 4 + (size_t)clen)
            break;
        if (clen < 0 && !chunked && (e = memmem(rx.data, rx.len, "\r\n\r\n", 4)) != NULL) {
            for (v = rx.data; v < e; v = strchr(v, '\n') + 1) {
                if (strncasecmp(v, "content-length:", 15) == 0)
                    clen = strtoll(v + 15, NULL, 10);
                else if (strncasecmp(v, "transfer-encoding:", 18) == 0 && strstr(v, "chunked") < e)
                    chunked = 1;
                if (strchr(v, '\n') == NULL)
                    break;
            }
            if (clen >= 0 && rx.len >= (size_t)(e - rx.data) + 4 + (size_t)clen)
                break;
        }
    }
    e = rx.len > 12 ? memmem(rx.data, rx.len, "\r\n\r\n", 4) : NULL;
    if (e == NULL || strncmp(rx.data, "HTTP/1.", 7) != 0) {
        snprintf(o->err, sizeof(o->err), "S3 answer: not HTTP");
        ddb_buf_free(&rx);
        return -1;
    }
    *status = atoi(rx.data + 9);
    head = (size_t)(e - rx.data) + 4;
    if (chunked && dechunk(&rx, head) != 0) {
        snprintf(o->err, sizeof(o->err), "S3 answer: bad chunked body");
        ddb_buf_free(&rx);
        return -1;
    }
    if (clen >= 0 && rx.len > head + (size_t)clen)
        rx.len = head + (size_t)clen;
    ddb_buf_append(resp, rx.data + head, rx.len - head);
    ddb_buf_free(&rx);
    return 0;
}

int ddb_s3_request(ddb_objstore *o, const char *method, const char *path, const char *query, const void *body,
                   size_t len, int *status, ddb_buf *resp)
{
    endpoint e;
    ddb_buf tx = {0};
    int fd, rc;

    if (parse_endpoint(o, &e) != 0 || (fd = connect_to(o, &e)) < 0)
        return -1;
    build_head(o, &e, method, path, query, body ? body : "", len, &tx);
    rc = send_all(fd, tx.data, tx.len) == 0 && (len == 0 || send_all(fd, body, len) == 0) ? 0 : -1;
    ddb_buf_free(&tx);
    if (rc != 0)
        snprintf(o->err, sizeof(o->err), "S3 request %s %s: %s", method, path, strerror(errno));
    else
        rc = read_answer(o, fd, status, resp);
    close(fd);
    return rc;
}
