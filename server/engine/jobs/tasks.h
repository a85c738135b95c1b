/*
 * server/engine/jobs/tasks.h: background work on a worker thread, never on the HTTP loops.
 *
 * The worker runs the jobs the wiring hands it (server/server.c), in their order: each job's
 * `work` does what its persisted records ask (so a restart, or a kill -9, resumes it) and says
 * whether it did something (the worker then turns again at once), and each job's `sweep` deletes
 * what expired, every `interval` or at once when the clock moved. The jobs (each in its file):
 *   - table purges (purge.h): the keys of deleted tables;
 *   - index work (indexes.h): backfills of new indexes and removal of deleted ones;
 *   - backups and restores (backups.h): a backup's copy of its table, a restore's fill; expired
 *     backups;
 *   - exports and imports (engine/xfer/xfer.h): every record IN_PROGRESS is run to its end (one at
 *     a time; other work waits meanwhile), and run again from the beginning after a restart;
 *   - items whose Time to Live passed (ttl.h), every --ttl-interval seconds;
 *   - ClientRequestToken records (engine/idempotency.h) once expired, stream records older than 24
 *     hours and streams disabled 24 hours ago (streams_trim.h), point-in-time histories beyond
 *     their window (pitr.h): every minute (or every idempotency window, when shorter).
 * Gateways sharing a store (RADOS) all find the same work; the one holding the lease "tasks"
 * (lease.h) does it, the others take it over when it stops. Jobs use the worker only through
 * this header (kick it, find their state), so none of them depends on another through it.
 */
#ifndef DDB_TASKS_H
#define DDB_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/base/worker.h"
#include "server/engine/engine.h"
#include "server/storage/storage.h"

typedef struct ddb_tasks ddb_tasks;

/* A kind of background work. Every member may be NULL but `name` (and `interval` with `sweep`). */
typedef struct ddb_job {
    const char *name;
    /* its state, made when the worker starts and freed when it stops */
    void *(*start)(ddb_engine *eng);
    void (*stop)(ddb_engine *eng, void *state);
    /* persisted work: does what there is, checking stopping(sctx) between steps (work left is
       resumed later), and returns how much it did (0: nothing to do) */
    int (*work)(ddb_engine *eng, void *state, int (*stopping)(void *sctx), void *sctx);
    /* what expired goes: runs when interval(eng) ms have passed since it last ran */
    void (*sweep)(ddb_engine *eng, void *state, uint64_t now_ms);
    uint64_t (*interval)(ddb_engine *eng);
    /* its sweep reads what a client wrote against the clock (TTL: an item may be written expired):
       under a frozen clock only a step sweeps, so when a delete comes is the test's, not the
       machine's speed (docs/admin.md) */
    int steps_only_when_frozen;
} ddb_job;

/* Starts the worker on `jobs` (they must outlive it). */
ddb_tasks *ddb_tasks_start(ddb_engine *eng, const ddb_job *const *jobs, size_t njobs);
/* Its worker, which owns it (NULL when t is): ddb_worker_halt stops its threads between two steps
   (work left is resumed at the next start), ddb_worker_stop ends it, releasing the lease and each
   job's state (base/workers.h: every worker halts before any is freed). */
ddb_worker *ddb_tasks_worker(ddb_tasks *t);
/* Wakes the worker: a catalog change may have left work. */
void ddb_tasks_kick(ddb_tasks *t);
/* Wakes it to sweep what expired now, whenever it last did (the clock moved: base/clock.h). */
void ddb_tasks_sweep_now(ddb_tasks *t);
/* Moves the server's clock to `to` (a running clock: to `offset`, base/clock.h), the admin door's
   step (POST /ddbd/clock). Forward, it stops first at each time a background worker said it has
   work at (a replica's lag running out, a trigger's window), in time order, and lets the work
   happen there (base/sleeper.h), then sweeps what expired where it lands. Back, it keeps the clock's
   raised high mark in the store (engine/clock_kept.h). */
void ddb_tasks_step_clock(ddb_tasks *t, int64_t to, int64_t offset);
/* A job's state (its start's result), or NULL. */
void *ddb_tasks_state(ddb_tasks *t, const ddb_job *job);

#endif
