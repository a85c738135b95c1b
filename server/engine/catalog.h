/*
 * server/engine/catalog.h: the typed, versioned table catalog.
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
 * (writers check that under their item lock and retry with the new one) and kept until the
 * catalog closes, so a pointer a request holds stays valid.
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
#include "server/storage/storage.h"

typedef struct ddb_catalog ddb_catalog;

/* DynamoDB's multi-attribute GSI keys: up to four partition-key and four sort-key attributes. */
#define DDB_MAX_KEY_PARTS 4
#define DDB_MAX_VECTOR_INDEXES 5 /* vector indexes per table (the quotas page) */
#define DDB_MAX_INDEXES 30 /* 5 LSIs + 20 GSIs + 5 vector indexes */
#define DDB_MAX_VECTOR_DIMS 4096
#define DDB_MAX_INLINE_FILTERS 18 /* INLINE_FILTER elements of a vector index's SearchSchema */

typedef enum ddb_index_kind { DDB_IX_LOCAL, DDB_IX_GLOBAL, DDB_IX_VECTOR } ddb_index_kind;

/* A vector index's distance function (its DistanceFunction), in DynamoDB's enum order. */
#define DDB_VECTOR_METRICS(X) X(DOT_PRODUCT) X(COSINE) X(EUCLIDEAN)
typedef enum ddb_vector_metric {
#define X(m) DDB_VEC_##m,
    DDB_VECTOR_METRICS(X)
#undef X
} ddb_vector_metric;
const char *ddb_vector_metric_name(ddb_vector_metric m);
/* The metric named `name`; -1 if none is. */
int ddb_vector_metric_from_name(const char *name);

#define DDB_INDEX_STATES(X) X(CREATING) X(UPDATING) X(DELETING) X(ACTIVE)
typedef enum ddb_index_state {
#define X(s) DDB_IX_##s,
    DDB_INDEX_STATES(X)
#undef X
} ddb_index_state;
const char *ddb_index_state_name(ddb_index_state s);

/*
 * A global table's replicas (engine/jobs/replication.h), from "ddbdReplication": the same table in
 * other regions' namespaces, each listing every replica (its own region too) and its status.
 */
#define DDB_REPLICA_STATES(X) X(CREATING) X(CREATION_FAILED) X(UPDATING) X(DELETING) X(ACTIVE)
typedef enum ddb_replica_state {
#define X(s) DDB_REPLICA_##s,
    DDB_REPLICA_STATES(X)
#undef X
} ddb_replica_state;
const char *ddb_replica_state_name(ddb_replica_state s);
#define DDB_MAX_REPLICAS 16

typedef struct ddb_replica {
    const char *region;
    ddb_replica_state state;
} ddb_replica;

typedef enum ddb_projection_type { DDB_PROJ_KEYS_ONLY, DDB_PROJ_INCLUDE, DDB_PROJ_ALL } ddb_projection_type;

/* One key attribute: its name and declared type (S, N or B). */
typedef struct ddb_key_part {
    const char *name;
    uint32_t nlen;
    ddb_type type;
} ddb_key_part;

/* What a vector index adds to an index (catalog.h's VectorIndexes): its HASH element, if any, is
   the index's hash[0]; its INLINE_FILTER elements are `filters`. */
typedef struct ddb_vector_def {
    const char *attr;                 /* VectorAttribute.AttributeName */
    uint32_t alen;
    unsigned dims;
    ddb_vector_metric metric;
    ddb_key_part filters[DDB_MAX_INLINE_FILTERS];
    unsigned nfilters;
} ddb_vector_def;

/*
 * A table's or a GSI's OnDemandThroughput and WarmThroughput as stored (0: not set; an on-demand
 * maximum that is not set means no maximum). Capacity enforcement reads these; what DescribeTable
 * reports as warm throughput is ddb_warm_throughput's.
 */
typedef struct ddb_throughput_caps {
    long long max_read, max_write;   /* MaxReadRequestUnits, MaxWriteRequestUnits */
    long long warm_read, warm_write; /* ReadUnitsPerSecond, WriteUnitsPerSecond */
} ddb_throughput_caps;

/* A new on-demand table's or GSI's warm throughput (the developer guide's warm throughput page). */
#define DDB_WARM_ON_DEMAND_READ 12000
#define DDB_WARM_ON_DEMAND_WRITE 4000

