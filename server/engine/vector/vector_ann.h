/*
 * server/engine/vector/vector_ann.h: an approximate nearest-neighbour graph over one vector index.
 *
 * HNSW (Debian's hnswlib; only vector_ann.cc includes it, the one C++ file of the server). A
 * graph holds a copy of the vectors, each under a label (the caller's row number); a search
 * visits a few thousand of them instead of all, and may miss a true neighbour: the caller scores
 * what it returns exactly and keeps the graph beside the exact rows, so the approximation is in
 * which rows are found, never in their scores. COSINE vectors are stored normalized and searched
 * by inner product, EUCLIDEAN by squared distance, DOT_PRODUCT by inner product.
 *
 * Threads: searches may run together; ddb_ann_set may run beside other sets while no set needs
 * the graph to grow (ddb_ann_reserve first), and nothing may run beside a growing set or an unset.
 */
#ifndef DDB_VECTOR_ANN_H
#define DDB_VECTOR_ANN_H

#include <stddef.h>

#include "server/engine/catalog/catalog.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ddb_ann ddb_ann;

/* A graph for `capacity` labels (it grows); ef: the candidates a search keeps. NULL: no memory. */
ddb_ann *ddb_ann_new(unsigned dims, ddb_vector_metric m, size_t capacity, size_t ef);
void ddb_ann_free(ddb_ann *g);
/* Makes room for n labels in all: 0, or -1 (no memory). */
int ddb_ann_reserve(ddb_ann *g, size_t n);
/* Enters (or replaces) the vector of `label`: 0, or -1. */
int ddb_ann_set(ddb_ann *g, size_t label, const float *vec);
/* Removes `label` from the results (a label never set is ignored). */
void ddb_ann_unset(ddb_ann *g, size_t label);
/* The labels of (about) the k nearest vectors to q into labels[k], in no order: their count. */
size_t ddb_ann_search(const ddb_ann *g, const float *q, size_t k, size_t *labels);

#ifdef __cplusplus
}
#endif

#endif
