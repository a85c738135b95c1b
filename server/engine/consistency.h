/*
 * server/engine/consistency.h: eventual consistency on demand (issue 54, section 1): a GSI read
 * that sees a write only after --index-lag, and eventually consistent reads that may miss the
 * writes of the last --stale-reads milliseconds, as a read served by another replica would.
 *
 * Nothing changes in the store: while a table's settings are on, the mutation pipeline notes each
 * committed change of its items (the old and the new image, its write time and the time its GSI
 * entries become visible) in a bounded log in memory, and an eventually consistent read of the
 * table overlays the log on what the store holds: an item whose latest changes the read misses is
 * shown as it was before the first of them (absent if it did not exist, still there if it was
 * deleted since), at its key in the table or under its old entry in the index. ConsistentRead
 * reads and the base table's strongly consistent reads never look at it.
 *
 * Which reads are stale, and how long each write's index lag is, are drawn from the seed (one
 * sequence per table, restarted when its settings are set), so a test repeats exactly. With
 * nothing configured, eng->consistency is NULL and every entry point below is one test of it.
 */
#ifndef DDB_CONSISTENCY_H
#define DDB_CONSISTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/engine.h"
#include "server/engine/keycodec.h"
#include "server/engine/read.h"

/* One table's settings (or the command line's, for every table). All zero: off. */
typedef struct ddb_consist_settings {
    unsigned lag_min_ms, lag_max_ms; /* --index-lag: each write's GSI delay, drawn in [min, max] */
    unsigned stale_ms;               /* --stale-reads: the age of the newest write a read may miss */
    uint64_t seed;                   /* the draws' seed */
} ddb_consist_settings;

/* The most changes a table's log keeps, and the most bytes of their images (past either, the
   oldest are forgotten: reads see them; a read copies what it misses, so this bounds it too). */
#define DDB_CONSIST_LOG_MAX 20000
#define DDB_CONSIST_LOG_BYTES (16u << 20)
/* The most tables with settings of their own. */
#define DDB_CONSIST_TABLES_MAX 256

/* Parses --index-lag's "MS" or "MIN-MAX" (each at most 3600000); 0, or -1 when it is not one. */
int ddb_consist_parse_lag(const char *s, unsigned *min_ms, unsigned *max_ms);

/* Creates the registry with the command line's settings for every table (eng->consistency). */
struct ddb_consistency *ddb_consist_create(const ddb_consist_settings *defaults);
void ddb_consist_free(struct ddb_consistency *c);

/* Sets table `name`'s settings (restarting its draws and, when off, forgetting its log): `name` is
   a table's name in any namespace, or "<namespace>|<name>" one namespace's table (which wins;
   the namespace as catalog.h's ddb_ns_of has it, "" for the default one). 0,
   or -1 when DDB_CONSIST_TABLES_MAX tables have settings already. */
int ddb_consist_set(struct ddb_consistency *c, const char *name, const ddb_consist_settings *s);
/* Forgets every logged change (a snapshot restored: the store holds none of them). */
void ddb_consist_forget(struct ddb_consistency *c);
/* Writes {"defaults": {...}, "tables": [{"table": ..., "indexLagMs": ..., ...}]} (a malloc'd string). */
char *ddb_consist_describe(struct ddb_consistency *c);

/* ---- the mutation pipeline ---- */

/* A committed change of t's item at `key`: its stored images before and after (NULL: absent). */
void ddb_consist_note(struct ddb_consistency *c, const ddb_table *t, const ddb_key *key, const char *old,
                      size_t oldlen, const char *new_val, size_t newlen);

/* ---- the read path ---- */

/* GetItem's and BatchGetItem's read: ddb_read_item, or, eventually consistent under settings, the
   item as the read's replica has it. */
int ddb_consist_read_item(ddb_engine *eng, const ddb_table *t, int consistent, ddb_arena *a, const ddb_key *key,
                          ddb_attr *item, size_t *size, int *found);

/* Query's and Scan's read of table t or its index ix (NULL: the table): ddb_read_range, or,
   eventually consistent under settings, the range as the read's replica (or index) has it. */
int ddb_consist_read_range(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int consistent,
                           const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse, const char *after,
                           size_t afterlen, ddb_read_fn fn, void *ctx);

#endif