/* Contributor Insights on a table or a GSI (engine/insights.h), from "ddbdInsights" */
typedef struct ddb_ci_state {
    int mode;                /* ddb_ci_mode: DDB_CI_OFF (0) while disabled */
    uint64_t changed_ms;     /* its last UpdateContributorInsights (0: never) */
    uint64_t enabled_ms;     /* its last enable: when its rules were made */
} ddb_ci_state;

typedef struct ddb_index {
    const char *name;
    uint32_t id;                      /* key prefix of its entries (same space as table ids) */
    ddb_index_kind kind;
    ddb_index_state state;
    int backfilling;                  /* CREATING and existing items are still being indexed */
    ddb_key_part hash[DDB_MAX_KEY_PARTS];
    unsigned nhash;
    ddb_key_part range[DDB_MAX_KEY_PARTS];
    unsigned nrange;                  /* 0: hash-only GSI */
    ddb_projection_type projection;
    const char **nonkey;              /* INCLUDE's NonKeyAttributes */
    uint32_t *nonkey_len;
    unsigned nnonkey;
    const ddb_vector_def *vec;        /* DDB_IX_VECTOR: its vector, metric and filters; else NULL */
    ddb_throughput_caps caps;         /* a GSI's OnDemandThroughput and WarmThroughput */
    ddb_ci_state ci;                  /* a GSI's Contributor Insights */
    const ddb_json *desc;             /* its stored object */
} ddb_index;

typedef struct ddb_table {
    const char *name;            /* the table's name, as its namespace sees it */
    const char *key;             /* its catalog key (ddb_ns_key) */
    const char *ns;              /* its namespace: "" (the default) or "<account>:<region>" */
    uint32_t id;                 /* key prefix of its items */
    uint64_t version;            /* bumped by every change; the compare-and-swap token */
    const char *hash_key;
    ddb_type hash_type;
    const char *range_key;       /* NULL for hash-only tables */
    ddb_type range_type;
    ddb_index indexes[DDB_MAX_INDEXES];
    unsigned nindexes;           /* LSIs first, then GSIs, then vector indexes, in description order */
    unsigned nlsi;
    unsigned nvector;            /* of which vector indexes (DDB_IX_VECTOR) */
    uint32_t collections_id;     /* with LSIs: the keyspace of its item collection sizes (0: none) */
    /* its stream (engine/streams.h), from "ddbdStream" */
    uint32_t stream_id;          /* the keyspace of its records while enabled; 0: no enabled stream */
    uint32_t last_stream_id;     /* the latest stream's, enabled or not (0: never had one) */
    int stream_view;             /* ddb_stream_view */
    const char *stream_label;    /* the latest stream's label, or NULL */
    unsigned stream_ngens;
    unsigned stream_counts[16];  /* shards per generation (DDB_MAX_STREAM_GENS of streams.h) */
    /* its time to live (engine/ttl.h), from "ddbdTtl": {"Attr", "Enabled", "Changed"} */
    const char *ttl_attr;        /* the attribute (also kept while disabled, for DISABLING), or NULL */
    int ttl_enabled;
    uint64_t ttl_changed_ms;     /* the last UpdateTimeToLive (one change an hour) */
    /* a restore into it (engine/backups.h), from "ddbdRestore" */
    int restoring;               /* CREATING: the background worker is still filling it */
    uint32_t restore_from;       /* the keyspace it is filled from (a backup's items) */
    /* point-in-time recovery (engine/pitr.h), from "ddbdPitr": {"Log", "Base", "Days"} */
    uint32_t pitr_log;           /* the keyspace of its change log while enabled; 0: disabled */
    const char *pitr_base;       /* its base backup's id, or NULL */
    long long pitr_days;         /* its recovery period */
    /* a global table's replica (engine/jobs/replication.h), from "ddbdReplication" */
    uint32_t rep_id;             /* the keyspace of its items' write times (0: not a global table) */
    const char *rep_version;     /* GlobalTableVersion: "2019.11.21" or "2017.11.29" */
    int rep_strong;              /* MultiRegionConsistency STRONG (mutation.h: written in every replica at once) */
    const char *rep_witness;     /* STRONG: the witness region (GlobalTableWitnesses), or NULL */
    ddb_replica replicas[DDB_MAX_REPLICAS]; /* every replica, its own region's included */
    unsigned nreplicas;
    /* its Kinesis streaming destinations (engine/kinesis_log.h), from "ddbdKinesis" */
    uint32_t kinesis_log;        /* the live destination's change log; 0: none is live */
    const char *rep_fill_from;   /* a replica being created: the region it is filled from, else NULL */
    const char *region;          /* its region (its namespace's; us-east-1 for the default) */
    const char *account;         /* its account (its namespace's; the default account for the default) */
    ddb_throughput_caps caps;    /* its OnDemandThroughput and WarmThroughput */
    ddb_ci_state ci;             /* its Contributor Insights (its GSIs': theirs) */
    int retired;                 /* replaced or deleted: read atomically (ddb_table_retired) */
    struct ddb_table_stats *stats; /* items, bytes, capacity: one for every version (engine/table_stats.h) */
    const ddb_json *desc;        /* the stored description (an OBJECT) */
    const char *desc_text;       /* its JSON text */
    size_t desc_len;
    ddb_arena arena;             /* owns everything above */
} ddb_table;

