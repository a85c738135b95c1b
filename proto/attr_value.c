/*
 * proto/attr_value.c: what is done with a decoded AttributeValue (attr.h): its type's name, its
 * JSON form, its size as DynamoDB counts it, equality and ordering by value (maps by key set, sets
 * by members, numbers numerically), item access and deep copy. Decoding, with DynamoDB's
 * messages, is proto/attr.c's, which uses these (never the other way round: tests/layers).
 */
#include "proto/attr.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"

/* ---- type names ---- */

static const char *const type_names[DDB_T_MAX + 1] = {
    [DDB_T_NONE] = "",
#define X(name, tag, shape) [DDB_T_##name] = #name,
    DDB_ATTR_TYPES(X)
#undef X
};

const char *ddb_type_name(ddb_type t)
{
    if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
        return "";
    return type_names[t];
}

ddb_type ddb_type_from_name(const char *s, size_t n)
{
    for (unsigned t = DDB_T_NONE + 1; t <= DDB_T_MAX; t++) {
        /* the first byte rejects most names before the length is looked at */
        if (n > 0 && type_names[t][0] == s[0] && strlen(type_names[t]) == n && memcmp(type_names[t], s, n) == 0)
            return (ddb_type)t;
    }
    return DDB_T_NONE;
}

/* ---- writer ---- */

static void write_base64(ddb_jw *w, const char *bytes, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(cap);

    if (text == NULL)
        abort();
    sodium_bin2base64(text, cap, (const unsigned char *)bytes, n, sodium_base64_VARIANT_ORIGINAL);
    ddb_jw_strn(w, text, strlen(text));
    free(text);
}

static void write_set(ddb_jw *w, const ddb_attr *v)
{
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < v->len; i++) {
        const ddb_attr *m = &v->u.items[i];

        if (m->type == DDB_T_B)
            write_base64(w, m->u.s, m->len);
        else
            ddb_jw_strn(w, m->u.s, m->len);
    }
    ddb_jw_arr_end(w);
}

static void write_payload(ddb_jw *w, const ddb_attr *v)
{
    switch (v->type) {
    case DDB_T_S:
    case DDB_T_N:
        ddb_jw_strn(w, v->u.s, v->len);
        break;
    case DDB_T_B:
        write_base64(w, v->u.s, v->len);
        break;
    case DDB_T_BOOL:
        ddb_jw_bool(w, v->boolean);
        break;
    case DDB_T_NULL:
        ddb_jw_bool(w, 1);
        break;
    case DDB_T_M:
        ddb_item_write_json(w, v);
        break;
    case DDB_T_L:
        ddb_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->len; i++)
            ddb_attr_write_json(w, &v->u.items[i]);
        ddb_jw_arr_end(w);
        break;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        write_set(w, v);
        break;
    default:
        ddb_jw_null(w);
        break;
    }
}

void ddb_attr_write_json(ddb_jw *w, const ddb_attr *v)
{
    if (v->type == DDB_T_S || v->type == DDB_T_N) { /* the common case, in one step */
        ddb_jw_tagged_str(w, v->type == DDB_T_S ? "S" : "N", v->u.s, v->len);
        return;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, ddb_type_name((ddb_type)v->type));
    write_payload(w, v);
    ddb_jw_obj_end(w);
}

void ddb_item_write_json(ddb_jw *w, const ddb_attr *item)
{
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < item->len; i++) {
        ddb_jw_keyn(w, item->u.entries[i].name, item->u.entries[i].nlen);
        ddb_attr_write_json(w, &item->u.entries[i].val);
    }
    ddb_jw_obj_end(w);
}

/* ---- size ---- */

static size_t number_size(const char *s, size_t n)
{
    ddb_num num;

    if (ddb_num_parse(s, n, &num) != DDB_NUM_OK)
        return n; /* not reachable for validated values; count the text */
    return ddb_num_size(&num);
}

int ddb_attr_has_empty_map_key(const ddb_attr *v)
{
    if (v->type == DDB_T_M) {
        for (uint32_t i = 0; i < v->len; i++)
            if (v->u.entries[i].nlen == 0 || ddb_attr_has_empty_map_key(&v->u.entries[i].val))
                return 1;
    } else if (v->type == DDB_T_L) {
        for (uint32_t i = 0; i < v->len; i++)
            if (ddb_attr_has_empty_map_key(&v->u.items[i]))
                return 1;
    }
    return 0;
}

size_t ddb_attr_size(const ddb_attr *v)
{
    size_t sum = 0;

    switch (v->type) {
    case DDB_T_S:
    case DDB_T_B:
        return v->len;
    case DDB_T_N:
        return number_size(v->u.s, v->len);
    case DDB_T_BOOL:
    case DDB_T_NULL:
        return 1;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        for (uint32_t i = 0; i < v->len; i++)
            sum += ddb_attr_size(&v->u.items[i]);
        return sum;
    case DDB_T_L:
        for (uint32_t i = 0; i < v->len; i++)
            sum += 1 + ddb_attr_size(&v->u.items[i]);
        return 3 + sum;
    case DDB_T_M:
        return 3 + v->len + ddb_item_size(v);
    default:
        return 0;
    }
}

size_t ddb_item_size(const ddb_attr *item)
{
    size_t sum = 0;

    for (uint32_t i = 0; i < item->len; i++)
        sum += item->u.entries[i].nlen + ddb_attr_size(&item->u.entries[i].val);
    return sum;
}

/* ---- comparison ---- */

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);

    if (c != 0)
        return c < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

static int number_text_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    ddb_num x, y;

    if (an == bn && memcmp(a, b, an) == 0)
        return 0;
    ddb_num_parse(a, an, &x);
    ddb_num_parse(b, bn, &y);
    return ddb_num_cmp(&x, &y);
}

