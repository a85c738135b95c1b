/*
 * server/engine/derive_index.h: an item's GSI and LSI entries (derive_index.c), as the mutation
 * pipeline and the index backfill derive them.
 */
#ifndef DDB_DERIVE_INDEX_H
#define DDB_DERIVE_INDEX_H

#include <stddef.h>

#include "proto/arena.h"
#include "server/base/batch.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/feature.h"
#include "server/engine/keycodec.h"

/* The feature row (feature.h; server/features.def): a write's GSI and LSI entries; always on. */
extern const ddb_feature ddb_feature_index;

/*
 * Adds to `out` the changes of index `ix` (a GSI or an LSI: a vector index's are derived by
 * engine/vector/vector_feature.h's ddb_vector_derive_entry) for an item going from `old_item` to
 * `new_item` (either may be NULL) and returns the write units they cost (0 when the entry is unchanged). The sizes of
 * the old and new entries (0 when the item is not in the index) go to *old_size and *new_size
 * when those are not NULL, and the key of the entry the units went to (the new one, else the old
 * one; len 0: none) to *entry when it is not NULL.
 */
double ddb_mutation_derive_index(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                                 const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                                 ddb_batch *out, size_t *old_size, size_t *new_size, ddb_key *entry);

#endif
