/*
 * server/ops/optable.h: the operation table (server/api/dispatch.h's ddb_op_entry), one entry per
 * row of proto/ops.def, which the wiring hands to the pipeline as its ddb_api's ops.
 */
#ifndef DDB_OPTABLE_H
#define DDB_OPTABLE_H

#include "proto/ops.h"
#include "server/api/dispatch.h"

extern const ddb_op_entry ddb_op_table[DDB_OP__COUNT];

/* A table's or stream's resource-based policy, for --auth's decisions (ddb_api.policy_of;
   ops_policy.c): the document, or NULL; *owner the table's owner account, or NULL. */
const char *ddb_resource_policy_of(ddb_req *req, const char *table, const char *stream_label, const char **owner);

/* A peer server's request (--region-peer; ddb_api.peer; ops_peer.c). */
int ddb_op_peer(ddb_req *req);

#endif
