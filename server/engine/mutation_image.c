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
#include "server/engine/vector/vector.h"
#include "server/expr/expr.h"

static int has_actions(const struct ddb_expr *update)
{
    const ddb_expr_target *targets;

    return update != NULL && ddb_expr_update_targets(update, &targets) > 0;
}

/* The new image of an update; nonzero means stop (error recorded) or nothing to write (created_nothing). */
static int apply_update(ddb_decision *r)
{
    ddb_mutation *m = r->m;
    const char *msg = NULL;

    /* on an absent item the key is the base, and a REMOVE of any path removes nothing, silently */
    if ((m->out.had_old ? ddb_expr_apply_update(r->a, m->update, &m->out.old, &m->out.new_item, &msg)
                    : ddb_expr_apply_update_absent(r->a, m->update, m->keyattrs, &m->out.new_item, &msg)) != 0)
        return ddb_decision_fail(m, DDB_E_VALIDATION, msg);
    m->out.new_size = ddb_item_size(&m->out.new_item);
    if (m->out.new_size > DDB_MAX_ITEM_SIZE)
        return ddb_decision_fail(m, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if (m->t->nvector > 0) /* a vector as the index stores it (vector.h) */
        m->out.new_size = ddb_vector_billed_size(m->t, &m->out.new_item, m->out.new_size);
    /* actions that leave an absent item with nothing but its key (REMOVE, DELETE) create nothing;
       an update without actions still creates the key-only item */
    if (!m->out.had_old && m->out.new_item.len == (m->t->range_key ? 2u : 1u) && has_actions(m->update)) {
        m->out.created_nothing = 1;
        return 0;
    }
    if ((msg = ddb_index_check_item(r->a, m->t, &m->out.new_item, 1)) != NULL)
        return ddb_decision_fail(m, DDB_E_VALIDATION, msg);
    m->out.has_new = 1;
    return 0;
}

/* The new image (m->out.new_item, when has_new), written to the batch, or the item's removal. */
int ddb_decide_image(ddb_decision *r, ddb_batch *out)
{
    ddb_mutation *m = r->m;
    int rc;

    if (m->kind == DDB_MUT_PUT) {
        m->out.new_item = *m->item;
        m->out.new_size = ddb_item_size(m->item);
        if (m->t->nvector > 0)
            m->out.new_size = ddb_vector_billed_size(m->t, m->item, m->out.new_size);
        m->out.has_new = 1;
    } else if (m->kind == DDB_MUT_UPDATE && (rc = apply_update(r)) != 0) {
        return rc;
    }
    if (m->out.has_new) {
        char *val;
        ddb_item_encode(r->a, &m->out.new_item, m->out.new_size, &val, &r->now.vlen);
        r->now.val = val;
        ddb_batch_put(out, m->key.bytes, m->key.len, val, r->now.vlen);
        out->adds = 1; /* an UpdateItem that only REMOVEs too: it writes the item anew */
    } else if (m->kind == DDB_MUT_DELETE && m->out.had_old) {
        ddb_batch_delete(out, m->key.bytes, m->key.len);
        out->removes = 1; /* allowed on a disk short of space (diskguard.h) */
    }
    return 0;
}
