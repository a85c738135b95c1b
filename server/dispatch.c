/*
 * server/dispatch.c: the request pipeline and the operation table (see dispatch.h).
 *
 * Handlers are declared weak from proto/ops.def, so an operation whose handler is not linked in
 * yet answers UnknownOperationException like any unknown name; the server core is an object
 * library, so every handler that exists is linked.
 */
#include "dispatch.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "ops.h"
#include "validate.h"

#define X(camel, snake, svc) int ddb_op_##snake(ddb_req *req) __attribute__((weak));
#include "ops.def"
#undef X

static ddb_handler handler_for(ddb_op op)
{
    switch (op) {
#define X(camel, snake, svc)                                                                                           \
    case DDB_OP_##camel:                                                                                               \
        return ddb_op_##snake;
#include "ops.def"
#undef X
    default:
        return NULL;
    }
}

/* Finds `name=` in the Authorization parameters; returns its value's length (0 if absent). */
static size_t auth_param(const char *auth, size_t len, const char *name, const char **val)
{
    size_t nlen = strlen(name);
    const char *p = auth, *end = auth + len;

    while ((p = memmem(p, (size_t)(end - p), name, nlen)) != NULL) {
        const char *v = p + nlen;
        if (v < end && *v == '=' && (p == auth || p[-1] == ' ' || p[-1] == ',')) {
            const char *e = ++v;
            while (e < end && *e != ',' && *e != ' ')
                e++;
            *val = v;
            return (size_t)(e - v);
        }
        p++;
    }
    return 0;
}

/* Checks the Authorization header's shape (signatures are verified in a later version) and reads the credential. */
static int check_auth(ddb_req *req, const ddb_http_in *in)
{
    const char *cred = NULL, *v;
    size_t clen;
    const char *slash1, *slash2, *slash3;
    char *missing;

    if (in->auth == NULL || in->auth_len < 5 || memcmp(in->auth, "AWS4-", 5) != 0)
        return ddb_req_fail(req, DDB_E_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
    clen = auth_param(in->auth, in->auth_len, "Credential", &cred);
    if (clen == 0 || !auth_param(in->auth, in->auth_len, "Signature", &v) ||
        !auth_param(in->auth, in->auth_len, "SignedHeaders", &v) || !in->has_date) {
        missing = ddb_arena_sprintf(
            req->arena, "%s%s%s%s", clen ? "" : "Authorization header requires 'Credential' parameter. ",
            auth_param(in->auth, in->auth_len, "Signature", &v) ? "" : "Authorization header requires 'Signature' parameter. ",
            auth_param(in->auth, in->auth_len, "SignedHeaders", &v) ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
            in->has_date ? "" : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE, "%sAuthorization=%.*s", missing, (int)in->auth_len, in->auth);
    }
    slash1 = memchr(cred, '/', clen);
    slash2 = slash1 ? memchr(slash1 + 1, '/', (size_t)(cred + clen - slash1 - 1)) : NULL;
    slash3 = slash2 ? memchr(slash2 + 1, '/', (size_t)(cred + clen - slash2 - 1)) : NULL;
    if (slash3 == NULL)
        return ddb_req_fail(req, DDB_E_INCOMPLETE_SIGNATURE,
                            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%.*s'",
                            (int)clen, cred);
    for (const char *p = cred; p < slash1; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return ddb_req_fail(req, DDB_E_UNRECOGNIZED_CLIENT, "The Access Key ID or security token is invalid.");
    }
    req->access_key = ddb_arena_strndup(req->arena, cred, (size_t)(slash1 - cred));
    req->region = ddb_arena_strndup(req->arena, slash2 + 1, (size_t)(slash3 - slash2 - 1));
    return DDB_OK;
}

void ddb_dispatch(ddb_req *req, const ddb_http_in *in)
{
    ddb_op op;
    ddb_handler h;
    const ddb_spec *spec;
    const ddb_json *body = NULL;

    if (req->body_len > 0 && (body = ddb_json_parse(req->arena, req->body, req->body_len)) == NULL) {
        ddb_req_fail(req, DDB_E_SERIALIZATION, NULL);
        return;
    }
    op = in->target ? ddb_op_from_target(in->target, in->target_len) : DDB_OP_NONE;
    if (op == DDB_OP_NONE || (h = handler_for(op)) == NULL) {
        ddb_req_fail(req, DDB_E_UNKNOWN_OPERATION, NULL);
        return;
    }
    req->op = op;
    if (check_auth(req, in) != DDB_OK)
        return;
    if (body == NULL || body->type != DDB_JSON_OBJECT) {
        ddb_req_fail(req, DDB_E_SERIALIZATION, NULL);
        return;
    }
    req->in = body;
    if ((spec = ddb_spec_for_op(op)) != NULL && ddb_validate(req, spec, body) != DDB_OK)
        return;
    h(req);
}
