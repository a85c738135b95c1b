/*
 * server/engine/jobs/backups.c: backup records, the copy of a table into a backup's keyspace, and the
 * restore of a backup into a new table (see backups.h).
 */
#include "server/engine/jobs/backups.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/batched.h"
#include "server/engine/jobs/expiry.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "server/engine/read.h"
#include "server/engine/table_stats.h"

#define RESTORE_PREFIX "task/restore/"
#define COPY_BATCH 512
#define RESTORE_BATCH 256

/* ---- snapshots of backups being copied ---- */

typedef struct pending {
    char id[64];
    ddb_store_snapshot *snap;
} pending;

struct ddb_backups {
    pthread_mutex_t lock;
    pending *v;
    size_t n, cap;
};

static void retake_lost(ddb_engine *eng, ddb_backups *bk);

static void *backups_start(ddb_engine *eng)
{
    ddb_backups *b = ddb_zalloc(sizeof(*b));

    pthread_mutex_init(&b->lock, NULL);
    retake_lost(eng, b);
    return b;
}

static void backups_stop(ddb_engine *eng, void *state)
{
    ddb_backups *b = state;

    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n; i++)
        ddb_store_snapshot_release(eng->store, b->v[i].snap);
    free(b->v);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

static void pending_add(ddb_backups *b, const char *id, ddb_store_snapshot *snap)
{
    pthread_mutex_lock(&b->lock);
    DDB_ROOM(b->v, b->n, b->cap, 8);
    snprintf(b->v[b->n].id, sizeof(b->v[b->n].id), "%s", id);
    b->v[b->n++].snap = snap;
    pthread_mutex_unlock(&b->lock);
}

/* The snapshot handed over for backup `id` (now the caller's), or NULL. */
static ddb_store_snapshot *pending_take(ddb_backups *b, const char *id)
{
    ddb_store_snapshot *snap = NULL;

    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->v[i].id, id) == 0) {
            snap = b->v[i].snap;
            b->v[i] = b->v[--b->n];
            break;
        }
    }
    pthread_mutex_unlock(&b->lock);
    return snap;
}

int ddb_backup_create(ddb_engine *eng, const ddb_backup *backup, int barrier)
{
    ddb_store_snapshot *snap;
    const char *shared;
    ddb_backup b = *backup;
    ddb_arena a;
    ddb_batch batch;
    int rc;

    /* a write decided before the caller's catalog change may still be committing: the barrier
       waits for it, so it is in the snapshot (storage.h) */
    if (barrier)
        ddb_store_barrier(eng->store);
    snap = ddb_store_snapshot_take(eng->store);
    shared = b.snapshot = ddb_store_snapshot_name(eng->store, snap);
    if (b.created_ms == 0)
        b.created_ms = ddb_clock_now_ms();
    ddb_arena_init(&a);
    ddb_batch_init(&batch, &a);
    ddb_backup_record_put(&batch, &a, &b);
    rc = ddb_store_write(eng->store, &batch);
    ddb_arena_free(&a);
    if (rc != DDB_STORE_OK) {
        ddb_store_snapshot_release(eng->store, snap);
        return -1;
    }
    if (shared != NULL) /* the record names it: whichever gateway copies it opens it (storage.h) */
        ddb_store_snapshot_detach(eng->store, snap);
    else
        pending_add(ddb_tasks_state(eng->tasks, &ddb_job_backups), b.id, snap);
    ddb_tasks_kick(eng->tasks);
    return 0;
}

int ddb_backup_delete(ddb_engine *eng, const ddb_backup *b)
{
    ddb_arena a;
    ddb_batch batch;
    const char *key;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&batch, &a);
    key = ddb_arena_sprintf(&a, DDB_BACKUP_PREFIX "%s", b->id);
    ddb_batch_meta_delete(&batch, key, strlen(key));
    ddb_task_purge_record(&batch, &a, &b->keyspace, 1);
    batch.removes = 1; /* frees space: allowed on a disk short of it (diskguard.h) */
    rc = ddb_store_write(eng->store, &batch);
    ddb_arena_free(&a);
    if (rc == DDB_STORE_OK)
        ddb_tasks_kick(eng->tasks);
    return rc == DDB_STORE_OK ? 0 : -1;
}

