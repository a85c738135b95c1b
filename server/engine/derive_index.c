/*
 * server/engine/derive_index.c: the derived record "index" (derive.def): a write's index entries,
 * GSIs', LSIs' and vector indexes', with the units (a vector index's: bytes) they cost.
 */
#include <string.h>

#include "server/engine/capacity/capacity.h"
#include "server/engine/derive.h"
#include "server/engine/derive_index.h"
#include "server/engine/index.h"
#include "server/engine/vector/vector.h"
#include "server/engine/vector/vector_cache.h"

/*
 * A vector index entry of `item` (may be NULL): its key and value (vector.h) and the bytes
 * VectorWriteRequestBytes counts (the vector at f32, 4 bytes a dimension, and the other projected
 * attributes at DynamoDB's sizes). 0 when the item is not in the index.
 */
static int vector_entry(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                        const ddb_key *base, const ddb_attr *item, ddb_key *k, char **val, size_t *vlen, size_t *size)
{
    float *v;
    ddb_attr p;
    char *enc;
    size_t elen;

    if (item == NULL)
        return 0;
    v = ddb_arena_alloc(a, sizeof(float) * ix->vec->dims);
    if (ddb_vector_of(ix, item, v) != 0 || ddb_index_entry_key(a, store, ix, item, base, k) != 0)
        return 0;
    ddb_index_project(a, t, ix, item, &p);
    if (p.u.entries == item->u.entries) { /* ALL: a copy to take the vector out of */
        p.u.entries = ddb_arena_memdup(a, item->u.entries, sizeof(ddb_entry) * (item->len ? item->len : 1));
    }
    for (uint32_t i = 0; i < p.len; i++) {
        if (p.u.entries[i].nlen == ix->vec->alen && memcmp(p.u.entries[i].name, ix->vec->attr, ix->vec->alen) == 0) {
            p.u.entries[i] = p.u.entries[--p.len];
            break;
        }
    }
    *size = ddb_item_size(&p) + ix->vec->alen + (size_t)ix->vec->dims * 4;
    ddb_item_encode(a, &p, *size, &enc, &elen);
    ddb_vector_entry_value(a, enc, elen, v, ix->vec->dims, val, vlen);
    return 1;
}

/*
 * VectorWriteRequestBytes of one index's change, as ExtendDB measured it on the live service
 * (2026-08-13, 20 probes reproduced to the byte; docs/compatibility.md): the entry written (or
 * removed) at its size, at least 1,024 bytes; an entry that moves (its SearchSchema HASH value
 * changed) is a removal and a write, each charged (8224 = 2 x 4112 measured). `moved_from` is the
 * old entry's size when it moved, else 0.
 */
static double vector_write_bytes(size_t moved_from, size_t size)
{
    double floor = 1024, once = (double)size > floor ? (double)size : floor;

    if (moved_from == 0)
        return once;
    return once + ((double)moved_from > floor ? (double)moved_from : floor);
}

/*
 * ddb_mutation_derive_index for a vector index: returns the vector write bytes (0: unchanged),
 * and, with `ch`, the change the process's cache applies after the commit (vector_cache.h).
 */
static double derive_vector(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                            const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item, ddb_batch *out,
                            size_t *old_size, size_t *new_size, ddb_vector_change *ch)
{
    ddb_key ok, nk;
    char *oval = NULL, *nval = NULL;
    size_t olen = 0, nlen = 0, osize = 0, nsize = 0;
    int in_old = vector_entry(a, store, t, ix, base, old_item, &ok, &oval, &olen, &osize);
    int in_new = vector_entry(a, store, t, ix, base, new_item, &nk, &nval, &nlen, &nsize);
    int same_key = in_old && in_new && ok.len == nk.len && memcmp(ok.bytes, nk.bytes, ok.len) == 0;

    if (old_size != NULL)
        *old_size = osize;
    if (new_size != NULL)
        *new_size = nsize;
    /* an item equal by value (a map's keys in another order) leaves the entry as it was */
    if (same_key && olen == nlen && (memcmp(oval, nval, olen) == 0 || ddb_attr_equal(old_item, new_item)))
        return 0; /* writes that change no indexed attribute cost no vector capacity (developer guide) */
    if (!in_old && !in_new)
        return 0;
    if (in_old && !same_key)
        ddb_batch_delete(out, ok.bytes, ok.len);
    if (in_new)
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
    if (ch != NULL) {
        *ch = (ddb_vector_change){ix->id, base->bytes + DDB_KEY_TABLE_BYTES, base->len - DDB_KEY_TABLE_BYTES};
        if (in_new) {
            ch->ekey = nk.bytes;
            ch->eklen = nk.len;
            ch->val = nval;
            ch->vlen = nlen;
            ch->forms = ddb_vector_cache_forms(a, ix, new_item, &ch->flen);
        }
    }
    return vector_write_bytes(in_old && !same_key ? osize : 0, in_new ? nsize : in_old ? osize : 0);
}

