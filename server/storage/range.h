/*
 * server/storage/range.h: a range read's bounds as the backends' iterators hold them (rocks_iter.c,
 * rados_iter.c): copies of the caller's, which it may free while the iterator reads on.
 */
#ifndef DDB_STORAGE_RANGE_H
#define DDB_STORAGE_RANGE_H

#include <stdlib.h>
#include <string.h>

typedef struct ddb_store_range {
    char *lo, *hi; /* [lo, hi), copied */
    size_t lolen, hilen;
    int reverse;
} ddb_store_range;

/* Inline: every Query and Scan opens an iterator. A bound's copy has a byte more than it (an empty
   bound is not malloc(0)). */
static inline void ddb_store_range_copy(ddb_store_range *r, const char *lo, size_t lolen, const char *hi,
                                        size_t hilen, int reverse)
{
    r->lo = malloc(lolen + 1);
    r->hi = malloc(hilen + 1);
    memcpy(r->lo, lo, lolen);
    memcpy(r->hi, hi, hilen);
    r->lolen = lolen;
    r->hilen = hilen;
    r->reverse = reverse;
}

static inline void ddb_store_range_free(ddb_store_range *r)
{
    free(r->lo);
    free(r->hi);
}

#endif
