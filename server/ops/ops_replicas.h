/*
 * server/ops/ops_replicas.h: global tables (version 2019.11.21) as the other operations see them
 * (ops_replicas.c).
 */
#ifndef DDB_OPS_REPLICAS_H
#define DDB_OPS_REPLICAS_H

#include "server/ops/ops_common.h"

/* UpdateTable with ReplicaUpdates: a replica created, deleted or updated. */
int ddb_replica_updates(ddb_req *req);
/* DynamoDB's refusal of a replica whose region already has a table of that name (its text, typo
   included); here and for a --region-peer server's replica (ops_peer.c). */
int ddb_replica_exists_fail(ddb_req *req, const char *table);

#endif
