/*
 * server/api/validate/validate_data.c: what the data-plane specs share (validate_data.h): the item, Query,
 * Scan and batch operations' members' building blocks, and the rules each of their specs applies
 * (validate_item.c, validate_query.c, validate_scan.c, validate_batch.c).
 *
 * Transcribed from dynalite's validations/<op>.js (architect/dynalite at ed24272). Field order
 * matters: it is the order in which DynamoDB reports problems. Rules that need the table's schema
 * (key types, index existence, duplicate BatchWriteItem keys) belong to the handlers, not here.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "server/api/validate/validate_data.h"
#include "server/base/arn.h"
#include "server/expr/expr.h"

const ddb_field ddb_vd_string_member[] = {{"member", DDB_V_STRING}};
const ddb_field ddb_vd_attr_member[] = {{"member", DDB_V_ATTR}};



/* Expected (PutItem, DeleteItem, UpdateItem). */
static const ddb_field EXPECTED_FIELDS[] = {
    {"AttributeValueList", DDB_V_LIST, .children = ddb_vd_attr_member},
    {"ComparisonOperator", DDB_V_STRING, .one_of = COMPARISON_OPERATORS},
    {"Exists", DDB_V_BOOLEAN},
    {"Value", DDB_V_ATTR},
    {NULL},
};
const ddb_field ddb_vd_expected_member[] = {{"member", DDB_V_STRUCT, .children = EXPECTED_FIELDS}};

/* KeyConditions, QueryFilter, ScanFilter. */
static const ddb_field CONDITION_FIELDS[] = {
    {"AttributeValueList", DDB_V_LIST, .children = ddb_vd_attr_member},
    {"ComparisonOperator", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = COMPARISON_OPERATORS},
    {NULL},
};
const ddb_field ddb_vd_condition_member[] = {{"member", DDB_V_STRUCT, .children = CONDITION_FIELDS}};

int ddb_vd_in_list(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (same_str(s, *list))
            return 1;
    return 0;
}

/* A TableName the member constraints pass: a table ARN of at most 1024 characters, or a name. */
int ddb_vd_table_name_fine(const char *t)
{
    size_t n = strlen(t), len = ddb_utf16_len(t, n);

    if (ddb_arn_like(t, n))
        return len <= 1024;
    return len >= 3 && len <= 255 && ddb_v_name_chars_ok(t, n);
}

/* ---- small helpers for the custom rules ---- */

/* Joins the present members of `names` (minus `skip`) with ", "; returns how many there were. */
static int present_names(ddb_buf *b, const ddb_json *in, const char *const *names, const char *skip)
{
    int n = 0;
    for (; *names != NULL; names++) {
        if (ddb_v_get(in, *names) == NULL || same_str(*names, skip))
            continue;
        if (n++ > 0)
            ddb_buf_puts(b, ", ");
        ddb_buf_puts(b, *names);
    }
    return n;
}

/* validateExpressionParams: presence rules between expression and legacy parameters. */
const char *ddb_vd_expression_params(ddb_arena *a, const ddb_json *in, const char *const *exprs,
                                     const char *const *legacy)
{
    ddb_buf eb = {0}, lb = {0};
    int nexpr = present_names(&eb, in, exprs, NULL), nvals = 0;
    const char *e = take(a, &eb);

    if (nexpr > 0) {
        /* KeyConditions may go with a FilterExpression as long as KeyConditionExpression is absent */
        const char *skip = ddb_v_get(in, "KeyConditions") != NULL && ddb_v_get(in, "KeyConditionExpression") == NULL
                               ? "KeyConditions"
                               : NULL;
        int nlegacy = present_names(&lb, in, legacy, skip);
        const char *l = take(a, &lb);
        if (nlegacy > 0)
            return ddb_arena_sprintf(a, "Can not use both expression and non-expression parameters in the same "
                                        "request: Non-expression parameters: {%s} Expression parameters: {%s}", l, e);
    }
    if (ddb_v_get(in, "ExpressionAttributeNames") != NULL && nexpr == 0)
        return "ExpressionAttributeNames can only be specified when using expressions";
    for (const char *const *x = exprs; *x != NULL; x++) {
        if (strcmp(*x, "ProjectionExpression") == 0)
            continue;
        if (ddb_v_get(in, *x) != NULL) {
            ddb_buf_free(&lb);
            return NULL;
        }
        if (nvals++ > 0)
            ddb_buf_puts(&lb, " and ");
        ddb_buf_puts(&lb, *x);
    }
    if (nvals > 0 && ddb_v_get(in, "ExpressionAttributeValues") != NULL)
        return ddb_arena_sprintf(a, "ExpressionAttributeValues can only be specified when using expressions: %s %s "
                                    "null", take(a, &lb), nvals > 1 ? "are" : "is");
    ddb_buf_free(&lb);
    return NULL;
}

/* The same for a structure that has no legacy parameters (ExportTableToPointInTime's FilterSpecification). */
const char *ddb_expression_params(ddb_arena *a, const ddb_json *in, const char *const *exprs)
{
    static const char *const none[] = {NULL};

    return ddb_vd_expression_params(a, in, exprs, none);
}

