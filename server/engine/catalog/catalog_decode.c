/*
 * server/engine/catalog/catalog_decode.c: a table's stored description (JSON) decoded into the
 * typed table that requests read (see catalog_decode.h): its keys and their types, its indexes'
 * key parts and projections, its features' members. The catalog decodes each version once, when it installs it.
 */
#include "server/engine/catalog/catalog_decode.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/engine/catalog/catalog_members.h"

void ddb_table_free(ddb_table *t)
{
    ddb_arena_free(&t->arena);
    free(t);
}

static const char *key_attr(const ddb_json *desc, const char *key_type)
{
    const ddb_json *ks = ddb_json_get(desc, "KeySchema");

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *kt = ddb_json_get_str(ks->u.items[i], "KeyType");
        if (kt != NULL && strcmp(kt, key_type) == 0)
            return ddb_json_get_str(ks->u.items[i], "AttributeName");
    }
    return NULL;
}

static ddb_type attr_type(const ddb_json *desc, const char *name)
{
    const ddb_json *defs = ddb_json_get(desc, "AttributeDefinitions");

    for (uint32_t i = 0; name != NULL && defs != NULL && i < defs->n; i++) {
        const char *n = ddb_json_get_str(defs->u.items[i], "AttributeName");
        const char *t = ddb_json_get_str(defs->u.items[i], "AttributeType");
        if (n != NULL && t != NULL && strcmp(n, name) == 0)
            return ddb_type_from_name(t, strlen(t));
    }
    return DDB_T_NONE;
}

/* The HASH (or RANGE) elements of a KeySchema, in order, with their declared types. */
static unsigned key_parts(const ddb_json *desc, const ddb_json *schema, const char *key_type, ddb_key_part *out)
{
    unsigned n = 0;

    for (uint32_t i = 0; schema != NULL && schema->type == DDB_JSON_ARRAY && i < schema->n; i++) {
        const char *kt = ddb_json_get_str(schema->u.items[i], "KeyType");
        const char *name = ddb_json_get_str(schema->u.items[i], "AttributeName");
        if (kt == NULL || name == NULL || strcmp(kt, key_type) != 0 || n == DDB_MAX_KEY_PARTS)
            continue;
        out[n].name = name;
        out[n].nlen = (uint32_t)strlen(name);
        out[n].type = attr_type(desc, name);
        n++;
    }
    return n;
}

/* A vector index's own members: its attribute, dimensions, metric and search schema. */
static int vector_from_json(ddb_table *t, const ddb_json *ix, ddb_index *out)
{
    ddb_vector_def *v = DDB_NEW(&t->arena, ddb_vector_def);
    const ddb_json *dims = ddb_json_get(ix, "Dimensions"), *schema = ddb_json_get(ix, "SearchSchema");
    int metric = ddb_vector_metric_from_name(ddb_json_get_str(ix, "DistanceFunction"));

    const ddb_json *attr = ddb_json_get(ddb_json_get(ix, "VectorAttribute"), "AttributeName");

    if (attr == NULL || attr->type != DDB_JSON_STRING || dims == NULL || dims->type != DDB_JSON_NUMBER || metric < 0)
        return -1;
    v->attr = attr->u.s;
    v->alen = attr->n; /* its JSON length: a name may hold a NUL, as DynamoDB allows (compatibility.md) */
    { /* a Dimensions with a fraction (6.7) is truncated, as DynamoDB does; 1e1 is 10 */
        double d = strtod(dims->u.s, NULL);
        v->dims = d >= 1 && d <= DDB_MAX_VECTOR_DIMS ? (unsigned)d : 0;
    }
    v->metric = (ddb_vector_metric)metric;
    if (v->dims < 1 || v->dims > DDB_MAX_VECTOR_DIMS)
        return -1;
    for (uint32_t i = 0; schema != NULL && schema->type == DDB_JSON_ARRAY && i < schema->n; i++) {
        const char *name = ddb_json_get_str(schema->u.items[i], "AttributeName");
        const char *role = ddb_json_get_str(schema->u.items[i], "SearchSchemaElementType");
        int hash = role != NULL && strcmp(role, "HASH") == 0;
        ddb_key_part *p;
        if (name == NULL || (hash ? out->nhash == 1 : v->nfilters == DDB_MAX_INLINE_FILTERS))
            return -1;
        p = hash ? &out->hash[out->nhash++] : &v->filters[v->nfilters++];
        p->name = name;
        p->nlen = (uint32_t)strlen(name);
        if ((p->type = attr_type(t->desc, name)) == DDB_T_NONE)
            return -1;
    }
    out->vec = v;
    return 0;
}

