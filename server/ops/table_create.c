/*
 * server/ops/table_create.c: a table made as CreateTable makes it (see table_create.h).
 */
#include "server/ops/table_create.h"

#include <sodium.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/ops/stream_spec.h"

/* A random (version 4) UUID, the table's TableId. */
static const char *new_uuid(ddb_arena *a)
{
    unsigned char b[16];

    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    return ddb_arena_sprintf(a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The request's tags (validated), in order. */
static void copy_tags(ddb_arena *a, ddb_desc_edit *e, const ddb_json *tags)
{
    size_t n = tags != NULL && tags->type == DDB_JSON_ARRAY ? tags->n : 0;
    ddb_tag *v = DDB_NEW_ARRAY(a, ddb_tag, n + 1);

    for (size_t i = 0; i < n; i++)
        v[i] = (ddb_tag){ddb_json_get_str(tags->u.items[i], "Key"), ddb_json_get_str(tags->u.items[i], "Value")};
    ddb_edit_tags(e, v, n);
}

static void copy_member(ddb_desc_edit *e, const ddb_json *src, ddb_desc_member m)
{
    const ddb_json *v = ddb_json_get(src, ddb_desc_member_name(m));

    if (v != NULL && v->type != DDB_JSON_NULL)
        ddb_edit_set(e, m, v);
}

/* The stored members of a CreateTable request, in DDB_DESC_MEMBERS's order; its indexes are
   ACTIVE at once (the table is empty, nothing to backfill). */
static void copy_members(ddb_desc_edit *e, const ddb_json *src)
{
#define X(name, from_create)                                                                                           \
    if (from_create)                                                                                                   \
        copy_member(e, src, DDB_DESC_##name);
    DDB_DESC_MEMBERS(X)
#undef X
}

/*
 * The namespace's quota of tables is DynamoDB's per account and Region (2,500 by default: the
 * developer guide's "Service, account, and table quotas"; --max-tables). Its text is DynamoDB's
 * (captured when the default was 256: hashicorp/terraform pull request 14571, "Subscriber limit
 * exceeded: There is a limit of 256 tables per subscriber").
 */
static int quota_fail(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED, "Subscriber limit exceeded: There is a limit of %u tables per subscriber",
                        ddb_catalog_max_tables(req->eng->catalog));
}

static int created(ddb_req *req, int rc)
{
    if (rc != DDB_CATALOG_FULL)
        return rc;
    quota_fail(req);
    return -2;
}

int ddb_table_room(ddb_req *req, const char *ns)
{
    if (ddb_catalog_room_for(req->eng->catalog, req->arena, ddb_ns_key(req->arena, ns, "x")))
        return DDB_OK;
    return quota_fail(req);
}

int ddb_table_create(ddb_req *req, const ddb_json *in, void (*more)(ddb_desc_edit *e, void *ctx), void *ctx,
                     const ddb_table **out)
{
    const char *key = ddb_ns_key(req->arena, req->ns, ddb_json_get_str(in, "TableName"));
    int with_stream = in == req->in;
    ddb_desc_edit *e = ddb_desc_edit_new(req->arena, key);
    stream_plan sp;
    ddb_batch extra;

    if (with_stream && ddb_stream_plan(req, NULL, &sp) != DDB_OK)
        return -2;
    ddb_edit_set_str(e, DDB_DESC_TableId, new_uuid(req->arena));
    /* without --namespaces every account shares the default namespace: the table keeps the account
       that made it, whose ARN it has for every caller (ddb_table_arn) */
    if ((req->ns == NULL || req->ns[0] == '\0') && req->account != NULL && strcmp(req->account, DDB_DEFAULT_ACCOUNT) != 0)
        ddb_edit_owner(e, req->account);
    copy_members(e, in);
    copy_tags(req->arena, e, ddb_json_get(in, "Tags"));
    if (with_stream && ddb_json_get_str(in, "ResourcePolicy") != NULL) { /* CreateTable's own (ops_policy.c) */
        ddb_policy *p = DDB_NEW_ARRAY(req->arena, ddb_policy, 1); /* the edit keeps it until the commit */
        *p = (ddb_policy){"", ddb_json_get_str(in, "ResourcePolicy"),
                          ddb_arena_sprintf(req->arena, "%llu", (unsigned long long)ddb_clock_now_ms())};
        ddb_edit_policies(e, p, 1);
    }
    if (with_stream)
        ddb_stream_plan_edit(req, e, NULL, &sp);
    if (more != NULL)
        more(e, ctx);
    ddb_batch_init(&extra, req->arena);
    if (with_stream)
        ddb_stream_plan_registry(req, key, ddb_json_get(in, "KeySchema"), NULL, &sp, &extra);
    ddb_edit_extra(e, &extra);
    return created(req, ddb_catalog_commit(req->eng->catalog, e, out));
}
