/*
 * server/api/validate/validate_policy.c: what PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy
 * accept, and the policy documents they (and CreateTable's ResourcePolicy) take.
 *
 * The messages are DynamoDB's as captured against the service (aws-controllers-k8s/dynamodb-
 * controller's docs/api-quirks, 2026-10-09, and moto's aws_verified tests; the sources are listed
 * in docs/compatibility.md, "Resource-based policies"):
 *  - ResourceArn names a table or one of its streams of this region and account: "ARNs must start
 *    with 'arn:'", "only table or stream is accepted" (an index), "not a DynamoDB resource arn" (a
 *    backup), "Invalid resource Arn" (another region), "only supported by accounts that match the
 *    resource owner's account" (another account; its apostrophe is U+2019, as DynamoDB sends it);
 *  - a document: at most 20480 bytes, JSON, a non-empty Statement (an object or a list), each with
 *    a Resource, unique Sids, actions that the resource takes (a table's policy takes no stream
 *    action, a stream's only DescribeStream, GetRecords and GetShardIterator), and no Allow to
 *    every principal ("unbounded access", Block Public Access: DynamoDB's trusted condition keys
 *    make one acceptable when they name who);
 *  - IAM's grammar (rbp_grammar.c: the elements, Effect, Principal / Action / Resource and their
 *    Not forms, no member named twice), checked after the JSON and before the other rules of a
 *    statement.
 * The order is the captures' (the size first, then the JSON, then the statements); the order
 * among a statement's own problems is not confirmed.
 */
#include <string.h>
#include <strings.h>

#include "ddb/ddb_status.h"
#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"
#include "server/api/validate/validate_internal.h"
#include "server/base/arn.h"

#define MAX_POLICY_BYTES 20480
#define BAD_DOC INVALID "Invalid policy document: "
#define UNBOUNDED                                                                                                      \
    "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure "      \
    "least-privilege form of access"

#define F_RESOURCE_ARN                                                                                                 \
    {"ResourceArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1283}
#define F_REVISION {"ExpectedRevisionId", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255}

static const ddb_field PUT_FIELDS[] = {
    F_RESOURCE_ARN,
    {"Policy", DDB_V_STRING, DDB_VF_NOT_NULL},
    F_REVISION,
    {"ConfirmRemoveSelfResourceAccess", DDB_V_BOOLEAN},
    {NULL},
};
static const ddb_field GET_FIELDS[] = {F_RESOURCE_ARN, {NULL}};
static const ddb_field DELETE_FIELDS[] = {F_RESOURCE_ARN, F_REVISION, {NULL}};

/* ---- ResourceArn ---- */

int ddb_policy_arn_split(ddb_req *req, const char *arn, ddb_policy_target *out)
{
    const char *region = req->region != NULL && req->region[0] ? req->region : "us-east-1";
    const char *account = req->account != NULL ? req->account : DDB_DEFAULT_ACCOUNT;
    ddb_arn a;

    if (!ddb_arn_like(arn, strlen(arn)))
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "ARNs must start with 'arn:': %s", arn);
    if (ddb_arn_parts(arn, strlen(arn), &a) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "Invalid resource Arn: %s", arn);
    if (a.service_len != 8 || memcmp(a.service, "dynamodb", 8) != 0 || !ddb_arn_type_is(&a, "table") ||
        a.path == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "Provided Arn is not a DynamoDB resource arn: %s", arn);
    if (ddb_arn_is(&a, "index") && a.id != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            INVALID "Invalid resource arn provided, only table or stream is accepted. Provided "
                                    "resource arn: %s", arn);
    if (a.sub != NULL && !(ddb_arn_is(&a, "stream") && a.id_len > 0))
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "Provided Arn is not a DynamoDB resource arn: %s", arn);
    if (a.region_len != strlen(region) || memcmp(a.region, region, a.region_len) != 0 || a.partition_len != 3 ||
        memcmp(a.partition, "aws", 3) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "Invalid resource Arn: %s", arn);
    if (a.account_len != strlen(account) || memcmp(a.account, account, a.account_len) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "This action is only supported by accounts that match the resource owner\xe2\x80\x99s "
                            "account.");
    out->table = ddb_arena_strndup(req->arena, a.name, a.name_len);
    out->stream_label = a.sub != NULL ? a.id : NULL;
    if (!ddb_v_name_chars_ok(a.name, a.name_len) || a.name_len < 3 || a.name_len > 255)
        return ddb_req_fail(req, DDB_E_VALIDATION, INVALID "Invalid resource Arn: %s", arn);
    return DDB_OK;
}

