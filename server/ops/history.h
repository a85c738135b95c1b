/*
 * server/ops/history.h: a table's backups and point-in-time history as the operations make and read
 * them: a new backup's members, DeleteTable's SYSTEM backup, the recovery window, and the removal
 * of the history (the backups and the log themselves: engine/jobs/backups.h, engine/jobs/pitr.h).
 */
#ifndef DDB_HISTORY_H
#define DDB_HISTORY_H

#include <stdint.h>

#include "server/engine/jobs/backups.h"
#include "server/ops/ops_common.h"

/* A new backup `id` of table t, named `name`, taken `now` (0: when its snapshot is taken) into
   keyspace `keyspace`, CREATING (engine/jobs/backups.h): its record's members. */
void ddb_backup_of_table(ddb_req *req, const ddb_table *t, const char *id, const char *name, uint64_t now,
                         uint32_t keyspace, ddb_backup *b);
/* DeleteTable's SYSTEM backup of a table with point-in-time recovery: its record, added to `out`
   (the catalog change's write); the table's keyspace must stay out of the purge. */
void ddb_backup_system_record(ddb_req *req, const ddb_table *t, ddb_batch *out);
/* A table's point-in-time recovery window. */
typedef struct ddb_pitr_window {
    uint64_t earliest, latest; /* ms */
    long long days;
    const char *base;          /* the base copy's backup id */
} ddb_pitr_window;
/* Table t's recovery window now; 0, 1 when recovery is off (or its base record is missing). */
int ddb_pitr_window_of(ddb_req *req, const ddb_table *t, ddb_pitr_window *w);

/* Adds to `b` the removal of table t's point-in-time history: its base's record, and
   a purge of the base's keyspace and of the log. Nothing when recovery is off. */
void ddb_pitr_purge_record(ddb_req *req, const ddb_table *t, ddb_batch *b);

#endif
