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
} ddb_worker;

/* Readies w (no thread yet); its sleeper joins the clock's list, so it may be woken at once. */
void ddb_worker_init(ddb_worker *w);
/* Starts a thread running fn(arg) on w; 0, or -1 when no thread could be made (w is unchanged).
   A clock step from now on waits for a whole pass of it, the one before its first nap too. */
int ddb_worker_spawn(ddb_worker *w, void *(*fn)(void *), void *arg);
/* Whether the threads were told to stop. */
int ddb_worker_stopping(ddb_worker *w);
/* Tells every thread to stop (their naps end) and joins them; nothing after the first call. */
void ddb_worker_halt(ddb_worker *w);
/* Halts w if it was not, and releases it (its sleeper leaves the clock's list). */
void ddb_worker_destroy(ddb_worker *w);

#endif
