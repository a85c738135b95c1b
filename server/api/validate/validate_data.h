/*
 * server/api/validate/validate_data.h: what the data-plane specs share (validate_data.c): the members'
 * building blocks and the rules of the item (validate_item.c), Query (validate_query.c), Scan
 * (validate_scan.c) and batch (validate_batch.c) operations. Internal to server/api/validate/.
 */
#ifndef DDB_VALIDATE_DATA_H
#define DDB_VALIDATE_DATA_H

#include "server/api/validate/validate_internal.h"

extern const ddb_field ddb_vd_string_member[];
extern const ddb_field ddb_vd_attr_member[];
extern const ddb_field ddb_vd_expected_member[];  /* Expected (PutItem, DeleteItem, UpdateItem) */
extern const ddb_field ddb_vd_condition_member[]; /* KeyConditions, QueryFilter, ScanFilter */

#define F_RETURN_METRICS {"ReturnItemCollectionMetrics", DDB_V_STRING, .one_of = ENUM("SIZE", "NONE")}
#define F_RETURN_VALUES                                                                                                \
    {"ReturnValues", DDB_V_STRING, .one_of = ENUM("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")}
#define F_RETURN_VALUES_ON_FAILURE                                                                                     \
    {"ReturnValuesOnConditionCheckFailure", DDB_V_STRING, .one_of = ENUM("ALL_OLD", "NONE")}
#define F_CONDITIONAL_OPERATOR {"ConditionalOperator", DDB_V_STRING, .one_of = ENUM("OR", "AND")}
/* Item operations check the name as a constraint (table operations as a "required" parameter);
 * a name or, since 2024, a table ARN (validate.c, check_table_or_arn). */
#define F_TABLE_NAME_ITEM {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN}
#define F_ATTR_MAP(name, flags) {name, DDB_V_MAP, flags, .children = ddb_vd_attr_member}
#define F_NAMES {"ExpressionAttributeNames", DDB_V_MAP, .children = ddb_vd_string_member}
#define F_VALUES F_ATTR_MAP("ExpressionAttributeValues", 0)
#define F_STRING(name) {name, DDB_V_STRING}
#define F_ATTRIBUTES_TO_GET                                                                                            \
    {"AttributesToGet", DDB_V_LIST, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255,                     \
     .children = ddb_vd_string_member}
#define COMPARISON_OPERATORS                                                                                           \
    ENUM("IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE",      \
         "CONTAINS")
#define F_EXPECTED {"Expected", DDB_V_MAP, .children = ddb_vd_expected_member}
#define F_CONDITIONS(name) {name, DDB_V_MAP, .children = ddb_vd_condition_member}
#define F_SELECT                                                                                                       \
    {"Select", DDB_V_STRING,                                                                                           \
     .one_of = ENUM("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")}

/* Whether s is one of the NULL-terminated list. */
int ddb_vd_in_list(const char *s, const char *const *list);
/* A TableName the member constraints pass: a table ARN of at most 1024 characters, or a name. */
int ddb_vd_table_name_fine(const char *t);
/* validateExpressionParams: presence rules between expression and legacy parameters. */
const char *ddb_vd_expression_params(ddb_arena *a, const ddb_json *in, const char *const *exprs,
                                     const char *const *legacy);
/* validateAttributeValue on one value; a null one is reported as empty. */
const char *ddb_vd_decode_value(ddb_req *req, const ddb_json *v, ddb_attr *out);
/* ConditionalOperator without any legacy condition in `conditions`: refused. */
const char *ddb_vd_conditional_operator_rule(const ddb_json *in, const char *conditions);
/* Decodes an Item/Key map once, for the handler (req->parsed). */
const char *ddb_vd_decode_map(ddb_req *req, const ddb_json *obj, const ddb_attr **out);
/* findDuplicate over AttributesToGet. */
const char *ddb_vd_duplicate_names(ddb_arena *a, const ddb_json *list);
/* The legacy conditions' checks (expr_legacy.c): Expected; KeyConditions, QueryFilter, ScanFilter. */
const char *ddb_vd_check_expected(ddb_req *req, const ddb_json *in);
const char *ddb_vd_check_conditions(ddb_req *req, const ddb_json *conds);
/* ExclusiveStartKey values, each validated on its own. */
const char *ddb_vd_check_start_key(ddb_req *req, const ddb_json *in);
/* validateExpressions for `in` as a request of `op`: the trees go to req->parsed. */
const char *ddb_vd_prepare(ddb_req *req, const ddb_json *in, ddb_op op);
/* How Select combines with projections; `verb` is the text for ALL_PROJECTED_ATTRIBUTES without an index. */
const char *ddb_vd_select_rules(const ddb_json *in, const char *verb);

#endif
