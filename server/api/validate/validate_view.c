/*
 * server/api/validate/validate_view.c: a part of a request as DynamoDB's model knows it (validate.h,
 * ddb_v_known), for the answers and records that carry a client's structure back out.
 *
 * DynamoDB deserializes a request into its model's objects: a member the model does not have is
 * dropped there, and what it echoes (BatchGetItem's UnprocessedKeys, BatchWriteItem's
 * UnprocessedItems, ImportTable's TableCreationParameters, an index's Projection in a table's
 * description) is serialized back from those objects. dynalite's type pass does the same ("the
 * checked view"). ddbd validates the parsed tree in place and keeps it, so a structure that goes
 * back out, or into the catalog, is first copied here with only its known members: an unknown
 * member, however deep, is never echoed or stored (issue 49).
 */
#include "server/api/validate/validate.h"

#include <string.h>

static const ddb_json *known_value(ddb_arena *a, const ddb_json *v, const ddb_field *f);

static ddb_json *new_container(ddb_arena *a, ddb_json_type type, uint32_t cap)
{
    ddb_json *out = DDB_NEW(a, ddb_json);

    out->type = type;
    out->n = 0;
    if (type == DDB_JSON_OBJECT)
        out->u.members = DDB_NEW_ARRAY(a, ddb_json_member, cap + 1);
    else
        out->u.items = DDB_NEW_ARRAY(a, ddb_json *, cap + 1);
    return out;
}

const ddb_json *ddb_v_known(ddb_arena *a, const ddb_json *obj, const ddb_field *fields)
{
    uint32_t nf = 0, *at;
    ddb_json *out;

    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return obj;
    while (fields[nf].name != NULL)
        nf++;
    out = new_container(a, DDB_JSON_OBJECT, nf);
    at = DDB_NEW_ARRAY(a, uint32_t, nf + 1); /* each field's place in `out`, plus one; 0: not yet */
    memset(at, 0, sizeof(*at) * (nf + 1));
    /* in the order sent (the order stored and described); a repeated member keeps its first
       place and its last value, as ddb_json_get and ddb_v_map_entries read it. One pass: a body
       of many repeats costs its length times the spec's few fields, not its length squared */
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        const ddb_field *f = ddb_v_field(fields, m->key);
        uint32_t k;
        /* (a key with a NUL inside is not the member its first part names) */
        if (f == NULL || strlen(m->key) != m->klen)
            continue;
        k = (uint32_t)(f - fields);
        if (at[k] == 0)
            at[k] = ++out->n;
        out->u.members[at[k] - 1] = (ddb_json_member){m->key, m->klen, m->val};
    }
    /* then null members go (a null is absent), and what is kept is pruned in turn */
    {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < out->n; i++) {
            ddb_json_member *m = &out->u.members[i];
            if (!ddb_v_present(m->val))
                continue;
            m->val = (ddb_json *)known_value(a, m->val, ddb_v_field(fields, m->key));
            out->u.members[kept++] = *m;
        }
        out->n = kept;
    }
    return out;
}

/* A member's value: structures pruned, lists and maps member by member, the rest as sent (the
   type pass has checked it; an AttributeValue nests at most 32 levels). */
static const ddb_json *known_value(ddb_arena *a, const ddb_json *v, const ddb_field *f)
{
    ddb_json *out;

    if (f->type == DDB_V_STRUCT && f->children != NULL)
        return ddb_v_known(a, v, f->children);
    if (f->type == DDB_V_LIST && v->type == DDB_JSON_ARRAY) {
        out = new_container(a, DDB_JSON_ARRAY, v->n);
        for (uint32_t i = 0; i < v->n; i++)
            out->u.items[out->n++] = (ddb_json *)known_value(a, v->u.items[i], &f->children[0]);
        return out;
    }
    if (f->type == DDB_V_MAP && v->type == DDB_JSON_OBJECT) {
        uint32_t n;
        ddb_json_member *m = ddb_v_map_entries(a, v, &n);
        out = new_container(a, DDB_JSON_OBJECT, n);
        for (uint32_t i = 0; i < n; i++)
            out->u.members[out->n++] = (ddb_json_member){m[i].key, m[i].klen, (ddb_json *)known_value(a, m[i].val, &f->children[0])};
        return out;
    }
    return v;
}

