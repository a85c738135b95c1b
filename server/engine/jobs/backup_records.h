/*
 * server/engine/jobs/backup_records.h: backup records as stored and read: "backup/<backup id>" in
 * the metadata space, JSON (docs/storage-format.md). What backups are and how they are made and
 * restored: backups.h; point-in-time recovery's base is one of them (pitr.h).
 */
#ifndef DDB_BACKUP_RECORDS_H
#define DDB_BACKUP_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/storage/storage.h"

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

/*
 * Adds backup b's record to `out` (a metadata put of "backup/<b->id>", arena memory): its Arn,
 * Name, Ns, Table, TableArn, TableId, SourceId, Keyspace, Created, Status, Source, and Kind
 * ("PITR"), Snapshot, or Type ("SYSTEM") with Expires when they apply (docs/storage-format.md).
 */
void ddb_backup_record_put(ddb_batch *out, ddb_arena *a, const ddb_backup *b);

/*
 * A backup record rewritten in place, as a job moves it on (a copy done, a base moved forward):
 * ddb_backup_edit_begin writes its members but those named in `drop` (NULL-ended) into e->w, the
 * caller writes their new values there, ddb_backup_edit_end stores the record. Begin returns 0, or
 * -1 when the record cannot be read (nothing to end); end returns 0 or -1.
 */
typedef struct ddb_backup_edit {
    const char *key;
    ddb_buf buf;
    ddb_jw w;
} ddb_backup_edit;
int ddb_backup_edit_begin(ddb_backup_edit *e, ddb_store *s, ddb_arena *a, const char *id, const char *const *drop);
int ddb_backup_edit_end(ddb_backup_edit *e, ddb_store *s, ddb_arena *a);

/* The billing mode of the backup's source table ("PROVISIONED" unless its description says). */
const char *ddb_backup_billing_mode(const ddb_backup *b);

/* The backup with this id; 0, 1 when there is none, -1 on a storage failure. */
int ddb_backup_load(ddb_store *s, ddb_arena *a, const char *id, ddb_backup *out);
/* The id part of a backup ARN (after "/backup/"), or NULL. */
const char *ddb_backup_id_of_arn(const char *arn);
/* Every backup of namespace `ns` after id `after` (NULL: from the first), in creation order; calls
   fn until it returns nonzero. Returns 0 or -1. */
int ddb_backup_each(ddb_store *s, const char *ns, const char *after, int (*fn)(void *ctx, const ddb_backup *b),
                    void *ctx);

#endif
