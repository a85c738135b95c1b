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
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/derive.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/follow.h"
#include "server/engine/jobs/lease.h"
#include "server/engine/jobs/peer.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "server/engine/history/streams.h"

#define BATCH 512          /* records read at a time from one shard */
#define IDLE_MS 1000       /* no global table (a kick wakes it sooner), or another gateway replicates */
#define POLL_MS 50         /* global tables: look again this often (other gateways' writes) */

struct ddb_replication {
    ddb_engine *eng;
    unsigned lag_ms;
    ddb_worker worker; /* kicked by every global table's write, stopped by the wiring */
    pthread_mutex_t passing; /* held by each pass, and by ddb_replication_hold */
    uint64_t ask_ms; /* while another gateway holds the lease: when to ask for it again (monotonic) */
    ddb_lease lease;
};

ddb_replication *ddb_replication_of(const ddb_engine *eng)
{
    return ddb_engine_feature(eng, &ddb_feature_replication);
}

void ddb_replication_kick(ddb_engine *eng)
{
    ddb_replication *r = ddb_replication_of(eng);

    if (r != NULL)
        ddb_sleeper_nudge(&r->worker.sleeper);
}

/* The row's committed: after a commit of a client's write on a global table (not a replica's
   change applied here), the worker wakes (a load while a nudge is pending). */
static void committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n)
{
    ddb_replication *r = f->state;

    (void)eng;
    (void)a;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].m->t->rep.id != 0 && !runs[i].m->origin.replicated) {
            ddb_sleeper_nudge(&r->worker.sleeper);
            return;
        }
    }
}

/* ---- the table member "ddbdReplication": {"Id", "Version", "Strong", "FillFrom", "Witness",
   "Replicas": [{"RegionName", "ReplicaStatus"}...]} ---- */

static ddb_replica_state replica_state_from_name(const char *s)
{
    for (int i = 0; s != NULL && i <= DDB_REPLICA_ACTIVE; i++) {
        if (strcmp(s, ddb_replica_state_name((ddb_replica_state)i)) == 0)
            return (ddb_replica_state)i;
    }
    return DDB_REPLICA_ACTIVE;
}

static void replication_read(ddb_table *t, const ddb_json *r)
{
    const ddb_json *list;

    if (r == NULL)
        return;
    t->rep.id = ddb_member_u32(ddb_json_get(r, "Id"));
    t->rep.version = ddb_json_get_str(r, "Version");
    t->rep.strong = ddb_member_true(ddb_json_get(r, "Strong"));
    t->rep.fill_from = ddb_json_get_str(r, "FillFrom");
    t->rep.witness = ddb_json_get_str(r, "Witness");
    list = ddb_json_get(r, "Replicas");
    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n && i < DDB_MAX_REPLICAS; i++) {
        t->rep.replicas[t->rep.nreplicas].region = ddb_json_get_str(list->u.items[i], "RegionName");
        t->rep.replicas[t->rep.nreplicas].active_at = ddb_member_u64(ddb_json_get(list->u.items[i], "ActiveAt"));
        t->rep.replicas[t->rep.nreplicas++].state =
            replica_state_from_name(ddb_json_get_str(list->u.items[i], "ReplicaStatus"));
    }
}

static void replication_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_replication_member *r = e->value;

    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "Id", r->id);
    ddb_jw_member_str(w, "Version", r->version);
    if (r->strong)
        ddb_jw_member_bool(w, "Strong", 1);
    if (r->fill_from != NULL)
        ddb_jw_member_str(w, "FillFrom", r->fill_from);
    if (r->witness != NULL)
        ddb_jw_member_str(w, "Witness", r->witness);
    ddb_jw_key(w, "Replicas");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < r->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "RegionName", r->replicas[i].region);
        ddb_jw_member_str(w, "ReplicaStatus", ddb_replica_state_name(r->replicas[i].state));
        if (r->replicas[i].active_at != 0)
            ddb_jw_member_int(w, "ActiveAt", (long long)r->replicas[i].active_at);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

static const ddb_table_member replication_member = {DDB_MEMBER_REPLICATION, replication_read, replication_write};

void ddb_edit_replication(ddb_desc_edit *e, const ddb_replication_member *r)
{
    ddb_edit_member(e, &replication_member, r != NULL && r->n > 0 ? r : NULL, sizeof(*r));
}

void ddb_edit_replication_more(ddb_desc_edit *e, void *ctx)
{
    ddb_edit_replication(e, ctx);
}

