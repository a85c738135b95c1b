/*
 * client/transport_pipe.c: libddb's pipelined transport (include/ddb/ddb_pipe.h): HTTP/1.1
 * keep-alive connections to the client's endpoint (opened as transport.c opens its own) with
 * non-blocking I/O under one epoll, SigV4 as transport.c signs, a request written whole into its
 * connection's buffer; the requests waiting on a connection go in one sendmsg. A connection
 * carries up to DDB_PIPE_DEPTH requests, each sent behind the one before (a connection's order is
 * the server's: it answers them one after the other). An answer's head is read by transport.c's
 * parser, its body until its Content-Length. A connection the server closed while it was idle is
 * found when its next request gets no byte back: its requests are sent once more on a new one.
 *
 * Signing: a request's canonical request and string to sign begin with what every request of the
 * second shares, hashed once a second (and each region's key derived once a day: the client's,
 * and up to DDB_PIPE_REGIONS - 1 others a request was signed for), with OpenSSL's SHA-256
 * (proto/sigv4_sha.h: the CPU's SHA instructions; libsodium's portable SHA-256 was a seventh of a
 * replay's CPU).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "client/internal.h"
#include "ddb/ddb_pipe.h"
#include "proto/buf.h"
#include "proto/sigv4.h"
#include "proto/sigv4_sha.h"


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
    pending q[DDB_PIPE_DEPTH];
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
    /* its credentials: the client's, or a key ddb_pipe_sign_as named (borrowed) */
    const char *access_key, *secret, *token;
    time_t second;
    char key_date[9];
    uint8_t key[32];
    ddb_buf scope;
    ddb_hmac_sha256 hmac_day, hmac_second;
    SHA256_CTX creq_second; /* the second's canonical request up to X-Amz-Target's value */
} signer;

struct ddb_pipe {
    ddb_client *c; /* its endpoint, region and credentials (borrowed) */
    /* regions[0]: the client's region and key; then each other region, or key, a request was signed
       for (ddb_pipe_sign_in, ddb_pipe_sign_as) */
    signer regions[DDB_PIPE_REGIONS];
    size_t nregions;
    int ep;
    sock *socks;
    unsigned nsocks;
    unsigned *idle, nidle;   /* free connections (a stack: the warm ones first) */
    unsigned *dirty, ndirty; /* connections with requests to write (ddb_pipe_flush) */
    unsigned in_flight;
    /* signing: the date of the second and the hash of what every request begins with, its
       canonical request's head up to its date (each signer's second adds the date and its token) */
    time_t second;
    char amz_date[17];
    SHA256_CTX creq_run;
};

static void hash_str(SHA256_CTX *h, const char *s);

ddb_pipe *ddb_pipe_new(ddb_client *c, unsigned conns)
{
    ddb_pipe *s = calloc(1, sizeof(*s));

    if (s == NULL || sodium_init() < 0)
        abort();
    s->c = c;
    if ((s->regions[0].region = strdup(c->cfg.region)) == NULL)
        abort();
    s->regions[0].access_key = c->cfg.access_key;
    s->regions[0].secret = c->cfg.secret_key;
    s->regions[0].token = c->cfg.token;
    s->nregions = 1;
    s->nsocks = conns > 0 ? conns : 1;
    s->socks = calloc(s->nsocks, sizeof(sock));
    s->idle = calloc(s->nsocks, sizeof(unsigned));
    s->dirty = calloc(s->nsocks, sizeof(unsigned));
    if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || s->socks == NULL || s->idle == NULL || s->dirty == NULL)
        abort();
    for (unsigned i = 0; i < s->nsocks; i++) {
        s->socks[i].fd = -1;
        s->idle[s->nidle++] = s->nsocks - 1 - i;
    }
    SHA256_Init(&s->creq_run);
    hash_str(&s->creq_run, "POST\n/\n\ncontent-type:" CONTENT_TYPE "\nhost:");
    hash_str(&s->creq_run, c->cfg.hostport);
    hash_str(&s->creq_run, "\nx-amz-date:");
    return s;
}

void ddb_pipe_free(ddb_pipe *s)
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
    for (size_t i = 0; i < s->nregions; i++) {
        ddb_buf_free(&s->regions[i].scope);
        free(s->regions[i].region);
    }
    sodium_memzero(s->regions, sizeof(s->regions));
    free(s->socks);
    free(s->idle);
    free(s->dirty);
    free(s);
}

void ddb_wire_free(ddb_wire *w)
{
    if (w == NULL)
        return;
    free(w->data);
    *w = (ddb_wire){NULL, 0, 0};
}

