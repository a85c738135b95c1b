/*
 * server/healthcheck.h: `ddbd --health-check [URL]`, a client mode for Docker's HEALTHCHECK in an
 * image that has no shell and no curl: one plain-socket `GET /`, exit 0 on a 200 answer.
 */
#ifndef DDB_HEALTHCHECK_H
#define DDB_HEALTHCHECK_H

/* The URL checked when none is given and PID 1 is not a ddbd (see ddb_health_check). */
#define DDB_HEALTH_DEFAULT_URL "http://127.0.0.1:8000/"

/*
 * Sends `GET <path>` to `url` ("http://HOST[:PORT][/PATH]"; HOST may be [IPv6]) and returns the
 * process exit code: 0 when the answer's status is 200, 1 otherwise (a line on stderr says why).
 * With url NULL, the server checked is the one this container runs: when PID 1 is this same
 * executable, its command line gives the address and port (so `-port 8001` needs no second
 * setting), an all-addresses host meaning loopback; otherwise DDB_HEALTH_DEFAULT_URL. A server
 * started with --tls-cert is checked by connecting only (this client speaks no TLS).
 */
int ddb_health_check(const char *url);

#endif
