/*
 * server/engine/xfer/xfer.h: exports to and imports from object stores (ExportTableToPointInTime,
 * ImportTable), as persisted background work.
 *
 * Each export or import is a record in the metadata space, "export/<id>" or "import/<id>", whose
 * value is the JSON DescribeExport or DescribeImport renders (ExportDescription,
 * ImportTableDescription) plus ddbd's own members, prefixed "ddbd" and never rendered: ddbdNs
 * (the namespace of the request, catalog.h) and ddbdTableId. An id is "<14-digit epoch ms>-<8 hex
 * digits>", DynamoDB's shape, so ids sort by creation. The handler (ops/ops_export.c) writes the
 * record IN_PROGRESS and kicks the worker (tasks.h), which runs every IN_PROGRESS record to its
 * end, updating it as it goes (an import's counts every few thousand items), and COMPLETED or
 * FAILED (an import whose table was deleted meanwhile: CANCELLED). A record still IN_PROGRESS at
 * a start (the process stopped during the work) is run again from the beginning.
 *
 * A bulk put (StartBulkPutItems) is a record "bulk/<id>" (BulkOperationDescription), run the same
 * way but resumed from its checkpoint rather than from the beginning (bulk.c).
 *
 * Files: export.c writes DynamoDB's export layout (docs/export-import.md); import.c reads it, ION
 * and CSV (csv.h); bulk.c loads it into an existing table; reader.h is what the two readers share,
 * bulk_batch.h their read-ahead and batched commit; objstore.h holds the buckets; ion.h the Ion text.
 */
#ifndef DDB_XFER_H
#define DDB_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "server/engine/engine.h"
#include "server/storage/storage.h"


#define DDB_EXPORT_PREFIX "export/"
#define DDB_IMPORT_PREFIX "import/"
#define DDB_BULK_PREFIX "bulk/"
#define DDB_BULK_CANCEL_PREFIX "bulkcancel/" /* a CancelBulkOperation's mark, "{}" */

/* A new id, "<14-digit epoch ms>-<8 hex digits>". */
void ddb_xfer_new_id(char out[32], uint64_t now_ms);
/* "2020-11-04T07:28:34.028Z" */
void ddb_xfer_iso_time(char out[32], double epoch_seconds);

/* The record <prefix><id> (an OBJECT, arena memory), or NULL when there is none. */
const ddb_json *ddb_xfer_load(ddb_store *s, ddb_arena *a, const char *prefix, const char *id);
/* Every record id under prefix, in order (arena memory). */
size_t ddb_xfer_ids(ddb_store *s, ddb_arena *a, const char *prefix, const char ***ids);
/* What the finished transfers of one kind bill (the cost report's "exports", "imports"): those
   COMPLETED whose StartTime is at or after since_ms, counted, and their billed bytes (an export's
   BilledSizeBytes, an import's ProcessedSizeBytes: the uncompressed source) summed. */
typedef struct ddb_xfer_bill {
    double count, bytes;
} ddb_xfer_bill;
/* The exports' bill, or with `import` the imports'. */
ddb_xfer_bill ddb_xfer_billed(ddb_store *s, ddb_arena *a, int import, uint64_t since_ms);
/* Stores a record's JSON text. 0 or a ddb_store_rc. */
int ddb_xfer_store(ddb_store *s, const char *prefix, const char *id, const char *json, size_t len);

/* A member a record update sets (the others are kept). */
typedef struct ddb_xfer_set {
    const char *name;
    enum { XS_STR, XS_INT, XS_TIME, XS_RAW } kind; /* XS_TIME: epoch seconds, ms precision; XS_RAW: JSON text */
    const char *s;
    long long i;
    double t;
} ddb_xfer_set;
/* Rewrites record <prefix><id> from `old` with the members of `set` replaced or added. */
int ddb_xfer_update(ddb_store *s, const char *prefix, const char *id, const ddb_json *old, const ddb_xfer_set *set,
                    size_t n);

/* Writes a record's members but ddbd's own (DescribeExport, DescribeImport, the creating call). */
void ddb_xfer_render(ddb_jw *w, const ddb_json *rec);

/* Whether the worker should stop (a restart resumes the work). */
typedef int (*ddb_xfer_stop)(void *ctx);



/* One export and one import (export.c, import.c). An export returns 0 when it did not run yet
   (it waits for its point-in-time history's base copy), else 1. */
int ddb_export_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx);
void ddb_import_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx);
/* One StartBulkPutItems operation (bulk.c), resumed from its checkpoint: "bulk/<id>" records, whose
   status is BulkOperationStatus, IN_PROGRESS or CANCELLING while it runs. */
void ddb_bulk_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx);

#endif
