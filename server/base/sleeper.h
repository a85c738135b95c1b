/*
 * server/base/sleeper.h: what a background thread that polls needs to wait and be stopped: a
 * stop flag, and naps that a stop or a wake cuts short. The task worker, the stream
 * triggers, the Kinesis destinations' worker and replication share it. Every sleeper is known to
 * the clock's steps: a step wakes each and waits for its pass (ddb_sleepers_settle), so a test that
 * advances a frozen clock sees what came due done when the step answers.
 */
#ifndef DDB_SLEEPER_H
#define DDB_SLEEPER_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

typedef struct ddb_sleeper {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t idle; /* a nap began with no wake pending: the passes asked for are done */
    int stop;
    int woken; /* a wake not yet taken by a nap: one that came while the thread worked is kept;
                  written under the lock, read without it by ddb_sleeper_nudge */
    uint64_t asked;  /* settles asked for (ddb_sleepers_settle) */
    uint64_t taken;  /* `asked` when a nap last took a wake: the pass after it answers those */
    uint64_t served; /* the settles a whole pass has answered */
    uint64_t due_ms; /* when, on the server's clock, the thread next has work (0: not known) */
    int napped;      /* a thread naps on it: set when the thread is started (ddb_sleeper_started) or
                        first naps; a sleeper whose thread is not started has none to wait for */
    struct ddb_sleeper *next; /* every sleeper, for ddb_sleepers_settle */
} ddb_sleeper;

void ddb_sleeper_init(ddb_sleeper *s);
void ddb_sleeper_destroy(ddb_sleeper *s);
/* Its thread was started (call once pthread_create succeeded): a clock step made from now on waits
   for a whole pass of it, the one still before its first nap too. Without it, a step that came
   before that first nap took the sleeper for one without a thread and did not wait: under load a
   step right after the start could return before the thread saw it (test_sleeper, issue 60). */
void ddb_sleeper_started(ddb_sleeper *s);
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
/* Tells a stepped clock when, on the server's clock, the thread next has work to do (0: nothing
   known), so that a step stops there first (ddb_sleepers_next_due); set before the nap. */
void ddb_sleeper_due(ddb_sleeper *s, uint64_t due_ms);

/*
 * The clock was stepped (clock.h): wakes every sleeper of the process and returns once each has
 * made a whole pass after the wake (it began a nap with no wake pending), or was stopped, or after
 * `limit_ms` of real time for any that does not (a destination that hangs); the number that did
 * not. A pass sees the clock as it is now, so what came due has happened when this returns.
 */
unsigned ddb_sleepers_settle(unsigned limit_ms);
/* How many times a sleeper was woken or nudged awake, ever (not by a settle's asks): a settle that
   saw it move made work for another pass (a TTL sweep's deletes, for replication). */
uint64_t ddb_sleepers_wakes(void);
/* The earliest time a sleeper said it has work at (ddb_sleeper_due) in (after, upto]; 0: none. */
uint64_t ddb_sleepers_next_due(uint64_t after, uint64_t upto);

#endif
