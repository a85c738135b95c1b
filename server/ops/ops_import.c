/*
 * server/ops/ops_import.c: ImportTable, DescribeImport and ListImports.
 *
 * ImportTable creates the table from TableCreationParameters at once (validated by CreateTable's
 * spec and made as CreateTable makes it, so its members are refused exactly as CreateTable refuses
 * them, and an existing table is ResourceInUseException), records the import IN_PROGRESS (engine/xfer.h) and kicks the
 * worker, which puts the items through the mutation pipeline (engine/import.c). DynamoDB shows
 * the table CREATING until the import ends; ddbd's table is ACTIVE from the start, with the
 * items arriving (docs/compatibility.md). Deleting the table cancels the import.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_xfer.h"
#include "server/ops/table_create.h"

#define IMPORT_CONFLICT                                                                                                \
    "There was a conflict when importing from the specified S3 source. This can occur when the current import "      \
    "conflicts with a previous import request that had the same client token."

/* An earlier import with this ClientToken: the same request gets it again, another one a conflict. */
static int client_token(ddb_req *req, const char *token, const ddb_json **found)
{
    const char **ids;
    size_t n = ddb_xfer_ids(req->eng->store, req->arena, DDB_IMPORT_PREFIX, &ids);
    const ddb_json *src = ddb_json_get(req->in, "S3BucketSource");
    const char *table = ddb_json_get_str(ddb_json_get(req->in, "TableCreationParameters"), "TableName");

    *found = NULL;
    for (size_t i = 0; token != NULL && i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(req->eng->store, req->arena, DDB_IMPORT_PREFIX, ids[i]);
        const ddb_json *rsrc = ddb_json_get(rec, "S3BucketSource");
        if (!ddb_xfer_same(rec, "ClientToken", token) || !ddb_xfer_same(rec, "ddbdNs", req->ns))
            continue;
        if (!ddb_xfer_same(rsrc, "S3Bucket", ddb_json_get_str(src, "S3Bucket")) ||
            !ddb_xfer_same(rsrc, "S3KeyPrefix", ddb_json_get_str(src, "S3KeyPrefix")) ||
            !ddb_xfer_same(rec, "InputFormat", ddb_json_get_str(req->in, "InputFormat")) ||
            !ddb_xfer_same(ddb_json_get(rec, "TableCreationParameters"), "TableName", table))
            return ddb_req_fail(req, DDB_E_IMPORT_CONFLICT, IMPORT_CONFLICT);
        *found = rec;
    }
    return DDB_OK;
}

/*
 * The table, made as CreateTable makes it from TableCreationParameters: validated by CreateTable's
 * spec, then created in the request's namespace; a failure is CreateTable's error, with its message.
 * The parameters are checked and stored as their own CreateTable request would be (a copy of them,
 * numbers coerced under --lenient-numbers), on a request of their own.
 */
static int create_table(ddb_req *req, const ddb_json *params)
{
    const ddb_spec *spec = &ddb_spec_create_table;
    ddb_arena a;
    ddb_buf body = {0}, out = {0};
    ddb_req r = {0};
    ddb_json *copy;
    ddb_jw w;
    int rc;

    ddb_arena_init(&a);
    ddb_jw_init(&w, &body);
    ddb_jw_json(&w, params);
    copy = ddb_json_parse(&a, body.data, body.len);
    if (req->lenient_numbers)
        ddb_v_coerce_numbers(copy, spec);
    ddb_req_internal(&r, req, &a, DDB_OP_CreateTable, copy, &out, req->account, req->region, req->ns);
    if (ddb_validate_under(&r, spec, copy, "TableCreationParameters") == DDB_OK) {
        const ddb_table *t;
        r.in = ddb_v_known(&a, copy, spec->fields); /* the table keeps no member the model lacks */
        rc = ddb_table_create(&r, r.in, NULL, NULL, &t);
        ddb_table_created_or_fail(&r, rc, DDB_E_RESOURCE_IN_USE, ddb_json_get_str(copy, "TableName"));
    }
    if (r.err.code != DDB_OK)
        ddb_req_fail(req, r.err.code, "%s", r.err.msg ? r.err.msg : "");
    ddb_arena_free(&a);
    ddb_buf_free(&body);
    ddb_buf_free(&out);
    return req->err.code;
}

static const char *log_group_arn(ddb_req *req)
{
    return ddb_arena_sprintf(req->arena, "arn:aws:logs:%s:%s:log-group:/aws-dynamodb/imports:*",
                             req->region && req->region[0] ? req->region : "us-east-1",
                             req->account ? req->account : DDB_DEFAULT_ACCOUNT);
}

/* An anonymised import's rules as its record keeps them: every member but "key", which is kept in
   memory only (anon.h, ddb_anon_keys): the record is in RocksDB's write-ahead log and files. */
