/*
 * server/engine/catalog_members.h: the catalog's own members of a stored description, each one's
 * JSON read and written in one place (catalog_members.c): catalog.c reads them into a ddb_table
 * when it loads a description, catalog_edit.c writes them into a changed one. Only the catalog's
 * files include this header; the rest of the server changes them through catalog_edit.h.
 */
#ifndef DDB_CATALOG_MEMBERS_H
#define DDB_CATALOG_MEMBERS_H

#include <stdint.h>

#include "proto/json.h"
#include "server/engine/table.h"


/* The members' values, as the writers below and the edits (catalog_edit.h) take them. */

typedef struct ddb_tag {
    const char *key, *value;
} ddb_tag;

typedef struct ddb_policy {
    const char *resource, *doc, *revision;
} ddb_policy;

typedef struct ddb_stream_member {
    uint32_t id;             /* the keyspace of its records */
    const char *label;
    int view;                /* ddb_stream_view */
    int enabled;
    unsigned counts[16];     /* shards per generation (DDB_MAX_STREAM_GENS) */
    unsigned ngens;
} ddb_stream_member;

typedef struct ddb_restore_member {
    uint32_t keyspace;       /* the items it is filled from */
    uint32_t log;            /* to a point in time: the source's change log, replayed up to at_ms; 0: from a backup */
    const char *backup_arn;  /* from a backup: SourceBackupArn */
    const char *table_arn;   /* SourceTableArn */
    uint64_t at_ms;          /* RestoreDateTime (and, to a point in time, the end of the replay) */
} ddb_restore_member;

typedef struct ddb_replication_member {
    uint32_t id;
    const char *version;
    int strong;
    const ddb_replica *replicas;
    unsigned n;
    const char *fill_from;   /* a new replica: the region it is filled from (replication.h); NULL once filled */
    const char *witness;     /* STRONG: the witness region, or NULL */
} ddb_replication_member;

#define DDB_MEMBER_TTL "ddbdTtl"
#define DDB_MEMBER_PITR "ddbdPitr"
#define DDB_MEMBER_TAGS "ddbdTags"
#define DDB_MEMBER_POLICIES "ddbdPolicies"
#define DDB_MEMBER_STREAM "ddbdStream"
#define DDB_MEMBER_RESTORE "ddbdRestore"
#define DDB_MEMBER_REPLICATION "ddbdReplication"
#define DDB_MEMBER_INSIGHTS "ddbdInsights"
#define DDB_MEMBER_ACTIVE_AT "ddbdActiveAt" /* --table-states: a table's or index's end of CREATING */
#define DDB_MEMBER_OWNER "ddbdOwner" /* the account that created a table of the default namespace */

/* ddbdTableId, ddbdVersion and CreationDateTime, which the catalog writes at every commit. */
int ddb_member_is_catalogs(const char *key);
/* LocalSecondaryIndexes or GlobalSecondaryIndexes. */
int ddb_member_is_index_list(const char *key);

/* Reads "ddbdStream", "ddbdTtl", "ddbdRestore", "ddbdPitr" and "ddbdReplication" of t->desc into t
   (and the account and region of its namespace), and its capacity (BillingMode and its rates) into
   t->capacity. */
void ddb_members_read(ddb_table *t);
/* Reads an index object's "ddbdIndexId", "IndexStatus" and "Backfilling" into ix, and a GSI's
   ProvisionedThroughput, OnDemandThroughput and WarmThroughput (as ddb_members_read does the
   table's) into ix->capacity; its billing mode is its table's, set by the catalog. */
void ddb_member_index_read(const ddb_json *obj, ddb_index *ix);

/* Each writes its member, key and value, into the object being written. */
void ddb_member_write_index_id(ddb_jw *w, uint32_t id);
void ddb_member_write_index_state(ddb_jw *w, ddb_index_state state, int backfilling);
void ddb_member_write_ttl(ddb_jw *w, const char *attr, int enabled, uint64_t changed_ms);
void ddb_member_write_pitr(ddb_jw *w, uint32_t log, const char *base, long long days);
void ddb_member_write_tags(ddb_jw *w, const ddb_tag *tags, size_t n);
/* `n` tags as the API writes a Tag list: [{"Key": ..., "Value": ...}, ...] (the stored member, and
   ListTagsOfResource's page). */
void ddb_tags_write_list(ddb_jw *w, const ddb_tag *tags, size_t n);
void ddb_member_write_policies(ddb_jw *w, const ddb_policy *p, size_t n);
void ddb_member_write_stream(ddb_jw *w, const ddb_stream_member *s);
/* {"StreamEnabled": true, "StreamViewType"} of a stream just enabled. */
void ddb_member_write_stream_spec(ddb_jw *w, int view);
void ddb_member_write_restore(ddb_jw *w, const ddb_restore_member *r);
void ddb_member_write_replication(ddb_jw *w, const ddb_replication_member *r);
/* Contributor Insights: t's states with that of `index` (NULL: the table's) set to `st`. */
void ddb_member_write_insights(ddb_jw *w, const ddb_table *t, const char *index, const ddb_ci_state *st);
/* Reads t's and its GSIs' Contributor Insights (after its indexes). */
void ddb_member_read_insights(ddb_table *t);
/* `restore` (the stored "ddbdRestore") with InProgress false. */
void ddb_member_write_restore_done(ddb_jw *w, const ddb_json *restore);
/* ProvisionedThroughput after a change from `cur` (the stored one, may be NULL) to read/write. */
void ddb_member_write_throughput(ddb_jw *w, const ddb_json *cur, int was_provisioned, long long read,
                                 long long write, double now);

#endif
