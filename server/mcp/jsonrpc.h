/*
 * server/mcp/jsonrpc.h: JSON-RPC 2.0 as MCP frames it: one message per line (stdio) or per POST
 * body (HTTP), no batches (MCP 2025-06-18 removed them). Reading a message and writing its
 * answer; what the methods mean is session.c's.
 */
#ifndef DDB_MCP_JSONRPC_H
#define DDB_MCP_JSONRPC_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/json.h"

/* JSON-RPC's error codes, one list: X(NAME, code) */
#define DDB_RPC_ERRORS(X)                                                                                              \
    X(PARSE_ERROR, -32700)                                                                                             \
    X(INVALID_REQUEST, -32600)                                                                                         \
    X(METHOD_NOT_FOUND, -32601)                                                                                        \
    X(INVALID_PARAMS, -32602)                                                                                          \
    X(INTERNAL_ERROR, -32603)

typedef enum ddb_rpc_error {
#define X(name, code) DDB_RPC_##name = code,
    DDB_RPC_ERRORS(X)
#undef X
} ddb_rpc_error;

/* One message read. A request has a method and an id; a notification a method and no id; a
   response (to a request ddbd never sends) an id and no method. */
typedef struct ddb_rpc_msg {
    const ddb_json *id;     /* NULL for a notification */
    const char *method;     /* NULL for a response */
    const ddb_json *params; /* NULL when absent */
} ddb_rpc_msg;

/* Reads `len` bytes into *m; 0, or the error to answer (with a NULL id). */
int ddb_rpc_read(ddb_arena *a, const char *text, size_t len, ddb_rpc_msg *m);

/* {"jsonrpc":"2.0","id":<id>,"result": ... : the caller writes the result, then ddb_rpc_end. */
void ddb_rpc_result_begin(ddb_jw *w, ddb_buf *out, const ddb_json *id);
void ddb_rpc_end(ddb_jw *w);
/* {"jsonrpc":"2.0","id":<id or null>,"error":{"code":..,"message":..}} */
void ddb_rpc_error_answer(ddb_buf *out, const ddb_json *id, int code, const char *message);

#endif