int ddb_pipe_can_send(const ddb_pipe *s)
{
    return s->nidle > 0;
}

unsigned ddb_pipe_in_flight(const ddb_pipe *s)
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
 *   x-amz-target:PREFIX.OP \n \n SIGNED_HEADERS \n HEX(SHA256(BODY))
 *
 * (PREFIX: DynamoDB's, or DynamoDB Streams' for its operations) and its string to sign
 * "AWS4-HMAC-SHA256 \n DATE \n SCOPE \n HEX(SHA256(CANONICAL))": only PREFIX.OP,
 * the body and what follows them are hashed per request.
 */
static void date_now(ddb_pipe *s)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == s->second)
        return;
    s->second = now;
    gmtime_r(&now, &tm);
    strftime(s->amz_date, sizeof(s->amz_date), "%Y%m%dT%H%M%SZ", &tm);
}

/* The signer of region (rlen bytes) and key: one kept, or a new one (past DDB_PIPE_REGIONS the
   last slot's is given to it: a recording's regions and keys are few, a hostile one's need not be). */
static signer *signer_named(ddb_pipe *s, const char *region, size_t rlen, const char *ak, const char *sk,
                            const char *token)
{
    signer *g;

    for (size_t i = 0; i < s->nregions; i++) /* (a key by its borrowed strings: ddb_pipe_sign_as) */
        if (s->regions[i].access_key == ak && s->regions[i].secret == sk && s->regions[i].token == token &&
            strlen(s->regions[i].region) == rlen && memcmp(s->regions[i].region, region, rlen) == 0)
            return &s->regions[i];
    if (s->nregions < DDB_PIPE_REGIONS) {
        g = &s->regions[s->nregions++];
    } else {
        g = &s->regions[DDB_PIPE_REGIONS - 1];
        free(g->region);
        g->second = 0;
        g->key_date[0] = '\0';
    }
    if ((g->region = strndup(region, rlen)) == NULL)
        abort();
    g->access_key = ak;
    g->secret = sk;
    g->token = token;
    return g;
}

/* The signer of region (NULL or empty: the client's) and key (NULL: the client's), ready for this
   second (date_now's). */
