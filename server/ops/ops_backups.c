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


#include "server/engine/jobs/backups.h"
#include "server/base/clock.h"
#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/ops/ops_backups.h"
#include "server/ops/ops_common.h"
#include "server/ops/ops_table.h"
#include "server/server.h"
#include "server/engine/jobs/tasks.h"
#include "server/api/validate.h"
#include "server/engine/xfer/xfer.h"

#define IN_USE_TEXT                                                                                                    \
    "There is another ongoing conflicting backup control plane operation on the table. The backup is either being "    \
    "created, deleted or restored to a table."

/* A time in epoch seconds with milliseconds, as DynamoDB writes them. */
static void write_time_ms(ddb_jw *w, uint64_t ms)
{
    char s[32];

    snprintf(s, sizeof(s), "%llu.%03llu", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    ddb_jw_raw_number(w, s);
}

static void write_str(ddb_jw *w, const char *key, const char *val)
{
    ddb_jw_key(w, key);
    ddb_jw_str(w, val != NULL ? val : "");
}

/* The backup named by `arn` in the request's namespace, or NULL with BackupNotFoundException. */
static int backup_or_fail(ddb_req *req, const char *arn, ddb_backup *b)
{
    const char *id = ddb_backup_id_of_arn(arn);
    int rc = id != NULL ? ddb_backup_load(req->srv->store, req->arena, id, b) : 1;

    if (rc < 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    if (rc == 1 || b->pitr || strcmp(b->arn, arn) != 0 || strcmp(b->ns, req->ns ? req->ns : "") != 0)
        return ddb_req_fail(req, DDB_E_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
    return DDB_OK;
}

/* ---- rendering ---- */

static void write_backup_details(ddb_jw *w, const ddb_backup *b, const char *status)
{
    ddb_jw_obj_begin(w);
    write_str(w, "BackupArn", b->arn);
    write_str(w, "BackupName", b->name);
    if (strcmp(b->status, "AVAILABLE") == 0) {
        ddb_jw_key(w, "BackupSizeBytes");
        ddb_jw_int(w, (long long)b->size);
    }
    write_str(w, "BackupStatus", status != NULL ? status : b->status);
    write_str(w, "BackupType", b->system ? "SYSTEM" : "USER");
    ddb_jw_key(w, "BackupCreationDateTime");
    write_time_ms(w, b->created_ms);
    if (b->system) {
        ddb_jw_key(w, "BackupExpiryDateTime");
        write_time_ms(w, b->expires_ms);
    }
    ddb_jw_obj_end(w);
}

static const char *source_billing(const ddb_backup *b)
{
    const char *m = ddb_json_get_str(b->source, "BillingMode");
    return m != NULL ? m : "PROVISIONED";
}

static void write_capacity(ddb_jw *w, const ddb_json *pt, int ppr)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, ppr ? 0 : ddb_json_ll(pt, "ReadCapacityUnits"));
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, ppr ? 0 : ddb_json_ll(pt, "WriteCapacityUnits"));
    ddb_jw_obj_end(w);
}

