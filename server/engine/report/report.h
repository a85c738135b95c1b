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
#include "server/doors/usage_units.h"
#include "server/engine/engine.h"

struct ddb_usage_marks;

/* A window shorter than this (an hour) is said to be short in the report's "projection". */
#define DDB_USAGE_SHORT_WINDOW_SECONDS 3600.0

/* The door, /ddbd/usage[?since=MARK][&rate=RATE] (RATE: usage_forecast.h) (GET) and /ddbd/usage/mark (POST {"name": NAME} sets a mark,
   GET lists them) of one server: its engine, its marks, and its open on the server's clock, where
   the whole run's window starts (docs/usage.md, "Per test and per pull request"). The answer into
   out; returns the HTTP status (200, 400 a malformed request, 404 an unknown mark). */
int ddb_usage_door(ddb_engine *eng, struct ddb_usage_marks *marks, uint64_t opened_ms, int is_post, const char *path,
                   size_t plen, const char *body, size_t blen, ddb_buf *out);

#endif