void ddb_table_replication(const ddb_table *t, ddb_arena *a, ddb_replication_member *out)
{
    ddb_replica *v = DDB_NEW_ARRAY(a, ddb_replica, t->rep.nreplicas + 1);

    memcpy(v, t->rep.replicas, sizeof(ddb_replica) * t->rep.nreplicas);
    *out = (ddb_replication_member){t->rep.id,       t->rep.version,   t->rep.strong, v,
                                    t->rep.nreplicas, t->rep.fill_from, t->rep.witness};
}

static const ddb_table_member *const members[] = {&replication_member, NULL};

const ddb_feature ddb_feature_replication = {.name = "replication", .members = members, .committed = committed};

static int stopping(ddb_replication *r)
{
    return ddb_worker_stopping(&r->worker);
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

    return r != NULL && r->rep.id != 0 ? r : NULL;
}

/* ---- applying one change ---- */

int ddb_replication_apply(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_attr *keys,
                          const ddb_attr *new_image, uint64_t time_ms, const char *region)
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
    m.origin.replicated = 1;
    m.origin.time = time_ms;
    m.origin.region = region;
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

    ddb_write_time_key(a, src->rep.id, k, klen, &wk);
    if (ddb_store_get(eng->store, a, wk.key, wk.klen, &wv, &wlen) != 0) {
        *failed = 1;
        return;
    }
    w = ddb_write_time_parse(wv, wlen);
    *time_ms = w.ms;
    *region = w.rlen > 0 ? ddb_arena_strndup(a, w.region, w.rlen) : src->region;
}

/*
 * src's item under stored key k as it is now (*item NULL when absent: its delete's record says
 * so) and its write time. The time is read first, so a write between the two reads is newer than
 * the copy and its own record still lands. 0, or DDB_E_INTERNAL.
 */
static int read_stored(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const char *k, size_t klen,
                       ddb_attr **item, uint64_t *time_ms, const char **region, size_t *size)
{
    char *iv = NULL;
    size_t ilen = 0;
    int failed = 0;

    *item = NULL;
    write_time(eng, a, src, k, klen, time_ms, region, &failed);
    if (failed || ddb_store_get(eng->store, a, k, klen, &iv, &ilen) != 0)
        return DDB_E_INTERNAL;
    if (iv != NULL && (*item = ddb_arena_alloc(a, sizeof(**item))) != NULL && ddb_item_decode(a, iv, ilen, *item) != 0)
        *item = NULL;
    *size = ilen;
    return DDB_OK;
}

/* The stored key of src's item with these keys; 0, or DDB_E_VALIDATION. */
static int stored_key(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const ddb_attr *keys, ddb_key *key)
{
    const ddb_attr *pk = ddb_item_get(keys, src->hash_key, strlen(src->hash_key));
    const ddb_attr *sk = src->range_key != NULL ? ddb_item_get(keys, src->range_key, strlen(src->range_key)) : NULL;

    if (pk == NULL || (src->range_key != NULL && sk == NULL))
        return DDB_E_VALIDATION;
    ddb_key_build(a, eng->store, src->id, pk, sk, key);
    return DDB_OK;
}

/* ---- a peer's replica (peer.h): changes pushed in batches ---- */

#define PUSH_BATCH 100 /* changes per request to a peer */

typedef struct push {
    ddb_replication *r;
    const ddb_table *src;
    const char *region;  /* the peer's */
    ddb_buf body;
    ddb_jw w;
    unsigned n;
} push;

static void push_add(push *p, const ddb_attr *keys, const ddb_attr *image, uint64_t time_ms, const char *region)
{
    if (p->n++ == 0) {
        p->body.len = 0;
        ddb_jw_init(&p->w, &p->body);
        ddb_jw_obj_begin(&p->w);
        ddb_jw_member_str(&p->w, "TableName", p->src->name);
        ddb_jw_key(&p->w, "Changes");
        ddb_jw_arr_begin(&p->w);
    }
    ddb_jw_obj_begin(&p->w);
    ddb_jw_key(&p->w, image != NULL ? "Item" : "Key");
    ddb_item_write_json(&p->w, image != NULL ? image : keys);
    ddb_jw_member_int(&p->w, "Time", (long long)time_ms);
    ddb_jw_member_str(&p->w, "Region", region);
    ddb_jw_obj_end(&p->w);
}

/* Sends what push_add gathered; 0 once the peer applied it, else -1 (sent again later). */
static int push_flush(push *p, ddb_arena *a)
{
    ddb_buf resp = {0};
    char err[256];
    int status = 0, rc;

    if (p->n == 0)
        return 0;
    ddb_jw_arr_end(&p->w);
    ddb_jw_obj_end(&p->w);
    p->n = 0;
    rc = ddb_peer_call(p->r->eng, a, p->src->region, p->region, "BatchWriteItem", p->body.data, p->body.len, &status,
                       &resp, err, sizeof(err));
    if (rc == 0 && status != 200)
        snprintf(err, sizeof(err), "%s", ddb_peer_error(a, &resp));
    if (rc != 0 || status != 200)
        ddb_log(DDB_LOG_WARN, "replication: table %s: changes for %s not delivered (%s), sent again later",
                p->src->name, p->region, err);
    ddb_buf_free(&resp);
    return rc == 0 && status == 200 ? 0 : -1;
}

