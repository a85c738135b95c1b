/*
 * server/engine/pitr.h: point-in-time recovery's change log (UpdateContinuousBackups,
 * RestoreTableToPointInTime: ops/ops_pitr.c).
 *
 * History is a base plus a log. Enabling recovery stores "ddbdPitr" in the table's description
 * (catalog.h: {"Log": keyspace, "Base": backup id, "Since": ms, "Days": period}) and takes a base
 * copy exactly as CreateBackup does (backups.h: a snapshot, copied in the background into a
 * keyspace of its own), under a backup record of Kind "PITR" that ListBackups and DescribeBackup
 * do not show. From the catalog change on, every change the mutation pipeline commits to the
 * table also writes one log record, in the same atomic batch, as a sequenced put under the
 * 12-byte prefix <Log id, big-endian><8 zero bytes> (storage.h's ddb_batch_put_seq):
 *   u8 version (1) | u64 commit time in ms, big-endian | u32 key length | the item's stored key
 *   without its 4-byte table id | u32 image length | the new image's stored encoding (0: deleted)
 * The time is the server clock's when the change was decided, under the item's lock, so the
 * records of one item are in time order as in sequence order.
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

#include "arena.h"
#include "catalog.h"
#include "keycodec.h"
#include "storage.h"

struct ddb_server;

#define DDB_PITR_PREFIX_BYTES 12

/* Adds to `out` table t's log record of the item at `key` going to `new_raw` (NULL: deleted). */
void ddb_pitr_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const char *new_raw, size_t new_rawlen,
                         uint64_t now_ms, ddb_batch *out);

/* Replays log `log` up to time `until_ms` into table `table_id` (ddb_mutate); 0, -1 when the
   table went or on a storage error. *applied gets the number of records put. */
int ddb_pitr_replay(struct ddb_server *srv, uint32_t table_id, uint32_t log, uint64_t until_ms, size_t *applied);

/* Folds the records older than each table's window into its base (see above). */
void ddb_pitr_trim(struct ddb_server *srv, uint64_t now_ms);

/* Held by a restore from its window check until its table exists, and by the trim. */
void ddb_pitr_lock(void);
void ddb_pitr_unlock(void);

#endif
