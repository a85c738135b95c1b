/*
 * server/api/policy.c: access policies of --auth keys (see auth.h): which operations a key may
 * call and on which tables, refused as IAM refuses them:
 *   AccessDeniedException "User: arn:aws:iam::123456789012:user/alice is not authorized to perform:
 *   dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders because no
 *   identity-based policy allows the dynamodb:PutItem action"
 * An operation that names no table (ListTables, DescribeLimits, ...) is checked on the action
 * alone, against resource `*`.
 */
#include <fnmatch.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/auth.h"
#include "server/api/validate.h"

#define DEFAULT_ACCOUNT "000000000000"

/*
 * What `allow=read` stands for: the operations flagged DDB_OPF_READ in proto/ops.def, and
 * PartiQL's SELECT (an IAM action that is no operation; ops_partiql.c asks for it).
 */
static int read_action(const char *action)
{
    return strcmp(action, "PartiQLSelect") == 0 ||
           (ddb_op_flags(ddb_op_from_name(action, strlen(action))) & DDB_OPF_READ) != 0;
}

static int action_matches(const char *pattern, const char *action)
{
    if (strncmp(pattern, "dynamodb:", 9) == 0)
        pattern += 9;
    if (strcmp(pattern, "read") == 0)
        return read_action(action);
    return fnmatch(pattern, action, 0) == 0;
}

static int allowed(const ddb_auth_key *k, const char *action, const char *table)
{
    int ok = k->nallow == 0;

    for (size_t i = 0; i < k->nallow && !ok; i++)
        ok = action_matches(k->allow[i], action);
    if (!ok || table == NULL || k->ntables == 0)
        return ok;
    for (size_t i = 0; i < k->ntables; i++)
        if (fnmatch(k->tables[i], table, 0) == 0)
            return 1;
    return 0;
}

/* The resource's ARN: a table's, a stream's, or "*" for an operation on no table. */
static const char *resource_arn(ddb_req *req, const ddb_auth_key *k, const char *table, const char *label)
{
    const char *account = k->account ? k->account : DEFAULT_ACCOUNT;
    const char *region = req->region ? req->region : "us-east-1";

    if (table == NULL)
        return "*";
    return ddb_arena_sprintf(req->arena, "arn:aws:dynamodb:%s:%s:table/%s%s%s", region, account, table,
                             label ? "/stream/" : "", label ? label : "");
}

static const char *user_arn(ddb_req *req, const ddb_auth_key *k)
{
    return ddb_arena_sprintf(req->arena, "arn:aws:iam::%s:user/%s", k->account ? k->account : DEFAULT_ACCOUNT,
                             k->user ? k->user : k->access_key);
}

static int deny(ddb_req *req, const ddb_auth_key *k, const char *action, const char *table, const char *label)
{
    return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: dynamodb:%s on resource: %s because no "
                        "identity-based policy allows the dynamodb:%s action",
                        user_arn(req, k), action, resource_arn(req, k, table, label), action);
}

/*
 * One action on one table (or stream): an explicit Deny of the resource's policy refuses it; else
 * the key's own rules or (the same account: the only one a request reaches) the policy's Allow
 * grant it (IAM's evaluation for a principal of the resource's account).
 */
static int decide(const ddb_auth_key *k, ddb_req *req, const char *action, const char *table, const char *label,
                  ddb_policy_lookup rbp)
{
    const char *doc = table != NULL && rbp != NULL ? rbp(req, table, label) : NULL;
    ddb_rbp_decision d = DDB_RBP_NONE;

    if (doc != NULL) {
        const char *account = k->account ? k->account : DEFAULT_ACCOUNT;
        ddb_rbp_caller c = {account, user_arn(req, k)};
        const char *resource = resource_arn(req, k, table, label);
        d = ddb_rbp_decide(req->arena, doc, &c, ddb_arena_sprintf(req->arena, "dynamodb:%s", action), resource);
        if (d == DDB_RBP_DENY)
            return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                                "User: %s is not authorized to perform: dynamodb:%s on resource: %s with an explicit "
                                "deny in a resource-based policy",
                                c.arn, action, resource);
    }
    if (d == DDB_RBP_ALLOW || allowed(k, action, table))
        return DDB_OK;
    return deny(req, k, action, table, label);
}

