/*
 * server/engine/jobs/tasks.c: the background worker and its registry of jobs (see tasks.h).
 */
#include "server/engine/jobs/tasks.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/base/log.h"
#include "server/base/worker.h"
#include "server/engine/clock_kept.h"
#include "server/engine/jobs/lease.h"

#define MAX_JOBS 16

struct ddb_tasks {
    ddb_engine *eng;
    ddb_worker worker; /* kicked by whoever records work, stopped by the wiring */
    int sweep_now;       /* sweep at the next turn (the clock moved); atomic */
    const ddb_job *jobs[MAX_JOBS];
    void *states[MAX_JOBS];    /* each job's, from its start */
    uint64_t last_sweep[MAX_JOBS]; /* monotonic ms of each job's last sweep */
    size_t njobs;
    /* Gateways sharing a RADOS pool all find the same persisted work: the one holding this lease
       does it (lease.h), the others stand by and take over when it stops renewing. */
    ddb_lease lease;
};

static int stop_requested(ddb_tasks *t)
{
    return ddb_worker_stopping(&t->worker);
}

/* Whether work under way must stop: the server stops, or another gateway took the work over
   (each step is persisted, so whoever runs it next resumes it). Renews the lease when due. */
static int stopping(ddb_tasks *t)
{
    return stop_requested(t) || !ddb_lease_hold(&t->lease);
}

static int stopping_cb(void *ctx)
{
    return stopping(ctx);
}

/* Each job's sweep when its interval has passed, or at once after the clock moved (ddb_tasks_sweep_now). */
static void sweep(ddb_tasks *tk)
{
    uint64_t now = ddb_clock_mono_ms();
    ddb_gate_hold h; /* each job reads tables: the catalog frees none it read until it returns */
    int forced;

    forced = __atomic_exchange_n(&tk->sweep_now, 0, __ATOMIC_ACQ_REL);
    for (size_t i = 0; i < tk->njobs; i++) {
        const ddb_job *j = tk->jobs[i];
        if (j->sweep == NULL || (!forced && now - tk->last_sweep[i] < j->interval(tk->eng)) ||
            (!forced && j->steps_only_when_frozen && ddb_clock_frozen()))
            continue;
        tk->last_sweep[i] = now;
        ddb_catalog_hold(tk->eng->catalog, &h);
        j->sweep(tk->eng, tk->states[i], ddb_clock_now_ms());
        ddb_catalog_unhold(tk->eng->catalog, &h);
    }
}

void ddb_tasks_sweep_now(ddb_tasks *tk)
{
    __atomic_store_n(&tk->sweep_now, 1, __ATOMIC_RELEASE);
    ddb_sleeper_wake(&tk->worker.sleeper);
}

/* How long a step waits, in real time, for a background worker's pass (a destination that hangs). */
#define SETTLE_LIMIT_MS 10000
/* The most times a step stops on its way (each worker's next due time, in order). */
#define STEP_STOPS_MAX 10000

/* The most rounds a settle makes while one pass leaves work for another worker. */
#define SETTLE_ROUNDS_MAX 8

/* The background work sees the clock where it stands: sweeps (TTL, expiry) and every follower's
   pass, and then what those made for the others: the workers pass side by side, so replication may
   answer before the TTL sweep's deletes (which nudge it) are made; while a round's passes woke a
   worker, another round (replicating them) before the step answers, else a read of the replica
   just after sees them or not by a race. */
static void settle(ddb_tasks *tk)
{
    unsigned late;

    ddb_tasks_sweep_now(tk);
    for (unsigned round = 0; round < SETTLE_ROUNDS_MAX; round++) {
        uint64_t woke = ddb_sleepers_wakes();
        if ((late = ddb_sleepers_settle(SETTLE_LIMIT_MS)) > 0) {
            ddb_log(DDB_LOG_WARN, "admin: the clock moved; %u background worker(s) still busy after %u ms", late,
                    SETTLE_LIMIT_MS);
            return;
        }
        if (ddb_sleepers_wakes() == woke) /* no pass woke another: all done */
            return;
    }
}

