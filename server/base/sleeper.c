/*
 * server/base/sleeper.c: stoppable naps for polling threads (see sleeper.h).
 */
#include "server/base/sleeper.h"

#include "server/base/clock.h"

/* Every sleeper of the process, for the clock's steps (a list: a handful, made at start). The
   registry's lock is taken before a sleeper's, never the other way. */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static ddb_sleeper *all;
/* Wakes and nudges that woke a sleeper, every sleeper's (a settle's own asks are not counted). */
static uint64_t wakes;

void ddb_sleeper_init(ddb_sleeper *s)
{
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->stop = 0;
    s->woken = 0;
    s->asked = s->taken = s->served = 0;
    s->due_ms = 0;
    s->napped = 0;
    pthread_mutex_lock(&all_lock);
    s->next = all;
    all = s;
    pthread_mutex_unlock(&all_lock);
}

void ddb_sleeper_destroy(ddb_sleeper *s)
{
    pthread_mutex_lock(&all_lock);
    for (ddb_sleeper **p = &all; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&all_lock);
    pthread_cond_destroy(&s->idle);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
}

void ddb_sleeper_started(ddb_sleeper *s)
{
    pthread_mutex_lock(&s->lock);
    s->napped = 1;
    pthread_mutex_unlock(&s->lock);
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
    s->napped = 1;
    if (!s->stop && !s->woken) {
        /* the pass before this nap began after the last wake taken: the settles it answers are done */
        if (s->served != s->taken) {
            s->served = s->taken;
            pthread_cond_broadcast(&s->idle);
        }
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    if (s->woken)
        s->taken = s->asked;
    __atomic_store_n(&s->woken, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_wake(ddb_sleeper *s)
{
    __atomic_add_fetch(&wakes, 1, __ATOMIC_ACQ_REL);
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
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

void ddb_sleeper_due(ddb_sleeper *s, uint64_t due_ms)
{
    __atomic_store_n(&s->due_ms, due_ms, __ATOMIC_RELEASE);
}

/* ---- the clock's steps ---- */

/* Asks s for a whole pass; its ticket, which s->served reaches when the pass is done. */
static uint64_t ask_pass(ddb_sleeper *s)
{
    uint64_t ticket;

    pthread_mutex_lock(&s->lock);
    ticket = ++s->asked;
    __atomic_store_n(&s->woken, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return ticket;
}

/* Waits until s answered `ticket` or stopped, or the deadline passed; whether it answered. */
static int await_pass(ddb_sleeper *s, uint64_t ticket, const struct timespec *until)
{
    int rc = 0;

    pthread_mutex_lock(&s->lock);
    while (s->napped && !s->stop && s->served < ticket && rc == 0)
        rc = pthread_cond_timedwait(&s->idle, &s->lock, until);
    rc = !s->napped || s->stop || s->served >= ticket;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

unsigned ddb_sleepers_settle(unsigned limit_ms)
{
    struct timespec until;
    uint64_t tickets[64];
    unsigned n = 0, late = 0;
    ddb_sleeper *s;

    ddb_clock_system_deadline(&until, limit_ms);
    pthread_mutex_lock(&all_lock); /* held throughout: no sleeper is destroyed meanwhile */
    for (s = all; s != NULL && n < 64; s = s->next)
        tickets[n++] = ask_pass(s);
    n = 0;
    for (s = all; s != NULL && n < 64; s = s->next)
        late += !await_pass(s, tickets[n++], &until);
    pthread_mutex_unlock(&all_lock);
    return late;
}

uint64_t ddb_sleepers_wakes(void)
{
    return __atomic_load_n(&wakes, __ATOMIC_ACQUIRE);
}

uint64_t ddb_sleepers_next_due(uint64_t after, uint64_t upto)
{
    uint64_t best = 0;

    pthread_mutex_lock(&all_lock);
    for (ddb_sleeper *s = all; s != NULL; s = s->next) {
        uint64_t d = __atomic_load_n(&s->due_ms, __ATOMIC_ACQUIRE);
        if (d > after && d <= upto && (best == 0 || d < best))
            best = d;
    }
    pthread_mutex_unlock(&all_lock);
    return best;
}
