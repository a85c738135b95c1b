/*
 * server/engine/jobs/replication.c: global tables kept in step (see replication.h).
 */
#include "server/engine/jobs/replication.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog_edit.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/lease.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "server/engine/streams.h"

#define BATCH 512          /* records read at a time from one shard */
#define IDLE_MS 1000       /* no global table (a kick wakes it sooner), or another gateway replicates */
#define POLL_MS 50         /* global tables: look again this often (other gateways' writes) */

struct ddb_replication {
    ddb_engine *eng;
    unsigned lag_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int kicked;
    int stop;
    ddb_lease lease;
};

static void kick(ddb_engine *eng)
{
    ddb_replication *r = eng->replication;

    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->kicked = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

void ddb_replication_kick(ddb_engine *eng)
{
    kick(eng);
}

/* Waits up to `ms` for a kick or the stop; returns whether to stop. */
static int nap(ddb_replication *r, unsigned ms)
{
    struct timespec until;
    int stop;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    if (!r->kicked && !r->stop)
        pthread_cond_timedwait(&r->wake, &r->lock, &until);
    r->kicked = 0;
    stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

static int stopping(ddb_replication *r)
{
    int s;

    pthread_mutex_lock(&r->lock);
    s = r->stop;
    pthread_mutex_unlock(&r->lock);
    return s;
}

/* Whether to stop a pass midway: the worker stops, or another gateway took the lease (renewed here when
   due, so a long fill or catch-up keeps it instead of running on beside the next holder's) */
static int yielding(ddb_replication *r)
{
    return stopping(r) || !ddb_lease_hold(&r->lease);
}

/* The replica of table t in `region` (the same name in that region's namespace), or NULL. */
static const ddb_table *replica_table(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const char *region)
{
    const ddb_table *r = ddb_catalog_get(eng->catalog, ddb_replica_key(a, t, region));

    return r != NULL && r->rep_id != 0 ? r : NULL;
}

/* ---- applying one change ---- */

/* Applies a change made in `region` at `time_ms` to target table t: the new image, or a delete of `keys`. */
static int apply(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_attr *keys, const ddb_attr *new_image,
                 uint64_t time_ms, const char *region, int flags)
{
    const ddb_attr *pk = ddb_item_get(keys, t->hash_key, strlen(t->hash_key));
    const ddb_attr *sk = t->range_key != NULL ? ddb_item_get(keys, t->range_key, strlen(t->range_key)) : NULL;
    ddb_mutation m;
    ddb_key key;

    if (pk == NULL || (t->range_key != NULL && sk == NULL))
        return DDB_E_VALIDATION;
    ddb_key_build(a, eng->store, t->id, pk, sk, &key);
    ddb_mutation_init(&m, new_image != NULL ? DDB_MUT_PUT : DDB_MUT_DELETE, t, &key);
    m.item = new_image;
    m.keyattrs = keys;
    m.replicated = 1;
    m.rep_time = time_ms;
    m.rep_region = region;
    m.stream_flags = flags;
    return ddb_mutate(eng, a, &m);
}

/* The write time and region stored for an item key of src (time 0 and src's region when none). */
static void write_time(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const char *k, size_t klen,
                       uint64_t *time_ms, const char **region, int *failed)
{
    ddb_store_key wk;
    char *wv = NULL;
    size_t wlen = 0;
    ddb_write_time w;

    ddb_write_time_key(a, src->rep_id, k, klen, &wk);
    if (ddb_store_get(eng->store, a, wk.key, wk.klen, &wv, &wlen) != 0) {
        *failed = 1;
        return;
    }
    w = ddb_write_time_parse(wv, wlen);
    *time_ms = w.ms;
    *region = w.rlen > 0 ? ddb_arena_strndup(a, w.region, w.rlen) : src->region;
}

/*
 * Copies src's item under stored key k into dst as it is now, with its write time: the time is
 * read first, so a write between the two reads is newer than the copy and its own record still
 * lands. An absent item copies nothing (its delete's record does). 0, or the error.
 */
static int copy_stored(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const ddb_table *dst, const char *k,
                       size_t klen)
{
    uint64_t time_ms;
    const char *region;
    char *iv = NULL;
    size_t ilen = 0;
    int failed = 0;
    ddb_attr item;

    write_time(eng, a, src, k, klen, &time_ms, &region, &failed);
    if (failed || ddb_store_get(eng->store, a, k, klen, &iv, &ilen) != 0)
        return DDB_E_INTERNAL;
    if (iv == NULL || ddb_item_decode(a, iv, ilen, &item) != 0)
        return DDB_OK;
    return apply(eng, a, dst, &item, &item, time_ms, region, 0);
}

/* copy_stored of the item with these keys. */
static int copy_item(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const ddb_table *dst, const ddb_attr *keys)
{
    const ddb_attr *pk = ddb_item_get(keys, src->hash_key, strlen(src->hash_key));
    const ddb_attr *sk = src->range_key != NULL ? ddb_item_get(keys, src->range_key, strlen(src->range_key)) : NULL;
    ddb_key key;

    if (pk == NULL || (src->range_key != NULL && sk == NULL))
        return DDB_E_VALIDATION;
    ddb_key_build(a, eng->store, src->id, pk, sk, &key);
    return copy_stored(eng, a, src, dst, key.bytes, key.len);
}

/* ---- following a stream ---- */

static char *checkpoint_key(ddb_arena *a, const ddb_table *src, const ddb_table *dst, uint32_t stream, unsigned g,
                            unsigned s)
{
    return ddb_arena_sprintf(a, "replication/%010u/%010u/%010u/%u/%u", src->id, dst->id, stream, g, s);
}

static uint64_t checkpoint_get(ddb_store *store, ddb_arena *a, const char *key)
{
    char *val;
    size_t vlen;

    if (ddb_store_meta_get(store, a, key, strlen(key), &val, &vlen) != 0 || val == NULL)
        return 0;
    return strtoull(ddb_arena_strndup(a, val, vlen), NULL, 10);
}

static void checkpoint_put(ddb_store *store, ddb_arena *a, const char *key, uint64_t seq)
{
    char *val = ddb_arena_sprintf(a, "%llu", (unsigned long long)seq);
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_meta_put(&b, key, strlen(key), val, strlen(val));
    ddb_store_write(store, &b);
}

typedef struct follow {
    ddb_replication *r;
    const ddb_table *src, *dst;
    const ddb_stream_info *info;
    uint64_t now_ms;
    uint64_t due_ms;   /* the earliest record held back by the lag (0: none) */
    int moved;
} follow;

/*
 * Applies shard (g, s)'s records after the checkpoint, up to BATCH at a time, each one made in the
 * source's own region; 0, or -1 when a change could not be applied (tried again later).
 */
static int follow_shard(follow *f, ddb_arena *a, unsigned g, unsigned s)
{
    ddb_engine *eng = f->r->eng;
    char *ck = checkpoint_key(a, f->src, f->dst, f->info->id, g, s);
    uint64_t next = checkpoint_get(eng->store, a, ck) + 1, last = ddb_stream_shard_last(eng->store, f->info, g, s);
    char lo[DDB_STREAM_PREFIX_BYTES + 8], hi[DDB_STREAM_PREFIX_BYTES + 8];

    while (next <= last && !yielding(f->r)) {
        ddb_store_iter *it;
        uint64_t done = 0;
        size_t n = 0;
        int rc = 0, held = 0;
        ddb_stream_prefix(f->info->id, g, s, lo);
        memcpy(hi, lo, DDB_STREAM_PREFIX_BYTES);
        ddb_put_be(lo + DDB_STREAM_PREFIX_BYTES, next, 8);
        ddb_put_be(hi + DDB_STREAM_PREFIX_BYTES, last + 1, 8);
        it = ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < BATCH; ddb_store_iter_next(it), n++) {
            size_t klen, vlen;
            const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
            ddb_stream_record rec;
            if (ddb_stream_record_decode(a, k, klen, ddb_arena_memdup(a, v, vlen), vlen, &rec) != 0)
                break;
            if (!(rec.flags & DDB_REC_REPLICATED)) {
                if (f->r->lag_ms > 0 && rec.created_ms + f->r->lag_ms > f->now_ms) {
                    f->due_ms = f->due_ms == 0 || rec.created_ms + f->r->lag_ms < f->due_ms
                                    ? rec.created_ms + f->r->lag_ms
                                    : f->due_ms;
                    held = 1;
                    break;
                }
                /* TTL deletes replicate as plain deletes: only their own region's stream shows the
                   service did it (the TTL page) */
                if (rec.event == DDB_EV_REMOVE || rec.has_new)
                    rc = apply(eng, a, f->dst, &rec.keys, rec.event != DDB_EV_REMOVE ? &rec.new_image : NULL,
                               rec.created_ms, f->src->region, 0);
                else /* a view without new images: the item as it is now, with its write time */
                    rc = copy_item(eng, a, f->src, f->dst, &rec.keys);
                if (rc == DDB_E_INTERNAL || rc == DDB_E_RESOURCE_NOT_FOUND || rc == DDB_E_TRANSACTION_CONFLICT)
                    break;
                if (rc != DDB_OK) /* the replicas disagree on the schema: nothing can make it fit */
                    ddb_log(DDB_LOG_ERROR, "replication: table %s: a change from %s could not be applied in %s (%d)",
                            f->src->name, f->src->region, f->dst->region, rc);
                rc = 0;
                f->moved = 1;
            }
            done = rec.seq;
        }
        ddb_store_iter_close(it);
        if (done != 0)
            checkpoint_put(eng->store, a, ck, done);
        if (rc != 0)
            return -1;
        if (held || n < BATCH)
            break;
        next = done + 1;
    }
    return 0;
}

/* Every record of src's stream made in src's region goes to dst. */
static int follow_table(ddb_replication *r, ddb_arena *a, const ddb_table *src, const ddb_table *dst, uint64_t *due)
{
    ddb_stream_info info;
    follow f = {r, src, dst, &info, ddb_clock_now_ms(), 0, 0};
    int rc = 0;

    if (ddb_stream_info_get(r->eng->store, a, src->stream_id, &info) != 0)
        return 0;
    /* last writer wins needs no order between shards: every generation's shards are followed */
    for (unsigned g = 0; g < info.ngens && rc == 0; g++)
        for (unsigned s = 0; s < info.gens[g].nshards && rc == 0; s++)
            rc = follow_shard(&f, a, g, s);
    if (f.due_ms != 0 && (*due == 0 || f.due_ms < *due))
        *due = f.due_ms;
    return rc < 0 ? -1 : f.moved;
}

/* ---- a new replica ---- */

typedef struct state_edit {
    ddb_engine *eng;
    ddb_arena *a;
    const char *key, *region;
    int state;     /* ddb_replica_state, or -1: remove the region */
    int filled;    /* also drop FillFrom */
} state_edit;

static int build_state(void *ctx, ddb_desc_edit **e)
{
    state_edit *s = ctx;
    const ddb_table *t = ddb_catalog_get(s->eng->catalog, s->key);
    ddb_replication_member m;
    ddb_replica *v;
    unsigned i;

    if (t == NULL || t->rep_id == 0)
        return 1;
    ddb_table_replication(t, s->a, &m);
    v = (ddb_replica *)m.replicas;
    for (i = 0; i < m.n && strcmp(v[i].region, s->region) != 0; i++)
        ;
    if (s->state < 0) {
        if (i == m.n)
            return DDB_EDIT_NONE;
        memmove(&v[i], &v[i + 1], sizeof(*v) * (m.n - i - 1));
        if (--m.n <= 1) { /* the last other replica gone: a table of its region again, without its
                             write times (GlobalTableVersion and Replicas go: DynamoDB's) */
            ddb_batch *purge = ddb_arena_alloc(s->a, sizeof(*purge));
            ddb_batch_init(purge, s->a);
            ddb_task_purge_record(purge, s->a, &t->rep_id, 1);
            m.n = 0;
            *e = ddb_desc_edit_of(s->a, t);
            ddb_edit_replication(*e, &m);
            ddb_edit_extra(*e, purge);
            return 0;
        }
    } else {
        if (i == m.n) {
            if (m.n == DDB_MAX_REPLICAS)
                return DDB_EDIT_NONE;
            v[m.n++].region = s->region;
        } else if (v[i].state == (ddb_replica_state)s->state && !(s->filled && m.fill_from != NULL)) {
            return DDB_EDIT_NONE;
        }
        v[i].state = (ddb_replica_state)s->state;
    }
    if (s->filled)
        m.fill_from = NULL;
    *e = ddb_desc_edit_of(s->a, t);
    ddb_edit_replication(*e, &m);
    return 0;
}

int ddb_replicas_edit(ddb_engine *eng, ddb_arena *a, const char *key, const char *region, int state, int filled)
{
    state_edit s = {eng, a, key, region, state, filled};
    const ddb_table *out;
    int rc = ddb_catalog_edit(eng->catalog, 0, build_state, &s, &out);

    if (rc == 0 && state < 0 && eng->tasks != NULL)
        ddb_tasks_kick(eng->tasks); /* a purge of write times may have been recorded */
    return rc;
}

/* Copies src's items into dst (CREATING), each with its write time; 0, or -1 (tried again later). */
static int fill(ddb_replication *r, const ddb_table *dst, const ddb_table *src)
{
    ddb_engine *eng = r->eng;
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_arena per;
    ddb_store_iter *it;
    int rc = 0;
    long n = 0;

    ddb_arena_init(&per);
    ddb_key_table_range(src->id, lo, hi);
    it = ddb_store_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && rc == 0; ddb_store_iter_next(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        int arc;
        ddb_arena_reset(&per);
        if (yielding(r) || ddb_table_retired(dst)) {
            rc = -1;
            break;
        }
        arc = copy_stored(eng, &per, src, dst, ddb_arena_memdup(&per, k, klen), klen);
        if (arc == DDB_E_INTERNAL || arc == DDB_E_RESOURCE_NOT_FOUND)
            rc = -1;
        n++;
    }
    ddb_store_iter_close(it);
    ddb_arena_free(&per);
    if (rc == 0)
        ddb_log(DDB_LOG_INFO, "replication: table %s: replica in %s filled from %s (%ld items)", dst->name,
                dst->region, src->region, n);
    return rc;
}

/* A CREATING replica filled from its FillFrom region, then ACTIVE in every replica's list. */
static void create_replica(ddb_replication *r, ddb_arena *a, const ddb_table *t)
{
    const ddb_table *src = replica_table(r->eng, a, t, t->rep_fill_from);

    if (src == NULL || fill(r, t, src) != 0)
        return;
    for (unsigned i = 0; i < t->nreplicas; i++) {
        const char *key = ddb_replica_key(a, t, t->replicas[i].region);
        ddb_replicas_edit(r->eng, a, key, t->region, DDB_REPLICA_ACTIVE, strcmp(t->replicas[i].region, t->region) == 0);
    }
}

/* ---- the worker ---- */

/* One pass over every global table; 1 when something was applied, 0 when nothing, -1 on a failure. */
static int pass(ddb_replication *r, uint64_t *due, int *any)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;
    int moved = 0;

    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(r->eng->catalog, &a, &tables);
    for (size_t i = 0; i < n && !yielding(r); i++) {
        const ddb_table *t = tables[i];
        const ddb_replica *self;
        if (t->rep_id == 0 || ddb_table_retired(t) || (self = ddb_table_replica(t, t->region)) == NULL)
            continue;
        *any = 1;
        if (self->state == DDB_REPLICA_CREATING && t->rep_fill_from != NULL) {
            create_replica(r, &a, t);
            moved = 1;
            continue;
        }
        if (t->stream_id == 0 || t->rep_strong) /* a STRONG table writes every replica itself (mutation.h) */
            continue;
        for (unsigned k = 0; k < t->nreplicas; k++) {
            const ddb_table *dst;
            int rc;
            if (strcmp(t->replicas[k].region, t->region) == 0 || t->replicas[k].state == DDB_REPLICA_DELETING ||
                (dst = replica_table(r->eng, &a, t, t->replicas[k].region)) == NULL)
                continue;
            if ((rc = follow_table(r, &a, t, dst, due)) < 0)
                moved = moved ? moved : -1;
            else if (rc > 0)
                moved = 1;
        }
    }
    ddb_arena_free(&a);
    return moved;
}

