/*
 * server/engine/jobs/indexes.c: indexes built and removed on the background worker (see indexes.h).
 */
#include "server/engine/jobs/indexes.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "server/engine/vector/vector_feature.h"

#define BACKFILL_BATCH 256

typedef struct index_change {
    ddb_engine *eng;
    ddb_arena *a;
    uint32_t table_id;
    uint32_t id;
    int drop; /* remove the index from the description, else it turns ACTIVE */
} index_change;

static int change_edit(void *ctx, ddb_desc_edit **e)
{
    const index_change *c = ctx;
    const ddb_table *t = ddb_catalog_get_by_id(c->eng->catalog, c->table_id);
    const ddb_index *ix = NULL;

    if (t == NULL)
        return 1; /* the table was deleted: its purge takes the index too */
    for (unsigned i = 0; i < t->nindexes && ix == NULL; i++)
        if (t->indexes[i].id == c->id)
            ix = &t->indexes[i];
    *e = ddb_desc_edit_of(c->a, t);
    if (ix != NULL && c->drop)
        ddb_edit_drop_index(*e, ix);
    else if (ix != NULL && ix->state == DDB_IX_CREATING) /* not one a Delete turned DELETING after the build's end */
        ddb_edit_index_state(*e, ix, DDB_IX_ACTIVE, 0);
    /* either way, the definitions no key uses go (as DynamoDB leaves them after an index goes) */
    ddb_edit_prune_definitions(*e);
    return 0;
}

/* Applies the change to the live description (compare-and-swap, recomputed when another change won). */
static void change_index(ddb_engine *eng, uint32_t table_id, uint32_t index_id, int drop)
{
    ddb_arena a;
    index_change c = {eng, &a, table_id, index_id, drop};

    ddb_arena_init(&a);
    ddb_catalog_edit(eng->catalog, 0, change_edit, &c, NULL);
    ddb_arena_free(&a);
}

/* Drops the backfill cursor of index `index_id`, if it has one. */
static void drop_cursor_of(ddb_engine *eng, ddb_arena *a, uint32_t index_id)
{
    ddb_batch batch;
    char *key = ddb_arena_sprintf(a, DDB_BACKFILL_PREFIX "%010u", index_id);

    ddb_batch_init(&batch, a);
    ddb_batch_meta_delete(&batch, key, strlen(key));
    ddb_store_write(eng->store, &batch);
}

/* ---- index purge ---- */

static void purge_index(ddb_engine *eng, const ddb_table *t, const ddb_index *ix)
{
    uint32_t table_id = t->id, index_id = ix->id;
    ddb_arena a;

    ddb_store_barrier(eng->store); /* writes that still maintained it are done */
    if (ddb_purge_keyspace(eng->store, ix->id) != 0) {
        ddb_log(DDB_LOG_ERROR, "tasks: purge of index %s failed", ix->name);
        return;
    }
    /* an index deleted while it was built: a cursor the build left when it stopped (a stop of the
       server before it saw the Delete) would outlive it */
    ddb_arena_init(&a);
    drop_cursor_of(eng, &a, index_id);
    ddb_arena_free(&a);
    ddb_log(DDB_LOG_INFO, "tasks: index %s of table %s deleted", ix->name, t->name);
    ddb_vector_cache_drop(ddb_vector_cache_of(eng), index_id);
    change_index(eng, table_id, index_id, 1);
}

/* ---- backfill ---- */

typedef struct backfill {
    ddb_engine *eng;
    uint32_t table_id, index_id;
    const ddb_table *t;   /* the live description, refreshed when replaced */
    const ddb_index *ix;
    const ddb_store *store;
    ddb_arena *a;
    ddb_key base;
    int gone;             /* the table or the index went away: stop */
    size_t indexed, seen;
} backfill;

/* Refreshes t/ix from the catalog; 0, or -1 when the index no longer needs a backfill. */
static int refresh(backfill *b)
{
    b->t = ddb_catalog_get_by_id(b->eng->catalog, b->table_id);
    b->ix = NULL;
    for (unsigned i = 0; b->t != NULL && i < b->t->nindexes; i++) {
        if (b->t->indexes[i].id == b->index_id)
            b->ix = &b->t->indexes[i];
    }
    b->gone = b->ix == NULL || !b->ix->backfilling || b->ix->state != DDB_IX_CREATING;
    return b->gone ? -1 : 0;
}

#define RERUN 1000

/* Under the item's lock: the item as it is now goes into the index (a write after this maintains it). */
static int backfill_decide(void *ctx, const char *val, size_t vlen, ddb_batch *out)
{
    backfill *b = ctx;
    ddb_attr item;
    double units;

    if (ddb_table_retired(b->t))
        return RERUN;
    if (val == NULL)
        return 0; /* deleted since the scan saw it */
    if (ddb_item_decode(b->a, val, vlen, &item) != 0)
        return 0;
    /* (a vector index is a kind of index its own feature derives: vector_feature.h) */
    if (b->ix->kind == DDB_IX_VECTOR)
        units = ddb_vector_derive_entry(b->a, b->store, b->t, b->ix, &b->base, NULL, &item, out);
    else
        units = ddb_mutation_derive_index(b->a, b->store, b->t, b->ix, &b->base, NULL, &item, out, NULL, NULL, NULL);
    if (units > 0)
        b->indexed++;
    return 0;
}

static int backfill_key(backfill *b, const char *k, size_t klen)
{
    ddb_key_from_stored(k, klen, &b->base);
    for (;;) {
        int rc = ddb_store_rmw(b->eng->store, b->a, k, klen, backfill_decide, b);
        if (rc != RERUN)
            return rc;
        if (refresh(b) != 0)
            return 0;
    }
}

