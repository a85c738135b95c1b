/*
 * server/base/be.h: big-endian integers of n bytes (1..8), as every key and stored header of the
 * on-disk format writes them (docs/storage-format.md), so that keys sort as their numbers do.
 */
#ifndef DDB_BE_H
#define DDB_BE_H

#include <stdint.h>
#include <string.h>

/* A width known where it is written (a key's 4-byte table id, its 8-byte partition hash) is one
   byte swap and one move on a little-endian host, where the byte loop cost ~50 instructions for 8
   bytes (a PutItem writes a key's 12 and reads its hash back in the hot-partition model). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DDB_BE_SWAP 1
#else
#define DDB_BE_SWAP 0
#endif

static inline void ddb_put_be(char *p, uint64_t v, int n)
{
    if (DDB_BE_SWAP && __builtin_constant_p(n) && n == 8) {
        uint64_t s = __builtin_bswap64(v);
        memcpy(p, &s, 8);
        return;
    }
    if (DDB_BE_SWAP && __builtin_constant_p(n) && n == 4) {
        uint32_t s = __builtin_bswap32((uint32_t)v);
        memcpy(p, &s, 4);
        return;
    }
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static inline uint64_t ddb_get_be(const char *p, int n)
{
    uint64_t v = 0;

    if (DDB_BE_SWAP && __builtin_constant_p(n) && n == 8) {
        memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    }
    if (DDB_BE_SWAP && __builtin_constant_p(n) && n == 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        return __builtin_bswap32(w);
    }
    for (int i = 0; i < n; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

#endif
