/*
 * server/engine/jobs/triggers.h: a table's stream invoking a local function, the serverless pattern.
 *
 *   --stream-trigger TABLE=URL[,batch=N][,window=MS][,bisect]
 *
 * URL is a function that speaks the Lambda Runtime Interface Emulator's invoke protocol: each
 * batch of records goes as `POST <URL>/2015-03-31/functions/function/invocations` with the event
 * Lambda delivers, {"Records": [...]} (each record as GetRecords shows it, plus eventSourceARN).
 * The function succeeded when it answers 2xx without an X-Amz-Function-Error header.
 *
 * One worker thread per trigger follows the table's latest stream shard by shard, parents before
 * children, in order within a shard, as Lambda's event source mapping does: up to `batch` records
 * (default 100) per invocation, waiting up to `window` ms (default 0) for a batch to fill. A
 * failed invocation is retried with exponential backoff (100 ms to 30 s) until it succeeds or its
 * records are trimmed (24 hours, logged); with `bisect` a failed batch is split in two and each
 * half retried, as BisectBatchOnFunctionError does, so one bad record holds back only itself.
 * Records are never skipped otherwise. Progress is a checkpoint per shard in the metadata space
 * ("trigger/<table>/<stream id>/<generation>/<shard>": the last number delivered), so a restart
 * goes on where delivery stopped (a batch cut short by a crash is delivered again: at least once).
 */
#ifndef DDB_TRIGGERS_H
#define DDB_TRIGGERS_H

#include "server/base/worker.h"
#include "server/engine/engine.h"

typedef struct ddb_triggers ddb_triggers;

/* Parses one --stream-trigger value; returns NULL and sets *err (static text) when malformed. */
typedef struct ddb_trigger_spec {
    const char *table;
    char host[256];
    int port;
    char path[512];   /* the invoke path */
    unsigned batch;
    unsigned window_ms;
    int bisect;
} ddb_trigger_spec;
int ddb_trigger_parse(const char *text, ddb_trigger_spec *out, const char **err);

/* Starts one worker per spec (--stream-trigger; the specs must outlive the workers); NULL when n is 0. */
ddb_triggers *ddb_triggers_start(ddb_engine *eng, const ddb_trigger_spec *specs, unsigned n);
/* Their worker, which owns them (NULL when t is): ddb_worker_halt stops its threads, ddb_worker_stop
   ends them (base/workers.h: every worker halts before any is freed). */
ddb_worker *ddb_triggers_worker(ddb_triggers *t);
/* A commit wrote records to `table`'s stream: when a trigger follows it, its worker passes now. */
void ddb_triggers_nudge(ddb_triggers *t, const char *table);

#endif
