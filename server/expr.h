/*
 * server/expr.h: the DynamoDB expression language (Condition, Filter, KeyCondition, Projection
 * and Update expressions) and the legacy parameters that map onto it.
 */
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include "req.h"

typedef struct ddb_expr ddb_expr;

/*
 * Checks ExpressionAttributeNames/ExpressionAttributeValues and parses every expression the
 * request carries, in DynamoDB's order, storing the results in req->parsed. Returns NULL, or the
 * ValidationException message ("Invalid ConditionExpression: Syntax error; token: ...",
 * "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}", ...).
 */
const char *ddb_expr_prepare(ddb_req *req, const ddb_json *in);

#endif
