/*
 * server/mcp/mcp.h: the Model Context Protocol server (docs/mcp.md). An agent calls tools; each
 * tool that is a DynamoDB operation runs through the request pipeline (ddb_dispatch) exactly as an
 * HTTP request does, so its validation, errors, capacity and --auth policy are the API's; the
 * others reach the admin snapshots and the metrics through the wiring's hooks, once the doors'
 * guard (server/guard/guard.h) has found the caller's right: admin for the snapshots,
 * metrics or admin for the figures.
 *
 * Two transports: `ddbd --mcp` reads newline-delimited JSON-RPC on standard input and answers on
 * standard output (stdio.c); `--mcp-http` serves POST /mcp on the API port, SigV4-signed (mcp_http.c).
 */
#ifndef DDB_MCP_H
#define DDB_MCP_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/api/auth/auth.h"
#include "server/api/dispatch.h"

struct ddb_gate;

/* What the tools run against: handed over by the wiring (server/main.c). */
typedef struct ddb_mcp_env {
    const ddb_api *api;     /* the request pipeline the DynamoDB tools dispatch through */
    struct ddb_gate *gate;  /* requests in flight: a DynamoDB tool is one (base/gate.h) */
    int allow_writes;       /* --mcp-allow-writes: the tools that change data are offered */
    /* the admin endpoints (server/doors/admin.h): the snapshot tools call them; outside the gate */
    int (*admin)(void *ctx, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                 ddb_buf *out);
    /* the engine's figures of GET /metrics; inside the gate */
    void (*metrics)(void *ctx, ddb_buf *out);
    void *ctx;
    /* why there is no server to serve (its data directory could not be opened: another ddbd holds
       it, say): every request is answered with this, as a JSON-RPC internal error, so an agent's
       client says why instead of "Connection closed"; NULL: served */
    const char *unavailable;
} ddb_mcp_env;

/* Who calls: stdio's local agent (internal: no --auth policy), or the key that signed POST /mcp. */
typedef struct ddb_mcp_caller {
    int internal;
    const char *access_key, *region; /* the verified signature's (arena text) */
    unsigned slot;                   /* the gate slot of the calling thread */
} ddb_mcp_caller;

/*
 * Answers one JSON-RPC message (`msg`, `len` bytes) into `out` (left empty for a notification or a
 * response, which get no answer). Memory comes from `a`. Returns 0, or -1 when the message was
 * not JSON-RPC at all (answered with a JSON-RPC error).
 */
int ddb_mcp_handle(const ddb_mcp_env *env, const ddb_mcp_caller *who, ddb_arena *a, const char *msg, size_t len,
                   ddb_buf *out);

/* --mcp: serves standard input until it closes; answers go to standard output, nothing else does. */
void ddb_mcp_serve_stdio(const ddb_mcp_env *env);

/*
 * --mcp-http: one request to /mcp (the streamable HTTP transport, answered with JSON, no SSE
 * stream), `hr` as SigV4 signed it, from the key (access_key, region) the doors' guard verified
 * (server/guard/guard.h). Writes the body into `out` and *ctype ("application/json" or NULL:
 * no body) and returns the HTTP status.
 */
int ddb_mcp_http(const ddb_mcp_env *env, const ddb_auth_request *hr, const char *access_key, const char *region,
                 unsigned slot, ddb_arena *a, ddb_buf *out, const char **ctype);

#endif
