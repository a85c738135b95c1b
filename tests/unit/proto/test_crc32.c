/*
 * tests/unit/proto/test_crc32.c: ddb_crc32 against known CRC-32 values and zlib's crc32 over
 * every length and alignment up to 64 bytes (the eight-byte steps and the byte-wise tail).
 */
#include <stdint.h>
#include <zlib.h>

#include "proto/crc32.h"
#include "test.h"

TEST(known_values)
{
    ASSERT_EQ(ddb_crc32(0, "", 0), 0);
    ASSERT_EQ(ddb_crc32(0, "123456789", 9), 0xcbf43926u);
    ASSERT_EQ(ddb_crc32(0, "{}", 2), 2745614147u); /* the x-amz-crc32 of an empty DynamoDB answer */
}

TEST(matches_zlib_for_every_length_and_alignment)
{
    unsigned char buf[80];

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 151 + 7);
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len + off <= 72; len++) {
            uint32_t want = (uint32_t)crc32(0L, buf + off, (uInt)len);
            ASSERT_EQ(ddb_crc32(0, buf + off, len), want);
        }
    }
}

TEST(continues_a_running_crc)
{
    const char *s = "The quick brown fox jumps over the lazy dog";
    uint32_t whole = ddb_crc32(0, s, strlen(s));

    ASSERT_EQ(whole, 0x414fa339u);
    ASSERT_EQ(ddb_crc32(ddb_crc32(0, s, 10), s + 10, strlen(s) - 10), whole);
}
