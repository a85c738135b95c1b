/*
 * server/engine/engine.c: what the engine context answers of its store (see engine.h).
 */
#include "server/engine/engine.h"

#include <string.h>

#include "server/base/groupcommit.h"

uint64_t ddb_engine_hash(const ddb_engine *eng, const void *data, size_t len)
{
    return ddb_store_secret_hash(eng->store, data, len);
}

unsigned ddb_engine_nshards(const ddb_engine *eng)
{
    return ddb_store_nshards(eng->store);
}

/* (its address is the state of a row that is always on and has none of its own: feature.h) */
const char ddb_feature_always = 1;

/* Which hooks row has, into has[]. */
static void hooks_of(const ddb_feature *row, int has[DDB_HOOK__COUNT])
{
    const int of[DDB_HOOK__COUNT] = {
        [DDB_HOOK_ADMIT] = row->admit != NULL,         [DDB_HOOK_COMMIT_KEY] = row->commit_key != NULL,
        [DDB_HOOK_PREPARE] = row->prepare != NULL,     [DDB_HOOK_WANTS_OLD] = row->wants_old != NULL,
        [DDB_HOOK_DERIVE] = row->derive != NULL,       [DDB_HOOK_COMMITTED] = row->committed != NULL,
        [DDB_HOOK_CHECK_ITEM] = row->check_item != NULL, [DDB_HOOK_ITEM_SIZE] = row->item_size != NULL,
        [DDB_HOOK_READ] = row->read != NULL,           [DDB_HOOK_RANGE] = row->range != NULL,
        [DDB_HOOK_METRICS] = row->metrics != NULL,
        [DDB_HOOK_CONTENDED] = row->contended != NULL, [DDB_HOOK_TXN_CONTENDED] = row->txn_contended != NULL,
        [DDB_HOOK_REPLICA_ITEM] = row->replica_item != NULL, [DDB_HOOK_REPLICA_RANGE] = row->replica_range != NULL,
        [DDB_HOOK_LIFE] = row->creating != NULL,
    };

    memcpy(has, of, sizeof(of));
}

/* Slot i's bits in the hooks' `on` (feature.h): set after its state (a walk that sees the bit sees
   the state), or cleared. */
static void mark(ddb_features *fs, unsigned i, int on)
{
    int has[DDB_HOOK__COUNT];

    hooks_of(fs->slot[i].row, has);
    for (int h = 0; h < DDB_HOOK__COUNT; h++) {
        if (has[h] && on)
            __atomic_fetch_or(&fs->on[h], 1u << i, __ATOMIC_RELEASE);
        else if (has[h])
            __atomic_fetch_and(&fs->on[h], ~(1u << i), __ATOMIC_RELEASE);
    }
}

int ddb_engine_add_feature(ddb_engine *eng, const ddb_feature *row, void *state)
{
    ddb_features *fs = &eng->features;
    unsigned i = fs->n;
    int has[DDB_HOOK__COUNT];

    if (i >= DDB_FEATURES_MAX)
        return -1;
    hooks_of(row, has);
    fs->slot[i] = (ddb_feature_slot){row, state, i};
    for (int h = 0; h < DDB_HOOK__COUNT; h++)
        if (has[h])
            fs->with[h][fs->nwith[h]++] = (unsigned char)i;
    fs->n++;
    mark(fs, i, state != NULL);
    return 0;
}

void *ddb_engine_feature_after(const ddb_engine *eng, const ddb_feature *row)
{
    for (unsigned i = 2; i < eng->features.n; i++)
        if (eng->features.slot[i].row == row)
            return __atomic_load_n(&eng->features.slot[i].state, __ATOMIC_ACQUIRE); /* (publish_feature) */
    return NULL;
}

void *ddb_engine_set_feature(ddb_engine *eng, const ddb_feature *row, void *state)
{
    for (unsigned i = 0; i < eng->features.n; i++) {
        if (eng->features.slot[i].row == row) {
            void *old = eng->features.slot[i].state;
            eng->features.slot[i].state = state;
            mark(&eng->features, i, state != NULL);
            return old;
        }
    }
    return NULL;
}

void *ddb_engine_publish_feature(ddb_engine *eng, const ddb_feature *row, void *state)
{
    for (unsigned i = 0; i < eng->features.n; i++) {
        if (eng->features.slot[i].row == row) {
            void *none = NULL;
            if (__atomic_compare_exchange_n(&eng->features.slot[i].state, &none, state, 0, __ATOMIC_RELEASE,
                                            __ATOMIC_ACQUIRE)) {
                mark(&eng->features, i, 1);
                return state;
            }
            return none; /* (another caller's, published first) */
        }
    }
    return NULL;
}

void ddb_engine_close_features(ddb_engine *eng)
{
    for (unsigned i = eng->features.n; i-- > 0;) { /* the last opened first */
        ddb_feature_slot *f = &eng->features.slot[i];
        if (f->row->close != NULL && f->state != NULL && f->state != DDB_FEATURE_ALWAYS)
            f->row->close(f->state);
    }
    memset(&eng->features, 0, sizeof(eng->features));
}

void ddb_engine_metrics(ddb_engine *eng, ddb_buf *out)
{
    for (unsigned on = ddb_features_mask(&eng->features, DDB_HOOK_METRICS); on != 0; on &= on - 1) {
        const ddb_feature_slot *f = ddb_features_at(&eng->features, on);
        if (f != NULL)
            f->row->metrics(f, eng, out);
    }
}

void ddb_engine_store_metrics(ddb_engine *eng, ddb_buf *out)
{
    ddb_groupcommit *gc = ddb_store_groupcommit(eng->store);

    ddb_store_metrics_text(eng->store, out);
    if (gc != NULL)
        ddb_buf_printf(out,
                       "# HELP ddbd_log_syncs_total Log syncs of --sync's group commit (each makes a group of "
                       "writes durable).\n# TYPE ddbd_log_syncs_total counter\nddbd_log_syncs_total %llu\n"
                       "# HELP ddbd_durable_writes_total Writes made durable by --sync's group commit.\n"
                       "# TYPE ddbd_durable_writes_total counter\nddbd_durable_writes_total %llu\n",
                       (unsigned long long)ddb_groupcommit_syncs(gc), (unsigned long long)ddb_groupcommit_durable(gc));
}
