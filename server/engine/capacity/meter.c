/*
 * server/engine/capacity/meter.c: a request's consumption, charged once (see meter.h).
 */
#include "server/engine/capacity/meter.h"

#include <string.h>

#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/capacity/insights_feed.h"
#include "server/engine/table_stats.h"
#include "server/engine/capacity/throttle.h"

/* Room for one more element of size `size` in *arr of n (capacity *cap), moved to the arena when
   the meter's inline room is full. */
static void *grow(ddb_arena *a, void *arr, uint32_t n, uint32_t *cap, size_t size)
{
    void *bigger;

    if (n < *cap)
        return arr;
    *cap *= 2;
    bigger = ddb_arena_alloc(a, size * *cap);
    memcpy(bigger, arr, size * n);
    return bigger;
}

static ddb_meter *meter_of(ddb_meter **mp, ddb_arena *a)
{
    ddb_meter *m = *mp;

    if (m == NULL) {
        m = *mp = ddb_arena_alloc(a, sizeof(*m));
        m->used = m->inline_used;
        m->parts = m->inline_parts;
        m->n = m->taken = m->nparts = m->takenparts = 0;
        m->cap = m->capparts = DDB_METER_INLINE;
        m->page_t = NULL;
        m->fresh = m->inline_fresh;
        m->nfresh = 0;
        m->capfresh = 1;
        m->throttle = NULL;
        m->pattern.t = NULL;
    }
    return m;
}

void ddb_meter_add(ddb_meter **mp, ddb_arena *a, ddb_engine *eng, const ddb_consumed *c)
{
    ddb_meter *m = meter_of(mp, a);
    ddb_charge *e;

    m->throttle = ddb_throttle_of(eng);
    m->used = grow(a, m->used, m->n, &m->cap, sizeof(*m->used));
    e = &m->used[m->n++];
    e->t = c->t;
    e->table = c->table;
    e->written = c->written;
    e->refused = c->refused;
    e->index = NULL;
    if (c->t->nindexes > 0) {
        double *index = ddb_arena_alloc(a, sizeof(double) * c->t->nindexes);
        memcpy(index, c->index, sizeof(double) * c->t->nindexes);
        e->index = index;
    }
}

void ddb_meter_add_partition(ddb_meter **mp, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const ddb_index *ix,
                             int write, const char *key, size_t klen, double units)
{
    ddb_meter *m;
    ddb_partition_load *p;
    struct ddb_throttle *th;

    if (key == NULL || klen < DDB_KEY_PARTITION_BYTES)
        return;
    ddb_hot_observe(ddb_hot_of(eng), t, ix, write, key, klen, units); /* always: the hot-partition report (hot.h) */
    if ((th = ddb_throttle_of(eng)) == NULL)
        return; /* only --enforce-capacity's partition buckets take them */
    m = meter_of(mp, a);
    m->throttle = th;
    m->parts = grow(a, m->parts, m->nparts, &m->capparts, sizeof(*m->parts));
    p = &m->parts[m->nparts++];
    p->t = t;
    p->ix = ix;
    p->write = write;
    p->units = units;
    memcpy(p->key, key, DDB_KEY_PARTITION_BYTES);
}

void ddb_meter_note_page(ddb_meter **mp, ddb_arena *a, const ddb_table *t, size_t scanned, size_t returned,
                         int filtered)
{
    ddb_meter *m = meter_of(mp, a);

    m->page_t = t;
    m->scanned = (uint32_t)scanned;
    m->returned = (uint32_t)returned;
    m->filtered = filtered;
}

void ddb_meter_note_read(ddb_meter **mp, ddb_arena *a, const ddb_table *t, const char *key, size_t klen,
                         int consistent)
{
    ddb_meter *m;
    ddb_capacity_table *ct;

    if (consistent || (ct = ddb_capacity_table_of(t)) == NULL || !ddb_access_written_lately(&ct->warn, key, klen))
        return;
    m = meter_of(mp, a);
    if (m->nfresh > 0 && m->fresh[m->nfresh - 1].t == t) {
        m->fresh[m->nfresh - 1].n++;
        return;
    }
    m->fresh = grow(a, m->fresh, m->nfresh, &m->capfresh, sizeof(*m->fresh));
    m->fresh[m->nfresh++] = (ddb_fresh_reads){t, 1};
}

void ddb_meter_note_pattern(ddb_meter **mp, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int keyed,
                            const char *pk, size_t pklen, int skop, const char *sk, size_t sklen)
{
    ddb_meter *m = meter_of(mp, a);

    if (m->pattern.t != NULL)
        return;
    m->pattern = (ddb_pattern_note){.t = t, .ix = ix != NULL ? ix->id : 0, .keyed = (uint8_t)keyed,
                                    .skop = (uint8_t)skop, .pk = pk, .sk = sk,
                                    .pklen = (uint32_t)pklen, .sklen = (uint32_t)sklen};
}

/* The access-pattern warnings' figures of the request (access_warn.h). */
static void charge_warnings(const ddb_meter *m, int op)
{
    ddb_capacity_table *ct;
    ddb_access_warn *w;

    for (uint32_t i = 0; i < m->nfresh; i++)
        if ((ct = ddb_capacity_table_of(m->fresh[i].t)) != NULL)
            ddb_access_add(&ct->warn.fresh_reads, m->fresh[i].n);
    if (m->page_t == NULL || (ct = ddb_capacity_table_of(m->page_t)) == NULL)
        return;
    w = &ct->warn;
    if (op == DDB_OP_Scan)
        ddb_access_add(&w->scans, 1);
    if (m->filtered) {
        ddb_access_add(&w->filtered, 1);
        ddb_access_add(&w->filtered_scanned, m->scanned);
        ddb_access_add(&w->filtered_returned, m->returned);
    }
}

