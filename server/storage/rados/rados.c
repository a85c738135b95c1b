/*
 * server/storage/rados/rados.c: the RADOS store's settings in its metadata object (hash key,
 * format, partition count), the format check, and a change of the partition count (keys moved at
 * open). The backend's table, open and close are rados_backend.c's. Objects and guarantees:
 * rados_store.h, docs/storage-format.md ("RADOS"), docs/scale-out.md. The only files that
 * include <rados/librados.h> are rados*.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_seq.h"
#include "server/storage/rados/rados_txn.h"
#include "server/storage/ring.h"

/* The store's format, in the metadata key "ddbd/format", as RocksDB's (rocks.c): the engine's
   keys are the same on both backends, so the versions are too. */
#define FORMAT_VERSION 4
#define FORMAT_VERSION_STR "4"
#define FORMAT_OLDEST 1

static int meta_str(ddb_store *s, const char *key, char *buf, size_t bufsz)
{
    ddb_arena a;
    char *v = NULL;
    size_t vlen = 0;
    int rc;

    ddb_arena_init(&a);
    rc = rs_meta_get(s, &a, key, strlen(key), &v, &vlen);
    if (rc == DDB_STORE_OK && v != NULL) {
        if (vlen >= bufsz)
            vlen = bufsz - 1;
        memcpy(buf, v, vlen);
        buf[vlen] = '\0';
        rc = (int)vlen;
    } else {
        rc = rc == DDB_STORE_OK ? 0 : -1;
    }
    ddb_arena_free(&a);
    return rc;
}

static int meta_set(ddb_store *s, const char *key, const void *val, size_t vlen)
{
    ddb_arena a;
    ddb_batch b;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, key, strlen(key), val, vlen);
    rc = rs_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

/*
 * A new store's settings (hash key, format, partition count) are written with the metadata
 * object's exclusive creation, so two gateways opening an empty pool at once agree on one hash
 * key: the loser reads the winner's.
 */
static int create_meta(ddb_store *s, unsigned nparts)
{
    char keys[5][20] = {"\x01" "ddbd/hash_key", "\x01" "ddbd/format", "\x01" "ddbd/nshards", "\x01" "ddbd/secret_key",
                        "\x01" "ddbd/hash"};
    char hk[DDB_HASH_KEY_BYTES + 1], np[16], sk[DDB_HASH_KEY_BYTES + 1];
    const char *k[5], *v[5];
    size_t kl[5], vl[5];
    rados_write_op_t op;
    int rc;

    hk[0] = 'v';
    memcpy(hk + 1, ddb_ring_fixed_key, DDB_HASH_KEY_BYTES); /* ring.h: a pool made before keeps its random one */
    snprintf(np, sizeof(np), "v%u", nparts);
    sk[0] = 'v';
    randombytes_buf(sk + 1, DDB_HASH_KEY_BYTES); /* the pool's secret (ddb_store_secret_hash) */
    for (int i = 0; i < 5; i++) { /* escaped keys: none of these holds a byte 0 or 1 */
        k[i] = keys[i] + 1;
        kl[i] = strlen(k[i]);
    }
    v[0] = hk;
    vl[0] = sizeof(hk);
    v[1] = "v" FORMAT_VERSION_STR;
    vl[1] = strlen(v[1]);
    v[2] = np;
    vl[2] = strlen(np);
    v[3] = sk;
    vl[3] = sizeof(sk);
    v[4] = "vmd5"; /* DynamoDB's partition hash (storage.h), since issue 62; a pool made before has none */
    vl[4] = 4;
    op = rados_create_write_op();
    rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
    rados_write_op_omap_set2(op, k, v, kl, vl, 5);
    rc = rados_write_op_operate2(op, s->io, RS_META_OBJ, NULL, 0);
    rados_release_write_op(op);
    return rc == -EEXIST ? 0 : rc < 0 ? rs_check(rc, "create", RS_META_OBJ) : 0;
}

/* Accepts formats FORMAT_OLDEST..FORMAT_VERSION (stamping the current one); refuses others untouched. */
static int check_format(ddb_store *s, char **errout)
{
    char buf[16];
    long v;

    if (meta_str(s, "ddbd/format", buf, sizeof(buf)) <= 0)
        return 0;
    if ((v = ddb_store_format_of(buf, FORMAT_OLDEST, FORMAT_VERSION, "the pool", errout)) < 0)
        return -1;
    s->format_found = (int)v;
    return v == FORMAT_VERSION ? 0 : meta_set(s, "ddbd/format", FORMAT_VERSION_STR, 1);
}

/*
 * Moves every data key whose partition object differs under the current nparts: per object, its
 * keys are copied to their new objects, then removed from it. Copies come first, so a move cut
 * short loses nothing, and "ddbd/rebalancing" makes the next open run it again (a key found in
 * its right object stays; one in both places is copied again with the same value).
 */
