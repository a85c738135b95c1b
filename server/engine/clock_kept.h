/*
 * server/engine/clock_kept.h: the clock's high mark (base/clock.h's ddb_clock_high_ms) kept in the
 * store across a restart.
 *
 * What has come due stays due by the high mark: a table ACTIVE once its --table-states time passed
 * is not CREATING again after the clock is moved back (nor an index, nor a replica). The mark lives
 * in memory, so a server stopped after such a step and started again (its --clock frozen at the
 * start, then set to where the test had it) showed those tables CREATING, and refused their items,
 * until the clock passed their due time once more. A step back now writes the mark under the
 * metadata key `ddbd/clock_high` (docs/storage-format.md) as the step is made (jobs/tasks.h's
 * ddb_tasks_step_clock), before the admin door answers; the next start raises its mark to it
 * before any request. Only a step back writes (the only move that raises the mark), so a clock that
 * has only moved forward keeps nothing: a restart at an earlier --clock is then a clock of its own,
 * as before (docs/admin.md, "The clock").
 */
#ifndef DDB_CLOCK_KEPT_H
#define DDB_CLOCK_KEPT_H

#include <stdint.h>

#include "server/storage/storage.h"

/* After a move of the clock (POST /ddbd/clock): writes the mark when the move raised it above
   `before`, the mark before the move (ddb_clock_high_mark_ms). */
void ddb_clock_high_keep(ddb_store *store, uint64_t before);
/* At start, once the store is open and before any request: the kept mark, if any, raises the
   clock's (ddb_clock_note_high). */
void ddb_clock_high_restore(ddb_store *store);

#endif
