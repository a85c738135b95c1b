/*
 * server/api/validate/validate_control.c: the specs of the control-plane reads (ops/ops_control.c), and the
 * field list of the operations that take a table name or ARN alone (validate_internal.h).
 *
 * The control-plane reads take a table name or ARN in TableName, reported in the constraint form
 * ("Value null at 'tableName' failed to satisfy constraint: Member must not be null") as DynamoDB's
 * newer operations report it; the members are checked in the API reference's (alphabetical)
 * order, which could not be confirmed against DynamoDB (docs/compatibility.md).
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field NO_FIELDS[] = {{NULL}};

const ddb_field ddb_table_or_arn_fields[] = {
    F_TABLE_OR_ARN,
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_describe_endpoints = {NO_FIELDS};
const ddb_spec ddb_spec_describe_limits = {NO_FIELDS};
