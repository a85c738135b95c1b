/*
 * server/base/sleeper.h: what a background thread that polls needs to wait and be stopped: a
 * stop flag, and naps that a stop or a wake cuts short. The task worker, the stream
 * triggers, the Kinesis destinations' worker and replication share it.
 */
#ifndef DDB_SLEEPER_H
#define DDB_SLEEPER_H

#include <pthread.h>
#include <time.h>

typedef struct ddb_sleeper {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    int woken; /* a wake not yet taken by a nap: one that came while the thread worked is kept;
                  written under the lock, read without it by ddb_sleeper_nudge */
} ddb_sleeper;

void ddb_sleeper_init(ddb_sleeper *s);
void ddb_sleeper_destroy(ddb_sleeper *s);
/* Whether ddb_sleeper_stop was called. */
int ddb_sleeper_stopping(ddb_sleeper *s);
/* Sleeps ms milliseconds, or until woken (at once when a wake came since the last nap) or stopped. */
void ddb_sleeper_nap(ddb_sleeper *s, unsigned ms);
/* Ends the naps under way now (the thread has work), without stopping it. */
void ddb_sleeper_wake(ddb_sleeper *s);
/*
 * ddb_sleeper_wake for a hot path (every commit that wrote what a follower reads): while a wake is
 * pending (the thread works and has not napped since) it is one load, no lock; the nap that takes
 * the wake returns at once, so the pass after it sees the commit.
 */
void ddb_sleeper_nudge(ddb_sleeper *s);
/* Sets the stop flag and wakes every nap. */
void ddb_sleeper_stop(ddb_sleeper *s);

#endif
