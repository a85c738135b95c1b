/*
 * tests/client/harness.c: the shared ddbd process and helpers (harness.h).
 */
#include "harness.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t ddbd_pid;
static char endpoint[64];

static int free_port(void)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        abort();
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void stop_ddbd(void)
{
    int st;

    if (ddbd_pid > 0) {
        kill(ddbd_pid, SIGTERM);
        waitpid(ddbd_pid, &st, 0);
        ddbd_pid = 0;
    }
}

const char *tc_endpoint(void)
{
    const char *bin = getenv("DDBD_BIN");
    char port[16];
    ddb_client *c;

    if (ddbd_pid > 0)
        return endpoint;
    if (bin == NULL) {
        fprintf(stderr, "DDBD_BIN is not set\n");
        exit(2);
    }
    snprintf(port, sizeof(port), "%d", free_port());
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%s", port);
    ddbd_pid = fork();
    if (ddbd_pid == 0) {
        /* in sanitizer builds ddbd is instrumented too; its own exit-time leaks are not libddb's */
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execl(bin, bin, "--host", "127.0.0.1", "--port", port, "--in-memory", "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    atexit(stop_ddbd);
    c = tc_client_for(endpoint, 0);
    for (int i = 0; i < 500 && ddb_health(c) != DDB_OK; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (ddb_health(c) != DDB_OK) {
        fprintf(stderr, "ddbd did not start at %s\n", endpoint);
        exit(2);
    }
    ddb_client_free(c);
    return endpoint;
}

static pid_t spawned[8]; /* stopped at exit too: a failed ASSERT returns before the test stops them */

static void stop_spawned(void)
{
    for (size_t i = 0; i < sizeof(spawned) / sizeof(*spawned); i++)
        if (spawned[i] > 0)
            tc_ddbd_stop((int)spawned[i]);
}

int tc_ddbd_spawn(const char *const *extra, char *ep, size_t len)
{
    const char *bin = getenv("DDBD_BIN");
    const char *argv[32] = {bin, "--host", "127.0.0.1", "--port", NULL, "--in-memory", "--log-level", "error"};
    char port[16];
    size_t n = 8;
    ddb_client *c;
    pid_t pid;

    if (bin == NULL) {
        fprintf(stderr, "DDBD_BIN is not set\n");
        exit(2);
    }
    snprintf(port, sizeof(port), "%d", free_port());
    argv[4] = port;
    for (; *extra != NULL && n < 31; extra++)
        argv[n++] = *extra;
    snprintf(ep, len, "http://127.0.0.1:%s", port);
    pid = fork();
    if (pid == 0) {
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    static int registered;

    if (!registered++)
        atexit(stop_spawned);
    for (size_t i = 0; i < sizeof(spawned) / sizeof(*spawned); i++)
        if (spawned[i] == 0) {
            spawned[i] = pid;
            break;
        }
    c = tc_client_for(ep, 0);
    for (int i = 0; i < 500 && ddb_health(c) != DDB_OK; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (ddb_health(c) != DDB_OK) {
        fprintf(stderr, "ddbd did not start at %s\n", ep);
        kill(pid, SIGKILL);
        exit(2);
    }
    ddb_client_free(c);
    return (int)pid;
}

void tc_ddbd_stop(int pid)
{
    int st;

    for (size_t i = 0; i < sizeof(spawned) / sizeof(*spawned); i++)
        if (spawned[i] == (pid_t)pid)
            spawned[i] = 0;
    kill((pid_t)pid, SIGTERM);
    waitpid((pid_t)pid, &st, 0);
}

ddb_client *tc_client_for(const char *ep, unsigned max_retries)
{
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;

    ddb_config_set_endpoint(cfg, ep != NULL ? ep : tc_endpoint());
    ddb_config_set_credentials(cfg, "AKIDTEST", "secret", NULL);
    ddb_config_set_retries(cfg, max_retries, 1, 20);
    ddb_config_set_throttle_delay(cfg, 1);
    ddb_config_set_timeouts(cfg, 1000, 5000);
    if (ddb_client_new(cfg, &c) != DDB_OK)
        abort();
    ddb_config_free(cfg);
    return c;
}

ddb_client *tc_client(void)
{
    return tc_client_for(NULL, 3);
}

const char *tc_name(const char *prefix)
{
    static char names[8][64];
    static int n, slot;

    slot = (slot + 1) % 8;
    snprintf(names[slot], sizeof(names[slot]), "%s_%d_%d", prefix, (int)getpid(), ++n);
    return names[slot];
}

int tc_create_table(ddb_client *c, const char *table, ddb_value_type range_type)
{
    ddb_table_def *d = ddb_table_def_new(table);
    int rc;

    ddb_table_def_key(d, "pk", DDB_TYPE_S, range_type != DDB_TYPE_NONE ? "sk" : NULL, range_type);
    rc = ddb_create_table(c, d, NULL);
    ddb_table_def_free(d);
    return rc;
}
