/*
 * server/engine/table.h: a table and its indexes as requests read them (ddb_table, ddb_index): the
 * structs the catalog (catalog.h) parses each stored description into, once, and the small
 * questions asked of them. Everything that only reads a table includes this, not the catalog, so
 * the catalog's own helpers (its members, its figures, its stream) can be used by the catalog
 * without a circle.
 */
#ifndef DDB_TABLE_H
#define DDB_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"

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
 * A global table's replicas (engine/jobs/replication.h, whose table member they are read from): the same table in
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
    /* under --table-states, a replica added: CREATING until this server-clock ms, filled or not,
       as DynamoDB's takes a while (decided when read: ddb_replica_state_now); a replica deleted:
       DELETING until then, when the replication worker drops it from the list (0: neither) */
    uint64_t active_at;
} ddb_replica;

/* The replica's state as shown: its stored one, or CREATING while the clock is before its active_at
   (base/clock.h's high mark: what came due stays due). */
ddb_replica_state ddb_replica_state_now(const ddb_replica *r);

/* A global table's replication, typed once per table version from its member by the replication row
   (engine/jobs/replication.h), as capacity is typed into ddb_capacity: no request or worker reads the
   member by name (the mutation pipeline reads `strong` and the list to write a STRONG table's
   replicas at once, the write-time row reads `id`). */
typedef struct ddb_replication_facts {
    uint32_t id;                 /* the keyspace of its items' write times (0: not a global table) */
    const char *version;         /* GlobalTableVersion: "2019.11.21" or "2017.11.29" */
    int strong;                  /* MultiRegionConsistency STRONG (mutation.h: written in every replica at once) */
    const char *witness;         /* STRONG: the witness region (GlobalTableWitnesses), or NULL */
    const char *fill_from;       /* a replica being created: the region it is filled from, else NULL */
    ddb_replica replicas[DDB_MAX_REPLICAS]; /* every replica, its own region's included */
    unsigned nreplicas;
} ddb_replication_facts;

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
 * A table's or a GSI's capacity, typed once when the catalog builds the table version
 * (catalog_members.c), so that nothing asks its stored description "is it provisioned, at what
 * rate?" again: the throttle, the hot-partition model, the usage report and DescribeTable all ask
 * the capacity model (engine/capacity/capacity.h), which reads only this. 0 is "not set"
 * throughout; an on-demand maximum that is not set means no maximum.
 */
typedef struct ddb_capacity {
    int provisioned;                 /* BillingMode PROVISIONED, or none (CreateTable's default); a
                                        GSI's is its table's (billing is the table's) */
    double read, write;              /* ProvisionedThroughput's Read/WriteCapacityUnits */
    long long max_read, max_write;   /* OnDemandThroughput's MaxRead/MaxWriteRequestUnits */
    long long warm_read, warm_write; /* WarmThroughput's Read/WriteUnitsPerSecond, as set */
} ddb_capacity;

/* ContributorInsightsMode's values, and OFF (the member's; engine/capacity/insights.h acts on them) */
#define DDB_CI_MODES(X) X(ACCESSED_AND_THROTTLED_KEYS) X(THROTTLED_KEYS)

typedef enum ddb_ci_mode {
    DDB_CI_OFF,
#define X(m) DDB_CI_##m,
    DDB_CI_MODES(X)
#undef X
} ddb_ci_mode;

/* The mode's name (ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS); NULL for OFF. */
const char *ddb_ci_mode_name(ddb_ci_mode m);
/* The mode named `name`, or DDB_CI_OFF. */
ddb_ci_mode ddb_ci_mode_from_name(const char *name);

/* The most generations a stream keeps (a shard count each: engine/history/streams.h) */
#define DDB_MAX_STREAM_GENS 16

/* A stream's StreamViewType (the member's; engine/history/streams.h writes the records) */
#define DDB_STREAM_VIEWS(X) X(KEYS_ONLY) X(NEW_IMAGE) X(OLD_IMAGE) X(NEW_AND_OLD_IMAGES)
typedef enum ddb_stream_view {
    DDB_VIEW_NONE,
#define X(v) DDB_VIEW_##v,
    DDB_STREAM_VIEWS(X)
#undef X
} ddb_stream_view;
const char *ddb_stream_view_name(int view);
int ddb_stream_view_parse(const char *name); /* DDB_VIEW_NONE when unknown */

/* A table's stream, typed once per table version from its member and StreamSpecification by the
   history row (engine/history/streams.h), as capacity is typed into ddb_capacity: no request or
   worker reads the members by name. */
typedef struct ddb_stream_facts {
    uint32_t id;                 /* the keyspace of its records while enabled; 0: no enabled stream */
    uint32_t last_id;            /* the latest stream's, enabled or not (0: never had one) */
    int view;                    /* ddb_stream_view */
    const char *label;           /* the latest stream's label, or NULL */
    unsigned ngens;
    unsigned counts[DDB_MAX_STREAM_GENS]; /* shards per generation */
    const ddb_json *spec;        /* StreamSpecification as stored (while enabled), or NULL */
} ddb_stream_facts;

