/*
 * bench/libddb_http_layers.c: libddb's HTTP layer chosen by measurement (issue 12). The same
 * signed DynamoDB GetItem or PutItem, sent N times over keep-alive connections (one per thread),
 * by each candidate layer:
 *
 *   libddb       ddb_get_item / ddb_put_item: the whole library (item -> JSON, SigV4, its plain
 *                socket writer, x-amz-crc32, JSON -> ddb_result); one ddb_client per thread
 *   libddb_call  ddb_call with the request JSON written once: the library minus building the JSON
 *   plain        the plain socket writer of client/transport.c, reduced to its HTTP layer: one
 *                sendmsg() of head + body on a blocking TCP_NODELAY socket, recv() until
 *                Content-Length bytes arrived
 *   curl         libcurl's easy interface, one handle per thread reused (keep-alive), the header
 *                list built once and its X-Amz-Date and Authorization rewritten in place
 *   h2o          h2o 2.2's http1client on its evloop (one loop, one pooled connection per thread);
 *                a request is started when the previous one has ended and its socket is back in
 *                the pool
 *
 * plain, curl and h2o do exactly the same work besides HTTP: every request is signed with
 * proto/sigv4 (canonical request, string to sign, HMAC; the signing key cached per thread and date,
 * X-Amz-Date formatted once a second, as libddb does), the request body is the same prebuilt JSON,
 * and the reply body's x-amz-crc32 is checked. Only the HTTP layer differs. They do not parse the
 * reply JSON; libddb_call adds exactly that (and libddb adds writing the JSON from a ddb_item).
 *
 *   libddb_http_layers ENDPOINT TABLE LAYER get|put THREADS N [WARMUP=200]
 *
 * ENDPOINT is http://127.0.0.1:PORT; TABLE has a hash key "pk" (S) and holds pk="k1" (the script
 * creates it). N requests in total, taken from a shared counter by THREADS threads, each with its
 * own connection, opened and warmed up (WARMUP requests) before the clock starts. Prints one line:
 *   layer=.. op=.. threads=.. requests=.. errors=.. new_conns=.. wall_s=.. req_s=.. user_us=.. sys_us=.. total_us=..
 * with the process's CPU (getrusage: all threads, user and system) per request. new_conns counts
 * connections opened after a thread's first request (must be 0: every layer keeps its connection;
 * counted for curl and h2o, whose pools could silently reconnect; plain and libddb connect once).
 *
 * Built by bench/libddb_http_layers.sh (cc + pkg-config, against build/libddb.a); not part of the
 * CMake build. -DNO_H2O / -DNO_CURL leave a layer out.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ddb/ddb.h"
#include "proto/buf.h"
#include "proto/crc32.h"
#include "proto/sigv4.h"

#ifndef NO_CURL
#include <curl/curl.h>
#endif
#ifndef NO_H2O
#define H2O_USE_EPOLL 1
#include "h2o.h"
#include "h2o/http1client.h"
#include "h2o/socketpool.h"
#endif

#define CONTENT_TYPE "application/x-amz-json-1.0"
#define REGION "us-east-1"
#define ACCESS_KEY "local"
#define SECRET_KEY "local"

static const char *endpoint, *table, *layer;
static char hostport[64], target[64], body[256];
static size_t body_len;
static struct sockaddr_in addr;
static int do_put;
static long n_total, warmup;
static atomic_long next_req, n_errors, n_new_conns;
static pthread_barrier_t start_line, finish_line;

/* ---- what every layer does besides HTTP: sign, and check x-amz-crc32 ---- */

typedef struct signer {
    ddb_buf creq, sts, sh, scope, auth;
    char amz_date[17], key_date[8];
    time_t last;
    uint8_t key[32];
} signer;

