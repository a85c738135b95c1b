/*
 * server/engine/jobs/expiry.c: the expiry interval and the tokens' sweep (see expiry.h).
 */
#include "server/engine/jobs/expiry.h"

#include "server/base/log.h"
#include "server/engine/idempotency.h"
#include "server/engine/history/retention.h"

#define SWEEP_MS (60 * 1000ULL)

uint64_t ddb_expiry_interval(ddb_engine *eng)
{
    uint64_t ttl = ddb_tokens_ttl(eng->tokens);

    return ttl < SWEEP_MS ? ttl : SWEEP_MS;
}

static void sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    uint64_t freed;

    (void)state;
    if (ddb_tokens_expire(eng->tokens, eng->store, now_ms, 0, &freed) < 0)
        ddb_log(DDB_LOG_ERROR, "tasks: expiring transaction tokens failed; retried later");
    ddb_retention_sub(ddb_retention_of(eng), DDB_RET_TOKENS, freed);
}

const ddb_job ddb_job_tokens = {.name = "tokens", .sweep = sweep, .interval = ddb_expiry_interval};
