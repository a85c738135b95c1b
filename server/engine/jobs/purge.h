/*
 * server/engine/jobs/purge.h: deleted tables' keys, deleted on the background worker.
 *
 * DeleteTable (and disabling point-in-time recovery) commits a record "task/purge/<table id>"
 * (the ids of the keyspaces to delete: the table's, its indexes', its item collections') with the
 * catalog change; the worker deletes their keys, then the record, and the cursors of backfills
 * the deletion cut short (indexes.h). Each purge first waits for a storage barrier, so no write
 * decided under the old description is still in flight (engine/mutation.h).
 */
#ifndef DDB_PURGE_H
#define DDB_PURGE_H

#include <stddef.h>
#include <stdint.h>

#include "server/engine/jobs/tasks.h"

/* Where a backfill keeps its cursor: DDB_BACKFILL_PREFIX "%010u" of the index id (indexes.c). */
#define DDB_BACKFILL_PREFIX "task/backfill/"

/* Adds to `b` the record of a purge of the keyspaces `ids` (the first is the record's name). */
void ddb_task_purge_record(ddb_batch *b, ddb_arena *a, const uint32_t *ids, size_t n);
/* Adds to `b` the purge record of table t's keyspaces, as DeleteTable removes them: the table's
   (unless its point-in-time history keeps its items as a backup), its indexes', its item
   collections', a global table's write times. */
void ddb_task_purge_table(ddb_batch *b, ddb_arena *a, const ddb_table *t);
/* Deletes every key of keyspace `id` (a table's, an index's); 0 or a storage error. */
int ddb_purge_keyspace(ddb_store *s, uint32_t id);

/* The worker's table purges. */
extern const ddb_job ddb_job_table_purge;

#endif
