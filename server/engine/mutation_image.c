/*
 * server/engine/mutation_image.c: a decided mutation's new image (mutation.h): a Put's item or an
 * update applied to the old image (or to the Key, on an absent item), sized as DynamoDB bills it
 * and checked against the table's index key types, then written to the commit's batch, or the
 * item's removal.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/index.h"
#include "server/engine/mutation_image.h"
#include "server/expr/expr.h"

const char *ddb_decide_check_item(const ddb_features *fs, ddb_arena *a, const ddb_table *t, const ddb_attr *item,
                                  int by_update)
{
    const char *msg = ddb_index_check_item(a, t, item, by_update);

    for (unsigned on = t->nindexes > 0 ? ddb_features_mask(fs, DDB_HOOK_CHECK_ITEM) : 0; msg == NULL && on != 0;
         on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(fs, on);
        if (f != NULL)
            msg = f->row->check_item(a, t, item);
    }
    return msg;
}

/* The new image's size as billed: the core's count, then each row's kind of index (a vector as
   the index stores it: vector.h). */
static size_t billed_size(const ddb_decision *r, const ddb_attr *item, size_t size)
{
    for (unsigned on = r->m->t->nindexes > 0 ? ddb_features_mask(r->features, DDB_HOOK_ITEM_SIZE) : 0; on != 0;
         on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(r->features, on);
        if (f != NULL)
            size = f->row->item_size(r->m->t, item, size);
    }
    return size;
}

static int has_actions(const struct ddb_expr *update)
{
    const ddb_expr_target *targets;

    return update != NULL && ddb_expr_update_targets(update, &targets) > 0;
}

/* The new image of an update; nonzero means stop (error recorded) or nothing to write (created_nothing). */
static int apply_update(ddb_decision *r)
{
    const ddb_mutation *m = r->m;
    ddb_mutation_outcome *o = r->out;
    const char *msg = NULL;

    /* on an absent item the key is the base, and a REMOVE of any path removes nothing, silently */
    if ((o->had_old ? ddb_expr_apply_update(r->a, m->update, &o->old, &o->new_item, &msg)
                    : ddb_expr_apply_update_absent(r->a, m->update, m->keyattrs, &o->new_item, &msg)) != 0)
        return ddb_decision_fail(o, DDB_E_VALIDATION, msg);
    o->new_size = ddb_item_size(&o->new_item);
    if (o->new_size > DDB_MAX_ITEM_SIZE)
        return ddb_decision_fail(o, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    o->new_size = billed_size(r, &o->new_item, o->new_size);
    /* actions that leave an absent item with nothing but its key (REMOVE, DELETE) create nothing;
       an update without actions still creates the key-only item */
    if (!o->had_old && o->new_item.len == (m->t->range_key ? 2u : 1u) && has_actions(m->update)) {
        o->created_nothing = 1;
        return 0;
    }
    if ((msg = ddb_decide_check_item(r->features, r->a, m->t, &o->new_item, 1)) != NULL)
        return ddb_decision_fail(o, DDB_E_VALIDATION, msg);
    o->has_new = 1;
    return 0;
}

/* The size of the item the run's write would have made, had its condition held (0: none, or an
   update that fails on the item). */
static size_t would_make(ddb_decision *r)
{
    const ddb_mutation *m = r->m;
    const ddb_mutation_outcome *o = r->out;
    ddb_attr item;
    const char *msg = NULL;

    if (r->now.kind == DDB_MUT_PUT)
        return billed_size(r, r->now.item, ddb_item_size(r->now.item));
    if (r->now.kind != DDB_MUT_UPDATE)
        return 0;
    if ((o->had_old ? ddb_expr_apply_update(r->a, m->update, &o->old, &item, &msg)
                    : ddb_expr_apply_update_absent(r->a, m->update, m->keyattrs, &item, &msg)) != 0)
        return 0;
    return billed_size(r, &item, ddb_item_size(&item));
}

size_t ddb_decide_refused_size(ddb_decision *r)
{
    size_t made = would_make(r), had = r->out->had_old ? r->out->old_size : 0;

    return made > had ? made : had;
}

/* The new image (out->new_item, when has_new) of the run's kind and item (r->now), written to the
   batch, or the item's removal. */
int ddb_decide_image(ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    ddb_mutation_outcome *o = r->out;
    int rc;

    if (r->now.kind == DDB_MUT_PUT) {
        o->new_item = *r->now.item;
        o->new_size = billed_size(r, r->now.item, ddb_item_size(r->now.item));
        o->has_new = 1;
    } else if (r->now.kind == DDB_MUT_UPDATE && (rc = apply_update(r)) != 0) {
        return rc;
    }
    if (o->has_new) {
        char *val;
        ddb_item_encode(r->a, &o->new_item, o->new_size, &val, &r->now.vlen);
        r->now.val = val;
        ddb_batch_put(out, m->key.bytes, m->key.len, val, r->now.vlen);
        out->adds = 1; /* an UpdateItem that only REMOVEs too: it writes the item anew */
    } else if (r->now.kind == DDB_MUT_DELETE && o->had_old) {
        ddb_batch_delete(out, m->key.bytes, m->key.len);
        out->removes = 1; /* allowed on a disk short of space (diskguard.h) */
    }
    return 0;
}
