/*
 * server/engine/catalog/catalog_edit.h: typed changes to a table's description (catalog.h).
 *
 * A change to a table (UpdateTable, UpdateTimeToLive, tags, point-in-time recovery, the worker's
 * index and stream and restore work) builds an edit of the live description from typed changes
 * and commits it; a new table (CreateTable, ImportTable, restores) is an edit of no description.
 * The catalog writes the new JSON: the JSON shape of each of its own members ("ddbdTags",
 * "ddbdPolicies", an index's "IndexStatus"/"Backfilling", ProvisionedThroughput's
 * "ddbdDecreasesDay") is written next to where it is read (catalog_members.c), and a feature's
 * member by the feature's own writer (feature.h's ddb_table_member: ddb_edit_member; the feature's
 * header offers its typed edit, as engine/jobs/ttl.h's ddb_edit_ttl); the members DynamoDB's
 * requests define are set by name from DDB_DESC_MEMBERS, with the request's JSON.
 *
 * The stored text keeps the old description's members in their order, minus those changed,
 * then its LocalSecondaryIndexes, GlobalSecondaryIndexes and VectorIndexes (each index as stored unless changed;
 * a list left empty is left out), then the changed members in the order they were first changed
 * (a member removed is left out); a new table's members are in the order they were set. The
 * catalog then adds its own fields (ddbdTableId, ddbdVersion, CreationDateTime, ids) as
 * ddb_catalog_create and ddb_catalog_update do.
 *
 * An edit and what it points to live in the arena it was made with, until it is committed.
 */
#ifndef DDB_CATALOG_EDIT_H
#define DDB_CATALOG_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/catalog/catalog_members.h" /* the members' values: ddb_tag, ddb_policy */
#include "server/engine/feature.h"

/*
 * A description's members in DynamoDB's terms, in the order CreateTable stores them (the order
 * DescribeTable renders them): X(name, from_create), where from_create says CreateTable copies it
 * from its request. The others: TableId is made for the table, BillingModeUpdated is UpdateTable's
 * record of the last switch to on-demand (BillingModeSummary), TableClassUpdated its record of the
 * last TableClass change (TableClassSummary's LastUpdateDateTime), StreamSpecification is written
 * with the stream (ddb_edit_stream), and OnDemandThroughputOverride is a global table replica's
 * own read maximum, as ReplicaUpdates set it (ops/ops_replicas.c; its OnDemandThroughput has it).
 */
#define DDB_DESC_MEMBERS(X)                                                                                            \
    X(TableId, 0)                                                                                                      \
    X(AttributeDefinitions, 1)                                                                                         \
    X(KeySchema, 1)                                                                                                    \
    X(BillingMode, 1)                                                                                                  \
    X(BillingModeUpdated, 0)                                                                                           \
    X(ProvisionedThroughput, 1)                                                                                        \
    X(OnDemandThroughput, 1)                                                                                           \
    X(WarmThroughput, 1)                                                                                               \
    X(LocalSecondaryIndexes, 1)                                                                                        \
    X(GlobalSecondaryIndexes, 1)                                                                                       \
    X(VectorIndexes, 1)                                                                                                \
    X(StreamSpecification, 0)                                                                                          \
    X(SSESpecification, 1)                                                                                             \
    X(TableClass, 1)                                                                                                   \
    X(TableClassUpdated, 0)                                                                                            \
    X(DeletionProtectionEnabled, 1)                                                                                    \
    X(OnDemandThroughputOverride, 0)

typedef enum ddb_desc_member {
#define X(name, from_create) DDB_DESC_##name,
    DDB_DESC_MEMBERS(X)
#undef X
} ddb_desc_member;

const char *ddb_desc_member_name(ddb_desc_member m);

typedef struct ddb_desc_edit ddb_desc_edit;

/* An edit of table t's description (to be committed against it). */
ddb_desc_edit *ddb_desc_edit_of(ddb_arena *a, const ddb_table *t);
/* The description of a new table under catalog key `key` (created when committed, by the server's clock). */
ddb_desc_edit *ddb_desc_edit_new(ddb_arena *a, const char *key);
/* The description the edit changes (NULL for a new table). */
const ddb_table *ddb_desc_edit_base(const ddb_desc_edit *e);
/* Metadata writes committed in the same atomic batch (task records, stream registry entries). */
void ddb_edit_extra(ddb_desc_edit *e, const ddb_batch *extra);

/* ---- the members DynamoDB's requests define ---- */

/* Sets member m to `v` (stored as given; NULL removes it). An index list set on a new table holds
   the request's indexes, each ACTIVE (an empty table has nothing to build); an existing table's
   indexes change through ddb_edit_index_* and ddb_edit_add_gsi instead. */
void ddb_edit_set(ddb_desc_edit *e, ddb_desc_member m, const ddb_json *v);
void ddb_edit_set_str(ddb_desc_edit *e, ddb_desc_member m, const char *s);
void ddb_edit_set_double(ddb_desc_edit *e, ddb_desc_member m, double v);
/* AttributeDefinitions: the table's, then those of `defs` (an array) it does not define yet. */
void ddb_edit_define(ddb_desc_edit *e, const ddb_json *defs);
/* AttributeDefinitions: only those a key of the table or of an index that stays uses. */
void ddb_edit_prune_definitions(ddb_desc_edit *e);
/* ProvisionedThroughput set to these figures at `now` (epoch seconds), with the record of its
   increases and the day's decreases (LastIncreaseDateTime, LastDecreaseDateTime,
   NumberOfDecreasesToday, and ddbdDecreasesDay: the UTC day of that count). */
