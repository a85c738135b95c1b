/*
 * server/storage/rados/rados.c: the RADOS storage backend (`--backend rados`): connecting to the
 * cluster, the store's settings in its metadata object, the format check, a change of the
 * partition count (keys moved at open), completing write intents a stopped gateway left, figures
 * for /metrics. Objects and guarantees: rados_internal.h, docs/storage-format.md ("RADOS"),
 * docs/scale-out.md. The only files that include <rados/librados.h> are rados*.c. The top of the
 * backend: the operations table, open and close, calling the files below it (rados_internal.h's
 * list); none calls it.
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
#define FORMAT_VERSION 3
#define FORMAT_VERSION_STR "3"
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
    char keys[3][16] = {"\x01" "ddbd/hash_key", "\x01" "ddbd/format", "\x01" "ddbd/nshards"};
    char hk[DDB_HASH_KEY_BYTES + 1], np[16];
    const char *k[3], *v[3];
    size_t kl[3], vl[3];
    rados_write_op_t op;
    int rc;

    hk[0] = 'v';
    randombytes_buf(hk + 1, DDB_HASH_KEY_BYTES);
    snprintf(np, sizeof(np), "v%u", nparts);
    for (int i = 0; i < 3; i++) { /* escaped keys: none of these holds a byte 0 or 1 */
        k[i] = keys[i] + 1;
        kl[i] = strlen(k[i]);
    }
    v[0] = hk;
    vl[0] = sizeof(hk);
    v[1] = "v" FORMAT_VERSION_STR;
    vl[1] = strlen(v[1]);
    v[2] = np;
    vl[2] = strlen(np);
    op = rados_create_write_op();
    rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
    rados_write_op_omap_set2(op, k, v, kl, vl, 3);
    rc = rados_write_op_operate2(op, s->io, RS_META_OBJ, NULL, 0);
    rados_release_write_op(op);
    return rc == -EEXIST ? 0 : rc < 0 ? rs_check(rc, "create", RS_META_OBJ) : 0;
}

/* Accepts formats FORMAT_OLDEST..FORMAT_VERSION (stamping the current one); refuses others untouched. */
static int check_format(ddb_store *s, char **errout)
{
    char buf[16], *end;
    long v;

    if (meta_str(s, "ddbd/format", buf, sizeof(buf)) <= 0)
        return 0;
    v = strtol(buf, &end, 10);
    if (*end != '\0' || end == buf || v < FORMAT_OLDEST || v > FORMAT_VERSION) {
        *errout = strdup("the pool was written by an incompatible version of ddbd (format version differs)");
        return -1;
    }
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

static int load_settings(ddb_store *s, const ddb_store_options *o, char **errout)
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
    return setup_parts(s, o->nshards, o->default_nshards, errout);
}

/* "pool" or "pool/namespace": a namespace keeps stores apart in one pool (tests, tenants). */
static int connect_pool(ddb_store *s, const ddb_store_options *o, char **errout)
{
    const char *spec = o->rados_pool ? o->rados_pool : "ddbd", *slash = strchr(spec, '/');
    char pool[128], msg[256];
    int rc;

    snprintf(pool, sizeof(pool), "%.*s", slash ? (int)(slash - spec) : (int)strlen(spec), spec);
    s->ns = strdup(slash ? slash + 1 : "");
    snprintf(s->pool, sizeof(s->pool), "%s", pool); /* snapshots' reads open it again */
    if ((rc = rados_create(&s->cluster, NULL)) < 0)
        goto fail;
    /* a cluster that is down fails calls after these times instead of blocking them forever */
    rados_conf_set(s->cluster, "client_mount_timeout", "15");
    rados_conf_set(s->cluster, "rados_osd_op_timeout", "30");
    rados_conf_set(s->cluster, "rados_mon_op_timeout", "30");
    if ((rc = rados_conf_read_file(s->cluster, o->rados_conf)) < 0 || (rc = rados_connect(s->cluster)) < 0)
        goto fail;
    if (rados_pool_lookup(s->cluster, pool) < 0 && (rc = rados_pool_create(s->cluster, pool)) < 0 && rc != -EEXIST)
        goto fail;
    if ((rc = rados_ioctx_create(s->cluster, pool, &s->io)) < 0)
        goto fail;
    rados_ioctx_set_namespace(s->io, s->ns);
    return 0;
fail:
    snprintf(msg, sizeof(msg), "cannot reach RADOS pool %s (ceph.conf %s): %s", pool,
             o->rados_conf ? o->rados_conf : "(default)", strerror(-rc));
    *errout = strdup(msg);
    return -1;
}

static int rs_format_found(const ddb_store *s)
{
    return s->format_found;
}

static void rs_close(ddb_store *s)
{
    rs_watch_stop(s);
    rs_freeze_stop(s);
    if (s->io != NULL)
        rados_ioctx_destroy(s->io);
    if (s->cluster != NULL)
        rados_shutdown(s->cluster);
    rs_seqs_free(s->seqs);
    for (size_t i = 0; i < s->ndir_known; i++)
        free(s->dir_known[i]);
    free(s->dir_known);
    free(s->ns);
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_destroy(&s->locks[i]);
    pthread_mutex_destroy(&s->dir_lock);
    pthread_rwlock_destroy(&s->apply_lock);
    free(s);
}

