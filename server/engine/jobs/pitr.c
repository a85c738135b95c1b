/*
 * server/engine/jobs/pitr.c: point-in-time recovery's change log, written by the mutation pipeline and
 * replayed into a restored table (see pitr.h).
 */
#include "server/engine/jobs/pitr.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/log.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/backup_records.h"
#include "server/engine/jobs/batched.h"
#include "server/engine/jobs/expiry.h"
#include "server/engine/mutation.h"
#include "server/engine/history/history.h"
#include "server/engine/history/retention.h"

#define REPLAY_BATCH 256

typedef struct replay {
    ddb_engine *eng;
    uint32_t table_id;
    uint64_t until, until_seq;
    ddb_arena *a;
    size_t applied;
} replay;

/* Applies record number `seq` when its time is before until, or at it and numbered no later than
   until_seq; -1 when the table went, 1 on a bad record. */
static int apply(replay *r, const char *v, size_t vlen, uint64_t seq)
{
    const ddb_table *t = ddb_catalog_get_by_id(r->eng->catalog, r->table_id);
    ddb_pitr_record rec;
    char *nk;
    ddb_key key;
    ddb_attr item;
    ddb_mutation m;
    int rc;

    if (t == NULL)
        return -1;
    if (ddb_pitr_record_parse(v, vlen, &rec) != 0)
        return 1;
    /* at the restore's own millisecond, only what was logged when it was asked: on a frozen clock
       every later write shares that millisecond (a write decided before and logged after is as
       concurrent with the request, and a record's number is not its time, so only there) */
    if (rec.when > r->until || (rec.when == r->until && seq > r->until_seq))
        return 0;
    nk = ddb_arena_alloc(r->a, rec.klen + 4);
    ddb_put_be(nk, r->table_id, 4);
    memcpy(nk + 4, rec.key, rec.klen);
    ddb_key_from_stored(nk, rec.klen + 4, &key);
    if (rec.img != NULL) {
        if (ddb_item_decode(r->a, rec.img, rec.ilen, &item) != 0)
            return 1;
        ddb_mutation_init(&m, DDB_MUT_PUT, t, &key);
        m.item = &item;
    } else {
        ddb_mutation_init(&m, DDB_MUT_DELETE, t, &key);
    }
    rc = ddb_mutate(r->eng, r->a, &m);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return -1;
    if (rc != 0) {
        ddb_log(DDB_LOG_ERROR, "pitr: replaying a change into table %s: %s", t->name, m.out.err.msg ? m.out.err.msg : "error");
        return 0;
    }
    r->applied++;
    return 0;
}

int ddb_pitr_replay(ddb_engine *eng, uint32_t table_id, uint32_t log, uint64_t until_ms, uint64_t until_seq,
                    size_t *applied)
{
    char lo[DDB_PITR_PREFIX_BYTES + 8], hi[DDB_PITR_PREFIX_BYTES + 8];
    uint64_t next = 1;
    ddb_arena a;
    replay r = {eng, table_id, until_ms, until_seq, &a, 0};
    int rc = 0;

    ddb_arena_init(&a);
    ddb_pitr_log_prefix(log, lo);
    ddb_pitr_log_prefix(log, hi);
    ddb_put_be(hi + DDB_PITR_PREFIX_BYTES, UINT64_MAX, 8);
    /* in batches, each read before it is applied: the iterator is not held across writes */
    for (;;) {
        char *vals[REPLAY_BATCH];
        size_t vlens[REPLAY_BATCH], n = 0;
        uint64_t seqs[REPLAY_BATCH];
        ddb_store_iter *it;
        ddb_put_be(lo + DDB_PITR_PREFIX_BYTES, next, 8);
        it = ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < REPLAY_BATCH; ddb_store_iter_next(it)) {
            size_t klen, vlen;
            const char *k = ddb_store_iter_key(it, &klen);
            const char *v = ddb_store_iter_val(it, &vlen);
            seqs[n] = klen >= 8 ? ddb_get_be(k + klen - 8, 8) : 0;
            if (klen >= 8)
                next = seqs[n] + 1;
            vals[n] = ddb_arena_memdup(&a, v, vlen);
            vlens[n++] = vlen;
        }
        if (!ddb_store_iter_valid(it) && ddb_store_iter_status(it) != DDB_STORE_OK)
            rc = -1;
        ddb_store_iter_close(it);
        for (size_t i = 0; i < n && rc == 0; i++) {
            int arc = apply(&r, vals[i], vlens[i], seqs[i]);
            if (arc < 0)
                rc = -1;
            else if (arc > 0)
                ddb_log(DDB_LOG_ERROR, "pitr: an undecodable record in log %u skipped", log);
        }
        ddb_arena_reset(&a);
        if (rc != 0 || n < REPLAY_BATCH)
            break;
    }
    ddb_arena_free(&a);
    *applied = r.applied;
    return rc;
}

