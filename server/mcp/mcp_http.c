/*
 * server/mcp/mcp_http.c: MCP's streamable HTTP transport at /mcp (see mcp.h), on the API port with
 * --mcp-http. Every request is SigV4-signed and verified as an API request is (same errors, same
 * keys); the tools then run as that key, under its --auth policy. ddbd answers each POST with one
 * JSON body and offers no SSE stream (GET is 405, as the transport allows) and no session.
 */
#include "server/mcp/mcp.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "server/base/clock.h"

int ddb_mcp_http(const ddb_mcp_env *env, const ddb_auth_request *hr, unsigned slot, ddb_arena *a, ddb_buf *out,
                 const char **ctype)
{
    ddb_mcp_caller who = {.slot = slot};
    ddb_req r;

    out->len = 0;
    *ctype = "application/json";
    memset(&r, 0, sizeof(r));
    r.arena = a;
    if (ddb_auth_verify(env->api->auth, &r, hr, ddb_clock_now_ms()) != DDB_OK) { /* as the API refuses it */
        ddb_req_render_error(&r, out);
        return ddb_error_lookup(r.err.code)->http_status;
    }
    if (strcmp(hr->method, "POST") != 0) {
        *ctype = NULL;
        return 405;
    }
    who.access_key = r.access_key;
    who.region = r.region;
    if (ddb_mcp_handle(env, &who, a, hr->body ? (const char *)hr->body : "", hr->body_len, out) != 0)
        return 400;
    if (out->len == 0) { /* a notification or a response: accepted, no body */
        *ctype = NULL;
        return 202;
    }
    return 200;
}
