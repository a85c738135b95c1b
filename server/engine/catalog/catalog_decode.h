/*
 * server/engine/catalog/catalog_decode.h: a table from its stored description (the catalog's,
 * once a version).
 */
#ifndef DDB_CATALOG_DECODE_H
#define DDB_CATALOG_DECODE_H

#include <stddef.h>

#include "server/engine/feature.h"
#include "server/engine/table.h"

/* The table stored under catalog key `key` (its namespace, a slash, its name) decoded from its JSON,
   with the members of `rows` (feature.h; NULL: none); NULL if the JSON is not a usable
   description. Freed with ddb_table_free. */
ddb_table *ddb_table_decode(const char *key, const char *text, size_t len, const ddb_feature_rows *rows);
void ddb_table_free(ddb_table *t);

#endif
