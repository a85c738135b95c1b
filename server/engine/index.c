/*
 * server/engine/index.c: secondary index entries (see index.h).
 */
#include "server/engine/index.h"

#include <string.h>


/* The escaped form of a key value: 00 -> 00 FF, then 00 01 unless `open`. Returns the length written. */
static size_t escape_into(char *out, const char *form, size_t flen, int open)
{
    size_t n = 0;

    for (size_t i = 0; i < flen; i++) {
        out[n++] = form[i];
        if (form[i] == 0)
            out[n++] = (char)0xff;
    }
    if (!open) {
        out[n++] = 0;
        out[n++] = 1;
    }
    return n;
}

/* An index key value of the item, or NULL when it keeps the item out of the index: missing, another
   type, or empty (writes refuse the last two once the index exists; a backfill skips them). */
static const ddb_attr *part_value(const ddb_attr *item, const ddb_key_part *p)
{
    const ddb_attr *v = ddb_item_get(item, p->name, p->nlen);
    return v != NULL && v->type == p->type && (v->len > 0 || v->type == DDB_T_N) ? v : NULL;
}

/* pk bytes: the raw key form for one part (as the table's own partitions), escaped parts for
   several; and their partition hash: one part's as a table's (ddb_key_hash), several parts' the
   store's hash of the escaped bytes (DynamoDB's rule for them is not known). */
static uint64_t partition_bytes(ddb_arena *a, const ddb_store *store, const ddb_index *ix,
                                const ddb_attr *const *vals, const char **out, size_t *len)
{
    const char *forms[DDB_MAX_KEY_PARTS];
    size_t flens[DDB_MAX_KEY_PARTS], total = 0;
    char *p;

    for (unsigned i = 0; i < ix->nhash; i++) {
        ddb_key_form(a, vals[i], &forms[i], &flens[i]);
        total += flens[i] * 2 + 2;
    }
    if (ix->nhash == 1) {
        *out = forms[0];
        *len = flens[0];
        return ddb_key_hash(store, vals[0], forms[0], flens[0]);
    }
    p = ddb_arena_alloc(a, total);
    *len = 0;
    for (unsigned i = 0; i < ix->nhash; i++)
        *len += escape_into(p + *len, forms[i], flens[i], 0);
    *out = p;
    return ddb_store_hash(store, p, *len);
}

static void build_prefix(ddb_arena *a, uint64_t hash, const ddb_index *ix, const char *pk, size_t pklen,
                         size_t extra, ddb_key *out)
{
    out->len = DDB_KEY_PREFIX_BYTES + pklen;
    out->part_len = out->len;
    out->bytes = ddb_arena_alloc(a, out->len + extra);
    out->part_hash = hash;
    ddb_put_be(out->bytes, ix->id, 4);
    ddb_put_be(out->bytes + 4, out->part_hash, 8);
    ddb_put_be(out->bytes + 12, pklen, 2);
    memcpy(out->bytes + DDB_KEY_PREFIX_BYTES, pk, pklen);
}

void ddb_index_partition_key(ddb_arena *a, const ddb_store *store, const ddb_index *ix, const ddb_attr *const *hash_vals,
                             ddb_key *out)
{
    const char *pk;
    size_t pklen;
    uint64_t h = partition_bytes(a, store, ix, hash_vals, &pk, &pklen);

    build_prefix(a, h, ix, pk, pklen, 0, out);
}

/* The bytes of an index's key parts in the item (strings and binaries; numbers are bounded). */
static size_t parts_bytes(const ddb_key_part *parts, unsigned n, const ddb_attr *item)
{
    size_t sum = 0;

    for (unsigned k = 0; k < n; k++) {
        const ddb_attr *v = ddb_item_get(item, parts[k].name, parts[k].nlen);
        if (v != NULL && (v->type == DDB_T_S || v->type == DDB_T_B))
            sum += v->len;
    }
    return sum;
}

