/*
 * server/mcp/jsonrpc.c: reading and answering JSON-RPC 2.0 messages (see jsonrpc.h).
 */
#include "server/mcp/jsonrpc.h"

#include <string.h>

int ddb_rpc_read(ddb_arena *a, const char *text, size_t len, ddb_rpc_msg *m)
{
    const ddb_json *j = ddb_json_parse_input(a, text, len, NULL), *method, *id;
    const char *version;

    memset(m, 0, sizeof(*m));
    if (j == NULL)
        return DDB_RPC_PARSE_ERROR;
    version = ddb_json_get_str(j, "jsonrpc");
    if (j->type != DDB_JSON_OBJECT || version == NULL || strcmp(version, "2.0") != 0)
        return DDB_RPC_INVALID_REQUEST;
    method = ddb_json_get(j, "method");
    id = ddb_json_get(j, "id");
    /* an id is a string or a number (JSON-RPC 2.0; MCP forbids null) */
    if ((method != NULL && method->type != DDB_JSON_STRING) ||
        (id != NULL && id->type != DDB_JSON_STRING && id->type != DDB_JSON_NUMBER) || (method == NULL && id == NULL))
        return DDB_RPC_INVALID_REQUEST;
    m->id = id;
    m->method = method != NULL ? method->u.s : NULL;
    m->params = ddb_json_get(j, "params");
    return 0;
}

static void envelope(ddb_jw *w, ddb_buf *out, const ddb_json *id)
{
    ddb_jw_init(w, out);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "jsonrpc");
    ddb_jw_str(w, "2.0");
    ddb_jw_key(w, "id");
    if (id != NULL)
        ddb_jw_json(w, id);
    else
        ddb_jw_null(w);
}

void ddb_rpc_result_begin(ddb_jw *w, ddb_buf *out, const ddb_json *id)
{
    envelope(w, out, id);
    ddb_jw_key(w, "result");
}

void ddb_rpc_end(ddb_jw *w)
{
    ddb_jw_obj_end(w);
}

void ddb_rpc_error_answer(ddb_buf *out, const ddb_json *id, int code, const char *message)
{
    ddb_jw w;

    out->len = 0;
    envelope(&w, out, id);
    ddb_jw_key(&w, "error");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "code");
    ddb_jw_int(&w, code);
    ddb_jw_key(&w, "message");
    ddb_jw_str(&w, message);
    ddb_jw_obj_end(&w);
    ddb_jw_obj_end(&w);
}
