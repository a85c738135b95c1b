/*
 * server/engine/mutation_commit.c: a mutation's commit of its one item (ddb_mutate, mutation.h),
 * run again when a schema change replaced its table's description, and a STRONG global table's,
 * mirrored into every replica in one transaction; and independent mutations' commits made together
 * (ddb_mutate_each: a BatchWriteItem's items).
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/error.h"
#include "server/engine/index.h"
#include "server/engine/mutation_internal.h"
#include "server/engine/table_stats.h"

/*
 * A STRONG global table's change: decided in its own replica, then mirrored into every other one
 * (CREATING included: the fill then finds it there), in one transaction (mutation.h).
 */
static int mutate_strong(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    const ddb_table *t = m->t;
    const ddb_attr *ka = m->keyattrs != NULL ? m->keyattrs : m->item;
    ddb_mutation *ms = DDB_NEW_ARRAY(a, ddb_mutation, t->rep.nreplicas + 1);
    size_t n = 1;
    ddb_error err;
    int rc;

    ms[0] = *m;
    for (unsigned i = 0; i < t->rep.nreplicas && ka != NULL; i++) {
        const ddb_replica *rp = &t->rep.replicas[i];
        const ddb_table *rt;
        const ddb_attr *pk, *sk = NULL;
        ddb_key key;
        if (strcmp(rp->region, t->region) == 0 || rp->state == DDB_REPLICA_DELETING ||
            (rt = ddb_catalog_get(eng->catalog, ddb_replica_key(a, t, rp->region))) == NULL ||
            rt->rep.id == 0)
            continue;
        pk = ddb_item_get(ka, rt->hash_key, strlen(rt->hash_key));
        sk = rt->range_key != NULL ? ddb_item_get(ka, rt->range_key, strlen(rt->range_key)) : NULL;
        if (pk == NULL || (rt->range_key != NULL && sk == NULL))
            continue; /* the key was refused in the source already */
        ddb_key_build(a, eng->store, rt->id, pk, sk, &key);
        ddb_mutation_init(&ms[n], DDB_MUT_DELETE, rt, &key); /* each run writes mirror_take's kind */
        ms[n].keyattrs = m->keyattrs;
        ms[n].origin.replicated = 1;
        ms[n].origin.mirror_of = &ms[0];
        n++;
    }
    rc = ddb_mutate_txn(eng, a, ms, n, NULL, &err);
    *m = ms[0];
    if (rc == DDB_E_TRANSACTION_CANCELED) { /* the source's failure, or else a mirror's */
        for (size_t i = 1; i < n && m->out.err.code == DDB_OK; i++)
            m->out.err = ms[i].out.err;
        return m->out.err.code;
    }
    if (rc != DDB_OK)
        m->out.err = err;
    return rc;
}

