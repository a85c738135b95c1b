/*
 * server/engine/read.c: the operations' reads (see read.h).
 */
#include "server/engine/read.h"

#include <string.h>

#include "server/engine/itemcodec.h"

/* The read path's feed: each row with a read hook (feature.h: Contributor Insights) sees the key. */
static inline void feed_read(const ddb_engine *eng, const char *key, size_t klen, size_t stored_size)
{
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_READ); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL)
            f->row->read(f->state, key, klen, stored_size);
    }
}

static inline void feed_range(const ddb_engine *eng, const char *lo, size_t lolen)
{
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_RANGE); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL)
            f->row->range(f->state, lo, lolen);
    }
}

int ddb_read_item(ddb_engine *eng, ddb_arena *a, const ddb_key *key, ddb_attr *item, size_t *size, int *found)
{
    char *val;
    size_t vlen;

    if (ddb_store_get(eng->store, a, key->bytes, key->len, &val, &vlen) != DDB_STORE_OK ||
        (val != NULL && ddb_item_decode(a, val, vlen, item) != 0))
        return DDB_READ_FAILED;
    *found = val != NULL;
    *size = val != NULL ? ddb_item_stored_size(val, vlen) : 0;
    feed_read(eng, key->bytes, key->len, *size);
    return 0;
}

int ddb_read_table_item(ddb_engine *eng, ddb_arena *a, const ddb_table *t, int consistent, const ddb_key *key,
                        ddb_attr *item, size_t *size, int *found, unsigned *drawn)
{
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_REPLICA_ITEM); !consistent && on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL)
            return f->row->replica_item(f, eng, a, t, key, item, size, found, drawn);
    }
    return ddb_read_item(eng, a, key, item, size, found);
}

int ddb_read_stored(ddb_engine *eng, ddb_arena *a, const ddb_key *key, const char **val, size_t *vlen)
{
    char *v;

    if (ddb_store_get(eng->store, a, key->bytes, key->len, &v, vlen) != DDB_STORE_OK)
        return DDB_READ_FAILED;
    *val = v;
    return 0;
}

int ddb_read_batch(ddb_engine *eng, ddb_arena *a, ddb_read_slot *slots, size_t n)
{
    ddb_store_snapshot *snap = ddb_store_snapshot_take_light(eng->store);
    ddb_store_key *keys = DDB_NEW_ARRAY(a, ddb_store_key, n ? n : 1);
    int rc;

    for (size_t i = 0; i < n; i++)
        keys[i] = (ddb_store_key){slots[i].key, slots[i].klen, NULL, 0};
    rc = snap != NULL ? ddb_store_multi_get_at(eng->store, snap, a, keys, n) : DDB_STORE_EIO;
    if (snap != NULL)
        ddb_store_snapshot_release(eng->store, snap);
    for (size_t i = 0; rc == DDB_STORE_OK && i < n; i++) {
        slots[i].val = keys[i].val;
        slots[i].vlen = keys[i].vlen;
        feed_read(eng, slots[i].key, slots[i].klen,
                  keys[i].val != NULL ? ddb_item_stored_size(keys[i].val, keys[i].vlen) : 0);
    }
    return rc == DDB_STORE_OK ? 0 : rc == DDB_STORE_ECONFLICT ? DDB_READ_CONFLICT : DDB_READ_FAILED;
}

/* fn over an open iterator from `after` (exclusive); the iterator is closed. */
static int each(ddb_store_iter *it, const char *after, size_t afterlen, ddb_read_fn fn, void *ctx)
{
    int rc = 0;

    ddb_store_iter_seek(it, after, afterlen);
    for (; ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        if (after != NULL && klen == afterlen && memcmp(k, after, klen) == 0)
            continue;
        if ((rc = fn(ctx, k, klen, v, vlen)) != 0)
            break;
    }
    /* an I/O error must never look like the end of the range (a short page) */
    if (rc == 0 && ddb_store_iter_status(it) != DDB_STORE_OK)
        rc = DDB_READ_FAILED;
    ddb_store_iter_close(it);
    return rc;
}

int ddb_read_range(ddb_engine *eng, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse,
                   const char *after, size_t afterlen, ddb_read_fn fn, void *ctx)
{
    feed_range(eng, lo, lolen);
    return each(ddb_store_iter_open(eng->store, lo, lolen, hi, hilen, reverse), after, afterlen, fn, ctx);
}

int ddb_read_seq_range(ddb_engine *eng, const char *lo, size_t lolen, const char *hi, size_t hilen, ddb_read_fn fn,
                       void *ctx)
{
    return each(ddb_store_seq_iter_open(eng->store, lo, lolen, hi, hilen, 0), NULL, 0, fn, ctx);
}

