/*
 * server/expr/expr_update.c: applies an update (UpdateExpression or legacy AttributeUpdates) to an
 * item.
 *
 * Every value is computed from the item as it was before the update, then written. Problems are
 * reported in DynamoDB's order: a path whose parent is of the wrong kind, then a wrong operand
 * type anywhere, then, section by section from the last, a path that cannot be written and an
 * attribute a SET reads that is missing, and last a number out of range.
 *
 * The new item shares everything it does not change with the old one: containers on a written
 * path are copied once (copy-on-write), so an update costs what it writes, not the item's size.
 * List writes use the positions elements had before the update; SET past the end appends, in
 * index order; REMOVE past the end does nothing.
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "proto/number.h"

#define MSG_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_MISSING "The provided expression refers to an attribute that does not exist in the item"
#define MSG_PATH "The document path provided in the update expression is invalid for update"
#define MSG_LEGACY_TYPE "Type mismatch for attribute to update"

typedef enum vstat { V_OK, V_MISSING, V_TYPE, V_NUMBER } vstat;

typedef struct upd {
    ddb_arena *a;
    const ddb_expr *e;
    const ddb_attr *base;
    const ddb_attr **vals;   /* per action: the value written (NULL: remove) */
    const char **deferred;   /* per action: a number out of range, reported last */
    uint8_t *missing;        /* per action: a SET reads a missing attribute */
    uint8_t *skip;           /* per action: nothing to write (DELETE from a missing set) */
    bool absent;             /* the item does not exist: base is only its key */
} upd;

static const ddb_attr *get(const upd *u, const ddb_path *p)
{
    return ddb_path_get(u->base, p);
}

/* Whether the place `p` names can be written: its parent exists and is a map or list as needed. */
static bool writable(const upd *u, const ddb_path *p)
{
    ddb_path parent = {p->e, p->n - 1};
    const ddb_attr *c;

    if (p->n == 1)
        return true;
    if ((c = get(u, &parent)) == NULL)
        return false;
    return p->e[p->n - 1].kind == PE_INDEX ? c->type == DDB_T_L : c->type == DDB_T_M;
}

/* A parent that exists but is of the wrong kind is refused before anything else. */
static bool wrong_parent(const upd *u, const ddb_path *p)
{
    ddb_path parent = {p->e, p->n - 1};

    return p->n > 1 && get(u, &parent) != NULL && !writable(u, p);
}

/* ---------------------------------------------------------------- numbers and sets */

static ddb_attr *new_number(ddb_arena *a, const ddb_num *n)
{
    char text[DDB_NUM_TEXT_MAX];
    size_t len = ddb_num_format(n, text);
    ddb_attr *v = DDB_NEW(a, ddb_attr);

    v->type = DDB_T_N;
    v->len = (uint32_t)len;
    v->u.s = ddb_arena_strndup(a, text, len);
    return v;
}

/* An N whose text is a plain integer of at most 18 digits (counters, mostly). */
static bool small_int(const ddb_attr *x, int64_t *out)
{
    const char *s = x->u.s;
    uint32_t i = x->len > 0 && s[0] == '-' ? 1 : 0;
    int64_t v = 0;

    if (i == x->len || x->len - i > 18)
        return false;
    for (uint32_t k = i; k < x->len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        v = v * 10 + (s[k] - '0');
    }
    *out = i ? -v : v;
    return true;
}

static ddb_attr *int_number(ddb_arena *a, int64_t v)
{
    char text[24], *p = text + sizeof(text);
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    ddb_attr *out = DDB_NEW(a, ddb_attr);

    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        *--p = '-';
    out->type = DDB_T_N;
    out->len = (uint32_t)(text + sizeof(text) - p);
    out->u.s = ddb_arena_strndup(a, p, out->len);
    return out;
}

