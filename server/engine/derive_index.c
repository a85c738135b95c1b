/*
 * server/engine/derive_index.c: the feature row "index" (server/features.def): a write's entries
 * in its table's GSIs and LSIs, with the units they cost. (A vector index is a kind of index whose
 * entries its own feature's row derives: engine/vector/vector_feature.c.)
 */
#include <string.h>

#include "server/engine/derive.h"
#include "server/engine/derive_index.h"
#include "server/engine/index.h"

double ddb_mutation_derive_index(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                                 const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                                 ddb_batch *out, size_t *old_size, size_t *new_size, ddb_key *entry)
{
    ddb_key ok, nk;
    int in_old = old_item != NULL && ddb_index_entry_key(a, store, ix, old_item, base, &ok) == 0;
    int in_new = new_item != NULL && ddb_index_entry_key(a, store, ix, new_item, base, &nk) == 0;
    ddb_attr op, np;
    char *oval = NULL, *nval = NULL;
    size_t olen = 0, nlen = 0, osize = 0, nsize = 0;
    double units = 0;

    if (in_old) {
        ddb_index_project(a, t, ix, old_item, &op);
        osize = ddb_item_size(&op);
        ddb_item_encode(a, &op, osize, &oval, &olen);
    }
    if (in_new) {
        ddb_index_project(a, t, ix, new_item, &np);
        nsize = ddb_item_size(&np);
        ddb_item_encode(a, &np, nsize, &nval, &nlen);
    }
    if (old_size != NULL)
        *old_size = osize;
    if (new_size != NULL)
        *new_size = nsize;
    if (entry != NULL)
        *entry = in_new ? nk : in_old ? ok : (ddb_key){0};
    if (in_old && in_new && ok.len == nk.len && memcmp(ok.bytes, nk.bytes, ok.len) == 0) {
        if (olen == nlen && (memcmp(oval, nval, olen) == 0 || ddb_attr_equal(&op, &np)))
            return 0; /* the entry is unchanged (by value): DynamoDB does not write the index */
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
        return ddb_write_units(nsize > osize ? nsize : osize);
    }
    if (in_old) {
        ddb_batch_delete(out, ok.bytes, ok.len);
        units += ddb_write_units(osize);
    }
    if (in_new) {
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
        units += ddb_write_units(nsize);
    }
    return units;
}

void ddb_decision_note_index(ddb_decision *d, const ddb_index *ix, size_t osize, size_t nsize)
{
    if (osize == 0 && nsize == 0)
        return;
    /* (in the arena, not the outcome: the outcome is cleared on every run, and most tables have none) */
    if (d->now.ix_change == NULL)
        d->now.ix_change = DDB_NEW_ARRAY(d->a, ddb_keyspace_figures, d->m->t->nindexes);
    d->now.ix_change[d->now.nix_change++] =
        (ddb_keyspace_figures){ix->id, (nsize != 0) - (osize != 0), (long long)nsize - (long long)osize};
}

/* Each maintained GSI's and LSI's entries (none without them), its units and its figures' change. */
static void derive_indexes(const ddb_feature_slot *f, ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    ddb_mutation_outcome *o = r->out;
    const ddb_attr *old_item = o->had_old ? &o->old : NULL;
    const ddb_attr *new_item = o->has_new ? &o->new_item : NULL;

    (void)f;
    if (m->t->nindexes == m->t->nvector)
        return;
    r->now.index_key =
        m->t->nindexes > m->t->nlsi + m->t->nvector ? DDB_NEW_ARRAY(r->a, ddb_key, m->t->nindexes) : NULL;
    for (unsigned i = 0; i < m->t->nindexes; i++) {
        const ddb_index *ix = &m->t->indexes[i];
        size_t osize, nsize;
        if (!ddb_index_maintained(ix) || ix->kind == DDB_IX_VECTOR)
            continue;
        o->index_units[i] =
            ddb_mutation_derive_index(r->a, r->store, m->t, ix, &m->key, old_item, new_item, out, &osize, &nsize,
                                      r->now.index_key != NULL ? &r->now.index_key[i] : NULL);
        o->index_bytes[i] = nsize; /* (an entry the put leaves as it was too: see mutation.h) */
        ddb_decision_note_index(r, ix, osize, nsize);
        if (ix->kind == DDB_IX_LOCAL) { /* LSI entries count in the item collection */
            r->now.coll_old += osize;
            r->now.coll_new += nsize;
        }
    }
}

/* index entries to remove are found from the old image */
static int wants_old(const ddb_decision *d)
{
    return d->m->t->nindexes > d->m->t->nvector;
}

const ddb_feature ddb_feature_index = {.name = "index", .wants_old = wants_old, .derive = derive_indexes};