typedef struct expiring {
    ddb_engine *eng;
    uint64_t now_ms;
    const ddb_table **tables; /* the catalog's, to skip a backup a restore still reads */
    size_t ntables;
    ddb_arena *a;
    ddb_backup *due;
    size_t n, cap;
} expiring;

static int expiring_cb(void *ctx, const ddb_backup *b)
{
    expiring *e = ctx;

    if (!b->system || b->expires_ms > e->now_ms || strcmp(b->status, "AVAILABLE") != 0)
        return 0;
    for (size_t i = 0; i < e->ntables; i++)
        if (e->tables[i]->restoring && e->tables[i]->restore_from == b->keyspace)
            return 0; /* the next sweep, once the restore is done */
    if (e->n == e->cap)
        return 1; /* enough for one sweep */
    e->due[e->n] = *b;
    e->due[e->n].id = ddb_arena_sprintf(e->a, "%s", b->id);
    e->due[e->n].table = ddb_arena_sprintf(e->a, "%s", b->table ? b->table : "");
    e->n++;
    return 0;
}

void ddb_backups_expire(ddb_engine *eng, uint64_t now_ms)
{
    ddb_arena a;
    ddb_backup due[16];
    expiring e = {eng, now_ms, NULL, 0, &a, due, 0, sizeof(due) / sizeof(due[0])};

    ddb_arena_init(&a);
    e.ntables = ddb_catalog_snapshot(eng->catalog, &a, &e.tables);
    if (ddb_backup_each(eng->store, NULL, NULL, expiring_cb, &e) != 0)
        ddb_log(DDB_LOG_ERROR, "backups: reading the backups to expire failed; retried later");
    for (size_t i = 0; i < e.n; i++) {
        if (ddb_backup_delete(eng, &due[i]) != 0)
            ddb_log(DDB_LOG_ERROR, "backups: expiring system backup %s failed; retried later", due[i].id);
        else
            ddb_log(DDB_LOG_INFO, "backups: system backup %s of deleted table %s expired", due[i].id, due[i].table);
    }
    ddb_arena_free(&a);
}

/* ---- the copy ---- */

/* Rewrites the record of backup `b` as AVAILABLE with its figures. */
static int mark_available(ddb_engine *eng, ddb_arena *a, const ddb_backup *b, unsigned long long items,
                          unsigned long long size)
{
    static const char *const moved[] = {"Status", "Size", "Items", NULL};
    ddb_backup_edit e;

    if (ddb_backup_edit_begin(&e, eng->store, a, b->id, moved) != 0)
        return -1;
    ddb_jw_member_str(&e.w, "Status", "AVAILABLE");
    ddb_jw_member_int(&e.w, "Size", (long long)size);
    ddb_jw_member_int(&e.w, "Items", (long long)items);
    return ddb_backup_edit_end(&e, eng->store, a);
}

/*
 * A point-in-time recovery base copied again as of now, its snapshot lost with a restart (or on
 * RADOS, with the gateway that held it): the copy holds every change logged since recovery was
 * enabled, so a restore to a time before the last of them would keep changes made after that
 * time. The window then starts at the latest time logged (the base's Created, which is the
 * window's start, moved up as the trim moves it: pitr.h); a restore to it or later replays every
 * logged change over the copy, which gives the same items. Returns the new Created, or 0 to keep it.
 */
static uint64_t base_moved_to(ddb_engine *eng, const ddb_backup *b)
{
    const ddb_table *t = ddb_catalog_get_by_id(eng->catalog, b->source_id);
    uint64_t newest;

    if (!b->pitr || t == NULL || t->pitr.log == 0 || t->pitr.base == NULL || strcmp(t->pitr.base, b->id) != 0 ||
        ddb_pitr_newest(eng->store, t->pitr.log, &newest) != 0)
        return 0;
    return newest > b->created_ms ? newest : 0;
}