static void write_source_table(ddb_jw *w, const ddb_backup *b)
{
    int ppr = strcmp(source_billing(b), "PAY_PER_REQUEST") == 0;

    ddb_jw_key(w, "SourceTableDetails");
    ddb_jw_obj_begin(w);
    write_str(w, "TableName", b->table);
    write_str(w, "TableId", b->table_uuid);
    write_str(w, "TableArn", b->table_arn);
    ddb_jw_key(w, "TableSizeBytes");
    ddb_jw_int(w, (long long)b->size);
    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(b->source, "KeySchema"));
    ddb_jw_key(w, "TableCreationDateTime");
    ddb_jw_json(w, ddb_json_get(b->source, "CreationDateTime"));
    write_capacity(w, ddb_json_get(b->source, "ProvisionedThroughput"), ppr);
    ddb_jw_key(w, "ItemCount");
    ddb_jw_int(w, (long long)b->items);
    write_str(w, "BillingMode", source_billing(b));
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
        write_str(w, "IndexName", ddb_json_get_str(ix, "IndexName"));
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, ddb_json_get(ix, "KeySchema"));
        ddb_jw_key(w, "Projection");
        ddb_jw_json(w, ddb_json_get(ix, "Projection"));
        if (list[0] == 'G')
            write_capacity(w, ddb_json_get(ix, "ProvisionedThroughput"), ppr);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void write_features(ddb_jw *w, const ddb_backup *b)
{
    const ddb_json *stream = ddb_json_get(b->source, "StreamSpecification");
    const ddb_json *ttl = ddb_json_get(b->source, "ddbdTtl");
    const ddb_json *sse = ddb_json_get(b->source, "SSESpecification");
    const ddb_json *on;
    int ppr = strcmp(source_billing(b), "PAY_PER_REQUEST") == 0;

    ddb_jw_key(w, "SourceTableFeatureDetails");
    ddb_jw_obj_begin(w);
    write_index_features(w, b, "LocalSecondaryIndexes", ppr);
    write_index_features(w, b, "GlobalSecondaryIndexes", ppr);
    on = ddb_json_get(stream, "StreamEnabled");
    if (on != NULL && on->type == DDB_JSON_BOOL && on->u.b) {
        ddb_jw_key(w, "StreamDescription");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "StreamEnabled");
        ddb_jw_bool(w, 1);
        write_str(w, "StreamViewType", ddb_json_get_str(stream, "StreamViewType"));
        ddb_jw_obj_end(w);
    }
    on = ddb_json_get(ttl, "Enabled");
    if (on != NULL && on->type == DDB_JSON_BOOL && on->u.b) {
        ddb_jw_key(w, "TimeToLiveDescription");
        ddb_jw_obj_begin(w);
        write_str(w, "TimeToLiveStatus", "ENABLED");
        write_str(w, "AttributeName", ddb_json_get_str(ttl, "Attr"));
        ddb_jw_obj_end(w);
    }
    on = ddb_json_get(sse, "Enabled");
    if (on != NULL && on->type == DDB_JSON_BOOL && on->u.b) {
        ddb_jw_key(w, "SSEDescription");
        ddb_jw_obj_begin(w);
        write_str(w, "Status", "ENABLED");
        write_str(w, "SSEType", "KMS");
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

/* The members every backup record has, into an open object. */
static void write_record(ddb_jw *w, ddb_req *req, const ddb_table *t, const char *arn, uint64_t now,
                         uint32_t keyspace, const char *name)
{
    write_str(w, "Arn", arn);
    write_str(w, "Name", name);
    write_str(w, "Ns", req->ns);
    write_str(w, "Table", t->name);
    write_str(w, "TableArn", ddb_table_arn(req, t->name));
    write_str(w, "TableId", ddb_json_get_str(t->desc, "TableId"));
    ddb_jw_key(w, "SourceId");
    ddb_jw_int(w, t->id);
    ddb_jw_key(w, "Keyspace");
    ddb_jw_int(w, keyspace);
    ddb_jw_key(w, "Created");
    ddb_jw_int(w, (long long)now);
    write_str(w, "Status", "CREATING");
    ddb_jw_key(w, "Source");
    ddb_jw_json(w, t->desc);
}

const char *ddb_backup_record(ddb_req *req, const ddb_table *t, const char *arn, uint64_t now, uint32_t keyspace,
                              const char *kind, const ddb_store_snapshot *snap, size_t *len)
{
    const char *shared = ddb_store_snapshot_name(req->srv->store, snap);
    ddb_buf buf = {0};
    ddb_jw w;
    const char *out;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    write_record(&w, req, t, arn, now, keyspace, kind != NULL ? kind : ddb_json_get_str(req->in, "BackupName"));
    if (kind != NULL)
        write_str(&w, "Kind", kind);
    if (shared != NULL) /* whichever gateway copies it opens the snapshot by this name (storage.h) */
        write_str(&w, "Snapshot", shared);
    ddb_jw_obj_end(&w);
    out = ddb_arena_strndup(req->arena, buf.data, buf.len);
    *len = buf.len;
    ddb_buf_free(&buf);
    return out;
}

/*
 * DeleteTable of a table with point-in-time recovery keeps its items as a SYSTEM backup,
 * "<table>$DeletedTableBackup", for DDB_SYSTEM_BACKUP_DAYS, as DynamoDB does. Nothing is copied:
 * the table's own keyspace becomes the backup's (the caller leaves it out of the purge), and the
 * record joins the catalog change's write, so no crash can lose the items or keep them unowned.
 * The worker then counts them and marks the backup AVAILABLE.
 */
void ddb_backup_system_record(ddb_req *req, const ddb_table *t, ddb_batch *out)
{
    uint64_t now = ddb_clock_now_ms();
    char *id = ddb_arena_alloc(req->arena, 32);
    const char *arn, *key;
    ddb_buf buf = {0};
    ddb_jw w;

    ddb_xfer_new_id(id, now);
    arn = ddb_arena_sprintf(req->arena, "%s/backup/%s", ddb_table_arn(req, t->name), id);
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    write_record(&w, req, t, arn, now, t->id, ddb_arena_sprintf(req->arena, "%s$DeletedTableBackup", t->name));
    write_str(&w, "Type", "SYSTEM");
    ddb_jw_key(&w, "Expires");
    ddb_jw_int(&w, (long long)(now + (uint64_t)DDB_SYSTEM_BACKUP_DAYS * 86400000ull));
    ddb_jw_obj_end(&w);
    key = ddb_arena_sprintf(req->arena, DDB_BACKUP_PREFIX "%s", id);
    ddb_batch_meta_put(out, key, strlen(key), ddb_arena_strndup(req->arena, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
}

int ddb_op_create_backup(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const ddb_table *t = ddb_catalog_get(req->srv->catalog, ddb_ns_key(req->arena, req->ns, name));
    uint64_t now = ddb_clock_now_ms();
    ddb_store_snapshot *snap;
    const char *arn, *rec;
    char *id;
    uint32_t keyspace;
    ddb_backup b;
    size_t len;

    if (t == NULL)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", name);
    if (t->restoring)
        return ddb_req_fail(req, DDB_E_TABLE_IN_USE, "Table is being restored: %s", name);
    if ((keyspace = ddb_catalog_new_id(req->srv->catalog)) == 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    /* the 14-digit creation time in ms and 8 hex digits, as DynamoDB names backups; made to grow, so
       ListBackups (in id order) lists in creation order also within one millisecond */
    id = ddb_arena_alloc(req->arena, 32);
    ddb_xfer_new_id(id, now);
    arn = ddb_arena_sprintf(req->arena, "%s/backup/%s", ddb_table_arn(req, t->name), id);
    /* the backup is the table as of now: every write acknowledged before this request is in it */
    snap = ddb_store_snapshot_take(req->srv->store);
    rec = ddb_backup_record(req, t, arn, now, keyspace, NULL, snap, &len);
    if (ddb_backup_start(req->srv, id, rec, len, snap) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    memset(&b, 0, sizeof(b));
    b.arn = arn;
    b.name = ddb_json_get_str(req->in, "BackupName");
    b.status = "CREATING";
    b.created_ms = now;
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
    size_t n = ddb_catalog_snapshot(req->srv->catalog, req->arena, &tables);

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
    if (ddb_backup_delete(req->srv, &b) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
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
    write_str(w, "TableName", b->table);
    write_str(w, "TableId", b->table_uuid);
    write_str(w, "TableArn", b->table_arn);
    write_str(w, "BackupArn", b->arn);
    write_str(w, "BackupName", b->name);
    ddb_jw_key(w, "BackupCreationDateTime");
    write_time_ms(w, b->created_ms);
    if (b->system) {
        ddb_jw_key(w, "BackupExpiryDateTime");
        write_time_ms(w, b->expires_ms);
    }
    write_str(w, "BackupStatus", b->status);
    write_str(w, "BackupType", b->system ? "SYSTEM" : "USER");
    if (strcmp(b->status, "AVAILABLE") == 0) {
        ddb_jw_key(w, "BackupSizeBytes");
        ddb_jw_int(w, (long long)b->size);
    }
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
    list_state st = {req, ddb_json_get_str(in, "TableName"), 0, 0, -1, 1e300, 100, 0, NULL, 0};

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
    if (ddb_backup_each(req->srv->store, req->ns ? req->ns : "", start ? ddb_backup_id_of_arn(start) : NULL, list_cb,
                        &st) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_jw_arr_end(&req->out);
    if (st.more && st.last != NULL)
        write_str(&req->out, "LastEvaluatedBackupArn", st.last);
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}

/* ---- RestoreTableFromBackup ---- */

/* Whether `name` is an AttributeName in a list of key schema elements. */
static int in_key_schema(const ddb_json *ks, const char *name)
{
    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *a = ddb_json_get_str(ks->u.items[i], "AttributeName");
        if (a != NULL && strcmp(a, name) == 0)
            return 1;
    }
    return 0;
}

static int attr_used(const ddb_json *src, const ddb_json *lsis, const ddb_json *gsis, const char *name)
{
    const ddb_json *lists[2] = {lsis, gsis};

    if (in_key_schema(ddb_json_get(src, "KeySchema"), name))
        return 1;
    for (int l = 0; l < 2; l++) {
        for (uint32_t i = 0; lists[l] != NULL && lists[l]->type == DDB_JSON_ARRAY && i < lists[l]->n; i++)
            if (in_key_schema(ddb_json_get(lists[l]->u.items[i], "KeySchema"), name))
                return 1;
    }
    return 0;
}

/* An index as CreateTable takes it: its name, key, projection and (provisioned) throughput. */
static void write_index(ddb_jw *w, const ddb_json *ix, int global, const ddb_json *pt)
{
    ddb_jw_obj_begin(w);
    write_str(w, "IndexName", ddb_json_get_str(ix, "IndexName"));
    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(ix, "KeySchema"));
    ddb_jw_key(w, "Projection");
    ddb_jw_json(w, ddb_json_get(ix, "Projection"));
    if (global && pt != NULL) {
        const ddb_json *own = ddb_json_get(ix, "ProvisionedThroughput");
        const ddb_json *use = own != NULL && ddb_json_ll(own, "ReadCapacityUnits") > 0 ? own : pt;
        ddb_jw_key(w, "ProvisionedThroughput");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "ReadCapacityUnits");
        ddb_jw_int(w, ddb_json_ll(use, "ReadCapacityUnits"));
        ddb_jw_key(w, "WriteCapacityUnits");
        ddb_jw_int(w, ddb_json_ll(use, "WriteCapacityUnits"));
        ddb_jw_obj_end(w);
    }
    ddb_jw_obj_end(w);
}

static void write_index_list(ddb_jw *w, const char *key, const ddb_json *list, int global, const ddb_json *pt,
                             int from_request)
{
    if (list == NULL || list->type != DDB_JSON_ARRAY || list->n == 0)
        return;
    ddb_jw_key(w, key);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < list->n; i++) {
        if (from_request) /* an override is passed as sent: CreateTable's spec judges it */
            ddb_jw_json(w, list->u.items[i]);
        else
            write_index(w, list->u.items[i], global, pt);
    }
    ddb_jw_arr_end(w);
}

/*
 * The CreateTable request that makes the restored table: the backup's schema with the request's
 * overrides (billing mode, throughput, the index lists replacing the backup's, SSE); only the
 * attribute definitions the remaining keys use are kept. Streams, TTL, tags, deletion protection
 * and PITR are not restored, as in DynamoDB.
 */
const ddb_json *ddb_restore_compose(ddb_req *req, const ddb_backup *b)
{
    const ddb_json *in = req->in, *src = b->source;
    const char *mode = ddb_json_get_str(in, "BillingModeOverride");
    const ddb_json *pt = ddb_json_get(in, "ProvisionedThroughputOverride");
    const ddb_json *lsi_o = ddb_json_get(in, "LocalSecondaryIndexOverride");
    const ddb_json *gsi_o = ddb_json_get(in, "GlobalSecondaryIndexOverride");
    const ddb_json *lsis = lsi_o != NULL ? lsi_o : ddb_json_get(src, "LocalSecondaryIndexes");
    const ddb_json *gsis = gsi_o != NULL ? gsi_o : ddb_json_get(src, "GlobalSecondaryIndexes");
    const ddb_json *sse = ddb_json_get(in, "SSESpecificationOverride");
    const ddb_json *defs = ddb_json_get(src, "AttributeDefinitions");
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_json *out;

    if (mode == NULL)
        mode = source_billing(b);
    if (pt == NULL && strcmp(mode, "PROVISIONED") == 0 && strcmp(source_billing(b), "PROVISIONED") == 0)
        pt = ddb_json_get(src, "ProvisionedThroughput");
    if (sse == NULL)
        sse = ddb_json_get(src, "SSESpecification");
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    write_str(&w, "TableName", ddb_json_get_str(in, "TargetTableName"));
    ddb_jw_key(&w, "AttributeDefinitions");
    ddb_jw_arr_begin(&w);
    for (uint32_t i = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++) {
        const char *name = ddb_json_get_str(defs->u.items[i], "AttributeName");
        if (name != NULL && attr_used(src, lsis, gsis, name))
            ddb_jw_json(&w, defs->u.items[i]);
    }
    ddb_jw_arr_end(&w);
    ddb_jw_key(&w, "KeySchema");
    ddb_jw_json(&w, ddb_json_get(src, "KeySchema"));
    write_str(&w, "BillingMode", mode);
    if (pt != NULL && strcmp(mode, "PROVISIONED") == 0) {
        ddb_jw_key(&w, "ProvisionedThroughput");
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "ReadCapacityUnits");
        ddb_jw_json(&w, ddb_json_get(pt, "ReadCapacityUnits"));
        ddb_jw_key(&w, "WriteCapacityUnits");
        ddb_jw_json(&w, ddb_json_get(pt, "WriteCapacityUnits"));
        ddb_jw_obj_end(&w);
    }
    write_index_list(&w, "LocalSecondaryIndexes", lsis, 0, NULL, lsi_o != NULL);
    write_index_list(&w, "GlobalSecondaryIndexes", gsis, 1, strcmp(mode, "PROVISIONED") == 0 ? pt : NULL,
                     gsi_o != NULL);
    if (sse != NULL) {
        ddb_jw_key(&w, "SSESpecification");
        ddb_jw_json(&w, sse);
    }
    if (ddb_json_get(src, "TableClass") != NULL) {
        ddb_jw_key(&w, "TableClass");
        ddb_jw_json(&w, ddb_json_get(src, "TableClass"));
    }
    ddb_jw_obj_end(&w);
    out = ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
    return out;
}

typedef struct restore_member {
    const ddb_backup *b;
    uint64_t now;
    uint32_t log;      /* to a point in time: the source's change log (pitr.h), replayed up to `now` */
} restore_member;

/* "ddbdRestore": what the worker fills the table from, and the RestoreSummary to report. */
static void write_restore_member(ddb_jw *w, void *ctx)
{
    const restore_member *r = ctx;

    ddb_jw_key(w, "ddbdRestore");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Keyspace");
    ddb_jw_int(w, r->b->keyspace);
    if (r->log == 0)
        write_str(w, "SourceBackupArn", r->b->arn);
    else {
        ddb_jw_key(w, "Log");
        ddb_jw_int(w, r->log);
        ddb_jw_key(w, "Until");
        ddb_jw_int(w, (long long)r->now);
    }
    write_str(w, "SourceTableArn", r->b->table_arn);
    ddb_jw_key(w, "RestoreDateTime");
    write_time_ms(w, r->now);
    ddb_jw_key(w, "InProgress");
    ddb_jw_bool(w, 1);
    ddb_jw_obj_end(w);
}

int ddb_op_restore_table_from_backup(ddb_req *req)
{
    ddb_backup b;

    if (backup_or_fail(req, ddb_json_get_str(req->in, "BackupArn"), &b) != DDB_OK)
        return req->err.code;
    if (strcmp(b.status, "AVAILABLE") != 0)
        return ddb_req_fail(req, DDB_E_BACKUP_IN_USE, IN_USE_TEXT);
    return ddb_restore_start(req, &b, 0, ddb_clock_now_ms());
}

int ddb_restore_start(ddb_req *req, const ddb_backup *b, uint32_t log, uint64_t when_ms)
{
    const char *target = ddb_json_get_str(req->in, "TargetTableName");
    const ddb_table *t;
    const ddb_json *create;
    restore_member rm;
    int rc;

    if (ddb_catalog_get(req->srv->catalog, ddb_ns_key(req->arena, req->ns, target)) != NULL)
        return ddb_req_fail(req, DDB_E_TABLE_ALREADY_EXISTS, "Table already exists: %s", target);
    if ((create = ddb_restore_compose(req, b)) == NULL)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    if (ddb_validate(req, ddb_spec_for_op(DDB_OP_CreateTable), create) != DDB_OK)
        return req->err.code;
    rm = (restore_member){b, when_ms, log};
    rc = ddb_table_create(req, create, write_restore_member, &rm, &t);
    if (rc == -2)
        return req->err.code;
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_TABLE_ALREADY_EXISTS, "Table already exists: %s", target);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    ddb_tasks_kick(req->srv->tasks);
    ddb_write_table_description(req, t, "TableDescription", ddb_table_status(t), 0);
    return DDB_OK;
}
