/*
 * server/mcp/tools.c: the tools of tools.def, listed and run (see tools.h). A tool that is a
 * DynamoDB operation builds the operation's request body from its arguments and runs it through
 * ddb_dispatch, as http.c runs a request: same validation, errors, capacity and --auth policy.
 */
#include "server/mcp/tools.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/base/gate.h"
#include "server/guard/guard.h"
#include "server/mcp/jsonrpc.h"

/* Items a query, scan or SELECT returns per call: an agent's context is small, and a page of
   DynamoDB's 1 MB would fill it. A larger Limit is refused rather than lowered, so the agent knows. */
#define MCP_LIMIT_DEFAULT 100
#define MCP_LIMIT_MAX 1000

typedef struct mcp_call {
    const ddb_mcp_env *env;
    const ddb_mcp_caller *who;
    ddb_arena *a;
    const char *tool;
    ddb_op op;
    const ddb_json *args; /* an OBJECT */
    ddb_buf *text;        /* the result's text */
    int is_error;
} mcp_call;

typedef void (*mcp_run)(mcp_call *c);

static void run_op(mcp_call *c);
static void run_page(mcp_call *c);
static void run_statement(mcp_call *c);
static void run_snapshots(mcp_call *c);
static void run_take(mcp_call *c);
static void run_restore(mcp_call *c);
static void run_faults(mcp_call *c);
static void run_inject(mcp_call *c);
static void run_clear_faults(mcp_call *c);
static void run_metrics(mcp_call *c);
static void run_usage(mcp_call *c);
static void run_clock(mcp_call *c);

typedef struct mcp_tool {
    const char *name, *description, *properties, *required;
    int writes;
    mcp_run run;
    ddb_op op;
    ddb_door door;
} mcp_tool;

static const mcp_tool TOOLS[] = {
#define X(name, writes, run, op, door, description, properties, required)                                              \
    {#name, description, properties, required, writes, run, DDB_OP_##op, DDB_DOOR_##door},
#include "server/mcp/tools.def"
#undef X
};
#define NTOOLS (sizeof(TOOLS) / sizeof(TOOLS[0]))

/* ---- tools/list ---- */

void ddb_mcp_tools_list(const ddb_mcp_env *env, ddb_arena *a, ddb_jw *w)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "tools");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < NTOOLS; i++) {
        const mcp_tool *t = &TOOLS[i];
        const char *schema = ddb_arena_sprintf(
            a, "{\"type\":\"object\",\"properties\":{%s},\"required\":[%s],\"additionalProperties\":true}",
            t->properties, t->required);
        if (t->writes && !env->allow_writes)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "name", t->name);
        ddb_jw_member_str(w, "description", t->description);
        ddb_jw_key(w, "inputSchema");
        ddb_jw_json(w, ddb_json_parse(a, schema, strlen(schema)));
        ddb_jw_key(w, "annotations");
        ddb_jw_obj_begin(w);
        ddb_jw_member_bool(w, "readOnlyHint", !t->writes);
        ddb_jw_obj_end(w);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

/* ---- results ---- */

static void tool_error(mcp_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A refusal of the MCP server's own (not DynamoDB's): plain text. */
static void tool_error(mcp_call *c, const char *fmt, ...)
{
    va_list ap;
    char msg[512];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->text->len = 0;
    ddb_buf_puts(c->text, msg);
    c->is_error = 1;
}

/* ---- DynamoDB operations ---- */

