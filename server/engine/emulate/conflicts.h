/*
 * server/engine/emulate/conflicts.h: production's contention on demand (--write-conflict-rate,
 * --transaction-conflict-rate): a single-item write that finds a transaction holding its item
 * (TransactionConflictException), a transaction one of whose actions finds another on its item
 * (TransactionCanceledException, TransactionConflict), drawn at the options' rates from the one
 * seeded sequence of base/faults.h (--fault-seed: the same seed and the same requests in the same
 * order draw the same).
 *
 * A row of server/features.def (ddb_feature_conflicts): its state the two rates, NULL (off: no
 * hook runs, a write costs a test of that pointer) when both are 0. The core asks it through
 * mutation.h's ddb_mutation_contended and ddb_mutation_txn_contended.
 */
#ifndef DDB_CONFLICTS_H
#define DDB_CONFLICTS_H

#include "server/engine/engine.h"

extern const ddb_feature ddb_feature_conflicts;

/* The row's state: NULL when both rates are 0 (the row is off), else malloc'd (the row's close
   frees it). */
void *ddb_conflicts_new(double write_rate, double transaction_rate);

#endif
