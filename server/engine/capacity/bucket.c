/*
 * server/engine/capacity/bucket.c: DynamoDB's token bucket (see bucket.h).
 */
#include "server/engine/capacity/bucket.h"

#include <stdlib.h>

#include "server/engine/capacity/capacity.h"

#define US 1000000.0

/* What a bucket holds when first used: DynamoDB's burst is the capacity that went unused (up to
   300 s of it), and a table's went unused since it was created: a table first used an hour after
   its CreateTable holds 300 s, one used at once one second (never less). t NULL: a partition's,
   one second. */
static int64_t first_fill_us(const ddb_table *t)
{
    const ddb_json *c = t != NULL ? ddb_json_get(t->desc, "CreationDateTime") : NULL;
    double created_ms = c != NULL && c->type == DDB_JSON_NUMBER ? strtod(c->u.s, NULL) * 1e3 : 0;
    double age_ms = created_ms > 0 ? (double)ddb_clock_now_ms() - created_ms : 0;

    if (age_ms < 1e3)
        return (int64_t)US;
    return age_ms > DDB_BURST_SECONDS * 1e3 ? (int64_t)DDB_BURST_SECONDS * (int64_t)US : (int64_t)(age_ms * 1e3);
}

/* The bucket's empty moment, set as first_fill_us says when it is first used. */
static int64_t empty_at(ddb_bucket *b, int64_t now, const ddb_table *t)
{
    int64_t e = __atomic_load_n(&b->empty_at, __ATOMIC_ACQUIRE), first;

    if (e != 0)
        return e;
    first = now - first_fill_us(t);
    if (__atomic_compare_exchange_n(&b->empty_at, &e, first, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return first;
    return e;
}

int ddb_bucket_admits(ddb_bucket *b, int64_t now, double rate, const ddb_table *t)
{
    return now - empty_at(b, now, t) >= (int64_t)(US / rate);
}

double ddb_bucket_tokens(ddb_bucket *b, int64_t now, double rate, double burst, const ddb_table *t)
{
    double held = (double)(now - empty_at(b, now, t)) / US;

    return (held > burst ? burst : held) * rate;
}

void ddb_bucket_take(ddb_bucket *b, int64_t now, double units, double rate, double burst, const ddb_table *t)
{
    int64_t e, full = now - (int64_t)(burst * US), next;

    if (rate <= 0 || units == 0)
        return;
    e = empty_at(b, now, t);
    do {
        next = (e < full ? full : e) + (int64_t)(units * US / rate);
    } while (!__atomic_compare_exchange_n(&b->empty_at, &e, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
}

int ddb_key_bucket_admits(ddb_key_bucket *kb, uint64_t h, int64_t now, double rate)
{
    return kb->owner != h || ddb_bucket_admits(&kb->b, now, rate, NULL);
}

void ddb_key_bucket_take(ddb_key_bucket *kb, uint64_t h, int64_t now, double units, double rate)
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
    kb->b.empty_at = now - (int64_t)(US * (rate - units) / rate);
}