static signer *signer_of(ddb_pipe *s, const char *region, size_t rlen, const char *ak, const char *sk, const char *token)
{
    signer *g = &s->regions[0];

    if (ak != NULL || (region != NULL && rlen > 0)) {
        if (ak == NULL) {
            ak = g->access_key;
            sk = g->secret;
            token = g->token;
        }
        if (region == NULL || rlen == 0) {
            region = g->region;
            rlen = strlen(region);
        }
        g = signer_named(s, region, rlen, ak, sk, token);
    }
    if (g->second == s->second)
        return g;
    g->second = s->second;
    g->creq_second = s->creq_run;
    hash_str(&g->creq_second, s->amz_date);
    if (g->token != NULL) {
        hash_str(&g->creq_second, "\nx-amz-security-token:");
        hash_str(&g->creq_second, g->token);
    }
    hash_str(&g->creq_second, "\nx-amz-target:");
    if (memcmp(g->key_date, s->amz_date, 8) != 0) {
        memcpy(g->key_date, s->amz_date, 8);
        ddb_sigv4_signing_key(g->secret, s->amz_date, g->region, "dynamodb", g->key);
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

static const char *signed_headers(const signer *g)
{
    return g->token != NULL ? "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
                            : "content-type;host;x-amz-date;x-amz-target";
}

/* out's buffer as a ddb_buf, and back (the public ddb_wire is its twin). */
static ddb_buf wire_buf(ddb_wire *w)
{
    return (ddb_buf){w->data, 0, w->cap};
}

static void wire_set(ddb_wire *w, const ddb_buf *b)
{
    *w = (ddb_wire){b->data, b->len, b->cap};
}

/* The request's head and body into out (replaced), with its signature sig by signer g. */
static void put_signed(ddb_pipe *s, const char *op, size_t oplen, const char *body, size_t blen, const signer *g,
                       const char *sig, ddb_buf *out)
{
    const client_cfg *cfg = &s->c->cfg;
    char clen[24];

    ddb_buf_puts(out, "POST / HTTP/1.1\r\nHost: ");
    ddb_buf_puts(out, cfg->hostport);
    ddb_buf_puts(out, "\r\nContent-Type: " CONTENT_TYPE "\r\nX-Amz-Date: ");
    ddb_buf_puts(out, s->amz_date);
    ddb_buf_puts(out, "\r\nX-Amz-Target: ");
    ddb_buf_puts(out, ddb_op_target_prefix(op, oplen));
    ddb_buf_append(out, op, oplen);
    snprintf(clen, sizeof(clen), "%zu", blen);
    ddb_buf_puts(out, "\r\nContent-Length: ");
    ddb_buf_puts(out, clen);
    if (g->token != NULL) {
        ddb_buf_puts(out, "\r\nX-Amz-Security-Token: ");
        ddb_buf_puts(out, g->token);
    }
    ddb_buf_puts(out, "\r\nAuthorization: ");
    ddb_sigv4_authorization(out, g->access_key, g->scope.data, signed_headers(g), sig);
    ddb_buf_puts(out, "\r\n\r\n");
    ddb_buf_append(out, body, blen);
}

time_t ddb_pipe_sign(ddb_pipe *s, const char *op, size_t oplen, const char *body, size_t blen, ddb_wire *out)
{
    return ddb_pipe_sign_in(s, NULL, 0, op, oplen, body, blen, out);
}

time_t ddb_pipe_sign_in(ddb_pipe *s, const char *region, size_t rlen, const char *op, size_t oplen, const char *body,
                        size_t blen, ddb_wire *out)
{
    return ddb_pipe_sign_as(s, region, rlen, NULL, op, oplen, body, blen, out);
}

time_t ddb_pipe_sign_as(ddb_pipe *s, const char *region, size_t rlen, const ddb_pipe_key *key, const char *op,
                        size_t oplen, const char *body, size_t blen, ddb_wire *out)
{
    ddb_buf b = wire_buf(out);
    unsigned char bin[32];
    char hex[DDB_SIGV4_HEX_LEN + 1], sig[DDB_SIGV4_HEX_LEN + 1];
    SHA256_CTX creq;
    ddb_hmac_sha256 hmac;
    signer *g;

    date_now(s);
    g = key != NULL ? signer_of(s, region, rlen, key->access_key, key->secret, key->token)
                    : signer_of(s, region, rlen, NULL, NULL, NULL);
    SHA256((const unsigned char *)(body != NULL ? body : ""), blen, bin);
    hex32(hex, bin);
    creq = g->creq_second;
    hash_str(&creq, ddb_op_target_prefix(op, oplen));
    SHA256_Update(&creq, op, oplen);
    hash_str(&creq, "\n\n");
    hash_str(&creq, signed_headers(g));
    hash_str(&creq, "\n");
    SHA256_Update(&creq, hex, DDB_SIGV4_HEX_LEN);
    SHA256_Final(bin, &creq);
    hex32(hex, bin);
    hmac = g->hmac_second;
    SHA256_Update(&hmac.in, hex, DDB_SIGV4_HEX_LEN);
    ddb_hmac_sha256_final(&hmac, bin);
    hex32(sig, bin);
    put_signed(s, op, oplen, body, blen, g, sig, &b);
    wire_set(out, &b);
    sodium_memzero(&hmac, sizeof(hmac));
    return s->second;
}

/* Signed with the client's key (service dynamodb, as the doors verify it under ddbd's --auth, which
   takes a key with rights=admin: docs/admin.md); a server without --auth reads no signature. */
time_t ddb_pipe_door(ddb_pipe *s, const char *path, const char *body, size_t blen, ddb_wire *out)
{
    const signer *g = &s->regions[0];
    ddb_buf b = wire_buf(out);
    ddb_sigv4_header h[4] = {{"content-type", "application/json"}, {"host", s->c->cfg.hostport},
                             {"x-amz-date", NULL}, {"x-amz-security-token", g->token}};
    ddb_sigv4_request r = {"POST", path, NULL, h, g->token != NULL ? 4 : 3, body, blen, NULL};

    date_now(s);
    h[2].value = s->amz_date;
    ddb_buf_printf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                       "X-Amz-Date: %s\r\n", path, s->c->cfg.hostport, blen, s->amz_date);
    if (g->token != NULL)
        ddb_buf_printf(&b, "X-Amz-Security-Token: %s\r\n", g->token);
    ddb_buf_puts(&b, "Authorization: ");
    ddb_sigv4_sign_request(&r, s->amz_date, g->region, "dynamodb", g->access_key, g->secret, &b);
    ddb_buf_puts(&b, "\r\n\r\n");
    ddb_buf_append(&b, body, blen);
    wire_set(out, &b);
    return s->second;
}

/* ---- connections ---- */

static int open_fd(ddb_pipe *s, sock *k)
{
    char err[256];
    int fd = transport_connect(s->c, err, sizeof(err));
    struct epoll_event ev = {EPOLLIN, {.ptr = k}};

    if (fd < 0)
        return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return -1;
    }
    k->fd = fd;
    k->out = 0;
    return 0;
}

