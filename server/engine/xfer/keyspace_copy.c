/*
 * server/engine/xfer/keyspace_copy.c: keyspaces copied out of the store and back in (see keyspace_copy.h).
 */
#include "server/engine/xfer/keyspace_copy.h"

#include <string.h>

#include "proto/arena.h"
#include "server/base/be.h"
#include "server/engine/jobs/batched.h"
#include "server/engine/keycodec.h"
#include "server/engine/table_stats.h"

/* The puts one write of a copy's keys holds. */
#define COPY_BATCH 512

int ddb_keyspace_copy_supported(const ddb_engine *eng)
{
    return !ddb_store_shared(eng->store);
}

static void put_u32(ddb_buf *b, uint32_t v)
{
    char be[4];

    ddb_put_be(be, v, 4);
    ddb_buf_append(b, be, 4);
}

/* Copies keyspace ks->id as of `snap` into ks->kv, and its figures when asked. */
static int copy_out(ddb_store *st, const ddb_store_snapshot *snap, ddb_keyspace_copy *ks)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    int rc;

    ddb_key_table_range(ks->id, lo, hi);
    it = ddb_store_iter_open_at(st, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        put_u32(&ks->kv, (uint32_t)(klen - DDB_KEY_TABLE_BYTES));
        put_u32(&ks->kv, (uint32_t)vlen);
        ddb_buf_append(&ks->kv, k + DDB_KEY_TABLE_BYTES, klen - DDB_KEY_TABLE_BYTES);
        ddb_buf_append(&ks->kv, v, vlen);
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    if (rc == DDB_STORE_OK && ks->counted)
        rc = ddb_keyspace_count(st, snap, ks->id, &ks->items, &ks->bytes);
    return rc;
}

int ddb_keyspaces_copy_out(ddb_engine *eng, ddb_keyspace_copy *const *ks, size_t n)
{
    ddb_store_snapshot *snap = ddb_store_snapshot_take(eng->store);
    int rc = DDB_STORE_OK;

    for (size_t i = 0; rc == DDB_STORE_OK && i < n; i++)
        rc = copy_out(eng->store, snap, ks[i]);
    ddb_store_snapshot_release(eng->store, snap);
    return rc == DDB_STORE_OK ? 0 : -1;
}

/* Writes the copy's keys under `id`. */
static int copy_in(ddb_store *st, const ddb_keyspace_copy *ks, uint32_t id)
{
    ddb_batched w;
    size_t at = 0;
    int rc = DDB_STORE_OK;

    ddb_batched_init(&w, st, COPY_BATCH);
    while (rc == DDB_STORE_OK && at < ks->kv.len) {
        uint32_t klen = (uint32_t)ddb_get_be(ks->kv.data + at, 4), vlen = (uint32_t)ddb_get_be(ks->kv.data + at + 4, 4);
        char *key = ddb_arena_alloc(&w.a, DDB_KEY_TABLE_BYTES + klen);
        ddb_put_be(key, id, 4);
        memcpy(key + DDB_KEY_TABLE_BYTES, ks->kv.data + at + 8, klen);
        ddb_batch_put(&w.b, key, DDB_KEY_TABLE_BYTES + klen, ks->kv.data + at + 8 + klen, vlen);
        at += 8 + (size_t)klen + vlen;
        rc = ddb_batched_count(&w);
    }
    return ddb_batched_end(&w, rc);
}

int ddb_keyspace_copy_in(ddb_engine *eng, const ddb_keyspace_copy *ks, uint32_t id, int replace)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    int rc = DDB_STORE_OK;

    if (replace) {
        ddb_key_table_range(id, lo, hi);
        rc = ddb_store_delete_range_all(eng->store, lo, sizeof(lo), hi, sizeof(hi));
    }
    if (rc == DDB_STORE_OK)
        rc = copy_in(eng->store, ks, id);
    return rc == DDB_STORE_OK ? 0 : -1;
}

void ddb_keyspace_copy_free(ddb_keyspace_copy *ks)
{
    ddb_buf_free(&ks->kv);
}
