/*
 * server/engine/jobs/pitr.h: point-in-time recovery's history (UpdateContinuousBackups,
 * RestoreTableToPointInTime: ops/ops_pitr.c).
 *
 * History is a base plus a log. Enabling recovery stores "ddbdPitr" in the table's description
 * (catalog.h: {"Log": keyspace, "Base": backup id, "Since": ms, "Days": period}) and takes a base
 * copy exactly as CreateBackup does (backups.h: a snapshot, copied in the background into a
 * keyspace of its own), under a backup record of Kind "PITR" that ListBackups and DescribeBackup
 * do not show. From the catalog change on, every change the mutation pipeline commits to the
 * table also writes one log record in the same atomic batch (its format: engine/history/pitr_log.h).
 *
 * A restore to T fills the new table from the base (backups.c, as a restore from a backup), then
 * puts every log record with time <= T, in sequence order, through ddb_mutate (a put, or a
 * delete); for each item the last such record wins, which is its state at T.
 *
 * The trim (the background worker's sweep) folds the records older than the window into the base:
 * with C = now - RecoveryPeriodInDays, it first moves the base record's Created (the window's
 * start) to C, then writes the leading records with time <= C into the base keyspace (raw keys
 * and values: the base holds no index entries), then deletes them. A crash between the steps
 * leaves records the base already holds, which a restore (T >= C) replays again: the same state.
 * The trim and the start of a restore exclude each other (ddb_pitr_lock), and a history a restore
 * is still reading is not trimmed.
 */
#ifndef DDB_PITR_H
#define DDB_PITR_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/keycodec.h"
#include "server/engine/history/pitr_log.h"
#include "server/storage/storage.h"

/* Replays log `log` up to time `until_ms` (at until_ms itself, up to its record numbered
   `until_seq`; UINT64_MAX: every one) into table `table_id` (ddb_mutate); 0, -1 when the
   table went or on a storage error. *applied gets the number of records put. */
int ddb_pitr_replay(ddb_engine *eng, uint32_t table_id, uint32_t log, uint64_t until_ms, uint64_t until_seq,
                    size_t *applied);
/* The number of log `log`'s last record (0: none, or not known). */
uint64_t ddb_pitr_log_last(ddb_engine *eng, uint32_t log);

/* The memory budget's trim (engine/history/retention.h): folds the oldest records of all the histories,
   whatever their table, into their bases until they add up to `want` bytes; each window then
   starts later (EarliestRestorableDateTime moves up). Returns the bytes of log deleted. */
uint64_t ddb_pitr_trim_oldest(ddb_engine *eng, uint64_t want);
/* The worker's sweep (every expiry interval: expiry.h): folds the records older than each table's
   window into its base (see above). */
extern const ddb_job ddb_job_pitr_trim;

/* Held by a restore from its window check until its table exists, and by the trim. */
void ddb_pitr_lock(ddb_engine *eng);
void ddb_pitr_unlock(ddb_engine *eng);

/*
 * ---- reading the history, for exports (pitr_read.c) ----
 *
 * An export as of T, or of the changes in [from, to), reads the log once: every record before
 * `to` is kept (arena memory: the log's size up to `to`), sorted by key, and folded into one
 * ddb_pitr_change per item. The item's state at a time is its last record before that time, or
 * the base's copy when it has none (the base holds every item as of the window's start, and the
 * trim folds only records older than that into it). Both the export and the trim run on the
 * background worker, so the base and the log do not move while an export reads them.
 */
typedef struct ddb_pitr_change {
    const char *key;        /* the item's stored key without its table id */
    size_t klen;
    const char *before;     /* its image at `from`, when before_known (NULL: it did not exist) */
    size_t before_len;
    const char *after;      /* its image at `to` (NULL: it did not exist) */
    size_t after_len;
    uint64_t last_ms;       /* the time of its last record before `to` */
    int before_known;       /* a record before `from` says its state at `from` (else: the base) */
    int changed;            /* it has a record in [from, to) */
} ddb_pitr_change;

/* The items of log `log` with a record before to_ms, in key order; 0, or -1 on a storage error. */
int ddb_pitr_changes(ddb_store *s, ddb_arena *a, uint32_t log, uint64_t from_ms, uint64_t to_ms,
                     ddb_pitr_change **out, size_t *n);
/* The latest commit time among log `log`'s records (0: none); 0, or -1 on a storage error. */
int ddb_pitr_newest(ddb_store *s, uint32_t log, uint64_t *ms);
/* memcmp order of a change's key against a stored key without its table id. */
int ddb_pitr_keycmp(const ddb_pitr_change *c, const char *key, size_t klen);

#endif
