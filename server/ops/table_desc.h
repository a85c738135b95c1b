/*
 * server/ops/table_desc.h: a table's description as DescribeTable, CreateTable, UpdateTable,
 * DeleteTable and the restores answer it (TableDescription), and the pieces other descriptions
 * reuse (billing mode, provisioned throughput, status).
 */
#ifndef DDB_TABLE_DESC_H
#define DDB_TABLE_DESC_H

#include "server/ops/ops_common.h"

/* The table's billing mode, "PROVISIONED" or "PAY_PER_REQUEST" (as the catalog typed it: provisioned unless set). */
const char *ddb_billing_mode(const ddb_table *t);
/* An integer member of a JSON object (0 when absent). */
long long ddb_json_ll(const ddb_json *obj, const char *key);
/* "ProvisionedThroughput": {...} as DescribeTable renders it (zeros when on demand). */
void ddb_write_throughput(ddb_jw *w, const ddb_json *pt, int pay_per_request);
/* An index's "IndexName", "KeySchema" and "Projection" members as its description holds them (a
   backup's summary and a restore's CreateTable request both write them). */
void ddb_write_index_shape(ddb_jw *w, const ddb_json *ix);
/* CREATING while the table is being created (a restore, --table-states), UPDATING while an index is
   being built or removed, else ACTIVE. */
const char *ddb_table_status(const ddb_engine *eng, const ddb_table *t);
/* Writes {"<wrapper>": TableDescription}; with `count`, exact item counts and sizes. */
void ddb_write_table_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count);

/*
 * What UpdateTable's answer reports for the table's throughput members where DynamoDB's differs
 * from the stored one: OnDemandThroughput with the request's values merged in, -1 included (the
 * stored one drops them), and a WarmThroughput being raised, as it was and UPDATING. NULL members:
 * as stored.
 */
typedef struct ddb_throughput_echo {
    const ddb_json *odt;
    const long long *warm_before; /* reads, writes */
} ddb_throughput_echo;
void ddb_write_table_description_echo(ddb_req *req, const ddb_table *t, const char *status,
                                      const ddb_throughput_echo *echo);

/* DescribeTable's GlobalTableVersion and Replicas (the other regions), while t has replicas. */
void ddb_replicas_describe(ddb_req *req, ddb_jw *w, const ddb_table *t);
/* The TableStatus the group gives t: CREATING while it is a replica being filled (or, made under
   --table-states, until its time: ddb_replica_state_now), UPDATING while another replica is
   created or deleted; NULL otherwise. */
const char *ddb_replicas_status(const ddb_table *t);

#endif
