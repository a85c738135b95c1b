/*
 * server/engine/history/kinesis_log.h: a table's Kinesis streaming destinations and their change log, as
 * the operations (ops/ops_kinesis.c), the mutation pipeline and the delivery worker
 * (engine/jobs/kinesis.h) share them.
 *
 * The destinations are the catalog member "ddbdKinesis": [{"StreamArn", "Status", "Precision",
 * "Description", "Log"}...], one per stream ARN ever enabled on the table (DynamoDB lists DISABLED
 * and ENABLE_FAILED entries too), at most one of them live (ENABLING, ACTIVE or UPDATING). While a
 * destination is live, every change the mutation pipeline commits to the table also writes a record
 * to the destination's log, in the same atomic batch: a sequenced put under the 12-byte prefix
 * <Log, big-endian><8 zero bytes>, in streams.h's record format with both images. The worker
 * delivers the log in number order and keeps its cursor, the last number delivered, in the metadata
 * space ("kinesis/<Log, 10 digits>"); delivered records are deleted.
 */
#ifndef DDB_KINESIS_LOG_H
#define DDB_KINESIS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "server/engine/history/kinesis_member.h"
#include "server/engine/table.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"

#define DDB_KINESIS_PREFIX_BYTES 12
void ddb_kinesis_log_prefix(uint32_t log, char out[DDB_KINESIS_PREFIX_BYTES]);
/* The metadata key of a log's cursor. */
const char *ddb_kinesis_cursor_key(ddb_arena *a, uint32_t log);

/* Adds to `out` the record of a change (see ddb_stream_add_record) to t's live destination's log;
   its time is in microseconds (the record's "ms" field holds them in this log). */
void ddb_kinesis_add_record(ddb_arena *a, const ddb_table *t, const ddb_attr *keys_src, const char *old_raw,
                            size_t old_rawlen, const char *new_raw, size_t new_rawlen, int flags, uint64_t now_us,
                            ddb_batch *out);

#endif