static int mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    ddb_decision r;
    int rc;

    /* an injected conflict (a row's draw: mutation.h), as when a transaction holds the item */
    if (m->single_write && ddb_mutation_contended(eng))
        return ddb_decision_fail(&m->out, DDB_E_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
    if (m->t->rep.strong && !m->origin.replicated && m->kind != DDB_MUT_CHECK)
        return mutate_strong(eng, a, m);
    if ((rc = ddb_mutation_admit(eng, a, m)) != 0)
        return rc;
    ddb_decision_begin(&r, eng, a, m);
    for (;;) {
        ddb_store_key keys[2 + DDB_FEATURES_MAX]; /* the item, its collection size, the rows' */
        size_t nkeys = 1;
        const char *msg;
        keys[0] = (ddb_store_key){m->key.bytes, m->key.len, NULL, 0};
        if (m->kind == DDB_MUT_PUT && (msg = ddb_engine_check_item(eng, a, m->t, m->item, 0)) != NULL)
            return ddb_decision_fail(&m->out, DDB_E_VALIDATION, msg);
        if (m->t->collections_id != 0)
            ddb_collection_key(a, m, &keys[nkeys++]);
        nkeys = ddb_decision_keys(&r, a, keys, nkeys);
        rc = ddb_store_commit(eng->store, a, keys, nkeys, ddb_decide_commit, &r);
        if (rc == DDB_DECIDE_REP_STALE)
            return DDB_OK;
        if (rc == DDB_DECIDE_RERUN) {
            const ddb_table *t = ddb_catalog_get(eng->catalog, m->t->key);
            if (t == NULL || t->id != m->t->id)
                return ddb_decision_fail(&m->out, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
            m->t = t;
            continue;
        }
        /* another gateway's commits kept winning (storage.h): DynamoDB's answer when a
           transaction holds the item */
        if (rc == DDB_STORE_ECONFLICT)
            return ddb_decision_fail(&m->out, DDB_E_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
        if (rc < 0)
            return ddb_decision_fail(&m->out, DDB_E_INTERNAL, DDB_MSG_INTERNAL);
        if (rc == 0)
            ddb_mutation_committed(eng, a, &r, 1);
        return m->out.err.code;
    }
}

/* ---- independent mutations committed together (ddb_mutate_each) ---- */

/* Whether m may join other mutations' commit: it is decided and committed as mutate() would, alone
   (not a STRONG table's, which mirrors it in a transaction; not one that moves an item collection's
   size, a key that another item of its partition may share). */
static int joins(const ddb_mutation *m)
{
    return !(m->t->rep.strong && !m->origin.replicated) && m->t->collections_id == 0 &&
           !m->single_write && m->kind != DDB_MUT_CHECK;
}

/*
 * ms[0..n), each joinable, as one ddb_store_commit_each: what each found is its own (m->out), as
 * mutate() leaves it. Returns how many ran, stopping after the first that did not succeed, or 0
 * when ms[0] must run alone (a schema change replaced its table's description).
 */
static size_t mutate_joined(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n)
{
    /* (each run, unit and a unit's keys set before they are read) */
    ddb_decision *runs = DDB_NEW_ARRAY_UNSET(a, ddb_decision, n);
    ddb_store_unit *units = DDB_NEW_ARRAY_UNSET(a, ddb_store_unit, n);
    ddb_store_key *keys = DDB_NEW_ARRAY_UNSET(a, ddb_store_key, (1 + DDB_FEATURES_MAX) * n);
    size_t ran, ok = 0;

    for (size_t i = 0; i < n; i++) {
        ddb_mutation *m = &ms[i];
        ddb_store_key *k = &keys[(1 + DDB_FEATURES_MAX) * i];
        const char *msg;
        if (m->kind == DDB_MUT_PUT && (msg = ddb_engine_check_item(eng, a, m->t, m->item, 0)) != NULL) {
            n = i; /* the ones before it go together; it fails after them (the caller runs it alone) */
            break;
        }
        ddb_decision_begin(&runs[i], eng, a, m);
        k[0] = (ddb_store_key){m->key.bytes, m->key.len, NULL, 0};
        units[i] = (ddb_store_unit){k, ddb_decision_keys(&runs[i], a, k, 1), ddb_decide_commit, &runs[i], 0};
    }
    if (n == 0)
        return 0;
    ran = ddb_store_commit_each(eng->store, a, units, n);
    for (size_t i = 0; i < ran; i++) {
        int rc = units[i].rc;
        if (rc == 0) {
            ok = i + 1;
            continue;
        }
        if (rc == DDB_DECIDE_REP_STALE || rc == DDB_DECIDE_RERUN)
            break; /* (a replica's stale write changed nothing; a replaced description runs alone) */
        if (rc == DDB_STORE_ECONFLICT)
            ddb_decision_fail(&ms[i].out, DDB_E_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
        else if (rc < 0)
            ddb_decision_fail(&ms[i].out, DDB_E_INTERNAL, DDB_MSG_INTERNAL);
    }
    if (ok > 0) /* (a run whose write failed among them is skipped there: its out.err is set) */
        ddb_mutation_committed(eng, a, runs, ok);
    return ran > ok && units[ok].rc == DDB_DECIDE_RERUN ? ok : ran;
}

/* Runs ms[0..n) as ddb_mutate would one after another; those that may, joined in commits (above). */
size_t ddb_mutate_each(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n)
{
    ddb_figures_epoch *e = ddb_catalog_figures(eng->catalog);
    size_t done = 0;
    int admits = ddb_features_mask(&eng->features, DDB_HOOK_ADMIT) != 0;

    while (done < n) {
        size_t k = 0, ran;
        unsigned gen;
        while (!admits && done + k < n && joins(&ms[done + k]))
            k++;
        if (k < 2) { /* one alone, as ddb_mutate runs it */
            if (ddb_mutate(eng, a, &ms[done++]) != DDB_OK)
                return done;
            continue;
        }
        gen = ddb_table_stats_enter(e);
        ran = mutate_joined(eng, a, &ms[done], k);
        ddb_table_stats_leave(e, gen);
        if (ran == 0) { /* the first runs alone */
            if (ddb_mutate(eng, a, &ms[done++]) != DDB_OK)
                return done;
            continue;
        }
        for (size_t i = done; i < done + ran; i++)
            if (ms[i].out.err.code != DDB_OK)
                return done + ran;
        done += ran;
    }
    return done;
}

/* Runs the mutation, bracketed for the item counts' checks (table_stats.h). */
int ddb_mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    ddb_figures_epoch *e = ddb_catalog_figures(eng->catalog);
    unsigned gen = ddb_table_stats_enter(e);
    int rc = mutate(eng, a, m);

    ddb_table_stats_leave(e, gen);
    return rc;
}
