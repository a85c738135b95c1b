/*
 * server/engine/feature.h: a feature, as the engine's core sees it: a row of hooks the wiring
 * hands the engine at open (server/features.def), and its state behind its own pointer.
 *
 * The core (the mutation pipeline, the read path) names no feature: at each hook it walks the
 * engine's rows in features.def's order and calls the hooks a row has. A feature lives in its own
 * module, in the core (the write time, the index entries) or in a sub-layer above it
 * (engine/capacity/, engine/history/, engine/vector/, engine/jobs/, and engine/emulate/: production's
 * behaviours ddbd emulates on demand: eventually consistent reads, table states, conflicts drawn),
 * and finds its state through the slot the core passes to its hooks, or, from above the core (an
 * operation, a job, a door),
 * with ddb_engine_feature(eng, &its_row). A slot whose state is NULL is off: none of its hooks is
 * called (one test of a pointer, no call), so a feature that is not configured costs nothing; a
 * row with no state of its own that is always on is opened with DDB_FEATURE_ALWAYS.
 *
 * Every hook may be NULL. The decision may run more than once (storage.h): what a hook produces
 * goes into the commit's batch, the mutation's outcome or the run's state (derive.h's
 * ddb_decision_now, whose scratch[f->index] is the feature's own: arena memory, cleared at the
 * start of every run); a feature keeps nothing of a run in its state.
 */
#ifndef DDB_FEATURE_H
#define DDB_FEATURE_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "server/base/batch.h"
#include "server/storage/storage.h"

struct ddb_engine;
struct ddb_decision;
struct ddb_desc_edit;
struct ddb_index;
struct ddb_key;
struct ddb_mutation;
struct ddb_table;

/* The most rows an engine takes (features.def's 12, and a test's). */
#define DDB_FEATURES_MAX 13

typedef struct ddb_feature ddb_feature;

/*
 * A member of a table's stored description that a feature owns ("ddbd..." in docs/storage-format.md):
 * the feature reads it into each table version and writes it in an edit, so its shape is defined
 * once, in the feature, and the catalog names none (catalog_members.c walks the rows' members).
 */
/* What an edit gives a member's writer: `value` as the edit was given it, `base` the table edited
   (NULL: a new one), `cur` the member's stored value (NULL: none). Most writers read the value
   alone; one that keeps part of what is stored reads the rest. */
typedef struct ddb_member_edit {
    const struct ddb_table *base;
    const ddb_json *cur;
    const void *value;
} ddb_member_edit;

typedef struct ddb_table_member {
    const char *name;
    /* reads the stored value (NULL: absent) into t, when the catalog builds a table version (after
       its indexes); NULL: nothing typed (the member is read by name where it is used) */
    void (*read)(struct ddb_table *t, const ddb_json *v);
    /* writes the member's value for an edit (catalog_edit.h's ddb_edit_member); the catalog has
       written its key, `name`, so the name is spelled once, in the row */
    void (*write)(ddb_jw *w, const ddb_member_edit *e);
} ddb_table_member;

/* A range read's bounds (read.h's ddb_read_range): the entries of [lo, hi) (hilen 0: no end), from
   after `after` (NULL: the start), descending with `reverse`. */
typedef struct ddb_read_bounds {
    const char *lo, *hi, *after;
    size_t lolen, hilen, afterlen;
    int reverse;
} ddb_read_bounds;

/* A feature in one engine: its row, its state (NULL: off) and its place among the rows (the index
   of its scratch in a decision's run: ddb_decision_now.scratch, and of its key: ddb_decision_key). */
typedef struct ddb_feature_slot {
    const ddb_feature *row;
    void *state;
    unsigned index;
} ddb_feature_slot;

struct ddb_feature {
    const char *name;
    /* frees its state when the engine closes (not called for NULL or DDB_FEATURE_ALWAYS) */
    void (*close)(void *state);

    /* ---- the table's stored members it owns, up to a NULL (NULL: none). The catalog reads them
       into every table version whether the row is on or off (ddb_feature_rows): a stored
       description reads the same under any command line ---- */
    const ddb_table_member *const *members;

    /* ---- its figures per table (its counters of what the table's requests did): table_size
       bytes (0: none), zeroed, laid out after the table's own figures by the catalog (table_stats.h:
       ddb_table_stats_slot finds them), made with the table and kept across its versions, whether
       the row is on or off; table_open (may be NULL) prepares them, table_close (may be NULL)
       before they are freed ---- */
    size_t table_size;
    void (*table_open)(void *figures, const struct ddb_table *t);
    void (*table_close)(void *figures);

