/*
 * server/ops/ops_xfer.h: what the export and import handlers share (ops_export.c, ops_import.c).
 */
#ifndef DDB_OPS_XFER_H
#define DDB_OPS_XFER_H

#include "server/ops/ops_common.h"

/* The record an export or import ARN names ("/export/<id>", "/import/<id>"), in the request's
   namespace, or NULL. */
const ddb_json *ddb_xfer_of_arn(ddb_req *req, const char *arn, const char *what, const char *prefix);
/* Writes {"<wrapper>": record as Describe* renders it}. */
void ddb_xfer_describe(ddb_req *req, const char *wrapper, const ddb_json *rec);
/* Stores a new record (the JSON in `buf`, which is freed) under prefix/id, wakes the worker that
   runs it, and answers {"<wrapper>": record}. */
int ddb_xfer_start(ddb_req *req, const char *prefix, const char *id, ddb_buf *buf, const char *wrapper);
/* Describe{Export,Import}: the record the ARN in member `arn_member` names, or `not_found` with
   "<Noun> not found: <arn>". */
int ddb_xfer_describe_op(ddb_req *req, const char *arn_member, const char *what, const char *prefix, int not_found,
                         const char *noun, const char *wrapper);
/* Opens a new record (an export's, an import's, a bulk operation's) in w, writing to buf: its id
   made from now_ms into `id`, then {"<arn_key>": "<table arn>/<path>/<id>", "<status_key>":
   "IN_PROGRESS", left open for the operation's own members. */
void ddb_xfer_record_begin(ddb_req *req, ddb_jw *w, ddb_buf *buf, char id[32], uint64_t now_ms, const char *arn_key,
                           const char *status_key, const char *path, const char *table_arn);
/* "TableArn" (arn, t's) and "TableId" of an export's or import's record. */
void ddb_xfer_table_members(ddb_jw *w, const char *arn, const ddb_table *t);
/* Writes member `name` of `rec` as stored, when present and not null. */
void ddb_xfer_copy_member(ddb_jw *w, const ddb_json *rec, const char *name);
/* A NextToken of a List operation (NULL: none) is an id this server gave: a record under prefix in the
   request's namespace (DDB_OK), else ValidationException "Invalid NextToken". */
int ddb_xfer_next_token(ddb_req *req, const char *prefix, const char *next);
/* List{Exports,Imports}: the namespace's records under prefix in id (creation) order, filtered by
   TableArn, `size_member` (MaxResults, PageSize) at a time, each with `members` copied. */
int ddb_xfer_list_op(ddb_req *req, const char *prefix, const char *size_member, const char *list_key,
                     const char *const *members);
/* Whether the record's string member equals value (both absent counts). */
int ddb_xfer_same(const ddb_json *rec, const char *member, const char *value);
/* Whether a bulk put (StartBulkPutItems) is in progress on table t (ops_bulk.c): no replica can be
   added to it then, as in DynamoDB. */
int ddb_bulk_in_progress_on(ddb_req *req, const ddb_table *t);

#endif
