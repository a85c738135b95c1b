/*
 * server/api/arn.c: DynamoDB's ARNs, split once (see arn.h).
 */
#include "server/api/arn.h"

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
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* "<name>[/<sub>/<id>]", the part after "table/" or "global-table/". */
static int split_resource(const char *p, const char *end, ddb_arn *out)
{
    const char *slash = memchr(p, '/', (size_t)(end - p));

    out->name = p;
    out->name_len = slash ? (size_t)(slash - p) : (size_t)(end - p);
    if (out->name_len == 0)
        return -1;
    if (slash == NULL)
        return 0;
    p = slash + 1;
    if ((out->sub = field(&p, end, '/', &out->sub_len)) == NULL || out->sub_len == 0 || p == end)
        return -1;
    out->id = p;
    out->id_len = (size_t)(end - p);
    return 0;
}

int ddb_arn_split(const char *s, size_t n, ddb_arn *out)
{
    const char *p = s, *end = s + n, *svc, *arn;
    size_t arn_len, svc_len;

    memset(out, 0, sizeof(*out));
    if ((arn = field(&p, end, ':', &arn_len)) == NULL || !is(arn, arn_len, "arn"))
        return -1;
    if ((out->partition = field(&p, end, ':', &out->partition_len)) == NULL || out->partition_len == 0)
        return -1;
    if ((svc = field(&p, end, ':', &svc_len)) == NULL || !is(svc, svc_len, "dynamodb"))
        return -1;
    if ((out->region = field(&p, end, ':', &out->region_len)) == NULL)
        return -1;
    if ((out->account = field(&p, end, ':', &out->account_len)) == NULL || out->account_len == 0)
        return -1;
    if ((out->type = field(&p, end, '/', &out->type_len)) == NULL)
        return -1;
    if (is(out->type, out->type_len, "table") ? out->region_len == 0 : !is(out->type, out->type_len, "global-table"))
        return -1;
    return split_resource(p, end, out);
}

int ddb_arn_is(const ddb_arn *a, const char *sub)
{
    return a->sub != NULL && is(a->sub, a->sub_len, sub);
}
