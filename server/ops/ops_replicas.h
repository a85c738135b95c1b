/*
 * server/ops/ops_replicas.h: global tables (version 2019.11.21) as the other operations see them
 * (ops_replicas.c).
 */
#ifndef DDB_OPS_REPLICAS_H
#define DDB_OPS_REPLICAS_H

#include "server/ops/ops_common.h"

/* UpdateTable with ReplicaUpdates: a replica created, deleted or updated. */
int ddb_replica_updates(ddb_req *req);

#endif