static int index_from_json(ddb_table *t, const ddb_json *ix, ddb_index_kind kind, ddb_index *out)
{
    const ddb_json *proj = ddb_json_get(ix, "Projection");
    const char *pt = ddb_json_get_str(proj, "ProjectionType");
    const ddb_json *nk = ddb_json_get(proj, "NonKeyAttributes");

    memset(out, 0, sizeof(*out));
    out->name = ddb_json_get_str(ix, "IndexName");
    out->kind = kind;
    ddb_member_index_read(ix, out);
    out->capacity.provisioned = t->capacity.provisioned; /* billing is the table's (read before its indexes) */
    if (kind == DDB_IX_VECTOR) {
        if (vector_from_json(t, ix, out) != 0)
            return -1;
    } else {
        out->nhash = key_parts(t->desc, ddb_json_get(ix, "KeySchema"), "HASH", out->hash);
        out->nrange = key_parts(t->desc, ddb_json_get(ix, "KeySchema"), "RANGE", out->range);
    }
    out->projection = pt != NULL && strcmp(pt, "ALL") == 0       ? DDB_PROJ_ALL
                      : pt != NULL && strcmp(pt, "INCLUDE") == 0 ? DDB_PROJ_INCLUDE
                                                                 : DDB_PROJ_KEYS_ONLY;
    out->desc = ix;
    if (nk != NULL && nk->type == DDB_JSON_ARRAY && nk->n > 0) {
        out->nonkey = DDB_NEW_ARRAY(&t->arena, const char *, nk->n);
        out->nonkey_len = DDB_NEW_ARRAY(&t->arena, uint32_t, nk->n);
        for (uint32_t i = 0; i < nk->n; i++) {
            if (nk->u.items[i]->type != DDB_JSON_STRING)
                continue;
            out->nonkey[out->nnonkey] = nk->u.items[i]->u.s;
            out->nonkey_len[out->nnonkey++] = nk->u.items[i]->n;
        }
    }
    if (out->name == NULL || (out->nhash == 0 && kind != DDB_IX_VECTOR))
        return -1;
    for (unsigned i = 0; i < out->nhash; i++)
        if (out->hash[i].type == DDB_T_NONE)
            return -1;
    for (unsigned i = 0; i < out->nrange; i++)
        if (out->range[i].type == DDB_T_NONE)
            return -1;
    return 0;
}

static int indexes_from_json(ddb_table *t)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes", "VectorIndexes"};
    static const ddb_index_kind kinds[] = {DDB_IX_LOCAL, DDB_IX_GLOBAL, DDB_IX_VECTOR};

    for (int l = 0; l < 3; l++) {
        const ddb_json *ixs = ddb_json_get(t->desc, lists[l]);
        for (uint32_t i = 0; ixs != NULL && ixs->type == DDB_JSON_ARRAY && i < ixs->n; i++) {
            if (t->nindexes == DDB_MAX_INDEXES || index_from_json(t, ixs->u.items[i], kinds[l], &t->indexes[t->nindexes]) != 0)
                return -1;
            t->nindexes++;
            t->nlsi += l == 0;
            t->nvector += l == 2;
        }
    }
    return 0;
}

ddb_table *ddb_table_decode(const char *key, const char *text, size_t len, const ddb_feature_rows *rows)
{
    ddb_table *t = ddb_zalloc(sizeof(*t));
    const ddb_json *id, *version;

    ddb_arena_init(&t->arena);
    t->desc_text = ddb_arena_strndup(&t->arena, text, len);
    t->desc_len = len;
    t->desc = ddb_json_parse(&t->arena, t->desc_text, len);
    id = ddb_json_get(t->desc, "ddbdTableId");
    if (t->desc == NULL || id == NULL || id->type != DDB_JSON_NUMBER) {
        ddb_table_free(t);
        return NULL;
    }
    version = ddb_json_get(t->desc, "ddbdVersion");
    t->key = ddb_arena_strndup(&t->arena, key, strlen(key));
    if ((t->name = strchr(t->key, '/')) != NULL) {
        t->ns = ddb_arena_strndup(&t->arena, t->key, (size_t)(t->name - t->key));
        t->name++;
    } else {
        t->ns = "";
        t->name = t->key;
    }
    t->id = (uint32_t)strtoul(id->u.s, NULL, 10);
    t->version = version != NULL && version->type == DDB_JSON_NUMBER ? strtoull(version->u.s, NULL, 10) : 0;
    if ((id = ddb_json_get(t->desc, "ddbdCollectionsId")) != NULL && id->type == DDB_JSON_NUMBER)
        t->collections_id = (uint32_t)strtoul(id->u.s, NULL, 10);
    ddb_members_read(t);
    t->hash_key = key_attr(t->desc, "HASH");
    t->range_key = key_attr(t->desc, "RANGE");
    t->hash_type = attr_type(t->desc, t->hash_key);
    t->range_type = attr_type(t->desc, t->range_key);
    if (t->hash_key == NULL || t->hash_type == DDB_T_NONE || indexes_from_json(t) != 0) {
        ddb_table_free(t);
        return NULL;
    }
    ddb_members_read_rows(t, rows);
    return t;
}
