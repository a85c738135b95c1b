/*
 * server/api/validate_control.c: the specs of the control-plane reads (ops_control.c).
 *
 * Each takes a table name or ARN in TableName, reported in the constraint form ("Value null at
 * 'tableName' failed to satisfy constraint: Member must not be null") as DynamoDB's newer
 * operations report it; the members are checked in the API reference's (alphabetical) order,
 * which could not be confirmed against DynamoDB (docs/compatibility.md).
 */
#include "server/api/validate_internal.h"

#define F_TABLE {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN}

const ddb_field ddb_no_fields[] = {{NULL}};

const ddb_field ddb_table_arn_only_fields[] = {
    F_TABLE,
    {NULL},
};

static const ddb_field PITR_SPECIFICATION_FIELDS[] = {
    {"PointInTimeRecoveryEnabled", DDB_V_BOOLEAN, DDB_VF_NOT_NULL},
    {"RecoveryPeriodInDays", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 35},
    {NULL},
};

const ddb_field ddb_update_continuous_backups_fields[] = {
    {"PointInTimeRecoverySpecification", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = PITR_SPECIFICATION_FIELDS},
    F_TABLE,
    {NULL},
};

const ddb_field ddb_describe_contributor_insights_fields[] = {
    F_INDEX_NAME(0),
    F_TABLE,
    {NULL},
};

/* ---- on-demand backups (ops/ops_backups.c); members in the API reference's order ---- */

#define F_BACKUP_ARN                                                                                                   \
    {"BackupArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}

const ddb_field ddb_create_backup_fields[] = {
    {"BackupName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255},
    F_TABLE,
    {NULL},
};

const ddb_field ddb_backup_arn_fields[] = {
    F_BACKUP_ARN,
    {NULL},
};

const ddb_field ddb_list_backups_fields[] = {
    {"BackupType", DDB_V_STRING, .one_of = ENUM("USER", "SYSTEM", "AWS_BACKUP", "ALL")},
    {"ExclusiveStartBackupArn", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024},
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 100},
    {"TableName", DDB_V_STRING, DDB_VF_TABLE_ARN},
    {"TimeRangeLowerBound", DDB_V_DOUBLE},
    {"TimeRangeUpperBound", DDB_V_DOUBLE},
    {NULL},
};