/* Backup b's Created moved to `created`, its copy still to come; 0 or -1. */
static int move_created(ddb_engine *eng, ddb_arena *a, const ddb_backup *b, uint64_t created)
{
    static const char *const moved[] = {"Created", NULL};
    ddb_backup_edit e;

    if (ddb_backup_edit_begin(&e, eng->store, a, b->id, moved) != 0)
        return -1;
    ddb_jw_member_int(&e.w, "Created", (long long)created);
    return ddb_backup_edit_end(&e, eng->store, a);
}

typedef struct lost_copies {
    ddb_arena *a;
    const char **ids;
    size_t n, cap;
} lost_copies;

static int lost_cb(void *ctx, const ddb_backup *b)
{
    lost_copies *l = ctx;

    if (strcmp(b->status, "CREATING") == 0 && b->keyspace != b->source_id && b->snapshot == NULL) {
        DDB_ARENA_ROOM(l->a, l->ids, l->n, l->cap, 8);
        l->ids[l->n++] = ddb_arena_sprintf(l->a, "%s", b->id);
    }
    return 0;
}

/*
 * The copies a stopped process left unfinished lost their snapshots with it (an unshared store's
 * live in its memory). Each is taken again as the process starts, before it serves a request, and
 * a point-in-time base's window moves at once to the latest time logged (base_moved_to): taken at
 * the copy's turn instead, a restore asked meanwhile could name a time before changes its base
 * would then hold. (On RADOS the snapshot is named in the record and outlives its gateway; one
 * that is gone is taken again at the copy's turn: copy_backup.)
 */
static void retake_lost(ddb_engine *eng, ddb_backups *bk)
{
    lost_copies l = {0};
    ddb_arena a;

    if (ddb_store_shared(eng->store))
        return;
    ddb_arena_init(&a);
    l.a = &a;
    if (ddb_backup_each(eng->store, NULL, NULL, lost_cb, &l) != 0)
        l.n = 0; /* (each is then taken again at its copy's turn) */
    for (size_t i = 0; i < l.n; i++) {
        ddb_backup b;
        ddb_store_snapshot *snap;
        uint64_t created;
        if (ddb_backup_load(eng->store, &a, l.ids[i], &b) != 0)
            continue;
        snap = ddb_store_snapshot_take(eng->store);
        created = base_moved_to(eng, &b); /* (read after the snapshot: it holds every change read) */
        if (created != 0 && move_created(eng, &a, &b, created) != 0) {
            ddb_store_snapshot_release(eng->store, snap);
            continue;
        }
        ddb_log(DDB_LOG_INFO, "backups: backup %s was interrupted; copying table %s again as of now", b.id, b.table);
        pending_add(bk, b.id, snap);
    }
    ddb_arena_free(&a);
}

/* Copies the source table as of `snap` into the backup's keyspace; 0, 1 when stopped, -1. */
static int copy_items(ddb_engine *eng, const ddb_backup *b, const ddb_store_snapshot *snap, int (*stopping)(void *),
                      void *sctx, unsigned long long *items, unsigned long long *size)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    ddb_batched w;
    int rc = 0;

    ddb_batched_init(&w, eng->store, COPY_BATCH);
    ddb_key_table_range(b->source_id, lo, hi);
    ddb_crash_point("backup-copy"); /* (a test's delay: a stop while the copy runs) */
    it = ddb_store_iter_open_at(eng->store, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        char *nk = ddb_arena_memdup(&w.a, k, klen);
        ddb_put_be(nk, b->keyspace, 4);
        ddb_batch_put(&w.b, nk, klen, ddb_arena_memdup(&w.a, v, vlen), vlen);
        (*items)++;
        *size += ddb_item_stored_size(v, vlen);
        if ((rc = ddb_batched_count(&w)) != DDB_STORE_OK)
            break;
        if (w.n == 0 && stopping(sctx)) { /* a stop comes between two writes */
            rc = 1;
            break;
        }
    }
    if (rc == 0)
        rc = ddb_store_iter_status(it);
    rc = ddb_batched_end(&w, rc);
    ddb_store_iter_close(it);
    return rc == 1 ? 1 : rc == 0 ? 0 : -1;
}

