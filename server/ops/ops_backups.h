/*
 * server/ops/ops_backups.h: what point-in-time recovery (ops_pitr.c) shares with on-demand
 * backups (ops_backups.c).
 */
#ifndef DDB_OPS_BACKUPS_H
#define DDB_OPS_BACKUPS_H

#include <stdint.h>

#include "server/engine/jobs/backups.h"
#include "server/ops/ops_common.h"

/* A backup record's JSON text (engine/backups.h) for table t, copied from `snap`; `kind` NULL for a
   user's backup (named by the request's BackupName), "PITR" for a point-in-time recovery base. */
const char *ddb_backup_record(ddb_req *req, const ddb_table *t, const char *arn, uint64_t now, uint32_t keyspace,
                              const char *kind, const ddb_store_snapshot *snap, size_t *len);
/* DeleteTable's SYSTEM backup of a table with point-in-time recovery: its record, added to `out`
   (the catalog change's write); the table's keyspace must stay out of the purge. */
void ddb_backup_system_record(ddb_req *req, const ddb_table *t, ddb_batch *out);
/* The CreateTable request a restore makes: b's source description with the request's overrides. */
const ddb_json *ddb_restore_compose(ddb_req *req, const ddb_backup *b);
/*
 * Creates the request's TargetTableName as a restore of b (CREATING until the worker filled it),
 * to a point in time when `log` is set (its change log replayed up to when_ms), and answers its
 * TableDescription. Returns DDB_OK or the error recorded on req.
 */
int ddb_restore_start(ddb_req *req, const ddb_backup *b, uint32_t log, uint64_t when_ms);

/* A table's point-in-time recovery window (ops_pitr.c). */
typedef struct ddb_pitr_window {
    uint64_t earliest, latest; /* ms */
    long long days;
    const char *base;          /* the base copy's backup id */
} ddb_pitr_window;
/* Table t's recovery window now; 0, 1 when recovery is off (or its base record is missing). */
int ddb_pitr_window_of(ddb_req *req, const ddb_table *t, ddb_pitr_window *w);

/* Adds to `b` the removal of table t's point-in-time history (ops_pitr.c): its base's record, and
   a purge of the base's keyspace and of the log. Nothing when recovery is off. */
void ddb_pitr_purge_record(ddb_req *req, const ddb_table *t, ddb_batch *b);

#endif
