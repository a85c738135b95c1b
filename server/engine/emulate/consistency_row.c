/*
 * server/engine/emulate/consistency_row.c: eventual consistency as a row of the engine
 * (consistency.h: ddb_feature_consistency; feature.h says what a row is). The core names none of
 * it: a decided write's images come to its derive, the landed commit to its committed, and an
 * eventually consistent read to its replica_item or replica_range; with the row off (its state
 * NULL) none of them is called.
 */
#include "server/engine/emulate/consistency.h"

#include "server/base/faults.h"
#include "server/engine/derive.h"

/* What a run of the decision leaves for the commit to note (its scratch): the item's stored images
   before and after (NULL: absent); the old one copied, as the store's buffer lasts only the run. */
typedef struct images {
    const char *old, *new_val;
    size_t oldlen, newlen;
} images;

static void consistency_close(void *state)
{
    ddb_consist_free(state);
}

/* Only a write that leaves a change to note (an item written, or one deleted that existed) keeps
   its images. */
static void consistency_derive(const ddb_feature_slot *f, ddb_decision *d, ddb_batch *out)
{
    images *im;

    (void)out;
    if (!d->out->has_new && !(d->now.kind == DDB_MUT_DELETE && d->out->had_old))
        return;
    im = DDB_NEW(d->a, images);
    im->old = d->now.old != NULL ? ddb_arena_memdup(d->a, d->now.old, d->now.oldlen) : NULL;
    im->oldlen = d->now.oldlen;
    im->new_val = d->now.val;
    im->newlen = d->now.vlen;
    d->now.scratch[f->index] = im;
}

/* After the commit landed: each run's change, in the table's log (a replicated change older than
   the item's last write committed nothing). */
static void consistency_committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs,
                                  size_t n)
{
    (void)eng;
    (void)a;
    for (size_t i = 0; i < n; i++) {
        const images *im = runs[i].now.scratch[f->index];
        if (im == NULL || runs[i].out->rep_stale)
            continue;
        ddb_crash_point("write-unnoted"); /* committed, not yet in the log: reads may see it already */
        ddb_consist_note(f->state, runs[i].m->t, &runs[i].m->key, im->old, im->oldlen, im->new_val, im->newlen);
    }
}

static int consistency_item(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                            const ddb_key *key, ddb_attr *item, size_t *size, int *found, unsigned *drawn)
{
    return ddb_consist_read_item(f->state, eng, a, t, key, item, size, found, drawn);
}

static int consistency_range(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                             const ddb_index *ix, const ddb_read_bounds *b, ddb_read_fn fn, void *ctx,
                             unsigned *drawn)
{
    return ddb_consist_read_range(f->state, eng, a, t, ix, b, fn, ctx, drawn);
}

const ddb_feature ddb_feature_consistency = {.name = "consistency",
                                             .close = consistency_close,
                                             .derive = consistency_derive,
                                             .committed = consistency_committed,
                                             .committed_on_scratch = 1,
                                             .replica_item = consistency_item,
                                             .replica_range = consistency_range};
