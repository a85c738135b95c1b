/*
 * server/api/validate/validate_partiql.c: what ExecuteStatement accepts, as data (ddb_spec), in the order of
 * DynamoDB's model (API reference: ExecuteStatement; BatchExecuteStatement and ExecuteTransaction
 * are validate_partiql_batch.c's, their members shared through validate_internal.h).
 *
 * Only the shape is checked here; each statement and its Parameters are parsed by the handler
 * (ops/ops_partiql.c), whose errors DynamoDB reports after every shape check.
 */
#include "server/api/validate/validate_internal.h"

const ddb_field ddb_partiql_parameter_member[] = {{"member", DDB_V_ATTR}};

static const ddb_field EXECUTE_STATEMENT_FIELDS[] = {
    F_STATEMENT,
    F_PARAMETERS,
    {"ConsistentRead", DDB_V_BOOLEAN},
    {"NextToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 32768},
    F_RETURN_CONSUMED,
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN, .min = 1},
    F_RETURN_ON_FAILURE,
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_execute_statement = {EXECUTE_STATEMENT_FIELDS};
