/*
 * server/engine/mutation.c: the one mutation pipeline's decision (see mutation.h): a mutation
 * decided against its item's old image (its new image: mutation_image.c), and what it derives
 * walked from the engine's feature rows (feature.h, derive.h). Its commits: mutation_commit.c (one item) and
 * mutation_txn.c (a transaction); what follows a commit: mutation_after.c.
 */
#include "server/engine/mutation.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/error.h"
#include "server/base/faults.h"
#include "server/base/be.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation_internal.h"
#include "server/engine/table_stats.h"
#include "server/expr/expr.h"

void ddb_mutation_init(ddb_mutation *m, ddb_mut_kind kind, const ddb_table *t, const ddb_key *key)
{
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->t = t;
    m->key = *key;
}

void ddb_decision_begin(ddb_decision *d, ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    unsigned long long limit = eng->settings.item_collection_limit;

    *d = (ddb_decision){.m = m,
                        .out = &m->out,
                        .a = a,
                        .store = eng->store,
                        .limit = limit ? limit : DDB_ITEM_COLLECTION_LIMIT,
                        .in_flight_ms = eng->settings.replication_lag,
                        .features = &eng->features};
}

/* UpdateItem's statement charge, checked before the condition (expr_charge.c), then the condition. */
static int check_condition(ddb_decision *r)
{
    const ddb_mutation *m = r->m;
    ddb_mutation_outcome *o = r->out;

    if (m->statement_sized && r->now.kind == DDB_MUT_UPDATE && m->update != NULL &&
        ddb_expr_update_charge(m->update, o->had_old ? &o->old : NULL) > DDB_MAX_ITEM_SIZE)
        return ddb_decision_fail(o, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if (m->insert && o->had_old) /* PartiQL INSERT is not an upsert */
        return ddb_decision_fail(o, DDB_E_DUPLICATE_ITEM, "Duplicate primary key exists in table");
    if (m->condition == NULL || ddb_expr_eval_condition(m->condition, o->had_old ? &o->old : NULL))
        return 0;
    ddb_decision_fail(o, DDB_E_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    o->refused_size = ddb_decide_refused_size(r);
    if (m->old_on_failure && o->had_old) { /* the error outlives the mutation: keep the item in the arena */
        ddb_attr *old = DDB_NEW(r->a, ddb_attr);
        *old = o->old;
        o->err.item = old;
    }
    return DDB_E_CONDITIONAL_CHECK_FAILED;
}

/* A STRONG table's mirror takes its source's decided change as the run's kind and item (its own
   request, const, stays as it was built): 1 when that changed nothing. */
static int mirror_take(ddb_decision *r)
{
    const ddb_mutation *src = r->m->origin.mirror_of;

    if (src->out.has_new) {
        r->now.kind = DDB_MUT_PUT;
        r->now.item = &src->out.new_item;
        return 0;
    }
    r->now.kind = DDB_MUT_DELETE;
    return !(src->kind == DDB_MUT_DELETE && src->out.had_old);
}


/* Whether the old image is decoded: only when something reads it (a condition, ReturnValues, an
   update, or a derived record's: index entries to remove, a service delete's stream Keys). */
static int wants_old(const ddb_decision *r)
{
    const ddb_mutation *m = r->m;

    if (m->need_old || m->condition != NULL || r->now.kind == DDB_MUT_UPDATE)
        return 1;
    for (unsigned on = ddb_features_mask(r->features, DDB_HOOK_WANTS_OLD); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(r->features, on);
        if (f != NULL && f->row->wants_old(r))
            return 1;
    }
    return 0;
}

/* The item's old image as stored (NULL: absent); a stream record takes it as it is. */
static int read_old(ddb_decision *r, const char *old, size_t oldlen)
{
    ddb_mutation_outcome *o = r->out;

    o->had_old = old != NULL;
    r->now.old = old;
    r->now.oldlen = oldlen;
    if (old == NULL)
        return 0;
    o->old_size = ddb_item_stored_size(old, oldlen);
    if (wants_old(r) && ddb_item_decode(r->a, old, oldlen, &o->old) != 0)
        return ddb_decision_fail(o, DDB_E_INTERNAL, DDB_MSG_INTERNAL);
    return 0;
}

/*
 * One run of the decision: everything it produces (the outcome, the run's state) is cleared first,
 * as it may run again (storage.h); the request (r->m) it only reads, so the next run finds it as
 * the caller built it. 0 (decided: the batch holds the write and what it derives), the error (left
 * in r->out->err), or the pipeline's own answers (mutation_internal.h).
 */
int ddb_decide(ddb_decision *r, const char *old, size_t oldlen, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    int rc;

    memset(r->out, 0, sizeof(*r->out));
    memset(&r->now, 0, sizeof(r->now));
    r->now.kind = m->kind;
    r->now.item = m->item;
    if (ddb_table_retired(m->t))
        return DDB_DECIDE_RERUN;
    r->out->stats_epoch = ddb_table_stats_epoch(m->t->stats); /* under the key's lock (table_stats.h) */
    if (m->origin.mirror_of != NULL && mirror_take(r) != 0)
        return 0; /* its source changed nothing */
    for (unsigned on = ddb_features_mask(r->features, DDB_HOOK_PREPARE); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(r->features, on);
        if (f != NULL && (rc = f->row->prepare(f, r)) != 0)
            return rc;
    }
    if ((rc = read_old(r, old, oldlen)) != 0 || (rc = check_condition(r)) != 0)
        return rc;
    if (r->now.kind == DDB_MUT_CHECK) /* the condition held; nothing changes (the collection neither) */
        return 0;
    if ((rc = ddb_decide_image(r, out)) != 0)
        return rc;
    for (unsigned on = ddb_features_mask(r->features, DDB_HOOK_DERIVE); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(r->features, on);
        if (f != NULL)
            f->row->derive(f, r, out);
    }
    r->now.coll_old += r->out->had_old ? r->out->old_size : 0;
    r->now.coll_new += r->out->has_new ? r->out->new_size : 0;
    return 0;
}

/*
 * Moves the size of an item collection, kept under `counter` as decimal bytes, from `old` to `new`
 * bytes of the writes deciding now, into *size. Returns 1 (nothing added to `out`) when the
 * collection grows past `limit`.
 */
int ddb_collection_update(ddb_arena *a, const ddb_store_key *counter, size_t old, size_t new, unsigned long long limit,
                          unsigned long long *size, ddb_batch *out)
{
    unsigned long long cur = 0, next;
    char *text;

    for (size_t i = 0; counter->val != NULL && i < counter->vlen && i < 20; i++) /* at most 20 digits */
        cur = cur * 10 + (unsigned long long)(counter->val[i] - '0');
    /* never below zero: collections written before the size was kept start from nothing */
    next = new >= old || cur > old - new ? cur + new - old : 0;
    *size = next;
    if (new > old && next > limit)
        return 1;
    if (next == cur)
        return 0;
    if (next == 0) {
        ddb_batch_delete(out, counter->key, counter->klen);
        return 0;
    }
    text = ddb_arena_sprintf(a, "%llu", next);
    ddb_batch_put(out, counter->key, counter->klen, text, strlen(text));
    return 0;
}

int ddb_collection_full(ddb_mutation_outcome *o)
{
    return ddb_decision_fail(o, DDB_E_ITEM_COLLECTION_SIZE_LIMIT, "Collection size exceeded.");
}

int ddb_decide_commit(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    ddb_decision *r = ctx;
    int rc;

    r->keys = keys;
    if ((rc = ddb_decide(r, keys[0].val, keys[0].vlen, out)) != 0)
        return rc;
    if (n >= 2 && r->m->t->collections_id != 0 &&
        ddb_collection_update(r->a, &keys[1], r->now.coll_old, r->now.coll_new, r->limit, &r->out->collection_size,
                              out) != 0)
        return ddb_collection_full(r->out);
    ddb_crash_point("write-decided");
    return 0;
}

/* The key of the item's collection size: the partition's prefix under the table's collections id. */
void ddb_collection_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *out)
{
    char *k = ddb_arena_memdup(a, m->key.bytes, m->key.part_len);

    ddb_put_be(k, m->t->collections_id, 4); /* the id is big-endian, as in every key */
    *out = (ddb_store_key){k, m->key.part_len, NULL, 0};
}

size_t ddb_decision_keys(ddb_decision *d, ddb_arena *a, ddb_store_key *keys, size_t nkeys)
{
    for (unsigned j = 0; j < d->features->nwith[DDB_HOOK_COMMIT_KEY]; j++) {
        const ddb_feature_slot *f = &d->features->slot[d->features->with[DDB_HOOK_COMMIT_KEY][j]];
        d->key_at[f->index] = 0;
        if (f->state != NULL && f->row->commit_key(a, d->m, &keys[nkeys]) != 0)
            d->key_at[f->index] = (unsigned short)nkeys++;
    }
    return nkeys;
}

const char *ddb_engine_check_item(const ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_attr *item,
                                  int by_update)
{
    return ddb_decide_check_item(&eng->features, a, t, item, by_update);
}
