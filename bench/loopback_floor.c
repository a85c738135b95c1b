/*
 * bench/loopback_floor.c: the floor under a request at one connection on this machine, to set
 * ddbd's GetItem round trip beside (bench/latency_c1.sh, bench/README.md "GetItem at one
 * connection").
 *
 *   loopback_floor echo [--req N] [--resp M] [--seconds S] [--poll]
 *       a client and an echo server, two processes on one TCP loopback connection (TCP_NODELAY,
 *       blocking read and write): the client writes N bytes, the server reads them and writes M
 *       bytes back, ping-pong for S seconds. Nothing is computed on either side, so the round
 *       trip is the kernel's: two writes, two reads and two wake-ups. With --poll the server
 *       never sleeps (non-blocking reads until data comes): one wake-up, the client's.
 *   loopback_floor serve PORT [--resp M] [--poll]
 *       a minimal HTTP/1.1 server on 127.0.0.1:PORT: every request (its head, then Content-Length
 *       bytes) is answered with a canned 200 of M bytes in all, in one write. wrk at one
 *       connection against it is the harness's floor (wrk's own cost included).
 *   loopback_floor client HOST:PORT FILE [--seconds S]
 *       sends FILE (one whole HTTP/1.1 request) over one keep-alive connection again and again,
 *       reading each answer to its Content-Length: a server's round trip without wrk's Lua.
 *
 * Each prints round trips per second and the percentiles of the round trip in microseconds.
 * Defaults: the sizes of the GetItem of bench's kv workload (a ~400-byte request, a 623-byte
 * answer, headers included).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (20u * 1000 * 1000)

/* --poll: the server side never sleeps in read; it retries a non-blocking read until data comes,
   as a server that polls after an answer does (a client that sleeps is woken either way) */
static int server_polls;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void nodelay(int fd)
{
    int one = 1;

    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
        die("TCP_NODELAY");
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("write");
        p += w;
        n -= (size_t)w;
    }
}

/* One read, or with `poll` non-blocking reads until something (or an error) comes. */
static ssize_t read_some(int fd, char *p, size_t n, int poll)
{
    ssize_t r;

    if (!poll)
        return read(fd, p, n);
    while ((r = recv(fd, p, n, MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        ;
    return r;
}

/* Reads exactly n bytes; returns 0 at end of stream before the first byte. */
static int read_exact(int fd, char *p, size_t n, int poll)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read_some(fd, p + got, n - got, poll);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read");
        if (r == 0) {
            if (got == 0)
                return 0;
            fprintf(stderr, "short read\n");
            exit(1);
        }
        got += (size_t)r;
    }
    return 1;
}

static int listen_on(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0)
        die("listen");
    return fd;
}

static int connect_to(const char *host, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1)
        die("address");
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("connect");
    nodelay(fd);
    return fd;
}

/* CPU seconds (user + system) of RUSAGE_SELF or RUSAGE_CHILDREN. */
static double cpu_seconds(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *rtt, size_t n, uint64_t elapsed_ns)
{
    if (n == 0) {
        printf("%s: no round trip\n", what);
        return;
    }
    qsort(rtt, n, sizeof(*rtt), cmp_u64);
    printf("%s: %zu round trips in %.2f s: %.0f/s, round trip us p50 %.1f p90 %.1f p99 %.1f min %.1f\n", what, n,
           elapsed_ns / 1e9, n / (elapsed_ns / 1e9), rtt[n / 2] / 1e3, rtt[n * 9 / 10] / 1e3, rtt[n * 99 / 100] / 1e3,
           rtt[0] / 1e3);
}

/* ---- echo: the kernel's round trip ---- */

static int echo(size_t req, size_t resp, double seconds)
{
    int lfd = listen_on(0), fd;
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    char *rbuf = calloc(1, req > resp ? req : resp), *out = malloc(resp), *in = malloc(req);
    uint64_t *rtt = malloc(MAX_SAMPLES * sizeof(*rtt)), t0, end;
    size_t n = 0;
    pid_t child;

    memset(out, 'r', resp);
    memset(in, 'q', req);
    if (getsockname(lfd, (struct sockaddr *)&a, &alen) < 0)
        die("getsockname");
    if ((child = fork()) == 0) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            die("accept");
        nodelay(c);
        while (read_exact(c, rbuf, req, server_polls))
            write_all(c, out, resp);
        _exit(0);
    }
    close(lfd);
    fd = connect_to("127.0.0.1", ntohs(a.sin_port));
    t0 = now_ns();
    end = t0 + (uint64_t)(seconds * 1e9);
    for (uint64_t t = t0; t < end && n < MAX_SAMPLES;) {
        uint64_t t1;
        write_all(fd, in, req);
        read_exact(fd, rbuf, resp, 0);
        t1 = now_ns();
        rtt[n++] = t1 - t;
        t = t1;
    }
    end = now_ns();
    close(fd);
    waitpid(child, NULL, 0);
    printf("echo, %zu-byte requests, %zu-byte answers, one connection%s\n", req, resp,
           server_polls ? ", the server polling" : "");
    report("echo", rtt, n, end - t0);
    printf("echo: CPU us per round trip: server %.1f, client %.1f\n", cpu_seconds(RUSAGE_CHILDREN) * 1e6 / n,
           cpu_seconds(RUSAGE_SELF) * 1e6 / n);
    return 0;
}

/* ---- serve: a canned HTTP answer ---- */

static char *canned;
static size_t canned_len;

/* The length of a request head ending at "\r\n\r\n" in buf[0..len), or 0 while incomplete. */
static size_t head_length(const char *buf, size_t len)
{
    const char *e = memmem(buf, len, "\r\n\r\n", 4);

    return e == NULL ? 0 : (size_t)(e - buf) + 4;
}