    /* ---- the write path (mutation.h), in the order a commit reaches them ---- */
    /* a client's write (m->request), before it is decided: nonzero refuses it, its error left in
       m->out.err (--enforce-capacity's throttle) */
    int (*admit)(const ddb_feature_slot *f, struct ddb_engine *eng, ddb_arena *a, struct ddb_mutation *m);
    /* a key of its own the commit reads and locks with the item's (a global table's write time):
       1 with *key set, else 0; its stored value is ddb_decision_key(d, f) in each run */
    int (*commit_key)(ddb_arena *a, const struct ddb_mutation *m, ddb_store_key *key);
    /* under the item's lock, before its old image is looked at: 0, or a code that ends the run */
    int (*prepare)(const ddb_feature_slot *f, struct ddb_decision *d);
    /* whether its records read the decoded old image (d->out->old) */
    int (*wants_old)(const struct ddb_decision *d);
    /* after the new image is made: its records, added to the commit's batch */
    void (*derive)(const ddb_feature_slot *f, struct ddb_decision *d, ddb_batch *out);
    /* after the commit landed: its runs (one, or a transaction's n), each decided and written */
    void (*committed)(const ddb_feature_slot *f, struct ddb_engine *eng, ddb_arena *a,
                      const struct ddb_decision *runs, size_t n);
    /* set: committed follows only a commit one of whose runs left the row's scratch (a record it
       made, a change to apply), so a commit without costs it no call */
    int committed_on_scratch;

    /* ---- a written item, as a kind of index the feature serves sees it (a vector index) ---- */
    /* NULL, or the ValidationException a write of `item` in t gets from its indexes of the kind */
    const char *(*check_item)(ddb_arena *a, const struct ddb_table *t, const ddb_attr *item);
    /* the item's size (`size` as the core counts it) as its indexes bill it (a vector at f32) */
    size_t (*item_size)(const struct ddb_table *t, const ddb_attr *item, size_t size);

    /* ---- the read path (read.h) ---- */
    /* a point read of a stored key, `stored_size` bytes (0: absent) */
    void (*read)(void *state, const char *key, size_t klen, size_t stored_size);
    /* a range read from `lo` (a Query's partition, a Scan's segment) */
    void (*range)(void *state, const char *lo, size_t lolen);

    /* ---- production's contention, drawn (a row of engine/emulate/: --write-conflict-rate,
       --transaction-conflict-rate) ---- */
    /* a single-item write (a PutItem, UpdateItem, DeleteItem, a batch's or a bulk load's put), before
       anything else: nonzero when a transaction is found holding its item (mutation.h's
       ddb_mutation_contended) */
    int (*contended)(const ddb_feature_slot *f);
    /* a transaction of n actions, before its actions are read: the action found holding another
       transaction's item ([0, n)), or -1 (ddb_mutation_txn_contended) */
    int (*txn_contended)(const ddb_feature_slot *f, unsigned n);

    /* ---- an eventually consistent read, served as another replica of production's would be (a
       row of engine/emulate/: --stale-reads, --index-lag); ConsistentRead reads never reach it ---- */
    /* GetItem's, BatchGetItem's and PartiQL's read of t's item (read.h's ddb_read_table_item): the
       first row that is on serves it whole, with ddb_read_item for what it leaves as stored; the
       draws it took of the table's sequence (--stale-reads: which replica serves it) are added to
       *drawn, so that a recording can say so (docs/record-replay.md, "Order") */
    int (*replica_item)(const ddb_feature_slot *f, struct ddb_engine *eng, ddb_arena *a, const struct ddb_table *t,
                        const struct ddb_key *key, ddb_attr *item, size_t *size, int *found, unsigned *drawn);
    /* Query's and Scan's read of t or its index ix (NULL: the table; ddb_read_table_range), the same
       way: fn for each entry the replica has, as ddb_read_range calls it */
    int (*replica_range)(const ddb_feature_slot *f, struct ddb_engine *eng, ddb_arena *a, const struct ddb_table *t,
                         const struct ddb_index *ix, const ddb_read_bounds *b,
                         int (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen), void *ctx,
                         unsigned *drawn);

