/*
 * server/api/dispatch.c: the request pipeline (see dispatch.h). What it decides by the operation
 * comes from the operation's row (proto/ops.def): its entry in the operation table, its flags.
 */
#include "server/api/dispatch.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/attr.h"
#include "proto/ops.h"
#include "server/api/auth/auth.h"
#include "server/api/faults/inject.h"
#include "server/api/rates.h"
#include "server/api/resources.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/base/log_turn.h"
#include "server/base/regions.h"

const ddb_op_entry *ddb_op_entry_of(const ddb_api *api, int op)
{
    return op > DDB_OP_NONE && op < DDB_OP__COUNT ? &api->ops[op] : NULL;
}

/* Checks the Authorization header's shape (signatures are verified in a later version) and reads the credential. */
static int check_auth(ddb_req *req, const ddb_http_in *in)
{
    const char *cred, *slash1, *slash2, *slash3;
    size_t clen;
    ddb_auth_header ah;
    int has_sig, has_sh;
    char *missing;

    if (in->auth == NULL || in->auth_len < 5 || memcmp(in->auth, "AWS4-", 5) != 0)
        return ddb_req_fail(req, DDB_E_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
    ddb_auth_header_parse(in->auth, in->auth_len, &ah);
    cred = ah.cred;
    clen = ah.cred_len;
    has_sig = ah.sig_len > 0; /* present but empty is missing, as AWS words it */
    has_sh = ah.sh_len > 0;
    if (clen == 0 || !has_sig || !has_sh || !in->has_date) {
        missing = ddb_arena_sprintf(
            req->arena, "%s%s%s%s", clen ? "" : "Authorization header requires 'Credential' parameter. ",
            has_sig ? "" : "Authorization header requires 'Signature' parameter. ",
            has_sh ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
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
        /* DynamoDB Local's words, then what to do about them: a first hour's "my-key" was refused
           without a word of why */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return ddb_req_fail(req, DDB_E_UNRECOGNIZED_CLIENT,
                                "The Access Key ID or security token is invalid. An access key id is letters and "
                                "digits only (as AWS's and DynamoDB Local's are); '%.*s' holds '%s'",
                                (int)(slash1 - cred < 128 ? slash1 - cred : 128), cred,
                                (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? (char[2]){c, 0} : "a byte past ASCII or a control character");
    }
    req->access_key = ddb_arena_strndup(req->arena, cred, (size_t)(slash1 - cred));
    req->region = ddb_arena_strndup(req->arena, slash2 + 1, (size_t)(slash3 - slash2 - 1));
    return DDB_OK;
}

/*
 * An operation DynamoDB has and ddbd does not serve (MISSING in proto/ops.def) is named in the
 * message; an unknown name gets none. DynamoDB itself sends no message with
 * UnknownOperationException; this one is ddbd's, so a user knows at once what happened.
 */
static void unknown_operation(ddb_req *req, ddb_op op)
{
    if (op == DDB_OP_NONE)
        ddb_req_fail(req, DDB_E_UNKNOWN_OPERATION, NULL);
    else
        ddb_req_fail(req, DDB_E_UNKNOWN_OPERATION, "ddbd does not implement the DynamoDB operation %s yet",
                     ddb_op_name(op));
}

/*
 * AWS's 2026 request layer, which serves PutItem, UpdateItem and DeleteItem (DDB_OPF_ENVELOPE),
 * reports the checks it makes before it looks at the table (values, expressions, legacy conditions, members that need
 * one another) inside the constraint framework's envelope, "1 validation error detected: ...", and
 * its EAV-without-expression text has no ": ConditionExpression is null" tail (captured for
 * PutItem; UpdateItem's ": UpdateExpression and ConditionExpression are null" is assumed gone
 * too). Checks made against the table (key schema, key values, updates to key attributes) stay
 * bare. Captured in eu-west-2, us-east-1, eu-west-1 and us-west-2 on 2026-10-09 (the conformance
 * suite's tier-3 putItem, updateItem and valueLayers suites). Not confirmed, so left bare: a table
 * ARN's own errors and PutItem's item-size refusal.
 */
static void envelope_request_checks(ddb_req *req, ddb_op op)
{
    static const char *const tails[] = {": ConditionExpression is null",
                                        ": UpdateExpression and ConditionExpression are null"};
    const char *msg = req->err.msg;
    size_t n, i = 0;

    if (!(ddb_op_flags(op) & DDB_OPF_ENVELOPE) || req->err.code != DDB_E_VALIDATION || msg == NULL)
        return;
    while (msg[i] >= '0' && msg[i] <= '9')
        i++;
    if ((i > 0 && strncmp(msg + i, " validation error", 17) == 0) || strncmp(msg, "Invalid TableArn", 16) == 0 ||
        strcmp(msg, "Item size has exceeded the maximum allowed size") == 0)
        return;
    n = strlen(msg);
    for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
        if (n > strlen(tails[i]) && strcmp(msg + n - strlen(tails[i]), tails[i]) == 0)
            n -= strlen(tails[i]);
    req->err.msg = ddb_arena_sprintf(req->arena, "1 validation error detected: %.*s", (int)n, msg);
}

/*
 * With --namespaces, a region the server does not serve (AWS's, or --regions) gets what DynamoDB
 * answers a request signed for a region other than its endpoint's: every invented region would be
 * a namespace of its own, each with its own quota of tables (docs/compatibility.md). With --auth it
 * is checked once the signature is (the region is the credential scope's), else with the namespace.
 */
static int region_refused(const ddb_api *api, ddb_req *req)
{
    const char *region = req->region != NULL && req->region[0] ? req->region : "us-east-1";

    if (api->namespaces && !ddb_region_served(api->regions, region, strlen(region)))
        return ddb_req_fail_msg(req, DDB_E_INVALID_SIGNATURE, "Credential should be scoped to a valid region. ");
    return DDB_OK;
}

/*
 * The caller's account and, with --namespaces, its namespace. The account is the key's (--auth
 * FILE's third column), else the default, DynamoDB Local's 000000000000: it is the account of the
 * ARNs the caller is shown and the only one whose ARNs it may name (validate_arn.c), with or
 * without --namespaces. --namespaces: each account and region has its own tables, as in DynamoDB;
 * the region is the credential scope's. The default account in us-east-1 is the default namespace,
 * where tables written before namespaces (or with them off) live.
 */
static int set_namespace(const ddb_api *api, ddb_req *req)
{
    const ddb_auth_key *k;
    const char *region;

    if (api->auth == NULL && !api->namespaces && !req->internal) { /* the default server's every request */
        req->account = DDB_DEFAULT_ACCOUNT;
        req->ns = "";
        return DDB_OK;
    }
    region = req->region != NULL && req->region[0] ? req->region : "us-east-1";
    if (req->internal && req->ns != NULL) { /* an in-process request made for a namespace (ImportTable) */
        if (req->account == NULL)
            req->account = DDB_DEFAULT_ACCOUNT;
        return DDB_OK;
    }
    req->account = DDB_DEFAULT_ACCOUNT;
    req->ns = "";
    if (api->auth != NULL && (k = ddb_auth_key_of(api->auth, req->access_key)) != NULL && k->account != NULL)
        req->account = k->account;
    if (!api->namespaces)
        return DDB_OK;
    if (region_refused(api, req) != DDB_OK)
        return req->err.code;
    if (strcmp(req->account, DDB_DEFAULT_ACCOUNT) != 0 || strcmp(region, "us-east-1") != 0)
        req->ns = ddb_arena_sprintf(req->arena, "%s:%s", req->account, region);
    return DDB_OK;
}

/* A peer server's request (x-ddbd-peer): its own bodies (engine/jobs/peer.h), answered only with
   --region-peer and, with --auth, only when signed with --peer-key's key. */
static void peer_request(const ddb_api *api, ddb_req *req, const ddb_http_in *in)
{
    if (api->peer == NULL || in->peer_len == 0 ||
        (api->peer_key != NULL && (req->access_key == NULL || strcmp(req->access_key, api->peer_key) != 0))) {
        ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                     "x-ddbd-peer is a peer server's request: this server has no --region-peer, or the request is "
                     "not signed with its --peer-key");
        return;
    }
    req->peer = ddb_arena_strndup(req->arena, in->peer, in->peer_len);
    req->table = ddb_json_get_str(req->in, "TableName"); /* not validated: as the peer sent it */
    api->peer(req);
}

/*
 * A PutItem whose item is over 400 KB is refused as its text is read, before the JSON tree of the
 * rest is built (proto/item_scan.c): the tree of a 15 MB item took 197 MB and most of a second of
 * its loop, all to be refused (issue 49). Only a body larger than the limit is read twice (an
 * item's text is longer than its size), and only a signed one: an unsigned request is refused
 * first. docs/compatibility.md says what this puts ahead of other errors in such a request.
 */
static int item_too_large(ddb_req *req, const ddb_http_in *in)
{
    if (req->body_len <= DDB_MAX_ITEM_SIZE || (in->auth == NULL && req->access_key == NULL && !req->internal) ||
        in->target == NULL || ddb_op_from_target(in->target, in->target_len) != DDB_OP_PutItem ||
        !ddb_item_text_exceeds(req->body, req->body_len, "Item", DDB_MAX_ITEM_SIZE))
        return 0;
    req->op = DDB_OP_PutItem;
    ddb_req_fail(req, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
    return 1;
}

/*
 * The body's tree. A large one (PARSE_KNOWN_FROM bytes or more) of a known operation is built with
 * only the members its model has (ddb_v_parse_known): an unknown member of 15 MB of numbers made a
 * 300 MB tree and held its loop 5 s, all for nothing to read it (issue 61). A small body cannot hold
 * much that is unknown, and is built whole, at no cost. A peer's body is its own (ops_peer.c).
 */
#define PARSE_KNOWN_FROM (16 * 1024)

static ddb_json *parse_body(const ddb_api *api, ddb_req *req, const ddb_http_in *in, int *cut)
{
    const ddb_op_entry *e;

    *cut = 0;
    if (req->body_len >= PARSE_KNOWN_FROM && in->target != NULL && in->peer == NULL &&
        (e = ddb_op_entry_of(api, ddb_op_from_target(in->target, in->target_len))) != NULL && e->spec != NULL &&
        e->spec->fields != NULL)
        return ddb_v_parse_known(req->arena, req->body, req->body_len, e->spec->fields, cut);
    return ddb_json_parse_input(req->arena, req->body, req->body_len, NULL);
}

/*
 * A request whose parse left an item or an AttributeValue over 400 KB unbuilt (cut:
 * DDB_JSON_AV_BUILT) and whose checks did not refuse what was built of it: refused as DynamoDB
 * refuses an item over the limit, UpdateItem as it refuses an update that makes one (a value that
 * large is what a SET would write). No valid item holds such a value (docs/compatibility.md).
 */
static int cut_value_refused(ddb_req *req, ddb_op op, int cut)
{
    if (!(cut & DDB_JSON_CUT_VALUE)) /* (a key cut: its checks refuse it, as they refuse the whole) */
        return 0;
    ddb_req_fail(req, DDB_E_VALIDATION, op == DDB_OP_UpdateItem ? "Item size to update has exceeded the maximum allowed size"
                                                                 : "Item size has exceeded the maximum allowed size");
    return 1;
}

/*
 * With --auth, a large body (PARSE_KNOWN_FROM bytes or more) is first read for the members that
 * name its resources alone (resources.def: a TableName and IndexName, BatchGetItem's and
 * BatchWriteItem's RequestItems' table names, each TransactItems element's table), and a key with no
 * right to the operation on one of them is refused then, before the body's tree is built (issue 73:
 * a valid key with no right on the table paid the whole parse, 3.8 s and 163 MB, before its
 * AccessDenied). That read builds nothing else: a map's values and a list past its bound are read,
 * not built, so what it costs is the body's size. The decision is the one the whole request gets
 * (policy.c reads the same members, in the same order, and what a list's bound leaves out a whole
 * parse leaves out too). Only operations whose resources are all tables or indexes: the others'
 * decisions read other members. A body that is not JSON is left to the parse that follows (its
 * SerializationException comes first, as before); a key allowed is decided again on the whole
 * request, as any other.
 */
#define RESOURCE_PATHS_MAX 8

static const ddb_json *resources_only(const ddb_api *api, ddb_req *req, ddb_op op)
{
    const ddb_op_entry *e = ddb_op_entry_of(api, op);
    const char *paths[RESOURCE_PATHS_MAX];
    size_t n;
    const ddb_res_member *m = ddb_res_of(op, &n);

    if (e == NULL || e->spec == NULL || e->spec->fields == NULL || (ddb_op_flags(op) & DDB_OPF_SERDE) || n == 0 ||
        n > RESOURCE_PATHS_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (m[i].kind != DDB_RES_TABLE && m[i].kind != DDB_RES_INDEX)
            return NULL;
        paths[i] = m[i].path;
    }
    return ddb_v_parse_paths(req->arena, req->body, req->body_len, e->spec->fields, paths, n);
}

static int denied_before_parse(const ddb_api *api, ddb_req *req, const ddb_http_in *in)
{
    ddb_op op;
    const ddb_json *tree;

    if (api->auth == NULL || req->internal || req->access_key == NULL || in->peer != NULL ||
        req->body_len < PARSE_KNOWN_FROM || in->target == NULL)
        return 0;
    op = ddb_op_from_target(in->target, in->target_len);
    if ((tree = resources_only(api, req, op)) == NULL || tree->type != DDB_JSON_OBJECT)
        return 0;
    req->op = op;
    if (set_namespace(api, req) != DDB_OK || ddb_auth_authorize(api->auth, req, op, tree) != DDB_OK)
        return 1;
    req->op = DDB_OP_NONE;
    return 0;
}

void ddb_dispatch(const ddb_api *api, ddb_req *req, const ddb_http_in *in)
{
    ddb_op op;
    const ddb_op_entry *e;
    ddb_json *body = NULL;
    int cut = 0;

    ddb_log_turn_request(); /* (its reads owe nothing to an earlier request's writes) */
    /* with --auth, the signature is verified first: a request AWS cannot authenticate gets nothing
     * else checked, its body and operation name included */
    req->eng = api->eng;
    req->lookups = &api->lookups; /* a table's owner account is looked up with or without --auth */
    if (api->auth != NULL) { /* the policy of what only the handler names */
        req->auth = api->auth;
        req->allow = ddb_auth_allow;
    }
    if (api->auth != NULL && in->http != NULL &&
        ((in->auth != NULL && check_auth(req, in) != DDB_OK) ||
         ddb_auth_verify(api->auth, req, in->http, ddb_clock_now_ms()) != DDB_OK || region_refused(api, req) != DDB_OK))
        return;
    req->authenticated = api->auth != NULL && in->http != NULL;
    if (in->body_error != 0) {
        ddb_req_fail(req, in->body_error, "%s", in->body_error_msg);
        return;
    }
    req->values = DDB_VALUES_CLASSIC;
    if (item_too_large(req, in) || denied_before_parse(api, req, in))
        return;
    if (req->body_len > 0 && (body = parse_body(api, req, in, &cut)) == NULL) {
        ddb_req_fail(req, DDB_E_SERIALIZATION, NULL);
        return;
    }
    /* no Authorization header at all: refused before the operation name is looked at, as DynamoDB
     * refuses an unsigned request to any target (issue 15; dynalite checks it first too) */
    if (in->auth == NULL && req->access_key == NULL && !req->internal) { /* (a presigned URL verified above has none) */
        ddb_req_fail(req, DDB_E_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
        return;
    }
    op = in->target ? ddb_op_from_target(in->target, in->target_len) : DDB_OP_NONE;
    if ((e = ddb_op_entry_of(api, op)) == NULL || e->handler == NULL) {
        unknown_operation(req, op);
        return;
    }
    req->op = op;
    if (req->access_key == NULL && !req->internal && check_auth(req, in) != DDB_OK)
        return;
    if (body == NULL || body->type != DDB_JSON_OBJECT) {
        ddb_req_fail(req, DDB_E_SERIALIZATION, NULL);
        return;
    }
    req->in = body;
    /* a front end that deserializes strictly refuses a member before anything reads it, the
       TableName --auth's policy needs included (DDB_OPF_SERDE) */
    if ((ddb_op_flags(op) & DDB_OPF_SERDE) && ddb_validate_serde(req, e->spec->fields) != DDB_OK)
        return;
    if (set_namespace(api, req) != DDB_OK)
        return;
    if (in->peer != NULL) {
        peer_request(api, req, in);
        return;
    }
    if (api->auth != NULL && !req->internal && ddb_auth_authorize(api->auth, req, op, body) != DDB_OK)
        return;
    /* the value layer AWS checks this operation's AttributeValues with (proto/attr.h) */
    req->values = ddb_op_flags(op) & DDB_OPF_VALUES_2026 ? DDB_VALUES_2026 : DDB_VALUES_CLASSIC;
    req->lenient_numbers = api->lenient_numbers;
    if (api->lenient_numbers)
        ddb_v_coerce_numbers(body, e->spec);
    if (ddb_validate(req, e->spec, body) != DDB_OK) {
        envelope_request_checks(req, op);
        return;
    }
    if (cut_value_refused(req, op, cut))
        return;
    if (ddb_op_flags(op) & DDB_OPF_AS_MODELED) /* (issue 49: an unknown member, however deep, was echoed) */
        req->in = ddb_v_known(req->arena, req->in, e->spec->fields);
    if (req->validate_only)
        return;
    req->rcc = ddb_rcc_parse(req->in);
    /* a control plane call beyond DynamoDB's documented rate for its account (rates.def); an
       in-process request (--seed, ImportTable's) is the server's own */
    if (api->rates != NULL && !req->internal && ddb_rates_take(api->rates, req) != DDB_OK)
        return;
    /* an injected fault (inject.h): what fails once DynamoDB has taken the request; none: one load */
    if (__builtin_expect(__atomic_load_n(&api->inject_armed, __ATOMIC_RELAXED) != 0, 0))
        ddb_inject_decide(api->inject, req);
    if (req->err.code == DDB_OK)
        e->handler(req);
    if (api->charge != NULL) /* what it consumed, once, whatever it answered (engine/capacity/meter.h) */
        api->charge(req->meter, req->op, &req->consumed_read, &req->consumed_write);
}
