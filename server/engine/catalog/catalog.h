/*
 * server/engine/catalog/catalog.h: the typed, versioned table catalog.
 *
 * Each table is stored under "table/<key>" in the store's metadata space as the JSON of its
 * description (the members DynamoDB's CreateTable/UpdateTable accept, plus the catalog's own:
 * ddbdTableId, the numeric id that prefixes its item keys; CreationDateTime; ddbdVersion, bumped
 * by every change; and in each index object ddbdIndexId, IndexStatus and Backfilling). The JSON
 * is parsed once, when a description is loaded or replaced, into the structs below; requests only
 * read the structs. Table and index ids come from one counter and are never reused, so a deleted
 * table's or index's stray keys can never surface in a new one.
 *
 * Descriptions are immutable: a change (an edit built from typed changes: catalog_edit.h) makes a
 * new ddb_table and swaps it in, compare-and-swap against the version the change was computed
 * from, under the catalog's lock and, in the store, as a guarded meta commit
 * (ddb_store_meta_commit) of the description and the id counter, so gateways sharing a RADOS pool
 * never both create a name, lose an update or reuse an id. Another gateway's change is reloaded
 * when the store announces it (ddb_store_on_meta_change), and a change computed from a copy that
 * missed one loses its compare (2) and refreshes that copy. The replaced one is marked retired
 * (writers check that under their item lock and retry with the new one) and freed after a grace
 * period (base/gate.h): once every request and hold in flight when it was replaced has ended, so a
 * pointer a request or a background pass holds stays valid while it runs. A table pointer is
 * therefore read only inside a request (the gate) or a hold (ddb_catalog_hold), and used only
 * until it ends; a table read outside both is logged and stops all freeing (safe, not lean).
 *
 * Namespaces (--namespaces): each account and region has its own tables. A table's key is its name
 * in the default namespace (the default account in us-east-1, and every table when namespaces are
 * off, so a data directory written before namespaces opens unchanged), and "<account>:<region>/<name>"
 * in any other ('/' never occurs in a table name).
 */
#ifndef DDB_CATALOG_H
#define DDB_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "server/engine/table.h"
#include "server/storage/storage.h"

typedef struct ddb_catalog ddb_catalog;
struct ddb_gate;
struct ddb_gate_hold;
struct ddb_figures_epoch;

/* The catalog key of table `name` in namespace `ns` (arena memory, or `name` itself). */
const char *ddb_ns_key(ddb_arena *a, const char *ns, const char *name);
/* Whether catalog key `key` lies in namespace `ns`; if so *name is its table name (within key). */
int ddb_key_in_ns(const char *key, const char *ns, const char **name);

/* The namespace of `account` in `region` ("" for the default account in us-east-1; arena memory). */
const char *ddb_ns_of(ddb_arena *a, const char *account, const char *region);
/* The catalog key of t's replica in `region`: the same name in that region's namespace. */
const char *ddb_replica_key(ddb_arena *a, const ddb_table *t, const char *region);

/* `rows`: the features whose table members (feature.h) every table version reads (server/features.def's,
   on or off alike; the array must outlive the catalog); NULL: none (a tool that reads no feature's). */
struct ddb_feature_rows;
ddb_catalog *ddb_catalog_open(ddb_store *store, const struct ddb_feature_rows *rows, char **err);
void ddb_catalog_close(ddb_catalog *c);
size_t ddb_catalog_count(ddb_catalog *c);
/* The tables a namespace may hold (--max-tables; 0, the default: no limit): a create past it
   returns DDB_CATALOG_FULL. */
void ddb_catalog_set_max_tables(ddb_catalog *c, unsigned max);
unsigned ddb_catalog_max_tables(ddb_catalog *c);
/* What the figures of the catalog's tables share (table_stats.h: the commits' generation). */
struct ddb_figures_epoch *ddb_catalog_figures(ddb_catalog *c);
/* A feature that keeps state per table (Contributor Insights' sketches: engine/capacity/insights.h)
   is told of every table version the catalog holds now (`on` 1), and of each one it loads, creates,
   changes (1) or drops (0) from then on, under the catalog's lock. One watcher; NULL: none. */
typedef void (*ddb_table_watch)(void *ctx, const ddb_table *t, int on);
void ddb_catalog_watch(ddb_catalog *c, ddb_table_watch fn, void *ctx);
/* Whether the namespace of catalog key `key` has room for one more table now (a check ahead of a
   change that creates one later: the create itself checks again). */
