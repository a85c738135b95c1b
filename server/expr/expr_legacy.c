/*
 * server/expr/expr_legacy.c: the legacy parameters (Expected + ConditionalOperator, AttributeUpdates,
 * AttributesToGet, KeyConditions, QueryFilter, ScanFilter): their checks, in dynalite's wording
 * and order, and their conversion into the same trees expressions produce, so handlers treat
 * both alike.
 *
 * Legacy comparisons mean what their expression counterparts mean (NE is <>, NULL is
 * attribute_not_exists, NOT_CONTAINS is NOT contains(...)), so the conversion is exact.
 */
#include "server/expr/expr_internal.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define INVALID "One or more parameter values were invalid: "

/* ---------------------------------------------------------------- JSON helpers */

static bool present(const ddb_json *j)
{
    return j != NULL && j->type != DDB_JSON_NULL;
}

static const ddb_json *member(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);

    return present(v) ? v : NULL;
}

/* The members of an object, a repeated key keeping its first place and last value (Jackson). */
static const ddb_json_member **members(ddb_arena *a, const ddb_json *obj, uint32_t *n)
{
    const ddb_json_member **v = ddb_arena_alloc(a, sizeof(*v) * (obj->n ? obj->n : 1));

    *n = 0;
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        uint32_t j;

        for (j = 0; j < *n && (v[j]->klen != m->klen || memcmp(v[j]->key, m->key, m->klen) != 0); j++)
            ;
        v[j] = m;
        if (j == *n)
            (*n)++;
    }
    return v;
}

/* A Boolean member as DynamoDB's deserializer reads it ("true", "1", "yes" are true). */
static bool truthy(const ddb_json *v)
{
    if (v->type == DDB_JSON_BOOL)
        return v->u.b != 0;
    if (v->type == DDB_JSON_STRING) {
        const char *s = v->u.s;

        return (v->n == 4 && strncasecmp(s, "true", 4) == 0) || (v->n == 1 && s[0] == '1') ||
               (v->n == 3 && strncasecmp(s, "yes", 3) == 0);
    }
    return false;
}

static const char *json_str(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_STRING ? v->u.s : "";
}

/* The first member name of an AttributeValue as sent: dynalite's Object.keys(attr)[0]. */
static const char *first_type(const ddb_json *av)
{
    return av->type == DDB_JSON_OBJECT && av->n > 0 ? av->u.members[0].key : "";
}

/* ---------------------------------------------------------------- comparison operators */

typedef enum legacy_op {
    LO_EQ,
    LO_NE,
    LO_LE,
    LO_LT,
    LO_GE,
    LO_GT,
    LO_NULL,
    LO_NOT_NULL,
    LO_CONTAINS,
    LO_NOT_CONTAINS,
    LO_BEGINS_WITH,
    LO_IN,
    LO_BETWEEN,
    LO_UNKNOWN,
} legacy_op;