/* ---- following a stream ---- */

/* A local target by its table id, a peer's by its region. */
static char *checkpoint_key(ddb_arena *a, const ddb_table *src, const ddb_table *dst, const char *peer,
                            uint32_t stream, unsigned g, unsigned s)
{
    if (peer != NULL)
        return ddb_arena_sprintf(a, "replication/%010u/peer-%s/%010u/%u/%u", src->id, peer, stream, g, s);
    return ddb_arena_sprintf(a, "replication/%010u/%010u/%010u/%u/%u", src->id, dst->id, stream, g, s);
}

static uint64_t checkpoint_get(ddb_store *store, ddb_arena *a, const char *key)
{
    return ddb_store_meta_get_u64(store, a, key);
}

static void checkpoint_put(ddb_store *store, ddb_arena *a, const char *key, uint64_t seq)
{
    ddb_store_meta_set_u64(store, a, key, seq);
}

/* ---- changes applied here in batches: one transaction for many, in the order of their records ---- */

#define APPLY_MAX 100                 /* changes per transaction (TransactWriteItems' actions) */
#define APPLY_BYTES (4 * 1024 * 1024) /* and their records' bytes (its payload) */

typedef struct change {
    const ddb_attr *keys, *image; /* image NULL: a delete */
    uint64_t time_ms;
    const char *region;
    ddb_key key;                  /* in the target */
    uint64_t before;              /* the shard's checkpoint when this change is not applied */
} change;

typedef struct gather {
    change v[APPLY_MAX];
    size_t n, bytes;
} gather;

/* Whether replication stops at this result: tried again later (anything else is logged and passed). */
static int apply_hard(int rc)
{
    return rc == DDB_E_INTERNAL || rc == DDB_E_RESOURCE_NOT_FOUND || rc == DDB_E_TRANSACTION_CONFLICT;
}

/*
 * The changes as one transaction (mutation.h: ddb_mutate_txn). A replicated change older than its
 * item's last write is a no-op, as in ddb_mutate, but cancels a transaction: such changes are left
 * out and the rest tried again. DDB_OK once all landed (or were stale); else the caller applies
 * them one by one.
 */
static int apply_txn(ddb_engine *eng, ddb_arena *a, const ddb_table *dst, const change *v, size_t n)
{
    ddb_mutation *ms = DDB_NEW_ARRAY(a, ddb_mutation, n);
    size_t *at = DDB_NEW_ARRAY(a, size_t, n);
    char *stale = DDB_NEW_ARRAY(a, char, n);
    ddb_error err;

    for (int round = 0; round < 3; round++) {
        size_t k = 0;
        int rc;
        for (size_t i = 0; i < n; i++) {
            if (stale[i])
                continue;
            ddb_mutation_init(&ms[k], v[i].image != NULL ? DDB_MUT_PUT : DDB_MUT_DELETE, dst, &v[i].key);
            ms[k].item = v[i].image;
            ms[k].keyattrs = v[i].keys;
            ms[k].origin.replicated = 1;
            ms[k].origin.time = v[i].time_ms;
            ms[k].origin.region = v[i].region;
            at[k++] = i;
        }
        if (k == 0 || (rc = ddb_mutate_txn(eng, a, ms, k, NULL, &err)) == DDB_OK)
            return DDB_OK;
        if (rc != DDB_E_TRANSACTION_CANCELED)
            return rc;
        for (size_t j = 0; j < k; j++) {
            if (ms[j].out.err.code != DDB_OK) /* a client's write or a condition: one by one */
                return rc;
            stale[at[j]] = (char)ms[j].out.rep_stale;
        }
    }
    return DDB_E_TRANSACTION_CANCELED;
}

/* Applies the gathered changes: in one transaction, else one by one as ddb_replication_apply does.
   On a failure that stops replication, *done goes back to before the change that failed. */