int ddb_catalog_room_for(ddb_catalog *c, ddb_arena *a, const char *key);
#define DDB_CATALOG_FULL 4

/* The gate whose requests and holds a retired version waits for (set once, before the background
   workers start; without one, retired versions are kept until the catalog closes). */
void ddb_catalog_set_gate(ddb_catalog *c, struct ddb_gate *g);
/* A thread that reads tables outside a request (a background pass, an admin door, the seed) holds
   the catalog meanwhile: what it read stays valid until the unhold (h: on its stack). */
void ddb_catalog_hold(ddb_catalog *c, struct ddb_gate_hold *h);
void ddb_catalog_unhold(ddb_catalog *c, struct ddb_gate_hold *h);

/* The table under catalog key `key` (ddb_ns_key), or NULL. The pointer stays valid until the
   request or hold it was read in ends (replaced tables are freed after a grace period). */
const ddb_table *ddb_catalog_get(ddb_catalog *c, const char *key);
/* ddb_catalog_get, but on a store other gateways share, the table as stored now (one metadata
   read), installed here when this copy differs: another gateway's change whose announcement is on
   its way. For a refusal's sake only (a table absent, or still being made). */
const ddb_table *ddb_catalog_confirm(ddb_catalog *c, const char *key);
/* The live table with this id, or NULL (background tasks find their table by id). */
const ddb_table *ddb_catalog_get_by_id(ddb_catalog *c, uint32_t id);

/* A new id for a table or an index, persisted before it is returned (ids are never reused); 0 on failure. */
uint32_t ddb_catalog_new_id(ddb_catalog *c);

/*
 * Creates a table from a description (a JSON object's text; the catalog adds ddbdTableId,
 * CreationDateTime and ddbdVersion). `extra` (may be NULL) holds metadata writes committed in the
 * same atomic batch (task records), under catalog key `key` (ddb_ns_key). Returns 0, 1 when the
 * key exists, DDB_CATALOG_FULL when its namespace has its quota of tables, -1 on storage failure.
 */
int ddb_catalog_create(ddb_catalog *c, const char *key, const char *desc_json, size_t len, double now,
                       const ddb_batch *extra, const ddb_table **out);
/*
 * Replaces a table's description, compare-and-swap: only if `expected` is still the live
 * version (else 2, and the caller recomputes from the new one). The id and creation time are
 * kept, the version bumped. Returns 0, 1 if the table is gone, 2 on a lost race, -1 on failure.
 */
int ddb_catalog_update(ddb_catalog *c, const ddb_table *expected, const char *desc_json, size_t len,
                       const ddb_batch *extra, const ddb_table **out);
/*
 * Removes the table from the catalog, compare-and-swap like ddb_catalog_update: only if
 * `expected` is still the live description (the purge that `extra` records, committed atomically
 * with the removal, names its ids, and its deletion protection was checked on it). Returns 0, 1 if
 * the table is gone, 2 on a lost race, -1.
 */
int ddb_catalog_delete(ddb_catalog *c, const ddb_table *expected, const ddb_batch *extra);
/* Waits until no catalog change is half done (a background task about to act on a record). */
void ddb_catalog_sync(ddb_catalog *c);

/* Names of namespace `ns`'s tables in order, after `exclusive_start` (a name; may be NULL), at most
   `limit`; *more says whether others follow. */
size_t ddb_catalog_list(ddb_catalog *c, const char *ns, ddb_arena *a, const char *exclusive_start, size_t limit,
                        const char ***names, int *more);

/*
 * A table as CreateTable would make it from `desc_json` (a CreateTable request's JSON), without
 * entering the catalog or taking ids (they are 0) and without figures (stats NULL): to check items
 * against a table that does not exist yet (--seed). NULL if the description is not usable. Freed
 * with ddb_table_preview_free.
 */
ddb_table *ddb_catalog_preview(ddb_catalog *c, const char *name, const char *desc_json, size_t len);
void ddb_table_preview_free(ddb_table *t);

/* Every live table, for background tasks that look for work (copied pointers; valid as ddb_catalog_get's). */
size_t ddb_catalog_snapshot(ddb_catalog *c, ddb_arena *a, const ddb_table ***tables);

#endif
