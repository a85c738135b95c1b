/*
 * server/ops/table_create.c: a table made as CreateTable makes it (see table_create.h).
 */
#include "server/ops/table_create.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ddb/ddb_status.h"
#include "server/engine/engine.h"
#include "server/ops/stream_spec.h"

/* Request members kept in the stored description, in the order DescribeTable renders them. */
static const char *const stored_members[] = {
    "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput", "LocalSecondaryIndexes",
    "GlobalSecondaryIndexes", "StreamSpecification", "SSESpecification", "TableClass", "DeletionProtectionEnabled",
    NULL,
};


static void write_uuid(ddb_jw *w)
{
    unsigned char b[16];
    char s[37];

    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(s, sizeof(s), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    ddb_jw_str(w, s);
}

/* Tags as ops_tags.c keeps them: "ddbdTags": [{"Key", "Value"}...] (validated; none: left out). */
static void copy_tags(ddb_jw *w, const ddb_json *tags)
{
    if (tags == NULL || tags->type != DDB_JSON_ARRAY || tags->n == 0)
        return;
    ddb_jw_key(w, "ddbdTags");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < tags->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "Key");
        ddb_jw_str(w, ddb_json_get_str(tags->u.items[i], "Key"));
        ddb_jw_key(w, "Value");
        ddb_jw_str(w, ddb_json_get_str(tags->u.items[i], "Value"));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* Copies the stored members of a CreateTable request into an object being written; its indexes
   are ACTIVE at once (the table is empty, nothing to backfill). The stream is stream_spec.c's. */
static void copy_members(ddb_jw *w, const ddb_json *src)
{
    for (int i = 0; stored_members[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(src, stored_members[i]);
        if (v == NULL || v->type == DDB_JSON_NULL || strcmp(stored_members[i], "StreamSpecification") == 0)
            continue;
        ddb_jw_key(w, stored_members[i]);
        if (v->type != DDB_JSON_ARRAY || strstr(stored_members[i], "SecondaryIndexes") == NULL) {
            ddb_jw_json(w, v);
            continue;
        }
        ddb_jw_arr_begin(w);
        for (uint32_t k = 0; k < v->n; k++) {
            const ddb_json *ix = v->u.items[k];
            ddb_jw_obj_begin(w);
            for (uint32_t m = 0; ix->type == DDB_JSON_OBJECT && m < ix->n; m++) {
                ddb_jw_keyn(w, ix->u.members[m].key, ix->u.members[m].klen);
                ddb_jw_json(w, ix->u.members[m].val);
            }
            ddb_jw_key(w, "IndexStatus");
            ddb_jw_str(w, "ACTIVE");
            ddb_jw_obj_end(w);
        }
        ddb_jw_arr_end(w);
    }
    copy_tags(w, ddb_json_get(src, "Tags"));
}

int ddb_table_create(ddb_req *req, const ddb_json *in, void (*more)(ddb_jw *w, void *ctx), void *ctx,
                     const ddb_table **out)
{
    const char *key = ddb_ns_key(req->arena, req->ns, ddb_json_get_str(in, "TableName"));
    int with_stream = in == req->in;
    ddb_buf buf = {0};
    ddb_jw w;
    stream_plan sp;
    ddb_batch extra;
    int rc;

    if (with_stream && ddb_stream_plan(req, NULL, &sp) != DDB_OK)
        return -2;
    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableId");
    write_uuid(&w);
    copy_members(&w, in);
    if (with_stream)
        ddb_stream_plan_write(req, &w, NULL, &sp);
    if (more != NULL)
        more(&w, ctx);
    ddb_jw_obj_end(&w);
    ddb_batch_init(&extra, req->arena);
    if (with_stream)
        ddb_stream_plan_registry(req, key, ddb_json_get(in, "KeySchema"), NULL, &sp, &extra);
    rc = ddb_catalog_create(req->eng->catalog, key, buf.data, buf.len, ddb_now_seconds(), &extra, out);
    ddb_buf_free(&buf);
    return rc;
}