static int apply_flush(ddb_engine *eng, ddb_arena *a, const ddb_table *src, const ddb_table *dst, gather *g,
                       uint64_t *done)
{
    size_t n = g->n;

    g->n = 0;
    g->bytes = 0;
    if (n == 0 || apply_txn(eng, a, dst, g->v, n) == DDB_OK)
        return DDB_OK;
    for (size_t i = 0; i < n; i++) {
        const change *c = &g->v[i];
        int rc = ddb_replication_apply(eng, a, dst, c->keys, c->image, c->time_ms, c->region);
        if (apply_hard(rc)) {
            *done = c->before;
            return rc;
        }
        if (rc != DDB_OK) /* the replicas disagree on the schema: nothing can make it fit */
            ddb_log(DDB_LOG_ERROR, "replication: table %s: a change from %s could not be applied in %s (%d)",
                    src->name, src->region, dst->region, rc);
    }
    return DDB_OK;
}

typedef struct follow {
    ddb_replication *r;
    const ddb_table *src, *dst; /* dst NULL: a peer's replica, reached through push */
    push *push;
    const ddb_stream_info *info;
    uint64_t now_ms;
    uint64_t due_ms;   /* the earliest record held back by the lag (0: none) */
    int moved;
    gather *apply;     /* dst's changes not yet applied */
    uint64_t *done;    /* the shard's records up to this one are through (apply_flush moves it back) */
} follow;

/* When a record may go: --replication-lag after its write, or its own injected hold if longer. */
static uint64_t release_ms(const follow *f, const ddb_stream_record *rec)
{
    unsigned lag = rec->hold_ms > f->r->lag_ms ? rec->hold_ms : f->r->lag_ms;

    return lag > 0 ? rec->created_ms + lag : 0;
}

/* Whether a change of this item is gathered already. */
static int gathered(const gather *g, const ddb_key *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].key.len == key->len && memcmp(g->v[i].key.bytes, key->bytes, key->len) == 0)
            return 1;
    return 0;
}

/*
 * A change made in `region` for the target (`size`: its record's bytes), gathered for the peer or
 * for a transaction here. The gathered changes are applied first when full, or when this one's
 * item is among them (each change lands, and makes its stream record, as when applied alone).
 */
static int deliver(follow *f, ddb_arena *a, const ddb_attr *keys, const ddb_attr *image, uint64_t time_ms,
                   const char *region, size_t size)
{
    gather *g = f->apply;
    change c = {keys, image, time_ms, region, {0}, *f->done};
    int rc;

    if (f->push != NULL) {
        push_add(f->push, keys, image, time_ms, region);
        return DDB_OK;
    }
    if ((rc = stored_key(f->r->eng, a, f->dst, keys, &c.key)) != DDB_OK)
        return rc;
    /* the record's attributes are the caller's, reused by its next record: held by copies */
    c.keys = ddb_arena_memdup(a, keys, sizeof(*keys));
    c.image = image != NULL ? (image == keys ? c.keys : ddb_arena_memdup(a, image, sizeof(*image))) : NULL;
    if ((g->n == APPLY_MAX || g->bytes + size > APPLY_BYTES || gathered(g, &c.key)) &&
        (rc = apply_flush(f->r->eng, a, f->src, f->dst, g, f->done)) != DDB_OK)
        return rc;
    g->v[g->n++] = c;
    g->bytes += size;
    return DDB_OK;
}

/* The item with these keys as it is now in the source, with its write time (nothing when absent). */
static int deliver_current(follow *f, ddb_arena *a, const ddb_attr *keys)
{
    ddb_key key;
    ddb_attr *item;
    uint64_t time_ms;
    const char *region;
    size_t size;
    int rc;

    if ((rc = stored_key(f->r->eng, a, f->src, keys, &key)) != DDB_OK ||
        (rc = read_stored(f->r->eng, a, f->src, key.bytes, key.len, &item, &time_ms, &region, &size)) != DDB_OK)
        return rc;
    return item != NULL ? deliver(f, a, item, item, time_ms, region, size) : DDB_OK;
}

/*
 * Applies shard (g, s)'s records after the checkpoint, up to BATCH at a time, each one made in the
 * source's own region (a target here: in transactions of up to APPLY_MAX, gather); 0, or -1 when a
 * change could not be applied (tried again later).
 */
