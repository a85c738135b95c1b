/*
 * server/engine/vector/vector_feature.c: the feature row "vector" (see vector_feature.h): a write's
 * vector index entries, with the bytes they cost (VectorWriteRequestBytes), and their changes
 * applied to the process's caches once the commit lands.
 */
#include "server/engine/vector/vector_feature.h"

#include <stdlib.h>
#include <string.h>

#include "server/engine/derive.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/vector/vector.h"

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
 * A vector index's entry change: returns the vector write bytes (0: unchanged), and, with `ch`,
 * the change the process's cache applies after the commit (vector_cache.h).
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

double ddb_vector_derive_entry(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                               const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                               ddb_batch *out)
{
    return derive_vector(a, store, t, ix, base, old_item, new_item, out, NULL, NULL, NULL);
}

/* ---- the row ---- */

/* A run's changes for the cache (the run's scratch: arena memory, cleared with the run). */
typedef struct vector_run {
    uint64_t seq;              /* its number in the vector caches' order (vector_cache.h) */
    ddb_vector_change *ch;     /* room for t's vector indexes */
    unsigned n;
} vector_run;

ddb_vectors *ddb_vectors_new(ddb_vector_cache *cache)
{
    ddb_vectors *v = calloc(1, sizeof(*v));

    if (v != NULL)
        v->cache = cache;
    return v;
}

static void vectors_close(void *state)
{
    ddb_vectors *v = state;

    ddb_vector_cache_free(v->cache);
    free(v);
}

ddb_vector_cache *ddb_vector_cache_of(const ddb_engine *eng)
{
    const ddb_vectors *v = ddb_engine_feature(eng, &ddb_feature_vector);

    return v != NULL ? v->cache : NULL;
}

unsigned ddb_vector_search_threads(const ddb_engine *eng)
{
    const ddb_vectors *v = ddb_engine_feature(eng, &ddb_feature_vector);

    return v != NULL && v->search_threads > 0 ? v->search_threads : 1;
}

void ddb_vector_cache_replace(ddb_engine *eng, ddb_vector_cache *cache)
{
    ddb_vectors *v = ddb_engine_feature(eng, &ddb_feature_vector);

    if (v == NULL) {
        ddb_vector_cache_free(cache);
        return;
    }
    ddb_vector_cache_free(v->cache);
    v->cache = cache;
}

/* Its number in the vector caches' order, taken under the item's lock (vector_cache.h). */
static int take_seq(const ddb_feature_slot *f, ddb_decision *d)
{
    const ddb_vectors *v = f->state;
    vector_run *run;

    if (d->m->t->nvector == 0)
        return 0;
    run = DDB_NEW(d->a, vector_run);
    run->seq = ddb_vector_cache_seq(v->cache);
    run->ch = DDB_NEW_ARRAY(d->a, ddb_vector_change, d->m->t->nvector);
    run->n = 0;
    d->now.scratch[f->index] = run;
    return 0;
}

/* an entry to remove is found from the old image */
static int wants_old(const ddb_decision *d)
{
    return d->m->t->nvector > 0;
}

/* Each maintained vector index's entry, its bytes (in index_units: vector indexes count bytes) and
   its figures' change. */
static void derive(const ddb_feature_slot *f, ddb_decision *d, ddb_batch *out)
{
    const ddb_mutation *m = d->m;
    ddb_mutation_outcome *o = d->out;
    vector_run *run = d->now.scratch[f->index];
    const ddb_attr *old_item = o->had_old ? &o->old : NULL;
    const ddb_attr *new_item = o->has_new ? &o->new_item : NULL;

    if (run == NULL)
        return;
    for (unsigned i = 0; i < m->t->nindexes; i++) {
        const ddb_index *ix = &m->t->indexes[i];
        size_t osize, nsize;
        if (ix->kind != DDB_IX_VECTOR || !ddb_index_maintained(ix))
            continue;
        o->index_units[i] =
            derive_vector(d->a, d->store, m->t, ix, &m->key, old_item, new_item, out, &osize, &nsize, &run->ch[run->n]);
        if (o->index_units[i] > 0)
            run->n++;
        o->index_bytes[i] = o->index_units[i] > 0 ? (size_t)o->index_units[i]
                            : nsize != 0              ? (size_t)vector_write_bytes(0, nsize)
                                                      : 0;
        ddb_decision_note_index(d, ix, osize, nsize);
    }
}

/*
 * After the commit: its changes to the caches. A transaction's are applied as one: its runs'
 * changes grouped by index, under the largest of their numbers (every one was taken under a lock
 * the whole commit held, so the largest orders the transaction after each item's earlier commits).
 */
static void committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n)
{
    const ddb_vectors *v = f->state;
    size_t total = 0, k = 0;
    uint64_t seq = 0;
    ddb_vector_change *all;

    (void)eng;
    if (v->cache == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        const vector_run *run = runs[i].now.scratch[f->index];
        if (run != NULL) {
            total += run->n;
            seq = run->seq > seq ? run->seq : seq;
        }
    }
    if (total == 0)
        return;
    if (n == 1) {
        const vector_run *run = runs[0].now.scratch[f->index];
        ddb_vector_cache_apply(v->cache, run->seq, run->ch, run->n);
        return;
    }
    all = DDB_NEW_ARRAY(a, ddb_vector_change, total);
    for (size_t i = 0; i < n; i++) { /* by index id: a stable insertion keeps each item's order */
        const vector_run *run = runs[i].now.scratch[f->index];
        for (unsigned c = 0; run != NULL && c < run->n; c++) {
            size_t j = k++;
            while (j > 0 && all[j - 1].index_id > run->ch[c].index_id) {
                all[j] = all[j - 1];
                j--;
            }
            all[j] = run->ch[c];
        }
    }
    ddb_vector_cache_apply(v->cache, seq, all, total);
}

/* A written item's checks against t's vector indexes, and its size with its vectors at f32. */
static const char *check_item(ddb_arena *a, const ddb_table *t, const ddb_attr *item)
{
    return t->nvector > 0 ? ddb_vector_check_item(a, t, item) : NULL;
}

static size_t item_size(const ddb_table *t, const ddb_attr *item, size_t size)
{
    return t->nvector > 0 ? ddb_vector_billed_size(t, item, size) : size;
}

/* GET /metrics: the searches answered from memory (none without a cache: a store other processes write). */
static void metrics(const ddb_feature_slot *f, ddb_engine *eng, ddb_buf *out)
{
    const ddb_vectors *v = f->state;
    uint64_t exact, approx;

    (void)eng;
    if (v->cache == NULL)
        return;
    ddb_vector_cache_counts(v->cache, &exact, &approx);
    ddb_buf_printf(out,
                   "# HELP ddbd_vector_searches_total SearchVectors answered from memory, exactly or from an "
                   "approximate graph (--vector-ann).\n# TYPE ddbd_vector_searches_total counter\n"
                   "ddbd_vector_searches_total{mode=\"exact\"} %llu\n"
                   "ddbd_vector_searches_total{mode=\"approximate\"} %llu\n",
                   (unsigned long long)exact, (unsigned long long)approx);
}

const ddb_feature ddb_feature_vector = {.name = "vector", .close = vectors_close, .prepare = take_seq,
                                        .wants_old = wants_old, .derive = derive, .committed = committed,
                                        .committed_on_scratch = 1, .check_item = check_item,
                                        .item_size = item_size, .metrics = metrics};
