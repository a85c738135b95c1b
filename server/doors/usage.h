/*
 * server/doors/usage.h: the cost report's door, GET /ddbd/usage[?since=MARK][&rate=RATE] and
 * /ddbd/usage/mark (docs/usage.md): the HTTP query parsed into the engine's report query
 * (engine/report/report.h), and the marks set and listed.
 */
#ifndef DDB_USAGE_VIEW_H
#define DDB_USAGE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "server/engine/report/marks.h"
#include "server/engine/engine.h"

/* The door, /ddbd/usage[?since=MARK][&rate=RATE] (RATE: engine/report/forecast.h) (GET)
   and /ddbd/usage/mark (POST {"name": NAME} sets a mark, GET lists them) of one server: its engine,
   its marks, and its open on the server's clock, where the whole run's window starts (docs/usage.md,
   "Per test and per pull request"). The answer into out; returns the HTTP status (200, 400 a
   malformed request, 404 an unknown mark). */
int ddb_usage_door(ddb_engine *eng, ddb_usage_marks *marks, uint64_t opened_ms, int is_post, const char *path,
                   size_t plen, const char *body, size_t blen, ddb_buf *out);

#endif
