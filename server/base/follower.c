/*
 * server/base/follower.c: a follower's loop (see follower.h).
 */
#include "server/base/follower.h"

#include "server/base/clock.h"

/* A failed pass's backoff is slept whole: the commits that wake an idle follower (one a write, on a
   busy table) would otherwise cut every backoff short and spend the doubling in milliseconds
   against a destination that is down. A stop still ends it. */
static void back_off(ddb_sleeper *s, unsigned ms)
{
    uint64_t until = ddb_clock_mono_ms() + ms, now;

    while (!ddb_sleeper_stopping(s) && (now = ddb_clock_mono_ms()) < until)
        ddb_sleeper_nap(s, (unsigned)(until - now));
}

void ddb_follow(ddb_sleeper *s, const ddb_follow_pace *pace, ddb_follow_pass pass, void *ctx)
{
    unsigned backoff = 0;

    while (!ddb_sleeper_stopping(s)) {
        unsigned wait = pace->idle_ms;
        int rc = pass(ctx, &wait);

        if (rc > 0) {
            backoff = 0;
            continue; /* more may have come meanwhile */
        }
        if (rc < 0) {
            backoff = backoff ? backoff * 2 : pace->backoff_min_ms;
            backoff = backoff > pace->backoff_max_ms ? pace->backoff_max_ms : backoff;
            back_off(s, backoff);
            continue;
        }
        backoff = 0;
        if (wait > 0)
            ddb_sleeper_nap(s, wait);
    }
}
