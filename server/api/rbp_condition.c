/*
 * server/api/rbp_condition.c: a resource-based policy statement's Condition, evaluated as IAM
 * evaluates it for what a ddbd request's context holds (see auth.h, ddb_rbp_condition_holds).
 *
 * The context of a request signed by an --auth key: aws:PrincipalAccount (its account),
 * aws:PrincipalArn (arn:aws:iam::<account>:user/<name>), aws:username, aws:PrincipalType ("User")
 * and aws:PrincipalIsAWSService ("false"); the keys of principals and network paths ddbd's callers
 * never have (organizations, services, VPCs, source ARNs and accounts) are absent, as IAM leaves
 * them out of a user's direct request. Operators: String{Equals,NotEquals,EqualsIgnoreCase,
 * NotEqualsIgnoreCase,Like,NotLike}, Arn{Equals,NotEquals,Like,NotLike}, Bool, each with
 * IfExists, and Null. IAM's rules: every operator of the block and every key of an operator must
 * hold; a key holds when any of its values matches (a negated operator: when none does); a key
 * absent from the context fails a positive operator, passes a negated one, and passes any operator
 * with IfExists. Anything else (another key, operator or a ForAnyValue:/ForAllValues: set
 * operator) is not evaluated: PutResourcePolicy refuses a document that uses it
 * (ddb_rbp_condition_unknown), so a stored policy never means something other than DynamoDB would
 * make of it.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "server/api/auth.h"

typedef enum { OP_EQ, OP_EQ_NOCASE, OP_LIKE, OP_NULL } op_kind;

static const struct {
    const char *name;
    op_kind kind;
    int negated;
} OPS[] = {
    {"StringEquals", OP_EQ, 0},          {"StringNotEquals", OP_EQ, 1},         {"StringEqualsIgnoreCase", OP_EQ_NOCASE, 0},
    {"StringNotEqualsIgnoreCase", OP_EQ_NOCASE, 1}, {"StringLike", OP_LIKE, 0}, {"StringNotLike", OP_LIKE, 1},
    {"ArnEquals", OP_LIKE, 0},           {"ArnNotEquals", OP_LIKE, 1},          {"ArnLike", OP_LIKE, 0},
    {"ArnNotLike", OP_LIKE, 1},          {"Bool", OP_EQ_NOCASE, 0},             {"Null", OP_NULL, 0},
};
#define NOPS (sizeof(OPS) / sizeof(OPS[0]))

/* Keys IAM never puts in the context of a user's own request: known, and always absent. */
static const char *const ABSENT[] = {
    "aws:PrincipalOrgID",     "aws:PrincipalOrgPaths",    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:SourceAccount",      "aws:SourceArn",            "aws:SourceVpc",            "aws:SourceVpce",
    "aws:SourceOrgID",        "aws:SourceOrgPaths",       "aws:Ec2InstanceSourceVpc", NULL};

/* The operator `name` (IfExists stripped into *if_exists): its index, or -1. */
static int op_of(const char *name, int *if_exists)
{
    size_t n = strlen(name);

    *if_exists = n > 8 && strcmp(name + n - 8, "IfExists") == 0;
    if (*if_exists)
        n -= 8;
    for (size_t i = 0; i < NOPS; i++)
        if (strlen(OPS[i].name) == n && strncmp(OPS[i].name, name, n) == 0 && !(*if_exists && OPS[i].kind == OP_NULL))
            return (int)i;
    return -1;
}

/* The caller's value of `key`, NULL when the key is absent, or *known 0 when ddbd does not know it. */
static const char *value_of(const ddb_rbp_caller *c, const char *key, int *known)
{
    const char *user = c != NULL ? strstr(c->arn, ":user/") : NULL;

    *known = 1;
    if (strcasecmp(key, "aws:PrincipalAccount") == 0)
        return c ? c->account : "";
    if (strcasecmp(key, "aws:PrincipalArn") == 0)
        return c ? c->arn : "";
    if (strcasecmp(key, "aws:username") == 0)
        return user != NULL ? user + 6 : "";
    if (strcasecmp(key, "aws:PrincipalType") == 0)
        return "User";
    if (strcasecmp(key, "aws:PrincipalIsAWSService") == 0)
        return "false";
    for (int i = 0; ABSENT[i] != NULL; i++)
        if (strcasecmp(key, ABSENT[i]) == 0)
            return NULL;
    *known = 0;
    return NULL;
}