/* validateAttributeValue on one value; a null one is reported as empty. */
const char *ddb_vd_decode_value(ddb_req *req, const ddb_json *v, ddb_attr *out)
{
    if (!ddb_v_present(v))
        return "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
    return ddb_attr_from_json_as(req->arena, v, req->values, out);
}

/*
 * ConditionalOperator joins two or more legacy conditions; without any it is refused (DynamoDB's
 * ErrorFactory COND_OP_WITHOUT_FILTER_OR_EXPECTED, answered by DynamoDB Local 1.25 for PutItem).
 */
const char *ddb_vd_conditional_operator_rule(const ddb_json *in, const char *conditions)
{
    const ddb_json *c = ddb_v_get(in, conditions);
    uint32_t n = 0;

    if (ddb_v_get(in, "ConditionalOperator") == NULL)
        return NULL;
    if (c != NULL && c->type == DDB_JSON_OBJECT)
        n = c->n;
    return n == 0 ? "ConditionalOperator cannot be used without Filter or Expected" : NULL;
}

/* Decodes an Item/Key map once, for the handler (req->parsed). */
const char *ddb_vd_decode_map(ddb_req *req, const ddb_json *obj, const ddb_attr **out)
{
    ddb_attr *m = DDB_NEW(req->arena, ddb_attr);
    const char *msg = ddb_item_from_json_as(req->arena, obj, req->values, m);
    if (msg == NULL && out != NULL)
        *out = m;
    return msg;
}

/* findDuplicate over AttributesToGet; like dynalite, an empty-string duplicate is not reported. */
const char *ddb_vd_duplicate_names(ddb_arena *a, const ddb_json *list)
{
    for (uint32_t i = 1; i < list_len(list); i++) {
        const char *xs = list->u.items[i]->u.s; /* strings: a null member was refused (validate.c) */
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(xs, list->u.items[j]->u.s) != 0)
                continue;
            if (xs[0] == '\0')
                return NULL;
            return ddb_arena_sprintf(a, INVALID "Duplicate value in attribute name: %s", xs);
        }
    }
    return NULL;
}

/* The first data type of an AttributeValue in the type pass's member order (it reorders them). */
/* ---- legacy conditions: the checks live with their conversion in expr_legacy.c ---- */

/* validateAttributeConditions(data): Expected. */
const char *ddb_vd_check_expected(ddb_req *req, const ddb_json *in)
{
    return ddb_legacy_check_expected(req->arena, req->values, in);
}

/* validateConditions(conds): KeyConditions, QueryFilter, ScanFilter. */
const char *ddb_vd_check_conditions(ddb_req *req, const ddb_json *conds)
{
    return ddb_legacy_check_conditions(req->arena, req->values, conds);
}

/* ExclusiveStartKey values, each validated on its own. */
const char *ddb_vd_check_start_key(ddb_req *req, const ddb_json *in)
{
    uint32_t n;
    ddb_json_member *m = ddb_v_map_entries(req->arena, ddb_v_get(in, "ExclusiveStartKey"), &n);
    for (uint32_t i = 0; i < n; i++) {
        ddb_attr tmp;
        const char *msg = ddb_vd_decode_value(req, m[i].val, &tmp);
        if (msg != NULL && req->values == DDB_VALUES_2026 && ddb_attr_layer_message(msg))
            return msg; /* Query's 2026 layer reports a number or a set bare (proto/attr.h) */
        if (msg != NULL)
            return ddb_arena_sprintf(req->arena, "The provided starting key is invalid: %s", msg);
    }
    return NULL;
}

/*
 * validateExpressions for `in` as a request of `op` (its expression and legacy parameters, from
 * its row in proto/ops.def): the trees go to req->parsed for the handler.
 */
const char *ddb_vd_prepare(ddb_req *req, const ddb_json *in, ddb_op op)
{
    return ddb_expr_prepare_as(req->arena, ddb_op_flags(op), req->values, in, &req->parsed);
}

/* ---- Query and Scan ---- */

/* How Select combines with projections (DynamoDB's rules; dynalite has none). */
const char *ddb_vd_select_rules(const ddb_json *in, const char *verb)
{
    const char *select = ddb_json_get_str(in, "Select");
    const char *given = ddb_v_get(in, "AttributesToGet") ? "AttributesToGet"
                        : ddb_v_get(in, "ProjectionExpression") ? "ProjectionExpression" : NULL;

    if (select == NULL)
        return NULL;
    if (same_str(select, "ALL_ATTRIBUTES") && given)
        return strcmp(given, "AttributesToGet") == 0
                   ? "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"
                   : "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES";
    if (same_str(select, "COUNT") && given)
        return strcmp(given, "AttributesToGet") == 0
                   ? "Cannot specify the AttributesToGet when choosing to get only the Count"
                   : "Cannot specify the ProjectionExpression when choosing to get only the Count";
    if (same_str(select, "ALL_PROJECTED_ATTRIBUTES") && given)
        return strcmp(given, "AttributesToGet") == 0
                   ? "Cannot specify the AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES"
                   : "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES";
    if (same_str(select, "ALL_PROJECTED_ATTRIBUTES") && ddb_v_get(in, "IndexName") == NULL)
        return verb;
    if (same_str(select, "SPECIFIC_ATTRIBUTES") && !given)
        return "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
    return NULL;
}

