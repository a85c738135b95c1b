/*
 * server/engine/mutation_txn.c: a transaction's commit (ddb_mutate_txn, mutation.h): every
 * mutation decided in one conditional commit over all their items, the sizes of their item
 * collections and the token's record, so all land or none does.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/base/error.h"
#include "server/base/faults.h"
#include "server/engine/idempotency.h"
#include "server/engine/index.h"
#include "server/engine/mutation_internal.h"
#include "server/engine/table_stats.h"

typedef struct txn {
    ddb_mutation *ms;
    ddb_decision *runs; /* one per mutation */
    size_t n;
    size_t *counter;    /* per mutation: its collection size's index in keys[], or 0 (none) */
    ddb_txn_token *tok; /* NULL: no token */
    ddb_tokens *tokens;
    size_t tok_slot;    /* the token's record's index in keys[] */
    size_t coll_end;    /* keys[n, coll_end) are the collection sizes (then the rows' own keys) */
} txn;

/* The collection sizes of a transaction: each counter moves by all its mutations' changes. */
static int decide_txn_collections(txn *x, ddb_store_key *keys, size_t nkeys, ddb_batch *out)
{
    int failed = 0;

    for (size_t c = x->n; c < x->coll_end && c < nkeys; c++) {
        size_t old = 0, new = 0, last_growing = x->n;
        unsigned long long size;
        for (size_t i = 0; i < x->n; i++) {
            if (x->counter[i] != c)
                continue;
            old += x->runs[i].now.coll_old;
            new += x->runs[i].now.coll_new;
            if (x->runs[i].now.coll_new > x->runs[i].now.coll_old)
                last_growing = i;
        }
        if (ddb_collection_update(x->runs[0].a, &keys[c], old, new, x->runs[0].limit, &size, out) != 0) {
            ddb_collection_full(&x->ms[last_growing < x->n ? last_growing : 0].out);
            failed = 1;
            continue;
        }
        for (size_t i = 0; i < x->n; i++) {
            if (x->counter[i] == c)
                x->ms[i].out.collection_size = size;
        }
    }
    return failed;
}

/* Decides every mutation (each failure stays in its m->out.err), then the collections; all or nothing. */
static int decide_txn(void *ctx, ddb_store_key *keys, size_t nkeys, ddb_batch *out)
{
    txn *x = ctx;
    int failed = 0;

    if (x->tok != NULL) { /* first: the token's record, there once a call with the token committed
                             (before this one, or meanwhile on another gateway: then this decides again) */
        x->tok->found = ddb_token_state_of(keys[x->tok_slot].val, keys[x->tok_slot].vlen, x->tok->digest,
                                           ddb_clock_now_ms());
        if (x->tok->found != DDB_TOKEN_NEW)
            return DDB_DECIDE_TOKEN_FOUND;
    }
    for (size_t i = 0; i < x->n; i++) {
        int rc;
        x->runs[i].keys = keys;
        rc = ddb_decide(&x->runs[i], keys[i].val, keys[i].vlen, out);
        if (rc == DDB_DECIDE_RERUN)
            return rc;
        if (rc != 0 && x->ms[i].out.err.code == DDB_E_INTERNAL)
            return DDB_E_INTERNAL;
        failed |= rc != 0;
    }
    if (failed)
        return DDB_DECIDE_CANCELED;
    if (decide_txn_collections(x, keys, nkeys, out) != 0)
        return DDB_DECIDE_CANCELED;
    ddb_crash_point("transact-before-commit");
    if (x->tok != NULL) { /* its life counts from the commit, read after everything that may hold it */
        x->tok->commit_ms = ddb_clock_now_ms();
        ddb_token_record(x->tokens, out, x->runs[0].a, x->tok->token, x->tok->digest, x->tok->commit_ms,
                         x->tok->commit_ms + x->tok->hold_ms);
    }
    return 0;
}

