/*
 * server/engine/capacity/capacity_feature.c: the feature rows "capacity" and "throttle" (see
 * capacity_feature.h).
 */
#include "server/engine/capacity/capacity_feature.h"

#include <stdlib.h>

#include "ddb/ddb_status.h"
#include "server/engine/capacity/access_warn.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/capacity/insights.h"
#include "server/engine/capacity/insights_feed.h"
#include "server/engine/capacity/throttle.h"
#include "server/engine/derive.h"
#include "server/engine/mutation.h"

/* ---- capacity: the hot partitions, Contributor Insights, the access-pattern warnings ---- */

ddb_capacity_state *ddb_capacity_state_new(void)
{
    ddb_capacity_state *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->hot = ddb_hot_new();
    c->insights = ddb_insights_new();
    return c;
}

static void capacity_close(void *state)
{
    ddb_capacity_state *c = state;

    ddb_hot_free(c->hot);
    ddb_insights_free(c->insights); /* after the catalog (the engine's rows close after it) */
    free(c);
}

/* A client's committed write, to the hot-partition model (hot.h): the table's partition (`units`:
   a transaction's twice), and each GSI's partition of the entry its write units went to. */
static void observe(struct ddb_hot *hot, const ddb_decision *r, double units)
{
    const ddb_mutation *m = r->m;

    ddb_hot_observe(hot, m->t, NULL, 1, m->key.bytes, m->key.len, units);
    for (unsigned i = 0; r->now.index_key != NULL && i < m->t->nindexes; i++)
        if (m->out.index_units[i] > 0 && m->t->indexes[i].kind == DDB_IX_GLOBAL)
            ddb_hot_observe(hot, m->t, &m->t->indexes[i], 1, r->now.index_key[i].bytes, r->now.index_key[i].len,
                            m->out.index_units[i]);
}

/* After a commit, each of its writes: Contributor Insights sees its keys (insights_feed.h); a
   client's goes to the hot partitions (a transaction's table units twice: m->request is
   DDB_REQUEST_TXN, its indexes' once) and the access-pattern warnings. A transaction's
   ConditionCheck is billed as a write of the item it read. */
static void capacity_committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs,
                               size_t n)
{
    const ddb_capacity_state *c = f->state;

    (void)eng;
    for (size_t i = 0; i < n; i++) {
        const ddb_mutation *m = runs[i].m;
        ddb_capacity_table *ct;
        double units;
        if (m->out.err.code != DDB_OK)
            continue;
        units = ddb_mutation_table_units(m) * m->request;
        if (m->kind == DDB_MUT_CHECK) {
            if (m->request)
                ddb_hot_observe(c->hot, m->t, NULL, 1, m->key.bytes, m->key.len, units);
            continue;
        }
        ddb_insights_write(c->insights, a, m->t, &m->key,
                           m->out.has_new ? &m->out.new_item : m->out.had_old ? &m->out.old : NULL,
                           ddb_mutation_table_units(m), m->out.index_units);
        if (!m->request)
            continue;
        observe(c->hot, &runs[i], units);
        if ((ct = ddb_capacity_table_of(m->t)) != NULL)
            ddb_access_note_write(&ct->warn, &m->key, m->out.has_new ? &m->out.new_item : NULL,
                                  m->out.new_size, m->t->ttl.enabled ? m->t->ttl.attr : NULL);
    }
}

/* (each costs one relaxed load when no table has Contributor Insights enabled) */
static void capacity_read(void *state, const char *key, size_t klen, size_t stored_size)
{
    ddb_insights *ci = ((ddb_capacity_state *)state)->insights;

    if (ddb_insights_on(ci))
        ddb_insights_read(ci, key, klen, stored_size);
}

static void capacity_range(void *state, const char *lo, size_t lolen)
{
    ddb_insights *ci = ((ddb_capacity_state *)state)->insights;

    if (ddb_insights_on(ci))
        ddb_insights_range(ci, lo, lolen);
}

/* its table member: Contributor Insights' states */
static const ddb_table_member *const members[] = {&ddb_member_insights, NULL};

const ddb_feature ddb_feature_capacity = {.name = "capacity", .close = capacity_close, .members = members,
                                          .table_size = sizeof(ddb_capacity_table),
                                          .committed = capacity_committed, .read = capacity_read,
                                          .range = capacity_range};

/* ---- throttle: --enforce-capacity ---- */

static void throttle_close(void *state)
{
    ddb_throttle_free(state);
}

/* Whether the write is throttled, its error recorded; the throttled key counts for Contributor
   Insights. */
static int throttle_admit(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    if (ddb_throttle_write(f->state, a, m->t, &m->key, &m->out.err) == 0)
        return 0;
    ddb_insights_throttled(ddb_insights_of(eng), m->key.bytes, m->key.len);
    return m->out.err.code != DDB_OK ? m->out.err.code : DDB_E_THROUGHPUT_EXCEEDED;
}

/* Taken as it is consumed, so a batch's later writes see it: a client's write's units (a
   transaction's table units twice, its indexes' once; a ConditionCheck's as a write of its item). */
static void throttle_committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs,
                               size_t n)
{
    (void)eng;
    (void)a;
    for (size_t i = 0; i < n; i++) {
        const ddb_mutation *m = runs[i].m;
        double units;
        if (m->out.err.code != DDB_OK || !m->request)
            continue;
        units = ddb_mutation_table_units(m) * m->request;
        ddb_throttle_take(f->state, m->t, 1, units, m->kind == DDB_MUT_CHECK ? NULL : m->out.index_units);
        ddb_throttle_take_partition(f->state, m->t, NULL, 1, m->key.bytes, m->key.len, units);
    }
}

const ddb_feature ddb_feature_throttle = {.name = "throttle", .close = throttle_close, .admit = throttle_admit,
                                          .committed = throttle_committed};