uint64_t ddb_pitr_log_last(ddb_engine *eng, uint32_t log)
{
    char prefix[DDB_PITR_PREFIX_BYTES];

    ddb_pitr_log_prefix(log, prefix);
    return ddb_store_seq_last(eng->store, prefix, sizeof(prefix));
}

/* ---- the trim ---- */

/* (the lock is the history feature's: engine/history/history.h) */
void ddb_pitr_lock(ddb_engine *eng)
{
    pthread_mutex_lock(&ddb_history_of(eng)->pitr_lock);
}

void ddb_pitr_unlock(ddb_engine *eng)
{
    pthread_mutex_unlock(&ddb_history_of(eng)->pitr_lock);
}

/* Whether a restoring table still reads log `log`. */
static int log_in_use(const ddb_table *const *tables, size_t n, uint32_t log)
{
    for (size_t i = 0; i < n; i++) {
        const ddb_json *l = ddb_json_get(ddb_json_get(tables[i]->desc, "ddbdRestore"), "Log");
        if (tables[i]->restoring && l != NULL && l->type == DDB_JSON_NUMBER && strtoul(l->u.s, NULL, 10) == log)
            return 1;
    }
    return 0;
}

/* Rewrites base record `id` with Created = `created`. 0 or -1. */
static int move_start(ddb_engine *eng, ddb_arena *a, const char *id, uint64_t created)
{
    static const char *const moved[] = {"Created", NULL};
    ddb_backup_edit e;

    if (ddb_backup_edit_begin(&e, eng->store, a, id, moved) != 0)
        return -1;
    ddb_jw_member_int(&e.w, "Created", (long long)created);
    return ddb_backup_edit_end(&e, eng->store, a);
}

/*
 * Writes the leading records of `log` with time <= cut into keyspace `base`; *last gets the
 * number of the last one written (0: none). 0 or -1.
 */
static int fold(ddb_engine *eng, uint32_t log, uint32_t base, uint64_t cut, uint64_t *last, uint64_t *bytes)
{
    char lo[DDB_PITR_PREFIX_BYTES + 8], hi[DDB_PITR_PREFIX_BYTES + 8];
    ddb_store_iter *it;
    ddb_batched w;
    int rc = 0;

    *last = *bytes = 0;
    ddb_batched_init(&w, eng->store, REPLAY_BATCH);
    ddb_pitr_log_prefix(log, lo);
    ddb_pitr_log_prefix(log, hi);
    ddb_put_be(hi + DDB_PITR_PREFIX_BYTES, UINT64_MAX, 8);
    it = ddb_store_seq_iter_open(eng->store, lo, DDB_PITR_PREFIX_BYTES, hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        ddb_pitr_record rec;
        char *nk;
        if (klen < 8 || ddb_pitr_record_parse(v, vlen, &rec) != 0 || rec.when > cut)
            break; /* the first newer record (or one this version cannot read) ends the fold */
        nk = ddb_arena_alloc(&w.a, rec.klen + 4);
        ddb_put_be(nk, base, 4);
        memcpy(nk + 4, rec.key, rec.klen);
        if (rec.img != NULL)
            ddb_batch_put(&w.b, nk, rec.klen + 4, ddb_arena_memdup(&w.a, rec.img, rec.ilen), rec.ilen);
        else
            ddb_batch_delete(&w.b, nk, rec.klen + 4);
        *last = ddb_get_be(k + klen - 8, 8);
        *bytes += ddb_retention_record_bytes(klen, vlen);
        if ((rc = ddb_batched_count(&w)) != DDB_STORE_OK)
            break;
    }
    if (rc == 0 && !ddb_store_iter_valid(it))
        rc = ddb_store_iter_status(it);
    rc = ddb_batched_end(&w, rc);
    ddb_store_iter_close(it);
    return rc == 0 ? 0 : -1;
}

