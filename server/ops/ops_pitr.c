/*
 * server/ops/ops_pitr.c: point-in-time recovery: UpdateContinuousBackups,
 * DescribeContinuousBackups and RestoreTableToPointInTime (the history: engine/pitr.h).
 *
 * Shapes: the API reference and the AWS CLI's examples (captures of DynamoDB). A missing table is
 * TableNotFoundException "Table not found: <name>" (captured, ACK quirks DDB-TABLE-014), also for
 * RestoreTableToPointInTime's source. The window is [EarliestRestorableDateTime,
 * LatestRestorableDateTime]: the later of when recovery was enabled (the base copy's moment) and
 * now minus RecoveryPeriodInDays, up to now: ddbd's log is exact to the last write, where DynamoDB
 * lags about five minutes behind (docs/compatibility.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/arn.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/backups.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/history/pitr_log.h" /* ddb_edit_pitr */
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/handlers.h"
#include "server/ops/history.h"
#include "server/ops/ops_common.h"
#include "server/ops/restore.h"
#include "server/ops/table_desc.h"

#define DAY_MS 86400000ULL

/* The table named `name`, or NULL with TableNotFoundException. */
static const ddb_table *table_or_fail(ddb_req *req, const char *name)
{
    const ddb_table *t = name ? ddb_table_named(req, name) : NULL;

    if (t == NULL)
        ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", name ? name : "");
    return t;
}

