/*
 * server/engine/jobs/expiry.h: how often what expires is swept, and the sweep of ClientRequestTokens.
 *
 * Records that outlive their use (ClientRequestTokens, stream records, point-in-time histories,
 * backups past their expiry) are swept every minute, or every idempotency window when that is
 * shorter, so a token is gone soon after its window (engine/idempotency.h).
 */
#ifndef DDB_EXPIRY_H
#define DDB_EXPIRY_H

#include "server/engine/jobs/tasks.h"

/* The sweep interval of expiring records, in ms. */
uint64_t ddb_expiry_interval(ddb_engine *eng);

/* The worker's sweep of expired ClientRequestToken records. */
extern const ddb_job ddb_job_tokens;

#endif
