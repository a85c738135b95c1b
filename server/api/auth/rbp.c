/*
 * server/api/auth/rbp.c: a resource-based policy's decision on one request (see auth.h, ddb_rbp_decide).
 *
 * IAM's evaluation ("Policy evaluation logic") reduced to what a DynamoDB table or stream policy
 * holds: a statement applies when its Principal names the caller (its user ARN, its account's root
 * ARN or the bare account id, or "*") or its NotPrincipal does not name both of its identities
 * (principal_takes), its Action one the request performs ("dynamodb:GetItem", case folded), its
 * Resource the request's resource (an ARN, field by field), or its NotAction, NotResource do not,
 * and its Condition holds (rbp_condition.c), with its policy variables substituted (rbp_vars.c). An applicable Deny
 * wins over any Allow; Effect is case-sensitive. Wildcards are IAM's two, * and ?, matched here
 * (not fnmatch, whose [..] classes IAM does not have). What PutResourcePolicy stores has passed
 * IAM's grammar (rbp_grammar.c): one reading, the one taken here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/json.h"
#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"

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
    return ddb_rbp_wild(pattern, NULL, ctx, 1);
}

/* What a statement is evaluated against: the request, and whether the document's variables are
   substituted (Version 2012-10-17 and a "${" in it: rbp_vars.c). */
typedef struct request {
    ddb_arena *a;
    const ddb_rbp_caller *c;
    const char *resource;
    int any_region, vars;
    int same; /* the resource is of the caller's account */
} request;

/* A Resource or NotResource entry: its variables substituted in the resource part (after the
   fifth colon, as IAM does); one without a value matches nothing (the statement was set aside). */
static int resource_match(const char *pattern, const void *ctx)
{
    const request *r = ctx;
    ddb_rbp_text p = {pattern, NULL};

    if (r->vars && !ddb_rbp_subst(r->a, r->c, pattern, ddb_rbp_resource_part(pattern), &p))
        return 0;
    return ddb_rbp_arn_match(p.s, p.lit, r->resource, r->any_region);
}

static int unresolved_resource(const char *pattern, const void *ctx)
{
    const request *r = ctx;
    ddb_rbp_text p;

    return !ddb_rbp_subst(r->a, r->c, pattern, ddb_rbp_resource_part(pattern), &p);
}

/*
 * The identities IAM evaluates a user's request as ("AWS JSON policy elements: NotPrincipal"):
 * the user (its ARN) and the account that contains it (its root ARN, or the bare account id).
 * "*" names both. A Principal names the caller when it names either (the account's root names
 * every principal of the account); a NotPrincipal exempts it only when it names both, which is
 * why IAM's guide lists the user's ARN *and* its account's root: a Deny with NotPrincipal
 * [user/admin] alone still denies admin (its account is not exempt), and [user/admin, root]
 * denies every other user of the account (their own ARN is not listed).
 */
enum { ID_USER = 1, ID_ACCOUNT = 2, ID_BOTH = 3 };

static int is_root(const char *p, const ddb_rbp_caller *c)
{
    size_t alen = strlen(c->account);

    return strncmp(p, "arn:aws:iam::", 13) == 0 && strncmp(p + 13, c->account, alen) == 0 &&
           strcmp(p + 13 + alen, ":root") == 0;
}

/* Which of the caller's identities one AWS principal name names. */
static int identities_of(const char *p, const ddb_rbp_caller *c)
{
    if (strcmp(p, "*") == 0)
        return ID_BOTH;
    if (strcmp(p, c->arn) == 0)
        return ID_USER;
    return strcmp(p, c->account) == 0 || is_root(p, c) ? ID_ACCOUNT : 0;
}

/* The caller's identities a Principal or NotPrincipal element names (a bit set). */
static int named(const ddb_json *principal, const ddb_rbp_caller *c)
{
    const ddb_json *aws;
    int ids = 0;

    if (principal == NULL)
        return 0;
    if (principal->type == DDB_JSON_STRING)
        return strcmp(principal->u.s, "*") == 0 ? ID_BOTH : 0;
    if ((aws = member(principal, "AWS")) == NULL)
        return 0;
    if (aws->type == DDB_JSON_STRING)
        return identities_of(aws->u.s, c);
    for (uint32_t i = 0; aws->type == DDB_JSON_ARRAY && i < aws->n; i++)
        if (aws->u.items[i]->type == DDB_JSON_STRING)
            ids |= identities_of(aws->u.items[i]->u.s, c);
    return ids;
}

