/*
 * server/http/access_log.h: --access-log FILE|-, one JSON line per API request:
 *
 *   {"time":"2026-01-02T03:04:05.678Z","requestId":"...","traceId":null,"operation":"PutItem",
 *    "table":"orders","status":200,"errorType":null,"latencyMs":0.113,"readUnits":0,"writeUnits":1}
 *
 * "table" is the request's TableName, or the tables a batch or transaction names, comma-separated
 * in request order (null when there is none, e.g. ListTables or a PartiQL statement); "operation"
 * is null for an unknown target; the units are what the request consumed (charged whether or not
 * it asked for ReturnConsumedCapacity; 0 for a failed request); "traceId" is the request's trace
 * id, 32 hex digits, when it is traced (http/tracing.h), else null. A request an injected fault hit
 * (api/faults/inject.h) has one more member, "fault": its name ("InternalServerError", "Latency", ...).
 *
 * Cheap when on: each HTTP thread formats its lines into its own buffer, with no lock, and writes
 * the buffer with one write(2) when its loop is about to wait for work, when it holds 32 KB, or
 * when its oldest line is 200 ms old; writes of the threads are serialised so lines never
 * interleave. Nothing at all when off (no log object).
 */
#ifndef DDB_ACCESS_LOG_H
#define DDB_ACCESS_LOG_H

#include <stdint.h>
#include <time.h>

#include "proto/json.h"
#include "server/api/req.h"
#include "server/base/held_lines.h"

typedef struct ddb_access_log ddb_access_log;

/* A thread's pending lines. */
typedef struct ddb_access_buf {
    ddb_buf buf;
    ddb_buf scratch;   /* the line's table list */
    uint64_t first_ns; /* monotonic time of the oldest pending line */
    time_t stamp_sec;  /* the second `stamp` was formatted for */
    char stamp[24];    /* "YYYY-MM-DDTHH:MM:SS." */
    ddb_held_lines held; /* lines whose answers wait for the loop's turn's end (ddb_access_log_release) */
} ddb_access_buf;

/* Opens (appends to, creating) `path`, or standard output for "-". NULL after logging why. */
ddb_access_log *ddb_access_log_open(const char *path);
void ddb_access_log_close(ddb_access_log *log);

/* Appends the line of one answered request (after dispatch) to the thread's buffer; trace_id: its
   32 hex digits, or NULL. `waits`: its answer waits for the loop's turn's end (server/base/log_turn.h),
   and so does the line, in b->held, with those after it (server/base/held_lines.h). */
void ddb_access_log_add(ddb_access_log *log, ddb_access_buf *b, const ddb_req *r, const char *request_id,
                        const char *trace_id, int status, double seconds, int waits);
/* The turn's end: the held lines into the thread's buffer, each held answer's as it went out: as
   added, or (status not 0: the turn's log write failed) with that status and error type instead
   (its units stay: the write may be there). */
void ddb_access_log_release(ddb_access_log *log, ddb_access_buf *b, int status, const char *error_type);
/* The tables a request names: TableName, RequestItems' keys, or each transaction action's
   TableName, each once, comma-separated, appended to list. */
void ddb_access_log_tables(const ddb_json *in, ddb_buf *list);
/* Writes the pending lines if `idle` (the loop is about to wait), or they are many or old enough. */
void ddb_access_log_flush(ddb_access_log *log, ddb_access_buf *b, int idle);
void ddb_access_buf_free(ddb_access_buf *b);

#endif
