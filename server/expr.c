/*
 * server/expr.c: placeholder until the expression language lands (issue 3): any request that
 * carries an expression is refused with a ValidationException that says so, never ignored.
 */
#include "expr.h"

#include <stddef.h>

static const char *const expression_params[] = {
    "ConditionExpression", "UpdateExpression", "ProjectionExpression", "FilterExpression", "KeyConditionExpression",
    "ExpressionAttributeNames", "ExpressionAttributeValues", "Expected", "AttributeUpdates", "AttributesToGet",
    "KeyConditions", "QueryFilter", "ScanFilter", "ConditionalOperator", NULL,
};

const char *ddb_expr_prepare(ddb_req *req, const ddb_json *in)
{
    for (int i = 0; expression_params[i] != NULL; i++) {
        if (ddb_json_get(in, expression_params[i]) != NULL)
            return ddb_arena_sprintf(req->arena, "%s is not supported by this version of ddbd yet", expression_params[i]);
    }
    return NULL;
}
