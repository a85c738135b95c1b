/*
 * server/expr/expr_ctx.c: an expression's context, the request's ExpressionAttributeNames and
 * ExpressionAttributeValues: their tables in Java's hash order, the checks of their keys and
 * values, and the "unused" messages once every expression has been parsed.
 */
#include "server/expr/expr_internal.h"

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
            if (v->n == 0 || v->n > DDB_ATTR_NAME_MAX) /* the name check writes would make, worded for the key */
                return ddb_arena_sprintf(a, "ExpressionAttributeNames contains invalid value: %s for key %s",
                                         v->n == 0 ? "Empty attribute name" : DDB_ATTR_NAME_TOO_LARGE, e->key);
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
static const char *decode_values(ddb_arena *a, ddb_value_dialect d, ddb_expr_table *t)
{
    uint32_t *ix = DDB_NEW_ARRAY(a, uint32_t, t->n ? t->n : 1);

    for (uint32_t i = 0; i < t->n; i++)
        ix[i] = i;
    java_order(a, t, ix, t->n, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        ddb_expr_ctx_entry *e = &t->e[ix[i]];
        const char *err = ddb_attr_from_json_as(a, e->json, d, &e->value);

        if (err == NULL && ddb_attr_has_empty_map_key(&e->value))
            err = "Empty attribute name"; /* DynamoDB Local 1.25 reports it for the key (classic form) */
        if (err != NULL)
            /* the 2026 layer (attr.h) reports a number's or a set's own message, and a value nested
               too deep bare too (UpdateItem, 31 of 33 regions: the conformance suite's split
               registry, 2026-10-07) */
            return d == DDB_VALUES_2026 &&
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
    return ddb_expr_ctx_new_as(a, names, values, DDB_VALUES_CLASSIC, out);
}

const char *ddb_expr_ctx_new_as(ddb_arena *a, const ddb_json *names, const ddb_json *values, ddb_value_dialect d,
                                ddb_expr_ctx **out)
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
        if ((err = check_value_keys(a, &ctx->values)) != NULL || (err = decode_values(a, d, &ctx->values)) != NULL)
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
