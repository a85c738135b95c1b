/*
 * server/expr/expr.c: the request-level entry points of the expression language: the
 * ExpressionAttributeNames/Values context, ddb_expr_prepare_into() in dynalite's validateExpressions
 * order, the KeyConditionExpression rules, and the facts handlers read from a tree.
 */
#define DDB_EXPR_INTERNAL
#include "server/expr/expr.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"

/* ---------------------------------------------------------------- Java hash order
 *
 * Where DynamoDB lists several keys in one message (unused names or values) it lists them in the
 * iteration order of a Java HashSet built from all the request's keys, and it decodes
 * ExpressionAttributeValues in that order too (so the first bad value reported is the first in
 * that order). HashSet(Collection) sizes its table to the next power of two of
 * max(n / .75 + 1, 16) and iterates buckets in order, colliding keys in insertion order.
 */

static uint32_t java_hash(const char *s, size_t n)
{
    uint32_t h = 0;

    /* Keys are ASCII ([#:][A-Za-z0-9_]+), so UTF-16 units are bytes. */
    for (size_t i = 0; i < n; i++)
        h = 31 * h + (unsigned char)s[i];
    return h;
}

static uint32_t java_table_size(uint32_t total)
{
    uint32_t want = total * 4 / 3 + 1, cap = 1;

    if (want < 16)
        want = 16;
    while (cap < want)
        cap <<= 1;
    return cap;
}

typedef struct java_slot {
    uint32_t slot, ix;
} java_slot;

static int java_slot_cmp(const void *pa, const void *pb)
{
    const java_slot *a = pa, *b = pb;

    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    return a->ix < b->ix ? -1 : (a->ix > b->ix);
}

/* Sorts the indexes ix[0..n) of t's entries into HashSet order for a set built from `total` keys. */
static void java_order(ddb_arena *a, const ddb_expr_table *t, uint32_t *ix, uint32_t n, uint32_t total)
{
    uint32_t mask = java_table_size(total) - 1;
    java_slot *v;

    if (n < 2)
        return;
    v = ddb_arena_alloc(a, sizeof(*v) * n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = t->e[ix[i]].hash;

        v[i].slot = (h ^ (h >> 16)) & mask;
        v[i].ix = ix[i];
    }
    qsort(v, n, sizeof(*v), java_slot_cmp);
    for (uint32_t i = 0; i < n; i++)
        ix[i] = v[i].ix;
}

/* ---------------------------------------------------------------- name/value tables */

ddb_expr_ctx_entry *ddb_expr_table_find(const ddb_expr_table *t, const char *key, size_t klen)
{
    uint32_t h, i;

    if (t->slots == NULL)
        return NULL;
    h = java_hash(key, klen);
    for (i = (h * 2654435761u) & t->mask;; i = (i + 1) & t->mask) {
        uint32_t s = t->slots[i];
        ddb_expr_ctx_entry *e;

        if (s == 0)
            return NULL;
        e = &t->e[s - 1];
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e;
    }
}

/*
 * Builds the table from a JSON object's members. A repeated key keeps its first position and
 * takes the last value, as Jackson's LinkedHashMap does.
 */
static void table_build(ddb_arena *a, ddb_expr_table *t, const ddb_json *obj)
{
    uint32_t cap = 8;

    while (cap < obj->n * 2)
        cap <<= 1;
    t->e = DDB_NEW_ARRAY(a, ddb_expr_ctx_entry, obj->n ? obj->n : 1);
    t->slots = DDB_NEW_ARRAY(a, uint32_t, cap);
    t->mask = cap - 1;
    t->present = true;
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        ddb_expr_ctx_entry *e = ddb_expr_table_find(t, m->key, m->klen);
        uint32_t h, s;

        if (e == NULL) {
            h = java_hash(m->key, m->klen);
            e = &t->e[t->n++];
            e->key = m->key;
            e->klen = m->klen;
            e->hash = h;
            for (s = (h * 2654435761u) & t->mask; t->slots[s] != 0; s = (s + 1) & t->mask)
                ;
            t->slots[s] = t->n;
        }
        e->json = m->val;
    }
}

