/*
 * server/mcp/session.c: the MCP methods (see mcp.h): initialize, ping, tools/list, tools/call;
 * notifications are taken and not answered. The server keeps no state between messages, so the
 * HTTP transport needs no session.
 */
#include "server/mcp/mcp.h"

#include <string.h>

#include "ddb/ddb_version.h"
#include "server/mcp/jsonrpc.h"
#include "server/mcp/tools.h"

/* The protocol versions served, newest first: the answer to initialize echoes the client's when it
   is one of them, else offers the newest (MCP's version negotiation). The methods ddbd serves are
   the same in each. */
static const char *const VERSIONS[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

static const char *version_for(const char *asked)
{
    for (size_t i = 0; asked != NULL && i < sizeof(VERSIONS) / sizeof(VERSIONS[0]); i++)
        if (strcmp(asked, VERSIONS[i]) == 0)
            return VERSIONS[i];
    return VERSIONS[0];
}

static void initialize(const ddb_mcp_env *env, const ddb_json *params, ddb_jw *w)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "protocolVersion");
    ddb_jw_str(w, version_for(ddb_json_get_str(params, "protocolVersion")));
    ddb_jw_key(w, "capabilities");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "tools");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "listChanged");
    ddb_jw_bool(w, 0);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "serverInfo");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "name");
    ddb_jw_str(w, "ddbd");
    ddb_jw_key(w, "version");
    ddb_jw_str(w, DDB_VERSION_STRING);
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "instructions");
    ddb_jw_str(w, env->allow_writes
                      ? "ddbd, a DynamoDB-compatible database. Tools take and return DynamoDB JSON "
                        "({\"S\": \"text\"}, {\"N\": \"1\"}); errors are DynamoDB's."
                      : "ddbd, a DynamoDB-compatible database, read-only through MCP. Tools take and return "
                        "DynamoDB JSON ({\"S\": \"text\"}, {\"N\": \"1\"}); errors are DynamoDB's.");
    ddb_jw_obj_end(w);
}

/* Answers a request `m` (one with an id); 0, or a JSON-RPC error code with *msg. */
static int answer(const ddb_mcp_env *env, const ddb_mcp_caller *who, ddb_arena *a, const ddb_rpc_msg *m, ddb_jw *w,
                  const char **msg)
{
    if (strcmp(m->method, "initialize") == 0)
        initialize(env, m->params, w);
    else if (strcmp(m->method, "ping") == 0) {
        ddb_jw_obj_begin(w);
        ddb_jw_obj_end(w);
    } else if (strcmp(m->method, "tools/list") == 0)
        ddb_mcp_tools_list(env, a, w);
    else if (strcmp(m->method, "tools/call") == 0)
        return ddb_mcp_tools_call(env, who, a, m->params, w, msg);
    else {
        *msg = "Method not found";
        return DDB_RPC_METHOD_NOT_FOUND;
    }
    return 0;
}

int ddb_mcp_handle(const ddb_mcp_env *env, const ddb_mcp_caller *who, ddb_arena *a, const char *msg, size_t len,
                   ddb_buf *out)
{
    ddb_rpc_msg m;
    ddb_jw w;
    const char *why = NULL;
    int rc;

    out->len = 0;
    if ((rc = ddb_rpc_read(a, msg, len, &m)) != 0) {
        ddb_rpc_error_answer(out, NULL, rc, rc == DDB_RPC_PARSE_ERROR ? "Parse error" : "Invalid Request");
        return -1;
    }
    if (m.id == NULL || m.method == NULL) /* a notification (notifications/initialized, ...) or a response */
        return 0;
    if (env->unavailable != NULL) {
        ddb_rpc_error_answer(out, m.id, DDB_RPC_INTERNAL_ERROR, env->unavailable);
        return 0;
    }
    ddb_rpc_result_begin(&w, out, m.id);
    if ((rc = answer(env, who, a, &m, &w, &why)) != 0) {
        ddb_rpc_error_answer(out, m.id, rc, why);
        return 0;
    }
    ddb_rpc_end(&w);
    return 0;
}
