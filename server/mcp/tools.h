/*
 * server/mcp/tools.h: the tools (tools.def): tools/list's answer and tools/call's.
 */
#ifndef DDB_MCP_TOOLS_H
#define DDB_MCP_TOOLS_H

#include "server/mcp/mcp.h"

/* Writes tools/list's result, {"tools": [...]}: the write tools only when env->allow_writes. */
void ddb_mcp_tools_list(const ddb_mcp_env *env, ddb_arena *a, ddb_jw *w);

/*
 * Runs tools/call (`params`: {"name", "arguments"}) and writes its result, {"content": [{"type":
 * "text", "text": ...}], "isError": ...}: a DynamoDB error is a tool error whose text is DynamoDB's
 * error body. Returns 0, or a JSON-RPC error code with *msg (unknown tool, arguments not an
 * object), and then writes nothing.
 */
int ddb_mcp_tools_call(const ddb_mcp_env *env, const ddb_mcp_caller *who, ddb_arena *a, const ddb_json *params,
                       ddb_jw *w, const char **msg);

#endif