/* {"ContinuousBackupsDescription": ...}: on-demand backups are always ENABLED. */
static void write_continuous_backups(ddb_req *req, const ddb_table *t)
{
    ddb_jw *w = &req->out;
    ddb_pitr_window win;
    int on = ddb_pitr_window_of(req, t, &win) == 0;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ContinuousBackupsDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ContinuousBackupsStatus");
    ddb_jw_str(w, "ENABLED");
    ddb_jw_key(w, "PointInTimeRecoveryDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "PointInTimeRecoveryStatus");
    ddb_jw_str(w, on ? "ENABLED" : "DISABLED");
    if (on) {
        ddb_jw_key(w, "RecoveryPeriodInDays");
        ddb_jw_int(w, win.days);
        ddb_jw_key(w, "EarliestRestorableDateTime");
        ddb_write_time_ms(w, win.earliest);
        ddb_jw_key(w, "LatestRestorableDateTime");
        ddb_write_time_ms(w, win.latest);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

int ddb_op_describe_continuous_backups(ddb_req *req)
{
    const ddb_table *t = table_or_fail(req, req->table);

    if (t == NULL)
        return req->err.code;
    write_continuous_backups(req, t);
    return DDB_OK;
}

/* Point-in-time recovery enabled: its log's keyspace, its base backup's id, its period. */
typedef struct pitr_state {
    uint32_t log;
    const char *base;
    long long days;
} pitr_state;

/*
 * Table t's description with recovery enabled as `p` says (NULL: disabled), `extra` committed with
 * it. 0, 2 on a lost race (the caller reloads), or an error recorded on req.
 */
static int store_pitr(ddb_req *req, const ddb_table *t, const pitr_state *p, const ddb_batch *extra,
                      const ddb_table **out)
{
    ddb_desc_edit *e = ddb_desc_edit_of(req->arena, t);
    int rc;

    if (p != NULL)
        ddb_edit_pitr(e, p->log, p->base, p->days);
    else
        ddb_edit_pitr_clear(e);
    ddb_edit_extra(e, extra);
    rc = ddb_catalog_commit(req->eng->catalog, e, out);
    if (rc == 2)
        return 2;
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", t->name);
    return rc == 0 ? 0 : ddb_req_fail_internal(req);
}

/*
 * Turns recovery on: the log first (every change decided under the new description writes a
 * record), a storage barrier (every change decided under the old one has landed), then the base's
 * snapshot, then its record, created at a clock read after the snapshot: every change in the base
 * is at or before that time, every change not in it is logged.
 */
static int enable(ddb_req *req, const ddb_table *t, long long days)
{
    uint32_t log, keyspace;
    char *id = ddb_arena_alloc(req->arena, 32);
    pitr_state p;
    const ddb_table *updated;
    ddb_batch extra;
    ddb_backup b;
    int rc;

    if ((log = ddb_catalog_new_id(req->eng->catalog)) == 0 || (keyspace = ddb_catalog_new_id(req->eng->catalog)) == 0)
        return ddb_req_fail_internal(req);
    ddb_xfer_new_id(id, ddb_clock_now_ms());
    p = (pitr_state){log, id, days};
    ddb_batch_init(&extra, req->arena);
    ddb_pitr_purge_record(req, t, &extra); /* a history left without its base by a restart */
    if ((rc = store_pitr(req, t, &p, &extra, &updated)) != 0)
        return rc;
    /* a write decided under the old description (no record) may still be committing: the barrier
       waits for it, so it is in the snapshot (storage.h); the window starts after the snapshot */
    ddb_backup_of_table(req, updated, id, "PITR", 0, keyspace, &b);
    b.pitr = 1;
    if (ddb_backup_create(req->eng, &b, 1) != 0)
        return ddb_req_fail_internal(req);
    return 0;
}

/* Whether a restore to a point in time still reads table t's history. */
static int history_in_use(ddb_req *req, const ddb_table *t)
{
    const ddb_table **tables;
    size_t n = ddb_catalog_snapshot(req->eng->catalog, req->arena, &tables);

    for (size_t i = 0; i < n; i++) {
        const ddb_json *log = ddb_json_get(ddb_json_get(tables[i]->desc, "ddbdRestore"), "Log");
        if (tables[i]->restoring && log != NULL && log->type == DDB_JSON_NUMBER &&
            strtoul(log->u.s, NULL, 10) == t->pitr.log)
            return 1;
    }
    return 0;
}

/* Turns recovery off: the base (its record, its keyspace) and the log go, by a purge task. */
static int disable(ddb_req *req, const ddb_table *t)
{
    const ddb_table *updated;
    ddb_batch extra;
    int rc;

    if (history_in_use(req, t))
        return ddb_req_fail(req, DDB_E_TABLE_IN_USE, "Table is being restored from: %s", t->name);
    ddb_batch_init(&extra, req->arena);
    ddb_pitr_lock(req->eng); /* not while the trim rewrites the base's record */
    ddb_pitr_purge_record(req, t, &extra);
    rc = store_pitr(req, t, NULL, &extra, &updated);
    ddb_pitr_unlock(req->eng);
    if (rc != 0)
        return rc;
    ddb_tasks_kick(req->eng->tasks);
    return 0;
}

int ddb_op_update_continuous_backups(ddb_req *req)
{
    const ddb_json *spec = ddb_json_get(req->in, "PointInTimeRecoverySpecification");
    const ddb_json *days_v = ddb_json_get(spec, "RecoveryPeriodInDays");
    int on = ddb_v_bool(ddb_json_get(spec, "PointInTimeRecoveryEnabled")); /* TRUE/1/YES are Booleans */
    long long days = ddb_v_present(days_v) ? (long long)ddb_v_number(days_v, 1) : 35;
    int rc = 2;

    for (int tries = 0; rc == 2 && tries < 16; tries++) {
        const ddb_table *t = table_or_fail(req, req->table), *updated;
        if (t == NULL)
            return req->err.code;
        if (t->restoring)
            return ddb_req_fail(req, DDB_E_TABLE_IN_USE, "Table is being restored: %s", t->name);
        ddb_pitr_window win;
        if (on && ddb_pitr_window_of(req, t, &win) == 0) { /* on already: only the period changes */
            pitr_state p = {t->pitr.log, t->pitr.base, days};
            rc = t->pitr.days == days ? 0 : store_pitr(req, t, &p, NULL, &updated);
        } else if (on) {
            rc = enable(req, t, days);
        } else {
            rc = t->pitr.log != 0 ? disable(req, t) : 0;
        }
        if (rc != 0 && rc != 2)
            return req->err.code;
    }
    if (rc != 0)
        return ddb_req_fail_internal(req);
    write_continuous_backups(req, ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns,
                                                                                 req->table)));
    return DDB_OK;
}

/* The table name in a table ARN ("arn:aws:dynamodb:<region>:<account>:table/<name>"), or NULL. */
static const char *name_of_arn(const char *arn)
{
    ddb_arn a;

    return arn != NULL && ddb_arn_parts(arn, strlen(arn), &a) == 0 && ddb_arn_type_is(&a, "table") &&
                   a.name_len > 0 && a.sub == NULL
               ? a.name
               : NULL;
}

static int restore(ddb_req *req, const ddb_table *t, int latest, const ddb_json *when);

int ddb_op_restore_table_to_point_in_time(ddb_req *req)
{
    const ddb_json *in = req->in;
    const char *name = ddb_json_get_str(in, "SourceTableName"), *arn = ddb_json_get_str(in, "SourceTableArn");
    const ddb_json *when = ddb_json_get(in, "RestoreDateTime");
    int latest = ddb_v_bool(ddb_json_get(in, "UseLatestRestorableTime"));
    const ddb_table *t;
    int rc;

    if ((name == NULL) == (arn == NULL))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            name == NULL ? "Either source table name or source table arn must be specified"
                                         : "Only one of source table name or source table arn can be specified");
    if (latest && ddb_v_present(when))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Only one of RestoreDateTime or UseLatestRestorableTime can be specified");
    if (!latest && !ddb_v_present(when))
        return ddb_req_fail(req, DDB_E_VALIDATION, "Either RestoreDateTime or UseLatestRestorableTime must be specified");
    if (name == NULL && (name = name_of_arn(arn)) == NULL)
        return ddb_req_fail(req, DDB_E_TABLE_NOT_FOUND, "Table not found: %s", arn);
    if (arn != NULL && ddb_arn_check_account(req, arn, strlen(arn)) != DDB_OK)
        return req->err.code;
    if ((t = table_or_fail(req, name)) == NULL)
        return req->err.code;
    ddb_pitr_lock(req->eng); /* the trim must not move the window until the restore's table exists (pitr.h) */
    rc = restore(req, t, latest, when);
    ddb_pitr_unlock(req->eng);
    return rc;
}

