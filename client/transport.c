/*
 * client/transport.c: HTTP/1.1 over pooled keep-alive sockets, SigV4 signing, x-amz-crc32 checks,
 * and the attempt loop of a call (what is retried and how long to wait is retry.c's).
 *
 * Why a plain socket writer (docs/client.md has the measurement): a DynamoDB call is one small
 * POST and one small reply on a connection we own, so the whole HTTP layer is one sendmsg() of
 * header + body and recv() until Content-Length bytes arrived. Blocking sockets with
 * SO_RCVTIMEO/SO_SNDTIMEO give timeouts without a poll() per request.
 *
 * Many requests in flight from one thread (`ddb replay`) are transport_pipe.c's, on this file's
 * connect, head parsing and door requests.
 *
 * Threads: a connection belongs to one call at a time. The client's mutex guards only the idle
 * list and the cached signing key; everything else of a call lives on its stack or its connection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "client/internal.h"
#include "proto/crc32.h"
#include "proto/sigv4.h"

/* A pooled connection idle longer than this is probed (MSG_PEEK) before reuse: the server may have closed it. */
#define IDLE_PROBE_NS (1000ull * 1000 * 1000)

struct conn {
    int fd;
    uint64_t last_used_ns;
    ddb_buf tx, creq, sts, rx; /* scratch, reused by every call on this connection */
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- connections ---- */

static void conn_close(conn *k)
{
    if (k == NULL)
        return;
    if (k->fd >= 0)
        close(k->fd);
    ddb_buf_free(&k->tx);
    ddb_buf_free(&k->creq);
    ddb_buf_free(&k->sts);
    ddb_buf_free(&k->rx);
    free(k);
}

static void set_timeouts(int fd, unsigned ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int transport_connect(ddb_client *c, char *err, size_t errlen)
{
    int fd = socket(c->addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1, soerr = 0;
    socklen_t sl = sizeof(soerr);
    struct pollfd pfd;

    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)c->addr, c->addrlen) != 0 && errno != EINPROGRESS) {
        soerr = errno;
    } else {
        pfd = (struct pollfd){fd, POLLOUT, 0};
        if (poll(&pfd, 1, (int)c->cfg.connect_ms) != 1)
            soerr = ETIMEDOUT;
        else
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    }
    if (soerr != 0) {
        snprintf(err, errlen, "connect to %s: %s", c->cfg.hostport, strerror(soerr));
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    set_timeouts(fd, c->cfg.io_ms);
    return fd;
}

/* Is an idle connection still open? (The server closes idle connections after its timeout.) */
static int conn_alive(conn *k)
{
    char b;
    ssize_t n = recv(k->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* An idle pooled connection, or a new one; *reused says which. NULL with err set on failure. */
static conn *conn_take(ddb_client *c, int *reused, char *err, size_t errlen)
{
    conn *k = NULL;

    for (;;) {
        pthread_mutex_lock(&c->lock);
        k = c->nidle > 0 ? c->idle[--c->nidle] : NULL;
        pthread_mutex_unlock(&c->lock);
        if (k == NULL)
            break;
        if (now_ns() - k->last_used_ns < IDLE_PROBE_NS || conn_alive(k)) {
            *reused = 1;
            return k;
        }
        conn_close(k);
    }
    *reused = 0;
    k = calloc(1, sizeof(*k));
    if (k == NULL)
        abort();
    k->fd = transport_connect(c, err, errlen);
    if (k->fd < 0) {
        conn_close(k);
        return NULL;
    }
    return k;
}

static void conn_give_back(ddb_client *c, conn *k)
{
    k->last_used_ns = now_ns();
    pthread_mutex_lock(&c->lock);
    if (c->nidle < c->cfg.pool_size) {
        c->idle[c->nidle++] = k;
        k = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    conn_close(k); /* pool full (or size 0) */
}

void transport_close_all(ddb_client *c)
{
    for (size_t i = 0; i < c->nidle; i++)
        conn_close(c->idle[i]);
    c->nidle = 0;
}

/* ---- signing ---- */

/*
 * The signing key depends only on the date, region and service: four HMACs once a day. Each
 * thread keeps the key of the last client it signed for (clients are told apart by a serial, not
 * their address, which a new client may reuse), so signing takes no lock.
 */
static void signing_key(ddb_client *c, const char *date8, uint8_t key[32])
{
    static __thread uint64_t serial;
    static __thread signing_cache cache;

    if (serial != c->serial || memcmp(cache.date8, date8, 8) != 0) {
        ddb_sigv4_signing_key(c->cfg.secret_key, date8, c->cfg.region, "dynamodb", cache.key);
        memcpy(cache.date8, date8, 8);
        serial = c->serial;
    }
    memcpy(key, cache.key, 32);
}

/* The X-Amz-Date of now, "20150830T123600Z", formatted once a second per thread (gmtime_r locks). */
static void amz_date_now(char out[17])
{
    static __thread time_t last = -1;
    static __thread char cached[17];
    time_t now = time(NULL);

    if (now != last) {
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(cached, sizeof(cached), "%Y%m%dT%H%M%SZ", &tm);
        last = now;
    }
    memcpy(out, cached, 17);
}

static void put_header(ddb_buf *b, const char *name, const char *value)
{
    ddb_buf_puts(b, name);
    ddb_buf_puts(b, value);
    ddb_buf_puts(b, "\r\n");
}

/* Writes the request head, with its Authorization, into k->tx (appends only: this is the hot path). */
static void build_head(ddb_client *c, conn *k, const char *op, const char *body, size_t len)
{
    char amz_date[17], target[128], sig[DDB_SIGV4_HEX_LEN + 1], clen[24];
    ddb_sigv4_header hs[5] = {{"content-type", CONTENT_TYPE},
                              {"host", c->cfg.hostport},
                              {"x-amz-date", amz_date},
                              {"x-amz-target", target},
                              {"x-amz-security-token", c->cfg.token}};
    ddb_sigv4_request r = {"POST", "/", NULL, hs, c->cfg.token != NULL ? 5 : 4, body, len, NULL};
    uint8_t key[32];
    ddb_buf sh = {0}, scope = {0};
    size_t oplen = strlen(op), plen;
    const char *prefix;

    amz_date_now(amz_date);
    prefix = ddb_op_target_prefix(op, oplen);
    plen = strlen(prefix);
    if (oplen > sizeof(target) - 1 - plen)
        oplen = sizeof(target) - 1 - plen;
    memcpy(target, prefix, plen);
    memcpy(target + plen, op, oplen);
    target[plen + oplen] = '\0';
    ddb_sigv4_scope(&scope, amz_date, c->cfg.region, "dynamodb");
    k->creq.len = k->sts.len = k->tx.len = 0;
    ddb_sigv4_canonical_request(&r, &k->creq, &sh);
    ddb_sigv4_string_to_sign(&k->sts, amz_date, scope.data, k->creq.data, k->creq.len);
    signing_key(c, amz_date, key);
    ddb_sigv4_sign(key, k->sts.data, k->sts.len, sig);
    ddb_buf_puts(&k->tx, "POST / HTTP/1.1\r\n");
    put_header(&k->tx, "Host: ", c->cfg.hostport);
    put_header(&k->tx, "Content-Type: ", CONTENT_TYPE);
    put_header(&k->tx, "X-Amz-Date: ", amz_date);
    put_header(&k->tx, "X-Amz-Target: ", target);
    snprintf(clen, sizeof(clen), "%zu", len);
    put_header(&k->tx, "Content-Length: ", clen);
    if (c->cfg.token != NULL)
        put_header(&k->tx, "X-Amz-Security-Token: ", c->cfg.token);
    ddb_buf_puts(&k->tx, "Authorization: ");
    ddb_sigv4_authorization(&k->tx, c->cfg.access_key, scope.data, sh.data, sig);
    ddb_buf_puts(&k->tx, "\r\n\r\n");
    ddb_buf_free(&sh);
    ddb_buf_free(&scope);
    sodium_memzero(key, sizeof(key));
}

/* ---- HTTP ---- */

static int send_all(int fd, const char *head, size_t hlen, const char *body, size_t blen)
{
    struct iovec iov[2] = {{(void *)head, hlen}, {(void *)body, blen}};
    struct msghdr msg = {0};

    msg.msg_iov = iov;
    msg.msg_iovlen = blen > 0 ? 2 : 1;
    while (msg.msg_iovlen > 0) {
        ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (msg.msg_iovlen > 0 && (size_t)n >= msg.msg_iov[0].iov_len) {
            n -= (ssize_t)msg.msg_iov[0].iov_len;
            msg.msg_iov++;
            msg.msg_iovlen--;
        }
        if (msg.msg_iovlen > 0) {
            msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + n;
            msg.msg_iov[0].iov_len -= (size_t)n;
        }
    }
    return 0;
}

static int header_is(const char *line, size_t n, const char *name, const char **value)
{
    size_t nl = strlen(name);

    if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return 0;
    *value = line + nl + 1;
    while (**value == ' ')
        (*value)++;
    return 1;
}

/*
 * x-amz-retry-after: the server's wish for the backoff, in milliseconds. The SDK takes any text
 * JavaScript's Number() reads and ignores the rest; here a decimal number (a fraction is
 * truncated; a day or more is a day, as the policy adds at most 5 s anyway); anything else, and a
 * negative value (which cannot lengthen the delay), is -1.
 */
static long long retry_after_ms(const char *v, size_t n)
{
    char text[32], *end;
    double ms;

    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof(text))
        return -1;
    memcpy(text, v, n);
    text[n] = '\0';
    if (strspn(text, "0123456789.eE+-") != n)
        return -1; /* no hex, inf or nan */
    ms = strtod(text, &end);
    if (*end != '\0' || !(ms >= 0))
        return -1;
    return ms < 86400000.0 ? (long long)ms : 86400000;
}

int transport_parse_head(const char *p, size_t end, reply *rp, long long *content_length)
{
    const char *line = p, *stop = p + end, *v;

    if (end < 12 || memcmp(p, "HTTP/1.", 7) != 0)
        return -1;
    rp->retry_after = -1;
    rp->http = atoi(p + 9);
    rp->keep_alive = p[7] == '1'; /* HTTP/1.1 keeps the connection unless told otherwise */
    *content_length = -1;
    while ((line = memchr(line, '\n', (size_t)(stop - line))) != NULL && ++line < stop) {
        const char *eol = memchr(line, '\r', (size_t)(stop - line));
        size_t n = eol != NULL ? (size_t)(eol - line) : (size_t)(stop - line);

        if (header_is(line, n, "content-length", &v)) {
            *content_length = strtoll(v, NULL, 10);
        } else if (header_is(line, n, "x-amz-crc32", &v)) {
            rp->has_crc = 1;
            rp->crc = (uint32_t)strtoul(v, NULL, 10);
        } else if (header_is(line, n, "x-amz-retry-after", &v)) {
            rp->retry_after = retry_after_ms(v, (size_t)(line + n - v));
        } else if (header_is(line, n, "connection", &v)) {
            rp->keep_alive = strncasecmp(v, "close", 5) != 0;
        } else if (header_is(line, n, "transfer-encoding", &v)) {
            return -1; /* DynamoDB always sends Content-Length; chunked bodies are not supported */
        }
    }
    return rp->http >= 100 ? 0 : -1;
}

/* Reads one reply into k->rx. Returns 0, or -1 with err set (nothing or part of a reply read). */
static int read_reply(conn *k, reply *rp, char *err, size_t errlen)
{
    long long clen = -1;
    size_t head_end = 0;

    memset(rp, 0, sizeof(*rp));
    k->rx.len = 0;
    for (;;) {
        ssize_t n;

        ddb_buf_reserve(&k->rx, 16384);
        n = recv(k->fd, k->rx.data + k->rx.len, k->rx.cap - k->rx.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "receiving the reply: %s",
                     errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
            return -1;
        }
        if (n == 0 && (head_end == 0 || clen >= 0)) {
            snprintf(err, errlen, "connection closed %s", k->rx.len == 0 ? "before the reply" : "during the reply");
            return -1;
        }
        k->rx.len += (size_t)n;
        k->rx.data[k->rx.len] = '\0';
        if (head_end == 0) {
            const char *e = memmem(k->rx.data, k->rx.len, "\r\n\r\n", 4);

            if (e == NULL)
                continue;
            head_end = (size_t)(e - k->rx.data) + 4;
            if (transport_parse_head(k->rx.data, head_end - 2, rp, &clen) != 0) {
                snprintf(err, errlen, "the reply is not HTTP/1.1 this client understands");
                return -1;
            }
        }
        if (n == 0 || (clen >= 0 && k->rx.len >= head_end + (size_t)clen))
            break; /* complete (or, with no Content-Length, ended by close) */
    }
    rp->body_off = head_end;
    rp->body_len = clen >= 0 ? (size_t)clen : k->rx.len - head_end;
    if (clen < 0)
        rp->keep_alive = 0;
    return 0;
}

/*
 * One attempt: returns FAIL_NONE with r filled from the reply (and *retry_after from its header),
 * or how it failed (r has the message).
 */
static fail_kind attempt(ddb_client *c, const char *op, const char *body, size_t len, ddb_result *r,
                         long long *retry_after)
{
    char err[256];
    int reused;
    conn *k = conn_take(c, &reused, err, sizeof(err));
    reply rp;

    if (k == NULL) {
        result_fail(r, DDB_E_TRANSPORT, "%s", err);
        return FAIL_CONNECT;
    }
    build_head(c, k, op, body, len);
    if (send_all(k->fd, k->tx.data, k->tx.len, body, len) != 0) {
        result_fail(r, DDB_E_TRANSPORT, "sending the request: %s", strerror(errno));
        conn_close(k);
        return FAIL_NOT_SENT; /* an incomplete request is never processed */
    }
    if (read_reply(k, &rp, err, sizeof(err)) != 0) {
        result_fail(r, DDB_E_TRANSPORT, "%s", err);
        conn_close(k);
        return FAIL_MAYBE_SENT;
    }
    *retry_after = rp.retry_after;
    result_set_reply(r, rp.http, k->rx.data + rp.body_off, rp.body_len);
    if (rp.has_crc ? ddb_crc32(0, k->rx.data + rp.body_off, rp.body_len) != rp.crc : rp.http == 200) {
        result_fail(r, DDB_E_PROTOCOL, rp.has_crc ? "x-amz-crc32 does not match the reply body"
                                                  : "the reply has no x-amz-crc32 header");
        rp.keep_alive = 0;
    }
    if (rp.keep_alive)
        conn_give_back(c, k);
    else
        conn_close(k);
    return FAIL_NONE;
}

/* ---- the attempt loop ---- */

int transport_call(ddb_client *c, const char *op, const char *body, size_t len, call_kind kind, ddb_result **out)
{
    ddb_result *r = result_new();
    attempt_end e = {0};
    unsigned cost = 0;
    int status;

    for (;;) {
        long long delay;

        e.retry_after = -1;
        e.fail = attempt(c, op, body, len, r, &e.retry_after);
        r->attempts = e.retry + 1;
        e.connect_fails += e.fail == FAIL_CONNECT;
        if (r->status == DDB_OK) {
            retry_succeeded(c, cost);
            break;
        }
        delay = retry_decide(c, r, &e, kind, &cost);
        if (delay < 0)
            break;
        retry_sleep(c, (unsigned)delay);
        e.retry++;
        ddb_result_free(r);
        r = result_new();
    }
    status = r->status;
    if (out != NULL)
        *out = r;
    else
        ddb_result_free(r);
    return status;
}

void transport_door_head(const ddb_client *c, ddb_buf *out, const char *path, long long len)
{
    if (len < 0)
        ddb_buf_printf(out, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, c->cfg.hostport);
    else /* (a door refuses a change that does not say it is JSON: server/guard/guard.h) */
        ddb_buf_printf(out, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %lld\r\n\r\n",
                       path, c->cfg.hostport, len);
}

int transport_send(ddb_client *c, const char *path, const char *in, size_t in_len, ddb_buf *body)
{
    char err[256];
    int reused;
    conn *k = conn_take(c, &reused, err, sizeof(err));
    reply rp;

    if (k == NULL)
        return 0;
    k->tx.len = 0;
    transport_door_head(c, &k->tx, path, in != NULL ? (long long)in_len : -1);
    if (send_all(k->fd, k->tx.data, k->tx.len, in, in != NULL ? in_len : 0) != 0 ||
        read_reply(k, &rp, err, sizeof(err)) != 0) {
        conn_close(k);
        return 0;
    }
    if (body != NULL)
        ddb_buf_append(body, k->rx.data + rp.body_off, rp.body_len);
    if (rp.keep_alive)
        conn_give_back(c, k);
    else
        conn_close(k);
    return rp.http;
}

int transport_get(ddb_client *c, const char *path, ddb_buf *body)
{
    return transport_send(c, path, NULL, 0, body);
}

int transport_health(ddb_client *c)
{
    return transport_get(c, "/", NULL);
}
