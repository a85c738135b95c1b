/*
 * server/api/req.c: the one way to record a request's error, and requests made in-process (see req.h).
 */
#include "server/api/req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/buf.h"
#include "proto/errors.h"

int ddb_req_fail_msg(ddb_req *req, int code, const char *msg)
{
    if (req->err.code != DDB_OK)
        return req->err.code;
    req->err.code = code;
    req->err.msg = msg;
    return code;
}

int ddb_req_fail_internal(ddb_req *req)
{
    return ddb_req_fail_msg(req, DDB_E_INTERNAL, DDB_MSG_INTERNAL);
}

int ddb_req_fail_cancelled(ddb_req *req, ddb_cancel_reason *reasons, uint32_t n)
{
    ddb_buf b = {0};

    if (req->err.code != DDB_OK)
        return req->err.code;
    ddb_buf_puts(&b, "Transaction cancelled, please refer cancellation reasons for specific reasons [");
    for (uint32_t i = 0; i < n; i++) {
        if (reasons[i].code == NULL)
            reasons[i].code = "None";
        ddb_buf_puts(&b, i > 0 ? ", " : "");
        ddb_buf_puts(&b, reasons[i].code);
    }
    ddb_buf_puts(&b, "]");
    ddb_req_fail_msg(req, DDB_E_TRANSACTION_CANCELED, ddb_arena_strndup(req->arena, b.data, b.len));
    ddb_buf_free(&b);
    req->err.reasons = reasons;
    req->err.nreasons = n;
    return req->err.code;
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

ddb_rcc ddb_rcc_parse(const ddb_json *in)
{
    const char *v = ddb_json_get_str(in, "ReturnConsumedCapacity");

    if (v == NULL)
        return DDB_RCC_NONE;
    if (strcmp(v, "TOTAL") == 0)
        return DDB_RCC_TOTAL;
    if (strcmp(v, "INDEXES") == 0)
        return DDB_RCC_INDEXES;
    return DDB_RCC_NONE;
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
    sub->table = ddb_json_get_str(in, "TableName"); /* validation, if the caller asks for it, resolves it again */
    sub->rcc = ddb_rcc_parse(in);
    ddb_jw_init(&sub->out, out);
}

/* "CancellationReasons": [{"Code": ..., "Message": ..., "Item": ...}, ...] */
static void render_reasons(ddb_jw *w, const ddb_error *e)
{
    ddb_jw_key(w, "CancellationReasons");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < e->nreasons; i++) {
        const ddb_cancel_reason *r = &e->reasons[i];
        ddb_jw_obj_begin(w);
        if (r->item != NULL) {
            ddb_jw_key(w, "Item");
            ddb_item_write_json(w, r->item);
        }
        ddb_jw_member_str(w, "Code", r->code);
        if (r->msg != NULL)
            ddb_jw_member_str(w, "Message", r->msg);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* "ThrottlingReasons": [{"reason": ..., "resource": ...}] (API_ThrottlingReason, 2025), under the
   name the type declares (ThrottlingException's model says "throttlingReasons") */
static void render_throttling(ddb_jw *w, const char *name, const ddb_error *e)
{
    ddb_jw_key(w, name);
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "reason", e->throttle_reason);
    if (e->throttle_resource != NULL)
        ddb_jw_member_str(w, "resource", e->throttle_resource);
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
}

/* Each detail set is written under the name its type declares (ddb_errors.def), and only then. */
void ddb_req_render_error(const ddb_req *r, ddb_buf *out)
{
    const ddb_error_info *e = ddb_error_lookup(r->err.code);
    const char *message = ddb_error_member(e, DDB_EM_message | DDB_EM_Message);
    const char *throttling = ddb_error_member(e, DDB_EM_ThrottlingReasons | DDB_EM_throttlingReasons);
    char type[160];
    ddb_jw w;

    snprintf(type, sizeof(type), "%s%s", e->ns, e->type);
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "__type");
    ddb_jw_str(&w, type);
    if (r->err.msg != NULL && message != NULL) {
        ddb_jw_key(&w, message);
        ddb_jw_str(&w, r->err.msg);
    }
    if (r->err.item != NULL && (e->members & DDB_EM_Item)) {
        ddb_jw_key(&w, "Item");
        ddb_item_write_json(&w, r->err.item);
    }
    if (r->err.nreasons > 0 && (e->members & DDB_EM_CancellationReasons))
        render_reasons(&w, &r->err);
    if (r->err.throttle_reason != NULL && throttling != NULL)
        render_throttling(&w, throttling, &r->err);
    ddb_jw_obj_end(&w);
}