static int follow_shard(follow *f, ddb_arena *a, unsigned g, unsigned s)
{
    ddb_engine *eng = f->r->eng;
    char *ck = checkpoint_key(a, f->src, f->dst, f->push != NULL ? f->push->region : NULL, f->info->id, g, s);
    size_t cap = f->push != NULL ? PUSH_BATCH : BATCH;
    uint64_t next = checkpoint_get(eng->store, a, ck) + 1, last = ddb_stream_shard_last(eng->store, f->info, g, s);
    char lo[DDB_STREAM_PREFIX_BYTES + 8], hi[DDB_STREAM_PREFIX_BYTES + 8];

    while (next <= last && !yielding(f->r)) {
        ddb_store_iter *it;
        uint64_t done = 0;
        size_t n = 0;
        int rc = 0, held = 0;
        f->done = &done;
        ddb_stream_prefix(f->info->id, g, s, lo);
        memcpy(hi, lo, DDB_STREAM_PREFIX_BYTES);
        ddb_put_be(lo + DDB_STREAM_PREFIX_BYTES, next, 8);
        ddb_put_be(hi + DDB_STREAM_PREFIX_BYTES, last + 1, 8);
        it = ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < cap; ddb_store_iter_next(it), n++) {
            size_t klen, vlen;
            const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
            ddb_stream_record rec;
            if (ddb_stream_record_decode(a, k, klen, ddb_arena_memdup(a, v, vlen), vlen, &rec) != 0)
                break;
            if (!(rec.flags & DDB_REC_REPLICATED)) {
                uint64_t due = release_ms(f, &rec); /* the records behind it wait too: in order */
                if (due > f->now_ms) {
                    f->due_ms = f->due_ms == 0 || due < f->due_ms ? due : f->due_ms;
                    held = 1;
                    break;
                }
                /* TTL deletes replicate as plain deletes: only their own region's stream shows the
                   service did it (the TTL page) */
                if (rec.event == DDB_EV_REMOVE || rec.has_new)
                    rc = deliver(f, a, &rec.keys, rec.event != DDB_EV_REMOVE ? &rec.new_image : NULL, rec.created_ms,
                                 f->src->region, vlen);
                else /* a view without new images: the item as it is now, with its write time */
                    rc = deliver_current(f, a, &rec.keys);
                if (apply_hard(rc))
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
        /* what was gathered is applied before the checkpoint moves past it (after a failure too: the
           changes before it were through, as when applied one by one) */
        if (f->apply != NULL && apply_hard(apply_flush(eng, a, f->src, f->dst, f->apply, &done)))
            rc = -1; /* done went back to before the change that failed */
        if (f->push != NULL && push_flush(f->push, a) != 0)
            return -1; /* the checkpoint stays: sent again, a no-op where it landed */
        if (done != 0)
            checkpoint_put(eng->store, a, ck, done);
        if (rc != 0)
            return -1;
        if (held || n < cap)
            break;
        next = done + 1;
    }
    return 0;
}

/* Every record of src's stream made in src's region goes to dst (NULL: to the peer of p). */
static int follow_table(ddb_replication *r, ddb_arena *a, const ddb_table *src, const ddb_table *dst, push *p,
                        uint64_t *due)
{
    ddb_stream_info info;
    uint64_t now = ddb_clock_now_ms();
    follow f = {r, src, dst, p, &info, now, 0, 0, dst != NULL ? DDB_NEW_ARRAY(a, gather, 1) : NULL, NULL};
    int rc = 0;

    if (ddb_stream_info_get(r->eng->store, a, src->stream.id, &info) != 0)
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
    int set_due;   /* also set the region's active_at (else kept; 0 for a region added) */
    uint64_t active_at; /* ddb_replica's: the end of its CREATING, or of its DELETING */
} state_edit;

static int build_state(void *ctx, ddb_desc_edit **e)
{
    state_edit *s = ctx;
    const ddb_table *t = ddb_catalog_get(s->eng->catalog, s->key);
    ddb_replication_member m;
    ddb_replica *v;
    unsigned i;

    if (t == NULL || t->rep.id == 0)
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
            ddb_task_purge_record(purge, s->a, &t->rep.id, 1);
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
            v[m.n++] = (ddb_replica){s->region, DDB_REPLICA_CREATING, 0};
        } else if (v[i].state == (ddb_replica_state)s->state && !(s->filled && m.fill_from != NULL) &&
                   !(s->set_due && v[i].active_at != s->active_at)) {
            return DDB_EDIT_NONE;
        }
        v[i].state = (ddb_replica_state)s->state;
        if (s->set_due)
            v[i].active_at = s->active_at;
    }
    if (s->filled)
        m.fill_from = NULL;
    *e = ddb_desc_edit_of(s->a, t);
    ddb_edit_replication(*e, &m);
    return 0;
}

static int replicas_edit(state_edit *s)
{
    const ddb_table *out;
    int rc = ddb_catalog_edit(s->eng->catalog, 0, build_state, s, &out);

    if (rc == 0 && s->state < 0 && s->eng->tasks != NULL)
        ddb_tasks_kick(s->eng->tasks); /* a purge of write times may have been recorded */
    return rc;
}

int ddb_replicas_edit(ddb_engine *eng, ddb_arena *a, const char *key, const char *region, int state, int filled)
{
    state_edit s = {eng, a, key, region, state, filled, 0, 0};

    return replicas_edit(&s);
}