/* ---- the document ---- */

static const ddb_json *member(const ddb_json *obj, const char *name)
{
    return ddb_rbp_member(obj, name);
}

static int is_stream_action(const char *a)
{
    return strcasecmp(a, "dynamodb:DescribeStream") == 0 || strcasecmp(a, "dynamodb:GetRecords") == 0 ||
           strcasecmp(a, "dynamodb:GetShardIterator") == 0;
}

/* The actions of a statement a resource of this kind does not take, quoted and comma-separated. */
static const char *invalid_actions(ddb_arena *a, const ddb_json *actions, int stream)
{
    ddb_buf b = {0};
    const char *out = NULL;
    uint32_t n = actions == NULL ? 0 : actions->type == DDB_JSON_ARRAY ? actions->n : 1;

    for (uint32_t i = 0; i < n; i++) {
        const ddb_json *v = actions->type == DDB_JSON_ARRAY ? actions->u.items[i] : actions;
        if (v->type != DDB_JSON_STRING || strchr(v->u.s, '*') != NULL)
            continue;
        if (strncasecmp(v->u.s, "dynamodb:", 9) == 0 && (stream ? is_stream_action(v->u.s) : !is_stream_action(v->u.s)))
            continue;
        ddb_buf_printf(&b, "%s\"%s\"", b.len ? ", " : "", v->u.s);
    }
    if (b.len > 0)
        out = ddb_arena_sprintf(a, BAD_DOC "The following action names are invalid: %.*s", (int)b.len, b.data);
    ddb_buf_free(&b);
    return out;
}

/* A variable in a Resource's resource part (where IAM substitutes) naming a key ddbd lacks. */
static const char *resource_var_unknown(ddb_arena *a, const ddb_json *st)
{
    const ddb_json *v = member(st, "Resource");
    const char *msg = NULL;

    if (v == NULL)
        v = member(st, "NotResource");
    for (uint32_t i = 0; msg == NULL && i < (v->type == DDB_JSON_ARRAY ? v->n : 1); i++) {
        const char *r = (v->type == DDB_JSON_ARRAY ? v->u.items[i] : v)->u.s;
        msg = ddb_rbp_var_unknown(a, r, ddb_rbp_resource_part(r));
    }
    return msg;
}

/* Whether a principal ARN names a user ("arn:PARTITION:iam::ACCOUNT:user/[PATH/]NAME") that no key
   of the file is: such a principal names no one who can ever call, and a Deny naming it denies
   no one. (The grammar checked the ARN's shape: rbp_grammar.c.) */
static int unknown_user(const struct ddb_auth *auth, const char *s)
{
    const char *iam = strstr(s, ":iam::"), *acct, *name;

    if (strncmp(s, "arn:", 4) != 0 || iam == NULL || strncmp(iam + 18, ":user/", 6) != 0)
        return 0;
    acct = iam + 6;
    name = strrchr(iam + 24, '/');
    return !ddb_auth_user_known(auth, acct, 12, name != NULL ? name + 1 : iam + 24);
}

/* A user no key of the file is, named among the statement's AWS principals. */
static int names_unknown_user(const struct ddb_auth *auth, const ddb_json *st)
{
    const ddb_json *p = member(st, "Principal"), *aws;

    if (p == NULL)
        p = member(st, "NotPrincipal");
    if (auth == NULL || p == NULL || p->type != DDB_JSON_OBJECT || (aws = member(p, "AWS")) == NULL)
        return 0;
    for (uint32_t i = 0; i < (aws->type == DDB_JSON_ARRAY ? aws->n : 1); i++)
        if (unknown_user(auth, (aws->type == DDB_JSON_ARRAY ? aws->u.items[i] : aws)->u.s))
            return 1;
    return 0;
}

