/*
 * server/engine/capacity/capacity_feature.h: capacity as features of the engine (feature.h), two
 * rows of server/features.def:
 *   "capacity": always on; after each commit, the write's units to the hot-partition model (hot.h),
 *              its keys to Contributor Insights (insights_feed.h) and its key to the access-pattern
 *              warnings (access_warn.h); the read path's keys to Contributor Insights; its figures
 *              per table (ddb_capacity_table, below: the cost report's units and the warnings'
 *              observations, behind the table's figures: table_stats.h's ddb_table_stats_slot);
 *   "throttle": --enforce-capacity's buckets (throttle.h), NULL when the option is off: a client's
 *              write is admitted or throttled before it is decided, and takes what it consumed
 *              once committed.
 */
#ifndef DDB_CAPACITY_FEATURE_H
#define DDB_CAPACITY_FEATURE_H

#include "server/engine/capacity/access_warn.h"
#include "server/engine/capacity/pattern.h"
#include "server/engine/capacity/usage.h"
#include "server/engine/engine.h"
#include "server/engine/table_stats.h"

struct ddb_hot;
struct ddb_insights;
struct ddb_throttle;

extern const ddb_feature ddb_feature_capacity; /* its state: a ddb_capacity_state */
extern const ddb_feature ddb_feature_throttle; /* its state: a ddb_throttle (NULL: off) */

/* The capacity row's figures of one table (its table_size), made with the table's figures and kept
   across its versions: what the meter charged and the pipeline observed, for the cost report. */
typedef struct ddb_capacity_table {
    ddb_table_usage usage;       /* the units by operation and index (the cost report) */
    ddb_table_patterns patterns; /* the same units by access pattern (pattern.h) */
    ddb_access_warn warn;        /* the access-pattern warnings' observations (access_warn.h) */
} ddb_capacity_table;

/* t's (NULL: a table without figures, a preview's, or a catalog opened without the row). */
static inline ddb_capacity_table *ddb_capacity_table_of(const ddb_table *t)
{
    return ddb_table_stats_slot(t->stats, &ddb_feature_capacity);
}

typedef struct ddb_capacity_state {
    struct ddb_hot *hot;           /* the hot-partition model: what would have been throttled */
    struct ddb_insights *insights; /* Contributor Insights' sketches, configured from each table the
                                      catalog holds (catalog.h's ddb_catalog_watch: insights.h) */
} ddb_capacity_state;

/* A state with a new model and new sketches (NULL: out of memory); the row's close frees it. */
ddb_capacity_state *ddb_capacity_state_new(void);

/* eng's hot-partition model, Contributor Insights and --enforce-capacity's buckets (NULL: none). */
static inline struct ddb_hot *ddb_hot_of(const ddb_engine *eng)
{
    const ddb_capacity_state *c = ddb_engine_feature(eng, &ddb_feature_capacity);

    return c != NULL ? c->hot : NULL;
}

static inline struct ddb_insights *ddb_insights_of(const ddb_engine *eng)
{
    const ddb_capacity_state *c = ddb_engine_feature(eng, &ddb_feature_capacity);

    return c != NULL ? c->insights : NULL;
}

static inline struct ddb_throttle *ddb_throttle_of(const ddb_engine *eng)
{
    return ddb_engine_feature(eng, &ddb_feature_throttle);
}

#endif