/* Folds table t's records up to `cut` into its base, which then starts at `cut`; logs what it did.
   Returns the bytes of the log it deleted. */
static uint64_t trim_to(ddb_engine *eng, ddb_arena *a, const ddb_table *t, uint64_t cut)
{
    const char *id = t->pitr.base;
    char lo[DDB_PITR_PREFIX_BYTES], hi[DDB_PITR_PREFIX_BYTES + 8];
    uint64_t last, bytes;
    ddb_backup b;

    if (id == NULL || ddb_backup_load(eng->store, a, id, &b) != 0 || strcmp(b.status, "AVAILABLE") != 0 ||
        b.created_ms >= cut)
        return 0;
    if (move_start(eng, a, id, cut) != 0 || fold(eng, t->pitr.log, b.keyspace, cut, &last, &bytes) != 0) {
        ddb_log(DDB_LOG_ERROR, "pitr: trimming the history of table %s failed; retried later", t->name);
        return 0;
    }
    if (last == 0)
        return 0;
    ddb_pitr_log_prefix(t->pitr.log, lo);
    ddb_pitr_log_prefix(t->pitr.log, hi);
    ddb_put_be(hi + DDB_PITR_PREFIX_BYTES, last + 1, 8);
    /* numbers stay above the folded ones: a restore orders the log by them */
    if (ddb_store_seq_trim(eng->store, lo, sizeof(lo), hi, sizeof(hi), last) != DDB_STORE_OK) {
        ddb_log(DDB_LOG_ERROR, "pitr: deleting the trimmed records of table %s failed; retried later", t->name);
        return 0;
    }
    ddb_log(DDB_LOG_INFO, "pitr: table %s: records up to %llu folded into the base", t->name, (unsigned long long)last);
    ddb_retention_sub(ddb_retention_of(eng), DDB_RET_PITR, bytes);
    return bytes;
}

/* Trims table t's history to its window. */
static void trim_table(ddb_engine *eng, ddb_arena *a, const ddb_table *t, uint64_t now)
{
    uint64_t period = t->pitr.days > 0 ? (uint64_t)t->pitr.days * 86400000ULL : 0;

    if (period != 0 && now > period)
        trim_to(eng, a, t, now - period);
}

/* The tables whose history the trims may fold (a restore reads none of it); *out in `a`. */
static size_t trimmable(ddb_engine *eng, ddb_arena *a, const ddb_table ***out)
{
    const ddb_table **tables;
    size_t n = ddb_catalog_snapshot(eng->catalog, a, &tables), k = 0;

    *out = DDB_NEW_ARRAY(a, const ddb_table *, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        if (tables[i]->pitr.log != 0 && !ddb_table_retired(tables[i]) && !log_in_use(tables, n, tables[i]->pitr.log))
            (*out)[k++] = tables[i];
    }
    return k;
}

/* The worker's sweep: folds the records older than each table's window into its base (the job
   keeps no state). */
