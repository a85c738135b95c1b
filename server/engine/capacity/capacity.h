/*
 * server/engine/capacity/capacity.h: DynamoDB's capacity arithmetic, shared by the operations and the
 * mutation pipeline, and the one capacity model: what a table or a GSI may serve.
 *
 * The model reads the capacity the catalog typed once per table version (table.h's ddb_capacity:
 * billing mode, provisioned units, on-demand maximums, warm throughput), never the stored
 * description, so "is it provisioned, at what rate?" has one answer, and no request parses JSON for
 * it. Its askers: --enforce-capacity's buckets (throttle.c) and the hot-partition model (hot.c),
 * which run the one token bucket (bucket.h) at its rates, the usage report
 * (engine/report/report.c, hot_report.c) and DescribeTable's warm throughput.
 * `layers.check` (rule 11) holds the line: no file of engine/capacity/ or doors/ reads a stored
 * capacity member (BillingMode, ProvisionedThroughput, ...) by name.
 */
#ifndef DDB_CAPACITY_H
#define DDB_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "server/engine/table.h"

/* (the units of a write and of a read: table.h's ddb_write_units, ddb_read_units) */

/* One partition's most, units a second: adaptive capacity isolates a hot item in its own
   partition, and no partition serves more (the developer guide's partitions page). */
#define DDB_PARTITION_READ_UNITS 3000
#define DDB_PARTITION_WRITE_UNITS 1000
/* One partition's most data: a table has at least one partition per 10 GB. */
#define DDB_PARTITION_SIZE_BYTES (10.0 * 1024 * 1024 * 1024)
/* Unused provisioned capacity kept for bursts: the developer guide's burst capacity. */
#define DDB_BURST_SECONDS 300
/* A new on-demand table's or GSI's throughput, units a second: its warm throughput, and what it
   serves before its peaks raise it (the developer guide's on-demand and warm throughput pages). */
#define DDB_ON_DEMAND_INITIAL_READ 12000
#define DDB_ON_DEMAND_INITIAL_WRITE 4000

/* Whether t is billed for provisioned capacity (BillingMode PROVISIONED or none), not on demand. */
static inline int ddb_capacity_provisioned(const ddb_table *t)
{
    return t->capacity.provisioned;
}

/* The provisioned units a second of t (ix NULL) or of its GSI ix: reads, or writes with `write`;
   0 on demand. */
double ddb_capacity_units(const ddb_table *t, const ddb_index *ix, int write);

/* The rate its own bucket is filled at when capacity is enforced, units a second: its provisioned
   units, or on demand its OnDemandThroughput maximum; 0: no limit. */
double ddb_capacity_enforced_rate(const ddb_table *t, const ddb_index *ix, int write);

/* An on-demand table's (or GSI's) limit for the next second as production scales it: twice its
   previous peak `peak`, never below its initial throughput. */
double ddb_capacity_on_demand_limit(double peak, int write);

/* Its partitions as the developer guide counts them: the larger of its size (`bytes`) / 10 GB and
   reads / 3,000 + writes / 1,000 a second, the throughput being a provisioned table's units, an
   on-demand table's observed peak `peak` (reads, writes; at least its initial throughput's 4
   partitions); at least one. */
double ddb_capacity_partitions(const ddb_table *t, const double peak[2], double bytes);
/* The partitions `read` and `write` units a second and `bytes` need, whatever the billing mode (the
   forecast at a production rate: engine/report/forecast.c); at least one. */
double ddb_capacity_partitions_for(double read, double write, double bytes);

/*
 * The warm throughput of t (ix NULL) or of its GSI ix, reads then writes: what was set, or more,
 * since it never falls below where the table starts: its initial throughput on demand, the
 * provisioned capacity otherwise (the developer guide's warm throughput page).
 */
void ddb_warm_throughput(const ddb_table *t, const ddb_index *ix, long long out[2]);

#endif
