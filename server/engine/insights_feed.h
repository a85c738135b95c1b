/*
 * server/engine/insights_feed.h: the engine's accesses, told to Contributor Insights
 * (insights.h). Each costs one relaxed load when no table has it enabled.
 */
#ifndef DDB_INSIGHTS_FEED_H
#define DDB_INSIGHTS_FEED_H

#include <stddef.h>

#include "proto/arena.h"
#include "server/engine/mutation.h"

/* A committed write: its item key and its key in each global secondary index it wrote. */
void ddb_insights_mutation(ddb_arena *a, const ddb_mutation *m);
/* A read of a stored key (an item's, or an index partition's first key) of `stored_size` bytes;
   read units are counted as a strongly consistent read's. */
void ddb_insights_read(const char *key, size_t klen, size_t stored_size);
/* A range read from `lo`: when it is one partition's (a Query), that partition. */
void ddb_insights_range(const char *lo, size_t lolen);
/* A request throttled on the stored key (--enforce-capacity). */
void ddb_insights_throttled(const char *key, size_t klen);

#endif
