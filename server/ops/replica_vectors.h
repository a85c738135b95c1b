/*
 * server/ops/replica_vectors.h: a global table's vector index changes made on its replicas
 * (replica_vectors.c; run by ops_update_table.c's ddb_replica_vectors_apply).
 */
#ifndef DDB_REPLICA_VECTORS_H
#define DDB_REPLICA_VECTORS_H

#include "server/ops/ops_common.h"

/* Whether the request (UpdateTable's, not a replica's own internal one) changes the vector indexes
   of global table t, which its replicas follow. */
int ddb_replica_vectors_propagate(const ddb_req *req, const ddb_table *t);
/* DDB_OK, or DynamoDB's LimitExceededException for one index change at a time when one of this
   server's replicas of t is still creating or deleting an index: its own UpdateTable would be
   refused after the source's change was made, and the replicas would differ for good (RADOS, where
   another gateway may backfill a replica's index later than the source's was done). */
int ddb_replica_vectors_ready(ddb_req *req, const ddb_table *t);
/* The same for t's replicas on --region-peer servers, each asked with its DescribeTable (a peer
   that does not answer within 2 s is not waited for): once a request, outside the catalog edit. */
int ddb_replica_vectors_peers_ready(ddb_req *req, const ddb_table *t);
/* The UpdateTable that makes the request's VectorIndexUpdates on a replica of t (arena text). */
const char *ddb_replica_vectors_request(ddb_arena *a, const ddb_table *t, const ddb_json *in);
/* The peers' replicas' requests, queued in the source's commit batch `extra` (t: before the change). */
void ddb_replica_vectors_outbox(ddb_req *req, const ddb_table *t, ddb_batch *extra);

/* (ops_update_table.c) Runs UpdateTable `in` on t's replica in `region` (namespace ns); DDB_OK or
   the error, logged. */
int ddb_replica_vectors_apply(ddb_req *req, const ddb_table *t, const char *ns, const char *region,
                              const ddb_json *in);

#endif