static void *worker(void *arg)
{
    ddb_replication *r = arg;
    unsigned backoff = 0;
    uint64_t ask_ms = 0; /* while another gateway holds the lease: when to ask for it again */

    while (!stopping(r)) {
        uint64_t due = 0, now = ddb_clock_now_ms();
        int any = 0, rc = 0;
        unsigned wait;
        /* a standby asks for the lease once per IDLE_MS (one metadata read), as the background
           tasks' does: not every POLL_MS, nor on every kick of its own global-table writes */
        if (now < ask_ms) {
            if (nap(r, ask_ms - now < IDLE_MS ? (unsigned)(ask_ms - now) : IDLE_MS))
                break;
            continue;
        }
        if (!ddb_lease_hold(&r->lease)) {
            ask_ms = now + IDLE_MS;
            continue;
        }
        ask_ms = 0;
        rc = pass(r, &due, &any);
        if (rc > 0) {
            backoff = 0;
            continue; /* more may have come meanwhile */
        }
        if (rc < 0) {
            backoff = backoff ? (backoff * 2 > 5000 ? 5000 : backoff * 2) : 100;
            wait = backoff;
        } else {
            wait = any ? POLL_MS : IDLE_MS;
        }
        now = ddb_clock_now_ms();
        if (due != 0 && rc == 0)
            wait = due > now ? (unsigned)(due - now < wait ? due - now : wait) : 0;
        if (wait > 0 && nap(r, wait))
            break;
    }
    ddb_lease_release(&r->lease);
    return NULL;
}

ddb_replication *ddb_replication_start(ddb_engine *eng, unsigned lag_ms)
{
    ddb_replication *r = calloc(1, sizeof(*r));

    if (r == NULL)
        abort();
    r->eng = eng;
    r->lag_ms = lag_ms;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    ddb_lease_init(&r->lease, eng->store, "replication");
    eng->replication = r;
    eng->global_write = kick;
    if (pthread_create(&r->thread, NULL, worker, r) != 0)
        abort();
    return r;
}

void ddb_replication_stop(ddb_replication *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    r->eng->global_write = NULL;
    r->eng->replication = NULL;
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
