/*
 * client/cli/replay_conn.c: `ddb replay`'s sender (replay_conn.h): HTTP/1.1 keep-alive connections
 * with non-blocking I/O under one epoll, SigV4 as libddb signs (client/transport.c), a request
 * written whole into its connection's buffer; the requests waiting on a connection go in one
 * sendmsg. A connection carries up to RP_PIPE requests, each sent behind the one before (a
 * connection's order is the server's: it answers them one after the other). An answer is read
 * until its Content-Length (DynamoDB always sends one). A connection the server closed while it
 * was idle is found when its next request gets no byte back: its requests are sent once more on a
 * new one.
 */
#include "client/cli/replay_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "proto/buf.h"
#include "proto/sigv4.h"
#include "proto/sigv4_sha.h" /* OpenSSL's SHA-256, as ddbd checks signatures: libsodium's was a
                                seventh of a replay's CPU */

#define TARGET_PREFIX "DynamoDB_20120810."
#define CONTENT_TYPE "application/x-amz-json-1.0"
#define RP_REGIONS 16 /* regions signed for at most, each with its day's key */

/* One request on a connection: sent (or to send) behind the ones before it. */
typedef struct pending {
    void *req;
    const char *wire; /* the request, head and body, signed (the caller's until its answer) */
    size_t wlen;
} pending;

/*
 * A connection and its requests, in the order sent: q[0] is the one whose answer comes next (an
 * HTTP/1.1 server answers a connection's requests in order, reading the next only once one is
 * answered, so a request sent behind another is executed after it).
 */
typedef struct sock {
    int fd;
    int reused, resent; /* resent: its requests went again on a new connection */
    int dead;           /* could not (re)connect or send: dealt with at the next poll */
    int out;            /* waiting for EPOLLOUT */
    int fresh;          /* its first request is not sent yet (nor a connection opened for it) */
    int dirty;          /* holds requests not sent yet: on the sender's list to flush */
    pending q[RP_PIPE];
    unsigned n;      /* requests on it */
    unsigned sent;   /* of them, wholly written */
    size_t tx_off;   /* of q[sent], written so far */
    ddb_buf rx;      /* answers so far (q[0]'s, and any after it) */
    size_t head_end; /* past q[0]'s answer's head, 0 until it is read */
    long long clen;
    int keep_alive, status;
} sock;

/* One region's signing: its key and scope (derived once a day), and the string to sign's head of
   the second in HMAC state (keyed: the key's blocks hashed once). */
typedef struct signer {
    char *region;
    time_t second;
    char key_date[9];
    uint8_t key[32];
    ddb_buf scope;
    ddb_hmac_sha256 hmac_day, hmac_second;
} signer;

struct rp_sender {
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char *hostport, *access_key, *secret_key, *token;
    /* regions[0]: --region's, or the environment's; then each region a recorded line was signed
       for (ddbd's recordings of --namespaces: a region is a namespace of its own), unless forced */
    signer *regions;
    size_t nregions;
    int forced; /* --region given: every request is signed for it */
    int ep;
    sock *socks;
    unsigned nsocks;
    unsigned *idle, nidle;   /* free connections (a stack: the warm ones first) */
    unsigned *dirty, ndirty; /* connections with requests to write (rp_sender_flush) */
    unsigned in_flight;
    /* signing: the date of the second and the hash of what every request of the second begins
       with, its canonical request's head (the same in every region) */
    time_t second;
    char amz_date[17];
    SHA256_CTX creq_run, creq_second;
};

static void hash_str(SHA256_CTX *h, const char *s);

static const char *env_first(const char *a, const char *b, const char *fallback)
{
    const char *v = a != NULL ? getenv(a) : NULL;

    if (v == NULL || *v == '\0')
        v = b != NULL ? getenv(b) : NULL;
    return v != NULL && *v != '\0' ? v : fallback;
}

