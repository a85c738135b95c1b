/*
 * server/base/worker.h: a background worker's threads, started, stopped and joined one way. The
 * task worker, the stream triggers, the Kinesis delivery, replication and the disk guard's watcher
 * each own one: its threads nap, are woken and are told to stop on the worker's sleeper
 * (sleeper.h), which is in the clock's list from ddb_worker_init, and each thread started counts
 * for the clock's steps from its start (ddb_sleeper_started), so a step waits for its pass.
 *
 * Stopping is two moments, as the wiring's list stops its workers (workers.h): ddb_worker_halt
 * tells the threads to stop and joins them (the owner's memory stays, another worker may still
 * reach it), ddb_worker_destroy then takes the sleeper out of the clock's list.
 *
 * A job that holds its worker in its own memory (the task worker, the triggers, the Kinesis
 * delivery, replication) hands the worker that memory and its own teardown (ddb_worker_own): its
 * end is then ddb_worker_stop's, in the one order each needs: the threads joined, the job's
 * teardown (nothing runs that could still read what it releases), the sleeper out of the clock's
 * list (the teardown may still have woken it), the job's memory freed.
 */
#ifndef DDB_WORKER_H
#define DDB_WORKER_H

#include <pthread.h>

#include "server/base/sleeper.h"

typedef struct ddb_worker {
    ddb_sleeper sleeper; /* its threads' naps, wakes and stop: used directly (sleeper.h) */
    pthread_t *threads;  /* the threads started, joined by the halt */
    unsigned n;
    int halted; /* ddb_worker_halt ran: a second halt does nothing */
    void *owner;                 /* the job's memory that holds w, freed by ddb_worker_stop (NULL: none) */
    void (*finish)(void *owner); /* the job's teardown, once its threads are joined (NULL: none) */
} ddb_worker;

/* Readies w (no thread yet); its sleeper joins the clock's list, so it may be woken at once. */
void ddb_worker_init(ddb_worker *w);
/* Starts a thread running fn(arg) on w; 0, or -1 when no thread could be made (w is unchanged).
   A clock step from now on waits for a whole pass of it, the one before its first nap too. */
int ddb_worker_spawn(ddb_worker *w, void *(*fn)(void *), void *arg);
/* Whether the threads were told to stop. */
int ddb_worker_stopping(ddb_worker *w);
/* w is a member of `owner`, memory from malloc that ddb_worker_stop frees after running
   finish(owner) (NULL: nothing more to release). */
void ddb_worker_own(ddb_worker *w, void *owner, void (*finish)(void *owner));
/* Tells every thread to stop (their naps end) and joins them; nothing after the first call, nor
   when w is NULL (a job that does not run). */
void ddb_worker_halt(ddb_worker *w);
/* Halts w if it was not, and releases it (its sleeper leaves the clock's list). */
void ddb_worker_destroy(ddb_worker *w);
/* Ends the job that owns w (ddb_worker_own): halts w, runs the job's teardown, releases w and
   frees the job; nothing when w is NULL. */
void ddb_worker_stop(ddb_worker *w);

#endif
