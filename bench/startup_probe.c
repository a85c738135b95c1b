/*
 * bench/startup_probe.c: a server's start-up, spawn to the first HTTP 200 for ListTables, measured
 * to the tenth of a millisecond (bench/footprint.sh compiles and runs it).
 *
 *   startup_probe REPS PORT CMD [ARG ...]     ("{PORT}" in an argument is replaced by the port;
 *                                             "{DIR}" by a new empty directory for each spawn)
 *
 * The shared startup.py spawns through `bash -c` (1.1 ms) and polls every 2 ms (1 ms on average),
 * so it cannot tell 2 ms from 4. This spawns the server with posix_spawn (vfork: no copy of this
 * process) and, from that moment, tries a connection every 50 µs; once one is accepted it sends
 * ListTables and waits for the answer. The clock stops at the status line. Prints each spawn's
 * figure, then "STARTUP median=M min=A max=B ms", and the floor the same clock measures for a
 * process that does nothing (/bin/true, spawn to exit).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static const char REQ[] =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
    "X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20260101T000000Z\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, "
    "Signature=0000000000000000000000000000000000000000000000000000000000000000\r\n"
    "Content-Length: 2\r\n\r\n{}";

/* 1: answered 200; 0: not listening yet; -1: answered something else */
static int try_once(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    char buf[64];
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, rc = 0;
    ssize_t n;

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
        rc = -1;
        if (write(fd, REQ, sizeof(REQ) - 1) == (ssize_t)sizeof(REQ) - 1 && (n = read(fd, buf, sizeof(buf) - 1)) > 12) {
            buf[n] = 0;
            rc = strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 1 : -1;
        }
    }
    close(fd);
    return rc;
}

static char *subst(const char *arg, const char *key, const char *val)
{
    const char *at = strstr(arg, key);
    char *out;

    if (at == NULL)
        return strdup(arg);
    if (asprintf(&out, "%.*s%s%s", (int)(at - arg), arg, val, at + strlen(key)) < 0)
        exit(1);
    return out;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double floor_ms(void)
{
    char *argv[] = {"/bin/true", NULL};
    double best = 1e9;

    for (int i = 0; i < 20; i++) {
        double t0 = now_ms();
        pid_t pid;

        if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
            return -1;
        waitpid(pid, NULL, 0);
        if (now_ms() - t0 < best)
            best = now_ms() - t0;
    }
    return best;
}

int main(int argc, char **argv)
{
    int reps, port, nargs = argc - 3;
    double *ms;
    char portstr[16];
    const struct timespec tick = {0, 50 * 1000};

    if (argc < 4 || (reps = atoi(argv[1])) < 1 || (port = atoi(argv[2])) < 1) {
        fprintf(stderr, "usage: startup_probe REPS PORT CMD [ARG ...]\n");
        return 2;
    }
    ms = calloc(reps, sizeof(*ms));
    snprintf(portstr, sizeof(portstr), "%d", port);
    for (int r = 0; r < reps; r++) {
        char dir[] = "/tmp/startup_probe.XXXXXX", sub[64], **args = calloc(nargs + 1, sizeof(*args));
        posix_spawn_file_actions_t fa;
        double t0;
        pid_t pid;
        int rc = 0;

        if (mkdtemp(dir) == NULL)
            return 1;
        snprintf(sub, sizeof(sub), "%s/data", dir);
        for (int i = 0; i < nargs; i++) {
            char *p = subst(argv[3 + i], "{PORT}", portstr);
            args[i] = subst(p, "{DIR}", sub);
            free(p);
        }
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
        t0 = now_ms();
        if (posix_spawnp(&pid, args[0], &fa, NULL, args, environ) != 0) {
            perror(args[0]);
            return 1;
        }
        while ((rc = try_once(port)) == 0 && now_ms() - t0 < 60000)
            nanosleep(&tick, NULL);
        ms[r] = now_ms() - t0;
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        if (rc != 1) {
            fprintf(stderr, "spawn %d: no 200 answer to ListTables\n", r + 1);
            return 1;
        }
        printf("spawn %d: %.2f ms\n", r + 1, ms[r]);
        for (int i = 0; i < nargs; i++)
            free(args[i]);
        free(args);
        posix_spawn_file_actions_destroy(&fa);
        if (fork() == 0) /* the directory, whatever the server left in it */
            execlp("rm", "rm", "-rf", dir, (char *)NULL), _exit(1);
        wait(NULL);
    }
    qsort(ms, reps, sizeof(*ms), cmp);
    printf("STARTUP median=%.2f min=%.2f max=%.2f ms (floor: /bin/true spawned to exit %.2f ms)\n", ms[reps / 2], ms[0],
           ms[reps - 1], floor_ms());
    return 0;
}
