/*
 * server/engine/backups.h: on-demand backups and restores (CreateBackup ... RestoreTableFromBackup,
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
 * (InProgress, the source keyspace, the RestoreSummary members); it is CREATING, refusing reads
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
#include "server/storage/storage.h"

struct ddb_server;
typedef struct ddb_backups ddb_backups; /* snapshots of backups being copied (the worker's) */

#define DDB_BACKUP_PREFIX "backup/"

/* A backup record, parsed (arena memory). */
typedef struct ddb_backup {
    const char *id;          /* "<14-digit ms>-<8 hex>" */
    const char *arn;         /* arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id> */
    const char *name;        /* BackupName */
    const char *ns;          /* the namespace it belongs to (catalog.h) */
    const char *table;       /* the source table's name, ARN and TableId (UUID) */
    const char *table_arn;
    const char *table_uuid;
    const char *status;      /* CREATING, AVAILABLE */
    uint32_t source_id;      /* the source table's keyspace */
    uint32_t keyspace;       /* the copy's */
    uint64_t created_ms;
    unsigned long long size, items;
    const ddb_json *source;  /* the source table's stored description when the backup was taken */
    int pitr;                /* Kind "PITR": a point-in-time recovery base (pitr.h), not listed */
    int system;              /* Type "SYSTEM": made by DeleteTable of a table with point-in-time
                                recovery, in place (its keyspace is the deleted table's own) */
    uint64_t expires_ms;     /* a SYSTEM backup's end: DDB_SYSTEM_BACKUP_DAYS after its creation */
    const char *snapshot;    /* CREATING: the shared snapshot it is copied from (storage.h), or NULL */
} ddb_backup;

/* How long DynamoDB keeps the SYSTEM backup of a deleted table that had point-in-time recovery. */
#define DDB_SYSTEM_BACKUP_DAYS 35

/* The backup with this id; 0, 1 when there is none, -1 on a storage failure. */
int ddb_backup_load(ddb_store *s, ddb_arena *a, const char *id, ddb_backup *out);
/* The id part of a backup ARN (after "/backup/"), or NULL. */
const char *ddb_backup_id_of_arn(const char *arn);
/* Every backup of namespace `ns` after id `after` (NULL: from the first), in creation order; calls
   fn until it returns nonzero. Returns 0 or -1. */
int ddb_backup_each(ddb_store *s, const char *ns, const char *after, int (*fn)(void *ctx, const ddb_backup *b),
                    void *ctx);

/*
 * Stores a new backup record (JSON text `record`, Status CREATING) and hands `snap` (taken by the
 * caller, now owned by the worker) to the background worker, which copies the table from it: this
 * process's worker, or, for a snapshot the record names (shared: storage.h), the worker of
 * whichever gateway runs the background work. Returns 0 or -1 (then snap is released).
 */
int ddb_backup_start(struct ddb_server *srv, const char *id, const char *record, size_t len, ddb_store_snapshot *snap);
/* Deletes a backup: its record, and its keyspace through a purge task, in one write. 0 or -1. */
int ddb_backup_delete(struct ddb_server *srv, const ddb_backup *b);
/* Deletes the SYSTEM backups whose time is up (the worker's sweep), but none a restore still reads. */
void ddb_backups_expire(struct ddb_server *srv, uint64_t now_ms);

/*
 * Reads keyspace `id` (a table's items, or a backup's copy of them) as of `snap` (NULL: now), in
 * key order, calling fn with each stored key and its item decoded into `a`; both (and the item's
 * strings, which point into the stored value) are valid only during the call, and fn may reset `a`
 * before returning to keep memory flat. fn returns nonzero to stop. Returns DDB_STORE_OK, the
 * storage error that ended the pass (DDB_STORE_ECORRUPT for an undecodable value), or fn's value.
 * The key's first four bytes are the keyspace id; the rest is the table's key layout
 * (docs/storage-format.md), ddb_key_from_stored reads it.
 *   The table as of a backup: ddb_keyspace_each(store, NULL, backup.keyspace, ...) once the
 *   backup is AVAILABLE. The table now, consistently: snap = ddb_store_snapshot_take(store), then
 *   ddb_keyspace_each(store, snap, table->id, ...), then ddb_store_snapshot_release.
 */
int ddb_keyspace_each(ddb_store *s, const ddb_store_snapshot *snap, uint32_t id, ddb_arena *a,
                      int (*fn)(void *ctx, const char *key, size_t klen, const ddb_attr *item), void *ctx);

/* ---- the worker's side (tasks.c) ---- */

ddb_backups *ddb_backups_new(void);
/* Releases the snapshots still held (their backups are copied again from new ones at the next start). */
void ddb_backups_free(ddb_backups *b, ddb_store *s);
/*
 * One step of backup work: copies one CREATING backup, or fills one restoring table. Returns 1
 * when it did something, 0 when there was nothing to do. Stops between batches when
 * stopping(ctx) says so (the work resumes at the next start).
 */
int ddb_backups_work(struct ddb_server *srv, ddb_backups *bk, int (*stopping)(void *ctx), void *ctx);

#endif
