/*
 * server/ops/ops_xfer.h: what the export and import handlers share (ops_export.c, ops_import.c).
 */
#ifndef DDB_OPS_XFER_H
#define DDB_OPS_XFER_H

#include "ops_common.h"

/* The record an export or import ARN names ("/export/<id>", "/import/<id>"), in the request's
   namespace, or NULL. */
const ddb_json *ddb_xfer_of_arn(ddb_req *req, const char *arn, const char *what, const char *prefix);
/* Writes {"<wrapper>": record as Describe* renders it}. */
void ddb_xfer_describe(ddb_req *req, const char *wrapper, const ddb_json *rec);
/* Whether the record's string member equals value (both absent counts). */
int ddb_xfer_same(const ddb_json *rec, const char *member, const char *value);

#endif
