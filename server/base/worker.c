/*
 * server/base/worker.c: a background worker's threads (see worker.h).
 */
#include "server/base/worker.h"

#include <stdlib.h>

void ddb_worker_init(ddb_worker *w)
{
    ddb_sleeper_init(&w->sleeper);
    w->threads = NULL;
    w->n = 0;
    w->halted = 0;
    w->owner = NULL;
    w->finish = NULL;
}

void ddb_worker_own(ddb_worker *w, void *owner, void (*finish)(void *owner))
{
    w->owner = owner;
    w->finish = finish;
}

int ddb_worker_spawn(ddb_worker *w, void *(*fn)(void *), void *arg)
{
    pthread_t *grown = realloc(w->threads, sizeof(*grown) * (w->n + 1));

    if (grown == NULL)
        return -1;
    w->threads = grown;
    if (pthread_create(&w->threads[w->n], NULL, fn, arg) != 0)
        return -1;
    w->n++;
    ddb_sleeper_started(&w->sleeper);
    return 0;
}

int ddb_worker_stopping(ddb_worker *w)
{
    return ddb_sleeper_stopping(&w->sleeper);
}

void ddb_worker_halt(ddb_worker *w)
{
    if (w == NULL || w->halted)
        return;
    ddb_sleeper_stop(&w->sleeper);
    for (unsigned i = 0; i < w->n; i++)
        pthread_join(w->threads[i], NULL);
    w->halted = 1;
}

void ddb_worker_destroy(ddb_worker *w)
{
    ddb_worker_halt(w);
    ddb_sleeper_destroy(&w->sleeper);
    free(w->threads);
    w->threads = NULL;
    w->n = 0;
}

void ddb_worker_stop(ddb_worker *w)
{
    void *owner;

    if (w == NULL)
        return;
    ddb_worker_halt(w);
    if (w->finish != NULL)
        w->finish(w->owner);
    owner = w->owner; /* w is in it */
    ddb_worker_destroy(w);
    free(owner);
}
