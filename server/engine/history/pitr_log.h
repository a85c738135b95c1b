/*
 * server/engine/history/pitr_log.h: the change log of point-in-time recovery, as the mutation pipeline
 * writes it and its readers (the restore's replay, the trim, exports: engine/jobs/pitr.h) read it.
 *
 * While a table has recovery enabled ("ddbdPitr" in its description: {"Log": keyspace, "Base":
 * its base backup's id, "Days": its period}, a member of the history row: ddb_member_pitr below),
 * every change the mutation pipeline commits to it also writes one log record, in the same atomic
 * batch, as a sequenced put under the 12-byte prefix <Log id, big-endian><8 zero bytes> (storage.h's ddb_batch_put_seq):
 *   u8 version (1) | u64 commit time in ms, big-endian | u32 key length | the item's stored key
 *   without its 4-byte table id | u32 image length | the new image's stored encoding (0: deleted)
 * The time is the server clock's when the change was decided, under the item's lock, so the
 * records of one item are in time order as in sequence order.
 */
#ifndef DDB_PITR_LOG_H
#define DDB_PITR_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/feature.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"

#define DDB_PITR_PREFIX_BYTES 12

#define DDB_MEMBER_PITR "ddbdPitr"
/* "ddbdPitr", read into t->pitr, table.h's ddb_pitr_facts, once per table version: every reader
   (engine/jobs/pitr.h's trims, the exports, the restores) asks that, never the member. */
extern const ddb_table_member ddb_member_pitr;
struct ddb_desc_edit;
/* Recovery enabled: its log's keyspace, its base backup's id, its period; or disabled (cleared). */
void ddb_edit_pitr(struct ddb_desc_edit *e, uint32_t log, const char *base, long long days);
void ddb_edit_pitr_clear(struct ddb_desc_edit *e);

/* The sequenced-put prefix of log `log`. */
void ddb_pitr_log_prefix(uint32_t log, char out[DDB_PITR_PREFIX_BYTES]);

/* Adds to `out` table t's log record of the item at `key` going to `new_raw` (NULL: deleted). */
void ddb_pitr_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const char *new_raw, size_t new_rawlen,
                         uint64_t now_ms, ddb_batch *out);

/* One record, read in place. */
typedef struct ddb_pitr_record {
    uint64_t when;      /* its commit time, ms */
    const char *key;    /* the item's stored key without its table id */
    size_t klen;
    const char *img;    /* the new image's stored encoding; NULL: deleted */
    size_t ilen;
} ddb_pitr_record;

/* Parses a record's value; 0, or -1 when it is not one this version reads. */
int ddb_pitr_record_parse(const char *v, size_t vlen, ddb_pitr_record *r);

#endif
