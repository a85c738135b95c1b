/*
 * server/engine/emulate/consistency.h: eventual consistency on demand (issue 54, section 1): a GSI read
 * that sees a write only after --index-lag, and eventually consistent reads that may miss the
 * writes of the last --stale-reads milliseconds, as a read served by another replica would.
 *
 * A row of server/features.def (ddb_feature_consistency, below): its state is the registry, NULL
 * (off: no hook runs) until the command line or /ddbd/consistency sets a table's settings. Nothing
 * changes in the store: while a table's settings are on, the row's committed hook notes each
 * committed change of its items (its key, the old image, its write time and the time its GSI
 * entries become visible) in the table's log in memory, and an eventually consistent read of the
 * table overlays the log on what the store holds. The overlay decides by the item's TABLE key: for
 * every item the read misses changes of, each store entry of that item in the range read is
 * hidden, whatever its key (the store may hold a newer entry than the log knows: a write committed
 * and not noted yet, or on RADOS another gateway's, which no log of this gateway ever sees), and the
 * item is shown as it was before the first of them (absent if it did not exist, still there if it
 * was deleted since), at its key in the table or its entry in the index. So a read never shows an
 * item twice nor misses one that existed before its window; another gateway's writes show at once.
 * An index entry's item is its key's suffix (index.h: ddb_index_entry_base), so that costs a parse
 * and a binary search per entry, only while the read misses something. ConsistentRead reads and the
 * base table's strongly consistent reads never look at it.
 *
 * Memory: one budget for every table's log, DDB_CONSIST_BUDGET_BYTES, past which the oldest
 * changes of all tables are forgotten first (a forgotten change is seen at once, as if its lag had
 * passed). A log keeps only what a read can still miss: the changes younger than the window
 * (--stale-reads, or a GSI write's drawn lag), so the budget binds only a heavy writer under long
 * windows. Reads take no global lock and do no global scan: each table's state has its own mutex;
 * a point read walks back from the item's newest change (an item map), a range read from the
 * log's newest as far as its window reaches.
 *
 * A change's times and a read's "now" are on the meter clock (base/clock.h: the server's clock
 * with its steps back taken out): a lag or a window is a duration, so a test that moves the clock
 * back neither makes a table's eventually consistent reads miss what was written before the step
 * (its writes stamped in the clock's new future) nor brings a deleted item back into an index;
 * a step forward lets lags and windows run out as the time passing would.
 *
 * Which reads are stale, and how long each write's index lag is, are drawn from the seed (one
 * sequence per table and region, restarted when its settings are set: a global table's replica,
 * which replication writes whenever it reaches it, takes no draw of its table's), so a test
 * repeats exactly. With
 * nothing configured the row's state is NULL, and the core's hooks cost a test of that pointer.
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

/* The row (feature.h): its state a struct ddb_consistency (NULL: off), made at open from the command
   line's settings (server.c) or published by the door's first settings (ddb_engine_publish_feature);
   the stored images of each decided write kept by its derive, noted by its committed, and the
   eventually consistent reads served by its replica_item and replica_range. */
extern const ddb_feature ddb_feature_consistency;

/* eng's registry (NULL: nothing configured yet). */
static inline struct ddb_consistency *ddb_consistency_of(const ddb_engine *eng)
{
    return ddb_engine_feature(eng, &ddb_feature_consistency);
}

/* One table's settings (or the command line's, for every table). All zero: off. */
typedef struct ddb_consist_settings {
    unsigned lag_min_ms, lag_max_ms; /* --index-lag: each write's GSI delay, drawn in [min, max] */
    unsigned stale_ms;               /* --stale-reads: the age of the newest write a read may miss */
    uint64_t seed;                   /* the draws' seed */
} ddb_consist_settings;

/* What every table's log may hold in all (each change's key, old image and bookkeeping): 64 MiB.
   A window of 5 s at 2,000 writes/s of 4 KB items is 40 MB; a test suite writes far less; and a
   read copies at most what it misses, so this bounds a read's copy too. */
#define DDB_CONSIST_BUDGET_BYTES (64ull << 20)
/* The most tables with settings of their own. */
#define DDB_CONSIST_TABLES_MAX 256

/* Parses --index-lag's "MS" or "MIN-MAX" (each at most 3600000); 0, or -1 when it is not one. */
int ddb_consist_parse_lag(const char *s, unsigned *min_ms, unsigned *max_ms);

/* Creates the registry with the command line's settings for every table (the row's state). */
struct ddb_consistency *ddb_consist_create(const ddb_consist_settings *defaults);
void ddb_consist_free(struct ddb_consistency *c);

/* Sets table `name`'s settings (restarting its draws and, when off, forgetting its log): `name` is
   a table's name in any namespace, or "<namespace>|<name>" one namespace's table (which wins;
   the namespace as catalog.h's ddb_ns_of has it, "" for the default one). 0,
   or -1 when DDB_CONSIST_TABLES_MAX tables have settings already. */
int ddb_consist_set(struct ddb_consistency *c, const char *name, const ddb_consist_settings *s);
/* Forgets every logged change (a snapshot restored: the store holds none of them). */
void ddb_consist_forget(struct ddb_consistency *c);
/* What the logs hold in all, against DDB_CONSIST_BUDGET_BYTES (0 for NULL). */
size_t ddb_consist_bytes(struct ddb_consistency *c);
/* Writes {"defaults": {...}, "budgetBytes": n, "bytesKept": n, "tables": [{"table": ..., "indexLagMs": ...,
   "changesKept": n}]} (a malloc'd string). */
char *ddb_consist_describe(struct ddb_consistency *c);

/* ---- the mutation pipeline ---- */

/* A committed change of t's item at `key`: its stored images before and after (NULL: absent; only
   the old one is kept: a read shows the item as it was before the first change it misses). */
void ddb_consist_note(struct ddb_consistency *c, const ddb_table *t, const ddb_key *key, const char *old,
                      size_t oldlen, const char *new_val, size_t newlen);

/* ---- the read path ---- */

/* An eventually consistent read of t's item (read.h's ddb_read_table_item): ddb_read_item, or,
   under t's settings, the item as the read's replica has it. A draw of t's sequence it took (its
   replica, under --stale-reads) is counted in *drawn. */
int ddb_consist_read_item(struct ddb_consistency *c, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                          const ddb_key *key, ddb_attr *item, size_t *size, int *found, unsigned *drawn);

/* An eventually consistent read of table t's range or its index ix's (NULL: the table; read.h's
   ddb_read_table_range): ddb_read_range, or, under t's settings, the range as the read's replica
   (or index) has it; its draw counted in *drawn, as ddb_consist_read_item's. */
int ddb_consist_read_range(struct ddb_consistency *c, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                           const ddb_index *ix, const ddb_read_bounds *b, ddb_read_fn fn, void *ctx, unsigned *drawn);

#endif
