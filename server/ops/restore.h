/*
 * server/ops/restore.h: a table created as a restore (RestoreTableFromBackup,
 * RestoreTableToPointInTime): the CreateTable request it makes, validated as CreateTable validates
 * one, and the table made CREATING for the background worker to fill (engine/jobs/backups.h).
 */
#ifndef DDB_RESTORE_H
#define DDB_RESTORE_H

#include <stdint.h>

#include "server/engine/jobs/backups.h"
#include "server/ops/ops_common.h"

/* The CreateTable request a restore makes: b's source description with the request's overrides. */
const ddb_json *ddb_restore_compose(ddb_req *req, const ddb_backup *b);
/*
 * Creates the request's TargetTableName as a restore of b (CREATING until the worker filled it),
 * to a point in time when `log` is set (its change log replayed up to when_ms), and answers its
 * TableDescription. Returns DDB_OK or the error recorded on req.
 */
int ddb_restore_start(ddb_req *req, const ddb_backup *b, uint32_t log, uint64_t when_ms);

#endif
