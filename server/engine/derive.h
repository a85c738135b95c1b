/*
 * server/engine/derive.h: a write's decision, as the features' hooks see it (feature.h).
 *
 * ddb_mutate decides a write from its item's old image (mutation.h); what follows from the pair
 * (index entries, a global table's write time, stream, Kinesis and point-in-time log records) is
 * derived into the same commit by the engine's feature rows (server/features.def), which the
 * decision walks: each row's prepare, wants_old and derive. The pipeline itself (mutation.c)
 * knows none of them.
 *
 * The decision may run more than once (storage.h); a row keeps nothing of its own between runs:
 * what it produces goes into the commit's batch, the mutation's outcome (d->out) or the decision's
 * run state (ddb_decision.now, its scratch[f->index] the row's own), all cleared at the start of
 * every run. The request itself is const to every run and every row (d->m): a run cannot leave in
 * it what the next would read.
 */
#ifndef DDB_DERIVE_H
#define DDB_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "server/base/batch.h"
#include "server/engine/feature.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation_types.h"

/* One run of a decision: what it has read and made so far (cleared in one statement at its start). */
typedef struct ddb_decision_now {
    ddb_mut_kind kind;          /* what the run writes, set at its start: the request's kind and item */
    const ddb_attr *item;       /* (PUT), or a STRONG mirror's source's decided change (mutation.c) */
    const char *old, *val;      /* the stored old image, the encoded new one (NULL: absent) */
    size_t oldlen, vlen;
    int changed;                /* 0: not known yet, else 1 + whether the item changed (ddb_decision_changed) */
    uint64_t wtime;             /* the write's time and region (global tables) */
    const char *wregion;
    size_t coll_old, coll_new;  /* the item's part of its collection before and after */
    ddb_keyspace_figures *ix_change; /* how its index entries moved each index's figures (arena: room
                                        for t's indexes; NULL until one moved: ddb_decision_note_index) */
    unsigned nix_change;
    ddb_key *index_key;         /* t's with GSIs: the entry of each index (t->indexes order) its units
                                   went to (arena; NULL without GSIs), for a GSI's hot partitions */
    void *scratch[DDB_FEATURES_MAX]; /* each feature row's own (feature.h; arena memory) */
} ddb_decision_now;

/* A mutation being decided, in a commit of one item or of a transaction's. */
typedef struct ddb_decision {
    const ddb_mutation *m;         /* the request, which no run writes */
    ddb_mutation_outcome *out;     /* what the run produces: the caller's m->out */
    ddb_arena *a;
    const ddb_store *store;
    unsigned long long limit;      /* item collection size limit */
    unsigned in_flight_ms;         /* STRONG global tables: how long another region's write holds an item */
    const ddb_features *features;  /* the engine's rows (feature.h), walked at each hook */
    const ddb_store_key *keys;     /* the commit's keys, read (set before each run) */
    unsigned short key_at[DDB_FEATURES_MAX]; /* per row: the index of its commit_key in keys[] (0: none) */
    ddb_decision_now now;
} ddb_decision;

/* The stored value of the key row f reads in the commit (its commit_key; NULL: none, or absent). */
static inline const ddb_store_key *ddb_decision_key(const ddb_decision *d, const ddb_feature_slot *f)
{
    return d->key_at[f->index] != 0 ? &d->keys[d->key_at[f->index]] : NULL;
}

/* An index's entry went from `osize` to `nsize` bytes (0: not in it): its figures' change, which
   the commit adds to the table's (table_stats.h). Each index's row (the core's GSIs and LSIs, a
   feature's index kind) notes its own. */
void ddb_decision_note_index(ddb_decision *d, const ddb_index *ix, size_t osize, size_t nsize);

/* decide's answer for a replicated change older than the item's last write: nothing to commit */
#define DDB_DECIDE_REP_STALE 1002

/*
 * Whether the decided write changes the item: by value, as DynamoDB decides that a write changed
 * nothing and makes no stream record (a map written with its keys in another order is the same
 * item). Worked out once a run, by the first row that asks.
 */
static inline int ddb_decision_changed(ddb_decision *d)
{
    if (d->now.changed != 0)
        return d->now.changed - 1;
    if (!d->out->has_new)
        d->now.changed = 1 + d->out->had_old;
    else
        d->now.changed = 1 + (d->now.old == NULL ||
                              !ddb_item_encodings_equal(d->a, d->now.old, d->now.oldlen, d->now.val, d->now.vlen));
    return d->now.changed - 1;
}

/* Records the mutation's error (out->err: a decision's d->out, else the mutation's &m->out) and
   returns its code. */
static inline int ddb_decision_fail(ddb_mutation_outcome *out, int code, const char *msg)
{
    out->err.code = code;
    out->err.msg = msg;
    return code;
}

/* The item's image a record names it by: the new one, else the Key given, else the old one. */
static inline const ddb_attr *ddb_decision_keys_item(const ddb_decision *d)
{
    return d->out->has_new ? &d->out->new_item : d->m->keyattrs ? d->m->keyattrs : &d->out->old;
}

#endif