/* Runs c->op with `body` through the pipeline, as one request in flight. */
static void dispatch(mcp_call *c, const ddb_buf *body)
{
    const char *target = ddb_arena_sprintf(c->a, "DynamoDB_20120810.%s", ddb_op_name(c->op));
    ddb_http_in in = {.target = target, .target_len = strlen(target)};
    ddb_req r;

    memset(&r, 0, sizeof(r));
    r.arena = c->a;
    r.body = body->data;
    r.body_len = body->len;
    r.outbuf = c->text;
    r.internal = c->who->internal;
    r.access_key = c->who->access_key; /* verified already: --auth's policy applies to the key */
    r.region = c->who->region;
    ddb_jw_init(&r.out, c->text);
    ddb_gate_enter(c->env->gate, c->who->slot);
    ddb_dispatch(c->env->api, &r, &in);
    ddb_gate_leave(c->env->gate, c->who->slot);
    if (r.err.code != DDB_OK) { /* DynamoDB's error body, as the API answers it */
        c->text->len = 0;
        ddb_req_render_error(&r, c->text);
        c->is_error = 1;
    } else if (c->text->len == 0)
        ddb_buf_puts(c->text, "{}");
}

static void run_op(mcp_call *c)
{
    ddb_buf body = {0};
    ddb_jw w;

    ddb_jw_init(&w, &body);
    ddb_jw_json(&w, c->args);
    dispatch(c, &body);
    ddb_buf_free(&body);
}

/* The arguments with Limit defaulted; a Limit over the maximum is refused. DynamoDB's own checks
   (a Limit that is not a positive integer) stay the operation's. */
static void run_page(mcp_call *c)
{
    const ddb_json *limit = ddb_json_get(c->args, "Limit");
    ddb_buf body = {0};
    ddb_jw w;

    if (limit != NULL && limit->type == DDB_JSON_NUMBER && ddb_json_integer(limit, 0) > MCP_LIMIT_MAX) {
        tool_error(c, "%s: Limit is at most %d items a call through MCP; page on with %s", c->tool, MCP_LIMIT_MAX,
                   c->op == DDB_OP_ExecuteStatement ? "NextToken" : "ExclusiveStartKey");
        return;
    }
    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    for (uint32_t i = 0; i < c->args->n; i++) {
        ddb_jw_keyn(&w, c->args->u.members[i].key, c->args->u.members[i].klen);
        ddb_jw_json(&w, c->args->u.members[i].val);
    }
    if (limit == NULL)
        ddb_jw_member_int(&w, "Limit", MCP_LIMIT_DEFAULT);
    ddb_jw_obj_end(&w);
    dispatch(c, &body);
    ddb_buf_free(&body);
}

/* Whether statement `s` starts with the word SELECT (after blanks and opening parentheses). */
static int is_select(const char *s)
{
    s += strspn(s, " \t\r\n(");
    return strncasecmp(s, "SELECT", 6) == 0 && (s[6] == '\0' || strchr(" \t\r\n", s[6]) != NULL);
}

/* Read-only: a statement runs only when its first word is SELECT (so a malformed statement that
   does not start with it is refused here, not parsed). A Statement that is not a string is left to
   ExecuteStatement's validation. */
static void run_statement(mcp_call *c)
{
    const char *s = ddb_json_get_str(c->args, "Statement");

    if (!c->env->allow_writes && s != NULL && !is_select(s)) {
        tool_error(c, "execute_statement: this MCP server is read-only and runs SELECT statements only; start ddbd "
                      "with --mcp-allow-writes to run others");
        return;
    }
    run_page(c);
}

/* ---- the admin snapshots and the metrics ---- */

/* One admin call (server/doors/admin.h); an answer of 400 or more is a tool error with its JSON. */
static void admin(mcp_call *c, const char *method, const char *path, const char *body)
{
    int status;

    c->text->len = 0;
    status = c->env->admin(c->env->ctx, method, path, strlen(path), body, body ? strlen(body) : 0, c->text);
    c->is_error = status >= 400;
}

/* The snapshot's name, or NULL after a tool error. */
static const char *snapshot_name(mcp_call *c)
{
    const char *name = ddb_json_get_str(c->args, "name");

    if (name == NULL)
        tool_error(c, "%s: expected {\"name\": \"<snapshot name>\"}", c->tool);
    return name;
}

static void run_snapshots(mcp_call *c)
{
    admin(c, "GET", "/ddbd/snapshots", NULL);
}