static void sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    const ddb_table **tables;
    ddb_arena a;
    size_t n;

    (void)state;
    ddb_arena_init(&a);
    ddb_pitr_lock(eng);
    n = trimmable(eng, &a, &tables);
    for (size_t i = 0; i < n; i++)
        trim_table(eng, &a, tables[i], now_ms);
    ddb_pitr_unlock(eng);
    ddb_arena_free(&a);
}

/* A log read from its oldest record on, for the budget's trim: the time of the record it is at. */
static int log_head(ddb_store_iter *it, uint64_t *when)
{
    size_t vlen;
    const char *v;
    ddb_pitr_record rec;

    if (!ddb_store_iter_valid(it))
        return 0;
    v = ddb_store_iter_val(it, &vlen);
    if (ddb_pitr_record_parse(v, vlen, &rec) != 0)
        return 0; /* one this version cannot read ends the log, as for the fold */
    *when = rec.when;
    return 1;
}

/* The time up to which the oldest records of all the logs add up to `want` bytes (0: none). */
static uint64_t oldest_cut(ddb_engine *eng, ddb_arena *a, const ddb_table **tables, size_t n, uint64_t want)
{
    ddb_store_iter **its = DDB_NEW_ARRAY(a, ddb_store_iter *, n ? n : 1);
    uint64_t *when = DDB_NEW_ARRAY(a, uint64_t, n ? n : 1), taken = 0, cut = 0;
    int *valid = DDB_NEW_ARRAY(a, int, n ? n : 1);

    for (size_t i = 0; i < n; i++) {
        char lo[DDB_PITR_PREFIX_BYTES], hi[DDB_PITR_PREFIX_BYTES + 8];
        ddb_pitr_log_prefix(tables[i]->pitr.log, lo);
        memcpy(hi, lo, DDB_PITR_PREFIX_BYTES);
        memset(hi + DDB_PITR_PREFIX_BYTES, 0xff, 8);
        its[i] = ddb_store_seq_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
        ddb_store_iter_seek(its[i], NULL, 0);
        valid[i] = log_head(its[i], &when[i]);
    }
    while (taken < want) {
        size_t o = n, klen, vlen;
        for (size_t i = 0; i < n; i++) {
            if (valid[i] && (o == n || when[i] < when[o]))
                o = i;
        }
        if (o == n)
            break;
        cut = when[o];
        ddb_store_iter_key(its[o], &klen);
        ddb_store_iter_val(its[o], &vlen);
        taken += ddb_retention_record_bytes(klen, vlen);
        ddb_store_iter_next(its[o]);
        valid[o] = log_head(its[o], &when[o]);
    }
    for (size_t i = 0; i < n; i++)
        ddb_store_iter_close(its[i]);
    return cut;
}

uint64_t ddb_pitr_trim_oldest(ddb_engine *eng, uint64_t want)
{
    const ddb_table **tables;
    ddb_arena a;
    uint64_t cut, freed = 0;
    size_t n;

    ddb_arena_init(&a);
    ddb_pitr_lock(eng);
    n = trimmable(eng, &a, &tables);
    /* the base keeps what is folded: the window's start moves up to the cut (+1: folded records
       are those with time <= cut, and the window starts after them) */
    if ((cut = oldest_cut(eng, &a, tables, n, want)) != 0) {
        for (size_t i = 0; i < n; i++) {
            char lo[DDB_PITR_PREFIX_BYTES], hi[DDB_PITR_PREFIX_BYTES];
            uint64_t got = trim_to(eng, &a, tables[i], cut + 1);
            ddb_pitr_log_prefix(tables[i]->pitr.log, lo);
            ddb_pitr_log_prefix(tables[i]->pitr.log + 1, hi);
            if (got > 0)
                ddb_store_reclaim(eng->store, lo, sizeof(lo), hi, sizeof(hi));
            freed += got;
        }
    }
    ddb_pitr_unlock(eng);
    ddb_arena_free(&a);
    return freed;
}

const ddb_job ddb_job_pitr_trim = {.name = "pitr trim", .sweep = sweep, .interval = ddb_expiry_interval};
