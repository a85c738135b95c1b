/*
 * server/doors/usage.h: GET /ddbd/usage, the cost report (issue 53, section 2): what the requests
 * observed since the server started consumed, by table, operation and index, in DynamoDB's units
 * (charged once per request: engine/capacity/meter.h) and priced from server/doors/prices.def, for the
 * window observed and projected to a month (730 hours, as AWS's pricing pages count one) at the
 * observed rate; each table's storage at its size now; a provisioned table's capacity hours.
 */
#ifndef DDB_USAGE_VIEW_H
#define DDB_USAGE_VIEW_H

#include <stdint.h>

#include "proto/json.h"
#include "server/engine/engine.h"

#define DDB_USAGE_MONTH_SECONDS (730.0 * 3600)
/* Provisioned capacity sized from the observed peak is peak / 70 %: DynamoDB auto scaling's
   default target utilisation (docs/usage.md). */
#define DDB_USAGE_TARGET_UTILIZATION 0.7

/* The window's start (server.c, at open), on the server's clock (base/clock.h). */
void ddb_usage_window_start(uint64_t now_ms);

/* Writes the report into out; returns the HTTP status (200). */
int ddb_usage_admin(ddb_engine *eng, ddb_buf *out);

#endif