static int key_syntax_ok(const char *k, size_t n, char lead)
{
    if (n < 2 || k[0] != lead)
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)k[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static const char *check_names(ddb_arena *a, ddb_expr_table *t)
{
    for (uint32_t i = 0; i < t->n; i++) {
        ddb_expr_ctx_entry *e = &t->e[i];
        const ddb_json *v = e->json;

        if (e->klen > DDB_EXPR_MAX_KEY_LEN)
            return ddb_arena_sprintf(a,
                                     "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
                                     "key that is too long; size of key: %u",
                                     e->klen);
        if (!key_syntax_ok(e->key, e->klen, '#'))
            return ddb_arena_sprintf(a, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", e->key);
        e->name = NULL;
        e->nlen = 0;
        if (v != NULL && v->type == DDB_JSON_STRING) {
            if (v->n == 0)
                return ddb_arena_sprintf(a, "ExpressionAttributeNames contains invalid value: Empty attribute name for key %s",
                                         e->key);
            e->name = v->u.s;
            e->nlen = v->n;
        }
    }
    return NULL;
}

static const char *check_value_keys(ddb_arena *a, ddb_expr_table *t)
{
    for (uint32_t i = 0; i < t->n; i++) {
        const ddb_expr_ctx_entry *e = &t->e[i];

        if (e->klen > DDB_EXPR_MAX_KEY_LEN)
            return "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is "
                   "too long;";
        if (!key_syntax_ok(e->key, e->klen, ':'))
            return ddb_arena_sprintf(a, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", e->key);
    }
    return NULL;
}

/* Decodes every value, in HashSet order so the first bad one reported is DynamoDB's. */
static const char *decode_values(ddb_arena *a, ddb_expr_table *t)
{
    uint32_t *ix = DDB_NEW_ARRAY(a, uint32_t, t->n ? t->n : 1);

    for (uint32_t i = 0; i < t->n; i++)
        ix[i] = i;
    java_order(a, t, ix, t->n, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        ddb_expr_ctx_entry *e = &t->e[ix[i]];
        const char *err = ddb_attr_from_json(a, e->json, &e->value);

        if (err == NULL && ddb_attr_has_empty_map_key(&e->value))
            err = "Empty attribute name"; /* DynamoDB Local 1.25 reports it for the key (classic form) */
        if (err != NULL)
            /* the 2026 layer (attr.h) reports a number's or a set's own message, and a value nested
               too deep bare too (UpdateItem, 31 of 33 regions: the conformance suite's split
               registry, 2026-10-07) */
            return ddb_attr_dialect() == DDB_VALUES_2026 &&
                           (ddb_attr_layer_message(err) || strncmp(err, "Nesting Levels", 14) == 0)
                       ? err
                       : ddb_arena_sprintf(a, "ExpressionAttributeValues contains invalid value: %s for key %s", err, e->key);
    }
    return NULL;
}

static void build_values_m(ddb_arena *a, ddb_expr_ctx *ctx)
{
    const ddb_expr_table *t = &ctx->values;

    ctx->values_m.type = DDB_T_M;
    ctx->values_m.len = t->n;
    ctx->values_m.u.entries = DDB_NEW_ARRAY(a, ddb_entry, t->n ? t->n : 1);
    for (uint32_t i = 0; i < t->n; i++) {
        ctx->values_m.u.entries[i].name = t->e[i].key;
        ctx->values_m.u.entries[i].nlen = t->e[i].klen;
        ctx->values_m.u.entries[i].val = t->e[i].value;
    }
}

static int json_present(const ddb_json *j)
{
    return j != NULL && j->type == DDB_JSON_OBJECT;
}

const char *ddb_expr_ctx_new(ddb_arena *a, const ddb_json *names, const ddb_json *values, ddb_expr_ctx **out)
{
    ddb_expr_ctx *ctx = DDB_NEW(a, ddb_expr_ctx);
    const char *err;

    ctx->a = a;
    ctx->values_m.type = DDB_T_M;
    *out = ctx;
    if (json_present(names)) {
        if (names->n == 0)
            return "ExpressionAttributeNames must not be empty";
        table_build(a, &ctx->names, names);
        if ((err = check_names(a, &ctx->names)) != NULL)
            return err;
    }
    if (json_present(values)) {
        if (values->n == 0)
            return "ExpressionAttributeValues must not be empty";
        table_build(a, &ctx->values, values);
        if ((err = check_value_keys(a, &ctx->values)) != NULL || (err = decode_values(a, &ctx->values)) != NULL)
            return err;
        build_values_m(a, ctx);
    }
    return NULL;
}

const ddb_attr *ddb_expr_ctx_values(const ddb_expr_ctx *ctx)
{
    return &ctx->values_m;
}

static const char *unused_message(ddb_arena *a, const ddb_expr_table *t, const char *what)
{
    uint32_t *ix = DDB_NEW_ARRAY(a, uint32_t, t->n ? t->n : 1), n = 0;
    ddb_buf b = {0};
    const char *out;

    for (uint32_t i = 0; i < t->n; i++) {
        if (!t->e[i].used)
            ix[n++] = i;
    }
    if (n == 0)
        return NULL;
    java_order(a, t, ix, n, t->n);
    ddb_buf_printf(&b, "Value provided in %s unused in expressions: keys: {", what);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            ddb_buf_puts(&b, ", ");
        ddb_buf_append(&b, t->e[ix[i]].key, t->e[ix[i]].klen);
    }
    ddb_buf_putc(&b, '}');
    out = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

const char *ddb_expr_ctx_finish(ddb_expr_ctx *ctx)
{
    const char *err = unused_message(ctx->a, &ctx->names, "ExpressionAttributeNames");

    return err ? err : unused_message(ctx->a, &ctx->values, "ExpressionAttributeValues");
}

/* ---------------------------------------------------------------- parsing */

static const char *kind_label(ddb_expr_kind kind)
{
    static const char *const labels[] = {"ConditionExpression", "FilterExpression", "KeyConditionExpression",
                                         "ProjectionExpression", "UpdateExpression"};

    return labels[kind];
}

/* Only spaces, tabs and line breaks: DynamoDB reports these as an empty expression. */
static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    }
    return 1;
}

const char *ddb_expr_parse(ddb_expr_ctx *ctx, ddb_expr_kind kind, const char *text, size_t len, ddb_expr **out)
{
    const char *label = kind_label(kind), *err;
    ddb_lexed lx;
    ddb_expr *e = NULL;

    if (is_blank(text, len))
        return ddb_arena_sprintf(ctx->a, "Invalid %s: The expression can not be empty;", label);
    if (len > DDB_EXPR_MAX_LEN && (kind == DDB_EXPR_CONDITION || kind == DDB_EXPR_FILTER))
        return ddb_arena_sprintf(ctx->a, "Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %zu",
                                 label, len);
    if (len > DDB_EXPR_MAX_LEN) /* DynamoDB gives the size only for condition and filter expressions */
        return ddb_arena_sprintf(ctx->a, "Invalid %s: Expression size has exceeded the maximum allowed size;", label);
    ddb_lex(ctx->a, text, len, &lx);
    if ((err = ddb_expr_syntax(ctx->a, kind, &lx, &e)) != NULL || (err = ddb_expr_check(ctx, &lx, e)) != NULL)
        return ddb_arena_sprintf(ctx->a, "Invalid %s: %s", label, err);
    ddb_expr_collect_facts(ctx->a, e);
    *out = e;
    return NULL;
}

/* ---------------------------------------------------------------- key conditions
 *
 * dynalite's convertKeyCondition/checkExpr: a key condition is comparisons (=, <, <=, >, >=),
 * BETWEEN and begins_with joined by AND, each naming one top-level key attribute once.
 */

typedef struct kc_state {
    ddb_arena *a;
    ddb_key_cond *v; /* every condition found; DynamoDB counts them after checking them all */
    uint32_t n, cap;
} kc_state;

static const char *kc_operator(const ddb_node *n)
{
    switch (n->kind) {
    case NK_OR:
        return "OR";
    case NK_NOT:
        return "NOT";
    case NK_IN:
        return "IN";
    case NK_CMP:
        return n->op == CMP_NE ? "<>" : NULL;
    case NK_FUNC:
        switch (n->op) {
        case FN_ATTRIBUTE_EXISTS: return "attribute_exists";
        case FN_ATTRIBUTE_NOT_EXISTS: return "attribute_not_exists";
        case FN_ATTRIBUTE_TYPE: return "attribute_type";
        case FN_CONTAINS: return "contains";
        default: return NULL;
        }
    default:
        return NULL;
    }
}

/* The comparison seen from the key's side when the key is written second (:v < k is k > :v). */
static ddb_kc_op kc_op(const ddb_node *n, int flipped)
{
    static const ddb_kc_op direct[] = {DDB_KC_EQ, DDB_KC_EQ, DDB_KC_LT, DDB_KC_LE, DDB_KC_GT, DDB_KC_GE};
    static const ddb_kc_op reversed[] = {DDB_KC_EQ, DDB_KC_EQ, DDB_KC_GT, DDB_KC_GE, DDB_KC_LT, DDB_KC_LE};

    if (n->kind == NK_BETWEEN)
        return DDB_KC_BETWEEN;
    if (n->kind == NK_FUNC)
        return DDB_KC_BEGINS_WITH;
    return flipped ? reversed[n->op] : direct[n->op];
}

static ddb_key_cond *kc_push(kc_state *s)
{
    if (s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 2;
        ddb_key_cond *v = DDB_NEW_ARRAY(s->a, ddb_key_cond, cap);

        if (s->n)
            memcpy(v, s->v, sizeof(*v) * s->n);
        s->v = v;
        s->cap = cap;
    }
    return &s->v[s->n++];
}

static const char *kc_check(kc_state *s, const ddb_node *n);

static const char *kc_add(kc_state *s, const ddb_node *n, const ddb_node *key, uint32_t key_ix)
{
    const ddb_pelem *k;
    ddb_key_cond *kc;
    uint32_t nv = 0;

    if (key == NULL)
        return "Invalid condition in KeyConditionExpression: No key attribute specified";
    k = &key->path.e[0];
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->v[i].nlen == k->nlen && memcmp(s->v[i].name, k->name, k->nlen) == 0)
            return "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key";
    }
    kc = kc_push(s);
    kc->name = k->name;
    kc->nlen = k->nlen;
    kc->op = kc_op(n, key_ix != 0);
    for (uint32_t i = 0; i < n->nargs && nv < 2; i++) {
        if (i != key_ix)
            kc->v[nv++] = n->args[i]->value;
    }
    if (nv < 2)
        kc->v[1] = kc->v[0];
    return NULL;
}

