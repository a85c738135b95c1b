/*
 * server/base/sleeper.c: stoppable naps for polling threads (see sleeper.h).
 */
#include "server/base/sleeper.h"

#include "server/base/clock.h"

void ddb_sleeper_init(ddb_sleeper *s)
{
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->stop = 0;
    s->woken = 0;
}

void ddb_sleeper_destroy(ddb_sleeper *s)
{
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
}

int ddb_sleeper_stopping(ddb_sleeper *s)
{
    int stop;

    pthread_mutex_lock(&s->lock);
    stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

void ddb_sleeper_nap(ddb_sleeper *s, unsigned ms)
{
    struct timespec until;

    ddb_clock_system_deadline(&until, ms);
    pthread_mutex_lock(&s->lock);
    if (!s->stop && !s->woken)
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    __atomic_store_n(&s->woken, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_wake(ddb_sleeper *s)
{
    pthread_mutex_lock(&s->lock);
    __atomic_store_n(&s->woken, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_nudge(ddb_sleeper *s)
{
    /* a pending wake is taken by the next nap, which then does not wait, and the pass after it sees
       the commit that nudged; a nudge that meets a wake being taken just then costs at most the
       follower's poll (the followers poll as well: other gateways' commits wake nothing here) */
    if (!__atomic_load_n(&s->woken, __ATOMIC_ACQUIRE))
        ddb_sleeper_wake(s);
}

void ddb_sleeper_stop(ddb_sleeper *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}
