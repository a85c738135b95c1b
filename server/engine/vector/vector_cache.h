/*
 * server/engine/vector/vector_cache.h: the vector indexes of a store this process owns, in memory.
 *
 * An exact search reads every vector of an index (or of one HASH partition), so it is bounded by
 * memory bandwidth only when the vectors lie in one dense f32 array: this is that array, per
 * index, with each item's entry (its projected item) beside it. The store stays the truth: a
 * cache is built from the index's entries the first time an ACTIVE index is searched, and the
 * mutation pipeline applies each commit's entry changes to it after the commit.
 *
 * Ordering. Commits on one item are ordered by the item's lock, but their applications to the
 * cache come after the lock is released, so each commit takes a sequence number while it decides
 * (under the lock: a later commit of the item gets a larger one) and an application older than
 * what the cache holds for that item is dropped (deleted items keep their number). A build ties
 * the cache to one point of the commit order: it reads the index through a snapshot taken while no
 * commit is between its decision and its write (ddb_store_exclusive), and numbers taken before that
 * point are in the snapshot and dropped, those taken after are applied. A transaction's changes
 * to one index are applied under one hold of its lock, so a search sees all of them or none.
 *
 * Approximate search (ddbd --vector-ann): see ddb_vector_cache_new; a search the graph answers
 * still scores its candidates exactly, from these rows.
 *
 * Only a store no other process writes has one (ddb_store_shared: RADOS gateways share a pool, and
 * search there reads the pool: vector_search.c). Every function is thread-safe.
 */
#ifndef DDB_VECTOR_CACHE_H
#define DDB_VECTOR_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/engine/catalog/catalog.h"
#include "server/storage/storage.h"

typedef struct ddb_vector_cache ddb_vector_cache;

/*
 * A cache; ann_min > 0: an index of at least ann_min items is also given an approximate graph
 * (vector_ann.h), built in the background once a search finds it that large, and searches without
 * a condition are then answered from it (ann_ef: the candidates a graph search keeps).
 */
ddb_vector_cache *ddb_vector_cache_new(size_t ann_min, size_t ann_ef);
void ddb_vector_cache_free(ddb_vector_cache *c);
/* The searches the cache answered exactly and approximately, since it was made. */
void ddb_vector_cache_counts(ddb_vector_cache *c, uint64_t *exact, uint64_t *approximate);

/* A commit's number (taken while it decides, under its item's lock); 0 for a NULL cache. */
uint64_t ddb_vector_cache_seq(ddb_vector_cache *c);

/* One vector index entry a commit changed: the item (its base key) now has this entry, or none. */
typedef struct ddb_vector_change {
    uint32_t index_id;
    const char *base;   /* the item's key */
    size_t blen;
    const char *ekey;   /* its entry key; NULL: the item is no longer in the index */
    size_t eklen;
    const char *val;    /* its entry value (vector.h) */
    size_t vlen;
    const char *forms;  /* its HASH and INLINE_FILTER values: ddb_vector_cache_forms */
    size_t flen;
} ddb_vector_change;

/* The key forms of the item's HASH and INLINE_FILTER attributes, as a change carries them. */
const char *ddb_vector_cache_forms(ddb_arena *a, const ddb_index *ix, const ddb_attr *item, size_t *len);

/* Applies a commit's changes (numbered `seq`) to the indexes that have a cache; one index's
   changes are adjacent in ch[]. */
void ddb_vector_cache_apply(ddb_vector_cache *c, uint64_t seq, const ddb_vector_change *ch, size_t n);

/* Forgets index `index_id` (it was deleted). */
void ddb_vector_cache_drop(ddb_vector_cache *c, uint32_t index_id);

/* ---- search ---- */

/* An equality the search's condition names: a HASH (is_hash) or INLINE_FILTER attribute = value. */
typedef struct ddb_vector_eq {
    const ddb_key_part *part;  /* the index's element */
    unsigned pos;              /* its position: the HASH element first, then the INLINE_FILTERs */
    const char *form;          /* the value's key form (keycodec.h's ddb_key_form) */
    size_t flen;
    int is_hash;
} ddb_vector_eq;

typedef struct ddb_vector_hit {
    float score;
    const char *base;          /* the item's key (arena) */
    size_t blen;
    const char *val;           /* the projected item (itemcodec.h; arena), without the vector */
    size_t vlen;
    const float *vec;          /* the vector (arena) */
} ddb_vector_hit;

typedef struct ddb_vector_search_args {
    const ddb_table *t;
    const ddb_index *ix;
    const float *q;
    unsigned topk;
    const ddb_vector_eq *eqs;
    unsigned neq;
    const char *part_prefix;   /* with a HASH equality: the entries' common prefix (index.h) */
    size_t plen;
    unsigned threads;          /* cores an exact scan may use (>= 1) */
} ddb_vector_search_args;

/*
 * Searches the index's cache, building it first when needed, from store `s`. Fills hits[0..*n)
 * best first (ties: the smaller base key first), all from one committed state; *examined: the
 * vectors scored. Returns 0, or -1 when the store failed while building.
 */
int ddb_vector_cache_search(ddb_vector_cache *c, ddb_store *s, ddb_arena *a, const ddb_vector_search_args *q,
                            ddb_vector_hit *hits, size_t *n, size_t *examined);

/* The top-k selection both search paths share: a bounded heap of hits, worst on top. */
typedef struct ddb_topk {
    ddb_vector_hit *h;
    size_t n, k;
    ddb_vector_metric m;
} ddb_topk;
/* Whether a hit with this score and base key would enter the selection. */
int ddb_topk_wants(const ddb_topk *t, float score, const char *base, size_t blen);
/* Enters a hit (when wanted); its strings must outlive the selection. */
void ddb_topk_push(ddb_topk *t, const ddb_vector_hit *hit);
/* Sorts the selection best first. */
void ddb_topk_sort(ddb_topk *t);

#endif
