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
#include "server/base/alloc.h"
#include "server/base/arn.h"
#include "server/engine/capacity/bucket.h"
#include "proto/arena.h"

#define SLOTS 1024      /* tables and indexes with buckets (open addressing by id) */

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

typedef struct slot {
    uint32_t id; /* 0: free */
    char lock;   /* over its partitions (their votes: bucket.h) */
    ddb_bucket read, write;
    ddb_key_bucket part_read[DDB_KEY_BUCKETS], part_write[DDB_KEY_BUCKETS];
} slot;

/* One engine's buckets (capacity_feature.h: ddb_throttle_of). */
struct ddb_throttle {
    slot slots[SLOTS];
};

ddb_throttle *ddb_throttle_new(void)
{
    return ddb_zalloc(sizeof(ddb_throttle));
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

static void lock(slot *s)
{
    while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE))
        ;
}

static void unlock(slot *s)
{
    __atomic_clear(&s->lock, __ATOMIC_RELEASE);
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

/* The partition of a stored key, write's or read's, in s: its key bucket. */
static ddb_key_bucket *partition_of(slot *s, int write, uint64_t h)
{
    return write ? &s->part_write[ddb_key_bucket_of(h)] : &s->part_read[ddb_key_bucket_of(h)];
}

/* A table's or an index's own bucket, then the key's partition (its units taken once known). */
static int check(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_index *ix, uint32_t id, int write, const char *key,
                 size_t klen, const char *over, ddb_error *err)
{
    slot *s = slot_of(th, id);
    int64_t now = ddb_bucket_now_us();
    int prov = ddb_capacity_provisioned(t), in;
    double rate = ddb_capacity_enforced_rate(t, ix, write);
    uint64_t h;

    if (rate > 0 && !ddb_bucket_admits(write ? &s->write : &s->read, now, rate, t))
        return prov ? fail(a, t, ix, write, DDB_E_THROUGHPUT_EXCEEDED, over, "ProvisionedThroughputExceeded", err)
                    : fail(a, t, ix, write, DDB_E_THROTTLING, MAX_TEXT, "MaxOnDemandThroughputExceeded", err);
    if (key == NULL || klen < DDB_KEY_PARTITION_BYTES)
        return 0;
    h = ddb_partition_hash(key);
    lock(s);
    in = ddb_key_bucket_admits(partition_of(s, write, h), h, now,
                               write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS);
    unlock(s);
    if (!in)
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
    uint64_t h;

    if (th == NULL || key == NULL || klen < DDB_KEY_PARTITION_BYTES)
        return;
    ix = write ? NULL : read_index(ix);
    s = slot_of(th, ix != NULL ? ix->id : t->id);
    h = ddb_partition_hash(key);
    lock(s);
    ddb_key_bucket_take(partition_of(s, write, h), h, ddb_bucket_now_us(), units,
                        write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS);
    unlock(s);
}

void ddb_throttle_take(ddb_throttle *th, const ddb_table *t, int write, double table, const double *index)
{
    slot *s;
    int64_t now;

    if (th == NULL)
        return;
    s = slot_of(th, t->id);
    now = ddb_bucket_now_us();
    ddb_bucket_take(write ? &s->write : &s->read, now, table, ddb_capacity_enforced_rate(t, NULL, write),
                    DDB_BURST_SECONDS, t);
    for (unsigned i = 0; index != NULL && i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind != DDB_IX_GLOBAL || index[i] <= 0)
            continue;
        s = slot_of(th, ix->id);
        ddb_bucket_take(write ? &s->write : &s->read, now, index[i], ddb_capacity_enforced_rate(t, ix, write),
                        DDB_BURST_SECONDS, t);
    }
}
