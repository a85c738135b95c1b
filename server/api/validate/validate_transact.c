/*
 * server/api/validate/validate_transact.c: what TransactWriteItems and TransactGetItems accept, as data
 * (ddb_spec), in the order of DynamoDB's model (API reference: TransactWriteItem, Put, Update,
 * Delete, ConditionCheck, TransactGetItem, Get).
 *
 * Only the request's shape is checked here. Everything per action (items, keys, sizes, the 4 MB
 * payload, expressions, tables) is the handler's (ops/ops_transact.c): it decodes each action
 * once, and DynamoDB reports those problems after every shape check, as the handler does.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field STRING_MEMBER[] = {{"member", DDB_V_STRING}};
static const ddb_field ATTR_MEMBER[] = {{"member", DDB_V_ATTR}};

/* a name or a table ARN (validate_arn.c) */
#define F_TABLE {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN}
#define F_MAP(name, flags) {name, DDB_V_MAP, flags, .children = ATTR_MEMBER}
#define F_NAMES {"ExpressionAttributeNames", DDB_V_MAP, .children = STRING_MEMBER}
#define F_VALUES F_MAP("ExpressionAttributeValues", 0)
#define F_CONDITION(flags) {"ConditionExpression", DDB_V_STRING, flags}
#define F_RETURN_ON_FAILURE {"ReturnValuesOnConditionCheckFailure", DDB_V_STRING, .one_of = ENUM("ALL_OLD", "NONE")}
#define F_TRANSACT_ITEMS(member)                                                                                      \
    {"TransactItems", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 100,  \
     .children = member}

static const ddb_field CONDITION_CHECK_FIELDS[] = {
    F_MAP("Key", DDB_VF_NOT_NULL), F_TABLE, F_CONDITION(DDB_VF_NOT_NULL), F_NAMES, F_VALUES, F_RETURN_ON_FAILURE,
    {NULL},
};
static const ddb_field PUT_FIELDS[] = {
    F_MAP("Item", DDB_VF_NOT_NULL), F_TABLE, F_CONDITION(0), F_NAMES, F_VALUES, F_RETURN_ON_FAILURE, {NULL},
};
static const ddb_field DELETE_FIELDS[] = {
    F_MAP("Key", DDB_VF_NOT_NULL), F_TABLE, F_CONDITION(0), F_NAMES, F_VALUES, F_RETURN_ON_FAILURE, {NULL},
};
static const ddb_field UPDATE_FIELDS[] = {
    F_MAP("Key", DDB_VF_NOT_NULL),
    {"UpdateExpression", DDB_V_STRING, DDB_VF_NOT_NULL},
    F_TABLE,
    F_CONDITION(0),
    F_NAMES,
    F_VALUES,
    F_RETURN_ON_FAILURE,
    {NULL},
};
static const ddb_field TRANSACT_WRITE_ITEM_FIELDS[] = {
    {"ConditionCheck", DDB_V_STRUCT, .children = CONDITION_CHECK_FIELDS},
    {"Put", DDB_V_STRUCT, .children = PUT_FIELDS},
    {"Delete", DDB_V_STRUCT, .children = DELETE_FIELDS},
    {"Update", DDB_V_STRUCT, .children = UPDATE_FIELDS},
    {NULL},
};
static const ddb_field TRANSACT_WRITE_ITEM_MEMBER[] = {
    {"member", DDB_V_STRUCT, .children = TRANSACT_WRITE_ITEM_FIELDS}};

static const ddb_field TRANSACT_WRITE_ITEMS_FIELDS[] = {
    F_TRANSACT_ITEMS(TRANSACT_WRITE_ITEM_MEMBER),
    /* DynamoDB reports an over-long token ahead of the enums (captured in us-east-1, 2026-10-09:
       "2 validation errors detected: Value 'x...' at 'clientRequestToken' ...; Value 'BOGUS' at
       'returnConsumedCapacity' ...") */
    {"ClientRequestToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36},
    F_RETURN_CONSUMED,
    {"ReturnItemCollectionMetrics", DDB_V_STRING, .one_of = ENUM("SIZE", "NONE")},
    {NULL},
};

static const ddb_field GET_FIELDS[] = {
    F_MAP("Key", DDB_VF_NOT_NULL), F_TABLE, {"ProjectionExpression", DDB_V_STRING}, F_NAMES, {NULL},
};
static const ddb_field TRANSACT_GET_ITEM_FIELDS[] = {
    {"Get", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = GET_FIELDS},
    {NULL},
};
static const ddb_field TRANSACT_GET_ITEM_MEMBER[] = {{"member", DDB_V_STRUCT, .children = TRANSACT_GET_ITEM_FIELDS}};

static const ddb_field TRANSACT_GET_ITEMS_FIELDS[] = {
    F_TRANSACT_ITEMS(TRANSACT_GET_ITEM_MEMBER),
    F_RETURN_CONSUMED,
    {NULL},
};

/* Each TransactWriteItem names exactly one action (DynamoDB's wording, as DynamoDB Local 1.25 gives it). */
static const char *transact_write_items_rules(ddb_req *req, const ddb_json *in)
{
    static const char *const actions[] = {"ConditionCheck", "Put", "Delete", "Update"};
    const ddb_json *items = ddb_v_get(in, "TransactItems");

    (void)req;
    for (uint32_t i = 0; i < list_len(items); i++) {
        int n = 0;
        for (int k = 0; k < 4; k++)
            n += ddb_v_get(items->u.items[i], actions[k]) != NULL;
        if (n == 0)
            return "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request";
        if (n > 1)
            return "TransactItems can only contain one of Check, Put, Update or Delete";
    }
    return NULL;
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_transact_get_items = {TRANSACT_GET_ITEMS_FIELDS};
const ddb_spec ddb_spec_transact_write_items = {TRANSACT_WRITE_ITEMS_FIELDS, transact_write_items_rules};
