/*
 * server/http/doors.h: the requests to ddbd's doors (server/guard/guard.h): GET /metrics,
 * /ddbd/... (--admin), /ddbd/console (--console) and /mcp (--mcp-http), through the guard. They run
 * on their loop, but /mcp on RADOS, whose tools dispatch as API requests do: on the request workers
 * (offload.h); admin and /mcp outside the request gate (a restore closes it).
 */
#ifndef DDB_HTTP_DOORS_H
#define DDB_HTTP_DOORS_H

#include "server/guard/guard.h"

/* (declared, not included, as conns.h does: http_internal.h includes http.h, whose http.c calls
   this) */
struct ddb_http;
struct http_thread;
struct st_h2o_req_t;

/* A request to `door`: through the guard, then to the door, or refused. On --metrics-port
   (private_port), GET /metrics is asked for no signature. */
void ddb_http_door(struct ddb_http *h, struct http_thread *t, struct st_h2o_req_t *req, ddb_door door,
                   int private_port);

#endif