/* "http://host[:port][/]" resolved into s->addr; s->hostport the Host header. */
static int endpoint_of(rp_sender *s, const char *url, char *err, size_t errlen)
{
    const char *h = url + 7, *end, *colon;
    char host[256], port[16] = "80";
    struct addrinfo hints = {0}, *res = NULL;
    size_t hlen;

    if (strncmp(url, "http://", 7) != 0 || (end = h + strcspn(h, "/?#")) == h) {
        snprintf(err, errlen, "endpoint '%s' is not a URL of the form http://host[:port]", url);
        return -1;
    }
    colon = *h == '[' ? memchr(h, ']', (size_t)(end - h)) : h;
    colon = colon != NULL ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
    hlen = (size_t)((colon != NULL ? colon : end) - h);
    if (*h == '[') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host) || (colon != NULL && (size_t)(end - colon - 1) >= sizeof(port))) {
        snprintf(err, errlen, "endpoint '%s': host or port too long", url);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (colon != NULL) {
        memcpy(port, colon + 1, (size_t)(end - colon - 1));
        port[end - colon - 1] = '\0';
    }
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL) {
        snprintf(err, errlen, "cannot resolve the endpoint's host '%s'", host);
        return -1;
    }
    memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
    s->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    if ((s->hostport = strndup(url + 7, (size_t)(end - url - 7))) == NULL)
        abort();
    return 0;
}

rp_sender *rp_sender_new(const char *endpoint, const char *region, unsigned conns, char *err, size_t errlen)
{
    rp_sender *s = calloc(1, sizeof(*s));

    if (s == NULL || sodium_init() < 0)
        abort();
    s->ep = -1;
    if (endpoint_of(s, endpoint != NULL ? endpoint
                                        : env_first("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL",
                                                    "http://localhost:8000"),
                    err, errlen) != 0) {
        rp_sender_free(s);
        return NULL;
    }
    s->forced = region != NULL;
    region = region != NULL ? region : env_first("AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1");
    if ((s->regions = calloc(1, sizeof(signer))) == NULL || (s->regions[0].region = strdup(region)) == NULL)
        abort();
    s->nregions = 1;
    s->access_key = strdup(env_first("AWS_ACCESS_KEY_ID", NULL, "local"));
    s->secret_key = strdup(env_first("AWS_SECRET_ACCESS_KEY", NULL, "local"));
    s->token = getenv("AWS_SESSION_TOKEN") != NULL && *getenv("AWS_SESSION_TOKEN") ? strdup(getenv("AWS_SESSION_TOKEN"))
                                                                                     : NULL;
    s->nsocks = conns > 0 ? conns : 1;
    s->socks = calloc(s->nsocks, sizeof(sock));
    s->idle = calloc(s->nsocks, sizeof(unsigned));
    s->dirty = calloc(s->nsocks, sizeof(unsigned));
    if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || s->socks == NULL || s->idle == NULL || s->dirty == NULL ||
        s->access_key == NULL || s->secret_key == NULL)
        abort();
    for (unsigned i = 0; i < s->nsocks; i++) {
        s->socks[i].fd = -1;
        s->idle[s->nidle++] = s->nsocks - 1 - i;
    }
    SHA256_Init(&s->creq_run);
    hash_str(&s->creq_run, "POST\n/\n\ncontent-type:" CONTENT_TYPE "\nhost:");
    hash_str(&s->creq_run, s->hostport);
    hash_str(&s->creq_run, "\nx-amz-date:");
    return s;
}

void rp_sender_free(rp_sender *s)
{
    if (s == NULL)
        return;
    for (unsigned i = 0; s->socks != NULL && i < s->nsocks; i++) {
        if (s->socks[i].fd >= 0)
            close(s->socks[i].fd);
        ddb_buf_free(&s->socks[i].rx);
    }
    if (s->ep >= 0)
        close(s->ep);
    if (s->secret_key != NULL)
        sodium_memzero(s->secret_key, strlen(s->secret_key));
    for (size_t i = 0; i < s->nregions; i++) {
        sodium_memzero(s->regions[i].key, sizeof(s->regions[i].key));
        sodium_memzero(&s->regions[i].hmac_day, sizeof(s->regions[i].hmac_day));
        sodium_memzero(&s->regions[i].hmac_second, sizeof(s->regions[i].hmac_second));
        ddb_buf_free(&s->regions[i].scope);
        free(s->regions[i].region);
    }
    free(s->regions);
    free(s->secret_key);
    free(s->access_key);
    free(s->token);
    free(s->hostport);
    free(s->socks);
    free(s->idle);
    free(s->dirty);
    free(s);
}

int rp_sender_can_send(const rp_sender *s)
{
    return s->nidle > 0;
}

unsigned rp_sender_in_flight(const rp_sender *s)
{
    return s->in_flight;
}

/* ---- signing ---- */

