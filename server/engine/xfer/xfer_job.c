/*
 * server/engine/xfer/xfer_job.c: exports, imports and bulk puts run on the background worker (see xfer_job.h).
 */
#include "server/engine/xfer/xfer_job.h"

#include <string.h>

#include "server/engine/xfer/xfer.h"

static int run_export(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    return ddb_export_run(eng, id, rec, stop, ctx);
}

static int run_import(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    ddb_import_run(eng, id, rec, stop, ctx);
    return 1;
}

static int run_bulk(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    ddb_bulk_run(eng, id, rec, stop, ctx);
    return 1;
}

/* The kinds of background transfer, in the order the worker runs them: each its records' prefix, the
   member holding their status, and what runs one (1 when it ran: an export may wait for its base). */
static const struct xfer_kind {
    const char *prefix, *status_member;
    int (*run)(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx);
} kinds[] = {
    {DDB_EXPORT_PREFIX, "ExportStatus", run_export},
    {DDB_IMPORT_PREFIX, "ImportStatus", run_import},
    {DDB_BULK_PREFIX, "BulkOperationStatus", run_bulk},
};

/* Runs every record of one kind that is IN_PROGRESS (or CANCELLING); returns how many ran. */
static int run_kind(ddb_engine *eng, const struct xfer_kind *k, ddb_xfer_stop stop, void *ctx)
{
    ddb_arena a;
    const char **ids;
    size_t n;
    int ran = 0;

    ddb_arena_init(&a);
    n = ddb_xfer_ids(eng->store, &a, k->prefix, &ids);
    for (size_t i = 0; i < n && !stop(ctx); i++) {
        const ddb_json *rec = ddb_xfer_load(eng->store, &a, k->prefix, ids[i]);
        const char *st = ddb_json_get_str(rec, k->status_member);
        if (st != NULL && (strcmp(st, "IN_PROGRESS") == 0 || strcmp(st, "CANCELLING") == 0))
            ran += k->run(eng, ids[i], rec, stop, ctx);
    }
    ddb_arena_free(&a);
    return ran;
}

/* The worker's turn: runs every IN_PROGRESS export, import and bulk put (CANCELLING too); returns how many ran. */
static int work(ddb_engine *eng, void *state, int (*stop)(void *), void *ctx)
{
    int ran = 0;

    (void)state;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        ran += run_kind(eng, &kinds[k], stop, ctx);
    return ran;
}

const ddb_job ddb_job_xfer = {.name = "exports and imports", .work = work};
