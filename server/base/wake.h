/*
 * server/base/wake.h: telling a thread that waits on a condition variable that its flag is up.
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

#endif
