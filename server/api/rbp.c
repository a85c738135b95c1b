/*
 * server/api/rbp.c: a resource-based policy's decision on one request (see auth.h, ddb_rbp_decide).
 *
 * IAM's evaluation reduced to what a DynamoDB table or stream policy holds: a statement applies
 * when its Principal names the caller (its user ARN, its account's root ARN or the bare account
 * id, or "*"), its Action one the request performs ("dynamodb:GetItem", wildcards as IAM's, case
 * folded) and its Resource the request's resource (ARN patterns with * and ?). NotPrincipal,
 * NotAction and NotResource are not evaluated: a statement using them applies to nothing. Neither is
 * a Condition: a statement with one applies to nothing, so a conditional Allow grants nothing and a
 * conditional Deny denies nothing (docs/compatibility.md says so). An applicable Deny wins over any
 * Allow.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "proto/json.h"
#include "server/api/auth.h"

/* A statement member by its case-insensitive name, as IAM reads element names. */
static const ddb_json *member(const ddb_json *obj, const char *name)
{
    for (uint32_t i = 0; obj != NULL && obj->type == DDB_JSON_OBJECT && i < obj->n; i++)
        if (strcasecmp(obj->u.members[i].key, name) == 0)
            return obj->u.members[i].val;
    return NULL;
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

static int action_match(const char *pattern, const void *ctx)
{
    return fnmatch(pattern, ctx, FNM_CASEFOLD) == 0;
}

typedef struct resource_ctx {
    ddb_arena *a;
    const char *resource;
    int any_region;
} resource_ctx;

/* An ARN with its region field (the fourth) made "*", so that a pattern and a resource compare
   whatever regions they name; a text with fewer fields is returned as it is. */
static const char *region_free(ddb_arena *a, const char *arn)
{
    const char *p = arn;

    for (int i = 0; i < 3; i++)
        if ((p = strchr(p, ':')) == NULL)
            return arn;
        else
            p++;
    const char *end = strchr(p, ':');
    if (end == NULL)
        return arn;
    return ddb_arena_sprintf(a, "%.*s*%s", (int)(p - arn), arn, end);
}

static int resource_match(const char *pattern, const void *ctx)
{
    const resource_ctx *r = ctx;

    if (r->any_region)
        return fnmatch(region_free(r->a, pattern), region_free(r->a, r->resource), 0) == 0;
    return fnmatch(pattern, r->resource, 0) == 0;
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

ddb_rbp_decision ddb_rbp_decide(ddb_arena *a, const char *doc, const ddb_rbp_caller *c, const char *action,
                                const char *resource, int any_region)
{
    resource_ctx rc = {a, resource, any_region};
    const ddb_json *root = doc != NULL ? ddb_json_parse(a, doc, strlen(doc)) : NULL;
    const ddb_json *stmts = member(root, "Statement");
    uint32_t n = stmts == NULL ? 0 : stmts->type == DDB_JSON_ARRAY ? stmts->n : 1;
    ddb_rbp_decision d = DDB_RBP_NONE;

    for (uint32_t i = 0; i < n; i++) {
        const ddb_json *st = stmts->type == DDB_JSON_ARRAY ? stmts->u.items[i] : stmts;
        const ddb_json *effect = member(st, "Effect");
        int deny;
        if (effect == NULL || effect->type != DDB_JSON_STRING || member(st, "Condition") != NULL)
            continue;
        deny = strcasecmp(effect->u.s, "Deny") == 0;
        if (!deny && strcasecmp(effect->u.s, "Allow") != 0)
            continue;
        if (!names_caller(member(st, "Principal"), c) || !any(member(st, "Action"), action_match, action) ||
            !any(member(st, "Resource"), resource_match, &rc))
            continue;
        if (deny)
            return DDB_RBP_DENY;
        d = DDB_RBP_ALLOW;
    }
    return d;
}
