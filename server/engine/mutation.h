/*
 * server/engine/mutation.h: the one mutation pipeline.
 *
 * Every item change (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, PartiQL
 * statements and TTL deletes) is a ddb_mutation: a plain struct a handler, a batch, a transaction
 * or a statement builds, so decoding a request stays apart from executing it. ddb_mutate() runs
 * it as one conditional commit on the item's key: it reads the old image, checks the condition,
 * computes the new image, and derives what follows from the pair (the rows of derive.def: the
 * item's index entries, a global table's write time, its stream, Kinesis and point-in-time log
 * records; derive.h) into the same atomic batch. Index backfill uses the same derivation
 * (ddb_mutation_derive_index). Its files: mutation.c (the decision), mutation_image.c (the new
 * image), mutation_commit.c (one item), mutation_txn.c (transactions), mutation_after.c (what
 * follows a commit).
 *
 * A global table's replica (catalog.h's rep_id) keeps each item's last write time and region
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
 * ddb_mutation_outcome) is cleared in one statement at its start.
 * It also checks, under the item's lock, that the table description it was given is still the
 * live one; when a schema change (an index added or removed) replaced it, the mutation runs again
 * against the new description, so no write decided under an old description can land after a
 * backfill started or a table was purged.
 */
#ifndef DDB_MUTATION_H
#define DDB_MUTATION_H

#include "server/base/error.h"
#include "server/engine/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/idempotency.h"
#include "server/engine/keycodec.h"
#include "server/engine/table_stats.h"
#include "server/engine/vector_cache.h"

struct ddb_expr;

/* DDB_MUT_CHECK: a transaction's ConditionCheck, the condition alone (nothing is written). */
typedef enum ddb_mut_kind { DDB_MUT_PUT, DDB_MUT_UPDATE, DDB_MUT_DELETE, DDB_MUT_CHECK } ddb_mut_kind;

/*
 * A global table's change made in another replica, applied here; all zero for a client's change.
 */
typedef struct ddb_mutation_origin {
    /* made in another region (engine/jobs/replication.h): a PUT of the new image or a DELETE,
       applied only when it is newer than the item's last write (time, then region: last writer
       wins), and not replicated again */
    int replicated;
    uint64_t time;                        /* its write time, ms */
    const char *region;                   /* the region it was made in */
    const struct ddb_mutation *mirror_of; /* a STRONG table's: this is that (decided) mutation's change, in
                                             another replica (set by ddb_mutate) */
} ddb_mutation_origin;

/*
 * What a mutation's decision produced. The decision may run more than once (storage.h), so each
 * run starts by clearing the whole of it in one statement: a field added here is reset with the
 * others, never by a hand-kept list.
 */
typedef struct ddb_mutation_outcome {
    ddb_error err;                 /* DDB_OK or the error, as a request records it */
    int had_old;
    ddb_attr old;                      /* decoded when had_old */
    size_t old_size;
    int has_new;                       /* a new image was written (not for a delete or a no-op update) */
    ddb_attr new_item;
    size_t new_size;
    int created_nothing;               /* UPDATE on an absent item that wrote nothing */
    int rep_stale;                     /* replicated: the item's last write was newer, nothing changed */
    uint64_t write_ms;                 /* a global table's: the write's time and region */
    const char *write_region;
    double index_units[DDB_MAX_INDEXES]; /* write units per index of t (capacity; a vector index's:
                                            its VectorWriteRequestBytes) */
    size_t index_bytes[DDB_MAX_INDEXES]; /* a bulk put's usage of each index of t: the size of the
                                            new item's entry (a vector index's: its write bytes), also
                                            when the put leaves it as it was, so a stretch of a load
                                            put again after a kill -9 counts as it did the first time
                                            (0: the new item is not in it; a vector entry removed: its
                                            bytes) */
    ddb_key *index_key;                /* t's with GSIs: the entry of each index (t->indexes order) its
                                          units went to (derive_index's *entry; arena memory), for a
                                          GSI's hot partitions (hot.h); NULL without GSIs */
    uint64_t vseq;                     /* its number in the vector caches' order (vector_cache.h) */
    ddb_vector_change *vchanges;       /* its vector index entries, for the cache (arena memory: room for
                                          t's vector indexes; NULL without) */
    unsigned nvchanges;
    unsigned long long collection_size;  /* tables with LSIs: the item collection's size after it */
    uint64_t stats_epoch;              /* the table's figures' epoch it was decided under (table_stats.h) */
    ddb_keyspace_figures *ix_change;   /* how its index entries moved each index's figures (arena memory:
                                          room for t's indexes; NULL without) */
    unsigned nix_change;
} ddb_mutation_outcome;

