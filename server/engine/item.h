/*
 * server/engine/item.h: an item's key as a table takes it: the checks of key attributes against
 * the table's schema, in DynamoDB's words, and the key they build.
 *
 * The operations (ops/ops_common.h records these messages on the request) and the engine's own
 * writers (ImportTable's job, engine/xfer/import.c) make the same checks, so they answer alike.
 * Each returns NULL and fills *key, or the ValidationException message (arena memory or static).
 */
#ifndef DDB_ITEM_H
#define DDB_ITEM_H

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"

/* A key attribute's value: not an empty string or binary, and within the key size limits. */
const char *ddb_key_value_check(ddb_arena *a, const char *name, const ddb_attr *v, int is_hash);
/*
 * A whole item's key attributes: PutItem's wording ("Missing the key pk in the item", "Type mismatch
 * for key ...") or, with `generic`, BatchWriteItem's ("The provided key element does not match the
 * schema"); then the values (ddb_key_value_check).
 */
const char *ddb_item_key_check(ddb_arena *a, ddb_store *s, const ddb_table *t, const ddb_attr *item, int generic,
                               ddb_key *key);
/* A Key parameter (GetItem, DeleteItem, UpdateItem): exactly the key attributes, with their types. */
const char *ddb_key_attrs_check(ddb_arena *a, ddb_store *s, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key);

#endif
