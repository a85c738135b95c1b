/*
 * server/api/validate/validate_lenient.c: ddbd --lenient-numbers (see ddb_v_coerce_numbers in validate.h).
 *
 * DynamoDB refuses a number sent as a JSON string ("ReadCapacityUnits": "3") with
 * SerializationException; DynamoDB Local's deserializer accepts it, and dynamodb-admin's Create
 * Table form depends on that. With the switch, the request tree is walked along the operation's
 * spec before validation, and every string where the spec wants an Integer, Long or Double that
 * holds a number in JSON's grammar becomes a NUMBER node. The tree keeps numbers as their source
 * text, so the node is then exactly the number the client meant: validation, its messages and the
 * handlers see nothing else. Other strings are left for the type pass to refuse as DynamoDB does.
 */
#include "server/api/validate/validate.h"

#include <string.h>

static void coerce(ddb_json *v, const ddb_field *f);

static void coerce_fields(ddb_json *obj, const ddb_field *fields)
{
    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        for (const ddb_field *f = fields; f != NULL && f->name != NULL; f++) {
            if (strlen(f->name) == m->klen && memcmp(f->name, m->key, m->klen) == 0) {
                coerce(m->val, f);
                break;
            }
        }
    }
}

static void coerce(ddb_json *v, const ddb_field *f)
{
    if (v == NULL)
        return;
    switch (f->type) {
    case DDB_V_INTEGER:
    case DDB_V_LONG:
    case DDB_V_DOUBLE:
        /* the tree keeps a number as its text, so the string becomes exactly that number */
        if (v->type == DDB_JSON_STRING && ddb_json_number_text(v->u.s, v->n))
            v->type = DDB_JSON_NUMBER;
        return;
    case DDB_V_LIST:
        for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++)
            coerce(v->u.items[i], &f->children[0]);
        return;
    case DDB_V_MAP:
        for (uint32_t i = 0; v->type == DDB_JSON_OBJECT && i < v->n; i++)
            coerce(v->u.members[i].val, &f->children[0]);
        return;
    case DDB_V_STRUCT:
        coerce_fields(v, f->children);
        return;
    default: /* strings, booleans, blobs and AttributeValues are never numbers on the wire */
        return;
    }
}

void ddb_v_coerce_numbers(ddb_json *in, const ddb_spec *spec)
{
    if (spec != NULL)
        coerce_fields(in, spec->fields);
}
