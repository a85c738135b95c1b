/*
 * server/http/listen.h: the listening sockets of the event-loop threads.
 *
 * Each thread listens on its own socket, all bound to one port with SO_REUSEPORT, so the kernel
 * spreads connections over the threads without a shared accept lock.
 */
#ifndef DDB_LISTEN_H
#define DDB_LISTEN_H

/* A listening socket on host:port (0: a free port); with `claim`, first checks that no other
   process holds the port (SO_REUSEPORT would let this one join it). The fd, or -1 after logging. */
int ddb_listen_bind(const char *host, int port, int claim);
/* The port a socket is bound to, or -1. */
int ddb_listen_port(int fd);

#endif
