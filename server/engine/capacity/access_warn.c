/*
 * server/engine/capacity/access_warn.c: the access-pattern warnings' observations (see access_warn.h).
 */
#include "server/engine/capacity/access_warn.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"

/* A key's hash, eight bytes a step (as pattern.c's): every write and every eventually consistent
   read takes one, where FNV-1a's byte a step cost over a hundred instructions a key. Only this
   process's ring keeps it. */
static uint64_t key_hash(const char *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ klen, w;
    size_t i = 0;

    for (; i + 8 <= klen; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    if (i < klen) {
        w = 0;
        memcpy(&w, key + i, klen - i);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return h | 1; /* 0 marks an empty slot */
}

/* Keeps the key's write time, by its hash, in the ring's slot for it. The server's clock, not the
   monotonic one: "a read this soon after a write" is DynamoDB's window, a simulated time a test
   freezes and steps (docs/admin.md), so that a read right after a write is warned of however slow
   the machine. */
static void note_recent(ddb_access_warn *w, const ddb_key *key)
{
    uint64_t h = key_hash(key->bytes, key->len);
    unsigned slot = (unsigned)(h & (DDB_ACCESS_RECENT - 1));

    __atomic_store_n(&w->recent[slot].ms, ddb_clock_now_ms(), __ATOMIC_RELAXED);
    __atomic_store_n(&w->recent[slot].hash, h, __ATOMIC_RELEASE);
}

int ddb_access_written_lately(const ddb_access_warn *w, const char *key, size_t klen)
{
    uint64_t h = key_hash(key, klen);
    unsigned slot = (unsigned)(h & (DDB_ACCESS_RECENT - 1));

    if (__atomic_load_n(&w->recent[slot].hash, __ATOMIC_ACQUIRE) != h)
        return 0; /* the common case: no clock read */
    return ddb_clock_now_ms() - __atomic_load_n(&w->recent[slot].ms, __ATOMIC_RELAXED) < DDB_ACCESS_FRESH_MS;
}

/* The TTL attribute's value: a number of milliseconds (or finer) or a string DynamoDB never expires. */
static void note_ttl(ddb_access_warn *w, const ddb_attr *item, const char *ttl_attr)
{
    const ddb_attr *v = ddb_item_get(item, ttl_attr, strlen(ttl_attr));
    char num[64];

    if (v == NULL)
        return;
    ddb_access_add(&w->ttl_writes, 1);
    if (v->type == DDB_T_S) {
        ddb_access_add(&w->ttl_strings, 1);
    } else if (v->type == DDB_T_N && v->len < sizeof(num)) {
        memcpy(num, v->u.s, v->len);
        num[v->len] = 0;
        if (strtod(num, NULL) > DDB_ACCESS_TTL_MS_ABOVE)
            ddb_access_add(&w->ttl_ms, 1);
    }
}

/*
 * A write's place in the run of writes in partition key order: a key below the last one ends the
 * run; a run of DDB_ACCESS_SORTED_RUN writes over two keys or more, each written
 * DDB_ACCESS_SORTED_PER_KEY times or more on average (a load sorted by partition and sort key, one
 * partition's items after another's), counts as a sorted load once, and its later writes as its
 * writes. Distinct keys in increasing order are not counted, nor each written twice (an item
 * created then updated, under a time-ordered key): DynamoDB hashes partition keys, so they spread
 * over the partitions. One writer
 * at a time; a write that finds another one there is not looked at (an interleaving the run
 * would not survive anyway).
 */
static void note_order(ddb_access_warn *w, const ddb_key *key)
{
    const char *pk = key->bytes + DDB_KEY_PREFIX_BYTES;
    size_t len = key->part_len > DDB_KEY_PREFIX_BYTES ? key->part_len - DDB_KEY_PREFIX_BYTES : 0;
    int cmp;

    if (len > DDB_ACCESS_PK_BYTES)
        len = DDB_ACCESS_PK_BYTES;
    if (__atomic_exchange_n(&w->run.busy, 1, __ATOMIC_ACQUIRE))
        return;
    cmp = memcmp(pk, w->run.pk, len < w->run.len ? len : w->run.len);
    if (cmp == 0)
        cmp = (len > w->run.len) - (len < w->run.len);
    if (cmp == 0 && key->part_hash != w->run.hash)
        cmp = 1; /* another key past the bytes compared: its order is not known, taken as kept */
    if (w->run.writes == 0 || cmp < 0) {
        w->run.writes = w->run.keys = w->run.counted = 0;
        cmp = 1;
    }
    w->run.writes++;
    if (cmp > 0) {
        w->run.keys++;
        memcpy(w->run.pk, pk, len);
        w->run.len = (uint16_t)len;
        w->run.hash = key->part_hash;
    }
    if (w->run.counted) {
        ddb_access_add(&w->sorted_writes, 1);
    } else if (w->run.writes >= DDB_ACCESS_SORTED_RUN && w->run.keys >= 2 && w->run.writes >= DDB_ACCESS_SORTED_PER_KEY * w->run.keys) {
        w->run.counted = 1;
        ddb_access_add(&w->sorted_loads, 1);
        ddb_access_add(&w->sorted_writes, w->run.writes);
    }
    __atomic_store_n(&w->run.busy, 0, __ATOMIC_RELEASE);
}

void ddb_access_note_write(ddb_access_warn *w, const ddb_key *key, const ddb_attr *new_item, size_t new_size,
                           const char *ttl_attr)
{
    note_recent(w, key);
    if (new_item == NULL)
        return;
    note_order(w, key);
    if (new_size >= DDB_ACCESS_LARGE_ITEM_BYTES) {
        uint64_t largest = __atomic_load_n(&w->largest_bytes, __ATOMIC_RELAXED);
        ddb_access_add(&w->large_items, 1);
        while (new_size > largest && !__atomic_compare_exchange_n(&w->largest_bytes, &largest, new_size, 1,
                                                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        }
    }
    if (ttl_attr != NULL)
        note_ttl(w, new_item, ttl_attr);
}

/* The bound docs/usage.md states (1.2 KB a table). */
_Static_assert(sizeof(ddb_access_warn) <= 1200, "ddb_access_warn grew past the bound docs/usage.md states");
