/*
 * server/engine/jobs/table_counts.c: first counts and periodic checks of the kept item counts
 * (see table_counts.h).
 */
#include "server/engine/jobs/table_counts.h"

#include <stdlib.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/table_stats.h"

/* Counts the tables whose figures are not known (all of them with `all`); returns how many. */
static int count_tables(ddb_engine *eng, int all, int (*stopping)(void *sctx), void *sctx)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;
    int counted = 0;

    if (ddb_store_shared(eng->store))
        return 0;
    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < n && (stopping == NULL || !stopping(sctx)); i++) {
        ddb_table_stats *s = tables[i]->stats;
        if (s == NULL || (!all && ddb_table_stats_known(s, tables[i])))
            continue;
        if ((all ? ddb_table_stats_check(s, eng->store, tables[i])
                 : ddb_table_stats_learn(s, eng->store, tables[i])) != DDB_STORE_OK)
            ddb_log(DDB_LOG_WARN, "table %s: its items could not be counted (tried again later)", tables[i]->name);
        else if (!all)
            counted++; /* a failed count is not work done: the worker would turn at once again */
    }
    ddb_arena_free(&a);
    return counted;
}

static int work(ddb_engine *eng, void *state, int (*stopping)(void *sctx), void *sctx)
{
    (void)state;
    return count_tables(eng, 0, stopping, sctx);
}

static void *start(ddb_engine *eng)
{
    uint64_t *due = malloc(sizeof(*due));

    if (due == NULL)
        abort();
    /* due by the monotonic clock, the interval's own (the worker also sweeps at start, and whenever
       the admin clock moves, when nothing has had time to drift) */
    *due = ddb_clock_mono_ms() + (uint64_t)eng->settings.count_check_interval * 1000;
    return due;
}

static void stop(ddb_engine *eng, void *state)
{
    (void)eng;
    free(state);
}

static void sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    uint64_t *due = state, now = ddb_clock_mono_ms();

    (void)now_ms;
    if (now < *due)
        return;
    *due = now + (uint64_t)eng->settings.count_check_interval * 1000;
    count_tables(eng, 1, NULL, NULL);
}

static uint64_t interval(ddb_engine *eng)
{
    return (uint64_t)eng->settings.count_check_interval * 1000;
}

const ddb_job ddb_job_table_counts = {
    .name = "table counts", .start = start, .stop = stop, .work = work, .sweep = sweep, .interval = interval};
