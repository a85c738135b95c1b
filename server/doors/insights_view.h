/*
 * server/doors/insights_view.h: Contributor Insights' top keys (engine/capacity/insights.h), shown.
 *
 *   GET /ddbd/contributor-insights/TABLE[?index=NAME]   (--admin; docs/admin.md)
 *     {"TableName", "IndexName"?, "ContributorInsightsMode", "WindowSeconds",
 *      "PKC": [{"PartitionKey": {"S": ...}, "ConsumedThroughputUnits": n}, ...], "SKC": [... "SortKey" ...],
 *      "PKT": [{"PartitionKey": ..., "ThrottleCount": n}, ...], "SKT": [...]}
 *     heaviest first; the SK rules only with a sort key; 404 for an unknown table or GSI, 409 when
 *     Contributor Insights is not enabled on it.
 *
 *   /metrics: ddbd_contributor_insights_top{table,index,rule,kind,key} per enabled table or GSI, its
 *   ten heaviest keys per rule (key: the partition key's value, "|" and the sort key's for SK rules).
 */
#ifndef DDB_INSIGHTS_VIEW_H
#define DDB_INSIGHTS_VIEW_H

#include <stddef.h>

#include "proto/json.h"
#include "server/doors/door.h"
#include "server/engine/engine.h"

/* The admin answer for `rest`, the path after /ddbd/contributor-insights/; returns the HTTP status. */
int ddb_insights_admin(ddb_engine *eng, const char *rest, size_t len, ddb_buf *out);
/* Its row in doors.def: the call's rest, as ddb_insights_admin answers it. */
ddb_door_fn ddb_insights_door;
/* Appends the /metrics series (nothing when no table has Contributor Insights enabled). */
void ddb_insights_metrics(ddb_buf *out, ddb_engine *eng);

#endif
