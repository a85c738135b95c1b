/*
 * server/ops/table_throughput.h: UpdateTable's OnDemandThroughput and WarmThroughput, the table's
 * and those of its GSIs' Update and Create actions: DynamoDB's rules against the stored table, and
 * the changes they make to its description.
 */
#ifndef DDB_TABLE_THROUGHPUT_H
#define DDB_TABLE_THROUGHPUT_H

#include "server/engine/catalog/catalog_edit.h"
#include "server/ops/ops_common.h"
#include "server/ops/table_desc.h"

/* The request's throughput members against t, which will have billing mode `mode` (NULL: its own):
   DDB_OK or the ValidationException recorded. */
int ddb_throughput_check(ddb_req *req, const ddb_table *t, const char *mode);

/*
 * The request's changes in e, an edit of t: the maximums merged into the stored ones (-1 removes
 * one), warm throughput raised (kept as it is when the billing mode changes, since it never falls),
 * the table's maximums dropped when it turns PROVISIONED. *echo gets what UpdateTable's answer
 * reports (table_desc.h).
 */
void ddb_throughput_edit(ddb_req *req, ddb_desc_edit *e, const ddb_table *t, const char *mode,
                         ddb_throughput_echo *echo);

/*
 * A global table replica's OnDemandThroughput: `src`'s maximums (write maximums are shared across
 * the group), its read maximum `override`'s MaxReadRequestUnits when that is above 0 (the API
 * reference, OnDemandThroughputOverride: only the read maximum is a replica's own). NULL when
 * neither is set.
 */
const ddb_json *ddb_replica_on_demand(ddb_arena *a, const ddb_capacity *src, const ddb_json *override);

#endif
