/*
 * server/engine/table_stats.c: per-table items, bytes and consumed capacity (see table_stats.h).
 */
#include "server/engine/table_stats.h"

#include <stdlib.h>

#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"

ddb_table_stats *ddb_table_stats_new(int known)
{
    ddb_table_stats *s = calloc(1, sizeof(*s));

    if (s == NULL)
        abort();
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->counting, NULL);
    s->known = known;
    return s;
}

void ddb_table_stats_free(ddb_table_stats *s)
{
    if (s == NULL)
        return;
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->counting);
    free(s);
}

void ddb_table_stats_change(ddb_table_stats *s, uint64_t epoch, long long items, long long bytes)
{
    if (s == NULL || (items == 0 && bytes == 0))
        return;
    pthread_mutex_lock(&s->lock);
    if (epoch == s->epoch) { /* else decided before a count's snapshot, which holds it already */
        s->items += items;
        s->bytes += bytes;
    }
    pthread_mutex_unlock(&s->lock);
}

void ddb_table_stats_charge(ddb_table_stats *s, double read_units, double write_units)
{
    if (s == NULL)
        return;
    /* units are multiples of 0.5: thousandths keep them exact in an integer counter */
    if (read_units > 0)
        __atomic_add_fetch(&s->read_milli, (uint64_t)(read_units * 1000 + 0.5), __ATOMIC_RELAXED);
    if (write_units > 0)
        __atomic_add_fetch(&s->write_milli, (uint64_t)(write_units * 1000 + 0.5), __ATOMIC_RELAXED);
}

int ddb_keyspace_count(ddb_store *store, const ddb_store_snapshot *snap, uint32_t id, unsigned long long *items,
                       unsigned long long *bytes)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    int rc;

    *items = *bytes = 0;
    ddb_key_table_range(id, lo, hi);
    it = ddb_store_iter_open_at(store, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        (*items)++;
        *bytes += ddb_item_stored_size(v, vlen);
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

typedef struct begin_ctx {
    ddb_table_stats *s;
    ddb_store *store;
    ddb_store_snapshot *snap;
} begin_ctx;

/* With no commit between its decision and its write: a new epoch, and the snapshot it stands for. */
static void begin_count(void *ctx)
{
    begin_ctx *b = ctx;

    pthread_mutex_lock(&b->s->lock);
    __atomic_store_n(&b->s->epoch, b->s->epoch + 1, __ATOMIC_RELEASE);
    b->s->items = b->s->bytes = 0;
    pthread_mutex_unlock(&b->s->lock);
    b->snap = ddb_store_snapshot_take_light(b->store);
}

static int count(ddb_table_stats *s, ddb_store *store, uint32_t table_id)
{
    begin_ctx b = {s, store, NULL};
    unsigned long long items, bytes;
    int rc;

    ddb_store_exclusive(store, begin_count, &b);
    rc = ddb_keyspace_count(store, b.snap, table_id, &items, &bytes);
    ddb_store_snapshot_release(store, b.snap);
    if (rc != DDB_STORE_OK)
        return rc; /* still unknown: the next scrape tries again */
    pthread_mutex_lock(&s->lock);
    s->items += (long long)items;
    s->bytes += (long long)bytes;
    s->known = 1;
    pthread_mutex_unlock(&s->lock);
    return DDB_STORE_OK;
}

int ddb_table_stats_read(ddb_table_stats *s, ddb_store *store, uint32_t table_id, ddb_table_figures *out)
{
    int known, rc = DDB_STORE_OK;

    pthread_mutex_lock(&s->lock);
    known = s->known;
    pthread_mutex_unlock(&s->lock);
    if (!known) {
        pthread_mutex_lock(&s->counting);
        pthread_mutex_lock(&s->lock);
        known = s->known; /* a concurrent scrape may have counted meanwhile */
        pthread_mutex_unlock(&s->lock);
        if (!known)
            rc = count(s, store, table_id);
        pthread_mutex_unlock(&s->counting);
    }
    pthread_mutex_lock(&s->lock);
    out->items = s->items;
    out->bytes = s->bytes;
    pthread_mutex_unlock(&s->lock);
    out->read_units = (double)__atomic_load_n(&s->read_milli, __ATOMIC_RELAXED) / 1000;
    out->write_units = (double)__atomic_load_n(&s->write_milli, __ATOMIC_RELAXED) / 1000;
    return rc;
}
