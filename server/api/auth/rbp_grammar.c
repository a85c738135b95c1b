/*
 * server/api/auth/rbp_grammar.c: what IAM's policy grammar refuses in a resource-based policy, so that
 * PutResourcePolicy and CreateTable's ResourcePolicy store only documents that have one reading,
 * the one IAM gives them (validate_policy.c calls these in DynamoDB's order; rbp.c evaluates what
 * passes).
 *
 * The rules are the IAM user guide's ("IAM JSON policy element reference", "Grammar of the IAM
 * JSON policy language", the element pages): a document holds Version (2012-10-17 or 2008-10-17),
 * Id and Statement only; a statement holds Sid, Effect, Principal or NotPrincipal, Action or
 * NotAction, Resource or NotResource, and Condition, each at most once ("Some JSON policy elements
 * are mutually exclusive"); Effect is Allow or Deny ("The Effect value is case sensitive"); a
 * resource-based policy names its principals (Principal or NotPrincipal is required); a principal
 * is "*" or a map of AWS, Service, Federated, CanonicalUser to names without a wildcard ("You
 * cannot use a wildcard to match part of a principal name or ARN"), an AWS name "*", an account id
 * or an ARN; no principal is empty or holds a blank (" 111122223333", "user/plain "), no resource
 * is empty, padded or holds a control character: IAM refuses those, and stored they would name no
 * one, so a Deny naming one would deny no one (issue 61). A member named twice in any object (in
 * any case: element and condition key names are case-insensitive) is refused: the evaluator would
 * read the first and a JSON reader the last.
 *
 * The texts: "Missing required field <Element>" is DynamoDB's own for Resource (captured, see
 * validate_policy.c) and IAM's for the others; a duplicate member is refused as the JSON it is not
 * to a strict reader ("This policy contains invalid Json", DynamoDB's text); the rest have IAM's
 * CreatePolicy texts ("Syntax errors in policy.") and KMS's for principals, not captured from
 * DynamoDB (docs/compatibility.md).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/api/auth/rbp.h"

#define SYNTAX "Syntax errors in policy."
#define BAD_PRINCIPAL DDB_RBP_BAD_PRINCIPAL

/* ---- duplicates ---- */

static int by_name(const void *x, const void *y)
{
    return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

/* Whether an object (or anything below) names a member twice; sorted, so a 20 KB document of
   one flat object costs n log n, not n². */
static int has_duplicates(ddb_arena *a, const ddb_json *v)
{
    if (v->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->n; i++)
            if (has_duplicates(a, v->u.items[i]))
                return 1;
        return 0;
    }
    if (v->type != DDB_JSON_OBJECT)
        return 0;
    if (v->n > 1) {
        const char **keys = ddb_arena_alloc(a, v->n * sizeof(*keys));
        for (uint32_t i = 0; i < v->n; i++)
            keys[i] = v->u.members[i].key;
        qsort(keys, v->n, sizeof(*keys), by_name);
        for (uint32_t i = 1; i < v->n; i++)
            if (strcasecmp(keys[i - 1], keys[i]) == 0)
                return 1;
    }
    for (uint32_t i = 0; i < v->n; i++)
        if (has_duplicates(a, v->u.members[i].val))
            return 1;
    return 0;
}

const char *ddb_rbp_duplicates(ddb_arena *a, const ddb_json *root)
{
    return has_duplicates(a, root) ? "This policy contains invalid Json" : NULL;
}

/* ---- the document ---- */

static int named(const char *key, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcasecmp(key, names[i]) == 0)
            return 1;
    return 0;
}

const char *ddb_rbp_doc_grammar(const ddb_json *root)
{
    static const char *const TOP[] = {"Version", "Id", "Statement", NULL};
    const ddb_json *version = ddb_rbp_member(root, "Version"), *id = ddb_rbp_member(root, "Id");

    for (uint32_t i = 0; i < root->n; i++)
        if (!named(root->u.members[i].key, TOP))
            return SYNTAX;
    if (version != NULL && (version->type != DDB_JSON_STRING ||
                            (strcmp(version->u.s, "2012-10-17") != 0 && strcmp(version->u.s, "2008-10-17") != 0)))
        return SYNTAX;
    if (id != NULL && id->type != DDB_JSON_STRING)
        return SYNTAX;
    return NULL;
}

/* ---- one statement ---- */

/* A string, or a non-empty list of strings (Action, Resource, a principal map's values). */
static int strings(const ddb_json *v)
{
    if (v->type == DDB_JSON_STRING)
        return 1;
    if (v->type != DDB_JSON_ARRAY || v->n == 0)
        return 0;
    for (uint32_t i = 0; i < v->n; i++)
        if (v->u.items[i]->type != DDB_JSON_STRING)
            return 0;
    return 1;
}

