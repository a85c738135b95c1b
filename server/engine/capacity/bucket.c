/*
 * server/engine/capacity/bucket.c: DynamoDB's token bucket (see bucket.h).
 */
#include "server/engine/capacity/bucket.h"

#include "server/engine/capacity/capacity.h"

#define US DDB_BUCKET_US

/* What a bucket holds when first used: DynamoDB's burst is the capacity that went unused (up to
   300 s of it), and a table's went unused since it was created: a table first used an hour after
   its CreateTable holds 300 s, one used at once one second (never less). Measured on the meter
   clock, as every other bucket reading: a clock moved back an hour and forward an hour again has
   let an hour go unused, not none (the server's clock reads what it read). A table this process did
   not make (found at its start or by a snapshot restore, or made through another gateway) has no
   meter reading of its CreateTable, and how long it went unused is not known (buckets are not
   kept): it holds the whole burst, as the table of a server that kept running would
   (docs/compatibility.md, "Capacity enforcement"). t NULL: a partition's, one second. */
static int64_t first_fill_us(const ddb_table *t)
{
    uint64_t age_ms;

    if (t == NULL)
        return (int64_t)US;
    if (t->made_meter_ms == 0)
        return (int64_t)DDB_BURST_SECONDS * (int64_t)US;
    age_ms = ddb_clock_meter_ms() - t->made_meter_ms;
    if (age_ms < 1000)
        return (int64_t)US;
    return age_ms > DDB_BURST_SECONDS * 1000ull ? (int64_t)DDB_BURST_SECONDS * (int64_t)US : (int64_t)age_ms * 1000;
}

int64_t ddb_bucket_first_empty_at(ddb_bucket *b, int64_t now, const ddb_table *t)
{
    int64_t e = 0, first = now - first_fill_us(t);

    if (__atomic_compare_exchange_n(&b->empty_at, &e, first, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return first;
    return e;
}

void ddb_bucket_take(ddb_bucket *b, int64_t now, double units, double rate, double burst, const ddb_table *t)
{
    int64_t e, full = now - (int64_t)(burst * US), next;

    if (rate <= 0 || units == 0)
        return;
    e = ddb_bucket_empty_at(b, now, t);
    do {
        next = (e < full ? full : e) + (int64_t)(units * US / rate);
    } while (!__atomic_compare_exchange_n(&b->empty_at, &e, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
}