/* Lowercase hex of 32 bytes (sodium_bin2hex is constant-time, which nothing here needs). */
static void hex32(char out[DDB_SIGV4_HEX_LEN + 1], const unsigned char bin[32])
{
    static const char DIGITS[] = "0123456789abcdef";

    for (int i = 0; i < 32; i++) {
        out[2 * i] = DIGITS[bin[i] >> 4];
        out[2 * i + 1] = DIGITS[bin[i] & 15];
    }
    out[DDB_SIGV4_HEX_LEN] = '\0';
}

static void hash_str(SHA256_CTX *h, const char *s)
{
    SHA256_Update(h, s, strlen(s));
}

/*
 * The date of now; once a day its key and scope, once a second the hashes of what every request
 * of the second begins with. A request's canonical request is always (AWS's SigV4, with the
 * headers sorted, as libddb signs them: client/transport.c, proto/sigv4.c):
 *
 *   POST \n / \n \n content-type:... \n host:... \n x-amz-date:DATE \n [x-amz-security-token:... \n]
 *   x-amz-target:DynamoDB_20120810.OP \n \n SIGNED_HEADERS \n HEX(SHA256(BODY))
 *
 * and its string to sign "AWS4-HMAC-SHA256 \n DATE \n SCOPE \n HEX(SHA256(CANONICAL))": only OP,
 * the body and what follows them are hashed per request.
 */
static void date_now(rp_sender *s)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == s->second)
        return;
    s->second = now;
    gmtime_r(&now, &tm);
    strftime(s->amz_date, sizeof(s->amz_date), "%Y%m%dT%H%M%SZ", &tm);
    s->creq_second = s->creq_run;
    hash_str(&s->creq_second, s->amz_date);
    if (s->token != NULL) {
        hash_str(&s->creq_second, "\nx-amz-security-token:");
        hash_str(&s->creq_second, s->token);
    }
    hash_str(&s->creq_second, "\nx-amz-target:" TARGET_PREFIX);
}

/* The signer of region (rlen bytes): one kept, or a new one (past RP_REGIONS the last slot's is
   given to it: a recording's regions are few, a hostile one's need not be). */
static signer *signer_named(rp_sender *s, const char *region, size_t rlen)
{
    signer *g;

    for (size_t i = 0; i < s->nregions; i++)
        if (strlen(s->regions[i].region) == rlen && memcmp(s->regions[i].region, region, rlen) == 0)
            return &s->regions[i];
    if (s->nregions < RP_REGIONS) {
        if ((s->regions = realloc(s->regions, (s->nregions + 1) * sizeof(signer))) == NULL)
            abort();
        g = memset(&s->regions[s->nregions++], 0, sizeof(signer));
    } else {
        g = &s->regions[s->nregions - 1];
        free(g->region);
        g->second = 0;
        g->key_date[0] = '\0';
    }
    if ((g->region = strndup(region, rlen)) == NULL)
        abort();
    return g;
}

/* The signer of a request recorded in `region` (NULL: none recorded), ready for this second. */
static signer *signer_of(rp_sender *s, const char *region, size_t rlen)
{
    signer *g = region != NULL && rlen > 0 && !s->forced ? signer_named(s, region, rlen) : &s->regions[0];

    if (g->second == s->second)
        return g;
    g->second = s->second;
    if (memcmp(g->key_date, s->amz_date, 8) != 0) {
        memcpy(g->key_date, s->amz_date, 8);
        ddb_sigv4_signing_key(s->secret_key, s->amz_date, g->region, "dynamodb", g->key);
        ddb_hmac_sha256_init(&g->hmac_day, g->key);
        g->scope.len = 0;
        ddb_sigv4_scope(&g->scope, s->amz_date, g->region, "dynamodb");
    }
    g->hmac_second = g->hmac_day;
    SHA256_Update(&g->hmac_second.in, DDB_SIGV4_ALGORITHM "\n", sizeof(DDB_SIGV4_ALGORITHM));
    SHA256_Update(&g->hmac_second.in, s->amz_date, 16);
    SHA256_Update(&g->hmac_second.in, "\n", 1);
    SHA256_Update(&g->hmac_second.in, g->scope.data, g->scope.len);
    SHA256_Update(&g->hmac_second.in, "\n", 1);
    return g;
}