/* A copy that stops keeps its snapshot for the next run: in this process, or named in its record. */
static void keep_snapshot(ddb_engine *eng, ddb_backups *bk, const ddb_backup *b, ddb_store_snapshot *snap)
{
    if (snap == NULL)
        return;
    if (ddb_store_snapshot_name(eng->store, snap) != NULL)
        ddb_store_snapshot_detach(eng->store, snap);
    else
        pending_add(bk, b->id, snap);
}

/* Returns 1 when it moved on (copied, or stopped), 0 when it failed (retried later). */
static int copy_backup(ddb_engine *eng, ddb_backups *bk, const ddb_backup *b, int (*stopping)(void *), void *sctx)
{
    ddb_store_snapshot *snap = pending_take(bk, b->id);
    unsigned long long items = 0, size = 0;
    uint64_t created = 0;
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_arena a;
    int rc;

    if (b->keyspace == b->source_id) { /* in place: the deleted table's items are the backup, nothing writes them */
        ddb_arena_init(&a);
        rc = ddb_keyspace_count(eng->store, NULL, b->keyspace, &items, &size) == DDB_STORE_OK &&
             mark_available(eng, &a, b, items, size) == 0;
        ddb_arena_free(&a);
        if (rc)
            ddb_log(DDB_LOG_INFO, "backups: system backup %s of deleted table %s is AVAILABLE (%llu items)", b->id,
                    b->table, items);
        return rc;
    }

    /* the copy starts over: an earlier run may have left part of it (stray keys if items went since) */
    ddb_key_table_range(b->keyspace, lo, hi);
    if (snap == NULL && b->snapshot != NULL)
        snap = ddb_store_snapshot_open(eng->store, b->snapshot); /* taken by another gateway */
    if (ddb_store_delete_range_all(eng->store, lo, sizeof(lo), hi, sizeof(hi)) != DDB_STORE_OK) {
        keep_snapshot(eng, bk, b, snap);
        return 0;
    }
    if (snap == NULL) {
        ddb_log(DDB_LOG_INFO, "backups: backup %s was interrupted; copying table %s again from now", b->id, b->table);
        snap = ddb_store_snapshot_take(eng->store);
        created = base_moved_to(eng, b); /* (read after the snapshot: it holds every change read) */
        ddb_arena_init(&a);
        rc = created != 0 ? move_created(eng, &a, b, created) : 0; /* the window moves before the copy */
        ddb_arena_free(&a);
        if (rc != 0) {
            ddb_store_snapshot_release(eng->store, snap);
            return 0;
        }
    }
    rc = copy_items(eng, b, snap, stopping, sctx, &items, &size);
    if (rc == 1) { /* stopping: the same snapshot resumes it */
        keep_snapshot(eng, bk, b, snap);
        return 1;
    }
    ddb_store_snapshot_release(eng->store, snap);
    ddb_arena_init(&a);
    if (rc != 0 || mark_available(eng, &a, b, items, size) != 0)
        rc = -1, ddb_log(DDB_LOG_ERROR, "backups: backup %s of table %s failed; retried at the next start", b->id, b->table);
    else
        ddb_log(DDB_LOG_INFO, "backups: backup %s of table %s is AVAILABLE (%llu items, %llu bytes)", b->id, b->table,
                items, size);
    ddb_arena_free(&a);
    return rc == 0;
}

typedef struct find_creating {
    ddb_arena *a;
    ddb_backup *out;
    int found;
} find_creating;

static int creating_cb(void *ctx, const ddb_backup *b)
{
    find_creating *f = ctx;

    if (strcmp(b->status, "CREATING") != 0)
        return 0;
    /* b lives in the iteration's arena: copy what the copy needs */
    *f->out = *b;
    f->out->id = ddb_arena_sprintf(f->a, "%s", b->id);
    f->out->table = ddb_arena_sprintf(f->a, "%s", b->table ? b->table : "");
    f->out->snapshot = b->snapshot ? ddb_arena_sprintf(f->a, "%s", b->snapshot) : NULL;
    f->found = 1;
    return 1;
}

