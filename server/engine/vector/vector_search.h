/*
 * server/engine/vector/vector_search.h: SearchVectors' read of a vector index: the exact top k.
 *
 * A store this process owns is searched in memory (vector_cache.h); a store other processes
 * write (RADOS gateways on one pool) is read where it lies: the index's entries (one HASH
 * partition's when the search names one) through a snapshot, each entry's f32 trailer scored as
 * it is read (docs/scale-out.md says what that costs). Both give the same answer for the same
 * committed state: scores per the index's distance function, ties broken by the item's key.
 */
#ifndef DDB_VECTOR_SEARCH_H
#define DDB_VECTOR_SEARCH_H

#include "server/engine/engine.h"
#include "server/engine/vector/vector_cache.h"

/*
 * Fills hits[0..*n) (room for args->topk) best first; *examined: the vectors scored. 0, or -1
 * when the store failed.
 */
int ddb_vector_search(ddb_engine *eng, ddb_arena *a, const ddb_vector_search_args *args, ddb_vector_hit *hits,
                      size_t *n, size_t *examined);

#endif
