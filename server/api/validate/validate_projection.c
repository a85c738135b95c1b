/*
 * server/api/validate/validate_projection.c: an index's Projection, as CreateTable and UpdateTable check it
 * for a secondary index and a vector index alike.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field STRING_MEMBER[] = {{"member", DDB_V_STRING}};

/* At most 20 NonKeyAttributes per index ("Member must have length less than or equal to 20"). */
const ddb_field ddb_projection_fields[] = {
    {"ProjectionType", DDB_V_STRING, .one_of = ENUM("ALL", "INCLUDE", "KEYS_ONLY")},
    {"NonKeyAttributes", DDB_V_LIST, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 20,
     .children = STRING_MEMBER},
    {NULL},
};

const char *ddb_projection_rules(ddb_arena *a, const ddb_json *index)
{
    const ddb_json *p = ddb_v_get(index, "Projection");
    const char *type = ddb_json_get_str(p, "ProjectionType");
    const ddb_json *nka = ddb_v_get(p, "NonKeyAttributes");

    if (type == NULL)
        return INVALID "Unknown ProjectionType: null";
    if (nka != NULL && strcmp(type, "INCLUDE") != 0)
        return ddb_arena_sprintf(a, INVALID "ProjectionType is %s, but NonKeyAttributes is specified", type);
    if (nka == NULL && strcmp(type, "INCLUDE") == 0)
        return INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified";
    for (uint32_t i = 1; i < list_len(nka); i++) {
        const char *x = nka->u.items[i]->u.s; /* strings: a null member was refused (validate.c) */
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(x, nka->u.items[j]->u.s) == 0)
                return ddb_arena_sprintf(a, INVALID "Duplicate element in NonKeyAttributes: %s", x);
        }
    }
    return NULL;
}
