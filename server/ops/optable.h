/*
 * server/ops/optable.h: the operation table (server/api/dispatch.h's ddb_op_entry), one entry per
 * row of proto/ops.def, which the wiring hands to the pipeline as its ddb_api's ops.
 */
#ifndef DDB_OPTABLE_H
#define DDB_OPTABLE_H

#include "proto/ops.h"
#include "server/api/dispatch.h"

extern const ddb_op_entry ddb_op_table[DDB_OP__COUNT];

#endif
