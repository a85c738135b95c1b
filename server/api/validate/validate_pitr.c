/*
 * server/api/validate/validate_pitr.c: the specs of point-in-time recovery's settings (ops/ops_pitr.c):
 * DescribeContinuousBackups, UpdateContinuousBackups and RestoreTableToPointInTime, members in the
 * API reference's order.
 */
#include "server/api/validate/validate_internal.h"

static const ddb_field PITR_SPECIFICATION_FIELDS[] = {
    {"PointInTimeRecoveryEnabled", DDB_V_BOOLEAN, DDB_VF_NOT_NULL},
    {"RecoveryPeriodInDays", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 35},
    {NULL},
};

static const ddb_field UPDATE_CONTINUOUS_BACKUPS_FIELDS[] = {
    {"PointInTimeRecoverySpecification", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = PITR_SPECIFICATION_FIELDS},
    F_TABLE_OR_ARN,
    {NULL},
};

/* RestoreTableToPointInTime: RestoreTableFromBackup's overrides; the source by name or ARN, the
   time or UseLatestRestorableTime (which of them: ops/ops_pitr.c). */
static const ddb_field RESTORE_TABLE_TO_POINT_IN_TIME_FIELDS[] = {
    {"BillingModeOverride", DDB_V_STRING, .one_of = ENUM("PROVISIONED", "PAY_PER_REQUEST")},
    {"GlobalSecondaryIndexOverride", DDB_V_LIST, .children = ddb_gsi_member},
    {"LocalSecondaryIndexOverride", DDB_V_LIST, .children = ddb_lsi_member},
    {"ProvisionedThroughputOverride", DDB_V_STRUCT, .children = ddb_throughput_fields},
    {"OnDemandThroughputOverride", DDB_V_STRUCT, .children = ddb_on_demand_fields},
    {"RestoreDateTime", DDB_V_DOUBLE},
    {"SSESpecificationOverride", DDB_V_STRUCT, .children = ddb_sse_specification_fields},
    {"SourceTableArn", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024},
    {"SourceTableName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"TargetTableName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"UseLatestRestorableTime", DDB_V_BOOLEAN},
    {"VectorIndexOverride", DDB_V_LIST, .children = ddb_vector_index_member}, /* ops/restore.c */
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_describe_continuous_backups = {ddb_table_or_arn_fields};
const ddb_spec ddb_spec_update_continuous_backups = {UPDATE_CONTINUOUS_BACKUPS_FIELDS};
const ddb_spec ddb_spec_restore_table_to_point_in_time = {RESTORE_TABLE_TO_POINT_IN_TIME_FIELDS};
