/*
 * server/base/wake.h: telling a thread that waits on a condition variable that its flag is up, and
 * ending one that was told to stop.
 */
#ifndef DDB_WAKE_H
#define DDB_WAKE_H

#include <pthread.h>

/* Sets *flag (a stop, a quit, a lost watch) under mu and wakes every thread waiting on cv to see
   it: how an owner tells the thread it started to stop. All of them, not one: a waiter rechecks
   its condition, so one woken for nothing only waits again. */
static inline void ddb_wake_raise(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag)
{
    pthread_mutex_lock(mu);
    *flag = 1;
    pthread_cond_broadcast(cv);
    pthread_mutex_unlock(mu);
}

/* The end of a thread that waits on cv under mu: its flag raised (ddb_wake_raise), the thread
   joined, then its lock and condition destroyed, which no one else may touch by then. How the
   group commit, the OTLP exporter and the RADOS freezer stop theirs. */
static inline void ddb_wake_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag, pthread_t thread)
{
    ddb_wake_raise(mu, cv, flag);
    pthread_join(thread, NULL);
    pthread_cond_destroy(cv);
    pthread_mutex_destroy(mu);
}

#endif