static size_t content_length(const char *head, size_t len)
{
    for (const char *p = head; p < head + len;) {
        const char *eol = memmem(p, (size_t)(head + len - p), "\r\n", 2);
        if (eol == NULL)
            break;
        if ((size_t)(eol - p) > 15 && strncasecmp(p, "content-length:", 15) == 0)
            return strtoul(p + 15, NULL, 10);
        p = eol + 2;
    }
    return 0;
}

static void *serve_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);

    nodelay(fd);
    for (;;) {
        size_t head, total;
        ssize_t r;
        while ((head = head_length(buf, len)) == 0 || len < head + content_length(buf, head)) {
            if (len == cap)
                goto done; /* a request this server does not expect */
            if ((r = read_some(fd, buf + len, cap - len, server_polls)) <= 0)
                goto done;
            len += (size_t)r;
        }
        total = head + content_length(buf, head);
        write_all(fd, canned, canned_len);
        memmove(buf, buf + total, len - total);
        len -= total;
    }
done:
    close(fd);
    free(buf);
    return NULL;
}

__attribute__((noreturn)) static void serve(int port, size_t resp)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
                               "Content-Type: application/x-amz-json-1.0\r\nContent-Length: %zu\r\n\r\n";
    char h[256];
    size_t hl = (size_t)snprintf(h, sizeof(h), head, (size_t)0), body;
    int lfd = listen_on(port);

    body = resp > hl + 4 ? resp - hl : 4;
    hl = (size_t)snprintf(h, sizeof(h), head, body); /* the length's own digits */
    body = resp > hl ? resp - hl : 4;
    hl = (size_t)snprintf(h, sizeof(h), head, body);
    canned_len = hl + body;
    canned = malloc(canned_len);
    memcpy(canned, h, hl);
    memset(canned + hl, ' ', body);
    canned[hl] = '{';
    canned[canned_len - 1] = '}';
    printf("serving a %zu-byte answer on 127.0.0.1:%d\n", canned_len, port);
    fflush(stdout);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        pthread_t t;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        if (pthread_create(&t, NULL, serve_connection, (void *)(intptr_t)fd) != 0)
            close(fd);
        else
            pthread_detach(t);
    }
}

/* ---- client: a real server's round trip ---- */

static int client(const char *hostport, const char *file, double seconds)
{
    char host[64], *colon, *req, *buf;
    size_t reqlen, cap = 1 << 20, n = 0, len = 0;
    uint64_t *rtt = malloc(MAX_SAMPLES * sizeof(*rtt)), t0, end;
    FILE *f = fopen(file, "rb");
    int fd;

    snprintf(host, sizeof(host), "%s", hostport);
    if ((colon = strchr(host, ':')) == NULL || f == NULL) {
        fprintf(stderr, "client HOST:PORT FILE\n");
        return 2;
    }
    *colon = '\0';
    fseek(f, 0, SEEK_END);
    reqlen = (size_t)ftell(f);
    rewind(f);
    req = malloc(reqlen);
    if (fread(req, 1, reqlen, f) != reqlen)
        die("request file");
    fclose(f);
    buf = malloc(cap);
    fd = connect_to(host, atoi(colon + 1));
    t0 = now_ns();
    end = t0 + (uint64_t)(seconds * 1e9);
    for (uint64_t t = t0; t < end && n < MAX_SAMPLES;) {
        size_t head, total;
        uint64_t t1;
        write_all(fd, req, reqlen);
        while ((head = head_length(buf, len)) == 0 || len < head + content_length(buf, head)) {
            ssize_t r = read(fd, buf + len, cap - len);
            if (r <= 0) {
                fprintf(stderr, "connection closed after %zu answers\n", n);
                return 1;
            }
            len += (size_t)r;
        }
        if (n == 0 && strncmp(buf, "HTTP/1.1 200", 12) != 0) {
            fprintf(stderr, "not a 200: %.*s\n", (int)(len < 400 ? len : 400), buf);
            return 1;
        }
        total = head + content_length(buf, head);
        memmove(buf, buf + total, len - total);
        len -= total;
        t1 = now_ns();
        rtt[n++] = t1 - t;
        t = t1;
    }
    end = now_ns();
    close(fd);
    printf("client, %zu-byte request to %s, one connection\n", reqlen, hostport);
    report("client", rtt, n, end - t0);
    printf("client: its own CPU us per round trip %.1f\n", cpu_seconds(RUSAGE_SELF) * 1e6 / n);
    return 0;
}

int main(int argc, char **argv)
{
    size_t req = 400, resp = 623;
    double seconds = 5;
    const char *mode = argc > 1 ? argv[1] : "";
    int pos = 0;
    const char *args[2] = {NULL, NULL};

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--req") == 0 && i + 1 < argc)
            req = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--resp") == 0 && i + 1 < argc)
            resp = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--poll") == 0)
            server_polls = 1;
        else if (pos < 2)
            args[pos++] = argv[i];
    }
    if (strcmp(mode, "echo") == 0)
        return echo(req, resp, seconds);
    if (strcmp(mode, "serve") == 0 && args[0] != NULL)
        serve(atoi(args[0]), resp);
    if (strcmp(mode, "client") == 0 && args[1] != NULL)
        return client(args[0], args[1], seconds);
    fprintf(stderr, "usage: %s echo [--req N] [--resp M] [--seconds S] [--poll]\n"
                    "       %s serve PORT [--resp M] [--poll]\n"
                    "       %s client HOST:PORT FILE [--seconds S]\n",
            argv[0], argv[0], argv[0]);
    return 2;
}