double ddb_mutation_derive_index(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                                 const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                                 ddb_batch *out, size_t *old_size, size_t *new_size, ddb_key *entry)
{
    if (ix->kind == DDB_IX_VECTOR)
        return derive_vector(a, store, t, ix, base, old_item, new_item, out, old_size, new_size, NULL);
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

/* An index's entry went from osize to nsize bytes (0: not in it): its figures' change. */
static void note_index_change(ddb_mutation_outcome *o, const ddb_index *ix, size_t osize, size_t nsize)
{
    if (osize != 0 || nsize != 0)
        o->ix_change[o->nix_change++] =
            (ddb_keyspace_figures){ix->id, (nsize != 0) - (osize != 0), (long long)nsize - (long long)osize};
}

/* Each maintained index's entries (none without indexes), its units and its figures' change. */
static void derive_indexes(ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    ddb_mutation_outcome *o = r->out;
    const ddb_attr *old_item = o->had_old ? &o->old : NULL;
    const ddb_attr *new_item = o->has_new ? &o->new_item : NULL;

    if (m->t->nindexes == 0)
        return;
    /* (in the arena, not the outcome: the outcome is cleared on every run, and most tables have none) */
    o->ix_change = DDB_NEW_ARRAY(r->a, ddb_keyspace_figures, m->t->nindexes);
    o->vchanges = m->t->nvector > 0 ? DDB_NEW_ARRAY(r->a, ddb_vector_change, m->t->nvector) : NULL;
    o->index_key =
        m->t->nindexes > m->t->nlsi + m->t->nvector ? DDB_NEW_ARRAY(r->a, ddb_key, m->t->nindexes) : NULL;
    for (unsigned i = 0; i < m->t->nindexes; i++) {
        const ddb_index *ix = &m->t->indexes[i];
        size_t osize, nsize;
        if (!ddb_index_maintained(ix))
            continue;
        if (ix->kind == DDB_IX_VECTOR) {
            ddb_vector_change *ch = &o->vchanges[o->nvchanges];
            o->index_units[i] =
                derive_vector(r->a, r->store, m->t, ix, &m->key, old_item, new_item, out, &osize, &nsize, ch);
            if (o->index_units[i] > 0)
                o->nvchanges++;
            o->index_bytes[i] = o->index_units[i] > 0 ? (size_t)o->index_units[i]
                                : nsize != 0              ? (size_t)vector_write_bytes(0, nsize)
                                                          : 0;
            note_index_change(o, ix, osize, nsize);
            continue;
        }
        o->index_units[i] =
            ddb_mutation_derive_index(r->a, r->store, m->t, ix, &m->key, old_item, new_item, out, &osize, &nsize,
                                      o->index_key != NULL ? &o->index_key[i] : NULL);
        o->index_bytes[i] = nsize; /* (an entry the put leaves as it was too: see mutation.h) */
        note_index_change(o, ix, osize, nsize);
        if (ix->kind == DDB_IX_LOCAL) { /* LSI entries count in the item collection */
            r->now.coll_old += osize;
            r->now.coll_new += nsize;
        }
    }
}

/* Its number in the vector caches' order, taken under the item's lock (vector_cache.h). */
static int take_vseq(ddb_decision *r)
{
    if (r->vectors != NULL && r->m->t->nvector > 0)
        r->out->vseq = ddb_vector_cache_seq(r->vectors);
    return 0;
}

/* index entries to remove are found from the old image */
static int wants_old(const ddb_decision *d)
{
    return d->m->t->nindexes > 0;
}

const ddb_deriver ddb_derive_index = {.name = "index", .prepare = take_vseq, .wants_old = wants_old,
                                      .derive = derive_indexes};
