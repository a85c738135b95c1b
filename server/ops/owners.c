/*
 * server/ops/owners.c: the tables the objects of the operations belong to (owners.h).
 *
 * An export's, import's or bulk operation's record is found by the id in its ARN alone
 * (ops_xfer.c), whatever table the ARN's text names, so the table decided is the record's own.
 * Also a table's owner account (the account its ARNs carry), and the exports whose files lie where
 * an import or a bulk put reads (docs/security.md, "Import sources").
 */
#include "server/ops/owners.h"

#include <string.h>

#include "server/base/arn.h"
#include "server/api/resources.h"
#include "server/engine/engine.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/ops_common.h"
#include "server/ops/ops_xfer.h"

/* A table's name from a record's TableArn (exports, imports) or TableName (bulk operations). */
static const char *table_of_record(ddb_req *req, const ddb_json *rec)
{
    const char *arn = ddb_json_get_str(rec, "TableArn");
    ddb_arn a;

    if (arn != NULL && ddb_arn_split(arn, strlen(arn), &a) == 0)
        return ddb_arena_strndup(req->arena, a.name, a.name_len);
    return ddb_json_get_str(rec, "TableName");
}

static const char *xfer_owner(ddb_req *req, const char *text)
{
    static const struct {
        const char *sub, *prefix;
    } kinds[] = {{"export", DDB_EXPORT_PREFIX}, {"import", DDB_IMPORT_PREFIX}, {"bulk-operation", DDB_BULK_PREFIX}};
    const ddb_json *rec;
    ddb_arn a;

    if (ddb_arn_split(text, strlen(text), &a) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (ddb_arn_is(&a, kinds[i].sub))
            return (rec = ddb_xfer_of_arn(req, text, kinds[i].sub, kinds[i].prefix)) != NULL
                       ? table_of_record(req, rec)
                       : NULL;
    return NULL;
}

const char *ddb_resource_owner_of(ddb_req *req, int kind, const char *text, const char **label)
{
    *label = NULL;
    if (kind == DDB_RES_ITERATOR)
        return ddb_streams_iterator_owner(req, text, label);
    return kind == DDB_RES_XFER ? xfer_owner(req, text) : NULL;
}

const char *ddb_resource_account_of(ddb_req *req, const char *table)
{
    const ddb_table *t = req->eng != NULL && req->ns != NULL
                             ? ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, table))
                             : NULL;

    return t != NULL ? ddb_table_account(t) : NULL;
}

/* Where an export writes: "<S3Prefix>/AWSDynamoDB/" (engine/xfer/export.c adds the '/'), or
   "AWSDynamoDB/" at the bucket's top; every export's files and its incremental data are below. */
static const char *export_place(ddb_req *req, const char *prefix)
{
    size_t n = prefix != NULL ? strlen(prefix) : 0;

    return ddb_arena_sprintf(req->arena, "%s%sAWSDynamoDB/", n ? prefix : "", n && prefix[n - 1] != '/' ? "/" : "");
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int ddb_resource_sources_of(ddb_req *req, const char *bucket, const char *prefix, ddb_auth_export **out, size_t *n)
{
    const char **ids;
    size_t nids = ddb_xfer_ids(req->eng->store, req->arena, DDB_EXPORT_PREFIX, &ids), k = 0;
    ddb_auth_export *v = DDB_NEW_ARRAY(req->arena, ddb_auth_export, nids + 1);
    int inside = 0;

    for (size_t i = 0; i < nids; i++) {
        const ddb_json *rec = ddb_xfer_load(req->eng->store, req->arena, DDB_EXPORT_PREFIX, ids[i]);
        const char *place, *arn = ddb_json_get_str(rec, "TableArn");
        size_t j = 0;
        if (rec == NULL || arn == NULL || !ddb_xfer_same(rec, "S3Bucket", bucket))
            continue;
        place = export_place(req, ddb_json_get_str(rec, "S3Prefix"));
        if (!starts_with(prefix, place) && !starts_with(place, prefix))
            continue;
        inside |= starts_with(prefix, place);
        while (j < k && strcmp(v[j].arn, arn) != 0)
            j++;
        if (j == k) /* one per table */
            v[k++] = (ddb_auth_export){table_of_record(req, rec), arn,
                                       strcmp(ddb_json_get_str(rec, "ddbdNs") ? ddb_json_get_str(rec, "ddbdNs") : "",
                                              req->ns ? req->ns : "") != 0};
    }
    *out = v;
    *n = k;
    return inside;
}