/* Signs the request (body, target, host, content-type, date) into s->auth, as client/transport.c does. */
static void sign(signer *s)
{
    time_t now = time(NULL);
    char sig[DDB_SIGV4_HEX_LEN + 1];
    ddb_sigv4_header hs[4] = {
        {"content-type", CONTENT_TYPE}, {"host", hostport}, {"x-amz-date", s->amz_date}, {"x-amz-target", target}};
    ddb_sigv4_request r = {"POST", "/", NULL, hs, 4, body, body_len, NULL};

    if (now != s->last) {
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(s->amz_date, sizeof(s->amz_date), "%Y%m%dT%H%M%SZ", &tm);
        s->last = now;
    }
    if (memcmp(s->key_date, s->amz_date, 8) != 0) {
        ddb_sigv4_signing_key(SECRET_KEY, s->amz_date, REGION, "dynamodb", s->key);
        memcpy(s->key_date, s->amz_date, 8);
    }
    s->creq.len = s->sts.len = s->sh.len = s->scope.len = s->auth.len = 0;
    ddb_sigv4_scope(&s->scope, s->amz_date, REGION, "dynamodb");
    ddb_sigv4_canonical_request(&r, &s->creq, &s->sh);
    ddb_sigv4_string_to_sign(&s->sts, s->amz_date, s->scope.data, s->creq.data, s->creq.len);
    ddb_sigv4_sign(s->key, s->sts.data, s->sts.len, sig);
    ddb_sigv4_authorization(&s->auth, ACCESS_KEY, s->scope.data, s->sh.data, sig);
}

static void signer_free(signer *s)
{
    ddb_buf_free(&s->creq);
    ddb_buf_free(&s->sts);
    ddb_buf_free(&s->sh);
    ddb_buf_free(&s->scope);
    ddb_buf_free(&s->auth);
}

/* The request head as libddb writes it (for plain and h2o, whose 2.2 client sends the caller's bytes). */
static void write_head(signer *s, ddb_buf *tx)
{
    char clen[24];

    sign(s);
    tx->len = 0;
    ddb_buf_puts(tx, "POST / HTTP/1.1\r\nHost: ");
    ddb_buf_puts(tx, hostport);
    ddb_buf_puts(tx, "\r\nContent-Type: " CONTENT_TYPE "\r\nX-Amz-Date: ");
    ddb_buf_puts(tx, s->amz_date);
    ddb_buf_puts(tx, "\r\nX-Amz-Target: ");
    ddb_buf_puts(tx, target);
    snprintf(clen, sizeof(clen), "%zu", body_len);
    ddb_buf_puts(tx, "\r\nContent-Length: ");
    ddb_buf_puts(tx, clen);
    ddb_buf_puts(tx, "\r\nAuthorization: ");
    ddb_buf_append(tx, s->auth.data, s->auth.len);
    ddb_buf_puts(tx, "\r\n\r\n");
}

/* 0 when the reply is a 200 whose body matches its x-amz-crc32. */
static int check_reply(int status, int has_crc, uint32_t crc, const char *b, size_t n)
{
    if (status != 200 || !has_crc || ddb_crc32(0, b, n) != crc) {
        static atomic_int said;

        if (atomic_fetch_add(&said, 1) < 3)
            fprintf(stderr, "%s: bad reply: HTTP %d, crc %s: %.*s\n", layer, status, has_crc ? "present" : "missing",
                    (int)(n > 200 ? 200 : n), b);
        return -1;
    }
    return 0;
}

/* The measured loop of every layer: warm up, wait for the start, then take requests until N are taken. */
#define RUN(one_request)                                                                                               \
    do {                                                                                                               \
        long bad_ = 0;                                                                                                 \
        for (long w_ = 0; w_ < warmup; w_++)                                                                           \
            if ((one_request) != 0) {                                                                                  \
                fprintf(stderr, "%s: warm-up request failed\n", layer);                                                \
                exit(1);                                                                                               \
            }                                                                                                          \
        pthread_barrier_wait(&start_line);                                                                             \
        while (atomic_fetch_add(&next_req, 1) < n_total)                                                               \
            bad_ += (one_request) != 0;                                                                                \
        n_errors += bad_;                                                                                              \
        pthread_barrier_wait(&finish_line);                                                                            \
    } while (0)

/* ---- libddb: the library's own calls ---- */

