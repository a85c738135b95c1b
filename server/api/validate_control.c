/*
 * server/api/validate_control.c: the specs of the control-plane reads (ops_control.c), of
 * Contributor Insights (ops_insights.c), of
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

static const ddb_field UPDATE_CONTRIBUTOR_INSIGHTS_FIELDS[] = {
    {"ContributorInsightsAction", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("ENABLE", "DISABLE")},
    {"ContributorInsightsMode", DDB_V_STRING, .one_of = ENUM("ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS")},
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

/* ---- replica auto scaling and the global tables of version 2017.11.29 (ops/ops_replicas.c,
   ops/ops_global_legacy.c) ---- */

static const ddb_field SCALING_POLICY_CONFIG_FIELDS[] = {
    {"DisableScaleIn", DDB_V_BOOLEAN},
    {"ScaleInCooldown", DDB_V_INTEGER},
    {"ScaleOutCooldown", DDB_V_INTEGER},
    {"TargetValue", DDB_V_DOUBLE, DDB_VF_NOT_NULL},
    {NULL},
};
static const ddb_field SCALING_POLICY_UPDATE_FIELDS[] = {
    {"PolicyName", DDB_V_STRING},
    {"TargetTrackingScalingPolicyConfiguration", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = SCALING_POLICY_CONFIG_FIELDS},
    {NULL},
};
static const ddb_field AUTO_SCALING_UPDATE_FIELDS[] = {
    {"AutoScalingDisabled", DDB_V_BOOLEAN},
    {"AutoScalingRoleArn", DDB_V_STRING},
    {"MaximumUnits", DDB_V_LONG, DDB_VF_MIN, .min = 1},
    {"MinimumUnits", DDB_V_LONG, DDB_VF_MIN, .min = 1},
    {"ScalingPolicyUpdate", DDB_V_STRUCT, .children = SCALING_POLICY_UPDATE_FIELDS},
    {NULL},
};
static const ddb_field GSI_AUTO_SCALING_FIELDS[] = {
    {"IndexName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"ProvisionedWriteCapacityAutoScalingUpdate", DDB_V_STRUCT, .children = AUTO_SCALING_UPDATE_FIELDS},
    {NULL},
};
static const ddb_field GSI_AUTO_SCALING_MEMBER[] = {{"member", DDB_V_STRUCT, .children = GSI_AUTO_SCALING_FIELDS}};
static const ddb_field REPLICA_GSI_AUTO_SCALING_FIELDS[] = {
    {"IndexName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"ProvisionedReadCapacityAutoScalingUpdate", DDB_V_STRUCT, .children = AUTO_SCALING_UPDATE_FIELDS},
    {NULL},
};
static const ddb_field REPLICA_GSI_AUTO_SCALING_MEMBER[] = {
    {"member", DDB_V_STRUCT, .children = REPLICA_GSI_AUTO_SCALING_FIELDS}};
static const ddb_field REPLICA_AUTO_SCALING_FIELDS[] = {
    {"RegionName", DDB_V_STRING, DDB_VF_NOT_NULL},
    {"ReplicaGlobalSecondaryIndexUpdates", DDB_V_LIST, .children = REPLICA_GSI_AUTO_SCALING_MEMBER},
    {"ReplicaProvisionedReadCapacityAutoScalingUpdate", DDB_V_STRUCT, .children = AUTO_SCALING_UPDATE_FIELDS},
    {NULL},
};
static const ddb_field REPLICA_AUTO_SCALING_MEMBER[] = {{"member", DDB_V_STRUCT, .children = REPLICA_AUTO_SCALING_FIELDS}};
static const ddb_field UPDATE_REPLICA_AUTO_SCALING_FIELDS[] = {
    {"GlobalSecondaryIndexUpdates", DDB_V_LIST, DDB_VF_LEN_MIN, .len_min = 1, .children = GSI_AUTO_SCALING_MEMBER},
    {"ProvisionedWriteCapacityAutoScalingUpdate", DDB_V_STRUCT, .children = AUTO_SCALING_UPDATE_FIELDS},
    {"ReplicaUpdates", DDB_V_LIST, DDB_VF_LEN_MIN, .len_min = 1, .children = REPLICA_AUTO_SCALING_MEMBER},
    F_TABLE,
    {NULL},
};

#define F_GLOBAL_TABLE_NAME {"GlobalTableName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255}
static const ddb_field REGION_FIELDS[] = {
    {"RegionName", DDB_V_STRING},
    {NULL},
};
static const ddb_field REGION_MEMBER[] = {{"member", DDB_V_STRUCT, .children = REGION_FIELDS}};
static const ddb_field CREATE_GLOBAL_TABLE_FIELDS[] = {
    F_GLOBAL_TABLE_NAME,
    {"ReplicationGroup", DDB_V_LIST, DDB_VF_NOT_NULL, .children = REGION_MEMBER},
    {NULL},
};
static const ddb_field REPLICA_FIELDS_LEGACY[] = {
    {"RegionName", DDB_V_STRING, DDB_VF_NOT_NULL},
    {NULL},
};
static const ddb_field LEGACY_REPLICA_UPDATE_FIELDS[] = {
    {"Create", DDB_V_STRUCT, .children = REPLICA_FIELDS_LEGACY},
    {"Delete", DDB_V_STRUCT, .children = REPLICA_FIELDS_LEGACY},
    {NULL},
};
static const ddb_field LEGACY_REPLICA_UPDATE_MEMBER[] = {
    {"member", DDB_V_STRUCT, .children = LEGACY_REPLICA_UPDATE_FIELDS}};
static const ddb_field UPDATE_GLOBAL_TABLE_FIELDS[] = {
    F_GLOBAL_TABLE_NAME,
    {"ReplicaUpdates", DDB_V_LIST, DDB_VF_NOT_NULL, .children = LEGACY_REPLICA_UPDATE_MEMBER},
    {NULL},
};
static const ddb_field GLOBAL_TABLE_NAME_FIELDS[] = {
    F_GLOBAL_TABLE_NAME,
    {NULL},
};
static const ddb_field LIST_GLOBAL_TABLES_FIELDS[] = {
    {"ExclusiveStartGlobalTableName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN, .min = 1},
    {"RegionName", DDB_V_STRING},
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
const ddb_spec ddb_spec_update_contributor_insights = {UPDATE_CONTRIBUTOR_INSIGHTS_FIELDS};
const ddb_spec ddb_spec_describe_time_to_live = {TABLE_ARN_ONLY_FIELDS};
const ddb_spec ddb_spec_create_backup = {CREATE_BACKUP_FIELDS};
const ddb_spec ddb_spec_describe_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_delete_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_list_backups = {LIST_BACKUPS_FIELDS};
const ddb_spec ddb_spec_update_table_replica_auto_scaling = {UPDATE_REPLICA_AUTO_SCALING_FIELDS};
const ddb_spec ddb_spec_create_global_table = {CREATE_GLOBAL_TABLE_FIELDS};
const ddb_spec ddb_spec_update_global_table = {UPDATE_GLOBAL_TABLE_FIELDS};
const ddb_spec ddb_spec_describe_global_table = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_describe_global_table_settings = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_update_global_table_settings = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_list_global_tables = {LIST_GLOBAL_TABLES_FIELDS};
