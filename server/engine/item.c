/*
 * server/engine/item.c: key attributes checked against a table's schema (see item.h).
 */
#include "server/engine/item.h"

#include <string.h>

#define MAX_HASH_KEY_BYTES 2048
#define MAX_RANGE_KEY_BYTES 1024

const char *ddb_key_value_check(ddb_arena *a, const char *name, const ddb_attr *v, int is_hash)
{
    if (v->len == 0 && (v->type == DDB_T_S || v->type == DDB_T_B))
        return ddb_arena_sprintf(a,
                                 "One or more parameter values are not valid. The AttributeValue for a key attribute "
                                 "cannot contain an empty %s value. Key: %s",
                                 v->type == DDB_T_S ? "string" : "binary", name);
    if (v->type != DDB_T_N && is_hash && v->len > MAX_HASH_KEY_BYTES)
        return "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
               "of2048 bytes";
    if (v->type != DDB_T_N && !is_hash && v->len > MAX_RANGE_KEY_BYTES)
        return "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size "
               "limit of 1024 bytes";
    return NULL;
}

const char *ddb_item_key_check(ddb_arena *a, ddb_store *s, const ddb_table *t, const ddb_attr *item, int generic,
                               ddb_key *key)
{
    const char *names[2] = {t->hash_key, t->range_key}, *msg;
    ddb_type types[2] = {t->hash_type, t->range_type};
    const ddb_attr *vals[2] = {NULL, NULL};

    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        vals[i] = ddb_item_get(item, names[i], strlen(names[i]));
        if ((vals[i] == NULL || vals[i]->type != types[i]) && generic)
            return "The provided key element does not match the schema";
        if (vals[i] == NULL)
            return ddb_arena_sprintf(a, "One or more parameter values were invalid: Missing the key %s in the item",
                                     names[i]);
        if (vals[i]->type != types[i])
            return ddb_arena_sprintf(
                a, "One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s",
                names[i], ddb_type_name(types[i]), ddb_type_name(vals[i]->type));
        if ((msg = ddb_key_value_check(a, names[i], vals[i], i == 0)) != NULL)
            return msg;
    }
    ddb_key_build(a, s, t->id, vals[0], vals[1], key);
    return NULL;
}

const char *ddb_key_attrs_check(ddb_arena *a, ddb_store *s, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key)
{
    const char *names[2] = {t->hash_key, t->range_key}, *msg;
    ddb_type types[2] = {t->hash_type, t->range_type};
    const ddb_attr *vals[2] = {NULL, NULL};
    uint32_t nkeys = t->range_key ? 2 : 1;
    static const char mismatch[] = "The provided key element does not match the schema";

    if (keyattrs == NULL || keyattrs->len != nkeys)
        return mismatch;
    for (uint32_t i = 0; i < nkeys; i++) {
        vals[i] = ddb_item_get(keyattrs, names[i], strlen(names[i]));
        if (vals[i] == NULL || vals[i]->type != types[i])
            return mismatch;
    }
    for (uint32_t i = 0; i < nkeys; i++) {
        if ((msg = ddb_key_value_check(a, names[i], vals[i], i == 0)) != NULL)
            return msg;
    }
    ddb_key_build(a, s, t->id, vals[0], vals[1], key);
    return NULL;
}
