/*
 * server/api/validate/validate_query.c: what Query accepts (ops/ops_query.c), as data, and its cross-field
 * rules (what it shares with the other data-plane specs: validate_data.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "server/api/validate/validate_data.h"

/*
 * Query's ConditionalOperator outside its enum is reported by the newer framework, alone, bare and
 * in its words, "[ALL, OR]" included, ahead of an unknown Select and of the table (captured in
 * eu-west-2 and us-east-1, 2026-10-09: XOR with two QueryFilter conditions beside Select BOGUS).
 */
static const char *query_first(ddb_req *req, const ddb_json *in)
{
    const char *co = ddb_json_get_str(in, "ConditionalOperator"), *t = ddb_json_get_str(in, "TableName");

    (void)req;
    /* with a malformed table name the older aggregated form stays, as for the item writes */
    if (co != NULL && t != NULL && ddb_vd_table_name_fine(t) && !ddb_vd_in_list(co, ENUM("OR", "AND")))
        return "Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]";
    return NULL;
}

static const ddb_field QUERY_FIELDS[] = {
    /* "Value at 'Limit' failed to satisfy constraint: ..." (captured by a public conformance suite;
     * Scan keeps dynalite's "Value '0' at 'limit'", as captured by Dynoxide) */
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_CAP_PATH, .min = 1},
    F_ATTR_MAP("ExclusiveStartKey", 0),
    F_RETURN_CONSUMED,
    F_ATTRIBUTES_TO_GET,
    F_CONDITIONS("QueryFilter"),
    F_SELECT,
    F_CONDITIONAL_OPERATOR,
    F_CONDITIONS("KeyConditions"),
    F_TABLE_NAME_ITEM,
    {"ConsistentRead", DDB_V_BOOLEAN},
    F_INDEX_NAME(0),
    {"ScanIndexForward", DDB_V_BOOLEAN},
    F_STRING("KeyConditionExpression"),
    F_STRING("FilterExpression"),
    F_STRING("ProjectionExpression"),
    F_VALUES,
    F_NAMES,
    {NULL},
};

static const char *query_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *key_conditions = ddb_v_get(in, "KeyConditions");
    uint32_t n;
    const char *msg = ddb_vd_expression_params(req->arena, in,
                                        ENUM("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
                                        ENUM("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"));
    if (msg == NULL)
        msg = ddb_vd_check_conditions(req, ddb_v_get(in, "QueryFilter"));
    if (msg == NULL)
        msg = ddb_vd_conditional_operator_rule(in, "QueryFilter");
    if (msg == NULL)
        msg = ddb_vd_duplicate_names(req->arena, ddb_v_get(in, "AttributesToGet"));
    if (msg == NULL)
        msg = ddb_vd_check_start_key(req, in);
    if (msg == NULL && (msg = ddb_vd_select_rules(in, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an "
                                              "IndexName")) != NULL)
        msg = ddb_arena_sprintf(req->arena, "1 validation error detected: %s", msg); /* Query wraps these; Scan does not */
    if (msg != NULL)
        return msg;
    if (key_conditions == NULL && ddb_v_get(in, "KeyConditionExpression") == NULL)
        return "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.";
    if ((msg = ddb_vd_prepare(req, in, DDB_OP_Query)) != NULL)
        return msg;
    /* KeyConditionExpression's own conversion rules are expr.c's; legacy KeyConditions are checked here */
    if (key_conditions == NULL)
        return NULL;
    if ((msg = ddb_vd_check_conditions(req, key_conditions)) != NULL)
        return msg;
    ddb_v_map_entries(req->arena, key_conditions, &n);
    /* an index's multi-attribute key takes more: the handler counts them against it (ops_query.c) */
    if (n >= 1 && n <= (ddb_v_get(in, "IndexName") != NULL ? DDB_LEGACY_MAX_INDEX_CONDITIONS : 2))
        return NULL;
    return "Conditions can be of length 1 or 2 only";
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_query = {QUERY_FIELDS, query_rules, query_first};
