/*
 * server/ops/ops_backups.c: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
 * RestoreTableFromBackup over engine/backups.h.
 *
 * Shapes and errors: the API reference for each operation, the AWS CLI's examples (captures of
 * DynamoDB), and the error texts public emulators reproduce ("Backup not found: <arn>", "Table
 * already exists: <name>", "Table not found: <name>"). A backup belongs to the request's namespace
 * and its ARN carries the request's region and account, like its table's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/backups.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/jobs/ttl.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/handlers.h"
#include "server/ops/history.h"
#include "server/ops/ops_common.h"
#include "server/ops/restore.h"
#include "server/ops/table_create.h"
#include "server/ops/table_desc.h"

#define IN_USE_TEXT                                                                                                    \
    "There is another ongoing conflicting backup control plane operation on the table. The backup is either being "    \
    "created, deleted or restored to a table."

/* The backup named by `arn` in the request's namespace, or NULL with BackupNotFoundException. */
static int backup_or_fail(ddb_req *req, const char *arn, ddb_backup *b)
{
    const char *id = ddb_backup_id_of_arn(arn);
    int rc = id != NULL ? ddb_backup_load(req->eng->store, req->arena, id, b) : 1;

    if (rc < 0)
        return ddb_req_fail_internal(req);
    if (rc == 1 || b->pitr || strcmp(b->arn, arn) != 0 || strcmp(b->ns, req->ns ? req->ns : "") != 0)
        return ddb_req_fail(req, DDB_E_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
    return DDB_OK;
}

/* ---- rendering ---- */

static void write_backup_details(ddb_jw *w, const ddb_backup *b, const char *status)
{
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "BackupArn", b->arn);
    ddb_jw_member_str(w, "BackupName", b->name);
    if (strcmp(b->status, "AVAILABLE") == 0)
        ddb_jw_member_int(w, "BackupSizeBytes", (long long)b->size);
    ddb_jw_member_str(w, "BackupStatus", status != NULL ? status : b->status);
    ddb_jw_member_str(w, "BackupType", b->system ? "SYSTEM" : "USER");
    ddb_jw_key(w, "BackupCreationDateTime");
    ddb_write_time_ms(w, b->created_ms);
    if (b->system) {
        ddb_jw_key(w, "BackupExpiryDateTime");
        ddb_write_time_ms(w, b->expires_ms);
    }
    ddb_jw_obj_end(w);
}

static void write_capacity(ddb_jw *w, const ddb_json *pt, int ppr)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "ReadCapacityUnits", ppr ? 0 : ddb_json_ll(pt, "ReadCapacityUnits"));
    ddb_jw_member_int(w, "WriteCapacityUnits", ppr ? 0 : ddb_json_ll(pt, "WriteCapacityUnits"));
    ddb_jw_obj_end(w);
}

static void write_source_table(ddb_jw *w, const ddb_backup *b)
{
    int ppr = strcmp(ddb_backup_billing_mode(b), "PAY_PER_REQUEST") == 0;

    ddb_jw_key(w, "SourceTableDetails");
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "TableName", b->table);
    ddb_jw_member_str(w, "TableId", b->table_uuid);
    ddb_jw_member_str(w, "TableArn", b->table_arn);
    ddb_jw_member_int(w, "TableSizeBytes", (long long)b->size);
    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(b->source, "KeySchema"));
    ddb_jw_key(w, "TableCreationDateTime");
    ddb_jw_json(w, ddb_json_get(b->source, "CreationDateTime"));
    write_capacity(w, ddb_json_get(b->source, "ProvisionedThroughput"), ppr);
    ddb_jw_member_int(w, "ItemCount", (long long)b->items);
    ddb_jw_member_str(w, "BillingMode", ddb_backup_billing_mode(b));
    ddb_jw_obj_end(w);
}

