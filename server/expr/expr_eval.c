/*
 * server/expr/expr_eval.c: evaluates condition trees against an item, and projects items onto paths
 * (ProjectionExpression, AttributesToGet, ReturnValues UPDATED_*).
 *
 * Evaluation allocates nothing: operands are pointers into the item or the request's values,
 * and size() formats its number into a buffer on the stack.
 */
#include "server/expr/expr_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"

/* ---------------------------------------------------------------- values */

const ddb_attr *ddb_path_get(const ddb_attr *item, const ddb_path *path)
{
    const ddb_attr *cur = item;

    if (item == NULL || path->n == 0)
        return NULL;
    for (uint32_t i = 0; i < path->n && cur != NULL; i++) {
        const ddb_pelem *e = &path->e[i];

        if (e->kind == PE_INDEX)
            cur = (cur->type == DDB_T_L && (uint32_t)e->index < cur->len) ? &cur->u.items[e->index] : NULL;
        else
            cur = (cur->type == DDB_T_M && e->name != NULL) ? ddb_item_get(cur, e->name, e->nlen) : NULL;
    }
    return cur;
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c != 0)
        return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

static int number_cmp(const ddb_attr *a, const ddb_attr *b)
{
    ddb_num x, y;

    if (a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0)
        return 0;
    if (ddb_num_parse(a->u.s, a->len, &x) != DDB_NUM_OK || ddb_num_parse(b->u.s, b->len, &y) != DDB_NUM_OK)
        return bytes_cmp(a->u.s, a->len, b->u.s, b->len);
    return ddb_num_cmp(&x, &y);
}

int ddb_scalar_order(const ddb_attr *a, const ddb_attr *b, bool *ok)
{
    *ok = a->type == b->type && (a->type == DDB_T_S || a->type == DDB_T_N || a->type == DDB_T_B);
    if (!*ok)
        return 0;
    if (a->type == DDB_T_N)
        return number_cmp(a, b);
    /* Strings order by their UTF-8 bytes, binaries by unsigned bytes. */
    return bytes_cmp(a->u.s, a->len, b->u.s, b->len);
}

/* Set elements are S, N or B; numbers are equal by value. */
static bool elem_equal(const ddb_attr *x, const ddb_attr *v)
{
    if (x->type == DDB_T_N)
        return number_cmp(x, v) == 0;
    return x->len == v->len && memcmp(x->u.s, v->u.s, x->len) == 0;
}

static ddb_type set_elem_type(ddb_type set)
{
    return set == DDB_T_SS ? DDB_T_S : set == DDB_T_NS ? DDB_T_N : set == DDB_T_BS ? DDB_T_B : DDB_T_NONE;
}

bool ddb_set_has(const ddb_attr *set, const ddb_attr *v)
{
    if (set_elem_type((ddb_type)set->type) != v->type)
        return false;
    for (uint32_t i = 0; i < set->len; i++) {
        if (elem_equal(&set->u.items[i], v))
            return true;
    }
    return false;
}

/* size(): S in characters, B in bytes, sets and lists in elements, maps in entries. */
static bool size_of(const ddb_attr *v, uint32_t *out)
{
    switch (v->type) {
    case DDB_T_S:
        *out = (uint32_t)ddb_utf16_len(v->u.s, v->len);
        return true;
    case DDB_T_B:
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
    case DDB_T_L:
    case DDB_T_M:
        *out = v->len;
        return true;
    default:
        return false;
    }
}

/* Room for size()'s result while an operand is compared. */
typedef struct scratch {
    ddb_attr num;
    char text[16];
} scratch;

static const ddb_attr *operand(const ddb_node *n, const ddb_attr *item, scratch *s)
{
    const ddb_attr *v;
    uint32_t size;

    switch (n->kind) {
    case NK_PATH:
        return ddb_path_get(item, &n->path);
    case NK_VALUE:
        return n->value;
    case NK_FUNC:
        if (n->op != FN_SIZE || (v = operand(n->args[0], item, s)) == NULL || !size_of(v, &size))
            return NULL;
        memset(&s->num, 0, sizeof(s->num));
        s->num.type = DDB_T_N;
        s->num.len = (uint32_t)snprintf(s->text, sizeof(s->text), "%u", size);
        s->num.u.s = s->text;
        return &s->num;
    default:
        return NULL;
    }
}

/* ---------------------------------------------------------------- conditions */

static bool eval(const ddb_node *n, const ddb_attr *item);

