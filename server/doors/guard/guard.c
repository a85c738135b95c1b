/*
 * server/doors/guard/guard.c: the doors' one guard (see guard.h).
 */
#include "server/doors/guard/guard.h"

#include <string.h>
#include <strings.h>

#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "server/base/clock.h"

/* What each door asks of a key: the rights that open it (any one of them) and the IAM action named
   when none is held. */
static const struct door_rule {
    unsigned rights;
    const char *action;
} RULES[] = {
    [DDB_DOOR_API] = {0, NULL},
    [DDB_DOOR_ADMIN] = {DDB_RIGHT_ADMIN, "ddbd:Admin"},
    [DDB_DOOR_METRICS] = {DDB_RIGHT_METRICS | DDB_RIGHT_ADMIN, "ddbd:ReadMetrics"},
    [DDB_DOOR_MCP] = {0, NULL},
    [DDB_DOOR_CONSOLE] = {0, NULL},
};

int ddb_door_allow(const ddb_auth *auth, ddb_req *r, ddb_door door, const char *resource)
{
    const struct door_rule *rule = &RULES[door];
    const ddb_auth_key *k;
    const char *account, *region;

    if (auth == NULL || r->internal || rule->action == NULL)
        return DDB_OK;
    /* a caller the guard did not verify holds no right */
    k = r->access_key != NULL ? ddb_auth_key_of(auth, r->access_key) : NULL;
    if (k != NULL && (k->rights & rule->rights) != 0)
        return DDB_OK;
    account = k != NULL && k->account != NULL ? k->account : DDB_DEFAULT_ACCOUNT;
    region = r->region != NULL && r->region[0] ? r->region : "us-east-1";
    return ddb_req_fail(r, DDB_E_ACCESS_DENIED,
                        "User: arn:aws:iam::%s:user/%s is not authorized to perform: %s on resource: "
                        "arn:aws:ddbd:%s:%s:%s because no identity-based policy allows the %s action",
                        account, k == NULL ? "anonymous" : k->user != NULL ? k->user : k->access_key, rule->action,
                        region, account, resource, rule->action);
}

/* Whether the method may change state: all but GET and HEAD (OPTIONS never reaches a door). */
static int changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* A JSON content type: what a browser sends cross-site only after a preflight. Anything else
   (text/plain, a form, none) is a "simple" request a page can make without asking. */
static int json_media(const ddb_door_request *dr)
{
    static const char JSON[] = "application/json";

    return dr->media_type != NULL && dr->media_len == sizeof(JSON) - 1 &&
           strncasecmp(dr->media_type, JSON, sizeof(JSON) - 1) == 0;
}

static int cross_site(ddb_buf *out)
{
    ddb_jw w;

    out->len = 0;
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "message");
    ddb_jw_str(&w, "a request that changes state must send Content-Type: application/json (text/plain, forms and "
                   "no content type are what a web page can send cross-site without asking)");
    ddb_jw_obj_end(&w);
    return 415;
}

int ddb_door_guard(const ddb_auth *auth, ddb_req *r, const ddb_door_request *dr, ddb_buf *out)
{
    if (changes_state(dr->http->method) && !json_media(dr))
        return cross_site(out);
    if (auth == NULL || (dr->private_port && dr->door == DDB_DOOR_METRICS) || dr->door == DDB_DOOR_CONSOLE)
        return 0;
    if (ddb_auth_verify(auth, r, dr->http, ddb_clock_now_ms()) == DDB_OK &&
        ddb_door_allow(auth, r, dr->door, dr->resource) == DDB_OK)
        return 0;
    out->len = 0;
    ddb_req_render_error(r, out);
    return ddb_error_lookup(r->err.code)->http_status;
}