/* x + y or x - y; NULL with *err set when the result is out of DynamoDB's range. */
static ddb_attr *arith(ddb_arena *a, const ddb_attr *x, const ddb_attr *y, int minus, const char **err)
{
    ddb_num nx, ny, r;
    ddb_num_status st;
    int64_t ix, iy;

    /* Integers below 10^18 add exactly in 64 bits (no overflow, far below 38 digits). */
    if (small_int(x, &ix) && small_int(y, &iy))
        return int_number(a, minus ? ix - iy : ix + iy);

    if (ddb_num_parse(x->u.s, x->len, &nx) != DDB_NUM_OK || ddb_num_parse(y->u.s, y->len, &ny) != DDB_NUM_OK) {
        *err = MSG_TYPE;
        return NULL;
    }
    st = minus ? ddb_num_sub(&nx, &ny, &r) : ddb_num_add(&nx, &ny, &r);
    if (st == DDB_NUM_PRECISION) /* an exact sum that needs more than 38 digits: DynamoDB calls it an overflow */
        st = DDB_NUM_OVERFLOW;
    if (st != DDB_NUM_OK) {
        *err = ddb_num_status_message(st);
        return NULL;
    }
    return new_number(a, &r);
}

/* A set of byte strings for set union and difference in linear time (N texts are canonical). */
typedef struct strset {
    const ddb_attr **slot;
    uint32_t mask;
} strset;

static uint32_t str_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;

    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool strset_add(strset *s, const ddb_attr *v)
{
    for (uint32_t i = str_hash(v->u.s, v->len) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i] == NULL) {
            s->slot[i] = v;
            return true;
        }
        if (s->slot[i]->len == v->len && memcmp(s->slot[i]->u.s, v->u.s, v->len) == 0)
            return false;
    }
}

static bool strset_has(const strset *s, const ddb_attr *v)
{
    for (uint32_t i = str_hash(v->u.s, v->len) & s->mask;; i = (i + 1) & s->mask) {
        if (s->slot[i] == NULL)
            return false;
        if (s->slot[i]->len == v->len && memcmp(s->slot[i]->u.s, v->u.s, v->len) == 0)
            return true;
    }
}

static void strset_init(ddb_arena *a, strset *s, const ddb_attr *set)
{
    uint32_t cap = 8;

    while (cap < set->len * 2 + 2)
        cap <<= 1;
    s->slot = DDB_NEW_ARRAY(a, const ddb_attr *, cap);
    s->mask = cap - 1;
    for (uint32_t i = 0; i < set->len; i++)
        strset_add(s, &set->u.items[i]);
}

/* cur ∪ add, keeping cur's order and appending what is new. */
static ddb_attr *set_union(ddb_arena *a, const ddb_attr *cur, const ddb_attr *add)
{
    ddb_attr *out = DDB_NEW(a, ddb_attr);
    strset s;

    strset_init(a, &s, cur);
    *out = *cur;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, cur->len + add->len);
    memcpy(out->u.items, cur->u.items, sizeof(ddb_attr) * cur->len);
    out->len = cur->len;
    for (uint32_t i = 0; i < add->len; i++) {
        if (strset_add(&s, &add->u.items[i]))
            out->u.items[out->len++] = add->u.items[i];
    }
    ddb_set_sort(out);
    return out;
}

/* cur ∖ del; NULL when nothing is left (the attribute is then removed). */
static ddb_attr *set_minus(ddb_arena *a, const ddb_attr *cur, const ddb_attr *del)
{
    ddb_attr *out = DDB_NEW(a, ddb_attr);
    strset s;

    strset_init(a, &s, del);
    *out = *cur;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, cur->len ? cur->len : 1);
    out->len = 0;
    for (uint32_t i = 0; i < cur->len; i++) {
        if (!strset_has(&s, &cur->u.items[i]))
            out->u.items[out->len++] = cur->u.items[i];
    }
    return out->len ? out : NULL;
}

static ddb_attr *list_concat(ddb_arena *a, const ddb_attr *x, const ddb_attr *y)
{
    ddb_attr *out = DDB_NEW(a, ddb_attr);

    out->type = DDB_T_L;
    out->len = x->len + y->len;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, out->len ? out->len : 1);
    if (x->len)
        memcpy(out->u.items, x->u.items, sizeof(ddb_attr) * x->len);
    if (y->len)
        memcpy(out->u.items + x->len, y->u.items, sizeof(ddb_attr) * y->len);
    return out;
}

