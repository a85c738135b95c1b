/*
 * server/engine/capacity/throttle.c: token buckets for --enforce-capacity (see throttle.h).
 *
 * Messages: the provisioned table's, as DynamoDB words it (captured in public issues, e.g.
 * benhutchins/dyngoose#668); an on-demand partition's ThrottlingException, as DynamoDB words it
 * (praetorian-inc/chariot-ui#684); the GSI and on-demand maximum texts could not be found and are
 * written in DynamoDB's style (docs/compatibility.md).
 */
#include "server/engine/capacity/throttle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/arn.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "proto/arena.h"

#define SLOTS 1024      /* tables and indexes with buckets (open addressing by id) */
#define PARTITIONS 64   /* partition slots per table or index */
#define US 1000000.0

#define TABLE_TEXT                                                                                                     \
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "            \
    "provisioning level with the UpdateTable API."
#define INDEX_READ_TEXT                                                                                                \
    "The level of configured provisioned throughput for the index was exceeded. Consider increasing your "            \
    "provisioning level with the UpdateTable API."
#define INDEX_WRITE_TEXT                                                                                               \
    "The level of configured provisioned throughput for one or more global secondary indexes of the table was "       \
    "exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes "       \
    "with the UpdateTable API"
#define MAX_TEXT "Throughput exceeds the maximum OnDemandThroughput configured on table or index"
#define HOT_TEXT                                                                                                       \
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table "   \
    "or index so please try again shortly. If exceptions persist, check if you have a hot key: "                      \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"

/* A bucket: the moment (us on the server's clock) at which it is empty; 0: never used. */
typedef struct bucket {
    int64_t empty_at;
} bucket;

typedef struct slot {
    uint32_t id; /* 0: free */
    bucket read, write;
    bucket part_read[PARTITIONS], part_write[PARTITIONS];
} slot;

/* One engine's buckets (capacity_feature.h: ddb_throttle_of). */
struct ddb_throttle {
    slot slots[SLOTS];
};

ddb_throttle *ddb_throttle_new(void)
{
    ddb_throttle *th = calloc(1, sizeof(*th));

    if (th == NULL)
        abort();
    return th;
}

void ddb_throttle_free(ddb_throttle *th)
{
    free(th);
}