/* The cursor: the last table key indexed (keys are read in order, wherever they are placed). */
static void save_cursor(backfill *b, const char *k, size_t klen)
{
    ddb_store_meta_set(b->eng->store, b->a, ddb_arena_sprintf(b->a, DDB_BACKFILL_PREFIX "%010u", b->index_id), k, klen);
}

/* Reads the cursor into *k (NULL: from the start). */
static void load_cursor(backfill *b, char **k, size_t *klen)
{
    char *key = ddb_arena_sprintf(b->a, DDB_BACKFILL_PREFIX "%010u", b->index_id);

    if (ddb_store_meta_get(b->eng->store, b->a, key, strlen(key), k, klen) != 0 || *k == NULL) {
        *k = NULL;
        *klen = 0;
    }
}

static void drop_cursor(backfill *b)
{
    drop_cursor_of(b->eng, b->a, b->index_id);
}

/* One batch of the table's keys after `after`; returns how many were read (0: done), -1 on error. */
static long backfill_batch(backfill *b, char **after, size_t *afterlen)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    char *keys[BACKFILL_BATCH];
    size_t lens[BACKFILL_BATCH];
    long n = 0;
    int status;

    ddb_key_table_range(b->table_id, lo, hi);
    it = ddb_store_iter_open(b->eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, *after, *afterlen); ddb_store_iter_valid(it) && n < BACKFILL_BATCH;
         ddb_store_iter_next(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (*after != NULL && klen == *afterlen && memcmp(k, *after, klen) == 0)
            continue;
        keys[n] = ddb_arena_memdup(b->a, k, klen);
        lens[n++] = klen;
    }
    status = ddb_store_iter_valid(it) ? DDB_STORE_OK : ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    if (status != DDB_STORE_OK)
        return -1;
    for (long i = 0; i < n && !b->gone; i++) {
        if (backfill_key(b, keys[i], lens[i]) < 0)
            return -1;
        b->seen++;
    }
    if (n > 0) {
        *after = keys[n - 1];
        *afterlen = lens[n - 1];
    }
    return n;
}

static void log_progress(backfill *b, const char *k, size_t klen, int *last_pct)
{
    /* keys are read in partition-hash order: the hash tells how far */
    int pct = klen >= 12 ? (int)(100.0 * ((double)ddb_key_part_hash(k, klen) / 18446744073709551616.0)) : 0;

    if (pct / 10 > *last_pct / 10) {
        ddb_log(DDB_LOG_INFO, "tasks: backfilling index %s of table %s: %d%% (%zu items read, %zu indexed)",
                b->ix->name, b->t->name, pct, b->seen, b->indexed);
        *last_pct = pct;
    }
}

static void run_backfill(ddb_engine *eng, const ddb_table *t, const ddb_index *ix, int (*stopping)(void *), void *sctx)
{
    ddb_arena a;
    backfill b = {eng, t->id, ix->id, t, ix, eng->store, &a};
    char *after;
    size_t afterlen;
    int last_pct = 0;

    ddb_arena_init(&a);
    ddb_log(DDB_LOG_INFO, "tasks: backfilling index %s of table %s", ix->name, t->name);
    /* writes decided under the description without this index are done before the first read */
    ddb_store_barrier(eng->store);
    load_cursor(&b, &after, &afterlen);
    while (!b.gone) {
        long n;
        if (stopping(sctx)) {
            ddb_arena_free(&a);
            return; /* the cursor resumes it at the next start */
        }
        ddb_crash_point("index-backfill-batch");
        if ((n = backfill_batch(&b, &after, &afterlen)) < 0) {
            ddb_log(DDB_LOG_ERROR, "tasks: backfill of index %s stopped by a storage error; retried at the next start",
                    ix->name);
            ddb_arena_free(&a);
            return;
        }
        if (n == 0 || b.gone) /* done, or the table or the index went away (b.t, b.ix are NULL) */
            break;
        save_cursor(&b, after, afterlen);
        /* a short batch was the table's last: its last key's hash says nothing of how far the
           build is (2 items showed "48%"), and the ACTIVE line follows at once */
        if (n == BACKFILL_BATCH)
            log_progress(&b, after, afterlen, &last_pct);
        ddb_arena_reset(&a);
        /* the saved key lives in the arena just reset: read it back from the cursor */
        load_cursor(&b, &after, &afterlen);
    }
    /* the cursor goes first: once the index is ACTIVE nothing is left of its backfill (a crash in
       between only makes the next start build the index again from the beginning) */
    drop_cursor(&b);
    if (!b.gone) {
        change_index(eng, t->id, ix->id, 0);
        ddb_log(DDB_LOG_INFO, "tasks: index %s of table %s is ACTIVE (%zu items read, %zu indexed)", b.ix->name,
                b.t->name, b.seen, b.indexed);
    }
    ddb_arena_free(&a);
}

/* ---- the job ---- */

/* Finds one index needing work and does it; returns 1 if it did something. */
static int run_index_work(ddb_engine *eng, void *state, int (*stopping)(void *), void *sctx)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;
    int did = 0;

    ddb_arena_init(&a);
    (void)state;
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < n && !did && !stopping(sctx); i++) {
        for (unsigned k = 0; k < tables[i]->nindexes && !did; k++) {
            const ddb_index *ix = &tables[i]->indexes[k];
            if (ix->state == DDB_IX_DELETING) {
                purge_index(eng, tables[i], ix);
                did = 1;
            } else if (ix->state == DDB_IX_CREATING && ix->backfilling) {
                run_backfill(eng, tables[i], ix, stopping, sctx);
                did = 1;
            }
        }
    }
    ddb_arena_free(&a);
    return did;
}

const ddb_job ddb_job_indexes = {.name = "indexes", .work = run_index_work};
