/*
 * server/base/stripe.c: stripes handed to threads in turn (see stripe.h).
 */
#include "server/base/stripe.h"

unsigned ddb_stripe_self(void)
{
    static unsigned next;
    static __thread unsigned mine; /* 0: none yet; else the stripe + 1 */

    if (mine == 0)
        mine = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % DDB_STRIPES + 1;
    return mine - 1;
}
