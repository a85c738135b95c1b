/*
 * server/engine/capacity/hot.c: the hot-partition model (see hot.h).
 */
#include "server/engine/capacity/hot.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/engine/keycodec.h"
#include "server/engine/capacity/bucket.h"
#include "server/engine/capacity/capacity.h"

#define PROBES 8 /* slots looked at for an id: it lives in one of these */

/* One bucket of partition keys: those whose hash falls in it share it. Whether production would
   throttle one is the partition's token bucket's say (`part`, bucket.h: the one model
   --enforce-capacity refuses by), its vote keeping the key that dominates the load. The report's
   figures come from a majority vote of one counter (Misra-Gries with k = 1) over this second's
   load: `count` grows by its owner's units and shrinks by the others', and the owner changes when
   it would go below zero, so an owner's true load this second is at least `count` (a report is
   never false), and a key with more than half the bucket's load owns it. */
typedef struct bucket {
    uint64_t owner; /* the partition hash | 1; 0: none */
    int64_t second;
    double count;
    uint64_t all_owner; /* the same vote over everything observed (the forecast's shares: hot.h) */
    double all_count;
    ddb_key_bucket part;
} bucket;

typedef struct slot {
    uint32_t id; /* a table's or GSI's key prefix id; 0: free */
    char lock;
    int64_t second;         /* the second `units` counts */
    double units[2], peak[2];
    double all[2];          /* every unit observed, reads', writes' (the forecast's shares) */
    int64_t peak_second[2];
    double rate[2];         /* its own bucket's rate (capacity.h: ddb_capacity_enforced_rate; 0: none) */
    double scale[2];        /* an on-demand table's limit this second (twice its previous peak) */
    ddb_bucket own[2];      /* its own bucket (bucket.h) */
    int provisioned;
    uint64_t throttled;
    bucket keys[2][DDB_HOT_BUCKETS]; /* reads', writes' */
    size_t nreports;
    ddb_hot_report reports[DDB_HOT_REPORTS];
} slot;

/* One engine's model (capacity_feature.h: ddb_hot_of). */
struct ddb_hot {
    slot slots[DDB_HOT_SLOTS];
};

ddb_hot *ddb_hot_new(void)
{
    return ddb_zalloc(sizeof(ddb_hot));
}

void ddb_hot_free(ddb_hot *hot)
{
    free(hot);
}

size_t ddb_hot_memory_bytes(void)
{
    return sizeof(ddb_hot);
}

static void lock(slot *s)
{
    while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE))
        ;
}

static void unlock(slot *s)
{
    __atomic_clear(&s->lock, __ATOMIC_RELEASE);
}

static unsigned home(uint32_t id)
{
    return (id * 2654435761u) % DDB_HOT_SLOTS;
}

/* id's slot, locked: found, claimed free, or taken over from the one idle longest of its probes. */
static slot *slot_of(ddb_hot *hot, uint32_t id)
{
    slot *slots = hot->slots, *oldest = NULL;

    for (unsigned i = 0, h = home(id); i < PROBES; i++) {
        slot *s = &slots[(h + i) % DDB_HOT_SLOTS];
        uint32_t cur = __atomic_load_n(&s->id, __ATOMIC_ACQUIRE), zero = 0;
        if (cur == id || (cur == 0 && (__atomic_compare_exchange_n(&s->id, &zero, id, 0, __ATOMIC_ACQ_REL,
                                                                    __ATOMIC_ACQUIRE) || zero == id))) {
            lock(s);
            if (s->id == id)
                return s;
            unlock(s); /* taken over meanwhile: look on */
            continue;
        }
        if (oldest == NULL || s->second < oldest->second)
            oldest = s;
    }
    if (oldest == NULL) /* every probe taken over under us: never in practice */
        oldest = &slots[home(id)];
    lock(oldest);
    memset((char *)oldest + offsetof(slot, second), 0, sizeof(*oldest) - offsetof(slot, second));
    __atomic_store_n(&oldest->id, id, __ATOMIC_RELEASE);
    return oldest;
}

/* A new second: the peak so far, and the table's rates for it (asked of the capacity model once a
   second, not per request). */
