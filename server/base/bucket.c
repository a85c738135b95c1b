/*
 * server/base/bucket.c: bucket names (see bucket.h).
 */
#include "server/base/bucket.h"

#include <string.h>

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int ddb_bucket_pattern_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n < 2 || !alnum(s[0]) || !alnum(s[n - 1]))
        return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (!alnum(s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}
