/*
 * server/api/auth/rbp_condition.c: a resource-based policy statement's Condition, evaluated as IAM
 * evaluates it for what a ddbd request's context holds (see auth.h, ddb_rbp_condition_holds).
 *
 * The context of a request signed by an --auth key: aws:PrincipalAccount (its account),
 * aws:PrincipalArn (arn:aws:iam::<account>:user/<name>), aws:username, aws:PrincipalType ("User")
 * and aws:PrincipalIsAWSService ("false"); the keys of principals and network paths ddbd's callers
 * never have (organizations, services, VPCs, source ARNs and accounts) are absent, as IAM leaves
 * them out of a user's direct request. Every key is single-valued. Operators:
 * String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike},
 * Arn{Equals,NotEquals,Like,NotLike}, Bool, each with IfExists and with a ForAnyValue: or
 * ForAllValues: set qualifier, and Null. IAM's rules ("Condition element", "Multiple context keys
 * or values", "Single-valued vs multivalued context keys"):
 *  - every operator of the block and every key of an operator must hold (AND);
 *  - a key holds when any of its values matches (OR); a negated operator holds when none does;
 *  - a key absent from the context fails a positive operator, passes a negated one, passes any
 *    ...IfExists; ForAnyValue: fails on an absent key, ForAllValues: passes (an empty set);
 *  - Null holds when any of its values says what the key is ("true": absent, "false": present);
 *  - String/Arn Like and the Arn operators match with * and ? only; the Arn operators field by
 *    field (rbp.c, ddb_rbp_arn_match); the key names are case-insensitive, the values not (but
 *    ...IgnoreCase and Bool);
 *  - the String and Arn operators' values take policy variables (rbp_vars.c), Bool and Null not.
 * Anything else (another key or operator) is not evaluated: PutResourcePolicy refuses a document
 * that uses it (ddb_rbp_condition_unknown), so a stored policy never means something other than
 * DynamoDB would make of it.
 */
#include <string.h>
#include <strings.h>

#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"

typedef enum { OP_EQ, OP_EQ_NOCASE, OP_LIKE, OP_ARN, OP_NULL } op_kind;
typedef enum { SET_NONE, SET_ANY, SET_ALL } set_kind;

static const struct {
    const char *name;
    op_kind kind;
    int negated, vars; /* vars: IAM substitutes policy variables in its values (String, Arn) */
} OPS[] = {
    {"StringEquals", OP_EQ, 0, 1},          {"StringNotEquals", OP_EQ, 1, 1},
    {"StringEqualsIgnoreCase", OP_EQ_NOCASE, 0, 1}, {"StringNotEqualsIgnoreCase", OP_EQ_NOCASE, 1, 1},
    {"StringLike", OP_LIKE, 0, 1},          {"StringNotLike", OP_LIKE, 1, 1},
    {"ArnEquals", OP_ARN, 0, 1},            {"ArnNotEquals", OP_ARN, 1, 1},
    {"ArnLike", OP_ARN, 0, 1},              {"ArnNotLike", OP_ARN, 1, 1},
    {"Bool", OP_EQ_NOCASE, 0, 0},           {"Null", OP_NULL, 0, 0},
};
#define NOPS (sizeof(OPS) / sizeof(OPS[0]))

/* The operator `name` (IfExists stripped into *if_exists, a set qualifier into *set): its index,
   or -1. Null takes neither (IAM: "You can't use ...IfExists with the Null condition operator"). */
static int op_of(const char *name, int *if_exists, set_kind *set)
{
    size_t n;

    *set = SET_NONE;
    if (strncmp(name, "ForAnyValue:", 12) == 0)
        *set = SET_ANY, name += 12;
    else if (strncmp(name, "ForAllValues:", 13) == 0)
        *set = SET_ALL, name += 13;
    n = strlen(name);
    *if_exists = n > 8 && strcmp(name + n - 8, "IfExists") == 0;
    if (*if_exists)
        n -= 8;
    for (size_t i = 0; i < NOPS; i++)
        if (strlen(OPS[i].name) == n && strncmp(OPS[i].name, name, n) == 0 &&
            !((*if_exists || *set != SET_NONE) && OPS[i].kind == OP_NULL))
            return (int)i;
    return -1;
}

/* A condition value's text: a string, or a JSON boolean or number as IAM reads one ("true", "12"). */
static const char *text_of(const ddb_json *v)
{
    if (v->type == DDB_JSON_BOOL)
        return v->u.b ? "true" : "false";
    return v->type == DDB_JSON_STRING || v->type == DDB_JSON_NUMBER ? v->u.s : NULL;
}

