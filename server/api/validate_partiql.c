/*
 * server/api/validate_partiql.c: what ExecuteStatement, BatchExecuteStatement and
 * ExecuteTransaction accept, as data (ddb_spec), in the order of DynamoDB's model (API reference:
 * ExecuteStatement, BatchStatementRequest, ParameterizedStatement).
 *
 * Only the shape is checked here; each statement and its Parameters are parsed by the handler
 * (ops/ops_partiql.c), whose errors DynamoDB reports after every shape check.
 */
#include "server/api/validate_internal.h"

static const ddb_field ATTR_MEMBER[] = {{"member", DDB_V_ATTR}};

#define F_STATEMENT {"Statement", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 8192}
#define F_PARAMETERS                                                                                                  \
    {"Parameters", DDB_V_LIST, DDB_VF_LEN_MIN, .len_min = 1, .children = ATTR_MEMBER}
#define F_RETURN_CONSUMED {"ReturnConsumedCapacity", DDB_V_STRING, .one_of = ENUM("INDEXES", "TOTAL", "NONE")}
#define F_RETURN_ON_FAILURE {"ReturnValuesOnConditionCheckFailure", DDB_V_STRING, .one_of = ENUM("ALL_OLD", "NONE")}

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

const ddb_spec ddb_spec_execute_statement = {EXECUTE_STATEMENT_FIELDS};
const ddb_spec ddb_spec_batch_execute_statement = {BATCH_EXECUTE_STATEMENT_FIELDS};
const ddb_spec ddb_spec_execute_transaction = {EXECUTE_TRANSACTION_FIELDS};
