/*
 * server/ops/ops_transact.h: the transaction machinery TransactWriteItems and ExecuteTransaction
 * share (ops_transact.c).
 */
#ifndef DDB_OPS_TRANSACT_H
#define DDB_OPS_TRANSACT_H

#include "server/api/req.h"
#include "server/engine/mutation.h"
#include "server/engine/read.h"

/*
 * Runs ExecuteTransaction's write statements, decided into mutations, as one transaction: the
 * request's ClientRequestToken (its digest over TransactStatements), one atomic commit through
 * ddb_mutate_txn, the cancellation reasons in statement order (a duplicate INSERT is
 * "DuplicateItem"), and the answer {"Responses": [], ConsumedCapacity}.
 */
int ddb_transact_run_statements(ddb_req *req, ddb_mutation *ms, uint32_t n);

/* TransactionCanceledException with one reason (`code`, `msg`) at action `at` and None elsewhere. */
int ddb_transact_cancel_one(ddb_req *req, uint32_t n, uint32_t at, const char *code, const char *msg);

/* Reads keys[0..n) (their val/vlen filled, NULL when absent) from one storage snapshot, as a
   transaction's reads never see part of another transaction. DDB_OK or InternalServerError. */
int ddb_transact_read_keys(ddb_req *req, ddb_read_slot *keys, uint32_t n);

/*
 * Adds one read action's share of a transaction's answer to *total and fails the request
 * (ValidationException "Payload in response is too large.<total>") once it passes 4 MB. The
 * measure is DynamoDB Local 1.25's, probed with items of known sizes: the member name "Item"
 * (4 bytes, even for an item not found) plus the item as projected (ddb_item_size), summed in
 * action order, the total quoted at the action that passed the limit.
 */
int ddb_transact_answer_add(ddb_req *req, size_t *total, const ddb_attr *item);

#endif