static inline int ddb_table_retired(const ddb_table *t)
{
    return __atomic_load_n(&t->retired, __ATOMIC_ACQUIRE);
}

/* The catalog key of table `name` in namespace `ns` (arena memory, or `name` itself). */
const char *ddb_ns_key(ddb_arena *a, const char *ns, const char *name);
/* Whether catalog key `key` lies in namespace `ns`; if so *name is its table name (within key). */
int ddb_key_in_ns(const char *key, const char *ns, const char **name);

/* The replica of t in `region`, or NULL. */
const ddb_replica *ddb_table_replica(const ddb_table *t, const char *region);
/* The namespace of `account` in `region` ("" for the default account in us-east-1; arena memory). */
const char *ddb_ns_of(ddb_arena *a, const char *account, const char *region);
/* The catalog key of t's replica in `region`: the same name in that region's namespace. */
const char *ddb_replica_key(ddb_arena *a, const ddb_table *t, const char *region);

/* Whether t is a replica still being created (filled by engine/jobs/replication.h). */
static inline int ddb_replica_creating(const ddb_table *t)
{
    const ddb_replica *self = t->rep_id != 0 ? ddb_table_replica(t, t->region) : NULL;

    return self != NULL && self->state == DDB_REPLICA_CREATING;
}

/*
 * The warm throughput of t (ix NULL) or of its GSI ix, reads then writes: what was set, or more,
 * since it never falls below where the table starts: 12,000 and 4,000 a second on demand, the
 * provisioned capacity otherwise (the developer guide's warm throughput page).
 */
void ddb_warm_throughput(const ddb_table *t, const ddb_index *ix, long long out[2]);

/* The index named `name` (any state), or NULL. */
const ddb_index *ddb_table_index(const ddb_table *t, const char *name);
/* Whether writes maintain the index: every state but DELETING. */
static inline int ddb_index_maintained(const ddb_index *ix)
{
    return ix->state != DDB_IX_DELETING;
}

ddb_catalog *ddb_catalog_open(ddb_store *store, char **err);
void ddb_catalog_close(ddb_catalog *c);
size_t ddb_catalog_count(ddb_catalog *c);

/* The table under catalog key `key` (ddb_ns_key), or NULL. The pointer stays valid until the catalog
   closes (replaced tables are retired, not freed). */
const ddb_table *ddb_catalog_get(ddb_catalog *c, const char *key);
/* The live table with this id, or NULL (background tasks find their table by id). */
const ddb_table *ddb_catalog_get_by_id(ddb_catalog *c, uint32_t id);

/* A new id for a table or an index, persisted before it is returned (ids are never reused); 0 on failure. */
uint32_t ddb_catalog_new_id(ddb_catalog *c);

/*
 * Creates a table from a description (a JSON object's text; the catalog adds ddbdTableId,
 * CreationDateTime and ddbdVersion). `extra` (may be NULL) holds metadata writes committed in the
 * same atomic batch (task records), under catalog key `key` (ddb_ns_key). Returns 0, 1 when the
 * key exists, -1 on storage failure.
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

/* Every live table, for background tasks that look for work (copied pointers; they stay valid). */
size_t ddb_catalog_snapshot(ddb_catalog *c, ddb_arena *a, const ddb_table ***tables);

#endif