static void next_second(slot *s, const ddb_table *t, const ddb_index *ix, int64_t second)
{
    s->provisioned = ddb_capacity_provisioned(t);
    for (int w = 0; w < 2; w++) {
        if (s->units[w] > s->peak[w]) {
            s->peak[w] = s->units[w];
            s->peak_second[w] = s->second;
        }
        s->units[w] = 0;
        s->rate[w] = ddb_capacity_enforced_rate(t, ix, w);
        s->scale[w] = s->provisioned ? 0 : ddb_capacity_on_demand_limit(s->peak[w], w);
    }
    s->second = second;
}

/* The bucket's vote over everything observed: the same majority vote as count's, never reset. */
static void count_all(bucket *b, uint64_t h, double units)
{
    if (b->all_owner == h) {
        b->all_count += units;
    } else if (b->all_count > units) {
        b->all_count -= units;
    } else {
        b->all_owner = h;
        b->all_count = units - b->all_count;
    }
}

/* Counts `units` of the key (hash h) in its bucket; returns its owner's lower bound on its load
   this second when the key owns the bucket, else 0. */
static double count(slot *s, bucket *b, uint64_t h, int write, double units)
{
    s->all[write] += units;
    count_all(b, h, units);
    if (b->second != s->second || b->owner == 0) { /* the bucket's first load this second */
        b->second = s->second;
        b->owner = h;
        return b->count = units;
    }
    if (b->owner == h)
        return b->count += units;
    if (b->count > units) {
        b->count -= units; /* another key's load: the owner's bound shrinks */
        return 0;
    }
    b->owner = h;
    return b->count = units - b->count;
}

/* The key form of a stored key's partition key, [pk_len][pk] (maybe truncated), for a report. */
static void key_form(ddb_ci_top *top, uint64_t h, const char *key, size_t klen)
{
    klen -= DDB_KEY_PARTITION_BYTES;
    if (klen >= 2) {
        size_t pk = 2 + ddb_get_be(key + DDB_KEY_PARTITION_BYTES, 2);
        klen = pk < klen ? pk : klen;
    }
    top->klen = klen < DDB_CI_KEY_MAX ? klen : DDB_CI_KEY_MAX;
    memcpy(top->key, key + DDB_KEY_PARTITION_BYTES, top->klen);
    top->hash = h;
    top->weight = 0;
}

/* Records one request beyond a limit: a key's (h != 0, its stored key `key`) or the table's own. */
static void report(slot *s, uint64_t h, const char *key, size_t klen, int write, const char *limit, double units,
                   double limit_units)
{
    ddb_hot_report *r = NULL;

    s->throttled++;
    for (size_t i = 0; i < s->nreports && r == NULL; i++)
        if (s->reports[i].key.hash == h && s->reports[i].write == write && s->reports[i].limit == limit)
            r = &s->reports[i];
    if (r == NULL) {
        if (s->nreports < DDB_HOT_REPORTS)
            r = &s->reports[s->nreports++];
        else /* full: the one seen last the longest ago makes room */
            for (size_t i = 0; i < s->nreports; i++)
                if (r == NULL || s->reports[i].last_second < r->last_second)
                    r = &s->reports[i];
        memset(r, 0, sizeof(*r));
        if (h != 0)
            key_form(&r->key, h, key, klen);
        r->write = write;
        r->limit = limit;
        r->first_second = s->second;
    }
    r->requests++;
    r->last_second = s->second;
    r->limit_units = limit_units;
    if (units > r->peak_units) {
        r->peak_units = units;
        r->peak_second = s->second;
    }
}

_Static_assert(DDB_HOT_BUCKETS == DDB_KEY_BUCKETS, "a bucket of keys is a partition of the shared model");

/* Whether production would let a load of `units` on the key of hash h (in bucket b) in, by the
   buckets --enforce-capacity refuses by (bucket.h): the table's (or GSI's) own, then the key's
   partition; what it would let in is taken from them, what it would refuse is not (*limit: the
   limit it would go over). */