static void close_fd(ddb_pipe *s, sock *k)
{
    if (k->fd >= 0) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, k->fd, NULL);
        close(k->fd);
    }
    k->fd = -1;
}

/* Writes what is left of k's requests, as many as the socket takes in one call; -1 when the
   connection failed. */
static int flush(ddb_pipe *s, sock *k)
{
    while (k->sent < k->n) {
        struct iovec iov[DDB_PIPE_DEPTH];
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
static void finish(ddb_pipe *s, sock *k, int status, const char *body, size_t len, ddb_pipe_answer_fn *fn, void *arg)
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
static void fail_all(ddb_pipe *s, sock *k, const char *why, ddb_pipe_answer_fn *fn, void *arg)
{
    close_fd(s, k);
    k->dead = 0;
    while (k->n > 0)
        finish(s, k, 0, why, strlen(why), fn, arg);
}

/* (Re)sends all of k's requests on its connection, opening one when it has none. 0, or -1 with
   nothing sent and the connection closed. */
static int start(ddb_pipe *s, sock *k)
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

static void push(ddb_pipe *s, sock *k, void *req, const char *wire, size_t len)
{
    k->q[k->n++] = (pending){req, wire, len};
    s->in_flight++;
    if (!k->dirty) {
        k->dirty = 1;
        s->dirty[s->ndirty++] = (unsigned)(k - s->socks);
    }
}

unsigned ddb_pipe_send(ddb_pipe *s, void *req, const char *wire, size_t len)
{
    unsigned ix = s->idle[--s->nidle];
    sock *k = &s->socks[ix];

    k->resent = 0;
    k->status = 0;
    k->fresh = 1;
    push(s, k, req, wire, len);
    return ix;
}

int ddb_pipe_send_behind(ddb_pipe *s, unsigned conn, void *req, const char *wire, size_t len)
{
    sock *k = conn < s->nsocks ? &s->socks[conn] : NULL;

    if (k == NULL || k->n == 0 || k->n == DDB_PIPE_DEPTH || k->dead || (k->fd < 0 && !k->fresh))
        return DDB_E_INVALID_ARGUMENT;
    push(s, k, req, wire, len);
    return DDB_OK;
}

void ddb_pipe_flush(ddb_pipe *s)
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

/* The answer's head in k->rx[0..head_end), read as transport.c reads one; -1 when it is not
   HTTP/1.x with a Content-Length. */
static int parse_head(sock *k)
{
    reply rp = {0};

    if (transport_parse_head(k->rx.data, k->head_end - 2, &rp, &k->clen) != 0)
        return -1;
    k->status = rp.http;
    k->keep_alive = rp.keep_alive;
    return k->clen >= 0 ? 0 : -1;
}

/*
 * The connection failed or closed. The server answers a connection's requests in order and reads
 * the next only after answering one, so none after q[0] was executed: they go again on a new
 * connection. q[0] too when none of its answer came and the connection had answered before (the
 * server closed it between two requests: while it idled, or after a number of requests, without
 * saying so); else it is answered none.
 */
static void failed(ddb_pipe *s, sock *k, const char *why, ddb_pipe_answer_fn *fn, void *arg)
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
static int answers(ddb_pipe *s, sock *k, ddb_pipe_answer_fn *fn, void *arg)
{
    while (k->n > 0) {
        size_t whole;
        if (k->head_end == 0) {
            size_t look = k->rx.len < DDB_PIPE_HEAD_MAX ? k->rx.len : DDB_PIPE_HEAD_MAX;
            const char *e = look >= 4 ? memmem(k->rx.data, look, "\r\n\r\n", 4) : NULL;
            if (e == NULL && k->rx.len < DDB_PIPE_HEAD_MAX)
                return 0;
            if (e == NULL) { /* an answer's head is never this long: the endpoint is no DynamoDB */
                k->rx.len = 1; /* (not resent: an answer came) */
                failed(s, k, "the answer's head is longer than 64 KiB", fn, arg);
                return 1;
            }
            k->head_end = (size_t)(e - k->rx.data) + 4;
            if (parse_head(k) != 0 || k->clen > DDB_PIPE_BODY_MAX) {
                k->rx.len = 1; /* (not resent: an answer came) */
                failed(s, k,
                       k->clen > DDB_PIPE_BODY_MAX ? "the answer's Content-Length is past 64 MiB"
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

static void readable(ddb_pipe *s, sock *k, ddb_pipe_answer_fn *fn, void *arg)
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

void ddb_pipe_poll(ddb_pipe *s, int timeout_ms, ddb_pipe_answer_fn *fn, void *arg)
{
    struct epoll_event evs[64];
    int n;

    ddb_pipe_flush(s);
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
