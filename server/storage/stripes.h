/*
 * server/storage/stripes.h: lock stripes, which a backend that locks keys in-process uses
 * (RocksDB's commits): every key hashes to one of LOCK_STRIPES mutexes, and a commit of several
 * keys takes their distinct stripes in ascending order, so two commits never wait on each other
 * in a cycle.
 */
#ifndef DDB_STRIPES_H
#define DDB_STRIPES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LOCK_STRIPES 4096
#define STACK_STRIPES 16 /* a commit of at most this many keys sorts its stripes on the stack */

/*
 * The lock stripe of a key: a hash of its bytes, eight bytes at a time, finished with
 * murmur3's fmix64. The backend picks stripes itself so that every commit touching a key, of
 * one key (rmw) or many (commit), takes the same stripe for it.
 */
static inline unsigned stripe_of(const char *key, size_t klen)
{
    const uint64_t m = 0x9e3779b97f4a7c15ULL;
    uint64_t h = (uint64_t)klen * m, w;
    size_t i = 0;

    for (; i + 8 <= klen; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * m;
        h ^= h >> 32;
    }
    if (i < klen) {
        w = 0;
        memcpy(&w, key + i, klen - i);
        h = (h ^ w) * m;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (unsigned)(h % LOCK_STRIPES);
}

/* Sorts and dedupes stripes in place; returns how many distinct ones remain. */
size_t sort_stripes(unsigned *st, size_t n);

#endif