time_t rp_sender_sign(rp_sender *s, const char *region, size_t rlen, const char *op, size_t oplen, const char *body,
                      size_t blen, ddb_buf *out)
{
    const char *signed_headers = s->token != NULL ? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
                                                  : "content-type;host;x-amz-date;x-amz-target";
    unsigned char bin[32];
    char hex[DDB_SIGV4_HEX_LEN + 1], sig[DDB_SIGV4_HEX_LEN + 1], clen[24];
    SHA256_CTX creq;
    ddb_hmac_sha256 hmac;
    signer *g;

    date_now(s);
    g = signer_of(s, region, rlen);
    SHA256((const unsigned char *)(body != NULL ? body : ""), blen, bin);
    hex32(hex, bin);
    creq = s->creq_second;
    SHA256_Update(&creq, op, oplen);
    hash_str(&creq, "\n\n");
    hash_str(&creq, signed_headers);
    hash_str(&creq, "\n");
    SHA256_Update(&creq, hex, DDB_SIGV4_HEX_LEN);
    SHA256_Final(bin, &creq);
    hex32(hex, bin);
    hmac = g->hmac_second;
    SHA256_Update(&hmac.in, hex, DDB_SIGV4_HEX_LEN);
    ddb_hmac_sha256_final(&hmac, bin);
    hex32(sig, bin);
    out->len = 0;
    ddb_buf_puts(out, "POST / HTTP/1.1\r\nHost: ");
    ddb_buf_puts(out, s->hostport);
    ddb_buf_puts(out, "\r\nContent-Type: " CONTENT_TYPE "\r\nX-Amz-Date: ");
    ddb_buf_puts(out, s->amz_date);
    ddb_buf_puts(out, "\r\nX-Amz-Target: " TARGET_PREFIX);
    ddb_buf_append(out, op, oplen);
    snprintf(clen, sizeof(clen), "%zu", blen);
    ddb_buf_puts(out, "\r\nContent-Length: ");
    ddb_buf_puts(out, clen);
    if (s->token != NULL) {
        ddb_buf_puts(out, "\r\nX-Amz-Security-Token: ");
        ddb_buf_puts(out, s->token);
    }
    ddb_buf_puts(out, "\r\nAuthorization: ");
    ddb_sigv4_authorization(out, s->access_key, g->scope.data, signed_headers, sig);
    ddb_buf_puts(out, "\r\n\r\n");
    ddb_buf_append(out, body, blen);
    sodium_memzero(&hmac, sizeof(hmac));
    return s->second;
}

time_t rp_sender_door(rp_sender *s, const char *path, const char *body, size_t blen, ddb_buf *out)
{
    out->len = 0;
    ddb_buf_printf(out, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                   path, s->hostport, blen);
    ddb_buf_append(out, body, blen);
    return time(NULL);
}

/* ---- connections ---- */

static int open_fd(rp_sender *s, sock *k)
{
    int one = 1, fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct epoll_event ev = {EPOLLIN, {.ptr = k}};

    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&s->addr, s->addrlen) != 0) { /* blocking: once a connection */
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return -1;
    }
    k->fd = fd;
    k->out = 0;
    return 0;
}

static void close_fd(rp_sender *s, sock *k)
{
    if (k->fd >= 0) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, k->fd, NULL);
        close(k->fd);
    }
    k->fd = -1;
}

/* Writes what is left of k's requests, as many as the socket takes in one call; -1 when the
   connection failed. */
static int flush(rp_sender *s, sock *k)
{
    while (k->sent < k->n) {
        struct iovec iov[RP_PIPE];
        struct msghdr m = {.msg_iov = iov};
        ssize_t n;

        for (unsigned i = k->sent; i < k->n; i++)
            iov[m.msg_iovlen++] = (struct iovec){(char *)k->q[i].wire + (i == k->sent ? k->tx_off : 0),
                                                 k->q[i].wlen - (i == k->sent ? k->tx_off : 0)};
        n = sendmsg(k->fd, &m, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct epoll_event ev = {EPOLLIN | EPOLLOUT, {.ptr = k}};
            if (k->out)
                return 0;
            k->out = 1;
            return epoll_ctl(s->ep, EPOLL_CTL_MOD, k->fd, &ev);
        }
        if (n <= 0)
            return -1;
        for (size_t left = (size_t)n; left > 0;) { /* past what was written */
            size_t rest = k->q[k->sent].wlen - k->tx_off;
            if (left < rest) {
                k->tx_off += left;
                break;
            }
            left -= rest;
            k->sent++;
            k->tx_off = 0;
        }
    }
    if (k->out) {
        struct epoll_event ev = {EPOLLIN, {.ptr = k}};
        k->out = 0;
        return epoll_ctl(s->ep, EPOLL_CTL_MOD, k->fd, &ev);
    }
    return 0;
}