/* How a statement's values are read: the caller, and whether variables are substituted (the
   document's Version is 2012-10-17 and it holds one). */
typedef struct eval {
    ddb_arena *a;
    const ddb_rbp_caller *c;
    int vars;
} eval;

static int matches(op_kind kind, const ddb_rbp_text *pattern, const char *value)
{
    switch (kind) {
    case OP_EQ: return strcmp(pattern->s, value) == 0;
    case OP_EQ_NOCASE: return strcasecmp(pattern->s, value) == 0;
    case OP_LIKE: return ddb_rbp_wild(pattern->s, pattern->lit, value, 0);
    case OP_ARN: return ddb_rbp_arn_match(pattern->s, pattern->lit, value, 0);
    default: return 0;
    }
}

/* Whether any of a key's values (a value or a list of them) matches the context's value. A value
   whose variable has no value matches nothing (the statement was set aside before: rbp.c). */
static int any_value(const eval *e, int op, const char *value, const ddb_json *vals)
{
    uint32_t n = vals->type == DDB_JSON_ARRAY ? vals->n : 1;
    op_kind kind = OPS[op].kind;

    for (uint32_t i = 0; i < n; i++) {
        const char *t = text_of(vals->type == DDB_JSON_ARRAY ? vals->u.items[i] : vals);
        ddb_rbp_text pat = {t, NULL};
        if (t == NULL || (e->vars && OPS[op].vars && !ddb_rbp_subst(e->a, e->c, t, 0, &pat)))
            continue;
        if (kind == OP_NULL ? (strcasecmp(t, "true") == 0) == (value == NULL) : matches(kind, &pat, value))
            return 1;
    }
    return 0;
}

/* Whether one key of one operator holds. */
static int key_holds(const eval *e, int op, int if_exists, set_kind set, const char *value, const ddb_json *vals)
{
    int any;

    if (OPS[op].kind == OP_NULL)
        return any_value(e, op, value, vals);
    if (value == NULL) /* absent: an empty set for the set operators */
        return set == SET_ALL || (set == SET_NONE && (if_exists || OPS[op].negated));
    any = any_value(e, op, value, vals);
    return OPS[op].negated ? !any : any;
}

int ddb_rbp_condition_holds(ddb_arena *a, const ddb_json *cond, const ddb_rbp_caller *c, int vars)
{
    eval e = {a, c, vars};

    for (uint32_t i = 0; cond != NULL && i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        set_kind set;
        int if_exists, known, op = op_of(cond->u.members[i].key, &if_exists, &set);
        if (op < 0 || keys->type != DDB_JSON_OBJECT)
            return 0; /* (refused at PutResourcePolicy; a statement ddbd cannot read applies to nothing) */
        for (uint32_t k = 0; k < keys->n; k++) {
            const char *value = ddb_rbp_key_value(c, keys->u.members[k].key, &known);
            if (!known || !key_holds(&e, op, if_exists, set, value, keys->u.members[k].val))
                return 0;
        }
    }
    return 1;
}

/* Calls fn on every String and Arn value of a Condition until it returns nonzero: that value. */
static const char *each_var_value(const ddb_json *cond, int (*fn)(const char *t, const void *ctx), const void *ctx)
{
    for (uint32_t i = 0; cond != NULL && cond->type == DDB_JSON_OBJECT && i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        set_kind set;
        int if_exists, op = op_of(cond->u.members[i].key, &if_exists, &set);
        if (op < 0 || !OPS[op].vars || keys->type != DDB_JSON_OBJECT)
            continue;
        for (uint32_t k = 0; k < keys->n; k++) {
            const ddb_json *v = keys->u.members[k].val;
            for (uint32_t j = 0; j < (v->type == DDB_JSON_ARRAY ? v->n : 1); j++) {
                const char *t = text_of(v->type == DDB_JSON_ARRAY ? v->u.items[j] : v);
                if (t != NULL && fn(t, ctx))
                    return t;
            }
        }
    }
    return NULL;
}

static int unresolved(const char *t, const void *ctx)
{
    const eval *e = ctx;
    ddb_rbp_text out;

    return !ddb_rbp_subst(e->a, e->c, t, 0, &out);
}

int ddb_rbp_condition_resolves(ddb_arena *a, const ddb_json *cond, const ddb_rbp_caller *c)
{
    eval e = {a, c, 1};

    return each_var_value(cond, unresolved, &e) == NULL;
}

static int unknown_var(const char *t, const void *ctx)
{
    ddb_arena *a = (ddb_arena *)ctx;

    return ddb_rbp_var_unknown(a, t, 0) != NULL;
}

