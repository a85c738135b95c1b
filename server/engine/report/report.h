/*
 * server/engine/report/report.h: the cost report (issue 53, section 2; GET /ddbd/usage,
 * whose door is doors/usage.c): what the requests observed consumed, by table, operation and
 * index, in DynamoDB's units (charged once per request: engine/capacity/meter.h) and priced at the
 * server's price table (prices.h), for the window observed and projected to a month (730 hours,
 * as AWS's pricing pages count one) at the observed rate; each table's storage at its size now; a
 * provisioned table's capacity hours; with a rate, the forecast at production's rate (forecast.h);
 * the warnings (warnings.h) and the hot partitions (hot_report.h).
 *
 * The engine's one face for the report: the door parses the HTTP query into a ddb_usage_query and
 * hands it here. A report reads: the usage counters (engine/capacity/usage.h), the figures kept (read-only:
 * engine/table_stats.h's ddb_table_figures_peek), the store through the core's read path
 * (engine/read.h) and the backup and transfer records through their modules' accessors.
 */
#ifndef DDB_USAGE_REPORT_H
#define DDB_USAGE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "server/engine/report/marks.h"
#include "server/engine/report/prices.h"
#include "server/engine/engine.h"

/* A window shorter than this (an hour) is said to be short in the report's "projection". */
#define DDB_USAGE_SHORT_WINDOW_SECONDS 3600.0

/* What a report is asked for. */
typedef struct ddb_usage_query {
    uint64_t opened_ms;           /* the server's open on its clock: where the whole run's window starts */
    const ddb_usage_mark *since;  /* the counters since this mark (NULL: the whole run's) */
    const char *rate;             /* RATE as given in the query, not yet percent-decoded (NULL: no forecast) */
    size_t rate_len;
    const ddb_prices *prices;     /* the table the report is priced at */
} ddb_usage_query;

/* Writes the report, one JSON object, with w: 0, or -1 (nothing written) with what is wrong with
   the query (a malformed or unknown RATE) in err. */
int ddb_usage_report(ddb_engine *eng, const ddb_usage_query *q, ddb_jw *w, char *err, size_t errsize);

#endif