static void run_take(mcp_call *c)
{
    ddb_buf body = {0};
    ddb_jw w;
    const char *name = snapshot_name(c);

    if (name == NULL)
        return;
    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "name", name);
    ddb_jw_obj_end(&w);
    admin(c, "POST", "/ddbd/snapshots", body.data);
    ddb_buf_free(&body);
}

static void run_restore(mcp_call *c)
{
    const char *name = snapshot_name(c);

    if (name == NULL)
        return;
    admin(c, "POST", ddb_arena_sprintf(c->a, "/ddbd/snapshots/%s/restore", name), NULL);
}

/* The injected faults (server/api/faults/inject.h), through /ddbd/faults. */
static void run_faults(mcp_call *c)
{
    admin(c, "GET", "/ddbd/faults", NULL);
}

static void run_inject(mcp_call *c)
{
    ddb_buf body = {0};
    ddb_jw w;

    ddb_jw_init(&w, &body);
    ddb_jw_json(&w, c->args);
    admin(c, "POST", "/ddbd/faults", body.data);
    ddb_buf_free(&body);
}

static void run_clear_faults(mcp_call *c)
{
    admin(c, "DELETE", "/ddbd/faults", NULL);
}

static void run_metrics(mcp_call *c)
{
    c->text->len = 0;
    ddb_gate_enter(c->env->gate, c->who->slot);
    c->env->metrics(c->env->ctx, c->text);
    ddb_gate_leave(c->env->gate, c->who->slot);
}

/* Appends "NAME=" and v percent-encoded (every byte but those in `keep`) to path[*n..size). */
static void query_param(char *path, size_t size, size_t *n, const char *name, const char *v, const char *keep)
{
    *n += (size_t)snprintf(path + *n, size - *n, "%s%s=", strchr(path, '?') != NULL ? "&" : "?", name);
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0' && *n + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(keep, *p))
            path[(*n)++] = (char)*p, path[*n] = '\0';
        else
            *n += (size_t)snprintf(path + *n, size - *n, "%%%02X", *p);
    }
}

/* The cost report, the same JSON as GET /ddbd/usage (issue 53): since a mark, at a rate (issue 64),
   each percent-encoded into the query (the door decodes them; a rate's ',' ':' '/' and '%' are its
   own, docs/usage.md). */
static void run_usage(mcp_call *c)
{
    const char *since = ddb_json_get_str(c->args, "since"), *rate = ddb_json_get_str(c->args, "rate");
    char path[64 + 3 * 256 + 3 * 2048];
    size_t n = (size_t)snprintf(path, sizeof(path), "/ddbd/usage");

    if (since != NULL)
        query_param(path, sizeof(path), &n, "since", since, "");
    if (rate != NULL)
        query_param(path, sizeof(path), &n, "rate", rate, "-._~,:/%");
    admin(c, "GET", path, NULL);
}

/* The server's clock (issue 60), through /ddbd/clock: {"action": "get"} reads it; "freeze", "run",
   "advance" and "set" (the last two with "ms") move it, which changes what every client sees (a
   step runs TTL's deletes), so only where writes are allowed, as execute_statement's writes. */
