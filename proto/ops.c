/*
 * proto/ops.c: operation names and X-Amz-Target parsing, from proto/ops.def.
 */
#include "proto/ops.h"

#include <string.h>

static const struct {
    const char *name;
    int service;
} op_table[] = {
    [DDB_OP_NONE] = {"", -1},
#define X(camel, snake, svc) [DDB_OP_##camel] = {#camel, svc},
#include "proto/ops.def"
#undef X
};

static const char *const service_prefix[] = {"DynamoDB_20120810.", "DynamoDBStreams_20120810."};

const char *ddb_op_name(ddb_op op)
{
    return op > DDB_OP_NONE && op < DDB_OP__COUNT ? op_table[op].name : "";
}

ddb_op ddb_op_from_target(const char *target, size_t len)
{
    for (int svc = 0; svc < 2; svc++) {
        size_t plen = strlen(service_prefix[svc]);

        if (len <= plen || memcmp(target, service_prefix[svc], plen) != 0)
            continue;
        for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
            if (op_table[op].service == svc && strlen(op_table[op].name) == len - plen &&
                memcmp(op_table[op].name, target + plen, len - plen) == 0)
                return (ddb_op)op;
        }
    }
    return DDB_OP_NONE;
}
