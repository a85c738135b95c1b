/*
 * server/base/be.h: big-endian integers of n bytes (1..8), as every key and stored header of the
 * on-disk format writes them (docs/storage-format.md), so that keys sort as their numbers do.
 */
#ifndef DDB_BE_H
#define DDB_BE_H

#include <stdint.h>

static inline void ddb_put_be(char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static inline uint64_t ddb_get_be(const char *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

#endif
