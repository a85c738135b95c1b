/*
 * server/engine/jobs/indexes.h: indexes built and removed on the background worker.
 *
 *   - backfill: an index whose description says Backfilling is built from the table's items;
 *     progress is a cursor under "task/backfill/<index id>" in the metadata space (purge.h); when
 *     done the index turns ACTIVE. It first waits for a storage barrier, so every write decided
 *     under the description without the index has landed; later writes maintain it themselves.
 *   - removal: an index in state DELETING has its entries deleted (after a barrier: writes that
 *     still maintained it are done), then leaves the description, with the attribute
 *     definitions only it used.
 * One index at a time, the first that needs work in catalog order.
 */
#ifndef DDB_INDEXES_H
#define DDB_INDEXES_H

#include "server/engine/jobs/tasks.h"

extern const ddb_job ddb_job_indexes;

#endif