static int admits(slot *s, bucket *b, const ddb_table *t, uint64_t h, int write, double units, int64_t now,
                  const char **limit)
{
    double part = write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS;

    if (s->rate[write] > 0 && !ddb_bucket_admits(&s->own[write], now, s->rate[write], t)) {
        *limit = s->provisioned ? "ProvisionedThroughputExceeded" : "MaxOnDemandThroughputExceeded";
        return 0;
    }
    if (!ddb_key_bucket_admits(&b->part, h, now, part)) {
        *limit = "KeyRangeThroughputExceeded";
        return 0;
    }
    if (s->rate[write] > 0)
        ddb_bucket_take(&s->own[write], now, units, s->rate[write], DDB_BURST_SECONDS, t);
    ddb_key_bucket_take(&b->part, h, now, units, part);
    return 1;
}

void ddb_hot_observe(ddb_hot *hot, const ddb_table *t, const ddb_index *ix, int write, const char *key, size_t klen,
                     double units)
{
    uint64_t now_ms = ddb_clock_now_ms();
    int64_t second = (int64_t)(now_ms / 1000);
    const char *limit = NULL;
    slot *s;
    bucket *b;
    uint64_t h;
    double load;

    if (hot == NULL || key == NULL || klen < DDB_KEY_PARTITION_BYTES || units <= 0)
        return;
    ix = ix != NULL && ix->kind == DDB_IX_GLOBAL ? ix : NULL; /* an LSI's partitions are its table's */
    s = slot_of(hot, ix != NULL ? ix->id : t->id);
    if (s->second != second)
        next_second(s, t, ix, second);
    s->units[write] += units;
    h = ddb_partition_hash(key);
    b = &s->keys[write][ddb_key_bucket_of(h)];
    load = count(s, b, h, write, units);
    if (!admits(s, b, t, h, write, units, (int64_t)ddb_clock_meter_at(now_ms) * 1000, &limit)) {
        if (limit[0] == 'K') /* a key's: its load this second, as the vote bounds it */
            report(s, h, key, klen, write, limit, load > units ? load : units,
                   write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS);
        else
            report(s, 0, NULL, 0, write, limit, s->units[write], s->rate[write]);
    } else if (!s->provisioned && s->units[write] > s->scale[write]) {
        report(s, 0, NULL, 0, write, "KeyRangeThroughputExceeded", s->units[write], s->scale[write]);
    }
    unlock(s);
}

/* id's slot, locked, or NULL when it has none. */
static slot *locked_slot(ddb_hot *hot, uint32_t id)
{
    for (unsigned i = 0, h = home(id); hot != NULL && i < PROBES; i++) {
        slot *s = &hot->slots[(h + i) % DDB_HOT_SLOTS];
        if (__atomic_load_n(&s->id, __ATOMIC_ACQUIRE) != id)
            continue;
        lock(s);
        if (s->id == id)
            return s;
        unlock(s);
        return NULL;
    }
    return NULL;
}

size_t ddb_hot_shares_of(ddb_hot *hot, uint32_t id, int write, ddb_hot_share out[DDB_HOT_BUCKETS], double *total)
{
    slot *s = locked_slot(hot, id);
    size_t n = 0;

    *total = 0;
    if (s == NULL)
        return 0;
    *total = s->all[write];
    for (unsigned i = 0; i < DDB_HOT_BUCKETS; i++) {
        const bucket *b = &s->keys[write][i];
        if (b->all_owner != 0 && b->all_count > 0) {
            out[n].hash = b->all_owner;
            out[n++].units = b->all_count;
        }
    }
    unlock(s);
    return n;
}

int ddb_hot_view_of(ddb_hot *hot, uint32_t id, ddb_hot_view *v)
{
    for (unsigned i = 0, h = home(id); hot != NULL && i < PROBES; i++) {
        slot *s = &hot->slots[(h + i) % DDB_HOT_SLOTS];
        if (__atomic_load_n(&s->id, __ATOMIC_ACQUIRE) != id)
            continue;
        int found;
        lock(s);
        if ((found = s->id == id)) {
            for (int w = 0; w < 2; w++) {
                int current = s->units[w] > s->peak[w]; /* the second under way counts too */
                v->peak[w] = current ? s->units[w] : s->peak[w];
                v->peak_second[w] = current ? s->second : s->peak_second[w];
            }
            v->throttled = s->throttled;
            v->nreports = s->nreports;
            memcpy(v->reports, s->reports, sizeof(v->reports[0]) * s->nreports);
        }
        unlock(s);
        return found;
    }
    return 0;
}
