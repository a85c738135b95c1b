/*
 * server/engine/history/retention.h: the memory budget of what ddbd keeps beyond the tables themselves
 * (--memory-budget, with --in-memory).
 *
 * DynamoDB keeps history for a while: stream records 24 hours, a point-in-time history its
 * recovery period (up to 35 days), a Kinesis destination's records until they are delivered (24
 * hours at most), TransactWriteItems' ClientRequestTokens 10 minutes. With --in-memory all of it is
 * process memory, and a day of stream records at benchmark rates is gigabytes. So each retained
 * kind has a limit, its share of the budget (DDB_RETAINED_KINDS' eighths), and the bytes it holds
 * (keys and values as stored) are counted: added by the commits that write them (the mutation
 * pipeline, a transaction's token), taken off by whatever deletes them (the windows' trims, a
 * delivery, the budget's trim). A commit that takes a kind past its limit calls the history
 * feature's over_budget (history.h), and the background worker (jobs/budget.h) then trims that kind's oldest
 * entries to DDB_RETENTION_TARGET of its limit: never table data. Its windows still apply
 * within the budget. docs/compatibility.md says what a client sees of a trim.
 *
 * Between the commit that passes a limit and the worker's trim, a kind may hold more than its
 * limit (what the commits of that moment add); the trim then takes it well below.
 *
 * Not counted: backups, which a client made and deletes (they are table data); ImportTable's and
 * bulk puts' ClientTokens, one small record per job.
 */
#ifndef DDB_RETENTION_H
#define DDB_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"
#include "server/base/batch.h"
#include "server/engine/engine.h"
#include "server/storage/storage.h"

/* X(ID, NAME, EIGHTHS): the kind, its name in /metrics, its share of the budget in eighths. */
#define DDB_RETAINED_KINDS(X)                                                                                          \
    X(STREAM, "stream_records", 4)                                                                                     \
    X(PITR, "pitr_history", 2)                                                                                         \
    X(KINESIS, "kinesis_records", 1)                                                                                   \
    X(TOKENS, "idempotency_tokens", 1)

typedef enum ddb_retained_kind {
#define X(id, name, eighths) DDB_RET_##id,
    DDB_RETAINED_KINDS(X)
#undef X
    DDB_RET__COUNT
} ddb_retained_kind;

/* A trim takes a kind down to this fraction of its limit, so that trims are rare and each one frees
   a quarter of the limit (compaction then rewrites at most the limit: engine/jobs/budget.h). */
#define DDB_RETENTION_TARGET(limit) ((limit) / 4 * 3)

/* --in-memory's default budget (64 MiB): streams' 32 MiB hold about 150,000 records of 200 bytes. */
#define DDB_MEMORY_BUDGET_DEFAULT (64ULL << 20)

typedef struct ddb_retention ddb_retention;

/* `budget` bytes shared by the kinds (0: no limit; the use is still counted). */
ddb_retention *ddb_retention_new(uint64_t budget);
void ddb_retention_free(ddb_retention *r);
/* Every count back to zero (the store was replaced: a snapshot restore recounts it). */
void ddb_retention_reset(ddb_retention *r);

uint64_t ddb_retention_limit(const ddb_retention *r, ddb_retained_kind k); /* 0: none */
uint64_t ddb_retention_used(const ddb_retention *r, ddb_retained_kind k);
/* The bytes a trim of kind k must free now: down to DDB_RETENTION_TARGET when it is over its
   limit, else 0. */
uint64_t ddb_retention_excess(const ddb_retention *r, ddb_retained_kind k);

/* Counts bytes that a commit stored (r may be NULL: nothing is counted). Returns 1 when they took
   the kind past its limit, or past another quarter of it above (the caller wakes the trim), else 0. */
int ddb_retention_add(ddb_retention *r, ddb_retained_kind k, uint64_t bytes);
/* ddb_retention_add on the engine's budget, and the wake-up of its trim (history.h's over_budget)
   when the kind went past its limit (history.c). */
void ddb_engine_retain(ddb_engine *eng, ddb_retained_kind k, uint64_t bytes);
/* The engine's budget (history.h's; NULL: none, retained history is not counted). */
ddb_retention *ddb_retention_of(const ddb_engine *eng);
/* Bytes deleted (never below zero). */
void ddb_retention_sub(ddb_retention *r, ddb_retained_kind k, uint64_t bytes);

/* The bytes a stored record takes, as counted: its key and value. A sequenced put's key is its
   prefix and the 8-byte number. */
uint64_t ddb_retention_record_bytes(size_t klen, size_t vlen);
/* The counted bytes of b's sequenced puts from op `from` on (what a record's writer just added). */
uint64_t ddb_retention_batch_bytes(const ddb_batch *b, size_t from);

/* The counted bytes of the sequenced records of keyspace `ks` (a stream's, a history's, a log's),
   or of [lo, hi) of them: a recount, or what a delete is about to take. */
uint64_t ddb_retention_count_seq(ddb_store *s, uint32_t ks);
uint64_t ddb_retention_count_seq_range(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);

const char *ddb_retained_kind_name(ddb_retained_kind k);

/* /metrics: ddbd_retained_bytes and ddbd_retained_limit_bytes, per kind. */
void ddb_retention_metrics(const ddb_retention *r, ddb_buf *out);

#endif
