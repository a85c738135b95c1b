/*
 * server/engine/report/warnings.h: GET /ddbd/usage's "warnings" (issue 53, section 4): the access patterns
 * the requests observed would pay for or trip on in DynamoDB (Scans' share of the read units,
 * filters that discard most of what they read, items near the 400 KB limit, global secondary
 * indexes written but never read, TTL attributes in milliseconds or strings, a GSI partition key of few values (read from the store), loads sorted by
 * partition key, eventually consistent reads right after a write), each with its counts, its
 * table and a line on what to change. From engine/capacity/access_warn.h's observations and the usage
 * counters (engine/capacity/usage.h).
 */
#ifndef DDB_WARNINGS_VIEW_H
#define DDB_WARNINGS_VIEW_H

#include <stddef.h>

#include "proto/json.h"
#include "server/engine/report/prices.h"
#include "server/engine/engine.h"
#include "server/engine/table.h"

/* Writes "warnings": [...] (a member of the open object) for the tables of the report, whose
   window is window_s seconds long; an index's writes priced at its table's row of prices. */
void ddb_warnings_write(ddb_jw *w, ddb_engine *eng, const ddb_table *const *tables, size_t n, double window_s,
                        const ddb_prices *prices);

#endif
