/*
 * server/engine/jobs/budget.h: the memory budget's trims (engine/history/retention.h): when a retained kind
 * holds more than its limit, its oldest entries go until it holds DDB_RETENTION_TARGET of it:
 *   - stream records: the oldest of all streams (streams_trim.h); a reader at a trimmed position
 *     gets TrimmedDataAccessException;
 *   - point-in-time histories: the oldest records are folded into their tables' bases (pitr.h),
 *     so the windows start later;
 *   - ClientRequestTokens: those that expire first (engine/idempotency.h);
 *   - Kinesis destinations' undelivered records: trimmed by their own worker (kinesis.h), which
 *     the same commit wakes.
 * Woken by the commit that takes a kind past its limit (the history feature's over_budget kicks the
 * worker), and checked at every sweep too: every second while a kind is still over its limit.
 */
#ifndef DDB_BUDGET_H
#define DDB_BUDGET_H

#include "server/engine/jobs/tasks.h"

/* Trims every kind over its limit; returns how many kinds it trimmed. */
int ddb_budget_trim(ddb_engine *eng);
/* Counts every kind again from what the store holds (after a snapshot restore replaced it). */
void ddb_budget_recount(ddb_engine *eng);

extern const ddb_job ddb_job_budget;

#endif