int ddb_auth_caller(const ddb_auth *a, ddb_req *req, ddb_rbp_caller *out)
{
    const ddb_auth_key *k = a != NULL && req->access_key != NULL ? ddb_auth_key_of(a, req->access_key) : NULL;

    if (k == NULL)
        return -1;
    out->account = k->account ? k->account : DEFAULT_ACCOUNT;
    out->arn = user_arn(req, k);
    return 0;
}

int ddb_auth_allow(const ddb_auth *a, ddb_req *req, const char *action, const char *table)
{
    const ddb_auth_key *k = ddb_auth_key_of(a, req->access_key);

    if (k == NULL || allowed(k, action, table))
        return DDB_OK;
    return deny(req, k, action, table, NULL);
}

/* A table's name from a name or an ARN ("arn:aws:dynamodb:r:a:table/T[/stream/L|/index/...]"),
   and a stream ARN's label (else NULL) into *label. */
static const char *table_of(ddb_req *req, const ddb_json *v, const char **label)
{
    const char *s, *t, *end;

    *label = NULL;
    if (v == NULL || v->type != DDB_JSON_STRING)
        return NULL;
    s = v->u.s;
    if (strncmp(s, "arn:", 4) != 0)
        return s;
    if ((t = strstr(s, ":table/")) == NULL)
        return s;
    t += 7;
    end = strchr(t, '/');
    if (end != NULL && strncmp(end, "/stream/", 8) == 0)
        *label = end + 8;
    return ddb_arena_strndup(req->arena, t, end ? (size_t)(end - t) : strlen(t));
}

/* Every table of a request: TableName, ResourceArn/StreamArn, RequestItems, TransactItems. */
static int each_table(const ddb_auth_key *k, ddb_req *req, const char *action, const ddb_json *body,
                      ddb_policy_lookup rbp)
{
    static const char *const single[] = {"TableName", "ResourceArn", "StreamArn"};
    static const char *const acts[] = {"Put", "Update", "Delete", "ConditionCheck", "Get"};
    const ddb_json *items = body ? ddb_json_get(body, "RequestItems") : NULL;
    const ddb_json *tx = body ? ddb_json_get(body, "TransactItems") : NULL;
    const char *label;
    int named = 0;

    for (size_t i = 0; body != NULL && i < 3; i++) {
        const char *t = table_of(req, ddb_json_get(body, single[i]), &label);
        if (t != NULL && (named = 1) && decide(k, req, action, t, label, rbp) != DDB_OK)
            return req->err.code;
    }
    for (uint32_t i = 0; items != NULL && items->type == DDB_JSON_OBJECT && i < items->n; i++) {
        named = 1;
        if (decide(k, req, action, items->u.members[i].key, NULL, rbp) != DDB_OK)
            return req->err.code;
    }
    for (uint32_t i = 0; tx != NULL && tx->type == DDB_JSON_ARRAY && i < tx->n; i++) {
        for (size_t j = 0; j < sizeof(acts) / sizeof(acts[0]); j++) {
            const char *t = table_of(req, ddb_json_get(ddb_json_get(tx->u.items[i], acts[j]), "TableName"), &label);
            if (t != NULL && (named = 1) && decide(k, req, action, t, NULL, rbp) != DDB_OK)
                return req->err.code;
        }
    }
    if (!named && !allowed(k, action, NULL))
        return deny(req, k, action, NULL, NULL);
    return DDB_OK;
}

int ddb_auth_authorize(const ddb_auth *a, ddb_req *req, int op, const ddb_json *body, ddb_policy_lookup rbp)
{
    const ddb_auth_key *k = ddb_auth_key_of(a, req->access_key);

    if (k == NULL || (k->nallow == 0 && k->ntables == 0 && rbp == NULL))
        return DDB_OK;
    /* PartiQL's actions and tables are known once its statements are parsed (ops_partiql.c) */
    if (ddb_op_flags((ddb_op)op) & DDB_OPF_POLICY_IN_HANDLER)
        return DDB_OK;
    return each_table(k, req, ddb_op_name(op), body != NULL && body->type == DDB_JSON_OBJECT ? body : NULL, rbp);
}
