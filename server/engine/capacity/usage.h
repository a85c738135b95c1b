/*
 * server/engine/capacity/usage.h: the capacity a table's requests consumed, by operation and by index, for
 * the cost report (GET /ddbd/usage: server/engine/report/report.c).
 *
 * One per table, inside its ddb_table_stats (so it follows the table across UpdateTable), added
 * to by the meter's charge (meter.c) once per request with relaxed atomic adds of thousandths of
 * a unit (units are multiples of 0.5, so the sums are exact); an index's by its id, in a slot
 * claimed the first time it is charged.
 */
#ifndef DDB_USAGE_H
#define DDB_USAGE_H

#include <stdint.h>

#include "proto/ops.h"
#include "server/engine/table.h"

typedef struct ddb_usage_units {
    uint64_t read_milli, write_milli;
    uint64_t requests; /* the requests charged (ddb_usage_count); an index's: not counted */
} ddb_usage_units;

typedef struct ddb_table_usage {
    ddb_usage_units op[DDB_OP__COUNT];  /* by ddb_op: the table's and its indexes' units together */
    struct {
        uint32_t id;                    /* the index's key prefix id; 0: free */
        ddb_usage_units u;
    } ix[DDB_MAX_INDEXES];
    uint64_t stream_reads;              /* GetRecords calls on its stream: streams read request units */
    uint64_t replicated_milli;          /* a global table's writes as its other replicas apply them (plain
                                           writes: a transaction's table units once), in thousandths */
} ddb_table_usage;

/* Adds read and write units (inline: once or twice a request). */
static inline void ddb_usage_add(ddb_usage_units *u, double read, double write)
{
    if (read > 0)
        __atomic_add_fetch(&u->read_milli, (uint64_t)(read * 1000 + 0.5), __ATOMIC_RELAXED);
    if (write > 0)
        __atomic_add_fetch(&u->write_milli, (uint64_t)(write * 1000 + 0.5), __ATOMIC_RELAXED);
}
/* Adds read and write units and one request (an operation's, an access pattern's). */
static inline void ddb_usage_count(ddb_usage_units *u, double read, double write)
{
    __atomic_add_fetch(&u->requests, 1, __ATOMIC_RELAXED);
    ddb_usage_add(u, read, write);
}
/* Adds them to index `id`'s slot (claimed when it has none; nothing when every slot is taken). */
void ddb_usage_add_index(ddb_table_usage *u, uint32_t id, double read, double write);
/* The units added so far. */
void ddb_usage_get(const ddb_usage_units *u, double *read, double *write);
/* The requests counted so far. */
static inline double ddb_usage_requests(const ddb_usage_units *u)
{
    return (double)__atomic_load_n(&u->requests, __ATOMIC_RELAXED);
}
/* Index `id`'s units, or NULL when it was never charged. */
const ddb_usage_units *ddb_usage_of_index(const ddb_table_usage *u, uint32_t id);

#endif
