/*
 * server/engine/jobs/follow.c: a follower's thread over the engine (see follow.h).
 */
#include "server/engine/jobs/follow.h"

#include "server/base/gate.h"
#include "server/engine/catalog/catalog.h"

typedef struct held_pass {
    ddb_engine *eng;
    ddb_follow_pass pass;
    void *ctx;
} held_pass;

static int pass_held(void *arg, unsigned *wait_ms)
{
    held_pass *p = arg;
    ddb_gate_hold h;
    int rc;

    ddb_catalog_hold(p->eng->catalog, &h);
    rc = p->pass(p->ctx, wait_ms);
    ddb_catalog_unhold(p->eng->catalog, &h);
    return rc;
}

void ddb_follow_engine(ddb_engine *eng, ddb_worker *w, const ddb_follow_pace *pace, ddb_follow_pass pass, void *ctx)
{
    held_pass p = {eng, pass, ctx};

    ddb_follow(&w->sleeper, pace, pass_held, &p);
}
