/*
 * server/api/validate/validate_backups.c: the specs of the on-demand backups (ops/ops_backups.c):
 * CreateBackup, DescribeBackup, DeleteBackup, ListBackups, and RestoreTableFromBackup; members in
 * the API reference's order.
 */
#include "server/api/validate/validate_internal.h"

#define F_BACKUP_ARN                                                                                                   \
    {"BackupArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 37, .len_max = 1024}

static const ddb_field CREATE_BACKUP_FIELDS[] = {
    {"BackupName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255},
    F_TABLE_OR_ARN,
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

/* ---- RestoreTableFromBackup (its overrides are CreateTable's shapes; ops/ops_backups.c then runs
 * CreateTable's spec over the table it composes) ---- */

static const ddb_field RESTORE_TABLE_FROM_BACKUP_FIELDS[] = {
    F_BACKUP_ARN,
    {"BillingModeOverride", DDB_V_STRING, .one_of = ENUM("PROVISIONED", "PAY_PER_REQUEST")},
    {"GlobalSecondaryIndexOverride", DDB_V_LIST, .children = ddb_gsi_member},
    {"LocalSecondaryIndexOverride", DDB_V_LIST, .children = ddb_lsi_member},
    {"ProvisionedThroughputOverride", DDB_V_STRUCT, .children = ddb_throughput_fields},
    {"OnDemandThroughputOverride", DDB_V_STRUCT, .children = ddb_on_demand_fields}, /* ops/restore.c */
    {"SSESpecificationOverride", DDB_V_STRUCT, .children = ddb_sse_specification_fields},
    {"TargetTableName", DDB_V_STRING, DDB_VF_NOT_NULL | NAME_FLAGS, .len_min = 3, .len_max = 255},
    {"VectorIndexOverride", DDB_V_LIST, .children = ddb_vector_index_member}, /* ops/restore.c */
    {NULL},
};

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_create_backup = {CREATE_BACKUP_FIELDS};
const ddb_spec ddb_spec_describe_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_delete_backup = {BACKUP_ARN_FIELDS};
const ddb_spec ddb_spec_list_backups = {LIST_BACKUPS_FIELDS};
const ddb_spec ddb_spec_restore_table_from_backup = {RESTORE_TABLE_FROM_BACKUP_FIELDS};
