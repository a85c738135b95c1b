/*
 * server/engine/mutation.h: the one mutation pipeline.
 *
 * Every item change (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, PartiQL
 * statements and TTL deletes) is a ddb_mutation: a plain struct a handler, a batch, a transaction
 * or a statement builds, so decoding a request stays apart from executing it. ddb_mutate() runs
 * it as one conditional commit on the item's key: it reads the old image, checks the condition,
 * computes the new image, and derives what follows from the pair (the engine's feature rows,
 * server/features.def: the item's index entries, a global table's write time, its stream, Kinesis
 * and point-in-time log records; feature.h, derive.h) into the same atomic batch. Index backfill
 * uses the same derivation (ddb_mutation_derive_index). Its files: mutation.c (the decision),
 * mutation_image.c (the new image), mutation_commit.c (one item), mutation_txn.c (transactions),
 * mutation_after.c (what follows a commit).
 *
 * A global table's replica (table.h's rep.id) keeps each item's last write time and region
 * under a key of its own ([rep_id][the item's key]; "<ms> <region>"), in the same commit, deletes
 * included (a tombstone), so replicas converge by last writer wins (engine/jobs/replication.h):
 * a local write takes max(now, last + 1), a replicated one lands only when newer. The stream
 * record carries that time as its creation time.
 *
 * A STRONG global table (MultiRegionConsistency) is written in every replica at once: ddb_mutate
 * decides the change in its own replica, then the same change (its new image, or the delete) in
 * each other replica (a mutation with origin.mirror_of set), all in one commit, so a read in any
 * region sees it. A write to an item whose last write came from another region less than the engine's
 * replication_lag ago is refused with ReplicatedWriteConflictException: that write is still in
 * flight, as DynamoDB's would be (0, the default: never).
 *
 * A table with local secondary indexes also keeps the size of each item collection (its items
 * and their LSI entries, per partition key) under a key of its own in the same commit, so a write
 * that would take a collection past the limit (DynamoDB's 10 GB) is refused with
 * ItemCollectionSizeLimitExceededException, and ReturnItemCollectionMetrics reports the size.
 *
 * The decision may run more than once (storage.h): everything it produces (m->out, a
 * ddb_mutation_outcome) is cleared in one statement at its start, and the rest of the mutation
 * (the request) it holds const (derive.h), so no run changes what the next one reads.
 * It also checks, under the item's lock, that the table description it was given is still the
 * live one; when a schema change (an index added or removed) replaced it, the mutation runs again
 * against the new description, so no write decided under an old description can land after a
 * backfill started or a table was purged.
 */
#ifndef DDB_MUTATION_H
#define DDB_MUTATION_H

#include "server/engine/derive_index.h"
#include "server/engine/derive_write_time.h"
#include "server/engine/engine.h"
#include "server/engine/idempotency.h"
#include "server/engine/mutation_types.h"

/* Fills the common fields; the caller then sets item/keyattrs/condition/update. */
void ddb_mutation_init(ddb_mutation *m, ddb_mut_kind kind, const ddb_table *t, const ddb_key *key);

/*
 * Runs the mutation. Returns DDB_OK, or the error code also left in m->out.err (condition failed,
 * validation of the new image, table deleted meanwhile, storage failure).
 */
int ddb_mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m);

/*
 * Runs ms[0..n) (distinct items) as ddb_mutate would, one after another, and returns once one did
 * not succeed (its error in its m->out.err, as each one's outcome) or all ran: how many ran. Those
 * that can (not a STRONG table's, not one that moves an item collection's size, none while a row
 * admits writes: --enforce-capacity) are committed together (ddb_store_commit_each), each item
 * still its own atomic change with its own outcome, so n items are not n writes in a database's
 * write queue. BatchWriteItem's items, BatchExecuteStatement's writes.
 */
size_t ddb_mutate_each(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n);

/* A transaction's ClientRequestToken (idempotency.h), in flight (ddb_token_begin found it NEW). */
typedef struct ddb_txn_token {
    const char *token; /* as stored (namespaced) */
    const unsigned char *digest;
    unsigned hold_ms;  /* the answer's injected latency after the commit: the call completes then */
    ddb_token_state found; /* set by ddb_mutate_txn: NEW (decided and run), REPLAY or MISMATCH */
    uint64_t commit_ms;    /* set by ddb_mutate_txn: the server's clock at the commit that wrote the record */
} ddb_txn_token;

/*
 * Runs n mutations on distinct items (of any tables) as one transaction: a single conditional
 * commit over all their keys and the sizes of their item collections, so every change (items,
 * index entries, collection sizes, the token's record) lands, or none does. Every mutation is
 * decided, so each failure is left in its own m->out.err (condition failed, validation of a new
 * image, collection limit): the caller reports them all. Returns DDB_OK; DDB_E_TRANSACTION_CANCELED
 * when any mutation failed; or the error of the whole (ResourceNotFound when a table was deleted
 * meanwhile, InternalServerError), left in *err.
 * With a token (NULL: none), its record is a key of the commit, read with the items and looked at
 * before them on every decision: found there (a call with the token committed before, or
 * meanwhile on another gateway: its commit made this one decide again), nothing is applied,
 * tok->found says REPLAY or MISMATCH, and the return is DDB_OK. Else the record joins the commit,
 * its life counted from the commit's time (tok->commit_ms) + tok->hold_ms.
 * The crash point "transact-before-commit" (faults.h) fires after the decision, before the write.
 */
int ddb_mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err);

/*
 * The index key checks of an item about to be written in t (a Put's before its commit, an update's
 * new image): the GSIs' and LSIs' (index.h), then each feature row's kind of index (a vector
 * index's). NULL, or the ValidationException message (`by_update`: UpdateItem's wording).
 */
const char *ddb_engine_check_item(const ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_attr *item,
                                  int by_update);

/*
 * Production's contention, as a row of engine/emulate/ draws it (feature.h: contended,
 * txn_contended; NULL rows: never): whether a single-item write finds a transaction holding its
 * item (ddb_mutate asks for m->single_write; a bulk load for each put), and which action of a
 * transaction of n finds another transaction on its item (-1: none).
 */
static inline int ddb_mutation_contended(ddb_engine *eng)
{
    /* inline: every single-item write asks, and the row is off without --write-conflict-rate
       (a call for nothing was ~25 instructions a PutItem, issue 73) */
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_CONTENDED); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL && f->row->contended(f))
            return 1;
    }
    return 0;
}
int ddb_mutation_txn_contended(ddb_engine *eng, unsigned n);

/* Write units the base table was charged: DynamoDB charges the larger of the old and new item. */
double ddb_mutation_table_units(const ddb_mutation *m);
/* Every write unit the mutation consumed: the table's and its indexes' (m->t's). */
double ddb_mutation_units(const ddb_mutation *m);

#endif
