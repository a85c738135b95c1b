/*
 * server/ops/stream_spec.h: a table's StreamSpecification, for CreateTable, UpdateTable and
 * DeleteTable (the catalog member and the registry entry of engine/history/streams.h).
 */
#ifndef DDB_STREAM_SPEC_H
#define DDB_STREAM_SPEC_H

#include "server/api/req.h"
#include "server/engine/catalog/catalog_edit.h"

typedef struct stream_plan {
    int change;            /* 0: the stream stays as it is; 1: enable a new one; -1: disable */
    uint32_t id;           /* the new stream's keyspace */
    const char *label;
    int view;
} stream_plan;

/*
 * What the request's StreamSpecification asks of table `cur` (NULL for CreateTable), with
 * DynamoDB's refusals ("Table already has an enabled stream: TableName: <name>", "Table has no
 * stream to disable: TableName: <name>"). Returns DDB_OK or the recorded error.
 */
int ddb_stream_plan(ddb_req *req, const ddb_table *cur, stream_plan *p);
/* The table's stream in the new description (catalog_edit.h's ddb_edit_stream). */
void ddb_stream_plan_edit(ddb_req *req, ddb_desc_edit *e, const ddb_table *cur, const stream_plan *p);
/* Adds the registry's changes (the new stream's entry; the disabled one's) to the catalog change. */
void ddb_stream_plan_registry(ddb_req *req, const char *table, const ddb_json *key_schema, const ddb_table *cur,
                              const stream_plan *p, ddb_batch *extra);
/* DeleteTable: the table's enabled stream turns DISABLED (readable 24 hours more). */
void ddb_stream_table_deleted(ddb_req *req, const ddb_table *t, ddb_batch *extra);
/* DescribeTable's LatestStreamLabel and LatestStreamArn, when the table ever had a stream. */
void ddb_stream_describe(ddb_req *req, ddb_jw *w, const ddb_table *t);

#endif