int ddb_index_entry_key(ddb_arena *a, const ddb_store *store, const ddb_index *ix, const ddb_attr *item,
                        const ddb_key *base, ddb_key *out)
{
    const ddb_attr *hv[DDB_MAX_KEY_PARTS];
    const char *forms[DDB_MAX_KEY_PARTS], *pk;
    size_t flens[DDB_MAX_KEY_PARTS], extra = base->len - DDB_KEY_TABLE_BYTES, pklen;
    uint64_t h;

    for (unsigned i = 0; i < ix->nhash; i++) {
        if ((hv[i] = part_value(item, &ix->hash[i])) == NULL)
            return 1;
    }
    if (ix->kind == DDB_IX_VECTOR && ix->nhash == 0) {
        /* no HASH element: one partition per base partition, so entries spread as items do */
        build_prefix(a, base->part_hash, ix, "", 0, extra, out);
        memcpy(out->bytes + out->len, base->bytes + DDB_KEY_TABLE_BYTES, extra);
        out->len += extra;
        return 0;
    }
    /* an item written before the index existed may hold a key value over the limits: it is left
       out of the index, as DynamoDB's backfill does (ScyllaDB's test_gsi_updatetable.py) */
    if (parts_bytes(ix->hash, ix->nhash, item) > 2048 || parts_bytes(ix->range, ix->nrange, item) > 1024)
        return 1;
    for (unsigned i = 0; i < ix->nrange; i++) {
        const ddb_attr *v = part_value(item, &ix->range[i]);
        if (v == NULL)
            return 1;
        ddb_key_form(a, v, &forms[i], &flens[i]);
        extra += flens[i] * 2 + 2;
    }
    h = partition_bytes(a, store, ix, hv, &pk, &pklen);
    build_prefix(a, h, ix, pk, pklen, extra, out);
    for (unsigned i = 0; i < ix->nrange; i++)
        out->len += escape_into(out->bytes + out->len, forms[i], flens[i], 0);
    memcpy(out->bytes + out->len, base->bytes + DDB_KEY_TABLE_BYTES, base->len - DDB_KEY_TABLE_BYTES);
    out->len += base->len - DDB_KEY_TABLE_BYTES;
    return 0;
}

int ddb_index_entry_base(const ddb_index *ix, const char *key, size_t klen, size_t *off)
{
    size_t o;

    if (klen < DDB_KEY_PREFIX_BYTES)
        return -1;
    o = DDB_KEY_PREFIX_BYTES + (size_t)ddb_get_be(key + 12, 2);
    /* each sort part escaped (00 -> 00 FF) and terminated (00 01): its end is the first 00 01 */
    for (unsigned i = 0; i < ix->nrange && !(ix->kind == DDB_IX_VECTOR && ix->nhash == 0); i++) {
        while (o + 1 < klen && !(key[o] == 0 && key[o + 1] == 1))
            o += key[o] == 0 ? 2 : 1;
        if (o + 1 >= klen)
            return -1;
        o += 2;
    }
    if (o > klen)
        return -1;
    *off = o;
    return 0;
}

void ddb_index_append_sort_part(ddb_arena *a, const char *prefix, size_t plen, const ddb_attr *v, int open, char **out,
                                size_t *outlen)
{
    const char *form;
    size_t flen;
    char *p;

    ddb_key_form(a, v, &form, &flen);
    p = ddb_arena_alloc(a, plen + flen * 2 + 2);
    memcpy(p, prefix, plen);
    *outlen = plen + escape_into(p + plen, form, flen, open);
    *out = p;
}

