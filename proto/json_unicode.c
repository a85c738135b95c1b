/*
 * proto/json_unicode.c: what a client sends is checked to be Unicode before it is parsed
 * (ddb_json_unicode_error, proto/json.h), in one pass that skips plain ASCII 16 bytes at a time:
 * yajl's own check passes overlong forms, encoded surrogates, code points above U+10FFFF and \u
 * escapes of half a surrogate pair, which ddbd would store and answer as bytes no SDK can decode.
 */
#include "proto/json.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Nonzero when a byte of x is not ASCII or is a backslash; on a little-endian machine its lowest
   set bit is in the first such byte (the borrow of the backslash test only marks bytes after a
   real match). */
static inline uint64_t word_stops(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t t = x ^ (ones * '\\');

    return (((t - ones) & ~t) | x) & highs;
}

/* Length of the leading run of s[0..n) that is ASCII with no backslash: 16 bytes a step where the
   machine has SSE2 (every x86-64), then 8, the last 8 bytes read once (overlapping what was
   checked). Every request's body goes through it. */
static size_t ascii_run(const unsigned char *s, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    const __m128i bs = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int m = _mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, bs)));
        if (m != 0)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8) {
        uint64_t w, m;
        for (; i + 8 <= n; i += 8) {
            memcpy(&w, s + i, 8);
            if ((m = word_stops(w)) != 0)
                return i + (size_t)__builtin_ctzll(m) / 8;
        }
        if (i == n)
            return n;
        memcpy(&w, s + n - 8, 8);
        w >>= 8 * (8 - (n - i)); /* the bytes already checked out, NULs (which pass) in */
        m = word_stops(w);
        return m != 0 ? i + (size_t)__builtin_ctzll(m) / 8 : n;
    }
#endif
    while (i < n && s[i] < 0x80 && s[i] != '\\')
        i++;
    return i;
}

/* Bytes of the well-formed UTF-8 sequence at s[0..n) (s[0] >= 0x80), or 0 (RFC 3629's table:
   no overlong forms, no surrogates D800-DFFF, nothing above U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t len;

    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 4 hex digits at s (n bytes left), or -1. */
static long hex4(const unsigned char *s, size_t n)
{
    long v = 0;

    if (n < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        int d = hex_digit(s[k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Bytes of the escape at s[0] == '\\', or 0 when it is a \u escape of half a surrogate pair
   alone. Anything else not JSON (a bad escape, a backslash outside a string) is left to yajl. */
static size_t escape_length(const unsigned char *s, size_t n)
{
    long u, low;

    if (n < 2 || s[1] != 'u' || (u = hex4(s + 2, n - 2)) < 0)
        return n < 2 ? 1 : 2;
    if (u < 0xD800 || u > 0xDFFF)
        return 6;
    if (u >= 0xDC00 || n < 12 || s[6] != '\\' || s[7] != 'u' || (low = hex4(s + 8, n - 8)) < 0xDC00 || low > 0xDFFF)
        return 0;
    return 12;
}

size_t ddb_json_unicode_error(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, k;

    for (;;) {
        i += ascii_run(s + i, len - i);
        if (i >= len)
            return len;
        k = s[i] == '\\' ? escape_length(s + i, len - i) : utf8_sequence(s + i, len - i);
        if (k == 0)
            return i;
        i += k;
    }
}

/* A byte that ends a plain run: not ASCII, a backslash, CR or LF (16 at a time, a bit each). */
#if defined(__SSE2__)
static inline unsigned line_stops16(const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));

    m = _mm_or_si128(m, _mm_or_si128(v, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

size_t ddb_json_plain_run(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

#if defined(__SSE2__)
    if (len >= 16) {
        unsigned m;
        for (; i + 16 <= len; i += 16)
            if ((m = line_stops16(s + i)) != 0)
                return i + (size_t)__builtin_ctz(m);
        if (i == len)
            return len;
        m = line_stops16(s + len - 16) >> (16 - (len - i)); /* the last 16, less what was checked */
        return m != 0 ? i + (size_t)__builtin_ctz(m) : len;
    }
#endif
    while (i < len && s[i] < 0x80 && s[i] != '\\' && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}