/* The distinct collection-size keys of the mutations, after their item keys in keys[]. */
static size_t txn_keys(ddb_arena *a, txn *x, ddb_store_key *keys)
{
    size_t nkeys = x->n;

    for (size_t i = 0; i < x->n; i++) {
        ddb_mutation *m = &x->ms[i];
        ddb_store_key ck;
        keys[i] = (ddb_store_key){m->key.bytes, m->key.len, NULL, 0};
        x->counter[i] = 0;
        if (m->t->collections_id == 0 || m->kind == DDB_MUT_CHECK)
            continue;
        ddb_collection_key(a, m, &ck);
        for (size_t c = x->n; c < nkeys && x->counter[i] == 0; c++) {
            if (keys[c].klen == ck.klen && memcmp(keys[c].key, ck.key, ck.klen) == 0)
                x->counter[i] = c;
        }
        if (x->counter[i] == 0) {
            x->counter[i] = nkeys;
            keys[nkeys++] = ck;
        }
    }
    x->coll_end = nkeys;
    for (size_t i = 0; i < x->n; i++) /* the rows' own (a global table's: each item's write time) */
        nkeys = ddb_decision_keys(&x->runs[i], a, keys, nkeys);
    return nkeys;
}

/* After a schema change: every mutation against its table's live description, or ResourceNotFound. */
static int txn_refresh_tables(ddb_engine *eng, txn *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const ddb_table *t = ddb_catalog_get(eng->catalog, x->ms[i].t->key);
        if (t == NULL || t->id != x->ms[i].t->id)
            return DDB_E_RESOURCE_NOT_FOUND;
        x->ms[i].t = t;
    }
    return DDB_OK;
}

static int txn_fail(ddb_error *err, int code, const char *msg)
{
    err->code = code;
    err->msg = msg;
    return code;
}

/* Another gateway's commits kept winning on the transaction's items (storage.h): cancelled with
   TransactionConflict on every action, as the store does not say which item it lost on. */
static int txn_conflict(ddb_mutation *ms, size_t n, ddb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        ms[i].out.err.code = DDB_E_TRANSACTION_CONFLICT;
        ms[i].out.err.msg = "Transaction is ongoing for the item";
    }
    return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
}

static int mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err)
{
    txn x = {ms, DDB_NEW_ARRAY(a, ddb_decision, n), n, DDB_NEW_ARRAY(a, size_t, n), tok, eng->tokens, 0, 0};
    /* the items, their collection sizes, the rows' own keys, the token's */
    ddb_store_key *keys = DDB_NEW_ARRAY(a, ddb_store_key, (2 + DDB_FEATURES_MAX) * n + 1);

    memset(err, 0, sizeof(*err));
    if (tok != NULL)
        tok->found = DDB_TOKEN_NEW;
    for (size_t i = 0; i < n; i++)
        if (ddb_mutation_admit(eng, a, &ms[i]) != 0)
            return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
    for (size_t i = 0; i < n; i++)
        ddb_decision_begin(&x.runs[i], eng, a, &ms[i]);
    for (;;) {
        size_t nkeys;
        int rc;
        /* a Put's index key types, against the description it runs under (as ddb_mutate does) */
        for (size_t i = 0; i < n; i++) {
            const char *msg;
            if (ms[i].kind == DDB_MUT_PUT && (msg = ddb_engine_check_item(eng, a, ms[i].t, ms[i].item, 0)) != NULL) {
                ddb_decision_fail(&ms[i].out, DDB_E_VALIDATION, msg);
                return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
            }
        }
        nkeys = txn_keys(a, &x, keys);
        if (tok != NULL) {
            x.tok_slot = nkeys;
            ddb_token_key(a, tok->token, &keys[nkeys++]);
        }
        rc = ddb_store_commit(eng->store, a, keys, nkeys, decide_txn, &x);
        if (rc == DDB_DECIDE_TOKEN_FOUND) /* applied nothing: the caller answers from tok->found */
            return DDB_OK;
        if (rc == DDB_DECIDE_RERUN) {
            if (txn_refresh_tables(eng, &x) != DDB_OK)
                return txn_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
            continue;
        }
        if (rc == DDB_DECIDE_CANCELED)
            return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
        if (rc == DDB_STORE_ECONFLICT)
            return txn_conflict(ms, n, err);
        if (rc != 0)
            return txn_fail(err, DDB_E_INTERNAL, DDB_MSG_INTERNAL);
        ddb_mutation_committed(eng, a, x.runs, n);
        return DDB_OK;
    }
}

int ddb_mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err)
{
    ddb_figures_epoch *e = ddb_catalog_figures(eng->catalog);
    unsigned gen = ddb_table_stats_enter(e);
    int rc = mutate_txn(eng, a, ms, n, tok, err);

    ddb_table_stats_leave(e, gen);
    return rc;
}
