/*
 * proto/json_scan.c: the copy-free JSON scanner (json_scan.h).
 */
#include "proto/json_scan.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

const char *ddb_jscan_skip(const char *p, const char *end)
{
    int depth = 0;

    p = ws(p, end);
    if (p >= end)
        return NULL;
    if (*p != '{' && *p != '[') { /* a scalar */
        const char *start = p;
        if (*p == '"')
            return skip_string(p, end);
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            p++;
        /* none at all (a closer or a comma where a value goes) is no value: taken for an empty one,
           "[}" held ddb_jscan_each_element at its '}' for ever (fuzz_replay) */
        return p > start ? p : NULL;
    }
    for (; p < end; p++) {
        if (*p == '"') {
            if ((p = skip_string(p, end)) == NULL)
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return NULL;
}

int ddb_jscan_each_member(ddb_jspan v, int (*fn)(void *arg, ddb_jspan key, ddb_jspan val), void *arg)
{
    const char *p = v.p, *end, *k, *e;

    if (p == NULL) /* (an absent member: no end to compute from a null pointer) */
        return -1;
    end = p + v.n;
    if ((p = ws(p, end)) >= end || *p != '{')
        return -1;
    for (p = ws(p + 1, end); p < end && *p != '}';) {
        if (*p != '"' || (e = skip_string(p, end)) == NULL)
            return -1;
        k = p;
        p = ws(e, end);
        if (p >= end || *p != ':')
            return -1;
        p = ws(p + 1, end);
        if ((e = ddb_jscan_skip(p, end)) == NULL)
            return -1;
        if (fn(arg, (ddb_jspan){k + 1, (size_t)(skip_string(k, end) - k - 2)}, (ddb_jspan){p, (size_t)(e - p)}) != 0)
            return 1;
        p = ws(e, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    return p < end ? 0 : -1;
}

int ddb_jscan_each_element(ddb_jspan v, int (*fn)(void *arg, ddb_jspan val), void *arg)
{
    const char *p = v.p, *end, *e;

    if (p == NULL)
        return -1;
    end = p + v.n;
    if ((p = ws(p, end)) >= end || *p != '[')
        return -1;
    for (p = ws(p + 1, end); p < end && *p != ']';) {
        if ((e = ddb_jscan_skip(p, end)) == NULL)
            return -1;
        if (fn(arg, (ddb_jspan){p, (size_t)(e - p)}) != 0)
            return 1;
        p = ws(e, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    return p < end ? 0 : -1;
}

typedef struct find {
    const char *key;
    size_t n;
    ddb_jspan found;
} find;

static int find_one(void *arg, ddb_jspan key, ddb_jspan val)
{
    find *f = arg;

    if (key.n != f->n || memcmp(key.p, f->key, f->n) != 0)
        return 0;
    f->found = val;
    return 1;
}

ddb_jspan ddb_jscan_member(ddb_jspan v, const char *key)
{
    find f = {key, strlen(key), {NULL, 0}};

    ddb_jscan_each_member(v, find_one, &f);
    return f.found;
}

long long ddb_jscan_int(ddb_jspan v, long long dflt)
{
    char num[32], *end;
    long long x = 0;
    double d;
    size_t i = 0;

    if (v.p == NULL || v.n == 0 || v.n >= sizeof(num) || strchr("-0123456789", v.p[0]) == NULL)
        return dflt;
    while (i < v.n && i < 18 && v.p[i] >= '0' && v.p[i] <= '9') /* the usual: a plain natural number */
        x = x * 10 + (v.p[i++] - '0');
    if (i == v.n)
        return x;
    memcpy(num, v.p, v.n);
    num[v.n] = '\0';
    x = strtoll(num, &end, 10);
    if (*end == '\0') /* (past a long long's range: strtoll's LLONG_MAX or LLONG_MIN, the nearest) */
        return x;
    /* a fraction or an exponent: its value, held to a long long's range (1e300 is no long long) */
    d = strtod(num, NULL);
    if (d != d)
        return dflt;
    return d >= 0x1p63 ? LLONG_MAX : d <= -0x1p63 ? LLONG_MIN : (long long)d;
}

int ddb_jscan_depth_within(const char *p, size_t n, int max)
{
    const char *end = p + n;
    int depth = 0;

    for (; p < end; p++) {
        if (*p == '"') {
            if ((p = skip_string(p, end)) == NULL)
                return 1; /* (not JSON: the parser says so) */
            p--;
        } else if (*p == '{' || *p == '[') {
            if (++depth > max)
                return 0;
        } else if (*p == '}' || *p == ']') {
            depth--;
        }
    }
    return 1;
}

ddb_jspan ddb_jscan_string(ddb_jspan v)
{
    if (v.p == NULL || v.n < 2 || v.p[0] != '"')
        return (ddb_jspan){NULL, 0};
    return (ddb_jspan){v.p + 1, v.n - 2};
}

int ddb_jspan_is(ddb_jspan v, const char *s)
{
    return v.p != NULL && v.n == strlen(s) && memcmp(v.p, s, v.n) == 0;
}

int ddb_jscan_is_string(ddb_jspan v, const char *s)
{
    return ddb_jspan_is(ddb_jscan_string(v), s);
}
