/*
 * server/engine/jobs/backups.h: on-demand backups and restores (CreateBackup ... RestoreTableFromBackup,
 * ops/ops_backups.c), and reading a keyspace as of a moment (for exports).
 *
 * A backup is a record in the metadata space, "backup/<backup id>" (JSON, docs/storage-format.md),
 * plus a copy of the table's items in a keyspace of its own: a new id from the catalog's counter,
 * each item key with its first four bytes (the table id) replaced by that id, so the copy keeps
 * the items' partition hashes and placement, and nothing but the keyspace id tells it apart.
 * Index entries and item collection sizes are not copied: a restore derives them again through
 * the mutation pipeline, exactly as writes derive them.
 *
 * CreateBackup takes a storage snapshot in the request (cheap: no copy, no lock) and stores the
 * record with Status CREATING; the background worker (tasks.h) copies the table's items as of
 * that snapshot, then marks the record AVAILABLE with its size and count. Writes go on meanwhile:
 * the snapshot hides them. A restart before the copy finished loses the snapshot (it lives in
 * memory), so the worker copies again from a snapshot taken then (the backup then holds the
 * table as of that restart; its creation time stays the request's).
 *
 * A restore creates the target table through the catalog with "ddbdRestore" in its description
 * (InProgress, the source keyspace, the RestoreSummary members: the member of the backups row,
 * server/features.def, which the catalog reads into t->restoring and t->restore_from); it is CREATING, refusing reads
 * and writes, while the worker puts every backed-up item through ddb_mutate (items, index
 * entries, collection sizes, per-table figures), saving a cursor "task/restore/<table id>" after
 * every batch, so a restart resumes it; then InProgress turns false and the table ACTIVE.
 * A restore to a point in time ("ddbdRestore" with "Log" and "Until", pitr.h) then replays the
 * source's change log up to that time before it turns ACTIVE.
 *
 * DeleteTable of a table with point-in-time recovery leaves a SYSTEM backup in place: its record
 * (Type "SYSTEM", Expires) names the deleted table's own keyspace, which the table's purge leaves
 * out, so nothing is copied and a crash cannot separate the two; the worker counts the items and
 * marks it AVAILABLE, and the sweep deletes it when it expires (ddb_backups_expire).
 */
#ifndef DDB_BACKUPS_H
#define DDB_BACKUPS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "server/engine/feature.h"
#include "server/engine/jobs/backup_records.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/read.h" /* ddb_keyspace_each */
#include "server/storage/storage.h"

typedef struct ddb_backups ddb_backups; /* snapshots of backups being copied (the worker's) */

/* ---- the table member "ddbdRestore" ---- */

#define DDB_MEMBER_RESTORE "ddbdRestore"

/* A restore into a new table, as ddb_edit_restore takes it. */
typedef struct ddb_restore_member {
    uint32_t keyspace;       /* the items it is filled from */
    uint32_t log;            /* to a point in time: the source's change log, replayed up to at_ms; 0: from a backup */
    const char *backup_arn;  /* from a backup: SourceBackupArn */
    const char *table_arn;   /* SourceTableArn */
    uint64_t at_ms;          /* RestoreDateTime (and, to a point in time, the end of the replay) */
    uint64_t until_seq;      /* to a point in time: the log's last record when the restore was asked
                                (0: none known); of at_ms's own millisecond the replay takes no later
                                record (a change made after the request is no part of it, though made
                                in the same millisecond: a frozen clock's) */
} ddb_restore_member;

/* The row that owns "ddbdRestore" (its state: none, NULL). */
extern const ddb_feature ddb_feature_backups;
struct ddb_desc_edit;
/* A restore into a new table, in progress until the worker has filled it. */
void ddb_edit_restore(struct ddb_desc_edit *e, const ddb_restore_member *r);
/* The restore is done: "ddbdRestore" as it is, InProgress false. */
void ddb_edit_restore_done(struct ddb_desc_edit *e);

/*
 * Creates backup b (Status CREATING): takes a snapshot of the store (after a storage barrier with
 * `barrier`), stores b's record, which names the snapshot when other gateways can open it
 * (shared: storage.h), and hands the snapshot to the background worker, which copies the table
 * from it: this process's worker, or the worker of whichever gateway runs the background work.
 * A b->created_ms of 0 becomes the clock's time after the snapshot (a point-in-time base: every
 * change in it is at or before that time). Returns 0 or -1.
 */
int ddb_backup_create(ddb_engine *eng, const ddb_backup *b, int barrier);
/* Deletes a backup: its record, and its keyspace through a purge task, in one write. 0 or -1. */
int ddb_backup_delete(ddb_engine *eng, const ddb_backup *b);
/* Deletes the SYSTEM backups whose time is up (the worker's sweep), but none a restore still reads. */
void ddb_backups_expire(ddb_engine *eng, uint64_t now_ms);

/*
 * The worker's side. ddb_job_backups: one step of backup work at a time, a copy of one CREATING
 * backup or the fill of one restoring table (stopping between batches when the worker stops: the
 * work resumes at the next start); its state holds the snapshots of backups being copied (those
 * still held when it stops are released, and their backups copied again from new ones at the next
 * start). ddb_job_backup_expiry: expired backups deleted (every expiry interval: expiry.h).
 */
extern const ddb_job ddb_job_backups;
extern const ddb_job ddb_job_backup_expiry;

#endif
