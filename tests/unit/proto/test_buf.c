/*
 * tests/unit/proto/test_buf.c: ddb_buf_put_u64 against printf's digits: every length's first and
 * last number (where the digit count taken from the bit length needs its compare), the largest
 * u64, powers of two, and numbers of every length appended after text already in the buffer, past
 * its first room.
 */
#include <stdint.h>
#include <stdio.h>

#include "proto/buf.h"
#include "test.h"

/* "<before x's><digits of v>|" as ddb_buf_put_u64 wrote it (the | stands for the NUL after it) */
static void put(char *got, size_t size, unsigned long long v, size_t before)
{
    ddb_buf b = {0};

    for (size_t i = 0; i < before; i++)
        ddb_buf_putc(&b, 'x');
    ddb_buf_put_u64(&b, v);
    snprintf(got, size, "%s%s", b.data, b.data[b.len] == '\0' ? "|" : "(no NUL)");
    ddb_buf_free(&b);
}

static void expect(char *want, size_t size, unsigned long long v, size_t before)
{
    snprintf(want, size, "%.*s%llu|", (int)before,
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
             v);
}

#define ASSERT_DIGITS(v, before)                                                                                       \
    do {                                                                                                               \
        char got_[400], want_[400];                                                                                    \
        put(got_, sizeof(got_), (v), (before));                                                                        \
        expect(want_, sizeof(want_), (v), (before));                                                                   \
        ASSERT_STR_EQ(got_, want_);                                                                                    \
    } while (0)

TEST(every_length_first_and_last)
{
    unsigned long long p = 1;

    ASSERT_DIGITS(0, 0);
    for (int k = 1; k <= 19; k++) {
        p *= 10;
        ASSERT_DIGITS(p - 1, 0);
        ASSERT_DIGITS(p, 0);
        ASSERT_DIGITS(p + 1, 3);
    }
    ASSERT_DIGITS(UINT64_MAX, 0);
    ASSERT_DIGITS(UINT64_MAX - 1, 5);
}

TEST(powers_of_two_and_mixed_digits)
{
    for (int k = 0; k < 64; k++) {
        ASSERT_DIGITS(1ULL << k, 0);
        ASSERT_DIGITS((1ULL << k) - 1, 1);
    }
    for (unsigned long long v = 7; v < UINT64_MAX / 13; v = v * 13 + 5)
        ASSERT_DIGITS(v, (size_t)(v % 300)); /* some past the buffer's first 256 bytes */
}

TEST(recorded_numbers)
{
    ASSERT_DIGITS(1767225600000ULL, 0); /* a clock in ms */
    ASSERT_DIGITS(81234567ULL, 11);
    ASSERT_DIGITS(200, 2);
}
