/*
 * server/ops/ops_global_legacy.c: global tables version 2017.11.29, answered as DynamoDB answers
 * them today. DynamoDB no longer creates legacy global tables in any region: CreateGlobalTable
 * and UpdateGlobalTable's Create are refused with its message naming version 2019.11.21, and since
 * no legacy global table can exist, the operations that name one find none and ListGlobalTables
 * lists none (captured against DynamoDB in 2026: docs/compatibility.md, "Global tables"). The
 * current version (UpdateTable's ReplicaUpdates) is ops_replicas.c.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/engine.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

#define RETIRED                                                                                                        \
    "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. We "      \
    "recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy)."

int ddb_op_create_global_table(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_VALIDATION, RETIRED);
}

static int not_found(ddb_req *req, const char *prefix)
{
    return ddb_req_fail(req, DDB_E_GLOBAL_TABLE_NOT_FOUND, "%sGlobal table with name: '%s' does not exist.", prefix,
                        ddb_json_get_str(req->in, "GlobalTableName"));
}

/* A Create is refused as CreateGlobalTable is when a table of that name is here (it could only
   become a legacy global table); with no such table, nothing can be the group: not found, as for
   the other updates (alternator's test_not_supported_update_global_table, run against DynamoDB:
   a Create of a name no table has is GlobalTableNotFoundException). */
int ddb_op_update_global_table(ddb_req *req)
{
    const ddb_json *updates = ddb_json_get(req->in, "ReplicaUpdates");
    const char *name = ddb_json_get_str(req->in, "GlobalTableName");
    int table = name != NULL && ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, name)) != NULL;

    if (updates == NULL || updates->type != DDB_JSON_ARRAY || updates->n == 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "One or more parameter values were invalid");
    for (uint32_t i = 0; table && i < updates->n; i++)
        if (ddb_json_get(updates->u.items[i], "Create") != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, RETIRED);
    return not_found(req, "Global table not found: ");
}

int ddb_op_describe_global_table(ddb_req *req)
{
    return not_found(req, "Global table not found: ");
}

int ddb_op_describe_global_table_settings(ddb_req *req)
{
    return not_found(req, "");
}

int ddb_op_update_global_table_settings(ddb_req *req)
{
    return not_found(req, "");
}

int ddb_op_list_global_tables(ddb_req *req)
{
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "GlobalTables");
    ddb_jw_arr_begin(w);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