/* q[0] answered (status 0: none); the connection is free once it holds no request. */
static void finish(rp_sender *s, sock *k, int status, const char *body, size_t len, rp_answered_fn *fn, void *arg)
{
    void *req = k->q[0].req;

    memmove(k->q, k->q + 1, (k->n - 1) * sizeof(pending));
    k->n--;
    if (k->sent > 0)
        k->sent--;
    else
        k->tx_off = 0; /* (q[0] was not wholly sent: a failure) */
    k->head_end = 0;
    k->resent = 0;
    s->in_flight--;
    if (k->n == 0)
        s->idle[s->nidle++] = (unsigned)(k - s->socks);
    fn(arg, req, status, body, len);
}

/* Every request of k without an answer (the connection cannot be had). */
static void fail_all(rp_sender *s, sock *k, const char *why, rp_answered_fn *fn, void *arg)
{
    close_fd(s, k);
    k->dead = 0;
    while (k->n > 0)
        finish(s, k, 0, why, strlen(why), fn, arg);
}

/* (Re)sends all of k's requests on its connection, opening one when it has none. 0, or -1 with
   nothing sent and the connection closed. */
static int start(rp_sender *s, sock *k)
{
    k->reused = k->fd >= 0;
    if (k->fd < 0 && open_fd(s, k) != 0)
        return -1;
    k->sent = 0;
    k->tx_off = 0;
    k->rx.len = 0;
    k->head_end = 0;
    k->clen = -1;
    if (flush(s, k) != 0) {
        close_fd(s, k);
        return -1;
    }
    return 0;
}

static void push(rp_sender *s, sock *k, void *req, const char *wire, size_t len)
{
    k->q[k->n++] = (pending){req, wire, len};
    s->in_flight++;
    if (!k->dirty) {
        k->dirty = 1;
        s->dirty[s->ndirty++] = (unsigned)(k - s->socks);
    }
}

unsigned rp_sender_send(rp_sender *s, void *req, const char *wire, size_t len)
{
    unsigned ix = s->idle[--s->nidle];
    sock *k = &s->socks[ix];

    k->resent = 0;
    k->status = 0;
    k->fresh = 1;
    push(s, k, req, wire, len);
    return ix;
}

int rp_sender_send_behind(rp_sender *s, unsigned conn, void *req, const char *wire, size_t len)
{
    sock *k = &s->socks[conn];

    if (k->n == 0 || k->n == RP_PIPE || k->dead || (k->fd < 0 && !k->fresh))
        return -1;
    push(s, k, req, wire, len);
    return 0;
}

void rp_sender_flush(rp_sender *s)
{
    for (unsigned i = 0; i < s->ndirty; i++) {
        sock *k = &s->socks[s->dirty[i]];

        k->dirty = 0;
        if (k->n == 0 || k->dead)
            continue;
        if (k->fresh) { /* a connection (opened, or again once) and every request queued on it */
            k->fresh = 0;
            if (start(s, k) != 0 && (k->resent = 1, start(s, k) != 0))
                k->dead = 1; /* answered (none) at the next poll: the caller is not re-entered here */
        } else if (k->fd >= 0 && !k->out && flush(s, k) != 0) {
            k->dead = 1; /* the poll finds the connection failed: its requests go again or get none */
        }
    }
    s->ndirty = 0;
}

/* The answer's head in k->rx[0..head_end); -1 when it is not HTTP/1.x. */
static int parse_head(sock *k)
{
    const char *p = k->rx.data, *stop = p + k->head_end, *line = p;

    if (k->head_end < 12 || memcmp(p, "HTTP/1.", 7) != 0)
        return -1;
    k->status = atoi(p + 9);
    k->keep_alive = p[7] == '1';
    k->clen = -1;
    while ((line = memchr(line, '\n', (size_t)(stop - line))) != NULL && ++line < stop) {
        if (strncasecmp(line, "content-length:", 15) == 0)
            k->clen = strtoll(line + 15, NULL, 10);
        else if (strncasecmp(line, "connection:", 11) == 0)
            k->keep_alive = strncasecmp(line + 11 + strspn(line + 11, " "), "close", 5) != 0;
    }
    return k->status >= 100 && k->clen >= 0 ? 0 : -1;
}

/*
 * The connection failed or closed. The server answers a connection's requests in order and reads
 * the next only after answering one, so none after q[0] was executed: they go again on a new
 * connection. q[0] too when none of its answer came and the connection had answered before (the
 * server closed it between two requests: while it idled, or after a number of requests, without
 * saying so); else it is answered none.
 */
