/*
 * server/engine/capacity/capacity.c: capacity arithmetic and the capacity model (see capacity.h).
 */
#include "server/engine/capacity/capacity.h"

#include <math.h>

/* ---- the capacity model (capacity.h): only ddb_capacity is read ---- */

static const ddb_capacity *capacity_of(const ddb_table *t, const ddb_index *ix)
{
    return ix != NULL ? &ix->capacity : &t->capacity;
}

double ddb_capacity_units(const ddb_table *t, const ddb_index *ix, int write)
{
    const ddb_capacity *c = capacity_of(t, ix);

    return !t->capacity.provisioned ? 0 : write ? c->write : c->read;
}

double ddb_capacity_enforced_rate(const ddb_table *t, const ddb_index *ix, int write)
{
    const ddb_capacity *c = capacity_of(t, ix);

    if (!t->capacity.provisioned)
        return (double)(write ? c->max_write : c->max_read);
    return write ? c->write : c->read;
}

double ddb_capacity_on_demand_limit(double peak, int write)
{
    double initial = write ? DDB_ON_DEMAND_INITIAL_WRITE : DDB_ON_DEMAND_INITIAL_READ;

    return 2 * peak > initial ? 2 * peak : initial;
}

double ddb_capacity_partitions_for(double read, double write, double bytes)
{
    double n = ceil(read / DDB_PARTITION_READ_UNITS + write / DDB_PARTITION_WRITE_UNITS);
    double by_size = ceil(bytes / DDB_PARTITION_SIZE_BYTES);

    if (by_size > n)
        n = by_size;
    return n < 1 ? 1 : n;
}

double ddb_capacity_partitions(const ddb_table *t, const double peak[2], double bytes)
{
    int prov = t->capacity.provisioned;
    double n = ddb_capacity_partitions_for(prov ? t->capacity.read : peak[0], prov ? t->capacity.write : peak[1],
                                           bytes);
    /* on demand: at least the initial throughput's partitions (4) */
    double initial = (double)DDB_ON_DEMAND_INITIAL_WRITE / DDB_PARTITION_WRITE_UNITS;

    return !prov && n < initial ? initial : n;
}

void ddb_warm_throughput(const ddb_table *t, const ddb_index *ix, long long out[2])
{
    const ddb_capacity *c = capacity_of(t, ix);
    long long base_read = t->capacity.provisioned ? (long long)c->read : DDB_ON_DEMAND_INITIAL_READ;
    long long base_write = t->capacity.provisioned ? (long long)c->write : DDB_ON_DEMAND_INITIAL_WRITE;

    out[0] = c->warm_read > base_read ? c->warm_read : base_read;
    out[1] = c->warm_write > base_write ? c->warm_write : base_write;
}