const char *ddb_policy_doc_rules(ddb_arena *a, const char *doc, size_t len, int stream, const struct ddb_auth *auth)
{
    const ddb_json *root, *stmts, *version;
    const char *msg;
    uint32_t n;
    int vars;

    if (len > MAX_POLICY_BYTES)
        return INVALID "Maximum policy size of 20480 bytes exceeded";
    root = ddb_json_parse(a, doc, len);
    if (root == NULL || root->type != DDB_JSON_OBJECT)
        return BAD_DOC "This policy contains invalid Json";
    if ((msg = ddb_rbp_duplicates(a, root)) != NULL || (msg = ddb_rbp_doc_grammar(root)) != NULL)
        return ddb_arena_sprintf(a, BAD_DOC "%s", msg);
    stmts = member(root, "Statement");
    version = member(root, "Version");
    vars = version != NULL && strcmp(version->u.s, "2012-10-17") == 0; /* (a string: the grammar) */
    n = stmts == NULL ? 0 : stmts->type == DDB_JSON_ARRAY ? stmts->n : 1;
    if (n == 0)
        return BAD_DOC "Could not parse the policy: Statement is empty!";
    for (uint32_t i = 0; i < n; i++) {
        const ddb_json *st = stmts->type == DDB_JSON_ARRAY ? stmts->u.items[i] : stmts, *sid = member(st, "Sid");
        if (st->type != DDB_JSON_OBJECT)
            return BAD_DOC "This policy contains invalid Json";
        if ((msg = ddb_rbp_statement_grammar(st)) != NULL)
            return ddb_arena_sprintf(a, BAD_DOC "%s", msg);
        if (names_unknown_user(auth, st))
            return BAD_DOC DDB_RBP_BAD_PRINCIPAL;
        if ((msg = invalid_actions(a, member(st, "Action"), stream)) != NULL)
            return msg;
        for (uint32_t j = 0; sid != NULL && sid->type == DDB_JSON_STRING && j < i; j++) {
            const ddb_json *other = member(stmts->u.items[j], "Sid");
            if (other != NULL && other->type == DDB_JSON_STRING && strcmp(other->u.s, sid->u.s) == 0)
                return BAD_DOC "The Statement Ids in the policy are not unique";
        }
        if ((msg = ddb_rbp_condition_unknown(a, member(st, "Condition"), vars)) != NULL ||
            (vars && (msg = resource_var_unknown(a, st)) != NULL))
            return ddb_arena_sprintf(a, BAD_DOC "ddbd does not evaluate %s (docs/security.md lists what it does)", msg);
        if (ddb_rbp_statement_public(st))
            return UNBOUNDED;
    }
    return NULL;
}

/* ---- the operations ---- */

static const char *arn_only(ddb_req *req, const ddb_json *in)
{
    ddb_policy_target t;

    if (ddb_policy_arn_split(req, ddb_v_get(in, "ResourceArn")->u.s, &t) != DDB_OK)
        return req->err.msg != NULL ? req->err.msg : "";
    return NULL;
}

static const char *put_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *doc = ddb_v_get(in, "Policy");
    ddb_policy_target t;

    if (ddb_policy_arn_split(req, ddb_v_get(in, "ResourceArn")->u.s, &t) != DDB_OK)
        return req->err.msg != NULL ? req->err.msg : "";
    return ddb_policy_doc_rules(req->arena, doc->u.s, doc->n, t.stream_label != NULL, req->auth);
}

/* CreateTable's ResourcePolicy (after its other rules). */
const char *ddb_create_table_policy_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *doc = ddb_v_get(in, "ResourcePolicy");

    if (doc == NULL || doc->type != DDB_JSON_STRING)
        return NULL;
    return ddb_policy_doc_rules(req->arena, doc->u.s, doc->n, 0, req->auth);
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_put_resource_policy = {PUT_FIELDS, put_rules};
const ddb_spec ddb_spec_get_resource_policy = {GET_FIELDS, arn_only};
const ddb_spec ddb_spec_delete_resource_policy = {DELETE_FIELDS, arn_only};