static bool eval_cmp(const ddb_node *n, const ddb_attr *item)
{
    scratch sa, sb;
    const ddb_attr *a = operand(n->args[0], item, &sa), *b = operand(n->args[1], item, &sb);
    bool ok;
    int c;

    if (n->op == CMP_EQ || n->op == CMP_NE) {
        bool eq = a != NULL && b != NULL && ddb_attr_equal(a, b);

        return n->op == CMP_EQ ? eq : !eq;
    }
    if (a == NULL || b == NULL)
        return false;
    c = ddb_scalar_order(a, b, &ok);
    if (!ok)
        return false;
    switch (n->op) {
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static bool eval_between(const ddb_node *n, const ddb_attr *item)
{
    scratch s0, s1, s2;
    const ddb_attr *a = operand(n->args[0], item, &s0), *lo = operand(n->args[1], item, &s1),
                   *hi = operand(n->args[2], item, &s2);
    bool ok1, ok2;
    int c1, c2;

    if (a == NULL || lo == NULL || hi == NULL)
        return false;
    c1 = ddb_scalar_order(lo, a, &ok1);
    c2 = ddb_scalar_order(a, hi, &ok2);
    return ok1 && ok2 && c1 <= 0 && c2 <= 0;
}

static bool eval_in(const ddb_node *n, const ddb_attr *item)
{
    scratch sa, sb;
    const ddb_attr *a = operand(n->args[0], item, &sa);

    if (a == NULL)
        return false;
    for (uint32_t i = 1; i < n->nargs; i++) {
        const ddb_attr *b = operand(n->args[i], item, &sb);

        if (b != NULL && ddb_attr_equal(a, b))
            return true;
    }
    return false;
}

static bool bytes_contain(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hn; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
            return true;
    }
    return false;
}

/* contains(a, b): substring of S, subsequence of B, member of a set, element of a list. */
static bool contains(const ddb_attr *a, const ddb_attr *b)
{
    switch (a->type) {
    case DDB_T_S:
    case DDB_T_B:
        return b->type == a->type && bytes_contain(a->u.s, a->len, b->u.s, b->len);
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        return ddb_set_has(a, b);
    case DDB_T_L:
        for (uint32_t i = 0; i < a->len; i++) {
            if (ddb_attr_equal(&a->u.items[i], b))
                return true;
        }
        return false;
    default:
        return false;
    }
}

static bool begins_with(const ddb_attr *a, const ddb_attr *b)
{
    if (a->type != b->type || (a->type != DDB_T_S && a->type != DDB_T_B))
        return false;
    return a->len >= b->len && memcmp(a->u.s, b->u.s, b->len) == 0;
}

static bool eval_func(const ddb_node *n, const ddb_attr *item)
{
    scratch sa, sb;
    const ddb_attr *a = operand(n->args[0], item, &sa), *b;

    if (n->op == FN_ATTRIBUTE_EXISTS)
        return a != NULL;
    if (n->op == FN_ATTRIBUTE_NOT_EXISTS)
        return a == NULL;
    if (a == NULL || n->nargs < 2 || (b = operand(n->args[1], item, &sb)) == NULL)
        return false;
    switch (n->op) {
    case FN_ATTRIBUTE_TYPE:
        return b->type == DDB_T_S && strlen(ddb_type_name((ddb_type)a->type)) == b->len &&
               memcmp(ddb_type_name((ddb_type)a->type), b->u.s, b->len) == 0;
    case FN_BEGINS_WITH:
        return begins_with(a, b);
    case FN_CONTAINS:
        return contains(a, b);
    default:
        return false;
    }
}

static bool eval(const ddb_node *n, const ddb_attr *item)
{
    switch (n->kind) {
    case NK_AND:
        return eval(n->args[0], item) && eval(n->args[1], item);
    case NK_OR:
        return eval(n->args[0], item) || eval(n->args[1], item);
    case NK_NOT:
        return !eval(n->args[0], item);
    case NK_CMP:
        return eval_cmp(n, item);
    case NK_BETWEEN:
        return eval_between(n, item);
    case NK_IN:
        return eval_in(n, item);
    case NK_FUNC:
        return eval_func(n, item);
    default:
        return false;
    }
}

bool ddb_expr_eval_condition(const ddb_expr *cond, const ddb_attr *item)
{
    if (cond == NULL || cond->root == NULL)
        return true;
    return eval(cond->root, item);
}

/* ---------------------------------------------------------------- projection
 *
 * The paths become a tree (a.b and a.c share a), then the item is copied along it: maps keep
 * the named members in the order first named, lists the named indexes in index order.
 */

typedef struct pnode pnode;
struct pnode {
    const ddb_pelem *key;
    bool leaf;
    pnode *child, *next;
};

static pnode *pnode_child(ddb_arena *a, pnode *parent, const ddb_pelem *key)
{
    pnode **link = &parent->child;

    for (pnode *c = parent->child; c != NULL; c = c->next) {
        if ((c->key->kind == PE_INDEX) == (key->kind == PE_INDEX) &&
            (key->kind == PE_INDEX ? c->key->index == key->index
                                   : (c->key->nlen == key->nlen && memcmp(c->key->name, key->name, key->nlen) == 0)))
            return c;
        link = &c->next;
    }
    *link = DDB_NEW(a, pnode);
    (*link)->key = key;
    return *link;
}

static void pnode_add(ddb_arena *a, pnode *root, const ddb_path *p)
{
    pnode *n = root;

    for (uint32_t i = 0; i < p->n; i++) {
        if (p->e[i].kind != PE_INDEX && p->e[i].name == NULL)
            return;
        n = pnode_child(a, n, &p->e[i]);
    }
    n->leaf = true;
}

static bool copy_along(ddb_arena *a, const pnode *n, const ddb_attr *src, ddb_attr *out);

static bool copy_map(ddb_arena *a, const pnode *parent, const ddb_attr *src, ddb_attr *out)
{
    uint32_t cap = 0, n = 0;
    ddb_entry *entries = NULL;

    for (const pnode *c = parent->child; c != NULL; c = c->next)
        cap++;
    for (const pnode *c = parent->child; c != NULL; c = c->next) {
        const ddb_attr *v;

        if (c->key->kind == PE_INDEX || (v = ddb_item_get(src, c->key->name, c->key->nlen)) == NULL)
            continue;
        if (entries == NULL)
            entries = DDB_NEW_ARRAY(a, ddb_entry, cap);
        if (copy_along(a, c, v, &entries[n].val)) {
            entries[n].name = c->key->name;
            entries[n].nlen = c->key->nlen;
            n++;
        }
    }
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    out->len = n;
    out->u.entries = entries;
    return n > 0;
}

static int pnode_index_cmp(const void *pa, const void *pb)
{
    int32_t a = (*(const pnode *const *)pa)->key->index, b = (*(const pnode *const *)pb)->key->index;

    return (a > b) - (a < b);
}

static bool copy_list(ddb_arena *a, const pnode *parent, const ddb_attr *src, ddb_attr *out)
{
    uint32_t k = 0, n = 0;
    const pnode **idx;

    for (const pnode *c = parent->child; c != NULL; c = c->next)
        k += c->key->kind == PE_INDEX;
    idx = ddb_arena_alloc(a, sizeof(*idx) * (k ? k : 1));
    k = 0;
    for (const pnode *c = parent->child; c != NULL; c = c->next) {
        if (c->key->kind == PE_INDEX)
            idx[k++] = c;
    }
    qsort(idx, k, sizeof(*idx), pnode_index_cmp);
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_L;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, k ? k : 1);
    for (uint32_t i = 0; i < k; i++) {
        if ((uint32_t)idx[i]->key->index < src->len && copy_along(a, idx[i], &src->u.items[idx[i]->key->index], &out->u.items[n]))
            n++;
    }
    out->len = n;
    return n > 0;
}

