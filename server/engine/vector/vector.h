/*
 * server/engine/vector/vector.h: the vectors of vector indexes: what an item's vector attribute must be,
 * its f32 form, the scores of the three distance functions, and the entry value that carries it.
 *
 * An item is in a vector index when its vector attribute is a list of exactly Dimensions numbers,
 * each within f32's range, and (when the index has a HASH element) its HASH attribute is present
 * with the declared type. The developer guide's table decides the rest: a missing vector
 * attribute or HASH attribute leaves the item out (the write succeeds); a vector of the wrong
 * size or type, a number outside f32's range, or a HASH or INLINE_FILTER attribute of another
 * type refuses the write (ddb_vector_check_item). Numbers are narrowed to f32 as DynamoDB stores
 * them in the index; the item itself keeps them as written.
 *
 * A vector index entry's value is the projected item (itemcodec.h) followed by the vector as
 * Dimensions little-endian f32s, so a search reads the vector without parsing decimal text and
 * the item's stored size (its header) still counts IndexSizeBytes.
 */
#ifndef DDB_VECTOR_H
#define DDB_VECTOR_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/engine/catalog/catalog.h"

/* The item's vector as f32 into out[dims]: 0, or 1 when the item has none the index takes. */
int ddb_vector_of(const ddb_index *ix, const ddb_attr *item, float *out);

/*
 * The size DynamoDB bills and counts (write units, TableSizeBytes) for an item of table t of
 * `size` bytes by the item-size rules: each vector attribute one of t's vector indexes takes
 * counted as its name and 4 bytes a dimension (the f32s the index stores), not by its numbers'
 * text. The developer guide's capacity example (a 1,024-dimension write of 5 units) and a live
 * TableSizeBytes capture measure it (docs/compatibility.md, Vector search).
 */
size_t ddb_vector_billed_size(const ddb_table *t, const ddb_attr *item, size_t size);

/* The write checks of every maintained vector index of t: NULL, or the ValidationException message. */
const char *ddb_vector_check_item(ddb_arena *a, const ddb_table *t, const ddb_attr *item);

/* The f32 trailer of an entry value: its bytes (dims * 4) */
static inline size_t ddb_vector_trailer_bytes(const ddb_index *ix)
{
    return (size_t)ix->vec->dims * 4;
}
/* Appends the vector to an encoded projected item: the entry value (arena memory). */
void ddb_vector_entry_value(ddb_arena *a, const char *item, size_t ilen, const float *v, unsigned dims, char **out,
                            size_t *len);
/* The entry value's vector (unaligned little-endian f32s) into out[dims]; -1 if the value is too short. */
int ddb_vector_trailer(const char *val, size_t len, unsigned dims, float *out);

/* ---- scores ---- */

/* Squared norm, the parts of a score that depend on one vector. */
float ddb_vector_norm2(const float *v, unsigned dims);
/*
 * The score of stored vector v (squared norm vnorm2) against query q (qnorm2), as SearchVectors
 * reports it: COSINE 1 - cos (0 identical .. 2 opposite; 1 when either vector is zero), EUCLIDEAN
 * the distance (not squared), DOT_PRODUCT the inner product.
 */
float ddb_vector_score(ddb_vector_metric m, const float *q, float qnorm2, const float *v, float vnorm2, unsigned dims);
/* Whether score a ranks before score b (lower first, but DOT_PRODUCT's higher first). */
static inline int ddb_vector_better(ddb_vector_metric m, float a, float b)
{
    return m == DDB_VEC_DOT_PRODUCT ? a > b : a < b;
}


#endif
