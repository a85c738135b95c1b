/*
 * server/engine/vector/vector_feature.h: vector indexes as a feature of the engine (feature.h):
 * the row "vector" (server/features.def) derives a write's vector index entries, a kind of index
 * entry the core's index row leaves to it, and applies each commit's changes to the process's
 * vector caches (vector_cache.h) after it lands.
 */
#ifndef DDB_VECTOR_FEATURE_H
#define DDB_VECTOR_FEATURE_H

#include <stddef.h>

#include "proto/arena.h"
#include "server/base/batch.h"
#include "server/engine/engine.h"
#include "server/engine/keycodec.h"
#include "server/engine/vector/vector_cache.h"

/* The row; its state is a ddb_vectors (ddb_vectors_new), always on: a store other processes write
   has entries but no cache. */
extern const ddb_feature ddb_feature_vector;

/* The feature's state: the process's vector indexes in memory (NULL: none, the store is shared). */
typedef struct ddb_vectors {
    ddb_vector_cache *cache;
    unsigned search_threads; /* --search-threads: cores one exact vector search may use (0: one) */
} ddb_vectors;

/* A state holding `cache` (may be NULL); the row's close frees both. */
ddb_vectors *ddb_vectors_new(ddb_vector_cache *cache);
/* eng's vector caches (NULL: none). */
ddb_vector_cache *ddb_vector_cache_of(const ddb_engine *eng);
/* The cores one exact vector search of eng may use (at least one). */
unsigned ddb_vector_search_threads(const ddb_engine *eng);
/* Replaces eng's caches (a restored store's ids are not the old one's), freeing the old. */
void ddb_vector_cache_replace(ddb_engine *eng, ddb_vector_cache *cache);

/*
 * ddb_mutation_derive_index (derive_index.h) for a vector index: adds to `out` the change of its
 * entry for an item going from `old_item` to `new_item` (either may be NULL) and returns the vector
 * write bytes it costs (0: unchanged). The index backfill's (jobs/indexes.c).
 */
double ddb_vector_derive_entry(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                               const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                               ddb_batch *out);

#endif
