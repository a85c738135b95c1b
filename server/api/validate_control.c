/*
 * server/api/validate_control.c: the specs of the control-plane reads (ops_control.c), of
 * DescribeTimeToLive and of the on-demand backups (CreateBackup, DescribeBackup, DeleteBackup,
 * ListBackups).
 *
 * The control-plane reads take a table name or ARN in TableName, reported in the constraint form
 * ("Value null at 'tableName' failed to satisfy constraint: Member must not be null") as DynamoDB's
 * newer operations report it; the members are checked in the API reference's (alphabetical)
 * order, which could not be confirmed against DynamoDB (docs/compatibility.md).
 */
#include "server/api/validate_internal.h"

#define F_TABLE {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN}

static const ddb_field NO_FIELDS[] = {{NULL}};

static const ddb_field TABLE_ARN_ONLY_FIELDS[] = {
    F_TABLE,
    {NULL},
};

static const ddb_field PITR_SPECIFICATION_FIELDS[] = {
    {"PointInTimeRecoveryEnabled", DDB_V_BOOLEAN, DDB_VF_NOT_NULL},
    {"RecoveryPeriodInDays", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 35},
    {NULL},
};

static const ddb_field UPDATE_CONTINUOUS_BACKUPS_FIELDS[] = {
    {"PointInTimeRecoverySpecification", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = PITR_SPECIFICATION_FIELDS},
    F_TABLE,
    {NULL},
};

static const ddb_field DESCRIBE_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    F_INDEX_NAME(0),
    F_TABLE,
    {NULL},
};

/* TableName is optional here: without it the summaries of every table are listed */
static const ddb_field LIST_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    {"MaxResults", DDB_V_INTEGER, DDB_VF_MAX, .max = 100},
    {"NextToken", DDB_V_STRING},
    {"TableName", DDB_V_STRING, DDB_VF_TABLE_ARN},
    {NULL},
};

/* ---- on-demand backups (ops/ops_backups.c); members in the API reference's order ---- */

#define F_BACKUP_ARN                                                                                                   \
    {"BackupArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}

static const ddb_field CREATE_BACKUP_FIELDS[] = {
    {"BackupName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255},
    F_TABLE,
    {NULL},
};

static const ddb_field BACKUP_ARN_FIELDS[] = {
    F_BACKUP_ARN,
    {NULL},
};

static const ddb_field LIST_BACKUPS_FIELDS[] = {
    {"BackupType", DDB_V_STRING, .one_of = ENUM("USER", "SYSTEM", "AWS_BACKUP", "ALL")},
    {"ExclusiveStartBackupArn", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024},
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 100},
    {"TableName", DDB_V_STRING, DDB_VF_TABLE_ARN},
    {"TimeRangeLowerBound", DDB_V_DOUBLE},
    {"TimeRangeUpperBound", DDB_V_DOUBLE},
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_describe_endpoints = {NO_FIELDS};
const ddb_spec ddb_spec_describe_limits = {NO_FIELDS};
const ddb_spec ddb_spec_describe_continuous_backups = {TABLE_ARN_ONLY_FIELDS};
const ddb_spec ddb_spec_update_continuous_backups = {UPDATE_CONTINUOUS_BACKUPS_FIELDS};
const ddb_spec ddb_spec_describe_table_replica_auto_scaling = {TABLE_ARN_ONLY_FIELDS};
const ddb_spec ddb_spec_describe_kinesis_streaming_destination = {TABLE_ARN_ONLY_FIELDS};
const ddb_spec ddb_spec_describe_contributor_insights = {DESCRIBE_CONTRIBUTOR_INSIGHTS_FIELDS};
const ddb_spec ddb_spec_list_contributor_insights = {LIST_CONTRIBUTOR_INSIGHTS_FIELDS};
const ddb_spec ddb_spec_describe_time_to_live = {TABLE_ARN_ONLY_FIELDS};
const ddb_spec ddb_spec_create_backup = {CREATE_BACKUP_FIELDS};
const ddb_spec ddb_spec_describe_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_delete_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_list_backups = {LIST_BACKUPS_FIELDS};
