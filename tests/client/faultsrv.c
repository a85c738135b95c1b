/*
 * tests/client/faultsrv.c: a scripted HTTP server for the retry tests (harness.h lists the
 * letters). One thread serves one connection at a time, which is all a test client uses.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "proto/crc32.h"

struct faultsrv {
    int lfd, port;
    char script[1024], endpoint[64];
    atomic_int requests, accepts, stop, cur_fd;
    pthread_t thread;
};

/* Reads one request (head + Content-Length body); 0 on success, -1 on EOF or error. */
static int read_request(int fd)
{
    char buf[65536];
    size_t len = 0;
    const char *end, *cl;

    for (;;) {
        ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) == NULL)
            continue;
        cl = strcasestr(buf, "content-length:");
        if (cl == NULL || len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return 0;
    }
}

/* Sends a reply; `extra` is one more header line ("name: value\r\n") or "". */
static void reply_with(int fd, int status, const char *body, int bad_crc, const char *extra)
{
    char msg[1024];
    size_t blen = strlen(body);
    uint32_t crc = ddb_crc32(0, body, blen) + (bad_crc ? 1 : 0);
    /* one send: head and body in two would wait out Nagle and the client's delayed ACK (~40 ms) */
    int n = snprintf(msg, sizeof(msg),
                     "HTTP/1.1 %d X\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %zu\r\n"
                     "x-amz-crc32: %u\r\n%s\r\n%s",
                     status, blen, crc, extra, body);

    send(fd, msg, (size_t)n, MSG_NOSIGNAL);
}

static void reply(int fd, int status, const char *body, int bad_crc)
{
    reply_with(fd, status, body, bad_crc, "");
}

#define ERR(type) "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" type "\",\"message\":\"scripted " type "\"}"

/* Acts on one request; returns 0 to keep the connection, -1 to close it. */
static int act(int fd, char a)
{
    struct timespec hang = {1, 0};

    switch (a) {
    case 'T': reply(fd, 400, ERR("ProvisionedThroughputExceededException"), 0); return 0;
    case 'C': reply(fd, 400, ERR("TransactionConflictException"), 0); return 0;
    case 'R': reply(fd, 400, ERR("ReplicatedWriteConflictException"), 0); return 0;
    case 'W': reply(fd, 400, "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"rate\"}", 0); return 0;
    case 'U': reply(fd, 400, "{\"__type\":\"com.amazon.coral#WeirdNewException\",\"message\":\"new\"}", 0); return 0;
    case 'I': reply(fd, 500, ERR("InternalServerError"), 0); return 0;
    case 'S': reply(fd, 503, "{\"__type\":\"com.amazon.coral.availability#ServiceUnavailableException\",\"message\":\"busy\"}", 0); return 0;
    case 'K': reply(fd, 200, "{}", 1); return 0;
    case 'P': reply(fd, 200, "{\"UnprocessedItems\":{\"t\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"x\"}}}}]}}", 0); return 0;
    case 'B': reply(fd, 502, "<html>Bad Gateway</html>", 0); return 0;
    case 'G': reply(fd, 504, "<html>Gateway Timeout</html>", 0); return 0;
    case 'V': reply(fd, 501, "{\"__type\":\"com.amazon.coral#NotImplemented\",\"message\":\"no\"}", 0); return 0;
    case 'L': reply(fd, 400, ERR("LimitExceededException"), 0); return 0;
    case 'A': reply(fd, 400, "{\"__type\":\"com.amazon.coral.service#RequestTimeoutException\",\"message\":\"late\"}", 0); return 0;
    case 'Q': reply(fd, 400, ERR("TransactionInProgressException"), 0); return 0;
    case 'M': reply(fd, 429, "{\"__type\":\"com.amazon.coral#TooManyRequestsException\",\"message\":\"slow\"}", 0); return 0;
    case 'E': reply(fd, 400, "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\",\"message\":"
                             "\"Signature expired: 20261125T000000Z is now earlier than 20261125T000500Z\"}", 0); return 0;
    case 'X': reply_with(fd, 400, ERR("ProvisionedThroughputExceededException"), 0, "x-amz-retry-after: 3000\r\n"); return 0;
    case 'Y': reply_with(fd, 400, ERR("ProvisionedThroughputExceededException"), 0, "x-amz-retry-after: 60000\r\n"); return 0;
    case 'Z': reply_with(fd, 400, ERR("ProvisionedThroughputExceededException"), 0, "x-amz-retry-after: soon\r\n"); return 0;
    case 'N': reply_with(fd, 500, ERR("InternalServerError"), 0, "x-amz-retry-after: 3000\r\n"); return 0;
    case 'D': return -1;
    case 'H': nanosleep(&hang, NULL); return -1;
    default: reply(fd, 200, "{}", 0); return 0;
    }
}

static void *serve(void *arg)
{
    faultsrv *s = arg;

    while (!s->stop) {
        int fd = accept(s->lfd, NULL, NULL);

        if (fd < 0)
            break;
        s->accepts++;
        s->cur_fd = fd;
        while (!s->stop && read_request(fd) == 0) {
            int i = s->requests++;
            char a = i < (int)strlen(s->script) ? s->script[i] : 'O';

            if (act(fd, a) != 0)
                break;
        }
        s->cur_fd = -1;
        close(fd);
    }
    return NULL;
}

faultsrv *faultsrv_start(const char *script)
{
    faultsrv *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);

    snprintf(s->script, sizeof(s->script), "%s", script);
    s->cur_fd = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->lfd, 16) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &len) != 0)
        abort();
    s->port = ntohs(a.sin_port);
    snprintf(s->endpoint, sizeof(s->endpoint), "http://127.0.0.1:%d", s->port);
    pthread_create(&s->thread, NULL, serve, s);
    return s;
}

const char *faultsrv_endpoint(faultsrv *s) { return s->endpoint; }
int faultsrv_requests(faultsrv *s) { return s->requests; }
int faultsrv_accepts(faultsrv *s) { return s->accepts; }

void faultsrv_stop(faultsrv *s)
{
    s->stop = 1;
    shutdown(s->lfd, SHUT_RDWR); /* wakes accept() */
    if (s->cur_fd >= 0)
        shutdown(s->cur_fd, SHUT_RDWR); /* and a read on a connection a client keeps open */
    pthread_join(s->thread, NULL);
    close(s->lfd);
    free(s);
}