static int restore(ddb_req *req, const ddb_table *t, int latest, const ddb_json *when)
{
    uint64_t at;
    ddb_backup b;
    ddb_pitr_window win;

    if (ddb_pitr_window_of(req, t, &win) != 0)
        return ddb_req_fail(req, DDB_E_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%s'",
                            t->name);
    /* (a microsecond up: "…297.020" is 297019.99999… ms as a double) */
    at = latest ? win.latest : (uint64_t)(ddb_v_number(when, 0) * 1000.0 + 1e-3);
    if (!latest && (ddb_v_number(when, 0) < 0 || at < win.earliest || at > win.latest))
        return ddb_req_fail(req, DDB_E_INVALID_RESTORE_TIME,
                            "Restore time is not within the restorable window (between %llu.%03llu and %llu.%03llu)",
                            (unsigned long long)(win.earliest / 1000), (unsigned long long)(win.earliest % 1000),
                            (unsigned long long)(win.latest / 1000), (unsigned long long)(win.latest % 1000));
    if (ddb_backup_load(req->eng->store, req->arena, win.base, &b) != 0)
        return ddb_req_fail_internal(req);
    b.source = t->desc; /* the settings are the source table's now, as in DynamoDB */
    b.table_arn = ddb_table_arn(req, t);
    return ddb_restore_start(req, &b, t->pitr.log, at);
}