int ddb_replicas_set(ddb_engine *eng, ddb_arena *a, const char *key, const char *region, ddb_replica_state state,
                     uint64_t active_at)
{
    state_edit s = {eng, a, key, region, (int)state, 0, 1, active_at};

    return replicas_edit(&s);
}

/* Copies src's items into dst (CREATING; NULL: the peer's replica of p), each with its write time;
   0, or -1 (tried again later). */
static int fill(ddb_replication *r, const ddb_table *src, const ddb_table *dst, push *p)
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
        ddb_attr *item;
        uint64_t time_ms;
        const char *region;
        size_t size;
        int arc;
        ddb_arena_reset(&per); /* push_add copies the item into its JSON at once */
        if (yielding(r) || (dst != NULL && ddb_table_retired(dst))) {
            rc = -1;
            break;
        }
        arc = read_stored(eng, &per, src, ddb_arena_memdup(&per, k, klen), klen, &item, &time_ms, &region, &size);
        if (arc == DDB_OK && item != NULL) {
            if (p != NULL)
                push_add(p, item, item, time_ms, region);
            else
                arc = ddb_replication_apply(eng, &per, dst, item, item, time_ms, region);
        }
        if (arc == DDB_E_INTERNAL || arc == DDB_E_RESOURCE_NOT_FOUND ||
            (p != NULL && p->n == PUSH_BATCH && push_flush(p, &per) != 0))
            rc = -1;
        n++;
    }
    ddb_store_iter_close(it);
    if (rc == 0 && p != NULL && push_flush(p, &per) != 0)
        rc = -1;
    if (p != NULL)
        p->n = 0; /* a batch cut short is dropped: the next fill sends it again */
    ddb_arena_free(&per);
    if (rc == 0)
        ddb_log(DDB_LOG_INFO, "replication: table %s: replica in %s filled from %s (%ld items)", src->name,
                dst != NULL ? dst->region : p->region, src->region, n);
    return rc;
}

/* A CREATING replica filled from its FillFrom region, then ACTIVE in every replica's list. */
static void create_replica(ddb_replication *r, ddb_arena *a, const ddb_table *t)
{
    const ddb_table *src = replica_table(r->eng, a, t, t->rep.fill_from);

    if (src == NULL || fill(r, src, t, NULL) != 0)
        return;
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        const char *key = ddb_replica_key(a, t, t->rep.replicas[i].region);
        ddb_replicas_edit(r->eng, a, key, t->region, DDB_REPLICA_ACTIVE, strcmp(t->rep.replicas[i].region, t->region) == 0);
    }
}

/* ---- a peer's replica: its outbox, its fill ---- */

/* A peer's requests for one table (peer.h's outbox entries and fills): 0 once answered, -1 when not. */
static int call(ddb_replication *r, ddb_arena *a, const char *from, const char *region, const char *op,
                const char *body, int *status, const char **type)
{
    ddb_buf resp = {0};
    char err[256];
    int rc = ddb_peer_call(r->eng, a, from, region, op, body, strlen(body), status, &resp, err, sizeof(err));

    *type = rc == 0 && *status != 200 ? ddb_peer_error(a, &resp) : "";
    if (rc != 0)
        ddb_log(DDB_LOG_WARN, "replication: %s to the peer of %s not answered (%s), sent again later", op, region, err);
    ddb_buf_free(&resp);
    return rc == 0 && *status < 500 ? 0 : -1;
}

/*
 * Sends the outbox's requests in order, each removed once answered. A refused CreateTable (a table
 * of that name is already there) leaves its replica CREATION_FAILED; another refusal is logged.
 * 1 when the outbox is empty, 0 when a request waits (the peer did not answer).
 */
static int drain_outbox(ddb_replication *r, ddb_arena *a)
{
    const char *lo = DDB_PEER_OUTBOX, *hi = "peer-outbox0"; /* '0' follows '/' */
    ddb_store_iter *it = ddb_store_meta_iter_open(r->eng->store, lo, strlen(lo), hi, strlen(hi));
    int empty = 1;

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && !yielding(r); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen), *type;
        const ddb_json *e = ddb_json_parse(a, ddb_arena_memdup(a, v, vlen), vlen);
        const char *from = ddb_json_get_str(e, "From"), *region = ddb_json_get_str(e, "Region");
        const char *op = ddb_json_get_str(e, "Op"), *body = ddb_json_get_str(e, "Body");
        int status = 0;
        ddb_batch b;
        if (from != NULL && region != NULL && op != NULL && body != NULL &&
            call(r, a, from, region, op, body, &status, &type) != 0) {
            empty = 0;
            break;
        }
        if (status != 200 && from != NULL) {
            ddb_log(DDB_LOG_WARN, "replication: the peer of %s refused %s (%s)", region, op, type);
            if (strcmp(op, "CreateTable") == 0)
                ddb_replicas_edit(r->eng, a, ddb_json_get_str(e, "Key"), region, DDB_REPLICA_CREATION_FAILED, 0);
        }
        ddb_batch_init(&b, a);
        ddb_batch_meta_delete(&b, ddb_arena_memdup(a, k, klen), klen);
        ddb_store_write(r->eng->store, &b);
    }
    ddb_store_iter_close(it);
    return empty;
}

