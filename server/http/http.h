/*
 * server/http/http.h: the HTTP front (h2o). The only module that sees h2o types.
 */
#ifndef DDB_HTTP_H
#define DDB_HTTP_H

#include <signal.h>

#include "server/config.h"
#include "server/server.h"

typedef struct ddb_http ddb_http;

/* Binds the listening sockets (so the port is known and taken before start-up is reported). NULL on failure. */
ddb_http *ddb_http_bind(const ddb_config *cfg, ddb_server *srv);
/* The bound port (useful with --port 0). */
int ddb_http_port(const ddb_http *h);
/* The bound --metrics-port, or -1 when /metrics is served on the API port. */
int ddb_http_metrics_port(const ddb_http *h);
/* Starts one event-loop thread per configured thread. Returns 0 or -1. */
int ddb_http_start(ddb_http *h);
/* Stops accepting, lets responses in flight drain, joins the threads and frees everything. */
void ddb_http_stop(ddb_http *h);

#endif