static bool is_set(uint8_t t)
{
    return t == DDB_T_SS || t == DDB_T_NS || t == DDB_T_BS;
}

/* ---------------------------------------------------------------- SET values */

static vstat value_of(upd *u, const ddb_node *n, const ddb_attr **out, const char **err);

/* Evaluates both operands of + - or list_append, each of type `want`. */
static vstat two_operands(upd *u, const ddb_node *n, ddb_type want, const ddb_attr **x, const ddb_attr **y,
                          const char **err)
{
    vstat st;

    if ((st = value_of(u, n->args[0], x, err)) != V_OK)
        return st;
    if ((*x)->type != want)
        return V_TYPE;
    if ((st = value_of(u, n->args[1], y, err)) != V_OK)
        return st;
    return (*y)->type != want ? V_TYPE : V_OK;
}

static vstat value_of(upd *u, const ddb_node *n, const ddb_attr **out, const char **err)
{
    const ddb_attr *x, *y;
    vstat st;

    switch (n->kind) {
    case NK_VALUE:
        *out = n->value;
        return *out ? V_OK : V_MISSING;
    case NK_PATH:
        *out = get(u, &n->path);
        return *out ? V_OK : V_MISSING;
    case NK_ARITH:
        if ((st = two_operands(u, n, DDB_T_N, &x, &y, err)) != V_OK)
            return st;
        *out = arith(u->a, x, y, n->op == AR_MINUS, err);
        return *out ? V_OK : V_NUMBER;
    case NK_FUNC:
        if (n->op == FN_IF_NOT_EXISTS) {
            *out = n->args[0]->kind == NK_PATH ? get(u, &n->args[0]->path) : NULL;
            return *out ? V_OK : value_of(u, n->args[1], out, err);
        }
        if (n->op == FN_LIST_APPEND) {
            if ((st = two_operands(u, n, DDB_T_L, &x, &y, err)) != V_OK)
                return st;
            *out = list_concat(u->a, x, y);
            return V_OK;
        }
        return V_TYPE;
    default:
        return V_TYPE;
    }
}

/* ---------------------------------------------------------------- ADD and DELETE */

static const char *type_msg(const upd *u)
{
    return u->e->legacy ? MSG_LEGACY_TYPE : MSG_TYPE;
}

/* The value ADD writes, from the current value (may be NULL) and the operand. */
static const char *add_value(upd *u, const ddb_attr *cur, const ddb_attr *v, const ddb_attr **out)
{
    const char *err = NULL;

    if (cur == NULL) {
        *out = v;
        return NULL;
    }
    if (v->type == DDB_T_N) {
        if (cur->type != DDB_T_N)
            return type_msg(u);
        *out = arith(u->a, cur, v, 0, &err);
        return err;
    }
    if (cur->type != v->type)
        return type_msg(u);
    /* Legacy AttributeUpdates may ADD a list: it appends. */
    *out = v->type == DDB_T_L ? list_concat(u->a, cur, v) : set_union(u->a, cur, v);
    return NULL;
}

static const char *delete_value(upd *u, const ddb_attr *cur, const ddb_attr *v, size_t i)
{
    if (cur == NULL) {
        u->skip[i] = 1;
        return NULL;
    }
    if (cur->type != v->type || !is_set(cur->type))
        return type_msg(u);
    u->vals[i] = set_minus(u->a, cur, v);
    return NULL;
}

/* ---------------------------------------------------------------- checking, in order */

static const char *check_parents(upd *u)
{
    for (uint32_t i = 0; i < u->e->nacts; i++) {
        if (wrong_parent(u, &u->e->acts[i].path))
            return MSG_PATH;
    }
    return NULL;
}