/* The operands of an AND, comparison, BETWEEN or begins_with. */
static const char *kc_args(kc_state *s, const ddb_node *n)
{
    const ddb_node *key = NULL;
    uint32_t key_ix = 0;
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        const ddb_node *arg = n->args[i];

        if (arg->kind == NK_PATH) {
            if (key != NULL)
                return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition";
            if (arg->path.n > 1)
                return "KeyConditionExpressions cannot have conditions on nested attributes";
            key = arg;
            key_ix = i;
        } else if (arg->kind != NK_VALUE && (r = kc_check(s, arg)) != NULL) {
            return r;
        }
    }
    return n->kind == NK_AND ? NULL : kc_add(s, n, key, key_ix);
}

static const char *kc_check(kc_state *s, const ddb_node *n)
{
    const char *op = kc_operator(n);

    if (op != NULL)
        return ddb_arena_sprintf(s->a, "Invalid operator used in KeyConditionExpression: %s", op);
    if (n->kind == NK_FUNC && n->op == FN_SIZE)
        return "KeyConditionExpressions cannot contain nested operations";
    if (n->kind == NK_BETWEEN && n->args[0]->kind != NK_PATH)
        return "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first "
               "operand";
    if (n->kind == NK_FUNC && n->op == FN_BEGINS_WITH && n->args[0]->kind != NK_PATH)
        return "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its "
               "first operand";
    return kc_args(s, n);
}

