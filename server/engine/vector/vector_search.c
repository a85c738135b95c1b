/*
 * server/engine/vector/vector_search.c: SearchVectors' read of a vector index (see vector_search.h).
 */
#include "server/engine/vector/vector_search.h"

#include <string.h>

#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/engine/vector/vector.h"
#include "server/engine/vector/vector_feature.h"

/* Whether the projected item has `form` as the key form of element eq's attribute. */
static int item_has(ddb_arena *a, const ddb_attr *item, const ddb_vector_eq *eq)
{
    const ddb_attr *v = ddb_item_get(item, eq->part->name, eq->part->nlen);
    const char *f;
    size_t fl;

    if (v == NULL || v->type != eq->part->type)
        return 0;
    ddb_key_form(a, v, &f, &fl);
    return fl == eq->flen && memcmp(f, eq->form, fl) == 0;
}

/* The store's entries of the index (or of one partition), scored as they are read. */
static int search_store(ddb_engine *eng, ddb_arena *a, const ddb_vector_search_args *q, ddb_vector_hit *hits,
                        size_t *n, size_t *examined)
{
    unsigned dims = q->ix->vec->dims;
    ddb_topk top = {hits, 0, q->topk, q->ix->vec->metric};
    float *v = DDB_NEW_ARRAY(a, float, dims), qn = ddb_vector_norm2(q->q, dims);
    char lo[4], hi[4], *plo = lo, *phi = hi;
    size_t lolen = 4, hilen = 4;
    ddb_store_snapshot *snap = ddb_store_snapshot_take_light(eng->store);
    ddb_store_iter *it;
    ddb_arena scratch;
    int rc;

    ddb_key_table_range(q->ix->id, lo, hi);
    if (q->plen > 0) { /* one partition: [prefix, prefix + 1) */
        plo = (char *)q->part_prefix;
        lolen = hilen = q->plen;
        phi = ddb_arena_memdup(a, q->part_prefix, q->plen);
        for (size_t i = q->plen; i-- > 0;)
            if ((unsigned char)++phi[i] != 0)
                break;
    }
    ddb_arena_init(&scratch);
    it = ddb_store_iter_open_at(eng->store, snap, plo, lolen, phi, hilen, 0);
    *examined = 0;
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen, plen, blen;
        const char *k = ddb_store_iter_key(it, &klen), *val = ddb_store_iter_val(it, &vlen), *base;
        float score;
        if (klen < DDB_KEY_PREFIX_BYTES || vlen < (size_t)dims * 4 ||
            klen < DDB_KEY_PREFIX_BYTES + (plen = ddb_get_be(k + 12, 2)) ||
            ddb_vector_trailer(val, vlen, dims, v) != 0)
            continue;
        base = k + DDB_KEY_PREFIX_BYTES + plen;
        blen = klen - DDB_KEY_PREFIX_BYTES - plen;
        if (q->neq > 0) { /* inline filters: the projected item has their values */
            ddb_attr item;
            int ok = ddb_item_decode(&scratch, val, vlen - (size_t)dims * 4, &item) == 0;
            for (unsigned i = 0; ok && i < q->neq; i++)
                ok = q->eqs[i].is_hash || item_has(&scratch, &item, &q->eqs[i]);
            ddb_arena_reset(&scratch);
            if (!ok)
                continue;
        }
        score = ddb_vector_score(q->ix->vec->metric, q->q, qn, v, ddb_vector_norm2(v, dims), dims);
        (*examined)++;
        if (ddb_topk_wants(&top, score, base, blen)) {
            float *vc = DDB_NEW_ARRAY(a, float, dims);
            memcpy(vc, v, sizeof(float) * dims);
            ddb_topk_push(&top, &(ddb_vector_hit){score, ddb_arena_memdup(a, base, blen), blen,
                                                  ddb_arena_memdup(a, val, vlen - (size_t)dims * 4),
                                                  vlen - (size_t)dims * 4, vc});
        }
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    ddb_store_snapshot_release(eng->store, snap);
    ddb_arena_free(&scratch);
    if (rc != DDB_STORE_OK)
        return -1;
    ddb_topk_sort(&top);
    *n = top.n;
    return 0;
}

int ddb_vector_search(ddb_engine *eng, ddb_arena *a, const ddb_vector_search_args *args, ddb_vector_hit *hits,
                      size_t *n, size_t *examined)
{
    ddb_vector_cache *cache = ddb_vector_cache_of(eng);

    if (cache != NULL)
        return ddb_vector_cache_search(cache, eng->store, a, args, hits, n, examined);
    return search_store(eng, a, args, hits, n, examined);
}
