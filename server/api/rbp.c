/*
 * server/api/rbp.c: a resource-based policy's decision on one request (see auth.h, ddb_rbp_decide).
 *
 * IAM's evaluation ("Policy evaluation logic") reduced to what a DynamoDB table or stream policy
 * holds: a statement applies when its Principal names the caller (its user ARN, its account's root
 * ARN or the bare account id, or "*"), its Action one the request performs ("dynamodb:GetItem",
 * case folded), its Resource the request's resource (an ARN, field by field), or its NotPrincipal,
 * NotAction, NotResource do not, and its Condition holds (rbp_condition.c). An applicable Deny
 * wins over any Allow; Effect is case-sensitive. Wildcards are IAM's two, * and ?, matched here
 * (not fnmatch, whose [..] classes IAM does not have). What PutResourcePolicy stores has passed
 * IAM's grammar (rbp_grammar.c): one reading, the one taken here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/json.h"
#include "server/api/auth.h"
#include "server/api/rbp.h"

static const ddb_json *member(const ddb_json *obj, const char *name)
{
    return ddb_rbp_member(obj, name);
}

/* Whether any string of v (a string or a list of them) satisfies match(pattern, ctx). */
static int any(const ddb_json *v, int (*match)(const char *pattern, const void *ctx), const void *ctx)
{
    if (v == NULL)
        return 0;
    if (v->type == DDB_JSON_STRING)
        return match(v->u.s, ctx);
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++)
        if (v->u.items[i]->type == DDB_JSON_STRING && match(v->u.items[i]->u.s, ctx))
            return 1;
    return 0;
}

/* Actions are matched case-insensitively, service prefix included (IAM: "dynamodb:getitem"). */
static int action_match(const char *pattern, const void *ctx)
{
    return ddb_rbp_wild(pattern, ctx, 1);
}

typedef struct resource_ctx {
    const char *resource;
    int any_region;
} resource_ctx;

static int resource_match(const char *pattern, const void *ctx)
{
    const resource_ctx *r = ctx;

    return ddb_rbp_arn_match(pattern, r->resource, r->any_region);
}

static int principal_match(const char *p, const void *ctx)
{
    const ddb_rbp_caller *c = ctx;
    size_t alen = strlen(c->account);

    if (strcmp(p, "*") == 0 || strcmp(p, c->account) == 0 || strcmp(p, c->arn) == 0)
        return 1;
    /* arn:aws:iam::<account>:root: every principal of the account */
    return strncmp(p, "arn:aws:iam::", 13) == 0 && strncmp(p + 13, c->account, alen) == 0 &&
           strcmp(p + 13 + alen, ":root") == 0;
}

static int names_caller(const ddb_json *principal, const ddb_rbp_caller *c)
{
    if (principal == NULL)
        return 0;
    if (principal->type == DDB_JSON_STRING)
        return strcmp(principal->u.s, "*") == 0;
    return any(member(principal, "AWS"), principal_match, c);
}

/* Whether a statement's element `name` or its negation `Not<name>` (IAM's NotPrincipal,
   NotAction, NotResource: every one but those listed) takes the request in. */
static int element_takes(const ddb_json *st, const char *name, int (*match)(const ddb_json *, const void *),
                         const void *ctx)
{
    const ddb_json *v = member(st, name), *not;
    char not_name[16];

    if (v != NULL)
        return match(v, ctx);
    snprintf(not_name, sizeof(not_name), "Not%s", name);
    not = member(st, not_name);
    return not != NULL && !match(not, ctx);
}

static int principal_takes(const ddb_json *v, const void *c)
{
    return names_caller(v, c);
}

static int action_takes(const ddb_json *v, const void *action)
{
    return any(v, action_match, action);
}

static int resource_takes(const ddb_json *v, const void *rc)
{
    return any(v, resource_match, rc);
}

ddb_rbp_decision ddb_rbp_decide(ddb_arena *a, const char *doc, const ddb_rbp_caller *c, const char *action,
                                const char *resource, int any_region)
{
    resource_ctx rc = {resource, any_region};
    const ddb_json *root = doc != NULL ? ddb_json_parse(a, doc, strlen(doc)) : NULL;
    const ddb_json *stmts = member(root, "Statement");
    uint32_t n = stmts == NULL ? 0 : stmts->type == DDB_JSON_ARRAY ? stmts->n : 1;
    ddb_rbp_decision d = DDB_RBP_NONE;

    for (uint32_t i = 0; i < n; i++) {
        const ddb_json *st = stmts->type == DDB_JSON_ARRAY ? stmts->u.items[i] : stmts;
        const ddb_json *effect = member(st, "Effect");
        int deny;
        const ddb_json *cond = member(st, "Condition");
        if (effect == NULL || effect->type != DDB_JSON_STRING)
            continue;
        deny = strcmp(effect->u.s, "Deny") == 0; /* IAM: "The Effect value is case sensitive." */
        if (!deny && strcmp(effect->u.s, "Allow") != 0)
            continue;
        if (!element_takes(st, "Principal", principal_takes, c) || !element_takes(st, "Action", action_takes, action) ||
            !element_takes(st, "Resource", resource_takes, &rc))
            continue;
        if (cond != NULL && (cond->type != DDB_JSON_OBJECT || !ddb_rbp_condition_holds(cond, c)))
            continue;
        if (deny)
            return DDB_RBP_DENY;
        d = DDB_RBP_ALLOW;
    }
    return d;
}
