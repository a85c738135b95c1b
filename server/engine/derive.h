/*
 * server/engine/derive.h: what a write derives, one row per derived record (derive.def).
 *
 * ddb_mutate decides a write from its item's old image (mutation.h); what follows from the pair
 * (index entries, a global table's write time, stream, Kinesis and point-in-time log records) is
 * derived into the same commit by the rows of derive.def, which the decision walks. Each row is a
 * ddb_deriver its own module defines (derive_<name>.c), so a new derived record is one row and one
 * module, and the pipeline itself (mutation.c) knows none of them.
 *
 * The decision may run more than once (storage.h); a row keeps nothing of its own between runs:
 * what it produces goes into the commit's batch, the mutation's outcome (d->out) or the decision's
 * run state (ddb_decision.now), all cleared at the start of every run. The request itself is
 * const to every run and every row (d->m): a run cannot leave in it what the next would read.
 */
#ifndef DDB_DERIVE_H
#define DDB_DERIVE_H

#include <stddef.h>
#include <stdint.h>

#include "server/base/batch.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation_types.h"
#include "server/engine/history/retention.h"

struct ddb_consistency;

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
    uint64_t kept[DDB_RET__COUNT]; /* bytes of retained history (retention.h) the decided write adds */
    const char *cold, *cnew;    /* the images the commit notes (consistency.h; NULL: absent) */
    size_t coldlen, cnewlen;
} ddb_decision_now;

/* A mutation being decided, in a commit of one item or of a transaction's. */
typedef struct ddb_decision {
    const ddb_mutation *m;         /* the request, which no run writes */
    ddb_mutation_outcome *out;     /* what the run produces: the caller's m->out */
    ddb_arena *a;
    const ddb_store *store;
    unsigned long long limit;      /* item collection size limit */
    ddb_vector_cache *vectors;     /* the process's vector indexes in memory, or NULL */
    unsigned in_flight_ms;         /* STRONG global tables: how long another region's write holds an item */
    struct ddb_consistency *cons;  /* eng->consistency: the commit notes the stored images (consistency.h) */
    int rep_slot;                  /* a global table's: the index of the item's write-time key in keys[] */
    const ddb_store_key *rep;      /* that key, read (set before each run) */
    ddb_decision_now now;
} ddb_decision;

/*
 * A derived record. Every function may be NULL; each looks at the mutation's table and does
 * nothing when the table has no such record. Each reads the request as const (d->m) and what the
 * run wrote so far (d->now: the kind and item it writes), and writes only d->out and d->now.
 *   prepare:   under the item's lock, before its old image is looked at; 0, or a code that ends the
 *              decision (its error left in d->out->err, or the pipeline's own: mutation.c);
 *   wants_old: whether its records read the decoded old image (d->out->old);
 *   derive:    after the new image is made, adds its records to the commit's batch.
 */
typedef struct ddb_deriver {
    const char *name;
    int (*prepare)(ddb_decision *d);
    int (*wants_old)(const ddb_decision *d);
    void (*derive)(ddb_decision *d, ddb_batch *out);
} ddb_deriver;

#define DDB_DERIVER(name) extern const ddb_deriver ddb_derive_##name;
#include "server/engine/derive.def"
#undef DDB_DERIVER

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
