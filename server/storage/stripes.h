/*
 * server/storage/stripes.h: lock stripes, which a backend that locks keys in-process uses
 * (RocksDB's commits): every key hashes to one of LOCK_STRIPES mutexes, and a commit of several
 * keys takes their distinct stripes in ascending order, so two commits never wait on each other
 * in a cycle. RADOS's commits take them likewise, for the commits of one gateway.
 */
#ifndef DDB_STRIPES_H
#define DDB_STRIPES_H

#include <pthread.h>
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

/*
 * Waits for every commit that had begun when it was called (a backend's barrier, storage.h's
 * ddb_store_barrier). Every commit holds all its stripes from before its reads until after its
 * write. Locking and unlocking each stripe once, in order, therefore waits for every critical
 * section that held a stripe when the sweep reached it, in particular for all that had begun
 * before the call. The barrier holds one stripe at a time and waits on nothing while holding it,
 * so it cannot take part in a deadlock.
 */
void stripes_barrier(pthread_mutex_t *locks);
/* Runs fn(ctx) holding every stripe, taken in the commits' own order, so no commit can be inside
   its critical section (storage.h's ddb_store_exclusive). */
void stripes_exclusive(pthread_mutex_t *locks, void (*fn)(void *ctx), void *ctx);

#endif