int ddb_attr_cmp(const ddb_attr *a, const ddb_attr *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->type == DDB_T_N)
        return number_text_cmp(a->u.s, a->len, b->u.s, b->len);
    if (a->type == DDB_T_S || a->type == DDB_T_B)
        return bytes_cmp(a->u.s, a->len, b->u.s, b->len);
    return 0;
}

static int attr_ptr_cmp(const void *pa, const void *pb)
{
    return ddb_attr_cmp(*(const ddb_attr *const *)pa, *(const ddb_attr *const *)pb);
}

static int attr_cmp_qsort(const void *pa, const void *pb)
{
    return ddb_attr_cmp(pa, pb);
}

void ddb_set_sort(ddb_attr *set)
{
    if (set->len > 1)
        qsort(set->u.items, set->len, sizeof(set->u.items[0]), attr_cmp_qsort);
}

static const ddb_attr **sorted_members(const ddb_attr *set)
{
    const ddb_attr **p = malloc(sizeof(*p) * (set->len ? set->len : 1));

    if (p == NULL)
        abort();
    for (uint32_t i = 0; i < set->len; i++)
        p[i] = &set->u.items[i];
    qsort(p, set->len, sizeof(*p), attr_ptr_cmp);
    return p;
}

/* Sets have no duplicates, so two sets are equal when their sorted members pair up. */
static int sets_equal(const ddb_attr *a, const ddb_attr *b)
{
    const ddb_attr **pa = sorted_members(a), **pb = sorted_members(b);
    int eq = 1;

    for (uint32_t i = 0; i < a->len && eq; i++)
        eq = ddb_attr_cmp(pa[i], pb[i]) == 0;
    free(pa);
    free(pb);
    return eq;
}

static int entry_ptr_cmp(const void *pa, const void *pb)
{
    const ddb_entry *a = *(const ddb_entry *const *)pa, *b = *(const ddb_entry *const *)pb;

    return bytes_cmp(a->name, a->nlen, b->name, b->nlen);
}

static const ddb_entry **sorted_entries(const ddb_attr *m)
{
    const ddb_entry **p = malloc(sizeof(*p) * (m->len ? m->len : 1));

    if (p == NULL)
        abort();
    for (uint32_t i = 0; i < m->len; i++)
        p[i] = &m->u.entries[i];
    qsort(p, m->len, sizeof(*p), entry_ptr_cmp);
    return p;
}

/* Entry order does not matter; small maps are searched, large ones sorted to stay O(n log n). */
static int maps_equal(const ddb_attr *a, const ddb_attr *b)
{
    const ddb_entry **pa, **pb;
    int eq = 1;

    if (a->len <= 16) {
        for (uint32_t i = 0; i < a->len && eq; i++) {
            const ddb_entry *e = &a->u.entries[i];
            const ddb_attr *other = ddb_item_get(b, e->name, e->nlen);

            eq = other != NULL && ddb_attr_equal(&e->val, other);
        }
        return eq;
    }
    pa = sorted_entries(a);
    pb = sorted_entries(b);
    for (uint32_t i = 0; i < a->len && eq; i++)
        eq = entry_ptr_cmp(&pa[i], &pb[i]) == 0 && ddb_attr_equal(&pa[i]->val, &pb[i]->val);
    free(pa);
    free(pb);
    return eq;
}

int ddb_attr_equal(const ddb_attr *a, const ddb_attr *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type == DDB_T_N) /* by value, whatever the texts' lengths */
        return number_text_cmp(a->u.s, a->len, b->u.s, b->len) == 0;
    if (a->len != b->len)
        return 0;
    switch (a->type) {
    case DDB_T_S:
    case DDB_T_B:
        return ddb_attr_cmp(a, b) == 0;
    case DDB_T_BOOL:
        return a->boolean == b->boolean;
    case DDB_T_L:
        for (uint32_t i = 0; i < a->len; i++) {
            if (!ddb_attr_equal(&a->u.items[i], &b->u.items[i]))
                return 0;
        }
        return 1;
    case DDB_T_M:
        return maps_equal(a, b);
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        return sets_equal(a, b);
    default:
        return 1;
    }
}

/* ---- access and copy ---- */

const ddb_attr *ddb_item_get(const ddb_attr *item, const char *name, size_t nlen)
{
    for (uint32_t i = 0; i < item->len; i++) {
        const ddb_entry *e = &item->u.entries[i];

        if (e->nlen == nlen && memcmp(e->name, name, nlen) == 0)
            return &e->val;
    }
    return NULL;
}

void ddb_attr_copy(ddb_arena *a, const ddb_attr *src, ddb_attr *dst)
{
    *dst = *src;
    switch (src->type) {
    case DDB_T_S:
    case DDB_T_N:
    case DDB_T_B:
        dst->u.s = ddb_arena_strndup(a, src->u.s, src->len);
        break;
    case DDB_T_L:
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        dst->u.items = DDB_NEW_ARRAY(a, ddb_attr, src->len);
        for (uint32_t i = 0; i < src->len; i++)
            ddb_attr_copy(a, &src->u.items[i], &dst->u.items[i]);
        break;
    case DDB_T_M:
        dst->u.entries = DDB_NEW_ARRAY(a, ddb_entry, src->len);
        for (uint32_t i = 0; i < src->len; i++) {
            dst->u.entries[i].name = ddb_arena_strndup(a, src->u.entries[i].name, src->u.entries[i].nlen);
            dst->u.entries[i].nlen = src->u.entries[i].nlen;
            ddb_attr_copy(a, &src->u.entries[i].val, &dst->u.entries[i].val);
        }
        break;
    default:
        break;
    }
}
