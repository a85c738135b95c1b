/*
 * server/api/validate/validate_scan.c: what Scan accepts (ops/ops_scan.c), as data, and its cross-field rules (what it
 * shares with the other data-plane specs: validate_data.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "server/api/validate/validate_data.h"

static const ddb_field SCAN_FIELDS[] = {
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN, .min = 1},
    F_RETURN_CONSUMED,
    F_ATTRIBUTES_TO_GET,
    {"Segment", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 0, .max = 999999},
    F_SELECT,
    F_CONDITIONS("ScanFilter"),
    F_CONDITIONAL_OPERATOR,
    {"TotalSegments", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 1000000},
    F_TABLE_NAME_ITEM,
    F_ATTR_MAP("ExclusiveStartKey", 0),
    F_INDEX_NAME(0),
    /* not in dynalite's list (it ignores the member); typed so a non-Boolean is refused as DynamoDB does */
    {"ConsistentRead", DDB_V_BOOLEAN},
    F_STRING("FilterExpression"),
    F_STRING("ProjectionExpression"),
    F_VALUES,
    F_NAMES,
    {NULL},
};

static const char *segment_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *seg = ddb_v_get(in, "Segment"), *total = ddb_v_get(in, "TotalSegments");
    double s = ddb_v_number(seg, 1), t = ddb_v_number(total, 1);

    /* any Segment, 0 included (dynalite tested `data.Segment`, falsy for 0, and let the Scan run) */
    if (seg != NULL && total == NULL)
        return "The TotalSegments parameter is required but was not present in the request when Segment parameter is "
               "present";
    if (total == NULL || t == 0)
        return NULL;
    if (seg == NULL)
        return "The Segment parameter is required but was not present in the request when parameter TotalSegments is "
               "present";
    if (s >= t)
        return ddb_arena_sprintf(req->arena, "The Segment parameter is zero-based and must be less than parameter "
                                             "TotalSegments: Segment: %s is not less than TotalSegments: %s",
                                 long_text(req->arena, seg), long_text(req->arena, total));
    return NULL;
}

static const char *scan_rules(ddb_req *req, const ddb_json *in)
{
    const char *msg = ddb_vd_expression_params(req->arena, in, ENUM("ProjectionExpression", "FilterExpression"),
                                        ENUM("AttributesToGet", "ScanFilter", "ConditionalOperator"));
    if (msg == NULL)
        msg = ddb_vd_duplicate_names(req->arena, ddb_v_get(in, "AttributesToGet"));
    if (msg == NULL)
        msg = ddb_vd_check_conditions(req, ddb_v_get(in, "ScanFilter"));
    if (msg == NULL)
        msg = ddb_vd_conditional_operator_rule(in, "ScanFilter");
    if (msg == NULL)
        msg = ddb_vd_check_start_key(req, in);
    if (msg == NULL)
        msg = ddb_vd_select_rules(in, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    if (msg == NULL)
        msg = segment_rules(req, in);
    return msg != NULL ? msg : ddb_vd_prepare(req, in, DDB_OP_Scan);
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_scan = {SCAN_FIELDS, scan_rules};
