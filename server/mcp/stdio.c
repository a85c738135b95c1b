/*
 * server/mcp/stdio.c: MCP's stdio transport (see mcp.h): one JSON-RPC message per line on standard
 * input, one answer per line on standard output. Logs go to standard error (base/log.c), so
 * standard output carries nothing but answers.
 */
#include "server/mcp/mcp.h"

#include <stdio.h>
#include <stdlib.h>

#include "server/base/log.h"

void ddb_mcp_serve_stdio(const ddb_mcp_env *env)
{
    ddb_mcp_caller who = {.internal = 1}; /* the agent that started the process: no --auth policy */
    ddb_arena a;
    ddb_buf out = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    ddb_arena_init(&a);
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        ddb_arena_reset(&a);
        ddb_mcp_handle(env, &who, &a, line, (size_t)n, &out);
        if (out.len == 0)
            continue;
        ddb_buf_putc(&out, '\n');
        if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
            ddb_log(DDB_LOG_ERROR, "mcp: cannot write to standard output; stopping");
            break;
        }
    }
    free(line);
    ddb_buf_free(&out);
    ddb_arena_free(&a);
}