/*
 * Whether a statement's Principal, or NotPrincipal, takes the caller in. A Deny's NotPrincipal
 * takes in every caller it does not name as both identities (IAM's rule, above). An Allow's
 * (Block Public Access lets one through only with a confining Condition; IAM's guide now calls it
 * unsupported) grants only a caller it names as neither: stricter than IAM, never looser. An
 * Allow naming the caller's own account (its id or root) "delegates authority to the account"
 * (IAM's "Principal" page): a user of it still needs its own permissions, the key's rules, so in
 * the resource's own account such an Allow grants nothing; naming the account of a caller from
 * another one, it is the resource side of a cross-account grant (policy.c requires both sides).
 */
static int principal_takes(const ddb_json *st, const request *r, int deny)
{
    const ddb_json *p = member(st, "Principal"), *not = member(st, "NotPrincipal");

    if (p != NULL)
        return deny || !r->same ? named(p, r->c) != 0 : (named(p, r->c) & ID_USER) != 0;
    if (not == NULL)
        return 0;
    return deny ? named(not, r->c) != ID_BOTH : named(not, r->c) == 0;
}

/* Whether an ARN's account field is the caller's. */
static int of_account(const char *arn, const char *account)
{
    size_t at = 0, n = strlen(account);

    for (int i = 0; i < 4 && arn[at] != '\0'; i++) {
        const char *colon = strchr(arn + at, ':');
        if (colon == NULL)
            return 0;
        at = (size_t)(colon + 1 - arn);
    }
    return strncmp(arn + at, account, n) == 0 && arn[at + n] == ':';
}

/* Whether a statement's element `name` or its negation `Not<name>` (IAM's NotAction,
   NotResource: every one but those listed) takes the request in. */
static int element_takes(const ddb_json *st, const char *name, int (*match)(const char *, const void *),
                         const void *ctx)
{
    const ddb_json *v = member(st, name), *not;
    char not_name[16];

    if (v != NULL)
        return any(v, match, ctx);
    snprintf(not_name, sizeof(not_name), "Not%s", name);
    not = member(st, not_name);
    return not != NULL && !any(not, match, ctx);
}

/* Whether every variable of a statement's Resource (or NotResource) and Condition has a value for
   the caller: IAM holds a statement with one that has none invalid (rbp_vars.c). */
static int resolves(const ddb_json *st, const request *r)
{
    const ddb_json *res = member(st, "Resource");

    if (res == NULL)
        res = member(st, "NotResource");
    return !any(res, unresolved_resource, r) && ddb_rbp_condition_resolves(r->a, member(st, "Condition"), r->c);
}

/* Variables are substituted under Version 2012-10-17 only ("IAM policy elements: Variables"). */
static int substitutes(const ddb_json *root, const char *doc)
{
    const ddb_json *v = member(root, "Version");

    return v != NULL && v->type == DDB_JSON_STRING && strcmp(v->u.s, "2012-10-17") == 0 && strstr(doc, "${") != NULL;
}

ddb_rbp_decision ddb_rbp_decide(ddb_arena *a, const char *doc, const ddb_rbp_caller *c, const char *action,
                                const char *resource, int any_region)
{
    const ddb_json *root = doc != NULL ? ddb_json_parse(a, doc, strlen(doc)) : NULL;
    const ddb_json *stmts = member(root, "Statement");
    uint32_t n = stmts == NULL ? 0 : stmts->type == DDB_JSON_ARRAY ? stmts->n : 1;
    request r = {a, c, resource, any_region, root != NULL && substitutes(root, doc), of_account(resource, c->account)};
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
        if (!principal_takes(st, &r, deny) || (r.vars && !resolves(st, &r)) ||
            !element_takes(st, "Action", action_match, action) || !element_takes(st, "Resource", resource_match, &r))
            continue;
        if (cond != NULL && (cond->type != DDB_JSON_OBJECT || !ddb_rbp_condition_holds(a, cond, c, r.vars)))
            continue;
        if (deny)
            return DDB_RBP_DENY;
        d = DDB_RBP_ALLOW;
    }
    return d;
}
