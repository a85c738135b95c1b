/*
 * tests/fuzz/fuzz_number.c: libFuzzer target for DynamoDB numbers. The input is split at its first
 * NUL into two texts; each that parses is formatted and parsed again (the same value, the same
 * text), its key encoding must decode to it and order like ddb_num_cmp, and the two are added and
 * subtracted exactly. Every text (parsed or not) must also convert to a double as strtod converts
 * it, bit for bit (ddb_num_to_double's fast path).
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_number -max_total_time=60
 */
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"

static int check(const char *s, size_t n, ddb_num *out)
{
    char text[DDB_NUM_TEXT_MAX], text2[DDB_NUM_TEXT_MAX];
    uint8_t key[DDB_NUM_KEY_MAX];
    ddb_num again;
    size_t len, klen;

    if (ddb_num_parse(s, n, out) != DDB_NUM_OK)
        return 0;
    len = ddb_num_format(out, text);
    if (ddb_num_parse(text, len, &again) != DDB_NUM_OK || ddb_num_cmp(out, &again) != 0 ||
        ddb_num_format(&again, text2) != len || memcmp(text, text2, len) != 0)
        abort();
    klen = ddb_num_encode_key(out, key);
    if (ddb_num_decode_key(key, klen, &again) != klen || ddb_num_cmp(out, &again) != 0)
        abort();
    return 1;
}

/* ddb_num_to_double(s) == strtod(s) (on a NUL-free text: strtod would stop at a NUL) */
static void check_double(const char *s, size_t n)
{
    char *copy, *end;
    double want, got;
    int whole;

    if (memchr(s, 0, n) != NULL || (copy = malloc(n + 1)) == NULL)
        return;
    memcpy(copy, s, n);
    copy[n] = '\0';
    want = strtod(copy, &end);
    got = ddb_num_to_double(s, n, &whole);
    if ((memcmp(&want, &got, sizeof(double)) != 0 && !(want != want && got != got)) ||
        whole != (end != copy && *end == '\0'))
        abort();
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t n1 = nul ? (size_t)(nul - data) : size;
    ddb_num a, b, sum, diff;
    uint8_t ka[DDB_NUM_KEY_MAX], kb[DDB_NUM_KEY_MAX];
    size_t la, lb;
    int c, kc;

    check_double((const char *)data, n1);
    if (!check((const char *)data, n1, &a) || nul == NULL ||
        !check((const char *)nul + 1, size - n1 - 1, &b))
        return 0;
    la = ddb_num_encode_key(&a, ka);
    lb = ddb_num_encode_key(&b, kb);
    c = ddb_num_cmp(&a, &b);
    kc = memcmp(ka, kb, la < lb ? la : lb);
    if (kc == 0)
        kc = (la > lb) - (la < lb);
    if ((c < 0) != (kc < 0) || (c == 0) != (kc == 0))
        abort(); /* key order is numeric order */
    if (ddb_num_add(&a, &b, &sum) == DDB_NUM_OK && ddb_num_sub(&sum, &b, &diff) == DDB_NUM_OK &&
        ddb_num_cmp(&diff, &a) != 0 && sum.ndig < DDB_NUM_MAX_DIGITS)
        abort(); /* exact arithmetic: (a + b) - b == a while nothing was rounded */
    return 0;
}
