/*
 * server/ops/owners.h: the tables the objects of the operations belong to, for --auth's decisions
 * (server/api/auth/auth.h, ddb_auth_lookups.owner_of): an export, import or bulk operation by its ARN,
 * a shard iterator by its authenticated payload.
 */
#ifndef DDB_OWNERS_H
#define DDB_OWNERS_H

#include "server/api/auth/auth.h"
#include "server/api/req.h"

/* The table `text` (of kind DDB_RES_XFER or DDB_RES_ITERATOR, resources.h) belongs to, and a
   stream's label into *label; NULL when it names none of this namespace. */
const char *ddb_resource_owner_of(ddb_req *req, int kind, const char *text, const char **label);

/* The owner account of a table of the request's namespace (ddb_table_arn's), or NULL when there is
   no such table (ddb_auth_lookups.account_of). */
const char *ddb_resource_account_of(ddb_req *req, const char *table);

/* The exports overlapping what an import or a bulk put reads (ddb_auth_lookups.sources_of). */
int ddb_resource_sources_of(ddb_req *req, const char *bucket, const char *prefix, ddb_auth_export **out, size_t *n);

/* A shard iterator's table and stream label (ops_streams.c); NULL when it is not one. */
const char *ddb_streams_iterator_owner(ddb_req *req, const char *text, const char **label);

#endif
