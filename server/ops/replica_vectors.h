/*
 * server/ops/replica_vectors.h: a global table's vector index changes made on its replicas
 * (replica_vectors.c).
 */
#ifndef DDB_REPLICA_VECTORS_H
#define DDB_REPLICA_VECTORS_H

#include "server/ops/ops_common.h"

/* UpdateTable's VectorIndexUpdates on global table t (its description before the change): the
   peers' replicas' requests, queued in the source's commit batch `extra`. */
void ddb_replica_vectors_outbox(ddb_req *req, const ddb_table *t, ddb_batch *extra);
/* ...and applied to this server's other replicas, once the source's change is committed. */
void ddb_replica_vectors_local(ddb_req *req, const ddb_table *t);
/* Runs UpdateTable `in` on t's replica in `region` (namespace ns); DDB_OK or the error. */
int ddb_replica_vectors_apply(ddb_req *req, const ddb_table *t, const char *ns, const char *region,
                              const ddb_json *in);

#endif
