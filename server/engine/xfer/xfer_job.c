/*
 * server/engine/xfer/xfer_job.c: exports, imports and bulk puts run on the background worker (see xfer_job.h).
 */
#include "server/engine/xfer/xfer_job.h"

#include <string.h>

#include "server/engine/xfer/xfer.h"

static int run_prefix(ddb_engine *eng, const char *prefix, const char *status_member, ddb_xfer_stop stop, void *ctx)
{
    ddb_arena a;
    const char **ids;
    size_t n;
    int ran = 0;

    ddb_arena_init(&a);
    n = ddb_xfer_ids(eng->store, &a, prefix, &ids);
    for (size_t i = 0; i < n && !stop(ctx); i++) {
        const ddb_json *rec = ddb_xfer_load(eng->store, &a, prefix, ids[i]);
        const char *st = ddb_json_get_str(rec, status_member);
        if (st == NULL || (strcmp(st, "IN_PROGRESS") != 0 && strcmp(st, "CANCELLING") != 0))
            continue;
        if (prefix[0] == 'b') {
            ddb_bulk_run(eng, ids[i], rec, stop, ctx);
            ran++;
        } else if (prefix[0] == 'e') {
            ran += ddb_export_run(eng, ids[i], rec, stop, ctx);
        } else {
            ddb_import_run(eng, ids[i], rec, stop, ctx);
            ran++;
        }
    }
    ddb_arena_free(&a);
    return ran;
}

/* The worker's turn: runs every IN_PROGRESS export, import and bulk put (CANCELLING too); returns how many ran. */
static int work(ddb_engine *eng, void *state, int (*stop)(void *), void *ctx)
{
    (void)state;
    return run_prefix(eng, DDB_EXPORT_PREFIX, "ExportStatus", stop, ctx) +
           run_prefix(eng, DDB_IMPORT_PREFIX, "ImportStatus", stop, ctx) +
           run_prefix(eng, DDB_BULK_PREFIX, "BulkOperationStatus", stop, ctx);
}

const ddb_job ddb_job_xfer = {.name = "exports and imports", .work = work};