/* Computes each action's value; a wrong type stops at once, the rest waits its turn. */
static const char *compute_values(upd *u)
{
    for (uint32_t i = 0; i < u->e->nacts; i++) {
        const ddb_action *act = &u->e->acts[i];
        const ddb_attr *cur = NULL;
        const char *err = NULL;
        vstat st;

        if (act->kind == ACT_REMOVE)
            continue;
        if (act->kind == ACT_SET) {
            st = value_of(u, act->value, &u->vals[i], &err);
            if (st == V_TYPE)
                return MSG_TYPE;
            if (st == V_MISSING)
                u->missing[i] = 1;
            else if (st == V_NUMBER)
                u->deferred[i] = err;
            continue;
        }
        if (writable(u, &act->path))
            cur = get(u, &act->path);
        err = act->kind == ACT_ADD ? add_value(u, cur, act->value->value, &u->vals[i])
                                   : delete_value(u, cur, act->value->value, i);
        if (err != NULL)
            return err;
    }
    return NULL;
}

static uint8_t max_section(const ddb_expr *e)
{
    uint8_t m = 0;

    for (uint32_t i = 0; i < e->nacts; i++)
        m = e->acts[i].section > m ? e->acts[i].section : m;
    return m;
}

/* Section by section from the last: unwritable paths, then missing attributes. */
static const char *check_sections(upd *u)
{
    for (int s = max_section(u->e); s >= 0; s--) {
        for (uint32_t i = 0; i < u->e->nacts; i++) {
            const ddb_action *act = &u->e->acts[i];
            /* REMOVE on an item that does not exist removes nothing, silently, whatever the path
             * (issue 15; DynamoDB Local 1.25 refuses it, a known deviation of its own) */
            if (act->kind == ACT_REMOVE && u->absent)
                continue;
            if (act->section == s && !writable(u, &act->path))
                return MSG_PATH;
        }
        for (uint32_t i = 0; i < u->e->nacts; i++) {
            if (u->e->acts[i].section == s && u->missing[i])
                return MSG_MISSING;
        }
    }
    for (uint32_t i = 0; i < u->e->nacts; i++) {
        if (u->deferred[i] != NULL)
            return u->deferred[i];
    }
    return NULL;
}

/* ---------------------------------------------------------------- writing (copy-on-write) */

typedef struct owned_set {
    const void **keys;
    uint32_t *caps;
    uint32_t n, mask;
} owned_set;

typedef struct writer {
    ddb_arena *a;
    owned_set own;
    ddb_attr root;
} writer;

static uint32_t ptr_hash(const void *p)
{
    uintptr_t x = (uintptr_t)p;

    return (uint32_t)((x >> 3) * 2654435761u);
}

static void own_grow(writer *w);

static uint32_t *own_slot(writer *w, const void *arr, bool insert)
{
    owned_set *o = &w->own;

    if (o->keys == NULL && !insert)
        return NULL;
    if (insert && (o->keys == NULL || (o->n + 1) * 2 > o->mask + 1))
        own_grow(w);
    for (uint32_t i = ptr_hash(arr) & o->mask;; i = (i + 1) & o->mask) {
        if (o->keys[i] == arr)
            return &o->caps[i];
        if (o->keys[i] == NULL) {
            if (!insert)
                return NULL;
            o->keys[i] = arr;
            o->n++;
            return &o->caps[i];
        }
    }
}

static void own_grow(writer *w)
{
    owned_set old = w->own;
    uint32_t cap = old.keys ? (old.mask + 1) * 2 : 16;

    w->own.keys = DDB_NEW_ARRAY(w->a, const void *, cap);
    w->own.caps = DDB_NEW_ARRAY(w->a, uint32_t, cap);
    w->own.mask = cap - 1;
    w->own.n = 0;
    for (uint32_t i = 0; old.keys && i <= old.mask; i++) {
        if (old.keys[i] != NULL)
            *own_slot(w, old.keys[i], true) = old.caps[i];
    }
}

/* Makes the container's element array this update's own copy, with room for `extra` more. */
static void own(writer *w, ddb_attr *c, uint32_t extra)
{
    size_t esz = c->type == DDB_T_M ? sizeof(ddb_entry) : sizeof(ddb_attr);
    void *arr = c->type == DDB_T_M ? (void *)c->u.entries : (void *)c->u.items;
    uint32_t *cap = arr ? own_slot(w, arr, false) : NULL;
    uint32_t need = c->len + extra, newcap;
    void *copy;

    if (cap != NULL && *cap >= need)
        return;
    newcap = need < 4 ? 4 : need * 2;
    copy = ddb_arena_alloc(w->a, esz * newcap);
    if (c->len)
        memcpy(copy, arr, esz * c->len);
    if (c->type == DDB_T_M)
        c->u.entries = copy;
    else
        c->u.items = copy;
    *own_slot(w, copy, true) = newcap;
}

