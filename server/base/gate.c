/*
 * server/base/gate.c: the request gate (see gate.h).
 *
 * enter stores its slot's flag, then loads `closed`; close stores `closed`, then loads every
 * flag. Both pairs are sequentially consistent, so either the request sees the gate closed and
 * backs out, or the closer sees the request's flag and waits for it: never neither.
 */
#include "server/base/gate.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct slot {
    int busy;
    char pad[64 - sizeof(int)]; /* one cache line each: threads never share one on the hot path */
} slot;

struct ddb_gate {
    int closed;
    pthread_mutex_t lock; /* with `wake`: requests waiting for the gate to open */
    pthread_cond_t wake;
    pthread_mutex_t owner; /* held by the closer from close to open */
    unsigned n;
    slot *slots;
};

ddb_gate *ddb_gate_new(unsigned slots)
{
    ddb_gate *g = calloc(1, sizeof(*g));

    if (g == NULL || posix_memalign((void **)&g->slots, 64, sizeof(slot) * (slots ? slots : 1)) != 0)
        abort();
    for (unsigned i = 0; i < slots; i++)
        g->slots[i].busy = 0;
    g->n = slots;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    pthread_mutex_init(&g->owner, NULL);
    return g;
}

void ddb_gate_free(ddb_gate *g)
{
    if (g == NULL)
        return;
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->owner);
    free(g->slots);
    free(g);
}

void ddb_gate_enter(ddb_gate *g, unsigned slot)
{
    for (;;) {
        __atomic_store_n(&g->slots[slot].busy, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST))
            return;
        __atomic_store_n(&g->slots[slot].busy, 0, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&g->lock);
        while (__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST))
            pthread_cond_wait(&g->wake, &g->lock);
        pthread_mutex_unlock(&g->lock);
    }
}

void ddb_gate_leave(ddb_gate *g, unsigned slot)
{
    __atomic_store_n(&g->slots[slot].busy, 0, __ATOMIC_RELEASE);
}

void ddb_gate_close(ddb_gate *g)
{
    pthread_mutex_lock(&g->owner);
    pthread_mutex_lock(&g->lock);
    __atomic_store_n(&g->closed, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&g->lock);
    for (unsigned i = 0; i < g->n; i++) {
        /* requests run to completion in microseconds to milliseconds: poll rather than signal,
           so that leaving costs the hot path nothing more than a store */
        while (__atomic_load_n(&g->slots[i].busy, __ATOMIC_SEQ_CST))
            nanosleep(&(struct timespec){0, 20000}, NULL);
    }
}

void ddb_gate_open(ddb_gate *g)
{
    pthread_mutex_lock(&g->lock);
    __atomic_store_n(&g->closed, 0, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_mutex_unlock(&g->owner);
}
