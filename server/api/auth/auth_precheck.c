/*
 * server/api/auth/auth_precheck.c: the Authorization header's plausibility, before the body (see
 * auth_precheck.h).
 */
#include "server/api/auth/auth_precheck.h"

#include <string.h>
#include <time.h>

/* Days since 1970-01-01 of a YYYYMMDD date, or -1 when it is not one. */
static long scope_day(const char *d, size_t n)
{
    struct tm tm = {0};
    int v[3] = {0, 0, 0}, w[3] = {4, 2, 2};

    if (n != 8)
        return -1;
    for (int f = 0, i = 0; f < 3; f++)
        for (int k = 0; k < w[f]; k++, i++) {
            if (d[i] < '0' || d[i] > '9')
                return -1;
            v[f] = v[f] * 10 + d[i] - '0';
        }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return -1;
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    return (long)(timegm(&tm) / 86400);
}

int ddb_auth_precheck(const ddb_auth *a, const char *authz, size_t len, uint64_t now_ms)
{
    ddb_auth_header ah;
    const char *part[5], *p;
    size_t plen[5], left;
    char key[129];
    long day, today = (long)(now_ms / 86400000);

    if (len < 17 || memcmp(authz, "AWS4-HMAC-SHA256 ", 17) != 0)
        return 0;
    ddb_auth_header_parse(authz, len, &ah);
    if (ah.cred == NULL || ah.sh == NULL || ah.sig == NULL)
        return 0;
    for (int i = 0; i < 5; i++) {
        const char *slash;
        p = i == 0 ? ah.cred : part[i - 1] + plen[i - 1] + 1;
        left = ah.cred_len - (size_t)(p - ah.cred);
        slash = i < 4 ? memchr(p, '/', left) : NULL;
        if (i < 4 && slash == NULL)
            return 0;
        part[i] = p;
        plen[i] = slash != NULL ? (size_t)(slash - p) : left;
    }
    if (plen[0] == 0 || plen[0] >= sizeof(key) || plen[3] != 8 || memcmp(part[3], "dynamodb", 8) != 0 ||
        plen[4] != 12 || memcmp(part[4], "aws4_request", 12) != 0)
        return 0;
    day = scope_day(part[1], plen[1]);
    if (day < 0 || day < today - 1 || day > today + 1)
        return 0;
    memcpy(key, part[0], plen[0]);
    key[plen[0]] = '\0';
    return ddb_auth_key_of(a, key) != NULL;
}
