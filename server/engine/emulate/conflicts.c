/*
 * server/engine/emulate/conflicts.c: production's contention drawn at the options' rates
 * (conflicts.h).
 */
#include "server/engine/emulate/conflicts.h"

#include <stdlib.h>

#include "server/base/faults.h"

typedef struct rates {
    double write, transaction;
} rates;

void *ddb_conflicts_new(double write_rate, double transaction_rate)
{
    rates *r;

    if (write_rate <= 0 && transaction_rate <= 0)
        return NULL;
    if ((r = malloc(sizeof(*r))) == NULL)
        abort(); /* (at open, a few bytes) */
    *r = (rates){write_rate, transaction_rate};
    return r;
}

static void conflicts_close(void *state)
{
    free(state);
}

/* (a rate of 0 draws nothing from the sequence: faults.h) */
static int conflicts_write(const ddb_feature_slot *f)
{
    const rates *r = f->state;

    return ddb_fault_draw(r->write);
}

/* The draw, then the action it falls on, from the same sequence. */
static int conflicts_txn(const ddb_feature_slot *f, unsigned n)
{
    const rates *r = f->state;

    return ddb_fault_draw(r->transaction) ? (int)ddb_fault_pick(n) : -1;
}

const ddb_feature ddb_feature_conflicts = {.name = "conflicts",
                                           .close = conflicts_close,
                                           .contended = conflicts_write,
                                           .txn_contended = conflicts_txn};