static void write_index_features(ddb_jw *w, const ddb_backup *b, const char *list, int ppr)
{
    const ddb_json *ixs = ddb_json_get(b->source, list);

    if (ixs == NULL || ixs->type != DDB_JSON_ARRAY || ixs->n == 0)
        return;
    ddb_jw_key(w, list);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < ixs->n; i++) {
        const ddb_json *ix = ixs->u.items[i];
        ddb_jw_obj_begin(w);
        ddb_write_index_shape(w, ix);
        if (list[0] == 'G')
            write_capacity(w, ddb_json_get(ix, "ProvisionedThroughput"), ppr);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* VectorIndexes: VectorIndexInfo (the index as declared). */
static void write_vector_features(ddb_jw *w, const ddb_backup *b)
{
    static const char *const members[] = {"IndexName", "VectorAttribute", "SearchSchema", "Projection", "Dimensions",
                                          "DistanceFunction", NULL};

    ddb_write_list_members(w, "VectorIndexes", ddb_json_get(b->source, "VectorIndexes"), members);
}

static void write_features(ddb_jw *w, const ddb_backup *b)
{
    const ddb_json *stream = ddb_json_get(b->source, "StreamSpecification");
    const ddb_json *sse = ddb_json_get(b->source, "SSESpecification");
    const ddb_json *on;
    ddb_ttl_facts ttl;
    int ppr = strcmp(ddb_backup_billing_mode(b), "PAY_PER_REQUEST") == 0;

    ddb_jw_key(w, "SourceTableFeatureDetails");
    ddb_jw_obj_begin(w);
    write_index_features(w, b, "LocalSecondaryIndexes", ppr);
    write_index_features(w, b, "GlobalSecondaryIndexes", ppr);
    write_vector_features(w, b);
    on = ddb_json_get(stream, "StreamEnabled");
    if (on != NULL && on->type == DDB_JSON_BOOL && on->u.b) {
        ddb_jw_key(w, "StreamDescription");
        ddb_jw_obj_begin(w);
        ddb_jw_member_bool(w, "StreamEnabled", 1);
        ddb_jw_member_str(w, "StreamViewType", ddb_json_get_str(stream, "StreamViewType"));
        ddb_jw_obj_end(w);
    }
    ddb_ttl_of_desc(b->source, &ttl);
    if (ttl.enabled) {
        ddb_jw_key(w, "TimeToLiveDescription");
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "TimeToLiveStatus", "ENABLED");
        ddb_jw_member_str(w, "AttributeName", ttl.attr);
        ddb_jw_obj_end(w);
    }
    on = ddb_json_get(sse, "Enabled");
    if (on != NULL && on->type == DDB_JSON_BOOL && on->u.b) {
        ddb_jw_key(w, "SSEDescription");
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "Status", "ENABLED");
        ddb_jw_member_str(w, "SSEType", "KMS");
        ddb_jw_obj_end(w);
    }
    ddb_jw_obj_end(w);
}

/* {"BackupDescription": {BackupDetails, SourceTableDetails, SourceTableFeatureDetails}} */
static void write_description(ddb_req *req, const ddb_backup *b, const char *status)
{
    ddb_jw *w = &req->out;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "BackupDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "BackupDetails");
    write_backup_details(w, b, status);
    write_source_table(w, b);
    write_features(w, b);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

/* ---- CreateBackup ---- */

int ddb_op_create_backup(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *t = ddb_table_named(req, name);
    uint64_t now = ddb_clock_now_ms();
    char *id;
    uint32_t keyspace;
    ddb_backup b;

    if (t == NULL)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", name);
    if (t->restoring)
        return ddb_req_fail(req, DDB_E_TABLE_IN_USE, "Table is being restored: %s", name);
    if ((keyspace = ddb_catalog_new_id(req->eng->catalog)) == 0)
        return ddb_req_fail_internal(req);
    /* the 14-digit creation time in ms and 8 hex digits, as DynamoDB names backups; made to grow, so
       ListBackups (in id order) lists in creation order also within one millisecond */
    id = ddb_arena_alloc(req->arena, 32);
    ddb_xfer_new_id(id, now);
    /* the backup is the table as of now: every write acknowledged before this request is in it */
    ddb_backup_of_table(req, t, id, ddb_json_get_str(req->in, "BackupName"), now, keyspace, &b);
    if (ddb_backup_create(req->eng, &b, 0) != 0)
        return ddb_req_fail_internal(req);
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, "BackupDetails");
    write_backup_details(&req->out, &b, NULL);
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}

/* ---- DescribeBackup, DeleteBackup ---- */

int ddb_op_describe_backup(ddb_req *req)
{
    ddb_backup b;

    if (backup_or_fail(req, ddb_json_get_str(req->in, "BackupArn"), &b) != DDB_OK)
        return req->err.code;
    write_description(req, &b, NULL);
    return DDB_OK;
}

/* Whether a restore still reads the backup's keyspace. */
static int restoring_from(ddb_req *req, uint32_t keyspace)
{
    const ddb_table **tables;
    size_t n = ddb_catalog_snapshot(req->eng->catalog, req->arena, &tables);

    for (size_t i = 0; i < n; i++) {
        if (tables[i]->restoring && tables[i]->restore_from == keyspace)
            return 1;
    }
    return 0;
}

