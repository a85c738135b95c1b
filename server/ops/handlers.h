/*
 * server/ops/handlers.h: the prototype of every operation's handler, one per HANDLED row of
 * proto/ops.def: int ddb_op_<snake_name>(ddb_req *req). Each file that defines handlers includes
 * it, so the compiler holds the definitions to the one signature (dispatch.h's ddb_handler).
 */
#ifndef DDB_OPS_HANDLERS_H
#define DDB_OPS_HANDLERS_H

#include "proto/ops.h"
#include "server/api/req.h"

#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, int ddb_op_##snake(ddb_req *req);)
#include "proto/ops.def"
#undef X

#endif