/* Copies the part of src the subtree below n names; false when nothing of it exists. */
static bool copy_along(ddb_arena *a, const pnode *n, const ddb_attr *src, ddb_attr *out)
{
    if (n->leaf) {
        *out = *src;
        return true;
    }
    if (src->type == DDB_T_M)
        return copy_map(a, n, src, out);
    if (src->type == DDB_T_L)
        return copy_list(a, n, src, out);
    return false;
}

/* The projection tree of a projection's paths, or of an update's target paths, built once. */
void ddb_expr_build_ptree(ddb_arena *a, ddb_expr *e)
{
    pnode *root = DDB_NEW(a, pnode);

    for (uint32_t i = 0; i < e->npaths; i++)
        pnode_add(a, root, &e->paths[i]);
    for (uint32_t i = 0; i < e->nacts; i++)
        pnode_add(a, root, &e->acts[i].path);
    e->ptree = root;
}

static void project_tree(ddb_arena *a, const pnode *root, const ddb_attr *item, ddb_attr *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    if (item == NULL || item->type != DDB_T_M || root == NULL)
        return;
    copy_map(a, root, item, out);
}

void ddb_expr_project(ddb_arena *a, const ddb_expr *proj, const ddb_attr *item, ddb_attr *out)
{
    if (proj == NULL) {
        memset(out, 0, sizeof(*out));
        out->type = DDB_T_M;
        if (item != NULL)
            *out = *item;
        return;
    }
    project_tree(a, proj->ptree, item, out);
}

void ddb_expr_project_updated(ddb_arena *a, const ddb_expr *update, const ddb_attr *item, ddb_attr *out)
{
    project_tree(a, update ? update->ptree : NULL, item, out);
}
