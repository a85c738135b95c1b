/*
 * server/ops/optable.c: the operation table the pipeline dispatches through (server/api/dispatch.h),
 * generated from proto/ops.def: each HANDLED row's handler and request spec, NULL for the MISSING
 * ones. A HANDLED row whose handler or spec does not exist fails the link.
 */
#include "server/ops/optable.h"

#include "server/ops/handlers.h"

const ddb_op_entry ddb_op_table[DDB_OP__COUNT] = {
#define X(camel, snake, svc, impl, flags)                                                                              \
    [DDB_OP_##camel] = {DDB_HANDLED_OR_NULL(impl, ddb_op_##snake), DDB_HANDLED_OR_NULL(impl, &ddb_spec_##snake)},
#include "proto/ops.def"
#undef X
};