static void rules_without_key(ddb_req *req, ddb_jw *w, const char *id)
{
    const ddb_json *rules = req->import_rules;
    const char *key = ddb_json_get_str(rules, "key");
    unsigned char h[32];

    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; rules->type == DDB_JSON_OBJECT && i < rules->n; i++) {
        const ddb_json_member *m = &rules->u.members[i];
        if (strcmp(m->key, "key") == 0)
            continue;
        ddb_jw_keyn(w, m->key, m->klen);
        ddb_jw_json(w, m->val);
    }
    ddb_jw_obj_end(w);
    if (key != NULL) { /* (the door refused rules without one) */
        ddb_anon_key_of(key, h);
        ddb_anon_keys_put(req->eng->anon_keys, id, h);
        sodium_memzero(h, sizeof(h));
    }
}

int ddb_op_import_table(ddb_req *req)
{
    const ddb_json *in = req->in, *params = ddb_json_get(in, "TableCreationParameters"), *prev;
    const char *name = ddb_json_get_str(params, "TableName"), *arn;
    const char *comp = ddb_json_get_str(in, "InputCompressionType");
    const ddb_table *t;
    double now = ddb_clock_now_s();
    char id[32], ts[40];
    ddb_buf buf = {0};
    ddb_jw w;
    int rc;

    if (client_token(req, ddb_json_get_str(in, "ClientToken"), &prev) != DDB_OK)
        return req->err.code;
    if (prev != NULL) {
        ddb_xfer_describe(req, "ImportTableDescription", prev);
        return DDB_OK;
    }
    if (create_table(req, params) != DDB_OK)
        return req->err.code;
    /* what the record keeps and DescribeImport echoes: the members the model has, as DynamoDB's
       own description is written from its model (an unknown member, however deep, is dropped) */
    in = ddb_v_known(req->arena, in, ddb_spec_import_table.fields);
    params = ddb_v_known(req->arena, params, ddb_spec_create_table.fields);
    if ((t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, name))) == NULL)
        return ddb_req_fail_internal(req);
    arn = ddb_table_arn(req, t);
    snprintf(ts, sizeof(ts), "%.3f", now);
    ddb_xfer_record_begin(req, &w, &buf, id, (uint64_t)(now * 1000), "ImportArn", "ImportStatus", "import", arn);
    ddb_xfer_table_members(&w, arn, t);
    ddb_xfer_copy_member(&w, in, "ClientToken");
    ddb_xfer_copy_member(&w, in, "S3BucketSource");
    ddb_jw_key(&w, "ErrorCount");
    ddb_jw_int(&w, 0);
    ddb_jw_key(&w, "CloudWatchLogGroupArn");
    ddb_jw_str(&w, log_group_arn(req));
    ddb_xfer_copy_member(&w, in, "InputFormat");
    ddb_xfer_copy_member(&w, in, "InputFormatOptions");
    ddb_jw_key(&w, "InputCompressionType");
    ddb_jw_str(&w, comp ? comp : "NONE");
    ddb_jw_key(&w, "TableCreationParameters");
    ddb_jw_json(&w, params);
    ddb_jw_key(&w, "StartTime");
    ddb_jw_raw_number(&w, ts);
    ddb_jw_key(&w, "ProcessedSizeBytes");
    ddb_jw_int(&w, 0);
    ddb_jw_key(&w, "ProcessedItemCount");
    ddb_jw_int(&w, 0);
    ddb_jw_key(&w, "ImportedItemCount");
    ddb_jw_int(&w, 0);
    ddb_jw_key(&w, "ddbdNs");
    ddb_jw_str(&w, req->ns);
    ddb_jw_key(&w, "ddbdTableId");
    ddb_jw_int(&w, t->id);
    if (req->import_rules != NULL) { /* checked by the door; read by the import (engine/xfer/anon.h) */
        ddb_jw_key(&w, "ddbdAnon");
        rules_without_key(req, &w, id);
    }
    ddb_jw_obj_end(&w);
    rc = ddb_xfer_start(req, DDB_IMPORT_PREFIX, id, &buf, "ImportTableDescription");
    if (rc != DDB_OK && req->import_rules != NULL)
        ddb_anon_keys_drop(req->eng->anon_keys, id);
    return rc;
}

int ddb_op_describe_import(ddb_req *req)
{
    return ddb_xfer_describe_op(req, "ImportArn", "import", DDB_IMPORT_PREFIX, DDB_E_IMPORT_NOT_FOUND, "Import",
                                "ImportTableDescription");
}

int ddb_op_list_imports(ddb_req *req)
{
    static const char *const members[] = {"ImportArn", "ImportStatus", "TableArn", "S3BucketSource",
                                          "CloudWatchLogGroupArn", "InputFormat", "StartTime", "EndTime", NULL};

    return ddb_xfer_list_op(req, DDB_IMPORT_PREFIX, "PageSize", "ImportSummaryList", members);
}