static void *run_libddb(void *arg)
{
    int raw = arg != NULL;
    ddb_config *cfg = ddb_config_new();
    ddb_client *db = NULL;
    ddb_item *it = ddb_item_new();

    ddb_config_set_endpoint(cfg, endpoint);
    ddb_config_set_region(cfg, REGION);
    ddb_config_set_credentials(cfg, ACCESS_KEY, SECRET_KEY, NULL);
    if (ddb_client_new(cfg, &db) != DDB_OK)
        exit(1);
    ddb_item_set_s(it, "pk", "k1");
    if (do_put)
        ddb_item_set_int(it, "v", 1);
#define LIBDDB_ONE()                                                                                                   \
    ({                                                                                                                 \
        ddb_result *r_ = NULL;                                                                                         \
        int rc_ = raw ? ddb_call(db, do_put ? "PutItem" : "GetItem", body, body_len, &r_)                              \
              : do_put ? ddb_put_item(db, table, it, NULL, &r_)                                                        \
                       : ddb_get_item(db, table, it, NULL, &r_);                                                       \
        if (rc_ == DDB_OK && !do_put && !raw && ddb_result_item(r_) == NULL)                                           \
            rc_ = DDB_E_PROTOCOL;                                                                                      \
        if (rc_ != DDB_OK)                                                                                             \
            fprintf(stderr, "%s: %s %s\n", layer, ddb_status_name(rc_), ddb_result_message(r_));                      \
        ddb_result_free(r_);                                                                                           \
        rc_;                                                                                                           \
    })
    RUN(LIBDDB_ONE());
    ddb_item_free(it);
    ddb_client_free(db);
    ddb_config_free(cfg);
    return NULL;
}

/* ---- plain: client/transport.c's socket writer, without its pool and retries ---- */

typedef struct plain_conn {
    int fd;
    ddb_buf tx, rx;
    signer s;
} plain_conn;

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

