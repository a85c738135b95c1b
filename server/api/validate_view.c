/*
 * server/api/validate_view.c: a part of a request as DynamoDB's model knows it (validate.h,
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
#include "server/api/validate.h"

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

/* Whether member i of `obj` is repeated later (the last one counts, as ddb_json_get reads). */
static int repeated_later(const ddb_json *obj, uint32_t i)
{
    const ddb_json_member *m = &obj->u.members[i];

    for (uint32_t k = i + 1; k < obj->n; k++) {
        if (obj->u.members[k].klen == m->klen && memcmp(obj->u.members[k].key, m->key, m->klen) == 0)
            return 1;
    }
    return 0;
}

const ddb_json *ddb_v_known(ddb_arena *a, const ddb_json *obj, const ddb_field *fields)
{
    ddb_json *out;

    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return obj;
    out = new_container(a, DDB_JSON_OBJECT, obj->n);
    /* in the order sent, which is the order they are stored and described in */
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        const ddb_field *f = ddb_v_field(fields, m->key);
        /* (a key with a NUL inside is not the member its first part names) */
        if (f == NULL || strlen(m->key) != m->klen || !ddb_v_present(m->val) || repeated_later(obj, i))
            continue;
        out->u.members[out->n++] = (ddb_json_member){m->key, m->klen, (ddb_json *)known_value(a, m->val, f)};
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
