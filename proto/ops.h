/*
 * proto/ops.h: operation identifiers from proto/ops.def, and X-Amz-Target parsing.
 */
#ifndef DDB_OPS_H
#define DDB_OPS_H

#include <stddef.h>

typedef enum ddb_op {
    DDB_OP_NONE = 0,
#define X(camel, snake, svc) DDB_OP_##camel,
#include "proto/ops.def"
#undef X
    DDB_OP__COUNT
} ddb_op;

/* "PutItem" for DDB_OP_PutItem; "" for DDB_OP_NONE. */
const char *ddb_op_name(ddb_op op);
/* Parses "DynamoDB_20120810.PutItem" (or the Streams prefix); DDB_OP_NONE if unknown. */
ddb_op ddb_op_from_target(const char *target, size_t len);

#endif
