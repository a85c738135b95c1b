/*
 * server/engine/capacity/insights_feed.h: the engine's accesses, told to Contributor Insights
 * (insights.h), the engine's (capacity_feature.h: ddb_insights_of; NULL: none). Each costs one relaxed load when no
 * table has it enabled.
 */
#ifndef DDB_INSIGHTS_FEED_H
#define DDB_INSIGHTS_FEED_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"

struct ddb_insights;

/* A committed write of t's `key` of `units` write units: the key, and the item's (its new image,
   or the old one for a delete; NULL: none) key in each GSI with index_units[i] > 0. */
void ddb_insights_write(struct ddb_insights *ci, ddb_arena *a, const ddb_table *t, const ddb_key *key,
                        const ddb_attr *item, double units, const double *index_units);
/* A read of a stored key (an item's, or an index partition's first key) of `stored_size` bytes;
   read units are counted as a strongly consistent read's. */
void ddb_insights_read(struct ddb_insights *ci, const char *key, size_t klen, size_t stored_size);
/* A range read from `lo`: when it is one partition's (a Query), that partition. */
void ddb_insights_range(struct ddb_insights *ci, const char *lo, size_t lolen);
/* A request throttled on the stored key (--enforce-capacity). */
void ddb_insights_throttled(struct ddb_insights *ci, const char *key, size_t klen);

#endif