const ddb_field *ddb_v_field(const ddb_field *fields, const char *name)
{
    for (const ddb_field *f = fields; f != NULL && f->name != NULL; f++) {
        if (strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

/* ---- the model's view as the body is parsed (ddb_v_parse_known) ---- */

/* A member's description in its structure's fields; an unknown member is skipped (a key with a NUL
   inside is not the member its first part names: unknown, as ddb_v_known has it). */
static const void *known_member(const void *obj, const char *key, size_t klen, int *skip)
{
    const ddb_field *f = obj;

    if (f->type == DDB_V_MAP)
        return f->children != NULL ? &f->children[0] : NULL;
    if (f->type != DDB_V_STRUCT || f->children == NULL || (f->flags & DDB_VF_ELSEWHERE))
        return NULL; /* a value of another type: built whole, for the type check to refuse */
    for (const ddb_field *c = f->children; c->name != NULL; c++)
        if (strlen(c->name) == klen && memcmp(c->name, key, klen) == 0)
            return c;
    *skip = 1;
    return NULL;
}

static const void *known_element(const void *arr)
{
    const ddb_field *f = arr;

    return f->type == DDB_V_LIST && f->children != NULL ? &f->children[0] : NULL;
}

/* A list's length constraint: no more of it is built than one past it (the check refuses it as it
   is, its message the same: a length bound's failure echoes no count). */
static uint32_t known_bound(const void *arr)
{
    const ddb_field *f = arr;

    return f->type == DDB_V_LIST && (f->flags & (DDB_VF_LEN_MAX | DDB_VF_BUILT_MAX)) && f->len_max > 0
               ? (uint32_t)f->len_max
               : 0;
}

/* What DynamoDB's item size bounds: an AttributeValue, and a map of them that is an item or a key
   (its size the sum of its names' and values'). ExpressionAttributeValues is not one item: each
   value is bounded alone, as a value that large can only be a comparison's operand. A key cut
   (Key, ExclusiveStartKey, a member of Keys) is left to the key checks, which refuse what is
   built of it as they refuse the whole: an attribute the schema does not have, or a key
   attribute's value over 2 KB or of another type (a string is built whole, one node). */
static int known_attr(const void *desc)
{
    const ddb_field *f = desc;

    if (f->type == DDB_V_ATTR)
        return DDB_JSON_CUT_VALUE;
    if (f->type != DDB_V_MAP || f->children == NULL || f->children[0].type != DDB_V_ATTR ||
        strcmp(f->name, "ExpressionAttributeValues") == 0)
        return 0;
    return strcmp(f->name, "Key") == 0 || strcmp(f->name, "ExclusiveStartKey") == 0 || strcmp(f->name, "member") == 0
               ? DDB_JSON_CUT_KEY
               : DDB_JSON_CUT_VALUE;
}

ddb_json *ddb_v_parse_known(ddb_arena *a, const char *text, size_t len, const ddb_field *fields, int *cut)
{
    const ddb_field root = {.name = "", .type = DDB_V_STRUCT, .children = fields};
    const ddb_json_filter filter = {&root, known_member, known_element, known_bound, known_attr, cut};

    *cut = 0;
    return ddb_json_parse_input_filtered(a, text, len, NULL, &filter);
}

/* ---- the members that name a request's resources, alone (ddb_v_parse_paths) ---- */

static const ddb_field no_members[] = {{NULL}};

/* What stands for a value off every path: an object's members not built, a list built to two
   elements (one past a bound of one) so standing, a scalar one node. */
static const ddb_field *skeleton(ddb_arena *a, const ddb_field *f)
{
    ddb_field *s = DDB_NEW(a, ddb_field);

    if (f->type == DDB_V_LIST && f->children != NULL)
        *s = (ddb_field){.name = f->name, .type = DDB_V_LIST, .flags = DDB_VF_LEN_MAX, .len_max = 1,
                         .children = skeleton(a, &f->children[0])};
    else if (f->type == DDB_V_LIST || f->type == DDB_V_STRUCT || f->type == DDB_V_MAP || f->type == DDB_V_ATTR)
        *s = (ddb_field){.name = f->name, .type = DDB_V_STRUCT, .children = no_members};
    else
        *s = (ddb_field){.name = f->name, .type = f->type};
    return s;
}

static const ddb_field *prune(ddb_arena *a, const ddb_field *fields, const char *const *paths, size_t n);

/* Field f, which every path of rest[0..m) goes through (each what follows f's name: "" f itself,
   ".B" its member B, "[].B" each element's, "{}" a map's keys, its values left out). */
static ddb_field through(ddb_arena *a, const ddb_field *f, const char **rest, size_t m)
{
    ddb_field c = *f;
    ddb_field *el;

    if (rest[0][0] == '{' && f->children != NULL) {
        c.children = skeleton(a, &f->children[0]);
    } else if (rest[0][0] == '[' && f->children != NULL) {
        for (size_t i = 0; i < m; i++)
            rest[i] += rest[i][0] == '[' ? 3 : 0; /* "[].B": B */
        el = DDB_NEW(a, ddb_field);
        *el = f->children[0];
        el->children = f->children[0].children != NULL ? prune(a, f->children[0].children, rest, m) : NULL;
        c.children = el;
    } else if (rest[0][0] == '.' && f->children != NULL) {
        for (size_t i = 0; i < m; i++)
            rest[i] += rest[i][0] == '.';
        c.children = prune(a, f->children, rest, m);
    }
    return c;
}

/* The fields of `fields` the paths go through, each pruned the same way below. */
static const ddb_field *prune(ddb_arena *a, const ddb_field *fields, const char *const *paths, size_t n)
{
    ddb_field *out = DDB_NEW_ARRAY(a, ddb_field, n + 1);
    const char **rest = DDB_NEW_ARRAY(a, const char *, n);
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(paths[i], ".[{"), m = 0;
        const ddb_field *f = NULL;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) /* (its field is out already, with every path through it) */
            seen = strncmp(paths[j], paths[i], len) == 0 && strcspn(paths[j], ".[{") == len;
        for (const ddb_field *c = fields; !seen && f == NULL && c->name != NULL; c++)
            if (strlen(c->name) == len && memcmp(c->name, paths[i], len) == 0)
                f = c;
        if (f == NULL)
            continue;
        for (size_t j = i; j < n; j++)
            if (strncmp(paths[j], paths[i], len) == 0 && strcspn(paths[j], ".[{") == len)
                rest[m++] = paths[j] + len;
        out[k++] = through(a, f, rest, m);
    }
    out[k] = (ddb_field){NULL};
    return out;
}

ddb_json *ddb_v_parse_paths(ddb_arena *a, const char *text, size_t len, const ddb_field *fields,
                            const char *const *paths, size_t n)
{
    int cut;

    return ddb_v_parse_known(a, text, len, prune(a, fields, paths, n), &cut);
}