static int rebalance(ddb_store *s)
{
    static const char hi[] = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
    char (*oids)[RS_OBJ_MAX] = NULL;
    size_t n = 0, moved = 0;
    int rc = rs_range_objects(s, "", 0, hi, sizeof(hi) - 1, 0, &oids, &n);

    for (size_t i = 0; i < n && rc == DDB_STORE_OK; i++) {
        ddb_store_iter *it = rs_iter_objects(s, &oids[i], 1, "", 0, hi, sizeof(hi) - 1, 0);
        ddb_arena a;
        ddb_batch put, del;
        ddb_arena_init(&a);
        ddb_batch_init(&put, &a);
        ddb_batch_init(&del, &a);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
            size_t kl, vl;
            const char *k = ddb_store_iter_key(it, &kl), *v = ddb_store_iter_val(it, &vl);
            char to[RS_OBJ_MAX];
            rs_data_obj(s, k, kl, to);
            if (strcmp(to, oids[i]) == 0)
                continue;
            k = ddb_arena_memdup(&a, k, kl);
            ddb_batch_put(&put, k, kl, ddb_arena_memdup(&a, v, vl), vl);
            ddb_batch_delete(&del, k, kl);
        }
        rc = ddb_store_iter_status(it);
        ddb_store_iter_close(it);
        /* puts land in their new objects (each write: one object, or an intent); the deletes
           then name the keys, which now place in their new objects, so they go to the old one
           directly */
        if (rc == DDB_STORE_OK && put.n > 0)
            rc = rs_write(s, &put);
        if (rc == DDB_STORE_OK && del.n > 0)
            rc = rs_remove_keys(s, oids[i], &del);
        moved += put.n;
        ddb_arena_free(&a);
    }
    free(oids);
    if (rc == DDB_STORE_OK)
        ddb_log(DDB_LOG_INFO, "rados: %u partitions per keyspace: moved %zu keys", s->nparts, moved);
    return rc;
}

/* want 0: the store's count (or the one a move was going to), else `fallback` for a new store. */
static int setup_parts(ddb_store *s, unsigned want, unsigned fallback, char **errout)
{
    char buf[32];
    unsigned have = 0, moving = 0;

    if (meta_str(s, "ddbd/nshards", buf, sizeof(buf)) > 0)
        have = (unsigned)strtoul(buf, NULL, 10);
    if (meta_str(s, "ddbd/rebalancing", buf, sizeof(buf)) > 0)
        moving = (unsigned)strtoul(buf, NULL, 10);
    if (want == 0)
        want = moving != 0 ? moving : have != 0 ? have : fallback;
    if (want < 1 || want > RS_MAX_PARTS) {
        *errout = strdup("shard count must be between 1 and 256");
        return -1;
    }
    s->nparts = want;
    if ((have != 0 && have != want) || moving != 0) {
        ddb_log(DDB_LOG_INFO, "rados: partitions per keyspace changed from %u to %u: moving keys", have, want);
        snprintf(buf, sizeof(buf), "%u", want);
        if (meta_set(s, "ddbd/rebalancing", buf, strlen(buf)) != 0 || rebalance(s) != 0)
            return -1;
        ddb_arena a;
        ddb_batch b;
        ddb_arena_init(&a);
        ddb_batch_init(&b, &a);
        ddb_batch_meta_put(&b, "ddbd/nshards", 12, buf, strlen(buf));
        ddb_batch_meta_delete(&b, "ddbd/rebalancing", 16);
        int rc = rs_write(s, &b);
        ddb_arena_free(&a);
        if (rc != DDB_STORE_OK)
            return -1;
    }
    return 0;
}

int rs_load_settings(ddb_store *s, const ddb_store_options *o, char **errout)
{
    char hk[DDB_HASH_KEY_BYTES + 1];
    unsigned first = o->nshards ? o->nshards : o->default_nshards;

    /* format_found stays 0 for a new store: read before its settings are made */
    if (check_format(s, errout) != 0)
        return -1;
    if (s->format_found == 0 && (first < 1 || first > RS_MAX_PARTS)) {
        *errout = strdup("shard count must be between 1 and 256");
        return -1;
    }
    if (create_meta(s, first) != 0)
        return -1;
    if (meta_str(s, "ddbd/hash_key", hk, sizeof(hk)) != DDB_HASH_KEY_BYTES) {
        *errout = strdup("the pool's ddbd/hash_key is missing or damaged");
        return -1;
    }
    memcpy(s->hash_key, hk, DDB_HASH_KEY_BYTES);
    /* a pool made before issue 52 has no secret: its random hash key was its secret */
    if (meta_str(s, "ddbd/secret_key", hk, sizeof(hk)) != DDB_HASH_KEY_BYTES)
        memcpy(hk, s->hash_key, DDB_HASH_KEY_BYTES);
    memcpy(s->secret, hk, DDB_HASH_KEY_BYTES);
    /* the partition hash: DynamoDB's in a pool made since issue 62, SipHash in one made before */
    switch (meta_str(s, "ddbd/hash", hk, sizeof(hk))) {
    case 0:
        s->hash_alg = DDB_HASH_SIPHASH;
        break;
    case 3:
        if (memcmp(hk, "md5", 3) == 0) {
            s->hash_alg = DDB_HASH_MD5;
            break;
        }
        /* fall through */
    default:
        *errout = strdup("the pool's partition hash (ddbd/hash) is unknown or cannot be read");
        return -1;
    }
    return setup_parts(s, o->nshards, o->default_nshards, errout);
}