/* Whether t is the replica that fills a peer's new replica: the first of this server's ACTIVE ones. */
static int fills_peers(ddb_replication *r, ddb_arena *a, const ddb_table *t)
{
    for (unsigned i = 0; i < t->rep.nreplicas; i++)
        if (t->rep.replicas[i].state == DDB_REPLICA_ACTIVE && ddb_peer_url(r->eng, t->rep.replicas[i].region) == NULL)
            return strcmp(t->rep.replicas[i].region, t->region) == 0;
    return 0;
}

/* The peer's new replica of t in p's region filled, then told so and ACTIVE here; 0, or -1. */
static int fill_peer(ddb_replication *r, ddb_arena *a, const ddb_table *t, push *p)
{
    const char *body, *type;
    int status = 0;

    if (fill(r, t, NULL, p) != 0)
        return -1;
    body = ddb_arena_sprintf(a, "{\"TableName\":\"%s\",\"RegionName\":\"%s\",\"ReplicaStatus\":\"ACTIVE\","
                                "\"Filled\":true}", t->name, p->region);
    if (call(r, a, t->region, p->region, "UpdateTable", body, &status, &type) != 0 || status != 200)
        return -1;
    ddb_replicas_edit(r->eng, a, t->key, p->region, DDB_REPLICA_ACTIVE, 0);
    return 0;
}

/*
 * t's replica in a peer's region: a new one filled once its CreateTable went (outbox empty), a
 * deleted one dropped from the list once its DeleteTable went, changes pushed from t's stream.
 * 1 when something moved, 0 when nothing, -1 on a failure.
 */
static int to_peer(ddb_replication *r, ddb_arena *a, const ddb_table *t, const ddb_replica *k, int sent,
                   uint64_t *due)
{
    push p = {r, t, k->region, {0}, {0}, 0};
    int rc = 0;

    if (k->state == DDB_REPLICA_DELETING || k->state == DDB_REPLICA_CREATION_FAILED) {
        if (k->state == DDB_REPLICA_DELETING && sent)
            return ddb_replicas_edit(r->eng, a, t->key, k->region, -1, 0) == 0 ? 1 : -1;
        return 0;
    }
    if (k->state == DDB_REPLICA_CREATING) {
        if (!sent) /* its CreateTable has not gone yet */
            return 0;
        if (fills_peers(r, a, t))
            rc = fill_peer(r, a, t, &p) == 0 ? 1 : -1;
    }
    if (rc == 0 && t->stream.id != 0)
        rc = follow_table(r, a, t, NULL, &p, due);
    ddb_buf_free(&p.body);
    return rc;
}

/* ---- the worker ---- */

/* A replica of this server deleted under --table-states (ops_replicas.c): DELETING in t's list until
   its time, then dropped (with the last other replica, t is a table of its region again). 1 when
   dropped, 0 while it waits (its time into *due: a step of a frozen clock stops there), -1. */
static int drop_deleted(ddb_replication *r, ddb_arena *a, const ddb_table *t, const ddb_replica *k, uint64_t *due)
{
    if (k->active_at == 0)
        return 0;
    if (ddb_clock_high_ms() >= k->active_at)
        return ddb_replicas_edit(r->eng, a, t->key, k->region, -1, 0) == 0 ? 1 : -1;
    if (*due == 0 || k->active_at < *due)
        *due = k->active_at;
    return 0;
}

