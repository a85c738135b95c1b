/*
 * server/engine/mutation_internal.h: the mutation pipeline's parts, between its files (mutation.h):
 * the decision (mutation.c), its commits (mutation_commit.c, mutation_txn.c) and what follows a
 * commit (mutation_after.c). Not for use outside them.
 */
#ifndef DDB_MUTATION_INTERNAL_H
#define DDB_MUTATION_INTERNAL_H

#include "server/engine/derive.h"
#include "server/engine/engine.h"
#include "server/engine/mutation.h"
#include "server/engine/mutation_image.h"

/* The decision's answers beside 0 and an error code (and DDB_DECIDE_REP_STALE, derive.h): */
#define DDB_DECIDE_RERUN 1000       /* the table description it was given has been replaced: run again */
#define DDB_DECIDE_CANCELED 1001    /* a transaction's when any of its mutations failed: commit nothing */
#define DDB_DECIDE_TOKEN_FOUND 1003 /* a transaction whose token's record is there (a replay) */

/* ---- the decision (mutation.c) ---- */

/* A decision of `m` in `eng`'s store, before its keys are chosen (ddb_decision_keys) and read. */
void ddb_decision_begin(ddb_decision *d, ddb_engine *eng, ddb_arena *a, ddb_mutation *m);
/* One run: the write decided against the item's stored image `old` (NULL: absent) into `out`. */
int ddb_decide(ddb_decision *d, const char *old, size_t oldlen, ddb_batch *out);
/* A one-item commit's decision (ddb_store_commit's callback): keys[0] the item, then its collection
   size's key when it has one, then the rows' own (ddb_decision_keys). */
int ddb_decide_commit(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out);
/* The keys the feature rows read in the commit (each row's commit_key), added to keys[] from
   keys[nkeys] on (room for DDB_FEATURES_MAX); returns the new count. */
size_t ddb_decision_keys(ddb_decision *d, ddb_arena *a, ddb_store_key *keys, size_t nkeys);

/* The key of the item's collection size: the partition's prefix under the table's collections id. */
void ddb_collection_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *out);
/*
 * Moves the size of an item collection, kept under `counter` as decimal bytes, from `old` to `new`
 * bytes of the writes deciding now, into *size. Returns 1 (nothing added to `out`) when the
 * collection grows past `limit`.
 */
int ddb_collection_update(ddb_arena *a, const ddb_store_key *counter, size_t old, size_t new, unsigned long long limit,
                          unsigned long long *size, ddb_batch *out);
/* Records ItemCollectionSizeLimitExceeded in a mutation's outcome; returns its code. */
int ddb_collection_full(ddb_mutation_outcome *o);

/* ---- before and after a commit (mutation_after.c) ---- */

/* Whether a client's write may be decided: every row's admit (--enforce-capacity's throttle); 0,
   else the refusal's code, its error in m->out.err. */
int ddb_mutation_admit(ddb_engine *eng, ddb_arena *a, ddb_mutation *m);
/* After the commit of `runs` (one mutation's, or a transaction's n): the table figures, the images
   noted for eventually consistent reads, then every row's committed (capacity, retained history,
   caches, followers). */
void ddb_mutation_committed(ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n);

#endif
