/*
 * server/engine/kinesis_member.h: the catalog member "ddbdKinesis" (a table's Kinesis streaming
 * destinations: [{"StreamArn", "Status", "Precision", "Description", "Log"}...]), read and written
 * by the catalog with the table's other members (catalog_members.c, catalog_edit.c). What a live
 * destination does with the writes, its change log, is the history feature's
 * (engine/history/kinesis_log.h).
 */
#ifndef DDB_KINESIS_MEMBER_H
#define DDB_KINESIS_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/table.h"

/* DestinationStatus, as DynamoDB names them */
#define DDB_KDS_STATUSES(X) X(ENABLING) X(ACTIVE) X(DISABLING) X(DISABLED) X(ENABLE_FAILED) X(UPDATING)
typedef enum ddb_kds_status {
#define X(s) DDB_KDS_##s,
    DDB_KDS_STATUSES(X)
#undef X
} ddb_kds_status;
const char *ddb_kds_status_name(ddb_kds_status s);

/* ApproximateCreationDateTimePrecision; NONE: never set (records carry milliseconds) */
#define DDB_KDS_PRECISIONS(X) X(MILLISECOND) X(MICROSECOND)
typedef enum ddb_kds_precision {
    DDB_KDS_PRECISION_NONE,
#define X(p) DDB_KDS_##p,
    DDB_KDS_PRECISIONS(X)
#undef X
} ddb_kds_precision;
const char *ddb_kds_precision_name(ddb_kds_precision p); /* NULL for NONE */
ddb_kds_precision ddb_kds_precision_parse(const char *name); /* NONE when unknown */

typedef struct ddb_kds_dest {
    const char *stream_arn;
    ddb_kds_status status;
    ddb_kds_precision precision;
    const char *description; /* DestinationStatusDescription, or NULL */
    uint32_t log;            /* its change log's keyspace; 0 once dropped (DISABLED, ENABLE_FAILED) */
} ddb_kds_dest;

/* Whether records are captured for it: ENABLING, ACTIVE or UPDATING. */
int ddb_kds_live(ddb_kds_status s);

/* Table t's destinations into an arena array with room for `room` more; their number. */
size_t ddb_table_kinesis(const ddb_table *t, ddb_arena *a, size_t room, ddb_kds_dest **out);
/* The log of t's live destination, 0 when none (catalog_members.c keeps it in t->kinesis_log). */
uint32_t ddb_kinesis_live_log(const ddb_json *desc);
/* Writes the member (none when n is 0). */
void ddb_member_write_kinesis(ddb_jw *w, const ddb_kds_dest *d, size_t n);

#endif