/* The slot of id, claimed when it has none (a full table shares the last probe's: never in practice). */
static slot *slot_of(ddb_throttle *th, uint32_t id)
{
    slot *slots = th->slots;
    uint32_t h = (id * 2654435761u) % SLOTS, i = h;

    do {
        uint32_t cur = __atomic_load_n(&slots[i].id, __ATOMIC_ACQUIRE), zero = 0;
        if (cur == id)
            return &slots[i];
        if (cur == 0 && (__atomic_compare_exchange_n(&slots[i].id, &zero, id, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
                         zero == id))
            return &slots[i];
        i = (i + 1) % SLOTS;
    } while (i != h);
    return &slots[h];
}

/* (the meter clock: a clock moved back leaves the buckets as they stood, clock.h) */
static int64_t now_us(void)
{
    return (int64_t)ddb_clock_meter_ms() * 1000;
}

/* What a table's bucket holds when first used: DynamoDB's burst is the capacity that went unused
   (up to 300 s of it), and a table's went unused since it was created: a table first used an hour
   after its CreateTable holds 300 s, one used at once one second (never less). t NULL: a key's
   partition, one second. */
static int64_t first_fill_us(const ddb_table *t)
{
    const ddb_json *c = t != NULL ? ddb_json_get(t->desc, "CreationDateTime") : NULL;
    double created_ms = c != NULL && c->type == DDB_JSON_NUMBER ? strtod(c->u.s, NULL) * 1e3 : 0;
    double age_ms = created_ms > 0 ? (double)ddb_clock_now_ms() - created_ms : 0;

    if (age_ms < 1e3)
        return (int64_t)US;
    return age_ms > DDB_BURST_SECONDS * 1e3 ? (int64_t)DDB_BURST_SECONDS * (int64_t)US : (int64_t)(age_ms * 1e3);
}

/* The bucket's empty moment, set as first_fill_us says when it is first used (t: its table). */
static int64_t empty_at(bucket *b, int64_t now, const ddb_table *t)
{
    int64_t e = __atomic_load_n(&b->empty_at, __ATOMIC_ACQUIRE), first;

    if (e != 0)
        return e;
    first = now - first_fill_us(t);
    if (__atomic_compare_exchange_n(&b->empty_at, &e, first, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return first;
    return e;
}

/* Whether the bucket holds at least one unit now (filled at `rate` a second). */
static int has_unit(bucket *b, int64_t now, double rate, const ddb_table *t)
{
    return now - empty_at(b, now, t) >= (int64_t)(US / rate);
}

/* Takes `units` at `rate` a second, the bucket holding at most `burst` seconds of it. */
static void take(bucket *b, double units, double rate, double burst, const ddb_table *t)
{
    int64_t now = now_us(), e = empty_at(b, now, t), full = now - (int64_t)(burst * US), next;

    if (rate <= 0 || units <= 0)
        return;
    do {
        next = (e < full ? full : e) + (int64_t)(units * US / rate);
    } while (!__atomic_compare_exchange_n(&b->empty_at, &e, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
}

/* The account in ARNs of a table without an owner (api/req.h's DDB_DEFAULT_ACCOUNT: the engine
   is below the api layer). */
#define DEFAULT_ACCOUNT "000000000000"

/* The ARN of t, or of its index ix, as ThrottlingReasons' "resource" names it (arena memory). */
static const char *resource_arn(ddb_arena *a, const ddb_table *t, const ddb_index *ix)
{
    return ddb_arn_table(a, t->region, t->account != NULL ? t->account : DEFAULT_ACCOUNT, t->name,
                         ix != NULL ? "index" : NULL, ix != NULL ? ix->name : NULL);
}

/* Records the error: its type and text, and its ThrottlingReasons entry, whose reason is
   ResourceType+OperationType+LimitType (API_ThrottlingReason). */
static int fail(ddb_arena *a, const ddb_table *t, const ddb_index *ix, int write, int code, const char *text,
                const char *limit, ddb_error *err)
{
    memset(err, 0, sizeof(*err));
    err->code = code;
    err->msg = text;
    err->throttle_reason = ddb_arena_sprintf(a, "%s%s%s", ix != NULL ? "Index" : "Table", write ? "Write" : "Read", limit);
    err->throttle_resource = resource_arn(a, t, ix);
    return code;
}

/* The partition slot of a stored key (its partition hash). */
static unsigned partition_of(const char *key)
{
    return (unsigned)(ddb_get_be(key + 4, 8) % PARTITIONS);
}

/* A table's or an index's own bucket, then the key's partition (taking one unit when let in). */
static int check(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_index *ix, uint32_t id, int write, const char *key,
                 size_t klen, const char *over, ddb_error *err)
{
    slot *s = slot_of(th, id);
    int64_t now = now_us();
    int prov = ddb_capacity_provisioned(t);
    double rate = ddb_capacity_enforced_rate(t, ix, write);
    double part_rate = write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS;
    bucket *part;

    if (rate > 0 && !has_unit(write ? &s->write : &s->read, now, rate, t))
        return prov ? fail(a, t, ix, write, DDB_E_THROUGHPUT_EXCEEDED, over, "ProvisionedThroughputExceeded", err)
                    : fail(a, t, ix, write, DDB_E_THROTTLING, MAX_TEXT, "MaxOnDemandThroughputExceeded", err);
    if (key == NULL || klen < DDB_KEY_PARTITION_BYTES)
        return 0;
    part = write ? &s->part_write[partition_of(key)] : &s->part_read[partition_of(key)];
    if (!has_unit(part, now, part_rate, NULL))
        return fail(a, t, ix, write, prov ? DDB_E_THROUGHPUT_EXCEEDED : DDB_E_THROTTLING, prov ? TABLE_TEXT : HOT_TEXT,
                    "KeyRangeThroughputExceeded", err);
    return 0; /* its units are taken once known (ddb_throttle_take_partition) */
}

int ddb_throttle_write(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_key *key, ddb_error *err)
{
    int rc;

    if (th == NULL)
        return 0;
    if ((rc = check(th, a, t, NULL, t->id, 1, key->bytes, key->len, TABLE_TEXT, err)) != 0)
        return rc;
    /* a GSI out of write capacity holds the table's writes back */
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind == DDB_IX_GLOBAL && (rc = check(th, a, t, ix, ix->id, 1, NULL, 0, INDEX_WRITE_TEXT, err)) != 0)
            return rc;
    }
    return 0;
}

/* The index whose capacity a read of t's index ix takes: a GSI its own, an LSI its table's (NULL). */
static const ddb_index *read_index(const ddb_index *ix)
{
    return ix != NULL && ix->kind == DDB_IX_GLOBAL ? ix : NULL;
}

int ddb_throttle_read(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const char *key,
                      size_t klen, ddb_error *err)
{
    if (th == NULL)
        return 0;
    ix = read_index(ix);
    return check(th, a, t, ix, ix != NULL ? ix->id : t->id, 0, key, klen, ix != NULL ? INDEX_READ_TEXT : TABLE_TEXT, err);
}

void ddb_throttle_take_partition(ddb_throttle *th, const ddb_table *t, const ddb_index *ix, int write,
                                 const char *key, size_t klen, double units)
{
    slot *s;
    unsigned p;

    if (th == NULL || key == NULL || klen < DDB_KEY_PARTITION_BYTES)
        return;
    ix = write ? NULL : read_index(ix);
    s = slot_of(th, ix != NULL ? ix->id : t->id);
    p = partition_of(key);
    if (write)
        take(&s->part_write[p], units, DDB_PARTITION_WRITE_UNITS, 1, NULL);
    else
        take(&s->part_read[p], units, DDB_PARTITION_READ_UNITS, 1, NULL);
}

void ddb_throttle_take(ddb_throttle *th, const ddb_table *t, int write, double table, const double *index)
{
    slot *s;

    if (th == NULL)
        return;
    s = slot_of(th, t->id);
    take(write ? &s->write : &s->read, table, ddb_capacity_enforced_rate(t, NULL, write), DDB_BURST_SECONDS, t);
    for (unsigned i = 0; index != NULL && i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind != DDB_IX_GLOBAL || index[i] <= 0)
            continue;
        s = slot_of(th, ix->id);
        take(write ? &s->write : &s->read, index[i], ddb_capacity_enforced_rate(t, ix, write), DDB_BURST_SECONDS, t);
    }
}