int ddb_keyspace_each(ddb_store *s, const ddb_store_snapshot *snap, uint32_t id, ddb_arena *a,
                      int (*fn)(void *ctx, const char *key, size_t klen, const ddb_attr *item), void *ctx)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    int rc = 0;

    ddb_key_table_range(id, lo, hi);
    it = snap != NULL ? ddb_store_iter_open_at(s, snap, lo, sizeof(lo), hi, sizeof(hi), 0)
                      : ddb_store_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); rc == 0 && ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        ddb_attr item;
        if (ddb_item_decode(a, v, vlen, &item) != 0) {
            rc = DDB_STORE_ECORRUPT;
            break;
        }
        rc = fn(ctx, k, klen, &item);
    }
    if (rc == 0)
        rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

/* ---- the partitions of a keyspace, for the reports (no feature fed) ---- */

/* The key form [pk_len][pk] of a stored key (at least DDB_KEY_PREFIX_BYTES long) into buf. */
static size_t pk_form(const char *k, size_t klen, char *buf, size_t size)
{
    size_t pk = 2 + ddb_get_be(k + DDB_KEY_PARTITION_BYTES, 2), n = klen - DDB_KEY_PARTITION_BYTES;

    n = pk < n ? pk : n;
    n = n < size ? n : size;
    memcpy(buf, k + DDB_KEY_PARTITION_BYTES, n);
    return n;
}

/* Past the partition of key k (hash h): the first key of the next hash. */
static void skip_partition(ddb_store_iter *it, const char *k, uint64_t h)
{
    char seek[DDB_KEY_PARTITION_BYTES];

    memcpy(seek, k, DDB_KEY_TABLE_BYTES);
    ddb_put_be(seek + DDB_KEY_TABLE_BYTES, h + 1, 8);
    ddb_store_iter_seek(it, seek, sizeof(seek));
}

int ddb_read_partitions(ddb_engine *eng, uint32_t id, uint64_t budget, ddb_partition_fn fn, void *ctx)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES], pk[DDB_READ_PK_MAX];
    ddb_partition p = {0, pk, 0, 0, 0};
    uint64_t total = 0;
    int open = 0, rc = 0;
    ddb_store_iter *it;

    ddb_key_table_range(id, lo, hi);
    if ((it = ddb_store_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0)) == NULL)
        return DDB_READ_FAILED;
    for (ddb_store_iter_seek(it, NULL, 0); rc == 0 && ddb_store_iter_valid(it);) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        uint64_t h = klen >= DDB_KEY_PREFIX_BYTES ? ddb_get_be(k + DDB_KEY_TABLE_BYTES, 8) : 0;
        if (klen >= DDB_KEY_PREFIX_BYTES && (!open || h != p.hash)) { /* a new partition */
            if (open && (rc = fn(ctx, &p)) != 0)
                break;
            p = (ddb_partition){h, pk, pk_form(k, klen, pk, sizeof(pk)), 0, total < budget || h == UINT64_MAX};
            open = 1;
            if (!p.counted) {
                skip_partition(it, k, h);
                continue;
            }
        }
        if (klen >= DDB_KEY_PREFIX_BYTES) {
            p.entries++;
            total++;
        }
        ddb_store_iter_next(it);
    }
    if (rc == 0 && open)
        rc = fn(ctx, &p);
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        rc = DDB_READ_FAILED;
    ddb_store_iter_close(it);
    return rc;
}

size_t ddb_read_partition_key(ddb_engine *eng, uint32_t id, uint64_t h, char *buf, size_t size)
{
    char lo[DDB_KEY_PARTITION_BYTES], hi[DDB_KEY_PARTITION_BYTES];
    uint64_t end = (h | 1) + 1;
    size_t n = 0;
    ddb_store_iter *it;

    ddb_put_be(lo, id, 4);
    ddb_put_be(lo + 4, h & ~1ULL, 8);
    ddb_put_be(hi, end == 0 ? (uint64_t)id + 1 : id, 4);
    ddb_put_be(hi + 4, end, 8);
    if ((it = ddb_store_iter_open(eng->store, lo, sizeof(lo), hi, end == 0 ? 4 : sizeof(hi), 0)) == NULL)
        return 0;
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (klen >= DDB_KEY_PREFIX_BYTES)
            n = pk_form(k, klen, buf, size);
    }
    ddb_store_iter_close(it);
    return n;
}

int ddb_read_table_range(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int consistent,
                         const ddb_read_bounds *b, ddb_read_fn fn, void *ctx, unsigned *drawn)
{
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_REPLICA_RANGE); !consistent && on != 0;
         on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL)
            return f->row->replica_range(f, eng, a, t, ix, b, fn, ctx, drawn);
    }
    return ddb_read_range(eng, b->lo, b->lolen, b->hi, b->hilen, b->reverse, b->after, b->afterlen, fn, ctx);
}
