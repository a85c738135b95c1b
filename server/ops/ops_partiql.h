/*
 * server/ops/ops_partiql.h: what the PartiQL handlers share: a statement parsed with its
 * Parameters, and a write statement decided into a mutation of the one pipeline
 * (ops_partiql.c; BatchExecuteStatement and ExecuteTransaction are ops_partiql_batch.c).
 */
#ifndef DDB_OPS_PARTIQL_H
#define DDB_OPS_PARTIQL_H

#include "server/api/req.h"
#include "server/engine/mutation.h"
#include "server/expr/partiql.h"

/*
 * Parses the statement of `obj` (an object with Statement and Parameters), and checks the key's
 * access policy for it (ddb_pq_authorize). A Parameters value
 * DynamoDB refuses sets *param_error (ExecuteTransaction reports those without its
 * "Validation failed in TransactStatements[i]: " prefix). Returns DDB_OK or the recorded error.
 */
int ddb_pq_statement_or_fail(ddb_req *req, const ddb_json *obj, ddb_pq_stmt *s, int *param_error);

/* With --auth: the statement's action (dynamodb:PartiQLSelect, ...) on its table, under the key's policy. */
int ddb_pq_authorize(ddb_req *req, const ddb_pq_stmt *s);

/* Whether a statement writes (INSERT, UPDATE, DELETE, EXISTS's condition check). */
static inline int ddb_pq_writes(const ddb_pq_stmt *s)
{
    return s->kind != DDB_PQ_SELECT;
}

/*
 * The mutation of a write statement on table t: its key from WHERE (INSERT: from the item), its
 * condition (WHERE without the key equalities; UPDATE and EXISTS also need the item), and what
 * RETURNING needs. In a transaction (`txn`) a WHERE that does not name the item is worded as
 * TransactWriteItems words a bad key. Returns DDB_OK or the recorded error.
 */
int ddb_pq_mutation_or_fail(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t, int txn, ddb_mutation *m);

/* RETURNING's image of a mutation that ran, or NULL when it returns nothing. */
const ddb_attr *ddb_pq_returned(ddb_req *req, const ddb_pq_stmt *s, const ddb_mutation *m);

/*
 * A SELECT that reads one item by its whole primary key and nothing else (BatchExecuteStatement
 * and ExecuteTransaction take no other): fills *key. Returns 0, or -1 when the statement is not
 * of that form.
 */
int ddb_pq_single_item_key(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t, ddb_key *key);

#endif
