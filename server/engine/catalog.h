/*
 * server/engine/catalog.h: table metadata, persisted in the store's metadata space and cached in memory.
 *
 * Each table is stored under "table/<name>" as the JSON of its description (the fields
 * DynamoDB's CreateTable/UpdateTable accept, plus TableId, the internal numeric id that prefixes
 * its item keys, and CreationDateTime). Table ids are never reused, so a deleted table's stray
 * keys can never surface in a new table of the same name.
 */
#ifndef DDB_CATALOG_H
#define DDB_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "attr.h"
#include "json.h"
#include "storage.h"

typedef struct ddb_catalog ddb_catalog;

typedef struct ddb_table {
    const char *name;
    uint32_t id;                 /* key prefix of its items */
    const char *hash_key;
    ddb_type hash_type;
    const char *range_key;       /* NULL for hash-only tables */
    ddb_type range_type;
    const ddb_json *desc;        /* the stored description (an OBJECT) */
    const char *desc_text;       /* its JSON text */
    size_t desc_len;
    ddb_arena arena;             /* owns everything above */
} ddb_table;

ddb_catalog *ddb_catalog_open(ddb_store *store, char **err);
void ddb_catalog_close(ddb_catalog *c);
size_t ddb_catalog_count(ddb_catalog *c);

/* The table, or NULL. The pointer stays valid until the catalog closes (replaced tables are retired, not freed). */
const ddb_table *ddb_catalog_get(ddb_catalog *c, const char *name);

/*
 * Creates a table from a stored description (JSON object text without TableId/CreationDateTime;
 * the catalog adds them). Returns 0, 1 when the name exists, -1 on storage failure.
 */
int ddb_catalog_create(ddb_catalog *c, const char *name, const char *desc_json, size_t len, double now,
                       const ddb_table **out);
/* Replaces a table's description (UpdateTable); the id and creation time are kept. 0, 1 if missing, -1. */
int ddb_catalog_update(ddb_catalog *c, const char *name, const char *desc_json, size_t len, const ddb_table **out);
/* Deletes the table and all its items. 0, 1 if missing, -1. */
int ddb_catalog_delete(ddb_catalog *c, const char *name);

/* Names in order, after `exclusive_start` (may be NULL), at most `limit`; *more says whether others follow. */
size_t ddb_catalog_list(ddb_catalog *c, ddb_arena *a, const char *exclusive_start, size_t limit, const char ***names,
                        int *more);

#endif
