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

const ddb_field ddb_execute_statement_fields[] = {
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

const ddb_field ddb_batch_execute_statement_fields[] = {
    {"Statements", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 25,
     .children = BATCH_STATEMENT_MEMBER},
    F_RETURN_CONSUMED,
    {NULL},
};

static const ddb_field PARAMETERIZED_STATEMENT_FIELDS[] = {F_STATEMENT, F_PARAMETERS, F_RETURN_ON_FAILURE, {NULL}};
static const ddb_field PARAMETERIZED_STATEMENT_MEMBER[] = {
    {"member", DDB_V_STRUCT, .children = PARAMETERIZED_STATEMENT_FIELDS}};

const ddb_field ddb_execute_transaction_fields[] = {
    {"TransactStatements", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 100,
     .children = PARAMETERIZED_STATEMENT_MEMBER},
    {"ClientRequestToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36},
    F_RETURN_CONSUMED,
    {NULL},
};