void ddb_edit_throughput(ddb_desc_edit *e, long long read, long long write, double now);

/* ---- indexes (ix: one of the edited table's) ---- */

/* The index's IndexStatus (written last in its object), with Backfilling only when set. */
void ddb_edit_index_state(ddb_desc_edit *e, const ddb_index *ix, ddb_index_state state, int backfilling);
/* The index's ProvisionedThroughput (written last in its object). */
void ddb_edit_index_throughput(ddb_desc_edit *e, const ddb_index *ix, const ddb_json *pt);
/* The index's OnDemandThroughput or WarmThroughput (`member`, one of the two), written after its
   other members; an empty object removes it. */
void ddb_edit_index_member(ddb_desc_edit *e, const ddb_index *ix, const char *member, const ddb_json *v);
/* Drops the index from the description, and the attribute definitions only it used. */
void ddb_edit_drop_index(ddb_desc_edit *e, const ddb_index *ix);
/* A new GSI at the end of the list: a Create of GlobalSecondaryIndexUpdates (its members as given),
   in `state` (UpdateTable's: CREATING with Backfilling); the catalog gives it its id when the edit
   is committed, unless the object has one. */
void ddb_edit_add_gsi(ddb_desc_edit *e, const ddb_json *create, ddb_index_state state, int backfilling);
/* The same for a vector index: a Create of VectorIndexUpdates, at the end of VectorIndexes. */
void ddb_edit_add_vector_index(ddb_desc_edit *e, const ddb_json *create, ddb_index_state state, int backfilling);
/* A feature's member m (feature.h) of the index the edit adds (ddb_edit_add_gsi's), written by
   m->write with `value` (`size` bytes, copied into the edit's arena) after the index's members given
   and before its state (a row of a table's life: the index's end of CREATING). */
void ddb_edit_add_index_member(ddb_desc_edit *e, const ddb_table_member *m, const void *value, size_t size);

/* ---- the catalog's own members ---- */

/* A feature's member m (feature.h) written by m->write with `value` (`size` bytes, copied into the
   edit's arena: what it points to must live as long as the edit); value NULL removes the member.
   Each feature offers its typed edits over this (engine/history/streams.h's ddb_edit_stream, ...). */
void ddb_edit_member(ddb_desc_edit *e, const ddb_table_member *m, const void *value, size_t size);

/* The account that owns a new table of the default namespace ("ddbdOwner": issue 51; its ARNs'
   account, the same for every caller); not written for the default account. */
void ddb_edit_owner(ddb_desc_edit *e, const char *account);
/* Tags, in the order they were first added (none: the member is left out). */
void ddb_edit_tags(ddb_desc_edit *e, const ddb_tag *tags, size_t n);
/* Table t's tags, in order, into an arena array with room for `room` more; their number. */
size_t ddb_table_tags(const ddb_table *t, ddb_arena *a, size_t room, ddb_tag **out);

/* Resource-based policies (ops/ops_policy.c): one per resource, the table's (resource "") and its
   streams' ("stream/<label>"), each a document as given and its revision id (epoch ms, decimal). */
void ddb_edit_policies(ddb_desc_edit *e, const ddb_policy *p, size_t n);
/* Table t's policies into an arena array with room for `room` more; their number. */
size_t ddb_table_policies(const ddb_table *t, ddb_arena *a, size_t room, ddb_policy **out);

/* ---- committing ---- */

/*
 * Writes the new description and commits it with the edit's extra batch: a new table as
 * ddb_catalog_create (0, 1 when the key exists, -1), a change as ddb_catalog_update,
 * compare-and-swap against the description the edit was built from (0, 1 if the table is gone,
 * 2 on a lost race: build the edit again from the live table, -1 on failure). *out: the new table.
 */
int ddb_catalog_commit(ddb_catalog *c, const ddb_desc_edit *e, const ddb_table **out);

/*
 * The compare-and-swap loop: build(ctx, &e) finds the live table and builds its edit (0), or ends
 * the loop: 1 the table is gone, DDB_EDIT_NONE nothing to change, another value (negative: an
 * error the builder recorded) returned as it is. The edit is committed; on a lost race it is built
 * again from the winner's description, at most `tries` times (0: until it is not lost). Returns
 * ddb_catalog_commit's result (2: every race lost), 0 for DDB_EDIT_NONE (*out untouched), or
 * build's.
 */
/* The first element of `list` (AttributeDefinitions, a KeySchema: objects with an AttributeName)
   whose AttributeName is `name`, or NULL (also when list is NULL or not an array). */
const ddb_json *ddb_attr_named(const ddb_json *list, const char *name);
/* The type AttributeDefinitions `defs` declares `name` with (the first declaration), or NULL. */
const char *ddb_declared_type(const ddb_json *defs, const char *name);

#define DDB_EDIT_NONE 3
typedef int (*ddb_edit_build)(void *ctx, ddb_desc_edit **e);
int ddb_catalog_edit(ddb_catalog *c, int tries, ddb_edit_build build, void *ctx, const ddb_table **out);

#endif
