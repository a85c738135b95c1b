/*
 * server/engine/catalog/catalog_members.h: the catalog's own members of a stored description, each one's
 * JSON read and written in one place (catalog_members.c): catalog.c reads them into a ddb_table
 * when it loads a description, catalog_edit.c writes them into a changed one. A feature's members
 * (its stream's, its TTL's, ...: docs/storage-format.md) are its own (feature.h's ddb_table_member,
 * in the feature's module): the catalog reads them by walking the rows (ddb_members_read_rows), an
 * edit writes them through ddb_edit_member, and a feature reads their values with the helpers
 * below. The rest of the server changes members through catalog_edit.h.
 */
#ifndef DDB_CATALOG_MEMBERS_H
#define DDB_CATALOG_MEMBERS_H

#include <stdint.h>

#include "proto/json.h"
#include "server/engine/feature.h"
#include "server/engine/table.h"


/* The members' values, as the writers below and the edits (catalog_edit.h) take them. */

typedef struct ddb_tag {
    const char *key, *value;
} ddb_tag;

typedef struct ddb_policy {
    const char *resource, *doc, *revision;
} ddb_policy;

#define DDB_MEMBER_TAGS "ddbdTags"
#define DDB_MEMBER_POLICIES "ddbdPolicies"
#define DDB_MEMBER_OWNER "ddbdOwner" /* the account that created a table of the default namespace */

/* ddbdTableId, ddbdVersion and CreationDateTime, which the catalog writes at every commit. */
int ddb_member_is_catalogs(const char *key);
/* LocalSecondaryIndexes or GlobalSecondaryIndexes. */
int ddb_member_is_index_list(const char *key);

/* Reads t->desc's capacity (BillingMode and its rates) into t->capacity, and the account and
   region of its namespace. */
void ddb_members_read(ddb_table *t);
/* Reads each row's members (feature.h) of t->desc into t, in the rows' order (after its indexes);
   rows NULL: none. */
void ddb_members_read_rows(ddb_table *t, const ddb_feature_rows *rows);

/* A member's number as the catalog reads it (0 when absent or not a number), and whether it is
   `true`: a feature's member reader uses these (its writer, proto/json.h's ddb_jw_member_*). */
uint32_t ddb_member_u32(const ddb_json *v);
uint64_t ddb_member_u64(const ddb_json *v);
int ddb_member_true(const ddb_json *v);
/* Reads an index object's "ddbdIndexId", "IndexStatus" and "Backfilling" into ix, and a GSI's
   ProvisionedThroughput, OnDemandThroughput and WarmThroughput (as ddb_members_read does the
   table's) into ix->capacity; its billing mode is its table's, set by the catalog. */
void ddb_member_index_read(const ddb_json *obj, ddb_index *ix);

/* Each writes its member, key and value, into the object being written. */
void ddb_member_write_index_id(ddb_jw *w, uint32_t id);
void ddb_member_write_index_state(ddb_jw *w, ddb_index_state state, int backfilling);
void ddb_member_write_tags(ddb_jw *w, const ddb_tag *tags, size_t n);
/* `n` tags as the API writes a Tag list: [{"Key": ..., "Value": ...}, ...] (the stored member, and
   ListTagsOfResource's page). */
void ddb_tags_write_list(ddb_jw *w, const ddb_tag *tags, size_t n);
void ddb_member_write_policies(ddb_jw *w, const ddb_policy *p, size_t n);
/* ProvisionedThroughput after a change from `cur` (the stored one, may be NULL) to read/write. */
void ddb_member_write_throughput(ddb_jw *w, const ddb_json *cur, int was_provisioned, long long read,
                                 long long write, double now);

#endif
