/*
 * server/engine/jobs/batched.c: a long copy's writes, in batches (see batched.h).
 */
#include "server/engine/jobs/batched.h"

void ddb_batched_init(ddb_batched *w, ddb_store *s, int every)
{
    w->store = s;
    ddb_arena_init(&w->a);
    ddb_batch_init(&w->b, &w->a);
    w->n = 0;
    w->every = every;
}

int ddb_batched_count(ddb_batched *w)
{
    int rc;

    if (++w->n < w->every)
        return DDB_STORE_OK;
    rc = ddb_store_write(w->store, &w->b);
    ddb_arena_reset(&w->a);
    ddb_batch_init(&w->b, &w->a);
    w->n = 0;
    return rc;
}

int ddb_batched_end(ddb_batched *w, int rc)
{
    if (rc == DDB_STORE_OK && w->n > 0)
        rc = ddb_store_write(w->store, &w->b);
    ddb_arena_free(&w->a);
    return rc;
}