static ddb_entry *map_find(ddb_attr *m, const ddb_pelem *e)
{
    for (uint32_t i = 0; i < m->len; i++) {
        if (m->u.entries[i].nlen == e->nlen && memcmp(m->u.entries[i].name, e->name, e->nlen) == 0)
            return &m->u.entries[i];
    }
    return NULL;
}

/* The container at the first `depth` elements of p, owned, or NULL. */
static ddb_attr *walk(writer *w, const ddb_path *p, uint32_t depth)
{
    ddb_attr *cur = &w->root;

    for (uint32_t i = 0; i < depth; i++) {
        const ddb_pelem *e = &p->e[i];
        ddb_entry *ent;

        own(w, cur, 0);
        if (e->kind == PE_INDEX) {
            if (cur->type != DDB_T_L || (uint32_t)e->index >= cur->len)
                return NULL;
            cur = &cur->u.items[e->index];
        } else {
            if (cur->type != DDB_T_M || (ent = map_find(cur, e)) == NULL)
                return NULL;
            cur = &ent->val;
        }
    }
    return cur;
}

static void map_write(writer *w, ddb_attr *m, const ddb_pelem *e, const ddb_attr *v)
{
    ddb_entry *ent;

    own(w, m, v ? 1 : 0);
    ent = map_find(m, e);
    if (v == NULL) {
        if (ent != NULL) {
            size_t at = (size_t)(ent - m->u.entries);

            memmove(ent, ent + 1, sizeof(*ent) * (m->len - at - 1));
            m->len--;
        }
        return;
    }
    if (ent == NULL) {
        ent = &m->u.entries[m->len++];
        ent->name = e->name;
        ent->nlen = e->nlen;
    }
    ent->val = *v;
}

/* ---------------------------------------------------------------- list writes */

typedef struct list_op {
    uint32_t group;    /* which list: index into the groups array */
    int32_t index;
    const ddb_attr *v; /* NULL: remove */
} list_op;