const char *ddb_expr_check_key_condition(ddb_arena *a, ddb_expr *key_condition)
{
    kc_state s = {a, NULL, 0, 0};
    const char *err;

    key_condition->kc = NULL;
    key_condition->nkc = 0;
    /* value types are the handler's to check against the key ("Condition parameter type does not
       match schema type", as DynamoDB answers the expression form even for a BOOL: paritysuite's
       captures, October 2026); begins_with on a number fails the expression's own checks first */
    if ((err = kc_check(&s, key_condition->root)) != NULL)
        return err;
    /* a key has at most four partition and four sort attributes (multi-attribute GSI keys); the
       handler checks the count against the key it reads ("1 or 2" for a table) */
    if (s.n < 1 || s.n > 8)
        return "Conditions can be of length 1 or 2 only";
    key_condition->kc = s.v;
    key_condition->nkc = s.n;
    return NULL;
}

size_t ddb_expr_key_conds(const ddb_expr *key_condition, const ddb_key_cond **out)
{
    *out = key_condition ? key_condition->kc : NULL;
    return key_condition ? key_condition->nkc : 0;
}

/* ---------------------------------------------------------------- facts */

typedef struct refvec {
    ddb_expr_path_ref *v;
    uint32_t n, cap;
} refvec;

static void ref_push(ddb_arena *a, refvec *rv, const ddb_path *p)
{
    if (p->n == 0 || p->e[0].name == NULL)
        return;
    if (rv->n == rv->cap) {
        uint32_t cap = rv->cap ? rv->cap * 2 : 8;
        ddb_expr_path_ref *v = ddb_arena_alloc(a, sizeof(*v) * cap);

        if (rv->n)
            memcpy(v, rv->v, sizeof(*v) * rv->n);
        rv->v = v;
        rv->cap = cap;
    }
    rv->v[rv->n++] = (ddb_expr_path_ref){p->e[0].name, p->e[0].nlen, p->n};
}

