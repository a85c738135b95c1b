/*
 * server/base/md5.c: MD5 as RFC 1321 specifies it (see md5.h), written from the RFC's
 * description: four rounds of sixteen steps over each 64-byte block, words little-endian.
 */
#include "server/base/md5.h"

#include <string.h>

/* T[i] = floor(2^32 * |sin(i + 1)|), the RFC's table */
static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* each round's four rotations, step i using S[i / 16][i % 4] */
static const unsigned char S[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static inline uint32_t rotl(uint32_t x, unsigned c)
{
    return (x << c) | (x >> (32 - c));
}

/* one step: a, b, c, d become d, b + ((a + f + K[i] + x[g]) <<< s), b, c (f of the old b, c, d) */
#define STEP(f, g)                                                                                     \
    do {                                                                                               \
        uint32_t f_ = (f), t_ = d;                                                                     \
        d = c;                                                                                         \
        c = b;                                                                                         \
        b = b + rotl(a + f_ + K[i] + x[g], S[i >> 4][i & 3]);                                          \
        a = t_;                                                                                        \
    } while (0)

static void block(uint32_t h[4], const unsigned char *p)
{
    uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3];

    for (int i = 0; i < 16; i++)
        x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    /* the four rounds, each its own loop so that its function and word order are fixed */
    for (int i = 0; i < 16; i++)
        STEP((b & c) | (~b & d), i);
    for (int i = 16; i < 32; i++)
        STEP((b & d) | (c & ~d), (5 * i + 1) & 15);
    for (int i = 32; i < 48; i++)
        STEP(b ^ c ^ d, (3 * i + 5) & 15);
    for (int i = 48; i < 64; i++)
        STEP(c ^ (b | ~d), (7 * i) & 15);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

void ddb_md5_init(ddb_md5 *m)
{
    m->h[0] = 0x67452301;
    m->h[1] = 0xefcdab89;
    m->h[2] = 0x98badcfe;
    m->h[3] = 0x10325476;
    m->len = 0;
}

void ddb_md5_update(ddb_md5 *m, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t have = (size_t)(m->len & 63);

    m->len += len;
    if (have > 0) {
        size_t take = 64 - have < len ? 64 - have : len;
        memcpy(m->buf + have, p, take);
        p += take;
        len -= take;
        if (have + take < 64)
            return;
        block(m->h, m->buf);
    }
    for (; len >= 64; p += 64, len -= 64)
        block(m->h, p);
    if (len > 0)
        memcpy(m->buf, p, len);
}

void ddb_md5_final(ddb_md5 *m, unsigned char out[16])
{
    static const unsigned char pad[64] = {0x80};
    unsigned char bits[8];
    uint64_t n = m->len << 3;
    size_t have = (size_t)(m->len & 63);

    for (int i = 0; i < 8; i++)
        bits[i] = (unsigned char)(n >> (8 * i));
    /* a 1 bit, zeros up to 56 bytes mod 64, then the length in bits, little-endian */
    ddb_md5_update(m, pad, have < 56 ? 56 - have : 120 - have);
    ddb_md5_update(m, bits, 8);
    for (int i = 0; i < 4; i++) {
        out[4 * i] = (unsigned char)m->h[i];
        out[4 * i + 1] = (unsigned char)(m->h[i] >> 8);
        out[4 * i + 2] = (unsigned char)(m->h[i] >> 16);
        out[4 * i + 3] = (unsigned char)(m->h[i] >> 24);
    }
}
