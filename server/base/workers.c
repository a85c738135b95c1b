/*
 * server/base/workers.c: the background workers' list, started and stopped in order (workers.h).
 */
#include "server/base/workers.h"

#include <stdlib.h>

#include "server/base/log.h"

void ddb_workers_add(ddb_workers *ws, const ddb_worker_kind *kind, void *ctx)
{
    if (ws->n == DDB_WORKERS_MAX) {
        ddb_log(DDB_LOG_ERROR, "workers: more than %d background workers (%s)", DDB_WORKERS_MAX, kind->name);
        abort();
    }
    ws->w[ws->n].kind = kind;
    ws->w[ws->n++].ctx = ctx;
}

void ddb_workers_start(ddb_workers *ws)
{
    if (ws->running)
        return;
    for (unsigned i = 0; i < ws->n; i++)
        ws->w[i].kind->start(ws->w[i].ctx);
    ws->running = 1;
}

void ddb_workers_stop(ddb_workers *ws)
{
    if (!ws->running)
        return;
    for (unsigned i = 0; i < ws->n; i++)
        ws->w[i].kind->halt(ws->w[i].ctx);
    for (unsigned i = 0; i < ws->n; i++)
        ws->w[i].kind->release(ws->w[i].ctx);
    ws->running = 0;
}