/* A name with a blank or a control character in it (" 111122223333", "user/plain "): IAM
   refuses it; stored, it would name no one, so a Deny naming it would deny no one. */
static int blank_in(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 1;
    return 0;
}

/* A byte past ASCII: a principal with one (U+00A0, U+200B, a Cyrillic letter in a name) names no
   one IAM knows, and IAM refuses it. */
static int non_ascii_in(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* [s, s+n) is 12 digits: an account id. */
static int account_id(const char *s, size_t n)
{
    return n == 12 && strspn(s, "0123456789") >= 12;
}

/* An IAM name (a user's, a role's, a session's): min to 64 of [A-Za-z0-9+=,.@_-], up to the end. */
static int iam_name(const char *s, size_t min)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-");

    return s[n] == '\0' && n >= min && n <= 64;
}

/* "[path/]name" of a user or a role: each path segment printable ASCII (IAM's path, U+0021 to
   U+007E), the name an IAM name. */
static int path_and_name(const char *s)
{
    const char *last = strrchr(s, '/');

    for (const char *p = s; p < (last != NULL ? last : s); p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return iam_name(last != NULL ? last + 1 : s, 1);
}

/* After "arn:PARTITION:SERVICE::ACCOUNT:", what IAM takes as a principal: the account's root, a
   user or a role; STS's assumed-role session or federated user. */
static int principal_resource_ok(const char *service, const char *r)
{
    const char *slash;

    if (strcmp(service, "iam") == 0)
        return strcmp(r, "root") == 0 || (strncmp(r, "user/", 5) == 0 && path_and_name(r + 5)) ||
               (strncmp(r, "role/", 5) == 0 && path_and_name(r + 5));
    if (strncmp(r, "federated-user/", 15) == 0)
        return iam_name(r + 15, 2);
    if (strncmp(r, "assumed-role/", 13) != 0 || (slash = strchr(r + 13, '/')) == NULL || slash == r + 13)
        return 0;
    for (const char *p = r + 13; p < slash; p++)
        if (strchr("+=,.@_-", *p) == NULL && !isalnum((unsigned char)*p))
            return 0;
    return iam_name(slash + 1, 2);
}

/* arn:aws|aws-cn|aws-us-gov:iam|sts::ACCOUNT:RESOURCE, as IAM's principal ARNs are written. */
static int principal_arn_ok(const char *s)
{
    static const char *const PARTITIONS[] = {"arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:", NULL};
    const char *p = NULL;

    for (int i = 0; PARTITIONS[i] != NULL && p == NULL; i++)
        if (strncmp(s, PARTITIONS[i], strlen(PARTITIONS[i])) == 0)
            p = s + strlen(PARTITIONS[i]);
    if (p == NULL || (strncmp(p, "iam::", 5) != 0 && strncmp(p, "sts::", 5) != 0) || !account_id(p + 5, 12) ||
        p[17] != ':')
        return 0;
    return principal_resource_ok(p[0] == 'i' ? "iam" : "sts", p + 18);
}

/* An AWS principal is "*", an account id (12 digits) or a principal's ARN: "user/plain",
   "arn:aws:iam::12345678901:root" (11 digits) and "arn:aws:iam::111122223333:user/" are none. */
static int aws_name_ok(const char *s)
{
    return strcmp(s, "*") == 0 || account_id(s, strlen(s)) || principal_arn_ok(s);
}

static int principal_name_ok(const char *kind, const char *s)
{
    if (s[0] == '\0' || blank_in(s) || non_ascii_in(s))
        return 0;
    if (strcmp(s, "*") != 0 && strpbrk(s, "*?") != NULL) /* no wildcard inside a name */
        return 0;
    return strcasecmp(kind, "AWS") != 0 || aws_name_ok(s);
}

/* "*", or {"AWS"|"Service"|"Federated"|"CanonicalUser": names}. */
static int principal_ok(const ddb_json *p)
{
    static const char *const KINDS[] = {"AWS", "Service", "Federated", "CanonicalUser", NULL};

    if (p->type == DDB_JSON_STRING)
        return strcmp(p->u.s, "*") == 0;
    if (p->type != DDB_JSON_OBJECT || p->n == 0)
        return 0;
    for (uint32_t i = 0; i < p->n; i++) {
        const ddb_json *v = p->u.members[i].val;
        if (!named(p->u.members[i].key, KINDS) || !strings(v))
            return 0;
        for (uint32_t j = 0; j < (v->type == DDB_JSON_ARRAY ? v->n : 1); j++)
            if (!principal_name_ok(p->u.members[i].key, v->type == DDB_JSON_ARRAY ? v->u.items[j]->u.s : v->u.s))
                return 0;
    }
    return 1;
}

/* The elements of a statement and the shape each must have. */
static const char *shapes(const ddb_json *st)
{
    static const char *const LISTS[] = {"Action", "NotAction", "Resource", "NotResource", NULL};
    static const char *const OTHERS[] = {"Sid", "Effect", "Principal", "NotPrincipal", "Condition", NULL};

    for (uint32_t i = 0; i < st->n; i++) {
        const char *key = st->u.members[i].key;
        const ddb_json *v = st->u.members[i].val;
        if (named(key, LISTS) ? !strings(v) : !named(key, OTHERS))
            return SYNTAX;
        if ((strcasecmp(key, "Sid") == 0 || strcasecmp(key, "Effect") == 0) && v->type != DDB_JSON_STRING)
            return SYNTAX;
    }
    return NULL;
}

/* Every Resource (or NotResource) entry non-empty, not padded (" arn:...", "arn:... ") and
   without a control character; a space inside is a variable's default's ("${k, 'a b'}"). */
static int resources_ok(const ddb_json *v)
{
    for (uint32_t i = 0; v != NULL && i < (v->type == DDB_JSON_ARRAY ? v->n : 1); i++) {
        const char *r = (v->type == DDB_JSON_ARRAY ? v->u.items[i] : v)->u.s;
        size_t n = strlen(r);
        if (n == 0 || r[0] == ' ' || r[n - 1] == ' ')
            return 0;
        for (size_t j = 0; j < n; j++)
            if ((unsigned char)r[j] < ' ' || r[j] == 0x7f)
                return 0;
    }
    return 1;
}

/* Exactly one of an element and its Not form: NULL, SYNTAX (both) or "Missing required field X". */
static const char *one_of(const ddb_json *st, const char *name, const char *missing)
{
    char not_name[16] = "Not";
    int has = ddb_rbp_member(st, name) != NULL;

    strncat(not_name, name, sizeof(not_name) - 4);
    if (has && ddb_rbp_member(st, not_name) != NULL)
        return SYNTAX;
    return has || ddb_rbp_member(st, not_name) != NULL ? NULL : missing;
}

const char *ddb_rbp_statement_grammar(const ddb_json *st)
{
    const ddb_json *effect = ddb_rbp_member(st, "Effect"), *p;
    const char *msg;

    if ((msg = shapes(st)) != NULL)
        return msg;
    if (effect == NULL)
        return "Missing required field Effect";
    if (strcmp(effect->u.s, "Allow") != 0 && strcmp(effect->u.s, "Deny") != 0)
        return SYNTAX;
    if ((msg = one_of(st, "Principal", "Missing required field Principal")) != NULL)
        return msg;
    p = ddb_rbp_member(st, "Principal");
    if (!principal_ok(p != NULL ? p : ddb_rbp_member(st, "NotPrincipal")))
        return BAD_PRINCIPAL;
    if ((msg = one_of(st, "Action", "Missing required field Action")) != NULL)
        return msg;
    if ((msg = one_of(st, "Resource", "Missing required field Resource")) != NULL)
        return msg;
    return resources_ok(ddb_rbp_member(st, "Resource")) && resources_ok(ddb_rbp_member(st, "NotResource")) ? NULL
                                                                                                          : SYNTAX;
}

/* ---- Block Public Access ---- */

/* Whether a principal element names everyone: "*", or "*" among its AWS names. */
static int everyone(const ddb_json *p)
{
    const ddb_json *aws;

    if (p == NULL)
        return 0;
    if (p->type == DDB_JSON_STRING)
        return strcmp(p->u.s, "*") == 0;
    if ((aws = ddb_rbp_member(p, "AWS")) == NULL)
        return 0;
    if (aws->type == DDB_JSON_STRING)
        return strcmp(aws->u.s, "*") == 0;
    for (uint32_t i = 0; aws->type == DDB_JSON_ARRAY && i < aws->n; i++)
        if (aws->u.items[i]->type == DDB_JSON_STRING && strcmp(aws->u.items[i]->u.s, "*") == 0)
            return 1;
    return 0;
}

/*
 * An Allow is public when it reaches principals its owner did not name: Principal "*" (or "*"
 * among its AWS names), or NotPrincipal (everyone but those listed), unless its Condition confines
 * it by a trusted key to named values (rbp_condition.c, ddb_rbp_condition_confines).
 */
int ddb_rbp_statement_public(const ddb_json *st)
{
    const ddb_json *effect = ddb_rbp_member(st, "Effect");

    if (effect == NULL || effect->type != DDB_JSON_STRING || strcmp(effect->u.s, "Allow") != 0)
        return 0;
    if (!everyone(ddb_rbp_member(st, "Principal")) && ddb_rbp_member(st, "NotPrincipal") == NULL)
        return 0;
    return !ddb_rbp_condition_confines(ddb_rbp_member(st, "Condition"));
}
