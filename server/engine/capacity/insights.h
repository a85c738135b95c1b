/*
 * server/engine/capacity/insights.h: Contributor Insights' figures, the most accessed and the most
 * throttled keys of a table or a global secondary index over a sliding window.
 *
 * Each table or index with Contributor Insights enabled (its table member "ddbdInsights", the
 * capacity row's: ddb_member_insights below, which the catalog reads into t->ci and each GSI's ci;
 * it configures it here by its key prefix id) has a sketch of fixed size: a few
 * shards, each holding, per kind of rule (DDB_CI_KINDS), a Space-Saving summary of its heaviest
 * keys for the current window and the one before. A request thread records into the shard it was
 * given, under that shard's spinlock only (threads rarely share a shard); a reader merges every
 * shard. With no sketch enabled, recording is one relaxed load.
 *
 * Keys are recorded in their key form as the item keys hold them (keycodec.h):
 * [pk_len: u16 BE][pk bytes][sort key bytes]; partition-key kinds keep only the first part.
 * The weight is DynamoDB's ConsumedThroughputUnits (3 x write units + read units) for accesses,
 * and 1 per throttled request.
 */
#ifndef DDB_INSIGHTS_H
#define DDB_INSIGHTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/feature.h"
#include "server/engine/table.h"

/* ---- the table member "ddbdInsights": {"Table": state, "Indexes": {name: state}} ---- */

#define DDB_MEMBER_INSIGHTS "ddbdInsights"
extern const ddb_table_member ddb_member_insights;
struct ddb_desc_edit;
/* Contributor Insights of the table (index NULL) or of its GSI `index`: one change per edit (an
   existing table's). */
void ddb_edit_insights(struct ddb_desc_edit *e, const char *index, const ddb_ci_state *st);

/* X(kind, rule, what, with_sort): DynamoDB's four rules (the developer guide's "How it works") */
#define DDB_CI_KINDS(X)                                                                                                \
    X(PKC, "PKC", "accessed", 0)                                                                                       \
    X(SKC, "SKC", "accessed", 1)                                                                                       \
    X(PKT, "PKT", "throttled", 0)                                                                                      \
    X(SKT, "SKT", "throttled", 1)

typedef enum ddb_ci_kind {
#define X(k, rule, what, sort) DDB_CI_##k,
    DDB_CI_KINDS(X)
#undef X
        DDB_CI_NKINDS
} ddb_ci_kind;

const char *ddb_ci_kind_rule(ddb_ci_kind k);
/* "accessed" or "throttled" */
const char *ddb_ci_kind_what(ddb_ci_kind k);
int ddb_ci_kind_sorted(ddb_ci_kind k);

/* (ContributorInsightsMode's values, ddb_ci_mode, are the table's member's: engine/table.h) */

/* The window: a key counts for the last one to two of these (two generations). */
#define DDB_CI_WINDOW_MS 60000
/* Keys a summary holds per shard and kind, and the most a reader is given. */
#define DDB_CI_SLOTS 16
/* Key bytes kept per key (longer keys are told apart by their hash, shown truncated). */
#define DDB_CI_KEY_MAX 80

#define DDB_CI_MAX_SKETCHES 256 /* tables and indexes ever enabled while an engine runs */

/* One engine's sketches (capacity_feature.h: ddb_insights_of), made by the wiring and freed with the engine
   (no request runs then); the catalog configures them as it loads tables (catalog.h). */
typedef struct ddb_insights {
    int enabled; /* sketches not OFF; read relaxed on the request path */
    pthread_mutex_t configure_lock;
    struct ddb_ci_sketch *sketches[DDB_CI_MAX_SKETCHES]; /* published with release stores */
} ddb_insights;

ddb_insights *ddb_insights_new(void);
void ddb_insights_free(ddb_insights *ci);

/* Sets what is recorded for key prefix id `id` (a table's or an index's); OFF stops it. The sketch
   is made at the first enable and kept (its figures restart) for a later one. NULL: nothing. */
void ddb_insights_configure(ddb_insights *ci, uint32_t id, ddb_ci_mode mode);

/* Records an access (units > 0) or a throttled request (throttled) of the stored key `key` (an
   item's or an index entry's, keycodec.h). */
void ddb_insights_record_stored(ddb_insights *ci, const char *key, size_t klen, double units, int throttled);
/* The same from the key's parts (an index's key values in key form, `sk` NULL when it has none). */
void ddb_insights_record_parts(ddb_insights *ci, uint32_t id, const char *pk, size_t pklen, const char *sk,
                               size_t sklen, double units, int throttled);

/* Whether any sketch of ci records (NULL: none). */
static inline int ddb_insights_on(const ddb_insights *ci)
{
    return ci != NULL && __atomic_load_n(&ci->enabled, __ATOMIC_RELAXED) != 0;
}

/* One of the heaviest keys: its bytes ([pk_len][pk][sk], maybe truncated) and its weight. */
typedef struct ddb_ci_top {
    char key[DDB_CI_KEY_MAX];
    size_t klen;
    uint64_t hash;
    double weight;
} ddb_ci_top;

/* The heaviest keys of kind k for `id`, heaviest first, over the window as of now: at most max
   (<= DDB_CI_SLOTS); 0 when nothing is recorded. */
size_t ddb_insights_top(ddb_insights *ci, uint32_t id, ddb_ci_kind k, ddb_ci_top *out, size_t max);

/* The partition and sort key values of a top key (sk->type DDB_T_NONE without one), as
   AttributeValues of the key's types (arena memory). */
void ddb_insights_values(ddb_arena *a, const ddb_ci_top *top, ddb_type pk_type, ddb_type sk_type, ddb_attr *pk,
                         ddb_attr *sk);

/* The catalog's watcher (catalog.h: ddb_catalog_watch, with ctx the engine's ddb_insights): a table
   version held (`on`) configures its and its GSIs' sketches as it says; a dropped one stops them. */
void ddb_insights_watch(void *ctx, const ddb_table *t, int on);

#endif