typedef struct ddb_mutation {
    /* ---- what to do ---- */
    ddb_mut_kind kind;
    const ddb_table *t;
    ddb_key key;
    const ddb_attr *item;              /* PUT: the new item */
    const ddb_attr *keyattrs;          /* UPDATE: the Key (the item created when absent) */
    const struct ddb_expr *condition;  /* may be NULL */
    const struct ddb_expr *update;     /* UPDATE */
    int need_old;                      /* the caller wants the old image (ReturnValues) */
    int old_on_failure;                /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    int single_write;                  /* PutItem/UpdateItem/DeleteItem: --write-conflict-rate applies (faults.h) */
    int request;                       /* a client's write: --enforce-capacity applies (throttle.h) */
    int statement_sized;               /* UpdateItem: the 400 KB check charges the statement too (expr_charge.c) */
    int insert;                        /* PUT only where no item has the key (PartiQL INSERT): else DuplicateItemException */
    int stream_flags;                  /* its stream record's flags (DDB_REC_SERVICE for TTL deletes) */
    ddb_mutation_origin origin;        /* where it comes from: a client, or another replica (zero: a client) */
    ddb_mutation_outcome out;          /* what happened (cleared by every run of the decision) */
} ddb_mutation;

/* Fills the common fields; the caller then sets item/keyattrs/condition/update. */
void ddb_mutation_init(ddb_mutation *m, ddb_mut_kind kind, const ddb_table *t, const ddb_key *key);

/*
 * Runs the mutation. Returns DDB_OK, or the error code also left in m->out.err (condition failed,
 * validation of the new image, table deleted meanwhile, storage failure).
 */
int ddb_mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m);

/* A transaction's ClientRequestToken (idempotency.h), in flight (ddb_token_begin found it NEW). */
typedef struct ddb_txn_token {
    const char *token; /* as stored (namespaced) */
    const unsigned char *digest;
    uint64_t now_ms;
    ddb_token_state found; /* set by ddb_mutate_txn: NEW (decided and run), REPLAY or MISMATCH */
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
 * tok->found says REPLAY or MISMATCH, and the return is DDB_OK.
 * The crash point "transact-before-commit" (faults.h) fires after the decision, before the write.
 */
int ddb_mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err);

/* A global table's item write time, as stored: "<ms> <region>" under the item's key with the
   table's rep_id in place of its id. */
typedef struct ddb_write_time {
    uint64_t ms;
    const char *region; /* within the value; "" (rlen 0) when there is none */
    size_t rlen;
} ddb_write_time;
void ddb_write_time_key(ddb_arena *a, uint32_t rep_id, const char *item_key, size_t klen, ddb_store_key *out);
/* The stored value parsed; a NULL value (no write recorded) is time 0, region "". */
ddb_write_time ddb_write_time_parse(const char *v, size_t vlen);

/* Write units the base table was charged: DynamoDB charges the larger of the old and new item. */
double ddb_mutation_table_units(const ddb_mutation *m);
/* Every write unit the mutation consumed: the table's and its indexes' (m->t's). */
double ddb_mutation_units(const ddb_mutation *m);

/*
 * Adds to `out` the changes of index `ix` for an item going from `old_item` to `new_item` (either
 * may be NULL) and returns the write units they cost (0 when the entry is unchanged). The sizes of
 * the old and new entries (0 when the item is not in the index) go to *old_size and *new_size
 * when those are not NULL, and the key of the entry the units went to (the new one, else the old
 * one; len 0: none) to *entry when it is not NULL.
 */
double ddb_mutation_derive_index(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                                 const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                                 ddb_batch *out, size_t *old_size, size_t *new_size, ddb_key *entry);

#endif
