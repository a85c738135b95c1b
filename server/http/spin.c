/*
 * server/http/spin.c: whether a loop serving one connection polls after an answer (spin.h).
 */
#include "server/http/spin.h"

/* Polling is kept only when its trial's mean was at least 1/16 shorter than waiting's. */
static int polling_won(const ddb_spin *s)
{
    uint64_t wait = s->sum[0] * s->count[1], poll = s->sum[1] * s->count[0]; /* the means, cross-multiplied */

    return s->count[0] >= DDB_SPIN_TRIAL / 2 && s->count[1] >= DDB_SPIN_TRIAL / 2 && poll + poll / 16 < wait;
}

/* Whether the loop polls after the answer it has just counted: a trial's blocks alternate,
   polling first. */
static int polls(const ddb_spin *s)
{
    return s->keeping ? s->choice : (s->n / DDB_SPIN_BLOCK) % 2 == 0;
}

/* Counts an answer at `now` (its time since the previous one goes to the way the loop waited for
   it) and moves to the next stretch when this one is done. */
static void count_answer(ddb_spin *s, uint64_t now)
{
    if (s->answered_at != 0 && !s->keeping) {
        uint64_t took = now - s->answered_at;
        int way = polls(s); /* what the loop did after the previous answer */
        s->sum[way] += took < DDB_SPIN_CAP_NS ? took : DDB_SPIN_CAP_NS;
        s->count[way]++;
    }
    s->answered_at = now;
    if (++s->n < (s->keeping ? DDB_SPIN_KEEP : 2 * DDB_SPIN_TRIAL))
        return;
    if (s->keeping) { /* a new trial */
        s->sum[0] = s->sum[1] = 0;
        s->count[0] = s->count[1] = 0;
    } else {
        s->choice = polling_won(s);
    }
    s->keeping = !s->keeping;
    s->n = 0;
}

int ddb_spin_next(ddb_spin *s, uint64_t now, int answered, int one)
{
    if (answered) {
        s->until = 0;
        if (!one) { /* with several connections the loop rarely waits anyway */
            s->answered_at = 0;
            return 0;
        }
        count_answer(s, now);
        if (!polls(s))
            return 0;
        s->until = now + DDB_SPIN_NS;
        return 1;
    }
    if (s->until != 0 && now < s->until)
        return 1;
    s->until = 0;
    return 0;
}
