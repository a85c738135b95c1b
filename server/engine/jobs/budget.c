/*
 * server/engine/jobs/budget.c: the memory budget's trims (see budget.h).
 */
#include "server/engine/jobs/budget.h"

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/idempotency.h"
#include "server/engine/jobs/expiry.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/jobs/streams_trim.h"
#include "server/engine/history/kinesis_log.h"
#include "server/engine/history/retention.h"
#include "server/engine/history/streams.h"

static uint64_t trim_tokens(ddb_engine *eng, uint64_t want)
{
    uint64_t freed = 0;

    if (ddb_tokens_expire(eng->tokens, eng->store, ddb_clock_now_ms(), want, &freed) < 0)
        return 0;
    /* short of what was asked with every record deleted: the count was off; nothing is left */
    ddb_retention_sub(ddb_retention_of(eng), DDB_RET_TOKENS,
                      freed < want ? ddb_retention_used(ddb_retention_of(eng), DDB_RET_TOKENS) : freed);
    return freed;
}

int ddb_budget_trim(ddb_engine *eng)
{
    ddb_retention *r = ddb_retention_of(eng);
    int trimmed = 0;

    for (int k = 0; k < DDB_RET__COUNT; k++) {
        uint64_t want = ddb_retention_excess(r, (ddb_retained_kind)k), got = 0;
        if (want == 0)
            continue;
        switch ((ddb_retained_kind)k) {
        case DDB_RET_STREAM:
            got = ddb_streams_trim_oldest(eng, want);
            break;
        case DDB_RET_PITR:
            got = ddb_pitr_trim_oldest(eng, want);
            break;
        case DDB_RET_TOKENS:
            got = trim_tokens(eng, want);
            break;
        case DDB_RET_KINESIS: /* the Kinesis destinations' worker trims its logs (kinesis.h) */
            continue;
        case DDB_RET__COUNT:
            break;
        }
        ddb_log(DDB_LOG_DEBUG, "memory budget: %s over its limit of %llu bytes: %llu bytes of the oldest trimmed",
                ddb_retained_kind_name((ddb_retained_kind)k),
                (unsigned long long)ddb_retention_limit(r, (ddb_retained_kind)k), (unsigned long long)got);
        trimmed += got > 0;
    }
    return trimmed;
}

void ddb_budget_recount(ddb_engine *eng)
{
    ddb_arena a;
    ddb_stream_info *infos;
    const ddb_table **tables;
    uint64_t bytes = 0;
    long n;
    size_t nt;

    if (ddb_retention_of(eng) == NULL)
        return;
    ddb_retention_reset(ddb_retention_of(eng));
    ddb_arena_init(&a);
    n = ddb_stream_info_list(eng->store, &a, &infos);
    for (long i = 0; i < n; i++)
        bytes += ddb_retention_count_seq(eng->store, infos[i].id);
    ddb_retention_add(ddb_retention_of(eng), DDB_RET_STREAM, bytes);
    bytes = 0;
    nt = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < nt; i++)
        bytes += tables[i]->pitr.log != 0 ? ddb_retention_count_seq(eng->store, tables[i]->pitr.log) : 0;
    ddb_retention_add(ddb_retention_of(eng), DDB_RET_PITR, bytes);
    bytes = 0;
    for (size_t i = 0; i < nt; i++) {
        ddb_kds_dest *d;
        size_t nd = ddb_table_kinesis(tables[i], &a, 0, &d);
        for (size_t j = 0; j < nd; j++)
            bytes += d[j].log != 0 ? ddb_retention_count_seq(eng->store, d[j].log) : 0;
    }
    ddb_retention_add(ddb_retention_of(eng), DDB_RET_KINESIS, bytes);
    ddb_retention_add(ddb_retention_of(eng), DDB_RET_TOKENS, ddb_tokens_bytes(eng->store));
    ddb_arena_free(&a);
}

/* Woken by a commit past a limit (retention.h). A turn that trimmed runs again at once: the commits
   of meanwhile may have taken the kind past its limit again without waking it. */
static int work(ddb_engine *eng, void *state, int (*stopping)(void *sctx), void *sctx)
{
    (void)state;
    (void)stopping;
    (void)sctx;
    return ddb_retention_of(eng) != NULL ? ddb_budget_trim(eng) : 0;
}

static void sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    (void)state;
    (void)now_ms;
    if (ddb_retention_of(eng) != NULL)
        ddb_budget_trim(eng);
}

/* Every second while a kind is still over its limit (a trim could not free enough yet: a history
   whose base is still being copied), else with the other sweeps. */
static uint64_t interval(ddb_engine *eng)
{
    for (int k = 0; k < DDB_RET__COUNT; k++) {
        if (k != DDB_RET_KINESIS && ddb_retention_excess(ddb_retention_of(eng), (ddb_retained_kind)k) > 0)
            return 1000;
    }
    return ddb_expiry_interval(eng);
}

const ddb_job ddb_job_budget = {.name = "memory budget", .work = work, .sweep = sweep, .interval = interval};