static int same_name(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

int ddb_index_projects(const ddb_table *t, const ddb_index *ix, const char *name, size_t nlen)
{
    if (ix->projection == DDB_PROJ_ALL || same_name(name, nlen, t->hash_key, strlen(t->hash_key)) ||
        (t->range_key != NULL && same_name(name, nlen, t->range_key, strlen(t->range_key))))
        return 1;
    for (unsigned i = 0; i < ix->nhash; i++)
        if (same_name(name, nlen, ix->hash[i].name, ix->hash[i].nlen))
            return 1;
    for (unsigned i = 0; i < ix->nrange; i++)
        if (same_name(name, nlen, ix->range[i].name, ix->range[i].nlen))
            return 1;
    for (unsigned i = 0; i < ix->nnonkey; i++)
        if (same_name(name, nlen, ix->nonkey[i], ix->nonkey_len[i]))
            return 1;
    if (ix->vec != NULL) { /* the vector attribute and the inline filters are always in the index */
        if (same_name(name, nlen, ix->vec->attr, ix->vec->alen))
            return 1;
        for (unsigned i = 0; i < ix->vec->nfilters; i++)
            if (same_name(name, nlen, ix->vec->filters[i].name, ix->vec->filters[i].nlen))
                return 1;
    }
    return 0;
}

void ddb_index_project(ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_attr *item, ddb_attr *out)
{
    *out = *item;
    if (ix->projection == DDB_PROJ_ALL)
        return;
    out->u.entries = DDB_NEW_ARRAY(a, ddb_entry, item->len ? item->len : 1);
    out->len = 0;
    for (uint32_t i = 0; i < item->len; i++) {
        if (ddb_index_projects(t, ix, item->u.entries[i].name, item->u.entries[i].nlen))
            out->u.entries[out->len++] = item->u.entries[i];
    }
}

static const char *check_part(ddb_arena *a, const ddb_index *ix, const ddb_key_part *p, const ddb_attr *item,
                              int by_update)
{
    const ddb_attr *v = ddb_item_get(item, p->name, p->nlen);

    if (v == NULL)
        return NULL;
    if (v->type != p->type)
        return ddb_arena_sprintf(a,
                                 "One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s "
                                 "Actual: %s IndexName: %s",
                                 p->name, ddb_type_name(p->type), ddb_type_name((ddb_type)v->type), ix->name);
    if (v->len == 0 && (v->type == DDB_T_S || v->type == DDB_T_B) && by_update)
        return ddb_arena_sprintf(a,
                                 "One or more parameter values are not valid. The update expression attempted to update "
                                 "a secondary index key to a value that is not supported. The AttributeValue for a key "
                                 "attribute cannot contain an empty %s value.",
                                 v->type == DDB_T_S ? "string" : "binary");
    if (v->len == 0 && (v->type == DDB_T_S || v->type == DDB_T_B))
        return ddb_index_empty_key_message(a, v->type, ix->name, p->name);
    return NULL;
}

/*
 * An index key value is held to the table's key limits, 2048 bytes for a partition key and 1024
 * for a sort key: DynamoDB refuses the write (ScyllaDB's test_gsi.py, run against DynamoDB, expects
 * a ValidationException naming 2048, resp. 1024). The texts are the table key's (not confirmed for
 * an index); the parts of a multi-attribute key are summed.
 */
const char *ddb_index_check_item(ddb_arena *a, const ddb_table *t, const ddb_attr *item, int by_update)
{
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        const char *msg;
        if (!ddb_index_maintained(ix) || ix->kind == DDB_IX_VECTOR)
            continue;
        for (unsigned k = 0; k < ix->nhash; k++)
            if ((msg = check_part(a, ix, &ix->hash[k], item, by_update)) != NULL)
                return msg;
        for (unsigned k = 0; k < ix->nrange; k++)
            if ((msg = check_part(a, ix, &ix->range[k], item, by_update)) != NULL)
                return msg;
        if (parts_bytes(ix->hash, ix->nhash, item) > 2048)
            return "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
                   "of2048 bytes";
        if (parts_bytes(ix->range, ix->nrange, item) > 1024)
            return "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the "
                   "size limit of 1024 bytes";
    }
    return NULL;
}

const char *ddb_index_empty_key_message(ddb_arena *a, int type, const char *index, const char *key)
{
    return ddb_arena_sprintf(a,
                             "One or more parameter values are not valid. A value specified for a secondary index key "
                             "is not supported. The AttributeValue for a key attribute cannot contain an empty %s "
                             "value. IndexName: %s, IndexKey: %s",
                             type == DDB_T_S ? "string" : "binary", index, key);
}
