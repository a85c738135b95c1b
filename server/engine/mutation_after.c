/*
 * server/engine/mutation_after.c: what comes before and after a mutation's commit (mutation.h):
 * the feature rows' admit before it and their committed after it (feature.h: --enforce-capacity,
 * the hot partitions, Contributor Insights, the access-pattern warnings, the retained history's
 * budget, the vector caches, the changes logged for eventually consistent reads, replication), and
 * the core's own after it: the table's figures (table_stats.h); and the write units a mutation
 * consumed.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/mutation_internal.h"

/* Only a client's writes are admitted (not TTL's, imports', restores', a replica's); a transaction's
   ConditionCheck is one (billed as a write of its item). */
int ddb_mutation_admit(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    int rc;

    if (!m->request)
        return 0;
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_ADMIT); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL && (rc = f->row->admit(f, eng, a, m)) != 0)
            return rc;
    }
    return 0;
}

int ddb_mutation_txn_contended(ddb_engine *eng, unsigned n)
{
    int at;

    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_TXN_CONTENDED); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL && (at = f->row->txn_contended(f, n)) >= 0)
            return at;
    }
    return -1;
}

/* After a commit: the table's and its indexes' item counts and sizes move by what it changed
   (table_stats.h). */
static void count_change(const ddb_decision *r)
{
    const ddb_mutation *m = r->m;
    ddb_keyspace_figures d[DDB_STATS_KEYSPACES];

    if (m->kind == DDB_MUT_CHECK || m->out.err.code != DDB_OK)
        return;
    d[0].id = m->t->id;
    d[0].items = (long long)m->out.has_new - (long long)m->out.had_old;
    d[0].bytes = (m->out.has_new ? (long long)m->out.new_size : 0) - (m->out.had_old ? (long long)m->out.old_size : 0);
    if (r->now.nix_change > 0)
        memcpy(d + 1, r->now.ix_change, r->now.nix_change * sizeof(d[0]));
    ddb_table_stats_change(m->t->stats, m->out.stats_epoch, d, 1 + r->now.nix_change);
}

/* Whether a run of the commit left row f's scratch (feature.h: committed_on_scratch). */
static int scratched(const ddb_feature_slot *f, const ddb_decision *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (runs[i].now.scratch[f->index] != NULL)
            return 1;
    return 0;
}

void ddb_mutation_committed(ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        count_change(&runs[i]);
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_COMMITTED); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL && (!f->row->committed_on_scratch || scratched(f, runs, n)))
            f->row->committed(f, eng, a, runs, n);
    }
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