int ddb_op_delete_backup(ddb_req *req)
{
    ddb_backup b;

    if (backup_or_fail(req, ddb_json_get_str(req->in, "BackupArn"), &b) != DDB_OK)
        return req->err.code;
    if (strcmp(b.status, "AVAILABLE") != 0 || restoring_from(req, b.keyspace))
        return ddb_req_fail(req, DDB_E_BACKUP_IN_USE, IN_USE_TEXT);
    if (ddb_backup_delete(req->eng, &b) != 0)
        return ddb_req_fail_internal(req);
    write_description(req, &b, "DELETED");
    return DDB_OK;
}

/* ---- ListBackups ---- */

typedef struct list_state {
    ddb_req *req;
    const char *table;  /* NULL: every table */
    int user, system;   /* the BackupTypes listed (USER alone by default; AWS_BACKUP: none here) */
    double lower, upper; /* ms; upper exclusive */
    long limit, n;
    const char *last;   /* the ARN of the last one listed */
    int more;
} list_state;

static int list_cb(void *ctx, const ddb_backup *b)
{
    list_state *st = ctx;
    ddb_jw *w = &st->req->out;

    if (b->pitr || !(b->system ? st->system : st->user) || (st->table != NULL && strcmp(b->table, st->table) != 0))
        return 0;
    if ((double)b->created_ms < st->lower || (double)b->created_ms >= st->upper)
        return 0;
    if (st->n == st->limit) {
        st->more = 1;
        return 1;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "TableName", b->table);
    ddb_jw_member_str(w, "TableId", b->table_uuid);
    ddb_jw_member_str(w, "TableArn", b->table_arn);
    ddb_jw_member_str(w, "BackupArn", b->arn);
    ddb_jw_member_str(w, "BackupName", b->name);
    ddb_jw_key(w, "BackupCreationDateTime");
    ddb_write_time_ms(w, b->created_ms);
    if (b->system) {
        ddb_jw_key(w, "BackupExpiryDateTime");
        ddb_write_time_ms(w, b->expires_ms);
    }
    ddb_jw_member_str(w, "BackupStatus", b->status);
    ddb_jw_member_str(w, "BackupType", b->system ? "SYSTEM" : "USER");
    if (strcmp(b->status, "AVAILABLE") == 0)
        ddb_jw_member_int(w, "BackupSizeBytes", (long long)b->size);
    ddb_jw_obj_end(w);
    st->last = ddb_arena_sprintf(st->req->arena, "%s", b->arn);
    st->n++;
    return 0;
}

int ddb_op_list_backups(ddb_req *req)
{
    const ddb_json *in = req->in;
    const char *type = ddb_json_get_str(in, "BackupType");
    const ddb_json *lo = ddb_json_get(in, "TimeRangeLowerBound"), *hi = ddb_json_get(in, "TimeRangeUpperBound");
    const char *start = ddb_json_get_str(in, "ExclusiveStartBackupArn");
    list_state st = {req, req->table, 0, 0, -1, 1e300, 100, 0, NULL, 0};

    /* USER is "the default setting if no other backup types are specified" (the API reference) */
    st.user = type == NULL || strcmp(type, "USER") == 0 || strcmp(type, "ALL") == 0;
    st.system = type != NULL && (strcmp(type, "SYSTEM") == 0 || strcmp(type, "ALL") == 0);
    if (ddb_v_present(lo))
        st.lower = ddb_v_number(lo, 0) * 1000.0;
    if (ddb_v_present(hi))
        st.upper = ddb_v_number(hi, 0) * 1000.0;
    if (ddb_v_present(ddb_json_get(in, "Limit")))
        st.limit = (long)ddb_json_integer(ddb_json_get(in, "Limit"), 100);
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, "BackupSummaries");
    ddb_jw_arr_begin(&req->out);
    if (ddb_backup_each(req->eng->store, req->ns ? req->ns : "", start ? ddb_backup_id_of_arn(start) : NULL, list_cb,
                        &st) != 0)
        return ddb_req_fail_internal(req);
    ddb_jw_arr_end(&req->out);
    if (st.more && st.last != NULL)
        ddb_jw_member_str(&req->out, "LastEvaluatedBackupArn", st.last);
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}

/* ---- RestoreTableFromBackup ---- */

int ddb_op_restore_table_from_backup(ddb_req *req)
{
    ddb_backup b;

    if (backup_or_fail(req, ddb_json_get_str(req->in, "BackupArn"), &b) != DDB_OK)
        return req->err.code;
    if (strcmp(b.status, "AVAILABLE") != 0)
        return ddb_req_fail(req, DDB_E_BACKUP_IN_USE, IN_USE_TEXT);
    return ddb_restore_start(req, &b, 0, ddb_clock_now_ms());
}

