/*
 * proto/buf.c: the growable output buffer (see buf.h).
 */
#include "proto/buf.h"

#include <stdarg.h>
#include <stdint.h>
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

/* "00" to "99": two digits a division, written in place. A digit a division, through a buffer of
   its own and a memcpy call, made the four numbers of a recorded line (a 13-digit clock, two
   11-digit times) and its status nearly a third of what recording a GetItem cost (issue 74). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* The number of decimal digits of v: from its bit length (log10(2) ~ 1233 / 4096), then one compare. */
static size_t decimal_length(unsigned long long v)
{
    static const unsigned long long pow10[20] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
        1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL,
        100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
        1000000000000000000ULL, 10000000000000000000ULL};
    unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;

    return v < 10 ? 1 : t + 1 - (v < pow10[t]);
}

/* v (< 10^8) as its 8 digits at p, leading zeros included: 32-bit arithmetic, no loop */
static void put_8_digits(char *p, uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;

    memcpy(p, digit_pairs + 2 * (hi / 100), 2);
    memcpy(p + 2, digit_pairs + 2 * (hi % 100), 2);
    memcpy(p + 4, digit_pairs + 2 * (lo / 100), 2);
    memcpy(p + 6, digit_pairs + 2 * (lo % 100), 2);
}

void ddb_buf_put_u64(ddb_buf *b, unsigned long long v)
{
    size_t n = decimal_length(v);
    uint32_t w;
    char *p;

    if (b->len + n + 1 > b->cap)
        ddb_buf_reserve(b, n);
    p = b->data + b->len + n;
    *p = '\0';
    b->len += n;
    for (; v >= 100000000; v /= 100000000) { /* the low 8 digits a 64-bit division */
        p -= 8;
        put_8_digits(p, (uint32_t)(v % 100000000));
    }
    for (w = (uint32_t)v; w >= 100; w /= 100) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * (w % 100), 2);
    }
    if (w >= 10)
        memcpy(p - 2, digit_pairs + 2 * w, 2);
    else
        p[-1] = (char)('0' + w);
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
