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

/* Writes the report of eng's requests since since_ms (its server's open: ddb_server.opened_ms, on the
   server's clock, base/clock.h) into out; returns the HTTP status (200). */
int ddb_usage_admin(ddb_engine *eng, uint64_t since_ms, ddb_buf *out);

#endif
