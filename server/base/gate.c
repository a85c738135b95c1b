/*
 * server/base/gate.c: the request gate (see gate.h).
 *
 * enter stores its slot's count (odd: busy), then loads `closed`; close stores `closed`, then
 * loads every count. Both pairs are sequentially consistent, so either the request sees the gate
 * closed and backs out, or the closer sees the request's count odd and waits for it: never neither.
 *
 * A grace period's mark works the same way: a request reads the catalog after its enter's store,
 * and the catalog marks after it unlinked a description (under its lock), so a request that could
 * have read the description is odd in the mark; a hold is numbered under `holds_lock` before it
 * reads, so its number is at most the mark's. Only a slot's own thread writes its count.
 */
#include "server/base/gate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Thread_local unsigned ddb_gate_depth; /* requests and holds this thread is inside (gate.h) */

typedef struct slot {
    uint64_t seq;                    /* requests begun plus requests ended: odd while one runs */
    char pad[64 - sizeof(uint64_t)]; /* one cache line each: threads never share one on the hot path */
} slot;

struct ddb_gate {
    int closed;
    pthread_mutex_t lock; /* with `wake`: requests waiting for the gate to open */
    pthread_cond_t wake;
    pthread_mutex_t owner; /* held by the closer from close to open */
    unsigned n;
    slot *slots;
    pthread_mutex_t holds_lock; /* the holds in flight, oldest first, and their numbering */
    ddb_gate_hold *oldest, *newest;
    uint64_t holds_begun;
};

struct ddb_gate_mark {
    uint64_t holds; /* holds numbered up to this one were begun by the mark */
    unsigned n;
    uint64_t seq[]; /* each slot's count at the mark */
};

ddb_gate *ddb_gate_new(unsigned slots)
{
    ddb_gate *g = calloc(1, sizeof(*g));

    if (g == NULL || posix_memalign((void **)&g->slots, 64, sizeof(slot) * (slots ? slots : 1)) != 0)
        abort();
    for (unsigned i = 0; i < slots; i++)
        g->slots[i].seq = 0;
    g->n = slots;
    pthread_mutex_init(&g->holds_lock, NULL);
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
    pthread_mutex_destroy(&g->holds_lock);
    free(g->slots);
    free(g);
}

void ddb_gate_enter(ddb_gate *g, unsigned slot)
{
    uint64_t *seq = &g->slots[slot].seq;

    for (;;) {
        uint64_t was = __atomic_load_n(seq, __ATOMIC_RELAXED); /* (its own: no one else writes it) */
        __atomic_store_n(seq, was + 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST)) {
            ddb_gate_depth++;
            return;
        }
        __atomic_store_n(seq, was + 2, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&g->lock);
        while (__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST))
            pthread_cond_wait(&g->wake, &g->lock);
        pthread_mutex_unlock(&g->lock);
    }
}

void ddb_gate_leave(ddb_gate *g, unsigned slot)
{
    uint64_t *seq = &g->slots[slot].seq;

    ddb_gate_depth--;
    __atomic_store_n(seq, __atomic_load_n(seq, __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
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
        while (__atomic_load_n(&g->slots[i].seq, __ATOMIC_SEQ_CST) & 1)
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

/* ---- grace periods ---- */

void ddb_gate_hold_begin(ddb_gate *g, ddb_gate_hold *h)
{
    ddb_gate_depth++;
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->holds_lock);
    h->seq = ++g->holds_begun;
    h->next = NULL;
    h->prev = g->newest;
    if (g->newest != NULL)
        g->newest->next = h;
    else
        g->oldest = h;
    g->newest = h;
    pthread_mutex_unlock(&g->holds_lock);
}

void ddb_gate_hold_end(ddb_gate *g, ddb_gate_hold *h)
{
    ddb_gate_depth--;
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->holds_lock);
    if (h->prev != NULL)
        h->prev->next = h->next;
    else
        g->oldest = h->next;
    if (h->next != NULL)
        h->next->prev = h->prev;
    else
        g->newest = h->prev;
    pthread_mutex_unlock(&g->holds_lock);
}

ddb_gate_mark *ddb_gate_mark_new(const ddb_gate *g)
{
    ddb_gate_mark *m = calloc(1, sizeof(*m) + sizeof(uint64_t) * g->n);

    if (m == NULL)
        abort();
    m->n = g->n;
    return m;
}

void ddb_gate_mark_free(ddb_gate_mark *m)
{
    free(m);
}

void ddb_gate_mark_now(ddb_gate *g, ddb_gate_mark *m)
{
    for (unsigned i = 0; i < m->n; i++)
        m->seq[i] = __atomic_load_n(&g->slots[i].seq, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&g->holds_lock);
    m->holds = g->holds_begun;
    pthread_mutex_unlock(&g->holds_lock);
}

int ddb_gate_passed(ddb_gate *g, const ddb_gate_mark *m)
{
    int passed;

    for (unsigned i = 0; i < m->n; i++) {
        /* a request in flight at the mark (odd) has ended once its slot's count moved */
        if ((m->seq[i] & 1) && __atomic_load_n(&g->slots[i].seq, __ATOMIC_ACQUIRE) == m->seq[i])
            return 0;
    }
    pthread_mutex_lock(&g->holds_lock);
    passed = g->oldest == NULL || g->oldest->seq > m->holds;
    pthread_mutex_unlock(&g->holds_lock);
    return passed;
}
