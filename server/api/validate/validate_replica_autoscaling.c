/*
 * server/api/validate/validate_replica_autoscaling.c: the specs of replica auto scaling
 * (ops/ops_replica_autoscaling.c): DescribeTableReplicaAutoScaling and UpdateTableReplicaAutoScaling.
 */
#include "server/api/validate/validate_internal.h"

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
    F_TABLE_OR_ARN,
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_describe_table_replica_auto_scaling = {ddb_table_or_arn_fields};
const ddb_spec ddb_spec_update_table_replica_auto_scaling = {UPDATE_REPLICA_AUTO_SCALING_FIELDS};
