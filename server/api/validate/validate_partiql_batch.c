/*
 * server/api/validate/validate_partiql_batch.c: what BatchExecuteStatement and ExecuteTransaction accept
 * (ops/ops_partiql_batch.c), as data, in the order of DynamoDB's model (API reference:
 * BatchStatementRequest, ParameterizedStatement). Only the shape: each statement is parsed by the
 * handler, whose errors DynamoDB reports after every shape check.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field BATCH_STATEMENT_FIELDS[] = {
    F_STATEMENT, F_PARAMETERS, {"ConsistentRead", DDB_V_BOOLEAN}, F_RETURN_ON_FAILURE, {NULL},
};
static const ddb_field BATCH_STATEMENT_MEMBER[] = {{"member", DDB_V_STRUCT, .children = BATCH_STATEMENT_FIELDS}};

static const ddb_field BATCH_EXECUTE_STATEMENT_FIELDS[] = {
    {"Statements", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 25,
     .children = BATCH_STATEMENT_MEMBER},
    F_RETURN_CONSUMED,
    {NULL},
};

static const ddb_field PARAMETERIZED_STATEMENT_FIELDS[] = {F_STATEMENT, F_PARAMETERS, F_RETURN_ON_FAILURE, {NULL}};
static const ddb_field PARAMETERIZED_STATEMENT_MEMBER[] = {
    {"member", DDB_V_STRUCT, .children = PARAMETERIZED_STATEMENT_FIELDS}};

static const ddb_field EXECUTE_TRANSACTION_FIELDS[] = {
    {"TransactStatements", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 100,
     .children = PARAMETERIZED_STATEMENT_MEMBER},
    {"ClientRequestToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36},
    F_RETURN_CONSUMED,
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_batch_execute_statement = {BATCH_EXECUTE_STATEMENT_FIELDS};
const ddb_spec ddb_spec_execute_transaction = {EXECUTE_TRANSACTION_FIELDS};
