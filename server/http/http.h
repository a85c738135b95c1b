/*
 * server/http/http.h: the HTTP front (h2o). The only module that sees h2o types.
 */
#ifndef DDB_HTTP_H
#define DDB_HTTP_H

#include <signal.h>

#include <stddef.h>

#include "proto/buf.h"
#include "server/api/dispatch.h"

typedef struct ddb_http ddb_http;

/* The command line's settings of the front (server/config.h says each one). */
typedef struct ddb_http_options {
    const char *host;
    int port;                   /* 0: any free port */
    unsigned threads;           /* event-loop threads */
    size_t max_body;            /* bodies over it are refused (413) */
    unsigned request_timeout;   /* seconds */
    unsigned max_connections;
    unsigned header_timeout;    /* seconds a request head may take to arrive (conns.h) */
    size_t max_unsent;          /* bytes of answers not yet taken by their clients, at most */
    size_t max_pending_bodies;  /* bytes of request bodies being received, at most (past it they wait) */
    const char *cors;           /* allowed origins */
    const char *allowed_hosts;  /* --allowed-hosts (guard.h's Host rule); NULL: none */
    const char *tls_cert, *tls_key; /* https when set */
    int metrics_port;           /* -1: /metrics on the API port */
    const char *access_log;     /* FILE, "-", or NULL (off) */
    int admin;                  /* serve /ddbd/... through the admin hook */
    int mcp;                    /* --mcp-http: serve /mcp through the mcp hook */
    int console;                /* --console: serve /ddbd/console (server/console/console.h) */
    unsigned rados_inflight;    /* RADOS: API requests run on this many workers (offload.h); 0: on the loops */
} ddb_http_options;

/* What the front serves with: the request pipeline, and the wiring's parts it hands requests to. */
typedef struct ddb_http_env {
    const ddb_api *api;          /* every API request goes through ddb_dispatch(api, ...) */
    struct ddb_gate *gate;       /* requests in flight, one slot per thread (base/gate.h) */
    struct ddb_groupcommit *gc;  /* --sync: answers wait until their writes are durable; NULL otherwise */
    struct ddb_otlp *otlp;       /* --otlp-endpoint: each request's span goes there; NULL otherwise */
    /* The doors' hooks (metrics, admin, mcp) are called only for a request the guard let pass
       (server/guard/guard.h). */
    /* GET /metrics: appends the figures that follow the front's own request counters; runs inside
       the gate (the store and catalog stay put meanwhile) */
    void (*metrics)(void *ctx, ddb_buf *out);
    /* --admin: answers /ddbd/... into `out` and returns the HTTP status; runs outside the gate (a
       snapshot restore closes it) */
    int (*admin)(void *ctx, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                 ddb_buf *out);
    /* --mcp-http: answers a request to /mcp (server/mcp/mcp.h's ddb_mcp_http, on thread `slot`)
       as the key the guard verified (access_key, region); runs outside the gate (its tools enter
       it, a snapshot restore closes it) */
    int (*mcp)(void *ctx, const struct ddb_auth_request *hr, const char *access_key, const char *region,
               unsigned slot, ddb_arena *a, ddb_buf *out, const char **ctype);
    void *ctx;
} ddb_http_env;

/* Binds the listening sockets (so the port is known and taken before start-up is reported). NULL on
   failure. Both structs must outlive the front. */
ddb_http *ddb_http_bind(const ddb_http_options *opt, const ddb_http_env *env);
/* The bound port (useful with --port 0). */
int ddb_http_port(const ddb_http *h);
/* The bound --metrics-port, or -1 when /metrics is served on the API port. */
int ddb_http_metrics_port(const ddb_http *h);
/* Starts one event-loop thread per configured thread. Returns 0 or -1. */
int ddb_http_start(ddb_http *h);
/* Stops accepting, lets responses in flight drain, joins the threads and frees everything. */
void ddb_http_stop(ddb_http *h);

#endif
