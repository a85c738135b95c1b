/*
 * server/base/log_turn.c: what a loop owes its log, per thread (log_turn.h).
 */
#include <stddef.h>

#include "server/base/log_turn.h"

__thread struct ddb_log_turn ddb_log_turn_self;
#define turn ddb_log_turn_self

void ddb_log_turn_defer(void)
{
    turn.defer = 1;
}

int ddb_log_turn_deferring(void)
{
    return turn.defer;
}

int ddb_log_turn_flush(void)
{
    void *owner = turn.owner;

    turn.owner = NULL;
    return owner != NULL ? turn.flush(owner) : 0;
}

void ddb_log_turn_owe(int (*flush)(void *owner), void *owner)
{
    if (turn.owner != NULL && turn.owner != owner)
        (void)ddb_log_turn_flush();
    turn.flush = flush;
    turn.owner = owner;
}
