/*
 * server/engine/history/kinesis_member.h: the table member "ddbdKinesis" (a table's Kinesis
 * streaming destinations: [{"StreamArn", "Status", "Precision", "Description", "Log"}...]), one of
 * the history row's members (engine/feature.h's ddb_table_member): the catalog reads it into every
 * table version (t->kinesis_log), ddb_edit_kinesis writes it. What a live destination does with
 * the writes, its change log, is kinesis_log.h's.
 */
#ifndef DDB_HISTORY_KINESIS_MEMBER_H
#define DDB_HISTORY_KINESIS_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/feature.h"
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
/* The member: read into t->kinesis_log (the live destination's change log, 0 when none is live). */
extern const ddb_table_member ddb_member_kinesis;
/* The destinations, in order (none: the member is left out). */
struct ddb_desc_edit;
void ddb_edit_kinesis(struct ddb_desc_edit *e, const ddb_kds_dest *d, size_t n);

#endif
