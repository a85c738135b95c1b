/*
 * server/base/http_client.c: the server's own HTTP/1.1 client (see http_client.h).
 */
#include "server/base/http_client.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int ddb_http_url_parse(const char *url, ddb_http_url *out, char *err, size_t errlen)
{
    const char *h, *colon, *end;
    size_t hl;

    memset(out, 0, sizeof(*out));
    if (url == NULL || strncmp(url, "http://", 7) != 0) {
        snprintf(err, errlen, "the URL must be http://HOST[:PORT][/PATH]");
        return -1;
    }
    h = url + 7;
    end = h + strcspn(h, "/");
    colon = memchr(h, ':', (size_t)(end - h));
    hl = (size_t)((colon ? colon : end) - h);
    if (hl == 0 || hl >= sizeof(out->host) || (size_t)(end - h) >= sizeof(out->hostport) ||
        strlen(end) >= sizeof(out->path) || (colon != NULL && (size_t)(end - colon - 1) >= sizeof(out->port))) {
        snprintf(err, errlen, "the URL has no host, or a part too long");
        return -1;
    }
    memcpy(out->host, h, hl);
    snprintf(out->port, sizeof(out->port), "%.*s", colon ? (int)(end - colon - 1) : 2, colon ? colon + 1 : "80");
    snprintf(out->hostport, sizeof(out->hostport), "%.*s", (int)(end - h), h);
    snprintf(out->path, sizeof(out->path), "%s", *end != '\0' ? end : "/");
    return 0;
}

int ddb_http_connect(const char *host, const char *port, unsigned timeout_s, char *err, size_t errlen)
{
    struct addrinfo hints = {0}, *res, *ai;
    struct timeval tv = {(time_t)timeout_s, 0};
    int fd = -1, rc;

    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        snprintf(err, errlen, "%s:%s: %s", host, port, gai_strerror(rc));
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
        snprintf(err, errlen, "cannot connect to %s:%s", host, port);
    return fd;
}

int ddb_http_send_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A chunked body from `off` decoded in place; -1 when malformed. */
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

/* The framing the head declares: its Content-Length (-1: none) and whether it is chunked. */
static void framing(const char *data, const char *end, long long *clen, int *chunked)
{
    for (const char *v = data; v != NULL && v < end; v = strchr(v, '\n')) {
        v += *v == '\n';
        if (strncasecmp(v, "content-length:", 15) == 0)
            *clen = strtoll(v + 15, NULL, 10);
        else if (strncasecmp(v, "transfer-encoding:", 18) == 0) {
            const char *c = strstr(v, "chunked");
            *chunked = c != NULL && c < end;
        }
    }
}

int ddb_http_read_answer(int fd, int *status, ddb_buf *head, ddb_buf *body, char *err, size_t errlen)
{
    return ddb_http_read_answer_max(fd, status, head, body, 0, err, errlen);
}

int ddb_http_read_answer_max(int fd, int *status, ddb_buf *head, ddb_buf *body, size_t max, char *err, size_t errlen)
{
    ddb_buf rx = {0};
    const char *e = NULL;
    size_t hl = 0;
    int chunked = 0, framed = 0;
    long long clen = -1;

    for (;;) {
        ssize_t n;
        ddb_buf_reserve(&rx, 65536);
        n = recv(fd, rx.data + rx.len, rx.cap - rx.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "reading the answer: %s", strerror(errno));
            ddb_buf_free(&rx);
            return -1;
        }
        if (n == 0)
            break;
        rx.len += (size_t)n;
        rx.data[rx.len] = '\0';
        if (max > 0 && rx.len > max + 65536) { /* (65536: room for the head) */
            snprintf(err, errlen, "the answer is longer than %zu bytes", max);
            ddb_buf_free(&rx);
            return -1;
        }
        if (!framed && (e = memmem(rx.data, rx.len, "\r\n\r\n", 4)) != NULL) {
            framed = 1;
            hl = (size_t)(e - rx.data) + 4;
            framing(rx.data, e, &clen, &chunked);
        }
        if (framed && clen >= 0 && rx.len >= hl + (size_t)clen)
            break;
        if (framed && chunked && rx.len >= hl + 5 && memcmp(rx.data + rx.len - 5, "0\r\n\r\n", 5) == 0)
            break;
    }
    if (!framed || rx.len < 12 || strncmp(rx.data, "HTTP/1.", 7) != 0) {
        snprintf(err, errlen, "the answer is not HTTP");
        ddb_buf_free(&rx);
        return -1;
    }
    *status = atoi(rx.data + 9);
    if (chunked && dechunk(&rx, hl) != 0) {
        snprintf(err, errlen, "the answer's chunked body is malformed");
        ddb_buf_free(&rx);
        return -1;
    }
    if (clen >= 0 && rx.len > hl + (size_t)clen)
        rx.len = hl + (size_t)clen;
    if (head != NULL)
        ddb_buf_append(head, rx.data, hl);
    if (body != NULL)
        ddb_buf_append(body, rx.data + hl, rx.len - hl);
    ddb_buf_free(&rx);
    return 0;
}

int ddb_http_header(const ddb_buf *head, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);

    for (const char *h = head->data; h != NULL && h < head->data + head->len; h = memchr(h, '\n', head->len - (size_t)(h - head->data))) {
        h += *h == '\n';
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            const char *v = h + nl + 1, *end = memchr(v, '\r', head->len - (size_t)(v - head->data));
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            snprintf(out, size, "%.*s", (int)(end != NULL ? end - v : 0), v);
            return 1;
        }
    }
    return 0;
}