static void failed(rp_sender *s, sock *k, const char *why, rp_answered_fn *fn, void *arg)
{
    int retry = k->rx.len == 0 && k->reused && !k->resent;

    close_fd(s, k);
    if (!retry)
        finish(s, k, 0, why, strlen(why), fn, arg);
    if (k->n == 0)
        return;
    k->resent = 1;
    if (start(s, k) != 0)
        fail_all(s, k, "cannot connect to the endpoint", fn, arg);
}

/* The answers in k->rx, q[0]'s first: each handed to fn and taken off. 1 when the connection
   failed or closed (and was dealt with), 0 to read on. */
static int answers(rp_sender *s, sock *k, rp_answered_fn *fn, void *arg)
{
    while (k->n > 0) {
        size_t whole;
        if (k->head_end == 0) {
            size_t look = k->rx.len < RP_HEAD_MAX ? k->rx.len : RP_HEAD_MAX;
            const char *e = look >= 4 ? memmem(k->rx.data, look, "\r\n\r\n", 4) : NULL;
            if (e == NULL && k->rx.len < RP_HEAD_MAX)
                return 0;
            if (e == NULL) { /* an answer's head is never this long: the endpoint is no DynamoDB */
                k->rx.len = 1; /* (not resent: an answer came) */
                failed(s, k, "the answer's head is longer than 64 KiB", fn, arg);
                return 1;
            }
            k->head_end = (size_t)(e - k->rx.data) + 4;
            if (parse_head(k) != 0 || k->clen > RP_BODY_MAX) {
                k->rx.len = 1; /* (not resent: an answer came) */
                failed(s, k,
                       k->clen > RP_BODY_MAX ? "the answer's Content-Length is past 64 MiB"
                                             : "the answer is not HTTP/1.1 with a Content-Length",
                       fn, arg);
                return 1;
            }
        }
        if (k->rx.len < (whole = k->head_end + (size_t)k->clen))
            return 0;
        finish(s, k, k->status, k->rx.data + k->head_end, (size_t)k->clen, fn, arg);
        memmove(k->rx.data, k->rx.data + whole, k->rx.len - whole);
        k->rx.len -= whole;
        k->rx.data[k->rx.len] = '\0';
        if (!k->keep_alive) {
            close_fd(s, k);
            if (k->n > 0 && start(s, k) != 0) /* the ones behind it were not read: again */
                fail_all(s, k, "cannot connect to the endpoint", fn, arg);
            return 1;
        }
        k->reused = 1; /* the next one's answer comes on a used connection (see failed) */
    }
    return 0;
}

static void readable(rp_sender *s, sock *k, rp_answered_fn *fn, void *arg)
{
    while (k->n > 0) {
        ssize_t n;

        ddb_buf_reserve(&k->rx, 16384);
        n = recv(k->fd, k->rx.data + k->rx.len, k->rx.cap - k->rx.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            failed(s, k, n == 0 ? "connection closed before the answer" : strerror(errno), fn, arg);
            return;
        }
        k->rx.len += (size_t)n;
        k->rx.data[k->rx.len] = '\0';
        if (answers(s, k, fn, arg) != 0)
            return;
    }
}

void rp_sender_poll(rp_sender *s, int timeout_ms, rp_answered_fn *fn, void *arg)
{
    struct epoll_event evs[64];
    int n;

    rp_sender_flush(s);
    for (unsigned i = 0; i < s->nsocks; i++) /* a send that could not start or go on */
        if (s->socks[i].dead && s->socks[i].n > 0) {
            sock *k = &s->socks[i];
            if (k->fd >= 0)
                failed(s, k, "sending the request failed", fn, arg);
            else
                fail_all(s, k, "cannot connect to the endpoint", fn, arg);
            k->dead = 0;
            timeout_ms = 0;
        }
    n = epoll_wait(s->ep, evs, 64, timeout_ms);
    for (int i = 0; i < n; i++) {
        sock *k = evs[i].data.ptr;
        if (k->fd >= 0 && k->n == 0) {
            close_fd(s, k); /* idle, and the server closed it (it says nothing unasked): else every
                               wait would return at once with it, level-triggered */
            continue;
        }
        if (k->n == 0 || k->fd < 0)
            continue;
        if ((evs[i].events & EPOLLOUT) && flush(s, k) != 0) {
            failed(s, k, "sending the request failed", fn, arg);
            continue;
        }
        if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            readable(s, k, fn, arg);
    }
}
