/*
 * server/engine/jobs/streams_trim.c: the streams' work outside requests (see streams_trim.h).
 */
#include "server/engine/jobs/streams_trim.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/expiry.h"
#include "server/engine/history/retention.h"
#include "server/engine/history/streams.h"

/* Closes the last generation (its shards' last numbers) and opens one of n shards. */
static void add_generation(ddb_engine *eng, ddb_arena *a, ddb_stream_info *info, unsigned n, uint64_t now)
{
    ddb_stream_gen *last = &info->gens[info->ngens - 1];
    uint64_t *ends = DDB_NEW_ARRAY(a, uint64_t, last->nshards);

    /* read while the generation is still open (shard_last answers a closed one from its ends) */
    for (unsigned i = 0; i < last->nshards; i++)
        ends[i] = ddb_stream_shard_last(eng->store, info, info->ngens - 1, i);
    last->ends = ends;
    /* later than its parents even if the clock went back: ShardIds sort parents first */
    info->gens[info->ngens++] = (ddb_stream_gen){n, now > last->started_ms ? now : last->started_ms + 1, NULL};
}

static int reshard_table(ddb_engine *eng, const ddb_table *t, unsigned n)
{
    ddb_arena a;
    ddb_stream_info info;
    ddb_batch extra;
    ddb_desc_edit *e;
    const ddb_table *updated;
    int rc = -1;

    ddb_arena_init(&a);
    if (t->stream.ngens >= DDB_MAX_STREAM_GENS || ddb_stream_info_get(eng->store, &a, t->stream.id, &info) != 0)
        goto out;
    add_generation(eng, &a, &info, n, ddb_clock_now_ms());
    ddb_batch_init(&extra, &a);
    ddb_stream_info_put(&extra, &a, &info);
    e = ddb_desc_edit_of(&a, t);
    ddb_edit_stream_generation(e, n);
    ddb_edit_extra(e, &extra);
    rc = ddb_catalog_commit(eng->catalog, e, &updated);
    if (rc == 0)
        ddb_log(DDB_LOG_INFO, "streams: the stream of table %s now has %u shards (generation %u; the old shards are closed)",
                t->name, n, t->stream.ngens);
out:
    ddb_arena_free(&a);
    return rc;
}

int ddb_streams_reshard(ddb_engine *eng, char **err)
{
    unsigned n = ddb_store_nshards(eng->store);
    ddb_arena a;
    const ddb_table **tables;
    size_t nt;
    int rc = 0;

    ddb_arena_init(&a);
    nt = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < nt && rc == 0; i++) {
        const ddb_table *t = tables[i];
        if (t->stream.id == 0 || t->stream.counts[t->stream.ngens - 1] >= n)
            continue;
        if (reshard_table(eng, t, n) != 0) {
            *err = strdup("cannot open a new generation of stream shards");
            rc = -1;
        }
    }
    ddb_arena_free(&a);
    return rc;
}

/* Records of one shard written before `cutoff` go; the numbering stays above them. Returns the
   bytes deleted, as the memory budget counts them; *kept: whether records are left. */
static uint64_t trim_shard(ddb_engine *eng, ddb_arena *a, const ddb_stream_info *info, unsigned g, unsigned shard,
                           uint64_t cutoff, int *kept)
{
    char lo[DDB_STREAM_PREFIX_BYTES], hi[DDB_STREAM_PREFIX_BYTES], *stop = NULL;
    size_t stoplen = 0;
    uint64_t last = 0, bytes = 0;
    ddb_store_iter *it;

    ddb_stream_prefix(info->id, g, shard, lo);
    ddb_stream_prefix(info->id, g, shard + 1, hi);
    it = ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        uint64_t seq, created;
        if (ddb_stream_record_head(k, klen, v, vlen, &seq, &created) != 0 || created >= cutoff) {
            stop = ddb_arena_memdup(a, k, klen);
            stoplen = klen;
            break;
        }
        last = seq;
        bytes += ddb_retention_record_bytes(klen, vlen);
    }
    ddb_store_iter_close(it);
    *kept = stop != NULL;
    if (last == 0)
        return 0;
    if (ddb_store_seq_trim(eng->store, lo, sizeof(lo), stop ? stop : hi, stop ? stoplen : sizeof(hi), last) != 0)
        return 0;
    ddb_retention_sub(ddb_retention_of(eng), DDB_RET_STREAM, bytes);
    return bytes;
}

