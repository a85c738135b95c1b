/*
 * server/base/arn.c: ARNs, split once (see arn.h).
 */
#include "server/base/arn.h"

#include <string.h>

/* The next `sep`-separated field of [*p, end): its start and *len, *p moved past the separator;
   NULL when there is no separator left (the rest is not a field). */
static const char *field(const char **p, const char *end, char sep, size_t *len)
{
    const char *start = *p, *at = memchr(start, sep, (size_t)(end - start));

    if (at == NULL)
        return NULL;
    *len = (size_t)(at - start);
    *p = at + 1;
    return start;
}

static int is(const char *s, size_t n, const char *lit)
{
    return s != NULL && n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* "<type>/<name>[/<sub>[/<id>]]": each part present as far as its '/' is. */
static void split_resource(const char *p, const char *end, ddb_arn *out)
{
    if ((out->type = field(&p, end, '/', &out->type_len)) == NULL) {
        out->type = p;
        out->type_len = (size_t)(end - p);
        return;
    }
    out->path = out->name = p;
    out->path_len = (size_t)(end - p);
    if (field(&p, end, '/', &out->name_len) == NULL) {
        out->name_len = out->path_len;
        return;
    }
    out->sub = p;
    if (field(&p, end, '/', &out->sub_len) == NULL) {
        out->sub_len = (size_t)(end - p);
        return;
    }
    out->id = p;
    out->id_len = (size_t)(end - p);
}

int ddb_arn_parts(const char *s, size_t n, ddb_arn *out)
{
    const char *p = s, *end = s + n, *arn;
    size_t arn_len;

    memset(out, 0, sizeof(*out));
    if ((arn = field(&p, end, ':', &arn_len)) == NULL || !is(arn, arn_len, "arn") ||
        (out->partition = field(&p, end, ':', &out->partition_len)) == NULL ||
        (out->service = field(&p, end, ':', &out->service_len)) == NULL ||
        (out->region = field(&p, end, ':', &out->region_len)) == NULL ||
        (out->account = field(&p, end, ':', &out->account_len)) == NULL)
        return -1;
    out->resource = p;
    out->resource_len = (size_t)(end - p);
    split_resource(p, end, out);
    return 0;
}

int ddb_arn_split(const char *s, size_t n, ddb_arn *out)
{
    if (ddb_arn_parts(s, n, out) != 0 || out->partition_len == 0 || !is(out->service, out->service_len, "dynamodb") ||
        out->account_len == 0 || out->path == NULL || out->name_len == 0)
        return -1;
    if (ddb_arn_type_is(out, "table") ? out->region_len == 0 : !ddb_arn_type_is(out, "global-table"))
        return -1;
    /* a <kind> comes with its <id> */
    return out->sub == NULL || (out->sub_len > 0 && out->id != NULL && out->id_len > 0) ? 0 : -1;
}

int ddb_arn_is(const ddb_arn *a, const char *sub)
{
    return is(a->sub, a->sub_len, sub);
}

int ddb_arn_type_is(const ddb_arn *a, const char *type)
{
    return is(a->type, a->type_len, type);
}

const char *ddb_arn_table(ddb_arena *a, const char *region, const char *account, const char *name, const char *kind,
                          const char *id)
{
    const char *arn = ddb_arena_sprintf(a, "arn:aws:dynamodb:%s:%s:table/%s",
                                        region != NULL && region[0] ? region : "us-east-1", account, name);

    return kind == NULL ? arn : ddb_arena_sprintf(a, "%s/%s/%s", arn, kind, id);
}