/* A condition value's text: a string, or a JSON boolean as IAM reads one ("true", "false"). */
static const char *text_of(const ddb_json *v)
{
    if (v->type == DDB_JSON_BOOL)
        return v->u.b ? "true" : "false";
    return v->type == DDB_JSON_STRING ? v->u.s : NULL;
}

static int matches(op_kind kind, const char *pattern, const char *value)
{
    switch (kind) {
    case OP_EQ: return strcmp(pattern, value) == 0;
    case OP_EQ_NOCASE: return strcasecmp(pattern, value) == 0;
    case OP_LIKE: return fnmatch(pattern, value, 0) == 0;
    default: return 0;
    }
}

/* Whether one key of one operator holds: `vals` a string or a list of them. */
static int key_holds(int op, int if_exists, const char *value, const ddb_json *vals)
{
    uint32_t n = vals->type == DDB_JSON_ARRAY ? vals->n : 1;
    int any = 0;

    if (OPS[op].kind == OP_NULL) { /* "true": the key is absent */
        const ddb_json *v = vals->type == DDB_JSON_ARRAY && vals->n > 0 ? vals->u.items[0] : vals;
        return text_of(v) != NULL && (strcasecmp(text_of(v), "true") == 0) == (value == NULL);
    }
    if (value == NULL)
        return if_exists || OPS[op].negated;
    for (uint32_t i = 0; i < n && !any; i++) {
        const ddb_json *v = vals->type == DDB_JSON_ARRAY ? vals->u.items[i] : vals;
        any = text_of(v) != NULL && matches(OPS[op].kind, text_of(v), value);
    }
    return OPS[op].negated ? !any : any;
}

int ddb_rbp_condition_holds(const ddb_json *cond, const ddb_rbp_caller *c)
{
    for (uint32_t i = 0; cond != NULL && i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        int if_exists, known, op = op_of(cond->u.members[i].key, &if_exists);
        if (op < 0 || keys->type != DDB_JSON_OBJECT)
            return 0; /* (refused at PutResourcePolicy; a statement ddbd cannot read applies to nothing) */
        for (uint32_t k = 0; k < keys->n; k++) {
            const char *value = value_of(c, keys->u.members[k].key, &known);
            if (!known || !key_holds(op, if_exists, value, keys->u.members[k].val))
                return 0;
        }
    }
    return 1;
}

const char *ddb_rbp_condition_unknown(ddb_arena *a, const ddb_json *cond)
{
    if (cond == NULL)
        return NULL;
    if (cond->type != DDB_JSON_OBJECT)
        return "a Condition that is not an object";
    for (uint32_t i = 0; i < cond->n; i++) {
        const ddb_json *keys = cond->u.members[i].val;
        int if_exists, known;
        if (op_of(cond->u.members[i].key, &if_exists) < 0)
            return ddb_arena_sprintf(a, "the condition operator '%s'", cond->u.members[i].key);
        if (keys->type != DDB_JSON_OBJECT)
            return ddb_arena_sprintf(a, "the condition operator '%s' without keys", cond->u.members[i].key);
        for (uint32_t k = 0; k < keys->n; k++) {
            const ddb_json *v = keys->u.members[k].val;
            (void)value_of(NULL, keys->u.members[k].key, &known);
            if (!known)
                return ddb_arena_sprintf(a, "the condition key '%s'", keys->u.members[k].key);
            int bad = v->type == DDB_JSON_ARRAY ? v->n == 0 : text_of(v) == NULL;
            for (uint32_t j = 0; v->type == DDB_JSON_ARRAY && j < v->n && !bad; j++)
                bad = text_of(v->u.items[j]) == NULL;
            if (bad)
                return ddb_arena_sprintf(a, "the values of the condition key '%s'", keys->u.members[k].key);
        }
    }
    return NULL;
}