static const char *const op_names[] = {"EQ",       "NE",           "LE",          "LT", "GE",      "GT", "NULL",
                                       "NOT_NULL", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH", "IN", "BETWEEN"};

static legacy_op op_of(const char *s)
{
    for (int i = 0; i < LO_UNKNOWN; i++) {
        if (strcmp(s, op_names[i]) == 0)
            return (legacy_op)i;
    }
    return LO_UNKNOWN;
}

static bool count_ok(legacy_op op, uint32_t n)
{
    switch (op) {
    case LO_NULL:
    case LO_NOT_NULL:
        return n == 0;
    case LO_IN:
        return n >= 1;
    case LO_BETWEEN:
        return n == 2;
    case LO_UNKNOWN:
        return false;
    default:
        return n == 1;
    }
}

/* Types the AttributeValueList of each operator may hold (validateConditions). */
static bool type_ok(legacy_op op, ddb_type t)
{
    bool scalar = t == DDB_T_S || t == DDB_T_N || t == DDB_T_B;

    switch (op) {
    case LO_EQ:
    case LO_NE: /* "EQ is supported for all data types, including lists and maps" (API reference, Condition) */
        return true;
    case LO_BEGINS_WITH:
        return t == DDB_T_S || t == DDB_T_B;
    case LO_NULL:
    case LO_NOT_NULL:
        return true;
    default:
        return scalar;
    }
}

static const char *count_error(ddb_arena *a, const char *op)
{
    return ddb_arena_sprintf(a, INVALID "Invalid number of argument(s) for the %s ComparisonOperator", op);
}

static const char *same_type_error(const ddb_json *avl)
{
    for (uint32_t i = 1; i < avl->n; i++) {
        if (strcmp(first_type(avl->u.items[i]), first_type(avl->u.items[0])) != 0)
            return INVALID "AttributeValues inside AttributeValueList must be of same type";
    }
    return NULL;
}

/* The wording of a conversion's decodes, which run on values a check (in the request's wording)
   has let through: every such value decodes the same in either, and their errors are not read. */
#define CHECKED DDB_VALUES_CLASSIC

/* Decodes an AttributeValueList (or a lone Value) into vals[], errors in d's wording. */
static const char *decode_list(ddb_arena *a, ddb_value_dialect d, const ddb_json *avl, const ddb_json *value,
                               ddb_attr **vals, uint32_t *n)
{
    const char *err;

    *n = avl ? avl->n : value ? 1 : 0;
    *vals = DDB_NEW_ARRAY(a, ddb_attr, *n ? *n : 1);
    for (uint32_t i = 0; i < *n; i++) {
        if ((err = ddb_attr_from_json_as(a, avl ? avl->u.items[i] : value, d, &(*vals)[i])) != NULL)
            return err;
    }
    return NULL;
}

static const char *between_order(const ddb_attr *v, legacy_op op)
{
    bool ok;

    if (op == LO_BETWEEN && ddb_scalar_order(&v[0], &v[1], &ok) > 0 && ok)
        return "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound";
    return NULL;
}

/* A condition's last checks (an expected value's too): each value's type fits the operator, and
   BETWEEN's bounds are in order. */
static const char *values_ok(ddb_arena *a, legacy_op op, const char *opname, const ddb_attr *vals, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!type_ok(op, (ddb_type)vals[i].type))
            return ddb_arena_sprintf(a, INVALID "ComparisonOperator %s is not valid for %s AttributeValue type", opname,
                                     ddb_type_name((ddb_type)vals[i].type));
    }
    return between_order(vals, op);
}

/* ---------------------------------------------------------------- Expected */

static const char *check_expected_op(ddb_arena *a, ddb_value_dialect d, const char *key, const ddb_json *c, const ddb_json *avl,
                                     const ddb_json *value)
{
    const char *opname = json_str(member(c, "ComparisonOperator")), *err;
    legacy_op op = op_of(opname);
    ddb_attr *vals;
    uint32_t n;

    if (member(c, "Exists"))
        return ddb_arena_sprintf(a, INVALID "Exists and ComparisonOperator cannot be used together for Attribute: %s", key);
    if (op != LO_NULL && op != LO_NOT_NULL && !avl && !value)
        return ddb_arena_sprintf(a, INVALID "Value or AttributeValueList must be used with ComparisonOperator: %s for "
                                            "Attribute: %s",
                                 opname, key);
    if (!count_ok(op, avl ? avl->n : value ? 1 : 0))
        return count_error(a, opname);
    if (avl && avl->n > 0 && (err = same_type_error(avl)) != NULL)
        return err;
    if ((err = decode_list(a, d, avl, value, &vals, &n)) != NULL)
        return err;
    return values_ok(a, op, opname, vals, n);
}

