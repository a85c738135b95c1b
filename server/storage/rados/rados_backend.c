/*
 * server/storage/rados/rados_backend.c: the RADOS backend as a store (storage.h), as
 * rocks_backend.c is RocksDB's: its operations table, its open (the cluster and pool connected,
 * write intents a stopped gateway left completed, the settings read, the watch on the metadata
 * object set up) and its close, and the small operations that are the store's own (partition
 * count, hash, figures for /metrics). The top of the backend: it calls the files below it
 * (rados_store.h's list); none calls it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/base/alloc.h"
#include "server/storage/rados/rados_known.h"
#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_seq.h"
#include "server/storage/rados/rados_txn.h"
#include "server/storage/ring.h" /* ddb_md5_partition_hash */

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
    if (s->io != NULL) {
        rados_aio_flush(s->io); /* the intents' removals nobody waited for (rados_txn.c) */
        rados_ioctx_destroy(s->io);
    }
    if (s->cluster != NULL)
        rados_shutdown(s->cluster);
    rs_seqs_free(s->seqs);
    rs_known_free(s->known);
    ddb_free_strings(s->dir_known, s->ndir_known);
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

static uint64_t siphash_le(const unsigned char key[16], const void *data, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, data, len, key); /* SipHash-2-4, as RocksDB's ring (ring.c) */
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | h[i];
    return v;
}

static uint64_t rs_hash(const ddb_store *s, const void *data, size_t len)
{
    return s->hash_alg == DDB_HASH_MD5 ? ddb_md5_partition_hash(data, len) : siphash_le(s->hash_key, data, len);
}

static ddb_hash_alg rs_hash_alg(const ddb_store *s)
{
    return s->hash_alg;
}

static uint64_t rs_secret_hash(const ddb_store *s, const void *data, size_t len)
{
    return siphash_le(s->secret, data, len);
}

static void rs_metrics_text(ddb_store *s, ddb_buf *out)
{
    ddb_buf_printf(out, "# HELP ddbd_rados_ops_total RADOS operations (round trips to the cluster) by kind; batched: "
                        "reads in flight together, also in read; sequential: round trips waited for one after "
                        "another (operations sent together count once).\n# TYPE ddbd_rados_ops_total counter\n");
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
                   "# TYPE ddbd_rados_guard_overridden_total counter\nddbd_rados_guard_overridden_total %llu\n"
                   "# HELP ddbd_rados_guesses_total One-key commits written on a guess of the old value, without "
                   "reading: right (one round trip), or wrong (read and written again).\n"
                   "# TYPE ddbd_rados_guesses_total counter\nddbd_rados_guesses_total{result=\"right\"} %llu\n"
                   "ddbd_rados_guesses_total{result=\"wrong\"} %llu\n",
                   (unsigned long long)__atomic_load_n(&s->n_intents, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_retries, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_conflicts, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_guess_right, __ATOMIC_RELAXED),
                   (unsigned long long)__atomic_load_n(&s->n_guess_wrong, __ATOMIC_RELAXED));
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
    .name = "rados",
    .format_found = rs_format_found,
    .close = rs_close,
    .groupcommit = rs_groupcommit,
    .nshards = rs_nshards,
    .metrics_text = rs_metrics_text,
    .hash = rs_hash,
    .hash_alg = rs_hash_alg,
    .secret_hash = rs_secret_hash,
    .meta_get = rs_meta_get,
    .get = rs_get,
    .write = rs_write,
    .commit = rs_commit,
    .multi_get = rs_multi_get,
    .snapshot_take = rs_snapshot_take,
    .snapshot_release = rs_snapshot_release,
    .multi_get_at = rs_multi_get_at,
    .iter_open_at = rs_iter_open_at,
    .barrier = rs_barrier,
    .exclusive = rs_exclusive,
    .iter_open = rs_iter_open,
    .meta_iter_open = rs_meta_iter_open,
    .seq_iter_open = rs_seq_iter_open,
    .seq_last = rs_seq_last,
    .seq_trim = rs_seq_trim,
    .delete_range_all = rs_delete_range_all,
    .checkpoint_save = rs_checkpoint_unsupported,
    .checkpoint_restore = rs_checkpoint_unsupported,
    .checkpoint_delete = rs_checkpoint_unsupported,
    .checkpoint_list = rs_checkpoint_list,
    .meta_commit = rs_meta_commit,
    .on_meta_change = rs_on_meta_change,
    .meta_changed = rs_meta_changed,
    .snapshot_name = rs_snapshot_name,
    .snapshot_open = rs_snapshot_open,
    .snapshot_detach = rs_snapshot_detach,
};

ddb_store *ddb_rados_open(const ddb_store_options *o, char **errout)
{
    ddb_store *s = ddb_zalloc(sizeof(*s));
    unsigned char id[8];

    *errout = NULL;
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
    s->known = rs_known_new();
    rs_freeze_start(s); /* before the watch: another gateway's snapshot may ask for a pause */
    /* a write cut short by a stopped gateway is completed before anything is read */
    if (connect_pool(s, o, errout) != 0 || rs_recover_intents(s, 0) != DDB_STORE_OK ||
        rs_load_settings(s, o, errout) != 0 || rs_watch_start(s) != DDB_STORE_OK) {
        if (*errout == NULL)
            *errout = strdup("cannot open the RADOS store (see the log)");
        rs_close(s);
        return NULL;
    }
    rs_snapshots_tidy(s);
    return s;
}
