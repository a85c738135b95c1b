/*
 * server/engine/mutation_after.c: what comes before and after a mutation's commit (mutation.h):
 * --enforce-capacity's check and take (throttle.h), the table's figures (table_stats.h), Contributor
 * Insights' feeds (insights_feed.h), the hot partitions (hot.h), the access-pattern warnings
 * (access_warn.h), the retained history's budget (retention.h) and the images noted for
 * eventually consistent reads (consistency.h); and the write units a mutation consumed.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/faults.h"
#include "server/engine/capacity/access_warn.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/consistency.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/capacity/insights_feed.h"
#include "server/engine/mutation_internal.h"
#include "server/engine/capacity/throttle.h"

/* --enforce-capacity (throttle.h): whether the write is throttled, its error recorded; the throttled
   key counts for Contributor Insights. Only a client's writes are (not TTL's, imports', restores'); a
   transaction's ConditionCheck is one (billed as a write of its item: take_check). */
int ddb_mutation_throttled(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    if (eng->throttle == NULL || !m->request ||
        ddb_throttle_write(eng->throttle, a, m->t, &m->key, &m->out.err) == 0)
        return 0;
    ddb_insights_throttled(eng->insights, m->key.bytes, m->key.len);
    return 1;
}

/* A client's committed write, to the hot-partition model (hot.h): the table's partition (`units`:
   a transaction's twice), and each GSI's partition of the entry its write units went to. */
static void observe(ddb_engine *eng, const ddb_mutation *m, double units)
{
    ddb_hot_observe(eng->hot, m->t, NULL, 1, m->key.bytes, m->key.len, units);
    for (unsigned i = 0; m->out.index_key != NULL && i < m->t->nindexes; i++)
        if (m->out.index_units[i] > 0 && m->t->indexes[i].kind == DDB_IX_GLOBAL)
            ddb_hot_observe(eng->hot, m->t, &m->t->indexes[i], 1, m->out.index_key[i].bytes, m->out.index_key[i].len,
                            m->out.index_units[i]);
}

/* A transaction's ConditionCheck: billed as a write of the item it read, twice (the table's units a
   transaction consumes, DDB_REQUEST_TXN), so --enforce-capacity takes it as one. */
static void take_check(ddb_engine *eng, const ddb_mutation *m)
{
    double units = ddb_mutation_table_units(m) * m->request;

    if (m->out.err.code != DDB_OK || !m->request)
        return;
    ddb_hot_observe(eng->hot, m->t, NULL, 1, m->key.bytes, m->key.len, units);
    ddb_throttle_take(eng->throttle, m->t, 1, units, NULL);
    ddb_throttle_take_partition(eng->throttle, m->t, NULL, 1, m->key.bytes, m->key.len, units);
}

/* After a commit: the table's and its indexes' item counts and sizes move by what it changed
   (table_stats.h), and Contributor Insights sees its keys (insights_feed.h). */
static void count_change(ddb_engine *eng, ddb_arena *a, const ddb_mutation *m)
{
    ddb_keyspace_figures d[DDB_STATS_KEYSPACES];

    if (m->kind == DDB_MUT_CHECK || m->out.err.code != DDB_OK) {
        if (m->kind == DDB_MUT_CHECK)
            take_check(eng, m);
        return;
    }
    ddb_insights_write(eng->insights, a, m->t, &m->key,
                       m->out.has_new ? &m->out.new_item : m->out.had_old ? &m->out.old : NULL,
                       ddb_mutation_table_units(m), m->out.index_units);
    if (m->request) { /* --enforce-capacity: taken as it is consumed, so a batch's later writes see it */
        /* a transaction's table units twice (m->request is DDB_REQUEST_TXN), its indexes' once */
        double units = ddb_mutation_table_units(m) * m->request;
        observe(eng, m, units);
        ddb_throttle_take(eng->throttle, m->t, 1, units, m->out.index_units);
        ddb_throttle_take_partition(eng->throttle, m->t, NULL, 1, m->key.bytes, m->key.len, units);
    }
    if (m->request && m->t->stats != NULL) /* the access-pattern warnings' (access_warn.h) */
        ddb_access_note_write(&m->t->stats->warn, &m->key, m->out.has_new ? &m->out.new_item : NULL, m->out.new_size,
                              m->t->ttl_enabled ? m->t->ttl_attr : NULL);
    d[0].id = m->t->id;
    d[0].items = (long long)m->out.has_new - (long long)m->out.had_old;
    d[0].bytes = (m->out.has_new ? (long long)m->out.new_size : 0) - (m->out.had_old ? (long long)m->out.old_size : 0);
    if (m->out.nix_change > 0)
        memcpy(d + 1, m->out.ix_change, m->out.nix_change * sizeof(d[0]));
    ddb_table_stats_change(m->t->stats, m->out.stats_epoch, d, 1 + m->out.nix_change);
}

/* After a commit: the retained history it wrote counts against the memory budget, and a kind it
   took past its limit wakes the trim (retention.h); stream or Kinesis records wake their followers
   (eng->followed_write), which would otherwise see them at their next poll. */
static void keep(ddb_engine *eng, const ddb_table *t, const ddb_decision *r)
{
    for (int k = 0; k < DDB_RET__COUNT; k++)
        ddb_engine_retain(eng, (ddb_retained_kind)k, r->now.kept[k]);
    if ((r->now.kept[DDB_RET_STREAM] | r->now.kept[DDB_RET_KINESIS]) != 0 && eng->followed_write != NULL)
        eng->followed_write(eng, t);
    if (r->cons != NULL && (r->out->has_new || (r->now.kind == DDB_MUT_DELETE && r->out->had_old)) &&
        !r->out->rep_stale) {
        ddb_crash_point("write-unnoted"); /* committed, not yet in the log: reads may see it already */
        ddb_consist_note(r->cons, t, &r->m->key, r->now.cold, r->now.coldlen, r->now.cnew, r->now.cnewlen);
    }
}


void ddb_mutation_committed(ddb_engine *eng, ddb_arena *a, const ddb_decision *d)
{
    count_change(eng, a, d->m);
    keep(eng, d->m->t, d);
}

double ddb_mutation_table_units(const ddb_mutation *m)
{
    return ddb_write_units(m->out.new_size > m->out.old_size ? m->out.new_size : m->out.old_size);
}

double ddb_mutation_units(const ddb_mutation *m)
{ /* (vector indexes count bytes, not units: their entries in index_units are left out) */
    double total = ddb_mutation_table_units(m);

    for (unsigned i = 0; i < m->t->nindexes; i++)
        total += m->t->indexes[i].kind != DDB_IX_VECTOR ? m->out.index_units[i] : 0;
    return total;
}