/* ---- the restore ---- */

typedef struct restore {
    ddb_engine *eng;
    const ddb_table *t;
    uint32_t table_id;
    ddb_arena *a;
    size_t done, failed;
} restore;

static const char *cursor_key(ddb_arena *a, uint32_t table_id)
{
    return ddb_arena_sprintf(a, RESTORE_PREFIX "%010u", table_id);
}

/* Puts one backed-up item into the table through the mutation pipeline; -1 when the table went. */
static int restore_item(restore *r, const char *k, size_t klen, const char *v, size_t vlen)
{
    char *nk = ddb_arena_memdup(r->a, k, klen);
    ddb_mutation m;
    ddb_attr item;
    ddb_key key;
    int rc;

    if (ddb_item_decode(r->a, v, vlen, &item) != 0) {
        r->failed++;
        return 0;
    }
    ddb_put_be(nk, r->table_id, 4);
    ddb_key_from_stored(nk, klen, &key);
    ddb_mutation_init(&m, DDB_MUT_PUT, r->t, &key);
    m.item = &item;
    rc = ddb_mutate(r->eng, r->a, &m);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return -1;
    if (rc != 0) {
        ddb_log(DDB_LOG_ERROR, "backups: restoring an item into table %s: %s", r->t->name,
                m.out.err.msg ? m.out.err.msg : "error");
        r->failed++;
        return 0;
    }
    r->done++;
    return 0;
}

/* One batch after the cursor; the number of items read (0: done), -1 when the table went or on error. */
static long restore_batch(restore *r, uint32_t from)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    const char *ck = cursor_key(r->a, r->table_id);
    char *after, *keys[RESTORE_BATCH], *vals[RESTORE_BATCH];
    size_t afterlen, klens[RESTORE_BATCH], vlens[RESTORE_BATCH];
    ddb_store_iter *it;
    ddb_batch b;
    long n = 0;

    if (ddb_store_meta_get(r->eng->store, r->a, ck, strlen(ck), &after, &afterlen) != 0)
        return -1;
    ddb_key_table_range(from, lo, hi);
    it = ddb_store_iter_open(r->eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, after, after ? afterlen : 0); ddb_store_iter_valid(it) && n < RESTORE_BATCH;
         ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        if (after != NULL && klen == afterlen && memcmp(k, after, klen) == 0)
            continue;
        keys[n] = ddb_arena_memdup(r->a, k, klen);
        klens[n] = klen;
        vals[n] = ddb_arena_memdup(r->a, v, vlen);
        vlens[n++] = vlen;
    }
    if (!ddb_store_iter_valid(it) && ddb_store_iter_status(it) != DDB_STORE_OK)
        n = -1;
    ddb_store_iter_close(it);
    for (long i = 0; i < n; i++) {
        if (restore_item(r, keys[i], klens[i], vals[i], vlens[i]) != 0)
            return -1;
    }
    if (n > 0) { /* items are put again from here after a restart: a put is idempotent */
        ddb_batch_init(&b, r->a);
        ddb_batch_meta_put(&b, ck, strlen(ck), keys[n - 1], klens[n - 1]);
        if (ddb_store_write(r->eng->store, &b) != DDB_STORE_OK)
            return -1;
    }
    return n;
}

static void drop_cursor(ddb_engine *eng, ddb_arena *a, uint32_t table_id)
{
    const char *ck = cursor_key(a, table_id);
    ddb_batch b;

    ddb_batch_init(&b, a);
    ddb_batch_meta_delete(&b, ck, strlen(ck));
    ddb_store_write(eng->store, &b);
}

/* The live table by id, for the catalog's compare-and-swap loop (catalog_edit.h). */
typedef struct by_id {
    ddb_engine *eng;
    ddb_arena *a;
    uint32_t table_id;
} by_id;

