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

/* the rounds' functions of b, c, d (RFC 1321 3.4; F and G in forms with one operation fewer) */
#define F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define H(b, c, d) ((b) ^ (c) ^ (d))
#define I(b, c, d) ((c) ^ ((b) | ~(d)))

static inline uint32_t rotl(uint32_t x, unsigned c)
{
    return (x << c) | (x >> (32 - c));
}

/* word k of a block, little-endian: one load on such hosts */
static inline uint32_t word(const unsigned char *p, int k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w;

    memcpy(&w, p + 4 * k, 4);
    return w;
#else
    p += 4 * k;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

/* step i: a = b + ((a + f(b, c, d) + word + K[i]) <<< s); the four variables then turn round */
#define STEP(f, a, b, c, d, word, i, s) (a) = (b) + rotl((a) + f(b, c, d) + (word) + K[i], (s))

/* One 64-byte block, its 64 steps written out: a loop with a table of shifts and word indexes
   cost four times the instructions, and this runs once for every key a request addresses. */
static void block(uint32_t h[4], const unsigned char *p)
{
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];

    /* round 1: F, words in order */
    STEP(F, a, b, c, d, word(p, 0), 0, 7);
    STEP(F, d, a, b, c, word(p, 1), 1, 12);
    STEP(F, c, d, a, b, word(p, 2), 2, 17);
    STEP(F, b, c, d, a, word(p, 3), 3, 22);
    STEP(F, a, b, c, d, word(p, 4), 4, 7);
    STEP(F, d, a, b, c, word(p, 5), 5, 12);
    STEP(F, c, d, a, b, word(p, 6), 6, 17);
    STEP(F, b, c, d, a, word(p, 7), 7, 22);
    STEP(F, a, b, c, d, word(p, 8), 8, 7);
    STEP(F, d, a, b, c, word(p, 9), 9, 12);
    STEP(F, c, d, a, b, word(p, 10), 10, 17);
    STEP(F, b, c, d, a, word(p, 11), 11, 22);
    STEP(F, a, b, c, d, word(p, 12), 12, 7);
    STEP(F, d, a, b, c, word(p, 13), 13, 12);
    STEP(F, c, d, a, b, word(p, 14), 14, 17);
    STEP(F, b, c, d, a, word(p, 15), 15, 22);
    /* round 2: G, words (5i + 1) mod 16 */
    STEP(G, a, b, c, d, word(p, 1), 16, 5);
    STEP(G, d, a, b, c, word(p, 6), 17, 9);
    STEP(G, c, d, a, b, word(p, 11), 18, 14);
    STEP(G, b, c, d, a, word(p, 0), 19, 20);
    STEP(G, a, b, c, d, word(p, 5), 20, 5);
    STEP(G, d, a, b, c, word(p, 10), 21, 9);
    STEP(G, c, d, a, b, word(p, 15), 22, 14);
    STEP(G, b, c, d, a, word(p, 4), 23, 20);
    STEP(G, a, b, c, d, word(p, 9), 24, 5);
    STEP(G, d, a, b, c, word(p, 14), 25, 9);
    STEP(G, c, d, a, b, word(p, 3), 26, 14);
    STEP(G, b, c, d, a, word(p, 8), 27, 20);
    STEP(G, a, b, c, d, word(p, 13), 28, 5);
    STEP(G, d, a, b, c, word(p, 2), 29, 9);
    STEP(G, c, d, a, b, word(p, 7), 30, 14);
    STEP(G, b, c, d, a, word(p, 12), 31, 20);
    /* round 3: H, words (3i + 5) mod 16 */
    STEP(H, a, b, c, d, word(p, 5), 32, 4);
    STEP(H, d, a, b, c, word(p, 8), 33, 11);
    STEP(H, c, d, a, b, word(p, 11), 34, 16);
    STEP(H, b, c, d, a, word(p, 14), 35, 23);
    STEP(H, a, b, c, d, word(p, 1), 36, 4);
    STEP(H, d, a, b, c, word(p, 4), 37, 11);
    STEP(H, c, d, a, b, word(p, 7), 38, 16);
    STEP(H, b, c, d, a, word(p, 10), 39, 23);
    STEP(H, a, b, c, d, word(p, 13), 40, 4);
    STEP(H, d, a, b, c, word(p, 0), 41, 11);
    STEP(H, c, d, a, b, word(p, 3), 42, 16);
    STEP(H, b, c, d, a, word(p, 6), 43, 23);
    STEP(H, a, b, c, d, word(p, 9), 44, 4);
    STEP(H, d, a, b, c, word(p, 12), 45, 11);
    STEP(H, c, d, a, b, word(p, 15), 46, 16);
    STEP(H, b, c, d, a, word(p, 2), 47, 23);
    /* round 4: I, words (7i) mod 16 */
    STEP(I, a, b, c, d, word(p, 0), 48, 6);
    STEP(I, d, a, b, c, word(p, 7), 49, 10);
    STEP(I, c, d, a, b, word(p, 14), 50, 15);
    STEP(I, b, c, d, a, word(p, 5), 51, 21);
    STEP(I, a, b, c, d, word(p, 12), 52, 6);
    STEP(I, d, a, b, c, word(p, 3), 53, 10);
    STEP(I, c, d, a, b, word(p, 10), 54, 15);
    STEP(I, b, c, d, a, word(p, 1), 55, 21);
    STEP(I, a, b, c, d, word(p, 8), 56, 6);
    STEP(I, d, a, b, c, word(p, 15), 57, 10);
    STEP(I, c, d, a, b, word(p, 6), 58, 15);
    STEP(I, b, c, d, a, word(p, 13), 59, 21);
    STEP(I, a, b, c, d, word(p, 4), 60, 6);
    STEP(I, d, a, b, c, word(p, 11), 61, 10);
    STEP(I, c, d, a, b, word(p, 2), 62, 15);
    STEP(I, b, c, d, a, word(p, 9), 63, 21);
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

static void init_state(uint32_t h[4])
{
    h[0] = 0x67452301;
    h[1] = 0xefcdab89;
    h[2] = 0x98badcfe;
    h[3] = 0x10325476;
}

static void digest_of(const uint32_t h[4], unsigned char out[16])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, h, 16);
    return;
#endif
    for (int i = 0; i < 4; i++) {
        out[4 * i] = (unsigned char)h[i];
        out[4 * i + 1] = (unsigned char)(h[i] >> 8);
        out[4 * i + 2] = (unsigned char)(h[i] >> 16);
        out[4 * i + 3] = (unsigned char)(h[i] >> 24);
    }
}

void ddb_md5_init(ddb_md5 *m)
{
    init_state(m->h);
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
    digest_of(m->h, out);
}

void ddb_md5_two(const void *p1, size_t n1, const void *p2, size_t n2, unsigned char out[16])
{
    unsigned char blk[64];
    uint32_t h[4];
    size_t n = n1 + n2;

    if (n > 55) { /* the padding needs a second block */
        ddb_md5 m;
        ddb_md5_init(&m);
        ddb_md5_update(&m, p1, n1);
        ddb_md5_update(&m, p2, n2);
        ddb_md5_final(&m, out);
        return;
    }
    /* the message, a 1 bit, zeros, and its length in bits (little-endian; n <= 55, so two bytes) */
    memset(blk, 0, sizeof(blk));
    memcpy(blk, p1, n1);
    memcpy(blk + n1, p2, n2);
    blk[n] = 0x80;
    blk[56] = (unsigned char)(n << 3);
    blk[57] = (unsigned char)(n >> 5);
    init_state(h);
    block(h, blk);
    digest_of(h, out);
}