static const char *check_expected_one(ddb_arena *a, ddb_value_dialect d, const char *key, const ddb_json *c)
{
    const ddb_json *avl = member(c, "AttributeValueList"), *value = member(c, "Value"), *exists = member(c, "Exists");
    ddb_attr v;
    bool want;

    if (avl && value)
        return ddb_arena_sprintf(a, INVALID "Value and AttributeValueList cannot be used together for Attribute: %s", key);
    if (member(c, "ComparisonOperator"))
        return check_expected_op(a, d, key, c, avl && avl->type == DDB_JSON_ARRAY ? avl : NULL, value);
    if (avl)
        return ddb_arena_sprintf(a, INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: %s",
                                 key);
    want = exists == NULL || truthy(exists);
    if (want && value == NULL)
        return ddb_arena_sprintf(a, INVALID "Value must be provided when Exists is %s for Attribute: %s",
                                 exists == NULL ? "null" : "true", key);
    if (!want && value != NULL)
        return ddb_arena_sprintf(a, INVALID "Value cannot be used when Exists is false for Attribute: %s", key);
    return value ? ddb_attr_from_json_as(a, value, d, &v) : NULL;
}

/* One member of Expected, QueryFilter, ScanFilter, KeyConditions or AttributeUpdates (an object):
   NULL, or its error. */
typedef const char *(*member_check)(ddb_arena *a, ddb_value_dialect d, const char *key, const ddb_json *v);

/* Each object-valued member of obj (when it is an object) through check: the first error. */
static const char *check_members(ddb_arena *a, ddb_value_dialect d, const ddb_json *obj, member_check check)
{
    const ddb_json_member **m;
    uint32_t n;
    const char *err;

    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return NULL;
    m = members(a, obj, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (m[i]->val->type == DDB_JSON_OBJECT && (err = check(a, d, m[i]->key, m[i]->val)) != NULL)
            return err;
    }
    return NULL;
}

const char *ddb_legacy_check_expected(ddb_arena *a, ddb_value_dialect d, const ddb_json *in)
{
    return check_members(a, d, member(in, "Expected"), check_expected_one);
}

/* ---------------------------------------------------------------- QueryFilter, ScanFilter, KeyConditions */

static const char *check_condition_one(ddb_arena *a, ddb_value_dialect d, const char *key, const ddb_json *c)
{
    const ddb_json *avl = member(c, "AttributeValueList");
    const char *opname = json_str(member(c, "ComparisonOperator")), *err;
    legacy_op op = op_of(opname);
    ddb_attr *vals;
    uint32_t n;

    if (avl && avl->type != DDB_JSON_ARRAY)
        avl = NULL;
    if ((err = decode_list(a, d, avl, NULL, &vals, &n)) != NULL)
        return err;
    if (!count_ok(op, n))
        return count_error(a, opname);
    if (n > 0 && (err = same_type_error(avl)) != NULL)
        return err;
    return values_ok(a, op, opname, vals, n);
}

const char *ddb_legacy_check_conditions(ddb_arena *a, ddb_value_dialect d, const ddb_json *conds)
{
    return check_members(a, d, conds, check_condition_one);
}

/* ---------------------------------------------------------------- AttributeUpdates, AttributesToGet */

static const char *check_update_one(ddb_arena *a, ddb_value_dialect d, const char *key, const ddb_json *u)
{
    const ddb_json *value = member(u, "Value"), *action = member(u, "Action");
    const char *act = action ? json_str(action) : "PUT", *err;
    ddb_attr v;
    ddb_type t;

    if (value && (err = ddb_attr_from_json_as(a, value, d, &v)) != NULL)
        return err;
    if (!value && strcmp(act, "DELETE") != 0)
        return INVALID "Only DELETE action is allowed when no attribute value is specified";
    if (!value)
        return NULL;
    t = (ddb_type)v.type;
    if (strcmp(act, "DELETE") == 0 && t != DDB_T_SS && t != DDB_T_NS && t != DDB_T_BS)
        return ddb_arena_sprintf(a, INVALID "DELETE action with value is not supported for the type %s", ddb_type_name(t));
    if (strcmp(act, "ADD") == 0 && t != DDB_T_L && t != DDB_T_SS && t != DDB_T_NS && t != DDB_T_BS && t != DDB_T_N)
        return ddb_arena_sprintf(a, INVALID "ADD action is not supported for the type %s", ddb_type_name(t));
    return NULL;
}