static int restore_done_edit(void *ctx, ddb_desc_edit **e)
{
    const by_id *b = ctx;
    const ddb_table *t = ddb_catalog_get_by_id(b->eng->catalog, b->table_id);

    if (t == NULL)
        return 1;
    *e = ddb_desc_edit_of(b->a, t);
    ddb_edit_restore_done(*e);
    return 0;
}

/* The table's restore is done (compare-and-swap, retried until it is not raced). */
static void finish_restore(ddb_engine *eng, ddb_arena *a, uint32_t table_id)
{
    by_id b = {eng, a, table_id};

    ddb_catalog_edit(eng->catalog, 0, restore_done_edit, &b, NULL);
}

/*
 * A restore to a point in time: once the base is in, the source's log up to "Until" (pitr.h). A
 * restart replays it again from its start, over the base's items put again: the same end state.
 */
static int replay_log(ddb_engine *eng, uint32_t table_id)
{
    const ddb_table *t = ddb_catalog_get_by_id(eng->catalog, table_id);
    const ddb_json *r = t != NULL ? ddb_json_get(t->desc, DDB_MEMBER_RESTORE) : NULL;
    const ddb_json *log = ddb_json_get(r, "Log"), *until = ddb_json_get(r, "Until");
    const ddb_json *seq = ddb_json_get(r, "UntilSeq"); /* (absent: a restore asked before it was kept) */
    size_t applied = 0;

    if (log == NULL || log->type != DDB_JSON_NUMBER || until == NULL || until->type != DDB_JSON_NUMBER)
        return 0;
    if (ddb_pitr_replay(eng, table_id, (uint32_t)strtoul(log->u.s, NULL, 10), strtoull(until->u.s, NULL, 10),
                        seq != NULL && seq->type == DDB_JSON_NUMBER ? strtoull(seq->u.s, NULL, 10) : UINT64_MAX,
                        &applied) != 0)
        return ddb_catalog_get_by_id(eng->catalog, table_id) != NULL ? -1 : 0;
    ddb_log(DDB_LOG_INFO, "backups: table %s: %zu logged changes replayed", t->name, applied);
    return 0;
}

/* Returns 1 when it moved on (restored, or stopped), 0 when it failed (retried later). */
static int run_restore(ddb_engine *eng, const ddb_table *t, int (*stopping)(void *), void *sctx)
{
    ddb_arena a;
    restore r = {eng, t, t->id, &a, 0, 0};
    uint32_t from = t->restore_from;
    long n;

    ddb_arena_init(&a);
    ddb_log(DDB_LOG_INFO, "backups: restoring table %s", t->name);
    ddb_crash_point("restore-fill"); /* (a test's delay: writes made while a restore waits its turn) */
    while ((n = restore_batch(&r, from)) > 0) {
        ddb_arena_reset(&a);
        if (stopping(sctx)) {
            ddb_arena_free(&a);
            return 1;
        }
        r.t = ddb_catalog_get_by_id(eng->catalog, r.table_id);
        if (r.t == NULL)
            break;
    }
    if (n < 0 && ddb_catalog_get_by_id(eng->catalog, r.table_id) != NULL) {
        ddb_log(DDB_LOG_ERROR, "backups: restore of table %s stopped by an error; retried at the next start", t->name);
        ddb_arena_free(&a);
        return 0;
    }
    if (replay_log(eng, r.table_id) != 0) {
        ddb_log(DDB_LOG_ERROR, "backups: replaying the change log into table %s failed; retried at the next start",
                t->name);
        ddb_arena_free(&a);
        return 0;
    }
    finish_restore(eng, &a, r.table_id);
    drop_cursor(eng, &a, r.table_id);
    ddb_log(DDB_LOG_INFO, "backups: table %s restored (%zu items%s)", t->name, r.done, r.failed ? ", some failed" : "");
    ddb_arena_free(&a);
    return 1;
}