/* The end of a stream: its records and its registry entry. */
static void drop_stream(ddb_engine *eng, ddb_arena *a, const ddb_stream_info *info)
{
    char lo[4], hi[4];
    uint64_t bytes;
    ddb_batch b;

    ddb_put_be(lo, info->id, 4);
    ddb_put_be(hi, (uint64_t)info->id + 1, 4);
    bytes = ddb_retention_of(eng) != NULL ? ddb_retention_count_seq(eng->store, info->id) : 0;
    if (ddb_store_delete_range_all(eng->store, lo, 4, hi, 4) != 0)
        return;
    ddb_retention_sub(ddb_retention_of(eng), DDB_RET_STREAM, bytes);
    ddb_batch_init(&b, a);
    ddb_stream_info_delete(&b, a, info->id);
    b.removes = 1; /* frees space: allowed on a disk short of it (diskguard.h) */
    ddb_store_write(eng->store, &b);
    ddb_log(DDB_LOG_INFO, "streams: stream %s of table %s expired (disabled 24 hours ago)", info->label, info->table);
}

/* The worker's sweep: deletes records older than 24 hours, and streams disabled for 24 hours (the
   job keeps no state). */
static void sweep(ddb_engine *eng, void *state, uint64_t now)
{
    ddb_arena a;
    ddb_stream_info *infos;
    long n;

    (void)state;
    ddb_arena_init(&a);
    n = ddb_stream_info_list(eng->store, &a, &infos);
    for (long i = 0; i < n; i++) {
        const ddb_stream_info *info = &infos[i];
        if (info->disabled_ms != 0 && now >= info->disabled_ms + DDB_STREAM_RETENTION_MS) {
            drop_stream(eng, &a, info);
            continue;
        }
        /* a generation after every earlier one is empty: a consumer reads a parent's records before
           its children's, and with the clock moved back a child's may be the older, whose trim would
           leave a hole in an item's records (a later change gone, an earlier kept) */
        for (unsigned g = 0, kept = 0; g < info->ngens && now > DDB_STREAM_RETENTION_MS && !kept; g++) {
            for (unsigned s = 0; s < info->gens[g].nshards; s++) {
                int left = 0;
                trim_shard(eng, &a, info, g, s, now - DDB_STREAM_RETENTION_MS, &left);
                kept |= left;
            }
        }
    }
    ddb_arena_free(&a);
}

/* ---- the memory budget's trim ---- */

/* A stream shard, read from its oldest record on. */
typedef struct head {
    const ddb_stream_info *info;
    unsigned gen, shard;
    ddb_store_iter *it;
    uint64_t created; /* the record it is at: its time */
    uint64_t last;    /* the last number taken (0: none) */
    uint64_t taken;   /* the bytes of the records taken */
    int valid;
} head;

static void head_read(head *h)
{
    size_t klen, vlen;
    const char *k, *v;
    uint64_t seq;

    h->valid = ddb_store_iter_valid(h->it);
    if (!h->valid)
        return;
    k = ddb_store_iter_key(h->it, &klen);
    v = ddb_store_iter_val(h->it, &vlen);
    /* a record this version cannot read stays, and so does everything after it in its shard */
    h->valid = ddb_stream_record_head(k, klen, v, vlen, &seq, &h->created) == 0;
}

/* Deletes what was taken of the shard (below the record it is at) and keeps its numbering above;
   returns the bytes deleted. */