/* (tasks.h) A step of an hour does what an hour of running would, in its order. */
void ddb_tasks_step_clock(ddb_tasks *tk, int64_t to, int64_t offset)
{
    uint64_t at, mark = ddb_clock_high_mark_ms();

    /* first the work already due where the clock stands (a replica catching up with the writes made
       before the step): else a sweep at the new time could race it, and expire a replica's older
       copy of an item whose newer one, not expired, is still on its way (its delete, the later
       write, then replicated over the live item) */
    if (ddb_sleepers_settle(SETTLE_LIMIT_MS) > 0)
        ddb_log(DDB_LOG_WARN, "admin: a background worker still busy after %u ms", SETTLE_LIMIT_MS);
    for (unsigned i = 0; i < STEP_STOPS_MAX && (at = ddb_sleepers_next_due(ddb_clock_now_ms(), (uint64_t)to)) != 0;
         i++) {
        ddb_clock_set_ms(at);
        settle(tk);
    }
    if (ddb_clock_frozen())
        ddb_clock_set_ms((uint64_t)to);
    else
        ddb_clock_set_offset_ms(offset);
    ddb_clock_high_keep(tk->eng->store, mark); /* a step back's mark outlives a restart */
    settle(tk);
}

void *ddb_tasks_state(ddb_tasks *tk, const ddb_job *job)
{
    for (size_t i = 0; tk != NULL && i < tk->njobs; i++)
        if (tk->jobs[i] == job)
            return tk->states[i];
    return NULL;
}

/* Job i's work, holding the catalog (what it reads stays valid until it returns). */
static int work(ddb_tasks *tk, size_t i)
{
    ddb_gate_hold h;
    int did;

    ddb_catalog_hold(tk->eng->catalog, &h);
    did = tk->jobs[i]->work(tk->eng, tk->states[i], stopping_cb, tk);
    ddb_catalog_unhold(tk->eng->catalog, &h);
    return did;
}

static void *worker(void *arg)
{
    ddb_tasks *tk = arg;

    while (!stop_requested(tk)) {
        int did = 0;
        if (ddb_lease_hold(&tk->lease)) {
            for (size_t i = 0; i < tk->njobs && !stopping(tk); i++)
                if (tk->jobs[i]->work != NULL)
                    did += work(tk, i);
            if (!stopping(tk))
                sweep(tk);
        }
        if (!did)
            ddb_sleeper_nap(&tk->worker.sleeper, 1000); /* a kick, or a second: a sweep may be due */
    }
    return NULL;
}

/* The worker's teardown, its threads joined (ddb_worker_stop frees tk). */
static void finish(void *owner)
{
    ddb_tasks *tk = owner;

    ddb_lease_release(&tk->lease); /* another gateway takes the work over at once */
    for (size_t i = 0; i < tk->njobs; i++)
        if (tk->jobs[i]->stop != NULL)
            tk->jobs[i]->stop(tk->eng, tk->states[i]);
}

ddb_tasks *ddb_tasks_start(ddb_engine *eng, const ddb_job *const *jobs, size_t njobs)
{
    ddb_tasks *tk = calloc(1, sizeof(*tk));

    if (tk == NULL || njobs > MAX_JOBS)
        abort();
    tk->eng = eng;
    tk->njobs = njobs;
    for (size_t i = 0; i < njobs; i++) {
        tk->jobs[i] = jobs[i];
        tk->states[i] = jobs[i]->start != NULL ? jobs[i]->start(eng) : NULL;
    }
    ddb_lease_init(&tk->lease, eng->store, "tasks");
    ddb_worker_init(&tk->worker);
    ddb_worker_own(&tk->worker, tk, finish);
    if (ddb_worker_spawn(&tk->worker, worker, tk) != 0)
        abort();
    return tk;
}

void ddb_tasks_kick(ddb_tasks *tk)
{
    ddb_sleeper_wake(&tk->worker.sleeper);
}

ddb_worker *ddb_tasks_worker(ddb_tasks *tk)
{
    return tk != NULL ? &tk->worker : NULL;
}