const char *ddb_rbp_condition_unknown(ddb_arena *a, const ddb_json *cond, int vars)
{
    const char *t;

    if (cond == NULL)
        return NULL;
    if (cond->type != DDB_JSON_OBJECT)
        return "a Condition that is not an object";
    for (uint32_t i = 0; i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        set_kind set;
        int if_exists, known;
        if (op_of(cond->u.members[i].key, &if_exists, &set) < 0)
            return ddb_arena_sprintf(a, "the condition operator '%s'", cond->u.members[i].key);
        if (keys->type != DDB_JSON_OBJECT)
            return ddb_arena_sprintf(a, "the condition operator '%s' without keys", cond->u.members[i].key);
        for (uint32_t k = 0; k < keys->n; k++) {
            const ddb_json *v = keys->u.members[k].val;
            (void)ddb_rbp_key_value(NULL, keys->u.members[k].key, &known);
            if (!known)
                return ddb_arena_sprintf(a, "the condition key '%s'", keys->u.members[k].key);
            int bad = v->type == DDB_JSON_ARRAY ? v->n == 0 : text_of(v) == NULL;
            for (uint32_t j = 0; v->type == DDB_JSON_ARRAY && j < v->n && !bad; j++)
                bad = text_of(v->u.items[j]) == NULL;
            if (bad)
                return ddb_arena_sprintf(a, "the values of the condition key '%s'", keys->u.members[k].key);
        }
    }
    if (vars && (t = each_var_value(cond, unknown_var, a)) != NULL)
        return ddb_rbp_var_unknown(a, t, 0);
    return NULL;
}

/* Block Public Access's trusted keys: a condition on one of them can confine a statement to
   principals the owner chose (the developer guide, "Blocking public access with resource-based
   policies in DynamoDB"). */
static const char *const TRUSTED[] = {
    "aws:PrincipalAccount", "aws:PrincipalArn",         "aws:PrincipalOrgID",            "aws:PrincipalOrgPaths",
    "aws:SourceAccount",    "aws:SourceArn",            "aws:SourceVpc",                 "aws:SourceVpce",
    "aws:UserId",           "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalIsAWSService",
    "aws:Ec2InstanceSourceVpc", "aws:SourceOrgID",      "aws:SourceOrgPaths",            NULL};

static int trusted(const char *key)
{
    for (int t = 0; TRUSTED[t] != NULL; t++)
        if (strcasecmp(key, TRUSTED[t]) == 0)
            return 1;
    return 0;
}

/* Whether every value of a key names someone: no wildcard, no policy variable, and for
   aws:PrincipalIsAWSService only "true" (the page's rules). */
static int values_confine(const char *key, const ddb_json *vals)
{
    uint32_t n = vals->type == DDB_JSON_ARRAY ? vals->n : 1;
    int service = strcasecmp(key, "aws:PrincipalIsAWSService") == 0;

    for (uint32_t i = 0; i < n; i++) {
        const char *t = text_of(vals->type == DDB_JSON_ARRAY ? vals->u.items[i] : vals);
        if (t == NULL || strpbrk(t, "*?") != NULL || strstr(t, "${") != NULL ||
            (service && strcasecmp(t, "true") != 0))
            return 0;
    }
    return n > 0;
}

/*
 * Whether a Condition confines a statement to chosen principals: one of its operators requires a
 * trusted key to equal named values. A condition that every caller can meet does not: a negated
 * operator, Null, ...IfExists and ForAllValues: (each holds when the key is absent, and most are
 * absent from most requests), a wildcard or a variable in a value (StringLike aws:PrincipalArn
 * "*"), Bool on any key but aws:PrincipalIsAWSService "true".
 */
int ddb_rbp_condition_confines(const ddb_json *cond)
{
    for (uint32_t i = 0; cond != NULL && cond->type == DDB_JSON_OBJECT && i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        set_kind set;
        int if_exists, op = op_of(cond->u.members[i].key, &if_exists, &set);
        if (op < 0 || OPS[op].negated || OPS[op].kind == OP_NULL || if_exists || set == SET_ALL ||
            keys->type != DDB_JSON_OBJECT)
            continue;
        for (uint32_t k = 0; k < keys->n; k++) {
            const char *key = keys->u.members[k].key;
            if (!trusted(key) || (strcmp(OPS[op].name, "Bool") == 0) != (strcasecmp(key, "aws:PrincipalIsAWSService") == 0))
                continue;
            if (values_confine(key, keys->u.members[k].val))
                return 1;
        }
    }
    return 0;
}
