/*
 * client/cli/replay_polls.h: a poll of a background job's state, replayed until the replayed server
 * got as far as the recorded one had (docs/record-replay.md, "Polls").
 *
 * A client waits for a job the server runs behind its answers (a restore, a backup, an index's
 * backfill, an export, an import, a table's creation under --table-states) by describing its
 * state until it is done: an SDK's waiter, a test's loop. The replayed server runs those jobs at
 * its own pace, so a poll may find one less far along than recorded (CREATING where ACTIVE was),
 * and the requests after it (a Scan of the restored table) then fail; or further along (ACTIVE
 * where CREATING was), or as far but with other figures (a restore's items counted so far), which
 * is the job's timing, not a difference of the server's. A state is the
 * statuses the answer holds (STATES: DescribeTable's table, indexes and replicas, DescribeBackup's
 * backup, ListBackups' backups, ...); one of them is in progress when it ends in ING or is
 * IN_PROGRESS.
 */
#ifndef DDB_CLI_REPLAY_POLLS_H
#define DDB_CLI_REPLAY_POLLS_H

#include <stddef.h>

#include "proto/json_scan.h"

enum {
    RP_POLL_SAME,   /* the recorded state, done (or no state): compared as any answer */
    RP_POLL_BEHIND, /* the replay's state is in progress and not the recorded one: poll again */
    RP_POLL_MOVING, /* the recorded state was in progress, the replay's is that one or got past it:
                       not compared (a job's figures as it goes, and how far it got, are its timing) */
};

/* Whether operation `op` (its name, unquoted) describes a job's state: a poll. */
int rp_poll_is(ddb_jspan op);
/* Where the replayed answer (body, len) of poll op stands against the recorded one (recorded). */
int rp_poll_compare(ddb_jspan op, ddb_jspan recorded, const char *body, size_t len);

#endif