/* A table's Time to Live, typed once per table version from its member by the ttl row
   (engine/jobs/ttl.h asks it). */
typedef struct ddb_ttl_facts {
    const char *attr;            /* the attribute (also kept while disabled, for DISABLING), or NULL */
    int enabled;
    uint64_t changed_ms;         /* the last UpdateTimeToLive (one change an hour) */
} ddb_ttl_facts;

/* A table's point-in-time recovery, typed once per table version from its member by the history
   row (engine/history/pitr_log.h; engine/jobs/pitr.h acts on it). */
typedef struct ddb_pitr_facts {
    uint32_t log;                /* the keyspace of its change log while enabled; 0: disabled */
    const char *base;            /* its base backup's id, or NULL */
    long long days;              /* its recovery period */
} ddb_pitr_facts;

/* Contributor Insights on a table or a GSI (engine/capacity/insights.h, whose table member it is read from) */
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
    uint64_t active_at;               /* CREATING until this server-clock ms (0: none; read and
                                         decided by the row of a table's life: feature.h's creating) */
    ddb_key_part hash[DDB_MAX_KEY_PARTS];
    unsigned nhash;
    ddb_key_part range[DDB_MAX_KEY_PARTS];
    unsigned nrange;                  /* 0: hash-only GSI */
    ddb_projection_type projection;
    const char **nonkey;              /* INCLUDE's NonKeyAttributes */
    uint32_t *nonkey_len;
    unsigned nnonkey;
    const ddb_vector_def *vec;        /* DDB_IX_VECTOR: its vector, metric and filters; else NULL */
    ddb_capacity capacity;            /* a GSI's: its own rates, its table's billing mode */
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
    /* Read from the features' table members (engine/feature.h: each feature row reads its own into
       these fields when the catalog builds a table version). */
    ddb_stream_facts stream;     /* its stream (engine/history/streams.h) */
    ddb_ttl_facts ttl;           /* its time to live (engine/jobs/ttl.h) */
    /* a restore into it (engine/jobs/backups.h) */
    int restoring;               /* CREATING: the background worker is still filling it */
    uint32_t restore_from;       /* the keyspace it is filled from (a backup's items) */
    /* CREATING until this server-clock ms (0: ACTIVE at once; read and decided by the row of a
       table's life: feature.h's creating) */
    uint64_t active_at;
    ddb_pitr_facts pitr;         /* point-in-time recovery (engine/history/pitr_log.h, engine/jobs/pitr.h) */
    ddb_replication_facts rep;   /* a global table's replica (engine/jobs/replication.h) */
    /* its Kinesis streaming destinations (engine/history/kinesis_member.h) */
    uint32_t kinesis_log;        /* the live destination's change log; 0: none is live */
    const char *region;          /* its region (its namespace's; us-east-1 for the default) */
    const char *account;         /* its owner account: its namespace's; in the default namespace the
                                    account that created it ("ddbdOwner"), else the default account */
    ddb_capacity capacity;       /* its billing mode and rates (engine/capacity/capacity.h asks them) */
    ddb_ci_state ci;             /* its Contributor Insights (its GSIs': theirs) */
    int retired;                 /* replaced or deleted: read atomically (ddb_table_retired) */
    struct ddb_table_stats *stats; /* items, bytes, capacity: one for every version (engine/table_stats.h) */
    uint64_t made_meter_ms;        /* the meter clock (base/clock.h) at its CreateTable in this process, kept
                                      by every version; 0: not made here (found at the start or by a
                                      snapshot restore, or another gateway's: capacity/bucket.c) */
    const ddb_json *desc;        /* the stored description (an OBJECT) */
    const char *desc_text;       /* its JSON text */
    size_t desc_len;
    ddb_arena arena;             /* owns everything above */
} ddb_table;

static inline int ddb_table_retired(const ddb_table *t)
{
    return __atomic_load_n(&t->retired, __ATOMIC_ACQUIRE);
}

/* The replica of t in `region`, or NULL. */
const ddb_replica *ddb_table_replica(const ddb_table *t, const char *region);

/* Whether t is a replica still being created (filled by engine/jobs/replication.h). */
static inline int ddb_replica_creating(const ddb_table *t)
{
    const ddb_replica *self = t->rep.id != 0 ? ddb_table_replica(t, t->region) : NULL;

    return self != NULL && ddb_replica_state_now(self) == DDB_REPLICA_CREATING;
}

/* The index named `name` (any state), or NULL. */
const ddb_index *ddb_table_index(const ddb_table *t, const char *name);
/* Whether writes maintain the index: every state but DELETING. */
static inline int ddb_index_maintained(const ddb_index *ix)
{
    return ix->state != DDB_IX_DELETING;
}

/* Write units per started KB, read units per started 4 KB (half when eventually consistent); at
   least one unit: what the core's writes and reads cost, as every capacity figure counts them. */
double ddb_write_units(size_t bytes);
double ddb_read_units(size_t bytes, int consistent);

#endif
