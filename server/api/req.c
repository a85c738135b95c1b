/*
 * server/api/req.c: the one way to record a request's error, and requests made in-process (see req.h).
 */
#include "server/api/req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"

int ddb_req_fail_msg(ddb_req *req, int code, const char *msg)
{
    if (req->err.code != DDB_OK)
        return req->err.code;
    req->err.code = code;
    req->err.msg = msg;
    return code;
}

int ddb_req_fail(ddb_req *req, int code, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    if (req->err.code != DDB_OK)
        return req->err.code;
    if (fmt != NULL) {
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        msg = ddb_arena_alloc(req->arena, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return ddb_req_fail_msg(req, code, msg);
}

void ddb_req_internal(ddb_req *sub, const ddb_req *parent, ddb_arena *a, int op, const ddb_json *in, ddb_buf *out,
                      const char *account, const char *region, const char *ns)
{
    memset(sub, 0, sizeof(*sub));
    sub->arena = a;
    sub->eng = parent->eng;
    sub->op = op;
    sub->in = in;
    sub->outbuf = out;
    sub->internal = 1;
    sub->account = account;
    sub->region = region;
    sub->ns = ns;
    ddb_jw_init(&sub->out, out);
}
