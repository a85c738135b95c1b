/*
 * proto/buf.c: the growable output buffer (see buf.h).
 */
#include "proto/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ddb_buf_reserve(ddb_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (d == NULL)
        abort();
    b->data = d;
    b->cap = cap;
}

void ddb_buf_puts(ddb_buf *b, const char *s)
{
    ddb_buf_append(b, s, strlen(s));
}

void ddb_buf_put_u64(ddb_buf *b, unsigned long long v)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    ddb_buf_append(b, tmp + sizeof(tmp) - n, n);
}

void ddb_buf_printf(ddb_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ddb_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ddb_buf_free(ddb_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
