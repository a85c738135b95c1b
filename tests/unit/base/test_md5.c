/*
 * tests/unit/base/test_md5.c: MD5 (server/base/md5.h) against RFC 1321's test suite (appendix
 * A.5), fed whole and in pieces across block boundaries, and the partition hash's input shape
 * ("Outliers" then the key) against node's crypto.createHash('md5').
 */
#include <stdio.h>
#include <string.h>

#include "server/base/md5.h"
#include "test.h"

static void hex_of(const unsigned char d[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* MD5 of s, fed `step` bytes at a time (0: at once) */
static void md5_hex(const char *s, size_t len, size_t step, char out[33])
{
    ddb_md5 m;
    unsigned char d[16];

    ddb_md5_init(&m);
    if (step == 0)
        ddb_md5_update(&m, s, len);
    for (size_t i = 0; step != 0 && i < len; i += step)
        ddb_md5_update(&m, s + i, len - i < step ? len - i : step);
    ddb_md5_final(&m, d);
    hex_of(d, out);
}

static const struct {
    const char *in, *md5;
} rfc1321[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

TEST(rfc1321_test_suite)
{
    char hex[33];

    for (size_t i = 0; i < ARRAY_LEN(rfc1321); i++) {
        size_t len = strlen(rfc1321[i].in);
        /* whole, a byte at a time, and in pieces that straddle the 64-byte blocks */
        md5_hex(rfc1321[i].in, len, 0, hex);
        ASSERT_STR_EQ(hex, rfc1321[i].md5);
        md5_hex(rfc1321[i].in, len, 1, hex);
        ASSERT_STR_EQ(hex, rfc1321[i].md5);
        md5_hex(rfc1321[i].in, len, 7, hex);
        ASSERT_STR_EQ(hex, rfc1321[i].md5);
    }
}

/* The lengths where padding spills into a second block (55, 56, 63, 64 bytes and on). */
TEST(padding_at_block_edges)
{
    /* node -e "console.log(require('crypto').createHash('md5').update('a'.repeat(n)).digest('hex'))" */
    static const struct {
        size_t n;
        const char *md5;
    } cases[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},
        {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},
        {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},
        {128, "e510683b3f5ffe4093d021808bc6ff70"},
    };
    char buf[128], hex[33];

    memset(buf, 'a', sizeof(buf));
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        md5_hex(buf, cases[i].n, 0, hex);
        ASSERT_STR_EQ(hex, cases[i].md5);
        md5_hex(buf, cases[i].n, 13, hex);
        ASSERT_STR_EQ(hex, cases[i].md5);
    }
}

/* The partition hash's input: "Outliers" then the key's bytes, as two updates. */
TEST(outliers_then_key)
{
    /* node -e "console.log(require('crypto').createHash('md5').update('Outliers').update(k).digest('hex'))" */
    static const struct {
        const char *key, *md5;
    } cases[] = {
        {"2", "29cbed30d64324c3f8146338d255a58c"},
        {"hello", "8f051e5595141045598371ff05e3cc9d"},
        {"\xc3\xa4\xc3\xa1\xc3\xb6\xc3\xbc", "afc23a431bf6391367cda2c201d4bfd6"}, /* äáöü */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_md5 m;
        unsigned char d[16];
        char hex[33];

        ddb_md5_init(&m);
        ddb_md5_update(&m, "Outliers", 8);
        ddb_md5_update(&m, cases[i].key, strlen(cases[i].key));
        ddb_md5_final(&m, d);
        hex_of(d, hex);
        ASSERT_STR_EQ(hex, cases[i].md5);
    }
}

/* ddb_md5_two, the partition hash's call: one block built on the stack up to 55 bytes, the
   streaming path beyond; the same digests as the streaming API at every length across the edge. */
TEST(two_parts_at_once_match_the_stream)
{
    unsigned char key[200];

    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= sizeof(key); n++) {
        ddb_md5 m;
        unsigned char a[16], b[16];

        ddb_md5_init(&m);
        ddb_md5_update(&m, "Outliers", 8);
        ddb_md5_update(&m, key, n);
        ddb_md5_final(&m, a);
        ddb_md5_two("Outliers", 8, key, n, b);
        ASSERT_MEM_EQ(a, 16, b, 16);
    }
    /* and RFC 1321's vectors, split anywhere */
    for (size_t i = 0; i < ARRAY_LEN(rfc1321); i++) {
        size_t len = strlen(rfc1321[i].in);
        for (size_t cut = 0; cut <= len; cut++) {
            unsigned char d[16];
            char hex[33];
            ddb_md5_two(rfc1321[i].in, cut, rfc1321[i].in + cut, len - cut, d);
            hex_of(d, hex);
            ASSERT_STR_EQ(hex, rfc1321[i].md5);
        }
    }
}