    /* ---- a table's life, as long as production's (a row of engine/emulate/: --table-states): asked
       by the table operations through engine.h's ddb_engine_life, the first row on that has
       `creating` answering; such a row has every hook of this section ---- */
    /* when a state a table or an index enters now (CREATING, DELETING) ends: a server-clock ms, or 0
       when it ends at once */
    uint64_t (*state_until)(const ddb_feature_slot *f);
    /* writes `until` (state_until's, not 0) into edit e as the end of CREATING of the table it makes
       (`index` 0: CreateTable's) or of the index it adds (1: UpdateTable's, ddb_edit_add_gsi's), in a
       table member the row owns (its `members`, which read it into the table version) */
    void (*creating_until)(const ddb_feature_slot *f, struct ddb_desc_edit *e, int index, uint64_t until);
    /* whether table t (ix NULL), or its index ix, is still CREATING by its stored end: t serves no
       reads or writes and refuses changes, ix is CREATING with Backfilling (not read, not counted) */
    int (*creating)(const ddb_feature_slot *f, const struct ddb_table *t, const struct ddb_index *ix);
    /* table `key` (its catalog key) was deleted: DELETING until `until` (state_until's, not 0),
       described by `desc` (DescribeTable's whole answer, `len` bytes; copied) */
    void (*deleted)(const ddb_feature_slot *f, const char *key, uint64_t until, const char *desc, size_t len);
    /* whether table `key`, deleted, is still DELETING; its DescribeTable answer into *desc and *len
       (arena a's memory) when a is given */
    int (*deleting)(const ddb_feature_slot *f, const char *key, ddb_arena *a, const char **desc, size_t *len);
    /* the names of namespace ns's tables still DELETING (arena a's memory: ListTables lists them, as
       DynamoDB does); their number */
    size_t (*deleting_names)(const ddb_feature_slot *f, const char *ns, ddb_arena *a, const char ***names);

    /* ---- reports ---- */
    /* its section of GET /metrics (Prometheus' text, HELP and TYPE lines first), appended to `out`
       where the engine's figures are rendered (ddb_engine_metrics), as h2o's status handler
       registers each of its sections */
    void (*metrics)(const ddb_feature_slot *f, struct ddb_engine *eng, ddb_buf *out);
};

/* The rows whose table members the catalog reads (features.def's, handed to ddb_catalog_open by the
   wiring, on or off alike): an array of n rows that outlives the catalog. */
typedef struct ddb_feature_rows {
    const ddb_feature *const *row;
    unsigned n;
} ddb_feature_rows;

/* The hooks the core walks, each over the rows that have it and are on (ddb_features.on): a walk
   visits only those, in features.def's order. */
typedef enum ddb_hook {
    DDB_HOOK_ADMIT,
    DDB_HOOK_COMMIT_KEY,
    DDB_HOOK_PREPARE,
    DDB_HOOK_WANTS_OLD,
    DDB_HOOK_DERIVE,
    DDB_HOOK_COMMITTED,
    DDB_HOOK_CHECK_ITEM,
    DDB_HOOK_ITEM_SIZE,
    DDB_HOOK_READ,
    DDB_HOOK_RANGE,
    DDB_HOOK_METRICS,
    DDB_HOOK_CONTENDED,
    DDB_HOOK_TXN_CONTENDED,
    DDB_HOOK_REPLICA_ITEM,
    DDB_HOOK_REPLICA_RANGE,
    DDB_HOOK_LIFE, /* the rows that have `creating` (and the rest of a table's life) */
    DDB_HOOK__COUNT
} ddb_hook;

/* An engine's rows (engine.h's eng->features): each with its state, and per hook the rows that
   have it, by index into slot[], and those of them that are on, a bit a slot (`on`: kept by
   engine.c as states are added, set and published, so a walk passes over a row that is off
   without looking at it: the write path walks six hooks, issue 74). */
typedef struct ddb_features {
    ddb_feature_slot slot[DDB_FEATURES_MAX];
    unsigned n;
    unsigned char with[DDB_HOOK__COUNT][DDB_FEATURES_MAX];
    unsigned char nwith[DDB_HOOK__COUNT];
    unsigned on[DDB_HOOK__COUNT];
} ddb_features;

_Static_assert(DDB_FEATURES_MAX <= 32, "a row is a bit of ddb_features.on");

/* The j-th row with hook h that is on (its state not NULL), or NULL when that one is off. (A state
   may be published while requests run, once: engine.h's ddb_engine_publish_feature; an acquiring
   load is a plain one on x86.) */
static inline const ddb_feature_slot *ddb_features_on(const ddb_features *fs, ddb_hook h, unsigned j)
{
    const ddb_feature_slot *f = &fs->slot[fs->with[h][j]];

    return __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) != NULL ? f : NULL;
}

/* The rows with hook h that are on, a bit a slot: a walk is
     for (unsigned on = ddb_features_mask(fs, h); on != 0; on &= on - 1)
         ... ddb_features_at(fs, on) ...
   in features.def's order (the bits' order is the slots'), as over with[h]. */
static inline unsigned ddb_features_mask(const ddb_features *fs, ddb_hook h)
{
    return __atomic_load_n(&fs->on[h], __ATOMIC_ACQUIRE);
}

/* The row of the lowest bit of `on` (not 0), or NULL when it has been turned off since. */
static inline const ddb_feature_slot *ddb_features_at(const ddb_features *fs, unsigned on)
{
    const ddb_feature_slot *f = &fs->slot[__builtin_ctz(on)];

    return __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) != NULL ? f : NULL;
}

/* The state of a row that is always on and has none of its own. */
extern const char ddb_feature_always;
#define DDB_FEATURE_ALWAYS ((void *)&ddb_feature_always)

#endif
