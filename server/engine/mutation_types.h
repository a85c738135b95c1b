/*
 * server/engine/mutation_types.h: the mutation itself (mutation.h tells what runs it): what to do,
 * where a replicated change comes from, and what happened. Apart from mutation.h so that the
 * derived records (derive.h), which the pipeline walks, can read a mutation without depending on
 * the pipeline that calls them.
 */
#ifndef DDB_MUTATION_TYPES_H
#define DDB_MUTATION_TYPES_H

#include "server/base/error.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"
#include "server/engine/table_stats.h"

struct ddb_expr;

/* DDB_MUT_CHECK: a transaction's ConditionCheck, the condition alone (nothing is written). */
typedef enum ddb_mut_kind { DDB_MUT_PUT, DDB_MUT_UPDATE, DDB_MUT_DELETE, DDB_MUT_CHECK } ddb_mut_kind;

/* ddb_mutation.request: a client's write, its table's units counted once; or one of a transaction,
   whose table units count twice (prepare and commit: the developer guide's "Capacity management
   for transactions") while its index entries' count once (docs/usage.md, "Transactions and
   indexes"). */
#define DDB_REQUEST_ONE 1
#define DDB_REQUEST_TXN 2

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
    size_t refused_size;               /* a failed condition's billed size (ddb_decide_refused_size) */
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
    unsigned long long collection_size;  /* tables with LSIs: the item collection's size after it */
    uint64_t stats_epoch;              /* the table's figures' epoch it was decided under (table_stats.h) */
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
    int request;                       /* a client's write: --enforce-capacity applies (throttle.h); its
                                          value is how many times its table's units count:
                                          DDB_REQUEST_ONE, or DDB_REQUEST_TXN in a transaction */
    int statement_sized;               /* UpdateItem: the 400 KB check charges the statement too (expr_charge.c) */
    int insert;                        /* PUT only where no item has the key (PartiQL INSERT): else DuplicateItemException */
    int stream_flags;                  /* its stream record's flags (DDB_REC_SERVICE for TTL deletes) */
    unsigned repl_hold_ms;             /* a global table's: an injected ReplicationLag holds its change back
                                          from the other replicas that long after its write (its stream
                                          record's DDB_REC_HELD; engine/jobs/replication.h); 0: none */
    ddb_mutation_origin origin;        /* where it comes from: a client, or another replica (zero: a client) */
    ddb_mutation_outcome out;          /* what happened (cleared by every run of the decision) */
} ddb_mutation;

#endif
