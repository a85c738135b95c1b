/*
 * server/engine/jobs/kinesis.h: delivering Kinesis streaming destinations' change records.
 *
 *   --kinesis-endpoint URL   (http://HOST:PORT: a Kinesis-compatible service, kinesalite, LocalStack)
 *
 * One worker thread follows every table's destinations (engine/history/kinesis_log.h): it moves ENABLING
 * on to ACTIVE once DescribeStream finds the stream ACTIVE (or to ENABLE_FAILED with DynamoDB's
 * reasons), UPDATING to ACTIVE, and DISABLING to DISABLED once the records captured before the
 * Disable are delivered. Each live destination's log is sent in number order with PutRecords (up
 * to 500 records, SigV4-signed as the Kinesis service of the stream's region), each record
 * DynamoDB's Kinesis JSON document; a failure keeps the records and is retried with exponential
 * backoff (100 ms to 30 s) while the destination stays ACTIVE, as DynamoDB's does. The cursor,
 * the last number delivered, is written after each accepted batch ("kinesis/<log>" in the
 * metadata space), so a restart goes on where delivery stopped; a batch cut short by a crash is
 * sent again (at least once). A record PutRecords refuses is sent again with every record after
 * it, so the records of one item keep their order. Records older than 24 hours that could not be
 * delivered are dropped (logged), the bound DynamoDB Streams keeps too. With --in-memory, the oldest
 * undelivered records are also dropped (logged) once the logs pass their share of the memory
 * budget (engine/history/retention.h): the commit that takes them past it wakes the worker
 * (ddb_kinesis_wake), whatever its backoff.
 */
#ifndef DDB_KINESIS_H
#define DDB_KINESIS_H

#include "server/base/worker.h"
#include "server/engine/engine.h"

typedef struct ddb_kinesis_settings {
    const char *endpoint;     /* --kinesis-endpoint, or NULL: every Enable ends ENABLE_FAILED */
    const char *access_key;   /* the key requests are signed with */
    const char *secret_key;
} ddb_kinesis_settings;

typedef struct ddb_kinesis ddb_kinesis;

/* Starts the worker (the settings must outlive it). */
ddb_kinesis *ddb_kinesis_start(ddb_engine *eng, const ddb_kinesis_settings *settings);
/* Stops it between two batches (NULL: nothing). */
/* Its worker, which owns it (NULL when k is): ddb_worker_halt stops its threads, ddb_worker_stop
   ends it (base/workers.h: every worker halts before any is freed). */
ddb_worker *ddb_kinesis_worker(ddb_kinesis *k);
/* Ends its nap: the logs passed their share of the memory budget (NULL: nothing). */
void ddb_kinesis_wake(ddb_kinesis *k);
/* ddb_kinesis_wake after each commit that wrote Kinesis records (a load while a wake is pending). */
void ddb_kinesis_nudge(ddb_kinesis *k);

#endif
