/*
 * server/http/listen.c: the listening sockets of the event-loop threads (see listen.h).
 */
#include "server/http/listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/base/log.h"

/*
 * Every thread's listener sets SO_REUSEPORT to share the port, which would also let a second
 * ddbd (of the same user) join the port silently and take half of its connections. So the port is
 * first bound once without SO_REUSEPORT, which fails while anyone holds it, and released: a port
 * in use is refused as any server refuses it.
 */
static int claim_port(const struct addrinfo *res, const char *host, int port)
{
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0), one = 1, rc = 0;

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        ddb_log(DDB_LOG_ERROR, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        rc = -1;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

int ddb_listen_bind(const char *host, int port, int claim)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16];
    int fd = -1, one = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0 || res == NULL) {
        ddb_log(DDB_LOG_ERROR, "cannot resolve listen address %s", host);
        return -1;
    }
    if (claim && port != 0 && claim_port(res, host, port) != 0) {
        freeaddrinfo(res);
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        ddb_log(DDB_LOG_ERROR, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int ddb_listen_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

