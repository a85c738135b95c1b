/*
 * server/base/follower.h: the loop of a thread that follows the committed changes (the stream
 * triggers, the Kinesis delivery, replication: docs/architecture.md's "A new background
 * follower"). Each pass delivers what it can from its persisted position; the loop decides the
 * nap after it: none after a pass that delivered (more may have come meanwhile), the pass's own
 * wait after one that found nothing, a doubling backoff while passes fail. A wake (whoever
 * committed what the follower reads) cuts the nap short; the sleeper's stop ends the loop.
 */
#ifndef DDB_FOLLOWER_H
#define DDB_FOLLOWER_H

#include "server/base/sleeper.h"

typedef struct ddb_follow_pace {
    unsigned idle_ms;        /* the nap after a pass that found nothing, unless it says otherwise */
    unsigned backoff_min_ms; /* the first nap after a failed pass, doubled while they fail */
    unsigned backoff_max_ms;
} ddb_follow_pace;

/*
 * One pass: >0 delivered something, 0 found nothing (it may set *wait_ms, preset to the pace's
 * idle_ms; 0: pass again at once), <0 failed.
 */
typedef int (*ddb_follow_pass)(void *ctx, unsigned *wait_ms);

/* Runs passes until `s` is stopped. */
void ddb_follow(ddb_sleeper *s, const ddb_follow_pace *pace, ddb_follow_pass pass, void *ctx);

#endif