/* One pass over every global table; 1 when something was applied, 0 when nothing, -1 on a failure. */
static int pass(ddb_replication *r, uint64_t *due, int *any)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;
    int moved = 0, sent;

    ddb_arena_init(&a);
    sent = r->eng->settings.peers.n == 0 || drain_outbox(r, &a);
    if (!sent)
        moved = -1;
    n = ddb_catalog_snapshot(r->eng->catalog, &a, &tables);
    for (size_t i = 0; i < n && !yielding(r); i++) {
        const ddb_table *t = tables[i];
        const ddb_replica *self;
        if (t->rep.id == 0 || ddb_table_retired(t) || (self = ddb_table_replica(t, t->region)) == NULL)
            continue;
        *any = 1;
        if (self->state == DDB_REPLICA_CREATING && t->rep.fill_from != NULL) {
            /* filled here from a replica of this server; a peer's replica fills it (fill_peer) */
            if (ddb_peer_url(r->eng, t->rep.fill_from) == NULL) {
                create_replica(r, &a, t);
                moved = 1;
            }
            continue;
        }
        if (t->rep.strong) /* a STRONG table writes every replica itself (mutation.h) */
            continue;
        for (unsigned k = 0; k < t->rep.nreplicas; k++) {
            const ddb_table *dst;
            int rc;
            if (strcmp(t->rep.replicas[k].region, t->region) == 0)
                continue;
            if (ddb_peer_url(r->eng, t->rep.replicas[k].region) != NULL)
                rc = to_peer(r, &a, t, &t->rep.replicas[k], sent, due);
            else if (t->rep.replicas[k].state == DDB_REPLICA_DELETING)
                rc = drop_deleted(r, &a, t, &t->rep.replicas[k], due);
            else if (t->stream.id == 0 || (dst = replica_table(r->eng, &a, t, t->rep.replicas[k].region)) == NULL)
                continue;
            else
                rc = follow_table(r, &a, t, dst, NULL, due);
            if (rc < 0)
                moved = moved ? moved : -1;
            else if (rc > 0)
                moved = 1;
        }
    }
    ddb_arena_free(&a);
    return moved;
}

/*
 * One pass, when this gateway holds the lease. A standby asks for the lease once per IDLE_MS (one
 * metadata read), as the background tasks' does: not every POLL_MS, nor on every kick of its own
 * global-table writes.
 */
static int follow_pass(void *ctx, unsigned *wait_ms)
{
    ddb_replication *r = ctx;
    uint64_t due = 0, now, mono = ddb_clock_mono_ms(); /* (the lease's pace is real time, not the test's) */
    int any = 0, rc;

    if (mono < r->ask_ms) {
        *wait_ms = r->ask_ms - mono < IDLE_MS ? (unsigned)(r->ask_ms - mono) : IDLE_MS;
        return 0;
    }
    if (!ddb_lease_hold(&r->lease)) {
        r->ask_ms = mono + IDLE_MS;
        *wait_ms = IDLE_MS;
        return 0;
    }
    r->ask_ms = 0;
    pthread_mutex_lock(&r->passing);
    rc = pass(r, &due, &any);
    pthread_mutex_unlock(&r->passing);
    if (rc != 0)
        return rc;
    *wait_ms = any ? POLL_MS : IDLE_MS;
    now = ddb_clock_now_ms();
    ddb_sleeper_due(&r->worker.sleeper, due); /* a stepped clock stops there first (sleeper.h) */
    if (due != 0) /* a replica's lag runs out then */
        *wait_ms = due > now ? (unsigned)(due - now < *wait_ms ? due - now : *wait_ms) : 0;
    return 0;
}

static void *worker(void *arg)
{
    static const ddb_follow_pace pace = {IDLE_MS, 100, 5000};
    ddb_replication *r = arg;

    ddb_follow_engine(r->eng, &r->worker, &pace, follow_pass, r);
    ddb_lease_release(&r->lease);
    return NULL;
}

/* The worker's teardown, its threads joined: commits stop waking it before its sleeper goes
   (ddb_worker_stop frees r). */
static void finish(void *owner)
{
    ddb_replication *r = owner;

    ddb_engine_set_feature(r->eng, &ddb_feature_replication, NULL);
    pthread_mutex_destroy(&r->passing);
}

ddb_replication *ddb_replication_start(ddb_engine *eng, unsigned lag_ms)
{
    ddb_replication *r = ddb_zalloc(sizeof(*r));

    r->eng = eng;
    r->lag_ms = lag_ms;
    pthread_mutex_init(&r->passing, NULL);
    ddb_worker_init(&r->worker);
    ddb_worker_own(&r->worker, r, finish);
    ddb_lease_init(&r->lease, eng->store, "replication");
    ddb_engine_set_feature(eng, &ddb_feature_replication, r);
    if (ddb_worker_spawn(&r->worker, worker, r) != 0)
        abort();
    return r;
}

ddb_replication *ddb_replication_hold(ddb_engine *eng)
{
    ddb_replication *r = ddb_replication_of(eng);

    if (r != NULL)
        pthread_mutex_lock(&r->passing);
    return r;
}

void ddb_replication_unhold(ddb_replication *r)
{
    if (r != NULL)
        pthread_mutex_unlock(&r->passing);
}

ddb_worker *ddb_replication_worker(ddb_replication *r)
{
    return r != NULL ? &r->worker : NULL;
}
