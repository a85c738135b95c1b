/*
 * server/mcp/mcp_http.c: MCP's streamable HTTP transport at /mcp (see mcp.h), on the API port
 * with --mcp-http. The doors' guard (server/guard/guard.h) has verified the request's SigV4
 * signature as an API request's (same errors, same keys) and refused what a browser could send
 * cross-site; the tools then run as that key, each decided as what it does (tools.c). ddbd answers
 * each POST with one JSON body and offers no SSE stream (GET is 405, as the transport allows) and
 * no session.
 */
#include "server/mcp/mcp.h"

#include <string.h>

int ddb_mcp_http(const ddb_mcp_env *env, const ddb_auth_request *hr, const char *access_key, const char *region,
                 unsigned slot, ddb_arena *a, ddb_buf *out, const char **ctype)
{
    ddb_mcp_caller who = {.slot = slot, .access_key = access_key, .region = region};

    out->len = 0;
    *ctype = "application/json";
    if (strcmp(hr->method, "POST") != 0) {
        *ctype = NULL;
        return 405;
    }
    if (ddb_mcp_handle(env, &who, a, hr->body ? (const char *)hr->body : "", hr->body_len, out) != 0)
        return 400;
    if (out->len == 0) { /* a notification or a response: accepted, no body */
        *ctype = NULL;
        return 202;
    }
    return 200;
}