static void refs_of_tree(ddb_arena *a, refvec *rv, const ddb_node *n)
{
    if (n->kind == NK_PATH)
        ref_push(a, rv, &n->path);
    for (uint32_t i = 0; i < n->nargs; i++)
        refs_of_tree(a, rv, n->args[i]);
}

static void collect_targets(ddb_arena *a, ddb_expr *e)
{
    e->targets = DDB_NEW_ARRAY(a, ddb_expr_target, e->nacts ? e->nacts : 1);
    e->ntargets = e->nacts;
    for (uint32_t i = 0; i < e->nacts; i++) {
        const ddb_action *act = &e->acts[i];
        ddb_expr_target *t = &e->targets[i];

        t->name = act->path.e[0].name;
        t->nlen = act->path.e[0].nlen;
        t->nested = act->path.n > 1;
        t->type = (uint8_t)(act->value ? ddb_node_static_type(act->value) : DDB_T_NONE);
    }
}

void ddb_expr_collect_facts(ddb_arena *a, ddb_expr *e)
{
    refvec rv = {0};

    if (e->root)
        refs_of_tree(a, &rv, e->root);
    for (uint32_t i = 0; i < e->nacts; i++) {
        ref_push(a, &rv, &e->acts[i].path);
        if (e->acts[i].value)
            refs_of_tree(a, &rv, e->acts[i].value);
    }
    for (uint32_t i = 0; i < e->npaths; i++)
        ref_push(a, &rv, &e->paths[i]);
    e->refs = rv.v;
    e->nrefs = rv.n;
    if (e->kind == DDB_EXPR_UPDATE)
        collect_targets(a, e);
    if (e->kind == DDB_EXPR_UPDATE || e->kind == DDB_EXPR_PROJECTION)
        ddb_expr_build_ptree(a, e);
}

size_t ddb_expr_update_targets(const ddb_expr *update, const ddb_expr_target **out)
{
    *out = update ? update->targets : NULL;
    return update ? update->ntargets : 0;
}

size_t ddb_expr_paths(const ddb_expr *e, const ddb_expr_path_ref **out)
{
    *out = e ? e->refs : NULL;
    return e ? e->nrefs : 0;
}

bool ddb_expr_is_legacy(const ddb_expr *e)
{
    return e != NULL && e->legacy;
}

/* ---------------------------------------------------------------- the request */

/* ExpressionAttributeValues comes with every expression but ProjectionExpression (the API model:
   GetItem and BatchGetItem's entries have no such member). */
#define TAKES_VALUES (DDB_OPF_EXPR_UPDATE | DDB_OPF_EXPR_CONDITION | DDB_OPF_EXPR_KEY_CONDITION | DDB_OPF_EXPR_FILTER)

