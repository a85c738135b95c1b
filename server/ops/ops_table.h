/*
 * server/ops/ops_table.h: what the table operations (ops_table.c, ops_update_table.c) share.
 */
#ifndef DDB_OPS_TABLE_H
#define DDB_OPS_TABLE_H

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

/*
 * Creates a table in the request's namespace from `in`, a CreateTable-shaped request (validated),
 * as CreateTable stores it; `more` (may be NULL) adds members to the description (a restore's
 * "ddbdRestore"). Only when `in` is the request itself is its StreamSpecification planned.
 * Returns 0, 1 when the name exists, -1 on storage failure, -2 with the error recorded on req.
 */
int ddb_table_create(ddb_req *req, const ddb_json *in, void (*more)(ddb_jw *w, void *ctx), void *ctx,
                     const ddb_table **out);

#endif