static void run_clock(mcp_call *c)
{
    static const char *const MOVES[] = {"freeze", "run", "advance", "set"};
    const char *action = ddb_json_get_str(c->args, "action");
    const ddb_json *ms = ddb_json_get(c->args, "ms");
    size_t i = 0;
    ddb_buf body = {0};
    ddb_jw w;

    if (action != NULL && strcmp(action, "get") == 0) {
        admin(c, "GET", "/ddbd/clock", NULL);
        return;
    }
    while (action != NULL && i < sizeof(MOVES) / sizeof(MOVES[0]) && strcmp(action, MOVES[i]) != 0)
        i++;
    if (action == NULL || i == sizeof(MOVES) / sizeof(MOVES[0])) {
        tool_error(c, "clock: expected {\"action\": \"get\"}, \"freeze\", \"run\", \"advance\" (with \"ms\") or "
                      "\"set\" (with \"ms\", since the epoch)");
        return;
    }
    if (!c->env->allow_writes) {
        tool_error(c, "clock: this MCP server is read-only and only reads the clock (\"get\"); start ddbd with "
                      "--mcp-allow-writes to move it");
        return;
    }
    if (i >= 2 && (ms == NULL || ms->type != DDB_JSON_NUMBER)) {
        tool_error(c, "clock: %s wants \"ms\", a number of milliseconds", action);
        return;
    }
    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, action);
    if (i < 2)
        ddb_jw_bool(&w, 1);
    else
        ddb_jw_int(&w, ddb_json_integer(ms, 0));
    ddb_jw_obj_end(&w);
    admin(c, "POST", "/ddbd/clock", body.data);
    ddb_buf_free(&body);
}

/* ---- tools/call ---- */

/* Whether the caller may use a tool that is no DynamoDB operation (the doors' guard, guard.h: the
   right its door asks, under --auth); a refusal is a tool error with DynamoDB's error body, as an
   operation's refusal is. The operations are decided in ddb_dispatch, on the tables they name. */
static int door_allows(mcp_call *c, const mcp_tool *t)
{
    ddb_req r;
    ddb_door door = t->door == DDB_DOOR_API && t->op == DDB_OP_NONE ? DDB_DOOR_ADMIN : t->door; /* no operation
                                                                  to decide it by: the whole store's right */

    if (door == DDB_DOOR_API)
        return 1;
    memset(&r, 0, sizeof(r));
    r.arena = c->a;
    r.internal = c->who->internal;
    r.access_key = c->who->access_key;
    r.region = c->who->region;
    if (ddb_door_allow(c->env->api->auth, &r, door, door == DDB_DOOR_METRICS ? "/metrics" : "/ddbd/snapshots") ==
        DDB_OK)
        return 1;
    c->text->len = 0;
    ddb_req_render_error(&r, c->text);
    c->is_error = 1;
    return 0;
}

static const mcp_tool *tool_named(const char *name)
{
    for (size_t i = 0; name != NULL && i < NTOOLS; i++)
        if (strcmp(TOOLS[i].name, name) == 0)
            return &TOOLS[i];
    return NULL;
}

int ddb_mcp_tools_call(const ddb_mcp_env *env, const ddb_mcp_caller *who, ddb_arena *a, const ddb_json *params,
                       ddb_jw *w, const char **msg)
{
    static const ddb_json no_args = {.type = DDB_JSON_OBJECT};
    const char *name = ddb_json_get_str(params, "name");
    const mcp_tool *t = tool_named(name);
    const ddb_json *args = params ? ddb_json_get(params, "arguments") : NULL;
    ddb_buf text = {0};
    mcp_call c = {.env = env, .who = who, .a = a, .tool = name, .args = args ? args : &no_args, .text = &text};

    if (t == NULL) {
        *msg = ddb_arena_sprintf(a, "Unknown tool: %s", name ? name : "(no name)");
        return DDB_RPC_INVALID_PARAMS;
    }
    if (c.args->type != DDB_JSON_OBJECT) {
        *msg = "tools/call: arguments must be an object";
        return DDB_RPC_INVALID_PARAMS;
    }
    c.op = t->op;
    if (t->writes && !env->allow_writes)
        tool_error(&c, "%s changes data, and this MCP server is read-only: start ddbd with --mcp-allow-writes to "
                       "use it", t->name);
    else if (door_allows(&c, t))
        t->run(&c);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "content");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "type", "text");
    ddb_jw_key(w, "text");
    ddb_jw_strn(w, text.data ? text.data : "", text.len);
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
    ddb_jw_member_bool(w, "isError", c.is_error);
    ddb_jw_obj_end(w);
    ddb_buf_free(&text);
    return 0;
}
