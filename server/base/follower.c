/*
 * server/base/follower.c: a follower's loop (see follower.h).
 */
#include "server/base/follower.h"

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
            wait = backoff;
        } else {
            backoff = 0;
        }
        if (wait > 0)
            ddb_sleeper_nap(s, wait);
    }
}
