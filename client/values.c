/*
 * client/values.c: ddb_item, ddb_list and ddb_value: building, copying and reading attribute values.
 *
 * Values are proto ddb_attr (internal.h). A caller-owned item or list is the root of a ddb_owned;
 * setters copy into its pool. Root arrays grow by doubling, and their capacity is implied by the
 * length (the next power of two), so ddb_attr needs no capacity field. Nested values are copied
 * with exact sizes and never grown: only roots are mutable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"
#include "proto/number.h"

/* ---- pool ---- */

struct vpool_chunk {
    vpool_chunk *next;
    max_align_t data[];
};

#define VPOOL_FIRST 256
#define VPOOL_MAX_CHUNK (64 * 1024)

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        fputs("libddb: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *vpool_alloc(vpool *p, size_t n)
{
    void *r;

    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    if ((size_t)(p->end - p->cur) < n) {
        /* chunks double from 256 bytes, so a small item costs one small malloc */
        size_t prev = p->head != NULL ? (size_t)(p->end - (char *)p->head->data) : VPOOL_FIRST / 2;
        size_t size = prev * 2 > VPOOL_MAX_CHUNK ? VPOOL_MAX_CHUNK : prev * 2;
        vpool_chunk *c;

        if (size < n)
            size = n;
        c = xmalloc(sizeof(*c) + size);
        c->next = p->head;
        p->head = c;
        p->cur = (char *)c->data;
        p->end = p->cur + size;
    }
    r = p->cur;
    p->cur += n;
    return r;
}

void vpool_free(vpool *p)
{
    for (vpool_chunk *c = p->head, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    memset(p, 0, sizeof(*p));
}

static char *pool_strndup(vpool *p, const char *s, size_t n)
{
    char *d = vpool_alloc(p, n + 1);

    if (n != 0)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- owned roots ---- */

ddb_owned *owned_new(ddb_type t)
{
    ddb_owned *o = xmalloc(sizeof(*o));

    memset(o, 0, sizeof(*o));
    o->root.type = (uint8_t)t;
    return o;
}

void owned_free(ddb_owned *o)
{
    if (o == NULL)
        return;
    vpool_free(&o->pool);
    free(o);
}

ddb_owned *owned_of(const void *root)
{
    return (ddb_owned *)((char *)root - offsetof(ddb_owned, root));
}

/* Capacity implied by a root array's length: 0, 4, 8, 16, ... */
static size_t implied_cap(size_t len)
{
    size_t cap = 4;

    if (len == 0)
        return 0;
    while (cap < len)
        cap *= 2;
    return cap;
}

/* Makes room for one more element in a root array of `size`-byte elements. */
static void *grow(vpool *p, void *arr, size_t len, size_t size)
{
    size_t cap = implied_cap(len);
    void *n;

    if (len < cap)
        return arr;
    n = vpool_alloc(p, size * (cap == 0 ? 4 : cap * 2));
    if (len != 0)
        memcpy(n, arr, size * len);
    return n;
}

/* ---- deep copy ---- */

int value_copy(vpool *p, const ddb_attr *src, ddb_attr *dst)
{
    int depth = 1;

    *dst = *src;
    switch (src->type) {
    case DDB_T_S:
    case DDB_T_N:
    case DDB_T_B:
        dst->u.s = pool_strndup(p, src->u.s, src->len);
        break;
    case DDB_T_L:
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        dst->u.items = vpool_alloc(p, sizeof(ddb_attr) * (src->len ? src->len : 1));
        for (uint32_t i = 0; i < src->len; i++) {
            int d = value_copy(p, &src->u.items[i], &dst->u.items[i]);
            depth = d + 1 > depth ? d + 1 : depth;
        }
        break;
    case DDB_T_M:
        dst->u.entries = vpool_alloc(p, sizeof(ddb_entry) * (src->len ? src->len : 1));
        for (uint32_t i = 0; i < src->len; i++) {
            const ddb_entry *e = &src->u.entries[i];
            int d;

            dst->u.entries[i].name = pool_strndup(p, e->name, e->nlen);
            dst->u.entries[i].nlen = e->nlen;
            d = value_copy(p, &e->val, &dst->u.entries[i].val);
            depth = d + 1 > depth ? d + 1 : depth;
        }
        break;
    default:
        break;
    }
    return depth;
}

/* ---- root mutation ---- */

/* Stores a copy of v as attribute `name` of item root m (replacing any previous value). */
static int map_put(ddb_item *it, const char *name, const ddb_attr *v)
{
    ddb_owned *o;
    ddb_attr *m = AS_ATTR(it), copy;
    size_t nlen;

    if (it == NULL || name == NULL || v == NULL)
        return DDB_E_INVALID_ARGUMENT;
    o = owned_of(it);
    nlen = strlen(name);
    if (value_copy(&o->pool, v, &copy) > DDB_MAX_NESTING)
        return DDB_E_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < m->len; i++) {
        if (m->u.entries[i].nlen == nlen && memcmp(m->u.entries[i].name, name, nlen) == 0) {
            m->u.entries[i].val = copy;
            return DDB_OK;
        }
    }
    m->u.entries = grow(&o->pool, m->u.entries, m->len, sizeof(ddb_entry));
    m->u.entries[m->len] = (ddb_entry){pool_strndup(&o->pool, name, nlen), (uint32_t)nlen, copy};
    m->len++;
    return DDB_OK;
}

static int list_push(ddb_list *l, const ddb_attr *v)
{
    ddb_owned *o;
    ddb_attr *a = AS_ATTR(l);

    if (l == NULL || v == NULL)
        return DDB_E_INVALID_ARGUMENT;
    o = owned_of(l);
    a->u.items = grow(&o->pool, a->u.items, a->len, sizeof(ddb_attr));
    if (value_copy(&o->pool, v, &a->u.items[a->len]) > DDB_MAX_NESTING - 1)
        return DDB_E_INVALID_ARGUMENT; /* the element sits inside the list: one level less */
    a->len++;
    return DDB_OK;
}

/* ---- temporary scalars (copied by map_put/list_push) ---- */

static ddb_attr scalar(ddb_type t, const void *s, size_t len)
{
    ddb_attr a = {0};

    a.type = (uint8_t)t;
    a.len = (uint32_t)len;
    a.u.s = s;
    return a;
}

/* Canonical text of a decimal into buf; DDB_OK or DDB_E_INVALID_ARGUMENT. */
static int number_attr(const char *decimal, char buf[DDB_NUM_TEXT_MAX], ddb_attr *out)
{
    ddb_num n;

    if (decimal == NULL || ddb_num_parse(decimal, strlen(decimal), &n) != DDB_NUM_OK)
        return DDB_E_INVALID_ARGUMENT;
    *out = scalar(DDB_T_N, buf, ddb_num_format(&n, buf));
    return DDB_OK;
}

/* A set of n S/N/B elements in a malloc'd array (freed by the caller after the copy). */
static int set_attr(ddb_type t, const void *const *v, const size_t *lens, size_t n, ddb_attr *out, char **numbuf)
{
    ddb_attr *items = xmalloc(sizeof(ddb_attr) * (n ? n : 1));

    *numbuf = t == DDB_T_NS ? xmalloc(DDB_NUM_TEXT_MAX * (n ? n : 1)) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (v == NULL || v[i] == NULL)
            goto bad;
        if (t == DDB_T_NS) {
            if (number_attr(v[i], *numbuf + i * DDB_NUM_TEXT_MAX, &items[i]) != DDB_OK)
                goto bad;
        } else {
            items[i] = scalar(t == DDB_T_SS ? DDB_T_S : DDB_T_B, v[i], lens != NULL ? lens[i] : strlen(v[i]));
        }
    }
    *out = scalar(t, NULL, n);
    out->u.items = items;
    return DDB_OK;
bad:
    free(items);
    free(*numbuf);
    *numbuf = NULL;
    return DDB_E_INVALID_ARGUMENT;
}

/* ---- public: items ---- */

ddb_item *ddb_item_new(void)
{
    return (ddb_item *)&owned_new(DDB_T_M)->root;
}

ddb_item *ddb_item_dup(const ddb_item *it)
{
    ddb_owned *o;

    if (it == NULL)
        return NULL;
    o = owned_new(DDB_T_M);
    value_copy(&o->pool, AS_CATTR(it), &o->root);
    /* the copy has exact sizes; re-home the entries at an implied capacity so the dup can grow */
    if (o->root.len > 0) {
        ddb_entry *e = vpool_alloc(&o->pool, sizeof(ddb_entry) * implied_cap(o->root.len));
        memcpy(e, o->root.u.entries, sizeof(ddb_entry) * o->root.len);
        o->root.u.entries = e;
    }
    return (ddb_item *)&o->root;
}

void ddb_item_free(ddb_item *it)
{
    if (it != NULL)
        owned_free(owned_of(it));
}

int ddb_item_set_s(ddb_item *it, const char *name, const char *s)
{
    if (s == NULL)
        return DDB_E_INVALID_ARGUMENT;
    return ddb_item_set_s_len(it, name, s, strlen(s));
}

int ddb_item_set_s_len(ddb_item *it, const char *name, const char *s, size_t len)
{
    ddb_attr a = scalar(DDB_T_S, s, len);

    return s == NULL ? DDB_E_INVALID_ARGUMENT : map_put(it, name, &a);
}

int ddb_item_set_n(ddb_item *it, const char *name, const char *decimal)
{
    char buf[DDB_NUM_TEXT_MAX];
    ddb_attr a;
    int rc = number_attr(decimal, buf, &a);

    return rc != DDB_OK ? rc : map_put(it, name, &a);
}

/* Decimal text of v into buf[32] (no printf: counters are set on hot paths). */
static const char *int_text(long long v, char buf[32])
{
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *p = buf + 31;

    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

int ddb_item_set_int(ddb_item *it, const char *name, long long v)
{
    char buf[32];

    return ddb_item_set_n(it, name, int_text(v, buf));
}

int ddb_item_set_b(ddb_item *it, const char *name, const void *bytes, size_t len)
{
    ddb_attr a = scalar(DDB_T_B, bytes != NULL ? bytes : "", len);

    return bytes == NULL && len != 0 ? DDB_E_INVALID_ARGUMENT : map_put(it, name, &a);
}

int ddb_item_set_bool(ddb_item *it, const char *name, int v)
{
    ddb_attr a = scalar(DDB_T_BOOL, NULL, 0);

    a.boolean = v != 0;
    return map_put(it, name, &a);
}

int ddb_item_set_null(ddb_item *it, const char *name)
{
    ddb_attr a = scalar(DDB_T_NULL, NULL, 0);

    a.boolean = 1;
    return map_put(it, name, &a);
}

static int item_set_set(ddb_item *it, const char *name, ddb_type t, const void *const *v, const size_t *lens,
                        size_t n)
{
    ddb_attr a;
    char *numbuf;
    int rc = set_attr(t, v, lens, n, &a, &numbuf);

    if (rc == DDB_OK) {
        rc = map_put(it, name, &a);
        free(a.u.items);
        free(numbuf);
    }
    return rc;
}

int ddb_item_set_ss(ddb_item *it, const char *name, const char *const *v, size_t n)
{
    return item_set_set(it, name, DDB_T_SS, (const void *const *)v, NULL, n);
}

int ddb_item_set_ns(ddb_item *it, const char *name, const char *const *decimals, size_t n)
{
    return item_set_set(it, name, DDB_T_NS, (const void *const *)decimals, NULL, n);
}

int ddb_item_set_bs(ddb_item *it, const char *name, const void *const *v, const size_t *lens, size_t n)
{
    if (lens == NULL && n != 0)
        return DDB_E_INVALID_ARGUMENT;
    return item_set_set(it, name, DDB_T_BS, v, lens, n);
}

int ddb_item_set_map(ddb_item *it, const char *name, const ddb_item *m)
{
    return map_put(it, name, AS_CATTR(m));
}

int ddb_item_set_list(ddb_item *it, const char *name, const ddb_list *l)
{
    return map_put(it, name, AS_CATTR(l));
}

int ddb_item_set_value(ddb_item *it, const char *name, const ddb_value *v)
{
    return map_put(it, name, AS_CATTR(v));
}

int ddb_item_remove(ddb_item *it, const char *name)
{
    ddb_attr *m = AS_ATTR(it);
    size_t nlen;

    if (it == NULL || name == NULL)
        return DDB_E_INVALID_ARGUMENT;
    nlen = strlen(name);
    for (uint32_t i = 0; i < m->len; i++) {
        if (m->u.entries[i].nlen == nlen && memcmp(m->u.entries[i].name, name, nlen) == 0) {
            memmove(&m->u.entries[i], &m->u.entries[i + 1], sizeof(ddb_entry) * (m->len - i - 1));
            m->len--;
            /* keep the implied capacity true: shrinking below a power of two re-homes the array */
            if (m->len > 0 && implied_cap(m->len) != implied_cap(m->len + 1)) {
                ddb_entry *e = vpool_alloc(&owned_of(it)->pool, sizeof(ddb_entry) * implied_cap(m->len));
                memcpy(e, m->u.entries, sizeof(ddb_entry) * m->len);
                m->u.entries = e;
            }
            break;
        }
    }
    return DDB_OK;
}

/* ---- public: lists ---- */

ddb_list *ddb_list_new(void)
{
    return (ddb_list *)&owned_new(DDB_T_L)->root;
}

void ddb_list_free(ddb_list *l)
{
    if (l != NULL)
        owned_free(owned_of(l));
}

int ddb_list_append_s(ddb_list *l, const char *s)
{
    ddb_attr a = scalar(DDB_T_S, s, s != NULL ? strlen(s) : 0);

    return s == NULL ? DDB_E_INVALID_ARGUMENT : list_push(l, &a);
}

int ddb_list_append_n(ddb_list *l, const char *decimal)
{
    char buf[DDB_NUM_TEXT_MAX];
    ddb_attr a;
    int rc = number_attr(decimal, buf, &a);

    return rc != DDB_OK ? rc : list_push(l, &a);
}

int ddb_list_append_int(ddb_list *l, long long v)
{
    char buf[32];

    return ddb_list_append_n(l, int_text(v, buf));
}

int ddb_list_append_b(ddb_list *l, const void *bytes, size_t len)
{
    ddb_attr a = scalar(DDB_T_B, bytes != NULL ? bytes : "", len);

    return bytes == NULL && len != 0 ? DDB_E_INVALID_ARGUMENT : list_push(l, &a);
}

int ddb_list_append_bool(ddb_list *l, int v)
{
    ddb_attr a = scalar(DDB_T_BOOL, NULL, 0);

    a.boolean = v != 0;
    return list_push(l, &a);
}

int ddb_list_append_null(ddb_list *l)
{
    ddb_attr a = scalar(DDB_T_NULL, NULL, 0);

    a.boolean = 1;
    return list_push(l, &a);
}

int ddb_list_append_map(ddb_list *l, const ddb_item *m)
{
    return list_push(l, AS_CATTR(m));
}

int ddb_list_append_list(ddb_list *l, const ddb_list *sub)
{
    return list_push(l, AS_CATTR(sub));
}

int ddb_list_append_value(ddb_list *l, const ddb_value *v)
{
    return list_push(l, AS_CATTR(v));
}

const ddb_value *ddb_list_value(const ddb_list *l)
{
    return (const ddb_value *)l;
}

/* ---- public: reading ---- */

size_t ddb_item_count(const ddb_item *it)
{
    return it != NULL ? AS_CATTR(it)->len : 0;
}

const char *ddb_item_name(const ddb_item *it, size_t i, size_t *len)
{
    const ddb_attr *m = AS_CATTR(it);

    if (it == NULL || i >= m->len)
        return NULL;
    if (len != NULL)
        *len = m->u.entries[i].nlen;
    return m->u.entries[i].name;
}

const ddb_value *ddb_item_value(const ddb_item *it, size_t i)
{
    const ddb_attr *m = AS_CATTR(it);

    return it != NULL && i < m->len ? (const ddb_value *)&m->u.entries[i].val : NULL;
}

const ddb_value *ddb_item_attr(const ddb_item *it, const char *name)
{
    if (it == NULL || name == NULL)
        return NULL;
    return (const ddb_value *)ddb_item_get(AS_CATTR(it), name, strlen(name));
}

const char *ddb_item_get_s(const ddb_item *it, const char *name)
{
    const ddb_value *v = ddb_item_attr(it, name);

    return ddb_value_type_of(v) == DDB_TYPE_S ? AS_CATTR(v)->u.s : NULL;
}

const char *ddb_item_get_n(const ddb_item *it, const char *name)
{
    const ddb_value *v = ddb_item_attr(it, name);

    return ddb_value_type_of(v) == DDB_TYPE_N ? AS_CATTR(v)->u.s : NULL;
}

ddb_value_type ddb_value_type_of(const ddb_value *v)
{
    return v != NULL ? (ddb_value_type)AS_CATTR(v)->type : DDB_TYPE_NONE;
}

const char *ddb_value_bytes(const ddb_value *v, size_t *len)
{
    ddb_value_type t = ddb_value_type_of(v);

    if (t != DDB_TYPE_S && t != DDB_TYPE_N && t != DDB_TYPE_B)
        return NULL;
    if (len != NULL)
        *len = AS_CATTR(v)->len;
    return AS_CATTR(v)->u.s;
}

int ddb_value_bool(const ddb_value *v)
{
    return ddb_value_type_of(v) == DDB_TYPE_BOOL && AS_CATTR(v)->boolean;
}

size_t ddb_value_count(const ddb_value *v)
{
    switch (ddb_value_type_of(v)) {
    case DDB_TYPE_L:
    case DDB_TYPE_M:
    case DDB_TYPE_SS:
    case DDB_TYPE_NS:
    case DDB_TYPE_BS:
        return AS_CATTR(v)->len;
    default:
        return 0;
    }
}

const ddb_value *ddb_value_at(const ddb_value *v, size_t i)
{
    ddb_value_type t = ddb_value_type_of(v);

    if ((t != DDB_TYPE_L && t != DDB_TYPE_SS && t != DDB_TYPE_NS && t != DDB_TYPE_BS) || i >= AS_CATTR(v)->len)
        return NULL;
    return (const ddb_value *)&AS_CATTR(v)->u.items[i];
}

const ddb_item *ddb_value_map(const ddb_value *v)
{
    return ddb_value_type_of(v) == DDB_TYPE_M ? (const ddb_item *)v : NULL;
}

/* ---- JSON ---- */

int ddb_item_parse(const char *json, size_t len, ddb_item **out)
{
    ddb_arena a;
    ddb_json *doc;
    ddb_attr item;
    int rc = DDB_E_INVALID_ARGUMENT;

    if (json == NULL || out == NULL)
        return DDB_E_INVALID_ARGUMENT;
    ddb_arena_init(&a);
    doc = ddb_json_parse(&a, json, len);
    if (doc != NULL && doc->type == DDB_JSON_OBJECT && ddb_item_check_types(&a, doc) == NULL &&
        ddb_item_from_json(&a, doc, &item) == NULL) {
        ddb_owned *o = owned_new(DDB_T_M);

        *out = (ddb_item *)&o->root;
        for (uint32_t i = 0; i < item.len; i++)
            map_put(*out, item.u.entries[i].name, &item.u.entries[i].val);
        rc = DDB_OK;
    }
    ddb_arena_free(&a);
    return rc;
}

char *ddb_item_format(const ddb_item *it)
{
    ddb_buf b = {0};
    ddb_jw w;

    if (it == NULL)
        return NULL;
    ddb_jw_init(&w, &b);
    ddb_item_write_json(&w, AS_CATTR(it));
    return b.data;
}
