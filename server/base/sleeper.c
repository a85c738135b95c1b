/*
 * server/base/sleeper.c: stoppable naps for polling threads (see sleeper.h).
 */
#include "server/base/sleeper.h"

void ddb_sleeper_init(ddb_sleeper *s)
{
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->stop = 0;
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

void ddb_sleeper_deadline(struct timespec *until, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}

void ddb_sleeper_nap(ddb_sleeper *s, unsigned ms)
{
    struct timespec until;

    ddb_sleeper_deadline(&until, ms);
    pthread_mutex_lock(&s->lock);
    if (!s->stop)
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_wake(ddb_sleeper *s)
{
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_stop(ddb_sleeper *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}