static int list_op_cmp(const void *pa, const void *pb)
{
    const list_op *a = pa, *b = pb;

    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* Rebuilds one list from ops[0..n) (sorted by index): removals and replacements at old positions, then appends. */
static void list_apply(writer *w, const ddb_path *path, const list_op *ops, uint32_t n)
{
    ddb_attr *l = walk(w, path, path->n - 1);
    ddb_attr *items;
    uint32_t out = 0, k = 0;

    if (l == NULL || l->type != DDB_T_L)
        return;
    items = DDB_NEW_ARRAY(w->a, ddb_attr, l->len + n + 1);
    for (uint32_t i = 0; i < l->len; i++) {
        while (k < n && (uint32_t)ops[k].index < i)
            k++;
        if (k < n && (uint32_t)ops[k].index == i) {
            if (ops[k].v != NULL)
                items[out++] = *ops[k].v;
        } else {
            items[out++] = l->u.items[i];
        }
    }
    for (; k < n; k++) {
        if ((uint32_t)ops[k].index >= l->len && ops[k].v != NULL)
            items[out++] = *ops[k].v;
    }
    l->u.items = items;
    l->len = out;
    *own_slot(w, items, true) = out;
}

static bool same_parent(const ddb_path *x, const ddb_path *y)
{
    if (x->n != y->n)
        return false;
    for (uint32_t i = 0; i + 1 < x->n; i++) {
        const ddb_pelem *a = &x->e[i], *b = &y->e[i];

        if (a->kind != b->kind || a->index != b->index || a->nlen != b->nlen ||
            (a->nlen && memcmp(a->name, b->name, a->nlen) != 0))
            return false;
    }
    return true;
}

typedef struct group_order {
    const ddb_path *path;
    uint32_t first, n; /* its run in the sorted ops */
} group_order;

static int group_depth_cmp(const void *pa, const void *pb)
{
    const group_order *a = pa, *b = pb;

    return (a->path->n < b->path->n) - (a->path->n > b->path->n);
}

/* Groups the list-element writes by list and applies them, deepest lists first. */
static void apply_lists(writer *w, const upd *u)
{
    uint32_t nacts = u->e->nacts, nops = 0, ng = 0;
    list_op *ops = DDB_NEW_ARRAY(w->a, list_op, nacts ? nacts : 1);
    group_order *groups = DDB_NEW_ARRAY(w->a, group_order, nacts ? nacts : 1);

    for (uint32_t i = 0; i < nacts; i++) {
        const ddb_path *p = &u->e->acts[i].path;
        uint32_t g;

        if (p->e[p->n - 1].kind != PE_INDEX || u->skip[i])
            continue;
        for (g = 0; g < ng && !same_parent(groups[g].path, p); g++)
            ;
        if (g == ng)
            groups[ng++].path = p;
        ops[nops++] = (list_op){g, p->e[p->n - 1].index, u->vals[i]};
    }
    qsort(ops, nops, sizeof(*ops), list_op_cmp);
    for (uint32_t i = 0; i < nops; i++) {
        if (i == 0 || ops[i].group != ops[i - 1].group)
            groups[ops[i].group].first = i;
        groups[ops[i].group].n++;
    }
    qsort(groups, ng, sizeof(*groups), group_depth_cmp);
    for (uint32_t g = 0; g < ng; g++)
        list_apply(w, groups[g].path, ops + groups[g].first, groups[g].n);
}

static void apply_writes(upd *u, ddb_attr *out)
{
    writer w = {u->a, {0}, {0}};

    w.root.type = DDB_T_M;
    if (u->base != NULL)
        w.root = *u->base;
    for (uint32_t i = 0; i < u->e->nacts; i++) {
        const ddb_path *p = &u->e->acts[i].path;
        ddb_attr *parent;

        if (u->skip[i] || p->e[p->n - 1].kind == PE_INDEX)
            continue;
        if ((parent = walk(&w, p, p->n - 1)) != NULL && parent->type == DDB_T_M)
            map_write(&w, parent, &p->e[p->n - 1], u->vals[i]);
    }
    apply_lists(&w, u);
    *out = w.root;
}

static int apply_update(ddb_arena *a, const ddb_expr *update, const ddb_attr *old_item, bool absent,
                        ddb_attr *new_item, const char **errmsg)
{
    uint32_t n = update ? update->nacts : 0;
    upd u = {a, update, old_item, NULL, NULL, NULL, NULL, absent};
    const char *err;

    if (update == NULL) {
        memset(new_item, 0, sizeof(*new_item));
        new_item->type = DDB_T_M;
        if (old_item != NULL)
            *new_item = *old_item;
        return 0;
    }
    u.vals = DDB_NEW_ARRAY(a, const ddb_attr *, n ? n : 1);
    u.deferred = DDB_NEW_ARRAY(a, const char *, n ? n : 1);
    u.skip = DDB_NEW_ARRAY(a, uint8_t, n ? n : 1);
    u.missing = DDB_NEW_ARRAY(a, uint8_t, n ? n : 1);
    if ((err = check_parents(&u)) != NULL || (err = compute_values(&u)) != NULL || (err = check_sections(&u)) != NULL) {
        *errmsg = err;
        return -1;
    }
    apply_writes(&u, new_item);
    return 0;
}

int ddb_expr_apply_update(ddb_arena *a, const ddb_expr *update, const ddb_attr *old_item, ddb_attr *new_item,
                          const char **errmsg)
{
    return apply_update(a, update, old_item, false, new_item, errmsg);
}

int ddb_expr_apply_update_absent(ddb_arena *a, const ddb_expr *update, const ddb_attr *keyattrs, ddb_attr *new_item,
                                 const char **errmsg)
{
    return apply_update(a, update, keyattrs, true, new_item, errmsg);
}
