/*
 * proto/ops.c: operation names, flags and X-Amz-Target parsing, from proto/ops.def.
 */
#include "proto/ops.h"

#include <string.h>

static const struct {
    const char *name;
    size_t len; /* the name's, so that a lookup by X-Amz-Target runs no strlen per row */
    int service;
    unsigned flags;
} op_table[] = {
    [DDB_OP_NONE] = {"", 0, -1, 0},
#define X(camel, snake, svc, impl, flags) [DDB_OP_##camel] = {#camel, sizeof(#camel) - 1, DDB_SVC_##svc, flags},
#include "proto/ops.def"
#undef X
};

static const char *const service_prefix[] = {
    [DDB_SVC_DYNAMODB] = "DynamoDB_20120810.",
    [DDB_SVC_STREAMS] = "DynamoDBStreams_20120810.",
};

const char *ddb_op_name(ddb_op op)
{
    return op > DDB_OP_NONE && op < DDB_OP__COUNT ? op_table[op].name : "";
}

unsigned ddb_op_flags(ddb_op op)
{
    return op > DDB_OP_NONE && op < DDB_OP__COUNT ? op_table[op].flags : 0;
}

/* The operation named `name` in service `svc` (-1: either). */
static ddb_op find(const char *name, size_t len, int svc)
{
    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        if ((svc < 0 || op_table[op].service == svc) && op_table[op].len == len &&
            memcmp(op_table[op].name, name, len) == 0)
            return (ddb_op)op;
    }
    return DDB_OP_NONE;
}

ddb_op ddb_op_from_name(const char *name, size_t len)
{
    return find(name, len, -1);
}

ddb_op ddb_op_from_target(const char *target, size_t len)
{
    for (int svc = 0; svc < (int)(sizeof(service_prefix) / sizeof(service_prefix[0])); svc++) {
        size_t plen = strlen(service_prefix[svc]);

        if (len > plen && memcmp(target, service_prefix[svc], plen) == 0)
            return find(target + plen, len - plen, svc);
    }
    return DDB_OP_NONE;
}

const char *ddb_op_target_prefix(const char *name, size_t len)
{
    ddb_op op = find(name, len, DDB_SVC_STREAMS);

    return service_prefix[op != DDB_OP_NONE ? DDB_SVC_STREAMS : DDB_SVC_DYNAMODB];
}