/* The request members prepare reads, found in one pass (a repeated member: the last one). */
typedef struct req_members {
    const ddb_json *names, *values;
    const ddb_json *text[5]; /* by ddb_expr_kind */
} req_members;

static void find_members(const ddb_json *in, unsigned params, req_members *rm)
{
    static const struct {
        const char *name;
        int kind; /* ddb_expr_kind, or -1 names, -2 values */
    } known[] = {
        {"ExpressionAttributeNames", -1}, {"ExpressionAttributeValues", -2},  {"UpdateExpression", DDB_EXPR_UPDATE},
        {"ConditionExpression", DDB_EXPR_CONDITION}, {"KeyConditionExpression", DDB_EXPR_KEY_CONDITION},
        {"FilterExpression", DDB_EXPR_FILTER}, {"ProjectionExpression", DDB_EXPR_PROJECTION},
    };
    const bool takes[5] = {params & DDB_OPF_EXPR_CONDITION, params & DDB_OPF_EXPR_FILTER,
                           params & DDB_OPF_EXPR_KEY_CONDITION, params & DDB_OPF_EXPR_PROJECTION,
                           params & DDB_OPF_EXPR_UPDATE};

    memset(rm, 0, sizeof(*rm));
    if (in == NULL || in->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < in->n; i++) {
        const ddb_json_member *m = &in->u.members[i];

        /* Every known member name ends in "Expression" or "AttributeNames"/"AttributeValues". */
        if (m->klen < 16 || (m->key[m->klen - 1] != 'n' && m->key[m->klen - 1] != 's'))
            continue;
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            if (strcmp(m->key, known[k].name) != 0)
                continue;
            if (known[k].kind == -1)
                rm->names = m->val;
            else if (known[k].kind == -2)
                rm->values = params & TAKES_VALUES ? m->val : NULL;
            else if (takes[known[k].kind])
                rm->text[known[k].kind] = m->val;
            break;
        }
    }
}

static const char *parse_member(ddb_expr_ctx *ctx, const ddb_json *v, ddb_expr_kind kind, ddb_expr **slot)
{
    if (v == NULL || v->type != DDB_JSON_STRING)
        return NULL;
    return ddb_expr_parse(ctx, kind, v->u.s, v->n, slot);
}

/* In validateExpressions order: Update, Condition, KeyCondition, Filter, Projection. */
static const char *parse_expressions(ddb_parsed *pd, const req_members *rm, ddb_expr_ctx *ctx)
{
    const char *err;

    if ((err = parse_member(ctx, rm->text[DDB_EXPR_UPDATE], DDB_EXPR_UPDATE, &pd->update)) != NULL ||
        (err = parse_member(ctx, rm->text[DDB_EXPR_CONDITION], DDB_EXPR_CONDITION, &pd->condition)) != NULL ||
        (err = parse_member(ctx, rm->text[DDB_EXPR_KEY_CONDITION], DDB_EXPR_KEY_CONDITION, &pd->key_condition)) != NULL ||
        (err = parse_member(ctx, rm->text[DDB_EXPR_FILTER], DDB_EXPR_FILTER, &pd->filter)) != NULL)
        return err;
    return parse_member(ctx, rm->text[DDB_EXPR_PROJECTION], DDB_EXPR_PROJECTION, &pd->projection);
}

const char *ddb_expr_prepare_into(ddb_arena *a, unsigned params, const ddb_json *in, ddb_parsed *out)
{
    req_members rm;
    ddb_expr_ctx *ctx;
    const char *err;

    find_members(in, params, &rm);
    if ((err = ddb_expr_ctx_new(a, rm.names, rm.values, &ctx)) != NULL)
        return err;
    out->values = ddb_expr_ctx_values(ctx);
    if ((err = parse_expressions(out, &rm, ctx)) != NULL || (err = ddb_expr_ctx_finish(ctx)) != NULL)
        return err;
    if (out->key_condition != NULL && (err = ddb_expr_check_key_condition(a, out->key_condition)) != NULL)
        return err;
    return ddb_legacy_convert(a, params, in, out);
}
