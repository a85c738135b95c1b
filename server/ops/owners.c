/*
 * server/ops/owners.c: the tables the objects of the operations belong to (owners.h).
 *
 * An export's, import's or bulk operation's record is found by the id in its ARN alone
 * (ops_xfer.c), whatever table the ARN's text names, so the table decided is the record's own.
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
