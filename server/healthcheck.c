/*
 * server/healthcheck.c: `ddbd --health-check [URL]` (see healthcheck.h).
 */
#include "server/healthcheck.h"

#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "server/config.h"

#define TIMEOUT_SECONDS 3 /* Docker's default health-check timeout is 30 s; answer well before */

/* Splits "http://HOST[:PORT][/PATH]"; returns 0, or -1 with a message printed. */
static int split_url(const char *url, char *host, size_t hsize, char *port, size_t psize, const char **path)
{
    const char *p, *end;
    size_t n;

    if (strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "ddbd: --health-check needs an http:// URL (got '%s')\n", url);
        return -1;
    }
    p = url + 7;
    if (*p == '[') { /* [IPv6]: the brackets are not part of the address */
        if ((end = strchr(p, ']')) == NULL)
            goto bad;
        n = (size_t)(end - p - 1);
        if (n == 0 || n >= hsize)
            goto bad;
        memcpy(host, p + 1, n);
        p = end + 1;
    } else {
        n = strcspn(p, ":/");
        if (n == 0 || n >= hsize)
            goto bad;
        memcpy(host, p, n);
        p += n;
    }
    host[n] = '\0';
    snprintf(port, psize, "80");
    if (*p == ':') {
        n = strspn(p + 1, "0123456789");
        if (n == 0 || n >= psize || (p[1 + n] != '/' && p[1 + n] != '\0'))
            goto bad;
        memcpy(port, p + 1, n);
        port[n] = '\0';
        p += 1 + n;
    }
    *path = *p == '/' ? p : "/";
    return 0;
bad:
    fprintf(stderr, "ddbd: --health-check: cannot read the URL '%s'\n", url);
    return -1;
}

/* Connects to host:port; returns the socket or -1 with a message printed. */
static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    struct timeval tv = {TIMEOUT_SECONDS, 0};
    int fd = -1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        fprintf(stderr, "ddbd: --health-check: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
            continue;
        /* SO_SNDTIMEO bounds connect() too on Linux */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "ddbd: --health-check: cannot connect to %s port %s\n", host, port);
    return fd;
}

/* Sends the GET and reads the status line; 0 when it says 200. */
static int get_status(int fd, const char *host, const char *path)
{
    char req[1024], line[128];
    size_t got = 0;
    int len;

    len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s%s%s\r\nConnection: close\r\n\r\n", path,
                   strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "");
    if (len < 0 || (size_t)len >= sizeof(req) || write(fd, req, (size_t)len) != len) {
        fprintf(stderr, "ddbd: --health-check: cannot send the request\n");
        return -1;
    }
    while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
        ssize_t n = read(fd, line + got, sizeof(line) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    line[got] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    /* "HTTP/1.1 200 OK" */
    if (strncmp(line, "HTTP/1.", 7) == 0 && strncmp(line + 8, " 200", 4) == 0 && (line[12] == ' ' || line[12] == '\0'))
        return 0;
    fprintf(stderr, "ddbd: --health-check: %s\n", got ? line : "no answer");
    return -1;
}

/*
 * PID 1 may have dropped from root to its --user while HEALTHCHECK and `docker exec` still run as
 * root, and root without CAP_SYS_PTRACE (Docker's default) may not read another user's
 * /proc/1/exe: the check becomes PID 1's user first (it needs no privilege of its own).
 */
static void become_pid1_user(void)
{
    struct stat st;

    if (geteuid() != 0 || stat("/proc/1", &st) != 0 || st.st_uid == 0)
        return;
    if (setgroups(1, &st.st_gid) != 0 || setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0)
        return; /* then /proc/1/exe stays unreadable and the default URL is checked */
}

/*
 * The URL of the ddbd that is PID 1 (this container's server), from its command line; -1 when
 * PID 1 is another program (an init such as tini, or the host's) or cannot be read.
 */
static int url_of_pid1(char *url, size_t size, int *tls)
{
    static char text[65536];
    char *argv[512];
    int argc = 0, fd;
    ssize_t n;
    struct stat a, b;
    ddb_config cfg;
    const char *host;

    become_pid1_user();
    if (stat("/proc/1/exe", &a) != 0 || stat("/proc/self/exe", &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return -1;
    if ((fd = open("/proc/1/cmdline", O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    for (char *p = text; p < text + n && argc < (int)(sizeof(argv) / sizeof(argv[0])) - 1; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    if (ddb_config_parse(&cfg, argc, argv) != 0)
        return -1;
    if (cfg.health_check || cfg.port == 0) {
        ddb_config_free(&cfg);
        return -1;
    }
    host = cfg.host;
    if (strcmp(host, "0.0.0.0") == 0 || host[0] == '\0')
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    snprintf(url, size, strchr(host, ':') ? "http://[%s]:%d/" : "http://%s:%d/", host, cfg.port);
    *tls = cfg.tls_cert != NULL;
    ddb_config_free(&cfg);
    return 0;
}

int ddb_health_check(const char *url)
{
    char own[300], host[256], port[16];
    const char *path;
    int tls = 0, fd, rc;

    if (url == NULL && url_of_pid1(own, sizeof(own), &tls) == 0)
        url = own;
    if (url == NULL)
        url = DDB_HEALTH_DEFAULT_URL;
    if (split_url(url, host, sizeof(host), port, sizeof(port), &path) != 0)
        return 1;
    if ((fd = connect_to(host, port)) < 0)
        return 1;
    rc = tls ? 0 : get_status(fd, host, path); /* a TLS server: accepting the connection is the check */
    close(fd);
    return rc == 0 ? 0 : 1;
}
