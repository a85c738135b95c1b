/*
 * server/engine/capacity/bucket.h: DynamoDB's token bucket, the one rule of capacity over time.
 *
 * --enforce-capacity (throttle.c) refuses by it and the hot-partition model (hot.c) reports by it
 * what production would have throttled, so what the one refuses the other reports, request for
 * request (before issue 75 each ran a simulation of its own and they disagreed at the boundaries:
 * tests/compat/test_capacity_one_model.py). The rule:
 *  - a bucket fills at its rate (units a second: a table's or GSI's provisioned units or its
 *    on-demand maximum, capacity.h: ddb_capacity_enforced_rate; a partition's 3,000 reads or
 *    1,000 writes) continuously, and holds at most `burst` seconds of it (a table's 300 seconds of
 *    unused capacity, the developer guide's burst capacity; a partition's one second);
 *  - a table's bucket first holds what went unused since its CreateTable (one second at least, 300
 *    at most), a partition's one second;
 *  - a request is let in while its bucket holds one unit, and what it consumed is taken afterwards,
 *    so a bucket may go below zero and the requests after it wait until it refills.
 *
 * A bucket is one word, the moment (us on the meter clock, clock.h: ddb_clock_meter_ms, so a step
 * back of /ddbd/clock leaves it as it stood and never in the clock's future, issue 72) at which it
 * is empty: it holds (now - that moment) x rate, at most the burst. The throttle's buckets are taken
 * by compare-and-swap; the hot-partition model's under its slot's lock.
 *
 * A partition (a key bucket): a table or index has DDB_KEY_BUCKETS of them, a partition key falling
 * in one by its hash; each keeps one key, its owner, and the bucket of that key's own load: a key
 * is held back only when its own load emptied the bucket (adaptive capacity isolates a hot item in
 * a partition of its own), never for the keys it shares the bucket with. Another key's load takes
 * the bucket over when it is more than the owner's debt (what its bucket lacks of full), so a key
 * in debt keeps it against lighter ones, and the owner's debt is never more than its own load
 * made: a refusal (or a report) is never false; a key is missed only while a heavier one owns
 * its bucket. The caller holds a lock over a key bucket.
 */
#ifndef DDB_BUCKET_H
#define DDB_BUCKET_H

#include <stdint.h>

#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/engine/table.h"

/* Partitions per table or index, each a key bucket. */
#define DDB_KEY_BUCKETS 64

/* A token bucket: the moment (us on the meter clock) at which it is empty; 0: never used. */
typedef struct ddb_bucket {
    int64_t empty_at;
} ddb_bucket;

/* Now, for the buckets: the meter clock, in us. */
static inline int64_t ddb_bucket_now_us(void)
{
    return (int64_t)ddb_clock_meter_ms() * 1000;
}

#define DDB_BUCKET_US 1000000.0

/* b's empty moment when first used (its first fill, bucket.c); set once. */
int64_t ddb_bucket_first_empty_at(ddb_bucket *b, int64_t now, const ddb_table *t);

/* The bucket's empty moment, set as its first fill says when it is first used. (This and the
   partition's tests below are inline: the hot-partition model runs them on every item a request
   reads or writes, issue 73.) */
static inline int64_t ddb_bucket_empty_at(ddb_bucket *b, int64_t now, const ddb_table *t)
{
    int64_t e = __atomic_load_n(&b->empty_at, __ATOMIC_ACQUIRE);

    return e != 0 ? e : ddb_bucket_first_empty_at(b, now, t);
}

/* Whether b holds one unit at `now`, filled at `rate` a second; t: the table whose bucket it is
   (its first fill: what went unused since its CreateTable), NULL: a partition's. */
static inline int ddb_bucket_admits(ddb_bucket *b, int64_t now, double rate, const ddb_table *t)
{
    return now - ddb_bucket_empty_at(b, now, t) >= (int64_t)(DDB_BUCKET_US / rate);
}

/* What b holds at `now` (at most `burst` seconds of `rate`; below zero when in debt). */
static inline double ddb_bucket_tokens(ddb_bucket *b, int64_t now, double rate, double burst, const ddb_table *t)
{
    double held = (double)(now - ddb_bucket_empty_at(b, now, t)) / DDB_BUCKET_US;

    return (held > burst ? burst : held) * rate;
}

/* Takes `units` (a negative count gives them back), b holding at most `burst` seconds of `rate`. */
void ddb_bucket_take(ddb_bucket *b, int64_t now, double units, double rate, double burst, const ddb_table *t);

/* A partition: the key that dominates it (its partition hash | 1; 0: none) and that key's bucket. */
typedef struct ddb_key_bucket {
    uint64_t owner;
    ddb_bucket b;
} ddb_key_bucket;

/* The partition hash of a stored key (keycodec.h: bytes 4..11), | 1 (0 marks no owner). */
static inline uint64_t ddb_partition_hash(const char *key)
{
    return ddb_get_be(key + 4, 8) | 1;
}

/* The key bucket of hash h among DDB_KEY_BUCKETS. */
static inline unsigned ddb_key_bucket_of(uint64_t h)
{
    return (unsigned)((h >> 1) % DDB_KEY_BUCKETS);
}

/* Whether the key of hash h is let in by its partition kb at `now` (`rate` a second): a key that
   does not own kb is (its own load is not what emptied it). */
static inline int ddb_key_bucket_admits(ddb_key_bucket *kb, uint64_t h, int64_t now, double rate)
{
    return kb->owner != h || ddb_bucket_admits(&kb->b, now, rate, NULL);
}

/* Counts `units` of the key of hash h in kb: its owner's are taken from its bucket; another key's
   make it the owner when they are at least the owner's debt, and are not counted otherwise. */
static inline void ddb_key_bucket_take(ddb_key_bucket *kb, uint64_t h, int64_t now, double units, double rate)
{
    double debt;

    if (units <= 0 || rate <= 0)
        return;
    if (kb->owner == h) {
        ddb_bucket_take(&kb->b, now, units, rate, 1, NULL);
        return;
    }
    debt = rate - ddb_bucket_tokens(&kb->b, now, rate, 1, NULL); /* what its owner lacks of full */
    if (debt > units)
        return; /* a lighter key's load: the owner keeps it */
    /* h takes it over with a bucket of its own, full less its units */
    kb->owner = h;
    kb->b.empty_at = now - (int64_t)(DDB_BUCKET_US * (rate - units) / rate);
}

#endif