static int backups_work(ddb_engine *eng, void *state, int (*stopping)(void *), void *sctx)
{
    ddb_backups *bk = state;
    ddb_arena a;
    ddb_backup b = {0}; /* filled when f.found */
    find_creating f;
    const ddb_table **tables;
    size_t n;
    int did = 0;

    ddb_arena_init(&a);
    f = (find_creating){&a, &b, 0};
    if (ddb_backup_each(eng->store, NULL, NULL, creating_cb, &f) == 0 && f.found) {
        did = copy_backup(eng, bk, &b, stopping, sctx);
        ddb_arena_free(&a);
        return did;
    }
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < n && !did; i++) {
        if (tables[i]->restoring && !ddb_table_retired(tables[i])) {
            did = run_restore(eng, tables[i], stopping, sctx);
            break;
        }
    }
    ddb_arena_free(&a);
    return did;
}

static void expiry_sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    (void)state;
    ddb_backups_expire(eng, now_ms);
}

const ddb_job ddb_job_backups = {.name = "backups", .start = backups_start, .stop = backups_stop, .work = backups_work};
const ddb_job ddb_job_backup_expiry = {.name = "backup expiry", .sweep = expiry_sweep, .interval = ddb_expiry_interval};

/* ---- the table member "ddbdRestore": {"Keyspace", "SourceBackupArn" | "Log", "Until",
   "SourceTableArn", "RestoreDateTime", "InProgress"} ---- */

typedef struct restore_value {
    int done; /* the restore is done: the stored member as it is, InProgress false */
    ddb_restore_member r;
} restore_value;

static void restore_read(ddb_table *t, const ddb_json *r)
{
    if (r == NULL)
        return;
    t->restoring = ddb_member_true(ddb_json_get(r, "InProgress"));
    t->restore_from = ddb_member_u32(ddb_json_get(r, "Keyspace"));
}

static void restore_write_new(ddb_jw *w, const ddb_restore_member *r)
{
    char when[32];

    ddb_jw_member_int(w, "Keyspace", r->keyspace);
    if (r->log == 0) {
        ddb_jw_member_str(w, "SourceBackupArn", r->backup_arn);
    } else {
        ddb_jw_member_int(w, "Log", r->log);
        ddb_jw_member_int(w, "Until", (long long)r->at_ms);
        if (r->until_seq != 0)
            ddb_jw_member_int(w, "UntilSeq", (long long)r->until_seq);
    }
    ddb_jw_member_str(w, "SourceTableArn", r->table_arn);
    ddb_jw_key(w, "RestoreDateTime"); /* epoch seconds to the millisecond, as DescribeTable shows it */
    snprintf(when, sizeof(when), "%llu.%03llu", (unsigned long long)(r->at_ms / 1000),
             (unsigned long long)(r->at_ms % 1000));
    ddb_jw_raw_number(w, when);
}

static void restore_write(ddb_jw *w, const ddb_member_edit *e)
{
    const restore_value *v = e->value;
    const ddb_json *cur = e->cur;

    ddb_jw_obj_begin(w);
    if (!v->done)
        restore_write_new(w, &v->r);
    for (uint32_t i = 0; v->done && cur != NULL && cur->type == DDB_JSON_OBJECT && i < cur->n; i++) {
        if (strcmp(cur->u.members[i].key, "InProgress") == 0)
            continue;
        ddb_jw_keyn(w, cur->u.members[i].key, cur->u.members[i].klen);
        ddb_jw_json(w, cur->u.members[i].val);
    }
    ddb_jw_member_bool(w, "InProgress", !v->done);
    ddb_jw_obj_end(w);
}

static const ddb_table_member restore_member = {DDB_MEMBER_RESTORE, restore_read, restore_write};

void ddb_edit_restore(ddb_desc_edit *e, const ddb_restore_member *r)
{
    restore_value v = {0, *r};

    ddb_edit_member(e, &restore_member, &v, sizeof(v));
}

void ddb_edit_restore_done(ddb_desc_edit *e)
{
    restore_value v = {1, {0}};

    ddb_edit_member(e, &restore_member, &v, sizeof(v));
}

static const ddb_table_member *const members[] = {&restore_member, NULL};

const ddb_feature ddb_feature_backups = {.name = "backups", .members = members};