static uint64_t head_trim(ddb_engine *eng, ddb_arena *a, head *h)
{
    char lo[DDB_STREAM_PREFIX_BYTES], hi[DDB_STREAM_PREFIX_BYTES];
    const char *stop = hi;
    size_t stoplen = sizeof(hi);

    ddb_stream_prefix(h->info->id, h->gen, h->shard, lo);
    ddb_stream_prefix(h->info->id, h->gen, h->shard + 1, hi);
    if (h->valid) {
        const char *k = ddb_store_iter_key(h->it, &stoplen);
        stop = ddb_arena_memdup(a, k, stoplen);
    }
    return ddb_store_seq_trim(eng->store, lo, sizeof(lo), stop, stoplen, h->last) == DDB_STORE_OK ? h->taken : 0;
}

uint64_t ddb_streams_trim_oldest(ddb_engine *eng, uint64_t want)
{
    ddb_retention *r;
    ddb_arena a;
    ddb_stream_info *infos;
    head *heads;
    size_t nh = 0, cap = 0;
    uint64_t taken = 0, freed = 0;
    long n;

    ddb_arena_init(&a);
    n = ddb_stream_info_list(eng->store, &a, &infos);
    for (long i = 0; i < n; i++)
        for (unsigned g = 0; g < infos[i].ngens; g++)
            cap += infos[i].gens[g].nshards;
    heads = DDB_NEW_ARRAY(&a, head, cap ? cap : 1);
    for (long i = 0; i < n; i++) {
        for (unsigned g = 0; g < infos[i].ngens; g++) {
            for (unsigned s = 0; s < infos[i].gens[g].nshards; s++) {
                char lo[DDB_STREAM_PREFIX_BYTES], hi[DDB_STREAM_PREFIX_BYTES];
                head *h = &heads[nh++];
                ddb_stream_prefix(infos[i].id, g, s, lo);
                ddb_stream_prefix(infos[i].id, g, s + 1, hi);
                *h = (head){&infos[i], g, s, ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0), 0,
                            0, 0, 0};
                ddb_store_iter_seek(h->it, NULL, 0);
                head_read(h);
            }
        }
    }
    /* the oldest record of all the shards' next ones, one at a time (records of a shard are in time
       order), until enough is taken */
    while (taken < want) {
        head *oldest = NULL;
        size_t klen, vlen;
        for (size_t i = 0; i < nh; i++) {
            if (heads[i].valid && (oldest == NULL || heads[i].created < oldest->created))
                oldest = &heads[i];
        }
        if (oldest == NULL)
            break;
        oldest->last = ddb_get_be(ddb_store_iter_key(oldest->it, &klen) + DDB_STREAM_PREFIX_BYTES, 8);
        ddb_store_iter_val(oldest->it, &vlen);
        oldest->taken += ddb_retention_record_bytes(klen, vlen);
        taken += ddb_retention_record_bytes(klen, vlen);
        ddb_store_iter_next(oldest->it);
        head_read(oldest);
    }
    for (size_t i = 0; i < nh; i++) {
        if (heads[i].last != 0)
            freed += head_trim(eng, &a, &heads[i]);
    }
    for (size_t i = 0; i < nh; i++)
        ddb_store_iter_close(heads[i].it);
    /* with --in-memory the deleted records' memory comes back only once their files are rewritten:
       each stream trimmed is compacted once (a trim per shard flushed and rewrote more: bench/README.md) */
    for (size_t i = 0, done = nh; i < nh; i++) {
        char lo[4], hi[4];
        if (heads[i].last == 0 || (done < nh && heads[done].info == heads[i].info))
            continue; /* nothing of this shard trimmed, or its stream compacted already */
        done = i;
        ddb_put_be(lo, heads[i].info->id, 4);
        ddb_put_be(hi, (uint64_t)heads[i].info->id + 1, 4);
        ddb_store_reclaim(eng->store, lo, sizeof(lo), hi, sizeof(hi));
    }
    /* every record read and still over: the count was off (it is only ever an estimate of what
       the store holds), so it restarts from what is left, which is nothing */
    r = ddb_retention_of(eng);
    ddb_retention_sub(r, DDB_RET_STREAM, taken < want ? ddb_retention_used(r, DDB_RET_STREAM) : freed);
    ddb_arena_free(&a);
    return freed;
}

const ddb_job ddb_job_stream_trim = {.name = "stream trim", .sweep = sweep, .interval = ddb_expiry_interval};