static int plain_request(plain_conn *k)
{
    struct iovec iov[2];
    struct msghdr msg = {0};
    size_t head_end = 0, want = 0;
    long long clen = -1;
    int status = 0, has_crc = 0;
    uint32_t crc = 0;

    write_head(&k->s, &k->tx);
    iov[0] = (struct iovec){k->tx.data, k->tx.len};
    iov[1] = (struct iovec){body, body_len};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    while (msg.msg_iovlen > 0) {
        ssize_t n = sendmsg(k->fd, &msg, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
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
    k->rx.len = 0;
    for (;;) {
        ssize_t n;

        ddb_buf_reserve(&k->rx, 16384);
        n = recv(k->fd, k->rx.data + k->rx.len, k->rx.cap - k->rx.len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        k->rx.len += (size_t)n;
        k->rx.data[k->rx.len] = '\0';
        if (head_end == 0) {
            const char *e = memmem(k->rx.data, k->rx.len, "\r\n\r\n", 4), *line = k->rx.data, *v;

            if (e == NULL)
                continue;
            head_end = (size_t)(e - k->rx.data) + 4;
            if (memcmp(k->rx.data, "HTTP/1.1 ", 9) != 0)
                return -1;
            status = atoi(k->rx.data + 9);
            while ((line = memchr(line, '\n', (size_t)(e - line))) != NULL && ++line < e) {
                const char *eol = memchr(line, '\r', (size_t)(e + 2 - line));
                size_t len = (size_t)(eol - line);

                if (header_is(line, len, "content-length", &v))
                    clen = strtoll(v, NULL, 10);
                else if (header_is(line, len, "x-amz-crc32", &v))
                    has_crc = 1, crc = (uint32_t)strtoul(v, NULL, 10);
            }
            if (clen < 0)
                return -1;
            want = head_end + (size_t)clen;
        }
        if (k->rx.len >= want)
            break;
    }
    return check_reply(status, has_crc, crc, k->rx.data + head_end, (size_t)clen);
}

static void *run_plain(void *arg)
{
    plain_conn k = {0};
    int one = 1;

    (void)arg;
    k.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (k.fd < 0 || connect(k.fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        perror("plain: connect");
        exit(1);
    }
    setsockopt(k.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    RUN(plain_request(&k));
    close(k.fd);
    ddb_buf_free(&k.tx);
    ddb_buf_free(&k.rx);
    signer_free(&k.s);
    return NULL;
}

/* ---- libcurl: easy handle reused, headers prepared once ---- */

#ifndef NO_CURL
typedef struct curl_conn {
    CURL *h;
    struct curl_slist *hdrs, *date_hdr, *auth_hdr;
    ddb_buf rx;
    int has_crc;
    uint32_t crc;
    long requests;
    signer s;
} curl_conn;

static size_t curl_on_body(char *p, size_t size, size_t n, void *arg)
{
    curl_conn *k = arg;

    ddb_buf_append(&k->rx, p, size * n);
    return size * n;
}

static size_t curl_on_header(char *p, size_t size, size_t n, void *arg)
{
    curl_conn *k = arg;
    const char *v;

    if (header_is(p, size * n, "x-amz-crc32", &v)) {
        k->has_crc = 1;
        k->crc = (uint32_t)strtoul(v, NULL, 10);
    }
    return size * n;
}

/* The header list, built once; a request only rewrites the date and the signature in it. */
static void curl_headers(curl_conn *k)
{
    ddb_buf b = {0};

    curl_slist_free_all(k->hdrs);
    k->hdrs = curl_slist_append(NULL, "Content-Type: " CONTENT_TYPE);
    ddb_buf_printf(&b, "X-Amz-Target: %s", target);
    k->hdrs = curl_slist_append(k->hdrs, b.data);
    b.len = 0;
    ddb_buf_printf(&b, "X-Amz-Date: %s", k->s.amz_date);
    k->hdrs = curl_slist_append(k->hdrs, b.data);
    k->date_hdr = k->hdrs->next->next;
    b.len = 0;
    ddb_buf_printf(&b, "Authorization: %s", k->s.auth.data);
    k->hdrs = curl_slist_append(k->hdrs, b.data);
    k->auth_hdr = k->date_hdr->next;
    k->hdrs = curl_slist_append(k->hdrs, "Expect:"); /* no 100-continue round trip */
    k->hdrs = curl_slist_append(k->hdrs, "Accept:"); /* curl's default Accept: off, as libddb sends none */
    ddb_buf_free(&b);
    curl_easy_setopt(k->h, CURLOPT_HTTPHEADER, k->hdrs);
}

static int curl_request(curl_conn *k)
{
    long status = 0;
    CURLcode rc;

    sign(&k->s);
    if (k->hdrs == NULL || strlen(k->auth_hdr->data) != sizeof("Authorization: ") - 1 + k->s.auth.len) {
        curl_headers(k);
    } else {
        memcpy(k->date_hdr->data + sizeof("X-Amz-Date: ") - 1, k->s.amz_date, 16);
        memcpy(k->auth_hdr->data + sizeof("Authorization: ") - 1, k->s.auth.data, k->s.auth.len);
    }
    k->rx.len = 0;
    k->has_crc = 0;
    rc = curl_easy_perform(k->h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &status);
    if (k->rx.data == NULL)
        ddb_buf_reserve(&k->rx, 1);
    return check_reply((int)status, k->has_crc, k->crc, k->rx.data, k->rx.len);
}

static int curl_request_counted(curl_conn *k)
{
    long conns = 0;
    int rc = curl_request(k);

    curl_easy_getinfo(k->h, CURLINFO_NUM_CONNECTS, &conns);
    if (conns > 0 && k->requests > 0) /* a reconnection: only the first request may connect */
        n_new_conns += conns;
    k->requests++;
    return rc;
}

static void *run_curl(void *arg)
{
    curl_conn k = {0};
    char url[128];

    (void)arg;
    snprintf(url, sizeof(url), "http://%s/", hostport);
    k.h = curl_easy_init();
    curl_easy_setopt(k.h, CURLOPT_URL, url);
    curl_easy_setopt(k.h, CURLOPT_POST, 1L);
    curl_easy_setopt(k.h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k.h, CURLOPT_POSTFIELDSIZE, (long)body_len);
    curl_easy_setopt(k.h, CURLOPT_WRITEFUNCTION, curl_on_body);
    curl_easy_setopt(k.h, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(k.h, CURLOPT_HEADERFUNCTION, curl_on_header);
    curl_easy_setopt(k.h, CURLOPT_HEADERDATA, &k);
    curl_easy_setopt(k.h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k.h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(k.h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(k.h, CURLOPT_TIMEOUT_MS, 10000L);
    RUN(curl_request_counted(&k));
    curl_easy_cleanup(k.h);
    curl_slist_free_all(k.hdrs);
    ddb_buf_free(&k.rx);
    signer_free(&k.s);
    return NULL;
}
#endif

/* ---- h2o 2.2 http1client on its evloop ---- */

#ifndef NO_H2O
typedef struct h2o_conn {
    h2o_loop_t *loop;
    h2o_timeout_t io_timeout;
    h2o_http1client_ctx_t ctx;
    h2o_socketpool_t pool;
    h2o_http1client_t *client;
    h2o_iovec_t reqbufs[2];
    ddb_buf tx;
    signer s;
    int done, result, status, has_crc, first_port;
    uint32_t crc;
    long conns;
} h2o_conn;

static int h2o_on_body(h2o_http1client_t *client, const char *errstr)
{
    h2o_conn *k = client->data;
    h2o_buffer_t *in = client->sock->input;

    if (errstr == NULL)
        return 0; /* more to come; the body accumulates in sock->input */
    k->done = 1;
    k->result = errstr == h2o_http1client_error_is_eos ? check_reply(k->status, k->has_crc, k->crc, in->bytes, in->size)
                                                        : -1;
    if (k->result != 0 && errstr != h2o_http1client_error_is_eos)
        fprintf(stderr, "h2o: %s\n", errstr);
    return 0;
}

static h2o_http1client_body_cb h2o_on_head(h2o_http1client_t *client, const char *errstr, int minor_version, int status,
                                           h2o_iovec_t msg, h2o_header_t *headers, size_t num_headers, int rlen)
{
    h2o_conn *k = client->data;

    (void)minor_version, (void)msg, (void)rlen;
    if (errstr != NULL) { /* an error, or a reply without a body (not a DynamoDB reply) */
        fprintf(stderr, "h2o: %s\n", errstr);
        k->done = 1;
        k->result = -1;
        return NULL;
    }
    k->status = status;
    k->has_crc = 0;
    for (size_t i = 0; i < num_headers; i++)
        if (headers[i].name->len == 11 && memcmp(headers[i].name->base, "x-amz-crc32", 11) == 0) {
            k->has_crc = 1;
            k->crc = (uint32_t)strtoul(headers[i].value.base, NULL, 10);
        }
    return h2o_on_body;
}

static h2o_http1client_head_cb h2o_on_connect(h2o_http1client_t *client, const char *errstr, h2o_iovec_t **reqbufs,
                                              size_t *reqbufcnt, int *method_is_head)
{
    h2o_conn *k = client->data;
    struct sockaddr_storage ss;
    int port, one = 1;

    if (errstr != NULL) {
        fprintf(stderr, "h2o: connect: %s\n", errstr);
        k->done = 1;
        k->result = -1;
        return NULL;
    }
    h2o_socket_getsockname(client->sock, (struct sockaddr *)&ss);
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (port != k->first_port) { /* a new connection (h2o does not set TCP_NODELAY itself) */
        setsockopt(h2o_socket_get_fd(client->sock), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (k->first_port != 0) /* a reconnection: only the first request may connect */
            n_new_conns++;
        k->first_port = port;
    }
    write_head(&k->s, &k->tx);
    k->reqbufs[0] = h2o_iovec_init(k->tx.data, k->tx.len);
    k->reqbufs[1] = h2o_iovec_init(body, body_len);
    *reqbufs = k->reqbufs;
    *reqbufcnt = 2;
    *method_is_head = 0;
    return h2o_on_head;
}

static int h2o_request(h2o_conn *k)
{
    k->done = 0;
    h2o_http1client_connect_with_pool(&k->client, k, &k->ctx, &k->pool, h2o_on_connect);
    /* One request in flight; the loop returns after each batch of events. The client returns the
     * socket to the pool after the body callback, so the next request starts from here, not from it.
     * A pooled socket is written at once (inside connect_with_pool), and the loop registers the read
     * only in its next round: a first round without waiting, or epoll_wait would sleep on a socket it
     * is not yet watching until the pool's 1 s interval timer fires. */
    h2o_evloop_run(k->loop, 0);
    while (!k->done)
        h2o_evloop_run(k->loop, INT32_MAX);
    return k->result;
}

static void *run_h2o(void *arg)
{
    h2o_conn k = {0};

    (void)arg;
    k.loop = h2o_evloop_create();
    h2o_timeout_init(k.loop, &k.io_timeout, 10000);
    k.ctx.loop = k.loop;
    k.ctx.io_timeout = &k.io_timeout;
    h2o_socketpool_init_by_address(&k.pool, (struct sockaddr *)&addr, sizeof(addr), 0, 1);
    h2o_socketpool_set_timeout(&k.pool, k.loop, 60000); /* required: 2.2's pool reads the time from this loop */
    RUN(h2o_request(&k));
    h2o_socketpool_dispose(&k.pool);
    ddb_buf_free(&k.tx);
    signer_free(&k.s);
    /* the loop is left to process exit: h2o 2.2's evloop_destroy asserts on timeouts still linked */
    return NULL;
}
#endif

/* ---- main ---- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    void *(*fn)(void *) = NULL;
    void *fn_arg = NULL;
    int threads, port;
    pthread_t th[256];
    struct rusage r0, r1;
    double t0, wall, user, sys;
    long done;

    if (argc < 7) {
        fprintf(stderr, "usage: libddb_http_layers http://127.0.0.1:PORT TABLE "
                        "libddb|libddb_call|plain|curl|h2o get|put THREADS N [WARMUP]\n");
        return 2;
    }
    endpoint = argv[1];
    table = argv[2];
    layer = argv[3];
    do_put = strcmp(argv[4], "put") == 0;
    threads = atoi(argv[5]);
    n_total = atol(argv[6]);
    warmup = argc > 7 ? atol(argv[7]) : 200;
    if (sscanf(endpoint, "http://127.0.0.1:%d", &port) != 1 || threads < 1 || threads > 256 || n_total < 1) {
        fprintf(stderr, "endpoint must be http://127.0.0.1:PORT; 1..256 threads; N >= 1\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", do_put ? "PutItem" : "GetItem");
    body_len = (size_t)snprintf(body, sizeof(body),
                                do_put ? "{\"TableName\":\"%s\",\"Item\":{\"pk\":{\"S\":\"k1\"},\"v\":{\"N\":\"1\"}}}"
                                       : "{\"TableName\":\"%s\",\"Key\":{\"pk\":{\"S\":\"k1\"}}}",
                                table);
    if (strcmp(layer, "libddb") == 0) {
        fn = run_libddb;
    } else if (strcmp(layer, "libddb_call") == 0) {
        fn = run_libddb;
        fn_arg = (void *)1;
    } else if (strcmp(layer, "plain") == 0) {
        fn = run_plain;
    }
#ifndef NO_CURL
    else if (strcmp(layer, "curl") == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        fn = run_curl;
    }
#endif
#ifndef NO_H2O
    else if (strcmp(layer, "h2o") == 0) {
        fn = run_h2o;
    }
#endif
    if (fn == NULL) {
        fprintf(stderr, "unknown (or not compiled in) layer %s\n", layer);
        return 2;
    }
    pthread_barrier_init(&start_line, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&finish_line, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, fn, fn_arg);
    pthread_barrier_wait(&start_line); /* every thread connected and warmed up */
    getrusage(RUSAGE_SELF, &r0);
    t0 = now_s();
    pthread_barrier_wait(&finish_line); /* every thread done with the N requests */
    wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    done = n_total;
    user = tv_s(r1.ru_utime) - tv_s(r0.ru_utime);
    sys = tv_s(r1.ru_stime) - tv_s(r0.ru_stime);
    printf("layer=%s op=%s threads=%d requests=%ld errors=%ld new_conns=%ld wall_s=%.3f req_s=%.0f user_us=%.2f "
           "sys_us=%.2f total_us=%.2f\n",
           layer, do_put ? "put" : "get", threads, done, (long)n_errors, (long)n_new_conns, wall, done / wall,
           user * 1e6 / done, sys * 1e6 / done, (user + sys) * 1e6 / done);
    return n_errors > 0 || n_new_conns > 0;
}
