/*
 * server/engine/tasks.h: background work on a worker thread, never on the HTTP loops.
 *
 * Work is persisted, so a restart (or a kill -9) resumes it:
 *   - index backfill: an index whose description says Backfilling is built from the table's
 *     items; progress is a cursor under "task/backfill/<index id>" in the metadata space; when
 *     done the index turns ACTIVE;
 *   - index purge: an index in state DELETING has its entries deleted, then leaves the
 *     description;
 *   - backups and restores (engine/backups.h): a backup's copy of its table, a restore's fill;
 *   - table purge: DeleteTable commits a record "task/purge/<table id>" (the ids of the table and
 *     its indexes) with the catalog change; the worker deletes their keys, then the record.
 *   - exports and imports (engine/xfer.h): every record IN_PROGRESS is run to its end (one at a
 *     time; other work waits meanwhile), and run again from the beginning after a restart;
 *   - items whose Time to Live passed (engine/ttl.h) are deleted every --ttl-interval seconds;
 *   - ClientRequestToken records (engine/idempotency.h) are deleted once expired, and stream
 *     records older than 24 hours and streams disabled 24 hours ago (engine/streams.h) too, swept
 *     every minute (or every idempotency window, when shorter, or at once when the clock moved).
 * Each purge first waits for a storage barrier, so no write decided under the old description is still
 * in flight (engine/mutation.h). Gateways sharing a store (RADOS) all find the same work; the one
 * holding the lease "tasks" (engine/lease.h) does it, the others take it over when it stops.
 */
#ifndef DDB_TASKS_H
#define DDB_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/storage/storage.h"

struct ddb_server;
typedef struct ddb_tasks ddb_tasks;

ddb_tasks *ddb_tasks_start(struct ddb_server *srv);
/* Stops the worker between two steps (work left is resumed at the next start). */
void ddb_tasks_stop(ddb_tasks *t);
/* Wakes the worker: a catalog change may have left work. */
void ddb_tasks_kick(ddb_tasks *t);
/* Wakes it to sweep what expired now, whenever it last did (the clock moved: clock.h). */
void ddb_tasks_sweep_now(ddb_tasks *t);
/* The snapshots of backups being copied, which CreateBackup hands over (engine/backups.h). */
struct ddb_backups *ddb_tasks_backups(ddb_tasks *t);
/* Adds to `b` the record of a purge of the keyspaces `ids` (the first is the record's name). */
void ddb_task_purge_record(ddb_batch *b, ddb_arena *a, const uint32_t *ids, size_t n);

#endif