const char *ddb_legacy_check_attribute_updates(ddb_arena *a, ddb_value_dialect d, const ddb_json *in)
{
    return check_members(a, d, member(in, "AttributeUpdates"), check_update_one);
}

const char *ddb_legacy_check_attributes_to_get(ddb_arena *a, const ddb_json *in)
{
    const ddb_json *atg = member(in, "AttributesToGet");

    if (atg == NULL || atg->type != DDB_JSON_ARRAY)
        return NULL;
    /* a name no item can hold: too large (ScyllaDB's test_limits.py) or empty (refused by DynamoDB,
       issue 42; worded as an item's empty name, docs/compatibility.md) */
    for (uint32_t i = 0; i < atg->n; i++) {
        if (atg->u.items[i]->type == DDB_JSON_STRING && atg->u.items[i]->n > DDB_ATTR_NAME_MAX)
            return DDB_ATTR_NAME_TOO_LARGE;
        if (atg->u.items[i]->type == DDB_JSON_STRING && atg->u.items[i]->n == 0)
            return "Empty attribute name";
    }
    for (uint32_t i = 1; i < atg->n; i++) {
        const ddb_json *x = atg->u.items[i];

        for (uint32_t j = 0; j < i; j++) {
            const ddb_json *y = atg->u.items[j];

            if (x->type == DDB_JSON_STRING && y->type == DDB_JSON_STRING && x->n == y->n && memcmp(x->u.s, y->u.s, x->n) == 0)
                return ddb_arena_sprintf(a, INVALID "Duplicate value in attribute name: %s", x->u.s);
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- conversion */

static ddb_node *func2(ddb_arena *a, ddb_func f, ddb_node *x, ddb_node *y)
{
    ddb_node *n = ddb_node_new(a, NK_FUNC, (uint8_t)f, y ? 2 : 1);

    n->args[0] = x;
    if (y)
        n->args[1] = y;
    return n;
}

static ddb_node *cmp2(ddb_arena *a, ddb_cmp op, ddb_node *x, ddb_node *y)
{
    ddb_node *n = ddb_node_new(a, NK_CMP, (uint8_t)op, 2);

    n->args[0] = x;
    n->args[1] = y;
    return n;
}

/* One legacy comparison on attribute `name` as a condition tree. */
static ddb_node *legacy_node(ddb_arena *a, const char *name, legacy_op op, const ddb_attr *v, uint32_t nv)
{
    static const ddb_cmp cmps[] = {[LO_EQ] = CMP_EQ, [LO_NE] = CMP_NE, [LO_LE] = CMP_LE,
                                   [LO_LT] = CMP_LT, [LO_GE] = CMP_GE, [LO_GT] = CMP_GT};
    ddb_node *path = ddb_node_path1(a, name, strlen(name)), *n;

    switch (op) {
    case LO_NULL:
        return func2(a, FN_ATTRIBUTE_NOT_EXISTS, path, NULL);
    case LO_NOT_NULL:
        return func2(a, FN_ATTRIBUTE_EXISTS, path, NULL);
    case LO_CONTAINS:
    case LO_NOT_CONTAINS:
        n = func2(a, FN_CONTAINS, path, ddb_node_value(a, &v[0]));
        if (op == LO_CONTAINS)
            return n;
        /* NOT_CONTAINS needs the attribute: a missing one does not match (unlike NOT contains(...)) */
        {
            ddb_node *not = ddb_node_new(a, NK_NOT, 0, 1), *and = ddb_node_new(a, NK_AND, 0, 2);
            not->args[0] = n;
            and->args[0] = func2(a, FN_ATTRIBUTE_EXISTS, ddb_node_path1(a, name, strlen(name)), NULL);
            and->args[1] = not;
            return and;
        }
    case LO_BEGINS_WITH:
        return func2(a, FN_BEGINS_WITH, path, ddb_node_value(a, &v[0]));
    case LO_IN:
    case LO_BETWEEN:
        n = ddb_node_new(a, op == LO_IN ? NK_IN : NK_BETWEEN, 0, nv + 1);
        n->args[0] = path;
        for (uint32_t i = 0; i < nv; i++)
            n->args[i + 1] = ddb_node_value(a, &v[i]);
        return n;
    default:
        return cmp2(a, cmps[op], path, ddb_node_value(a, &v[0]));
    }
}

/* Joins conditions with AND (or OR), right-associative like the expression grammar. */
static ddb_node *join(ddb_arena *a, ddb_node **v, uint32_t n, bool or)
{
    ddb_node *root = v[n - 1];

    for (uint32_t i = n - 1; i-- > 0;) {
        ddb_node *j = ddb_node_new(a, or ? NK_OR : NK_AND, 0, 2);

        j->args[0] = v[i];
        j->args[1] = root;
        root = j;
    }
    return root;
}

static ddb_expr *legacy_expr(ddb_arena *a, ddb_expr_kind kind)
{
    ddb_expr *e = DDB_NEW(a, ddb_expr);

    e->kind = (uint8_t)kind;
    e->legacy = 1;
    return e;
}

static bool or_operator(const ddb_json *in)
{
    const ddb_json *co = member(in, "ConditionalOperator");

    return co != NULL && strcmp(json_str(co), "OR") == 0;
}

/* One Expected entry as a condition (already checked). */
static ddb_node *expected_node(ddb_arena *a, const char *key, const ddb_json *c)
{
    const ddb_json *avl = member(c, "AttributeValueList"), *value = member(c, "Value"), *exists = member(c, "Exists");
    const ddb_json *op = member(c, "ComparisonOperator");
    ddb_attr *vals;
    uint32_t n;

    if (avl && avl->type != DDB_JSON_ARRAY)
        avl = NULL;
    decode_list(a, CHECKED, avl, value, &vals, &n);
    if (op != NULL)
        return legacy_node(a, key, op_of(json_str(op)), vals, n);
    if (exists != NULL && !truthy(exists))
        return legacy_node(a, key, LO_NULL, vals, 0);
    return legacy_node(a, key, LO_EQ, vals, n);
}

/* Expected, QueryFilter or ScanFilter as a condition expression; NULL when empty. */
static ddb_expr *conditions_expr(ddb_arena *a, const ddb_json *conds, bool or, bool expected, ddb_expr_kind kind)
{
    uint32_t n = 0, count = 0;
    const ddb_json_member **m = members(a, conds, &count);
    ddb_node **nodes = ddb_arena_alloc(a, sizeof(*nodes) * (count ? count : 1));
    ddb_expr *e;

    for (uint32_t i = 0; i < count; i++) {
        const ddb_json *c = m[i]->val;
        ddb_attr *vals;
        uint32_t nv;

        if (c->type != DDB_JSON_OBJECT)
            continue;
        if (expected) {
            nodes[n++] = expected_node(a, m[i]->key, c);
            continue;
        }
        decode_list(a, CHECKED, member(c, "AttributeValueList"), NULL, &vals, &nv);
        nodes[n++] = legacy_node(a, m[i]->key, op_of(json_str(member(c, "ComparisonOperator"))), vals, nv);
    }
    if (n == 0)
        return NULL;
    e = legacy_expr(a, kind);
    e->root = join(a, nodes, n, or);
    ddb_expr_collect_facts(a, e);
    return e;
}

/* The key condition operator of a legacy one; false when Query cannot use it on a key. */
static bool kc_op_of(legacy_op op, ddb_kc_op *out)
{
    switch (op) {
    case LO_EQ: *out = DDB_KC_EQ; return true;
    case LO_LT: *out = DDB_KC_LT; return true;
    case LO_LE: *out = DDB_KC_LE; return true;
    case LO_GT: *out = DDB_KC_GT; return true;
    case LO_GE: *out = DDB_KC_GE; return true;
    case LO_BETWEEN: *out = DDB_KC_BETWEEN; return true;
    case LO_BEGINS_WITH: *out = DDB_KC_BEGINS_WITH; return true;
    default: *out = DDB_KC_EQ; return false;
    }
}

/* Stands in for values a legacy key condition does not have, so handlers never see NULL. */
static const ddb_attr no_value = {DDB_T_NULL, 1, 0, {NULL}};

const char *ddb_legacy_key_conditions(ddb_arena *a, ddb_value_dialect d, const ddb_json *conds, int on_index,
                                      ddb_expr **out)
{
    const ddb_json_member **m;
    uint32_t n;
    const char *err;
    ddb_expr *e;

    if ((err = ddb_legacy_check_conditions(a, d, conds)) != NULL)
        return err;
    m = members(a, conds, &n);
    if (n < 1 || n > (on_index ? DDB_LEGACY_MAX_INDEX_CONDITIONS : 2))
        return "Conditions can be of length 1 or 2 only";
    if ((e = conditions_expr(a, conds, false, false, DDB_EXPR_KEY_CONDITION)) == NULL)
        return "Conditions can be of length 1 or 2 only";
    e->kc = DDB_NEW_ARRAY(a, ddb_key_cond, n);
    for (uint32_t i = 0; i < n; i++) {
        ddb_key_cond *kc = &e->kc[e->nkc++];
        ddb_attr *vals;
        uint32_t nv;

        decode_list(a, CHECKED, member(m[i]->val, "AttributeValueList"), NULL, &vals, &nv);
        kc->name = m[i]->key;
        kc->nlen = m[i]->klen;
        kc->not_indexable = !kc_op_of(op_of(json_str(member(m[i]->val, "ComparisonOperator"))), &kc->op);
        kc->v[0] = nv > 0 ? &vals[0] : &no_value;
        kc->v[1] = nv > 1 ? &vals[1] : &no_value;
    }
    *out = e;
    return NULL;
}

/* AttributeUpdates as an update tree: PUT is SET, DELETE without a value is REMOVE. */
static ddb_expr *updates_expr(ddb_arena *a, const ddb_json *updates)
{
    uint32_t n;
    const ddb_json_member **m = members(a, updates, &n);
    ddb_expr *e = legacy_expr(a, DDB_EXPR_UPDATE);

    e->acts = DDB_NEW_ARRAY(a, ddb_action, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        const ddb_json *value = member(m[i]->val, "Value"), *action = member(m[i]->val, "Action");
        const char *act = action ? json_str(action) : "PUT";
        ddb_action *x = &e->acts[e->nacts++];
        ddb_attr *v;

        x->path = ddb_node_path1(a, m[i]->key, m[i]->klen)->path;
        x->kind = !strcmp(act, "ADD") ? ACT_ADD : !strcmp(act, "DELETE") ? (value ? ACT_DELETE : ACT_REMOVE) : ACT_SET;
        if (value != NULL) {
            v = DDB_NEW(a, ddb_attr);
            ddb_attr_from_json(a, value, v);
            x->value = ddb_node_value(a, v);
        }
    }
    ddb_expr_collect_facts(a, e);
    return e;
}

/* AttributesToGet as a projection of top-level attributes. */
static ddb_expr *attributes_expr(ddb_arena *a, const ddb_json *atg)
{
    ddb_expr *e = legacy_expr(a, DDB_EXPR_PROJECTION);

    e->paths = DDB_NEW_ARRAY(a, ddb_path, atg->n ? atg->n : 1);
    for (uint32_t i = 0; i < atg->n; i++) {
        if (atg->u.items[i]->type == DDB_JSON_STRING)
            e->paths[e->npaths++] = ddb_node_path1(a, atg->u.items[i]->u.s, atg->u.items[i]->n)->path;
    }
    ddb_expr_collect_facts(a, e);
    return e;
}

/* The expression of `kind` a legacy parameter, member m of the request `in`, becomes: Expected a
   condition, QueryFilter and ScanFilter filters (with the request's ConditionalOperator). */
static ddb_expr *legacy_to_expr(ddb_arena *a, ddb_expr_kind kind, const ddb_json *in, const ddb_json *m)
{
    if (kind == DDB_EXPR_UPDATE)
        return updates_expr(a, m);
    if (kind == DDB_EXPR_PROJECTION)
        return attributes_expr(a, m);
    return conditions_expr(a, m, or_operator(in), kind == DDB_EXPR_CONDITION, kind);
}

/* The legacy parameters that become an expression, in the order the single-item operations
   converted them (UpdateItem: AttributeUpdates, then Expected; Query: QueryFilter, then
   AttributesToGet; Scan: ScanFilter, then AttributesToGet): the first error is the one reported.
   Each is converted when the operation takes it (its flag), the request gives it as its type, and
   no expression parameter filled its part of the parsed request. */
static const struct legacy_param {
    unsigned flag;      /* DDB_OPF_LEGACY_* */
    const char *name;   /* its member */
    ddb_json_type type; /* the type converted (another is ignored) */
    member_check check; /* each of its members' checks (NULL: AttributesToGet's list) */
    ddb_expr_kind kind; /* the expression it becomes, */
    size_t slot;        /* at offsetof(ddb_parsed, ...) */
} LEGACY_PARAMS[] = {
    {DDB_OPF_LEGACY_ATTRIBUTE_UPDATES, "AttributeUpdates", DDB_JSON_OBJECT, check_update_one, DDB_EXPR_UPDATE,
     offsetof(ddb_parsed, update)},
    {DDB_OPF_LEGACY_EXPECTED, "Expected", DDB_JSON_OBJECT, check_expected_one, DDB_EXPR_CONDITION,
     offsetof(ddb_parsed, condition)},
    {DDB_OPF_LEGACY_QUERY_FILTER, "QueryFilter", DDB_JSON_OBJECT, check_condition_one, DDB_EXPR_FILTER,
     offsetof(ddb_parsed, filter)},
    {DDB_OPF_LEGACY_SCAN_FILTER, "ScanFilter", DDB_JSON_OBJECT, check_condition_one, DDB_EXPR_FILTER,
     offsetof(ddb_parsed, filter)},
    {DDB_OPF_LEGACY_ATTRIBUTES_TO_GET, "AttributesToGet", DDB_JSON_ARRAY, NULL, DDB_EXPR_PROJECTION,
     offsetof(ddb_parsed, projection)},
};

static const char *convert_key_conditions(ddb_arena *a, ddb_value_dialect d, ddb_parsed *pd, const ddb_json *in)
{
    const ddb_json *kc = member(in, "KeyConditions");

    if (kc == NULL || kc->type != DDB_JSON_OBJECT || pd->key_condition != NULL)
        return NULL;
    return ddb_legacy_key_conditions(a, d, kc, member(in, "IndexName") != NULL, &pd->key_condition);
}

/* The LEGACY_PARAMS in their order, then KeyConditions (Query's last). */
const char *ddb_legacy_convert(ddb_arena *a, unsigned params, ddb_value_dialect d, const ddb_json *in, ddb_parsed *pd)
{
    /* unrolled: every row's fields are constants, so each request tests its flags as one if a
       parameter would (no loop, no strlen of a name) */
#pragma GCC unroll 8
    for (size_t i = 0; i < sizeof(LEGACY_PARAMS) / sizeof(LEGACY_PARAMS[0]); i++) {
        const struct legacy_param *p = &LEGACY_PARAMS[i];
        ddb_expr **slot = (ddb_expr **)((char *)pd + p->slot);
        const ddb_json *m = (params & p->flag) ? member(in, p->name) : NULL;
        const char *err;
        if (m == NULL || m->type != p->type || *slot != NULL)
            continue;
        err = p->check != NULL ? check_members(a, d, m, p->check) : ddb_legacy_check_attributes_to_get(a, in);
        if (err != NULL)
            return err;
        *slot = legacy_to_expr(a, p->kind, in, m);
    }
    if (params & DDB_OPF_LEGACY_KEY_CONDITIONS)
        return convert_key_conditions(a, d, pd, in);
    return NULL;
}