static double units(const ddb_table *t, double table, const double *index)
{
    double total = table;

    for (unsigned i = 0; index != NULL && i < t->nindexes; i++)
        total += t->indexes[i].kind != DDB_IX_VECTOR ? index[i] : 0;
    return total;
}

double ddb_consumed_units(const ddb_consumed *c)
{
    return units(c->t, c->table, c->index);
}

/* Takes what m recorded and did not take yet: a read's units from its table's (and GSIs') read
   buckets, a refused write's from the table's write bucket, and each partition's load; a
   committed write's were taken by the mutation pipeline as it committed. */
static void take_pending(ddb_meter *m)
{
    if (m == NULL || m->throttle == NULL)
        return;
    for (; m->taken < m->n; m->taken++) {
        const ddb_charge *c = &m->used[m->taken];
        if (c->refused)
            ddb_throttle_take(m->throttle, c->t, 1, c->table, NULL);
        else if (c->written == 0)
            ddb_throttle_take(m->throttle, c->t, 0, c->table, c->index);
    }
    for (; m->takenparts < m->nparts; m->takenparts++) {
        const ddb_partition_load *p = &m->parts[m->takenparts];
        ddb_throttle_take_partition(m->throttle, p->t, p->ix, p->write, p->key, sizeof(p->key), p->units);
    }
}

/* ddb_meter_admit_read with --enforce-capacity on (apart: without it, a read saves no registers) */
static __attribute__((noinline)) int admit_read(struct ddb_throttle *th, ddb_meter *m, ddb_arena *a, ddb_engine *eng,
                                                const ddb_table *t, const ddb_index *ix, const char *key,
                                                size_t klen, ddb_error *err)
{
    int code;

    take_pending(m);
    if ((code = ddb_throttle_read(th, a, t, ix, key, klen, err)) != 0 && key != NULL)
        ddb_insights_throttled(ddb_insights_of(eng), key, klen);
    return code;
}

int ddb_meter_admit_read(ddb_meter *m, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const ddb_index *ix,
                         const char *key, size_t klen, ddb_error *err)
{
    struct ddb_throttle *th = ddb_throttle_of(eng);

    return th != NULL ? admit_read(th, m, a, eng, t, ix, key, klen, err) : 0;
}

/* A vector index's bytes: searched (VectorSearchRequestBytes) or written. */
static void charge_vector_bytes(const ddb_charge *c)
{
    double bytes = 0;

    for (unsigned i = 0; i < c->t->nindexes; i++)
        bytes += c->t->indexes[i].kind == DDB_IX_VECTOR ? c->index[i] : 0;
    if (bytes > 0)
        ddb_table_stats_charge_vector(c->t->stats, c->written == 0 ? bytes : 0, c->written != 0 ? bytes : 0);
}

/* The cost report's figures (usage.h): by operation, and each secondary index's part. */
static void charge_usage(const ddb_meter *m, const ddb_charge *c, ddb_capacity_table *ct, int op, double total)
{
    ddb_table_usage *u = &ct->usage;

    ddb_usage_count(&u->op[op], total - c->written, c->written);
    if (c->t->rep.nreplicas > 1 && c->written > 0) { /* a global table's: its other replicas apply plain writes */
        int txn = op == DDB_OP_TransactWriteItems || op == DDB_OP_ExecuteTransaction;
        __atomic_add_fetch(&u->replicated_milli, (uint64_t)((c->written - (txn ? c->table / 2 : 0)) * 1000 + 0.5),
                           __ATOMIC_RELAXED);
    }
    if (total > 0)
        ddb_patterns_add(&ct->patterns, op, m->pattern.t == c->t ? &m->pattern : NULL, total - c->written,
                         c->written);
    if (op == DDB_OP_GetRecords) /* no units: DynamoDB Streams bills the call (a streams read request unit) */
        __atomic_add_fetch(&u->stream_reads, 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; c->index != NULL && i < c->t->nindexes; i++) {
        const ddb_index *ix = &c->t->indexes[i];
        if (ix->kind != DDB_IX_VECTOR && c->index[i] > 0) /* a write's index units are writes */
            ddb_usage_add_index(u, ix->id, c->written > 0 ? 0 : c->index[i], c->written > 0 ? c->index[i] : 0);
    }
}

void ddb_meter_charge(ddb_meter *m, int op, double *read, double *write)
{
    if (m == NULL)
        return;
    for (uint32_t i = 0; i < m->n; i++) {
        const ddb_charge *c = &m->used[i];
        double total = units(c->t, c->table, c->index);
        ddb_capacity_table *ct;
        *read += total - c->written;
        *write += c->written;
        if (c->t->stats == NULL)
            continue;
        ddb_table_stats_charge(c->t->stats, total - c->written, c->written);
        if (op > DDB_OP_NONE && op < DDB_OP__COUNT && (ct = ddb_capacity_table_of(c->t)) != NULL)
            charge_usage(m, c, ct, op, total);
        if (c->t->nvector > 0)
            charge_vector_bytes(c);
    }
    if (m->page_t != NULL || m->nfresh > 0)
        charge_warnings(m, op);
    take_pending(m);
}
