/*
 * server/ops/table_desc.h: a table's description as DescribeTable, CreateTable, UpdateTable,
 * DeleteTable and the restores answer it (TableDescription), and the pieces other descriptions
 * reuse (billing mode, provisioned throughput, status).
 */
#ifndef DDB_TABLE_DESC_H
#define DDB_TABLE_DESC_H

#include "server/ops/ops_common.h"

/* The table's billing mode ("PROVISIONED" unless set). */
const char *ddb_billing_mode(const ddb_table *t);
/* An integer member of a JSON object (0 when absent). */
long long ddb_json_ll(const ddb_json *obj, const char *key);
/* "ProvisionedThroughput": {...} as DescribeTable renders it (zeros when on demand). */
void ddb_write_throughput(ddb_jw *w, const ddb_json *pt, int pay_per_request);
/* UPDATING while an index is being built or removed, else ACTIVE. */
const char *ddb_table_status(const ddb_table *t);
/* Writes {"<wrapper>": TableDescription}; with `count`, exact item counts and sizes. */
void ddb_write_table_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count);

/* DescribeTable's GlobalTableVersion and Replicas (the other regions), while t has replicas. */
void ddb_replicas_describe(ddb_req *req, ddb_jw *w, const ddb_table *t);
/* The TableStatus the group gives t: CREATING while it is a replica being filled, UPDATING while
   another replica is created or deleted; NULL otherwise. */
const char *ddb_replicas_status(const ddb_table *t);

#endif
