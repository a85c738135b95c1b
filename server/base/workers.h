/*
 * server/base/workers.h: the background workers the server runs (the task worker, the stream
 * triggers, the Kinesis delivery, replication), in one list that the wiring (server.c) starts and
 * stops in one order, at its one start and one stop, and around a snapshot.
 *
 * Stopping is two passes: every worker is halted (its threads told to stop and joined) in the
 * order the workers were added, and only then is each released. A worker may reach another while
 * it runs (replication kicks the task worker; every writer wakes replication): none is freed while
 * another could still touch it. The order added is the order of start and of halt, so a worker
 * the others' work wakes (replication) goes last.
 */
#ifndef DDB_WORKERS_H
#define DDB_WORKERS_H

#define DDB_WORKERS_MAX 8

/* Each acts on `ctx`, which holds the running worker where the rest of the server finds it (the
   engine's tasks and replication, the server's triggers and Kinesis delivery). */
typedef struct ddb_worker_kind {
    const char *name;
    void (*start)(void *ctx);
    /* Tells its threads to stop and joins them: it does no more work (its memory stays). */
    void (*halt)(void *ctx);
    /* Releases it, once every worker is halted, and clears what pointed at it. */
    void (*release)(void *ctx);
} ddb_worker_kind;

typedef struct ddb_workers {
    struct {
        const ddb_worker_kind *kind;
        void *ctx;
    } w[DDB_WORKERS_MAX];
    unsigned n;
    int running;
} ddb_workers;

/* Adds a worker (not started); aborts past DDB_WORKERS_MAX, a wiring mistake. */
void ddb_workers_add(ddb_workers *ws, const ddb_worker_kind *kind, void *ctx);
/* Starts every worker, in the order added; nothing when they run already. */
void ddb_workers_start(ddb_workers *ws);
/* Halts every worker in the order added, then releases each; nothing when none runs. */
void ddb_workers_stop(ddb_workers *ws);

#endif
