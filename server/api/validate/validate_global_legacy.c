/*
 * server/api/validate/validate_global_legacy.c: the specs of the global tables of version 2017.11.29
 * (ops/ops_global_legacy.c).
 */
#include "server/api/validate/validate_internal.h"

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
static const ddb_field UPDATE_GLOBAL_TABLE_FIELDS[] = {
    F_GLOBAL_TABLE_NAME,
    {"ReplicaUpdates", DDB_V_LIST, DDB_VF_NOT_NULL, .children = ddb_region_update_member},
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

const ddb_spec ddb_spec_create_global_table = {CREATE_GLOBAL_TABLE_FIELDS};
const ddb_spec ddb_spec_update_global_table = {UPDATE_GLOBAL_TABLE_FIELDS};
const ddb_spec ddb_spec_describe_global_table = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_describe_global_table_settings = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_update_global_table_settings = {GLOBAL_TABLE_NAME_FIELDS};
const ddb_spec ddb_spec_list_global_tables = {LIST_GLOBAL_TABLES_FIELDS};
