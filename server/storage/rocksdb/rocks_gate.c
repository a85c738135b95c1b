/*
 * server/storage/rocksdb/rocks_gate.c: the write gate. Every write is in it from its first part to
 * its last (rocks_dbs.c: a write across databases), and so is a loop's flush of its log buffers
 * (rocks_log.c); a store snapshot, a range read merged over several databases and the close of the
 * files close it, and so see every database at one moment, with nothing written or flushed
 * meanwhile. Entering is an atomic add on the calling thread's stripe, a cache line of its own, so
 * writers on different threads mostly share none.
 */
#include <sched.h>

#include "server/storage/rocksdb/rocks_internal.h"

struct rocks_gate_stripe *rocks_gate_enter(ddb_store *s)
{
    struct rocks_gate_stripe *g = &s->gate_in[ddb_stripe_self()];

    for (;;) {
        __atomic_fetch_add(&g->in, 1, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&s->gate_closed, __ATOMIC_SEQ_CST))
            return g;
        __atomic_fetch_sub(&g->in, 1, __ATOMIC_SEQ_CST);
        /* the closer holds the lock from its close to its open */
        pthread_mutex_lock(&s->gate_lock);
        pthread_mutex_unlock(&s->gate_lock);
    }
}

void rocks_gate_leave(struct rocks_gate_stripe *g)
{
    __atomic_fetch_sub(&g->in, 1, __ATOMIC_RELEASE);
}

/* Waits for the writes in flight (a few microseconds: none waits on anything in here). */
void rocks_gate_close(ddb_store *s)
{
    pthread_mutex_lock(&s->gate_lock);
    __atomic_store_n(&s->gate_closed, 1, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < DDB_STRIPES; i++) {
        while (__atomic_load_n(&s->gate_in[i].in, __ATOMIC_SEQ_CST) != 0)
            sched_yield();
    }
}

void rocks_gate_open(ddb_store *s)
{
    __atomic_store_n(&s->gate_closed, 0, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&s->gate_lock);
}
