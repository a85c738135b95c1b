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
    if (owner != NULL && turn.flush(owner) != 0)
        turn.failed = 1; /* (RocksDB never writes that buffer again: every answer of the turn fails) */
    return turn.failed ? -1 : 0;
}

int ddb_log_turn_end(void)
{
    int rc = ddb_log_turn_flush();

    turn.failed = 0;
    return rc;
}

void ddb_log_turn_owe(int (*flush)(void *owner), void *owner)
{
    if (turn.owner != NULL && turn.owner != owner)
        (void)ddb_log_turn_flush();
    turn.flush = flush;
    turn.owner = owner;
}