static struct ddb_groupcommit *rs_groupcommit(ddb_store *s)
{
    (void)s;
    return NULL; /* a RADOS write returns once every replica has it */
}

static unsigned rs_nshards(const ddb_store *s)
{
    return s->nparts;
}

static uint64_t rs_hash(const ddb_store *s, const void *data, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, data, len, s->hash_key); /* SipHash-2-4, as RocksDB's ring (ring.c) */
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | h[i];
    return v;
}

static void rs_metrics_text(ddb_store *s, ddb_buf *out)
{
    ddb_buf_printf(out, "# HELP ddbd_rados_ops_total RADOS operations (round trips to the cluster) by kind; batched: "
                        "reads in flight together, also in read.\n# TYPE ddbd_rados_ops_total counter\n");
#define X(k, name)                                                                    \
    ddb_buf_printf(out, "ddbd_rados_ops_total{op=\"" name "\"} %llu\n",                  \
                   (unsigned long long)__atomic_load_n(&ddb_rados_ops[DDB_RADOS_OP_##k], __ATOMIC_RELAXED));
    DDB_RADOS_OP_KINDS(X)
#undef X
    ddb_buf_printf(out,
                   "# HELP ddbd_rados_intents_total Writes that spanned objects (a write intent each).\n"
                   "# TYPE ddbd_rados_intents_total counter\nddbd_rados_intents_total %llu\n"
                   "# HELP ddbd_rados_commit_retries_total Commits decided again after a guard failed.\n"
                   "# TYPE ddbd_rados_commit_retries_total counter\nddbd_rados_commit_retries_total %llu\n"
                   "# HELP ddbd_rados_guard_overridden_total Multi-object commits completed past a failed guard.\n"
                   "# TYPE ddbd_rados_guard_overridden_total counter\nddbd_rados_guard_overridden_total %llu\n",
                   (unsigned long long)__atomic_load_n(&s->n_intents, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_retries, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_conflicts, __ATOMIC_RELAXED));
}

/* Saving, restoring and deleting checkpoints: not on RADOS yet (docs/scale-out.md). */
static int rs_checkpoint_unsupported(ddb_store *s, const char *name)
{
    (void)s;
    (void)name;
    return DDB_CHECKPOINT_UNSUPPORTED;
}

static size_t rs_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out)
{
    (void)s;
    *out = NULL;
    return 0;
}

static const ddb_store_ops rs_ops = {
    "rados", rs_format_found, rs_close, rs_groupcommit, rs_nshards, rs_metrics_text, rs_hash, rs_meta_get, rs_get,
    rs_write, rs_commit, rs_multi_get, rs_snapshot_take, rs_snapshot_release, rs_multi_get_at, rs_iter_open_at,
    rs_barrier, rs_exclusive, rs_iter_open, rs_meta_iter_open, rs_seq_iter_open, rs_seq_last, rs_seq_floor,
    rs_delete_range_all, rs_checkpoint_unsupported, rs_checkpoint_unsupported, rs_checkpoint_unsupported, rs_checkpoint_list,
    rs_meta_commit, rs_on_meta_change, rs_meta_changed, rs_snapshot_name, rs_snapshot_open, rs_snapshot_detach,
};

ddb_store *ddb_rados_open(const ddb_store_options *o, char **errout)
{
    ddb_store *s = calloc(1, sizeof(*s));
    unsigned char id[8];

    *errout = NULL;
    if (s == NULL)
        abort();
    if (ddb_rados_lib_load(errout) != 0) {
        free(s);
        return NULL;
    }
    s->ops = &rs_ops;
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_init(&s->locks[i], NULL);
    pthread_mutex_init(&s->dir_lock, NULL);
    pthread_rwlockattr_t ra;
    pthread_rwlockattr_init(&ra);
    /* a TransactGetItems (the exclusive side) must not wait behind a stream of writes */
    pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&s->apply_lock, &ra);
    pthread_rwlockattr_destroy(&ra);
    s->key_hash = o->key_hash;
    s->partition_bytes = o->partition_bytes;
    s->nparts = 1; /* until the settings are read: only metadata is touched before */
    randombytes_buf(id, sizeof(id));
    for (int i = 0; i < 8; i++)
        snprintf(s->gateway + 2 * i, 3, "%02x", id[i]);
    s->seqs = rs_seqs_new();
    rs_freeze_start(s); /* before the watch: another gateway's snapshot may ask for a pause */
    /* a write cut short by a stopped gateway is completed before anything is read */
    if (connect_pool(s, o, errout) != 0 || rs_recover_intents(s, 0) != DDB_STORE_OK ||
        load_settings(s, o, errout) != 0 || rs_watch_start(s) != DDB_STORE_OK) {
        if (*errout == NULL)
            *errout = strdup("cannot open the RADOS store (see the log)");
        rs_close(s);
        return NULL;
    }
    rs_snapshots_tidy(s);
    return s;
}
