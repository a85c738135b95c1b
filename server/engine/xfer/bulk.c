/*
 * server/engine/xfer/bulk.c: one StartBulkPutItems operation, on the background worker (see xfer.h).
 *
 * Every object under InputS3Configuration's prefix (in key order, at most BULK_MAX_OBJECTS) is
 * read as a stream through a window of bounded size and decompressed (reader.h), and each line (DYNAMODB_JSON or ION, as ImportTable reads them:
 * reader.h) is checked as PutItem checks it and put through the mutation pipeline into the EXISTING
 * table, a batch of puts of distinct keys in one commit (ddb_xfer_commit: a commit per item was a
 * third of a load's cost, a WAL write and a lock round each), the batches prepared ahead by a
 * thread of their own (bulk_batch.h) while the worker commits. A record may carry a
 * ConditionExpression (with its ExpressionAttributeNames and ExpressionAttributeValues, PutItem's
 * members beside its Item: the developer guide's per-item conditions), evaluated against the item
 * there as PutItem's is. A record that fails counts in FailedItemCount and, when OutputType holds
 * ERROR, gets a line in the report (docs/export-import.md), in record order, with PutItem's
 * message; one whose condition is false is processed, not failed (the API reference), and gets a
 * line "The conditional request failed" when OutputType holds CONDITION_CHECK_FAILURE. MaxWriteRequestUnits is a token
 * bucket on the write units the puts consume: a batch waits for a unit, then takes what its
 * commit charged (a batch holds a tenth of a second's units at most).
 * BulkOperationUsage has the bytes written to the table and to each index.
 *
 * Resuming: every CHECKPOINT_ITEMS items or CHECKPOINT_MS, one record write stores the counters
 * with the checkpoint (ddbdObject: the object being read, ddbdLine: the lines of it done, -1 when
 * all are) and the report lines since the last one go to their own report object (numbered by
 * ddbdReports), so after a stop or a kill -9 the load resumes at the checkpoint: the items after
 * it are put again (a put is idempotent) and their report object rewritten, never counted twice.
 * A checkpoint commits the batch first, so every line it counts is written.
 * The checkpoint is also where a CancelBulkOperation (the record CANCELLING) is noticed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/mutation.h"
#include "server/engine/xfer/bulk_batch.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/reader.h"
#include "server/engine/xfer/xfer.h"

#define CHECKPOINT_ITEMS 5000
#define CHECKPOINT_MS 250
#define BULK_MAX_OBJECTS 50000
#define USAGE_INDEXES (2 * DDB_MAX_INDEXES) /* indexes a load can meet (some replaced meanwhile) */

/* BulkOperationUsage's map of each kind of index, and its member of bytes. */
static const struct {
    ddb_index_kind kind;
    const char *member, *bytes;
} usage_maps[] = {{DDB_IX_GLOBAL, "GlobalSecondaryIndexes", "BulkPutBytes"},
                  {DDB_IX_LOCAL, "LocalSecondaryIndexes", "BulkPutBytes"},
                  {DDB_IX_VECTOR, "VectorIndexes", "BulkPutVectorBytes"}};

/* The bytes written to one index (BulkOperationUsage), by name; a vector index's are vector bytes. */
typedef struct index_usage {
    char name[256];
    ddb_index_kind kind;
    long long bytes;
} index_usage;

typedef struct bulk {
    ddb_engine *eng;
    const char *id, *ns, *table, *arn;
    uint32_t table_id;
    int ion, report_errors, report_conditions; /* OutputType's ERROR, CONDITION_CHECK_FAILURE */
    ddb_xfer_comp comp;
    ddb_objstore in, out;
    const char *out_prefix;
    /* the persisted progress */
    long long processed, failed, bytes, table_bytes, reports;
    index_usage ix[USAGE_INDEXES];
    unsigned nix;
    const char *ckpt_key;
    long long ckpt_line;
    /* since the last checkpoint */
    long long since;
    uint64_t last_ckpt; /* ddb_clock_mono_ms */
    ddb_buf report;
    /* the rate limit: tokens of write units, refilled at `rate` a second (0: none) */
    double rate, tokens, refilled;
    const char *key; /* the object being read */
    ddb_bulk_reader reader;
    ddb_arena arena;
    int cancelled, stopped;
    const char *failure_code;
    char failure[600];
} bulk;

static int status_is(const ddb_json *rec, const char *status)
{
    const char *v = ddb_json_get_str(rec, "BulkOperationStatus");
    return v != NULL && strcmp(v, status) == 0;
}

/* Whether a CancelBulkOperation came (its mark: the record's status may be rewritten meanwhile). */
static int cancel_requested(ddb_engine *eng, ddb_arena *a, const char *id)
{
    return ddb_xfer_load(eng->store, a, DDB_BULK_CANCEL_PREFIX, id) != NULL;
}

/* Waits until the bucket holds a unit (MaxWriteRequestUnits a second, no burst above one second's). */
static void throttle(bulk *b)
{
    double now;

    if (b->rate <= 0)
        return;
    for (;;) {
        now = ddb_clock_mono_s();
        b->tokens += (now - b->refilled) * b->rate;
        b->refilled = now;
        if (b->tokens > b->rate)
            b->tokens = b->rate;
        if (b->tokens >= 1)
            return;
        {
            double wait = (1 - b->tokens) / b->rate;
            struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) + 1000};
            nanosleep(&ts, NULL);
        }
    }
}

/* A report line: where the record was (record `index` of the object), the record as read, and
   why it was not written. */
static void report(bulk *b, const char *line, size_t len, long long index, const char *msg)
{
    ddb_jw w;

    ddb_jw_init(&w, &b->report);
    ddb_jw_obj_begin(&w);
    ddb_xfer_item_pointer(&w, b->in.bucket, b->key, index);
    ddb_jw_key(&w, "bulkOperationArn");
    ddb_jw_str(&w, b->arn);
    ddb_jw_key(&w, "record");
    ddb_jw_strn(&w, line, len);
    ddb_jw_key(&w, "errorMessages");
    ddb_jw_arr_begin(&w);
    ddb_jw_str(&w, msg);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    ddb_buf_putc(&b->report, '\n');
}

static void add_index_bytes(bulk *b, const ddb_index *ix, long long bytes)
{
    unsigned i;

    if (bytes <= 0)
        return;
    for (i = 0; i < b->nix && (b->ix[i].kind != ix->kind || strcmp(b->ix[i].name, ix->name) != 0); i++)
        ;
    if (i == b->nix) {
        if (b->nix == USAGE_INDEXES)
            return; /* (more indexes than a table can have came and went: the rest are not shown) */
        snprintf(b->ix[i].name, sizeof(b->ix[i].name), "%s", ix->name);
        b->ix[i].kind = ix->kind;
        b->ix[i].bytes = 0;
        b->nix++;
    }
    b->ix[i].bytes += bytes;
}

/* A written put's bytes: its item's in the table, its entries' in each index, counted also when the
   put left them as they were (mutation.h). A put is counted by what it puts, never by what the table
   held before it: the lines after a checkpoint, put again after a stop or a kill -9, already wrote
   their entries before it, and the usage must not depend on whether the load was interrupted. */
static void add_usage(bulk *b, const ddb_mutation *m)
{
    b->table_bytes += (long long)m->out.new_size;
    for (unsigned i = 0; i < m->t->nindexes; i++) {
        const ddb_index *ix = &m->t->indexes[i];
        add_index_bytes(b, ix, (long long)m->out.index_bytes[i]);
    }
}

/* Commits a batch's puts (once the bucket holds a unit) and reports its failed lines, in order. */
static void commit(bulk *b, ddb_bulk_batch *batch)
{
    throttle(b);
    b->tokens -= ddb_bulk_batch_commit(&b->reader, batch);
    for (size_t i = 0; i < batch->nlines; i++) {
        const ddb_bulk_line *l = &batch->lines[i];
        const char *msg = l->put < 0 ? l->msg : ddb_xfer_error_of(&batch->ms[l->put]);
        if (msg == NULL) {
            add_usage(b, &batch->ms[l->put]);
        } else if (l->put >= 0 && ddb_xfer_condition_failed(&batch->ms[l->put])) {
            if (b->report_conditions) /* processed, not failed: the API reference's FailedItemCount */
                report(b, l->text, l->len, l->index, msg);
        } else {
            b->failed++;
            if (b->report_errors)
                report(b, l->text, l->len, l->index, msg);
        }
    }
    b->processed += (long long)batch->nlines;
    b->since += (long long)batch->nlines;
}

/* The report lines since the last checkpoint as their own object (0), or -1 (the load fails). */
static int flush_report(bulk *b)
{
    char key[1200];

    if (b->report.len == 0)
        return 0;
    snprintf(key, sizeof(key), "%s%sbulk-operation/%s/errors-%06lld.jsonl", b->out_prefix,
             b->out_prefix[0] && b->out_prefix[strlen(b->out_prefix) - 1] != '/' ? "/" : "", b->id, b->reports);
    if (ddb_objstore_put(&b->out, key, b->report.data, b->report.len) != DDB_OBJ_OK) {
        b->failure_code = "S3AccessDenied";
        snprintf(b->failure, sizeof(b->failure), "%s", b->out.err);
        return -1;
    }
    b->reports++;
    b->report.len = 0;
    return 0;
}

/* BulkOperationUsage: the table's bytes, each index's, and their sum (vector bytes apart). */
static void usage_json(bulk *b, ddb_buf *out)
{
    long long total = b->table_bytes;
    ddb_jw w;

    for (unsigned i = 0; i < b->nix; i++)
        total += b->ix[i].kind != DDB_IX_VECTOR ? b->ix[i].bytes : 0;
    out->len = 0;
    ddb_jw_init(&w, out);
    ddb_jw_arr_begin(&w);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, b->table);
    ddb_jw_key(&w, "BulkPutBytes");
    ddb_jw_int(&w, total);
    ddb_jw_key(&w, "Table");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "BulkPutBytes");
    ddb_jw_int(&w, b->table_bytes);
    ddb_jw_obj_end(&w);
    for (size_t k = 0; k < sizeof(usage_maps) / sizeof(usage_maps[0]); k++) {
        int open = 0;
        for (unsigned i = 0; i < b->nix; i++) {
            if (b->ix[i].kind != usage_maps[k].kind)
                continue;
            if (!open++) {
                ddb_jw_key(&w, usage_maps[k].member);
                ddb_jw_obj_begin(&w);
            }
            ddb_jw_key(&w, b->ix[i].name);
            ddb_jw_obj_begin(&w);
            ddb_jw_key(&w, usage_maps[k].bytes);
            ddb_jw_int(&w, b->ix[i].bytes);
            ddb_jw_obj_end(&w);
        }
        if (open)
            ddb_jw_obj_end(&w);
    }
    ddb_jw_obj_end(&w);
    ddb_jw_arr_end(&w);
    ddb_buf_putc(out, '\0');
}

/* Stores the counters with the checkpoint (ddbdObject, ddbdLine) in one record write, and reads
   back whether a CancelBulkOperation came or the table went. */
static int checkpoint(bulk *b, const char *key, long long line)
{
    ddb_buf usage = {0};
    ddb_xfer_set set[] = {
        {"ProcessedItemCount", XS_INT, .i = b->processed},
        {"FailedItemCount", XS_INT, .i = b->failed},
        {"ProcessedInputBytes", XS_INT, .i = b->bytes},
        {"BulkOperationUsage", XS_RAW, NULL},
        {"ddbdObject", XS_STR, key},
        {"ddbdLine", XS_INT, .i = line},
        {"ddbdReports", XS_INT, .i = b->reports},
        {"BulkOperationStatus", XS_STR, "IN_PROGRESS"},
    };
    const ddb_table *t = ddb_catalog_get_by_id(b->eng->catalog, b->table_id);
    ddb_arena a;
    const ddb_json *rec;
    int rc = 0;

    if (flush_report(b) != 0)
        return -1;
    usage_json(b, &usage);
    set[3].s = usage.data;
    ddb_arena_init(&a);
    b->cancelled = b->cancelled || cancel_requested(b->eng, &a, b->id);
    set[7].s = b->cancelled ? "CANCELLING" : "IN_PROGRESS";
    rec = ddb_xfer_load(b->eng->store, &a, DDB_BULK_PREFIX, b->id);
    ddb_xfer_update(b->eng->store, DDB_BULK_PREFIX, b->id, rec, set, sizeof(set) / sizeof(set[0]));
    ddb_arena_free(&a);
    ddb_buf_free(&usage);
    if (t == NULL || strcmp(t->ns, b->ns) != 0) {
        b->failure_code = "ResourceNotFound";
        snprintf(b->failure, sizeof(b->failure), "Table %s was deleted during the bulk operation", b->table);
        rc = -1;
    }
    b->since = 0;
    b->last_ckpt = ddb_clock_mono_ms();
    return rc;
}

static int due(const bulk *b)
{
    return b->since >= CHECKPOINT_ITEMS || (b->since > 0 && ddb_clock_mono_ms() - b->last_ckpt >= CHECKPOINT_MS);
}

/* Reads one object from line `skip` on: 0 done, 1 stopped or cancelled, -1 failed. */
static int read_object(bulk *b, const char *key, long long skip, ddb_xfer_stop stop, void *ctx)
{
    ddb_xfer_object o = {0};
    ddb_bulk_batch *batch;
    int rc = 0;

    if (ddb_xfer_object_open(&b->in, key, b->comp, &o, &b->failure_code, b->failure, sizeof(b->failure)) != 0) {
        ddb_xfer_object_free(&o);
        return -1;
    }
    b->key = key;
    ddb_bulk_reader_start(&b->reader, &o, skip);
    do {
        batch = ddb_bulk_reader_next(&b->reader);
        commit(b, batch);
        if (!batch->last && due(b)) {
            rc = checkpoint(b, key, batch->next);
            if (rc == 0 && (b->cancelled || (b->stopped = stop(ctx))))
                rc = 1;
        }
    } while (rc == 0 && !batch->last);
    ddb_bulk_reader_stop(&b->reader);
    if (rc == 0 && o.code != NULL) { /* the object could not be read to its end */
        b->failure_code = o.code;
        snprintf(b->failure, sizeof(b->failure), "%s", o.failure);
        rc = -1;
    }
    if (rc == 0) {
        b->bytes += o.raw_bytes;
        rc = checkpoint(b, key, -1);
    }
    ddb_xfer_object_free(&o);
    return rc == 0 && (b->cancelled || (b->stopped = stop(ctx))) ? 1 : rc;
}

static void finish(bulk *b, const ddb_json *rec)
{
    const char *status = b->cancelled ? "CANCELLED"
                         : b->failure_code ? "FAILED"
                         : b->failed > 0   ? "COMPLETED_WITH_ERRORS"
                                           : "COMPLETED";
    ddb_buf usage = {0};
    ddb_xfer_set set[] = {
        {"BulkOperationStatus", XS_STR, status},
        {"EndTime", XS_TIME, .t = ddb_clock_now_s()},
        {"ProcessedItemCount", XS_INT, .i = b->processed},
        {"FailedItemCount", XS_INT, .i = b->failed},
        {"ProcessedInputBytes", XS_INT, .i = b->bytes},
        {"BulkOperationUsage", XS_RAW, NULL},
        {"TotalInputBytes", XS_INT, .i = b->bytes},
        {"FailureCode", XS_STR, b->cancelled ? "BulkOperationCancelled" : b->failure_code},
        {"FailureMessage", XS_STR, b->cancelled ? "The bulk operation was cancelled by a CancelBulkOperation request"
                                                : b->failure},
    };
    ddb_arena a;

    usage_json(b, &usage);
    set[5].s = usage.data;
    ddb_arena_init(&a);
    rec = ddb_xfer_load(b->eng->store, &a, DDB_BULK_PREFIX, b->id); /* CANCELLING may have come */
    ddb_xfer_update(b->eng->store, DDB_BULK_PREFIX, b->id, rec, set, b->cancelled || b->failure_code ? 9 : 7);
    ddb_arena_free(&a);
    ddb_buf_free(&usage);
    ddb_log(DDB_LOG_INFO, "bulk operation %s %s: %lld items processed, %lld failed", b->id, status, b->processed,
            b->failed);
}

/* Opens the input and output buckets and lists the input (0), or sets the failure (-1). */
static int open_stores(bulk *b, const ddb_json *rec, char ***keys, size_t *n)
{
    const ddb_json *in = ddb_json_get(rec, "InputS3Configuration"), *out = ddb_json_get(rec, "OutputS3Configuration");
    const char *prefix = ddb_json_get_str(in, "S3KeyPrefix");
    int rc;

    if ((rc = ddb_objstore_open(&b->in, &b->eng->settings.objstore, ddb_json_get_str(in, "S3Bucket"))) != DDB_OBJ_OK ||
        (rc = ddb_objstore_open(&b->out, &b->eng->settings.objstore, ddb_json_get_str(out, "S3Bucket"))) != DDB_OBJ_OK) {
        b->failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(b->failure, sizeof(b->failure), "%s", b->out.err[0] ? b->out.err : b->in.err);
        return -1;
    }
    b->out.sse = ddb_json_get_str(out, "S3SseAlgorithm"); /* the report's encryption, as an export's */
    b->out.sse_kms_key = ddb_json_get_str(out, "S3SseKmsKeyId");
    if (ddb_objstore_list(&b->in, prefix ? prefix : "", keys, n) != DDB_OBJ_OK) {
        b->failure_code = "S3AccessDenied";
        snprintf(b->failure, sizeof(b->failure), "%s", b->in.err);
        return -1;
    }
    if (*n == 0 || *n > BULK_MAX_OBJECTS) {
        b->failure_code = *n == 0 ? "S3NoSuchKey" : "InputObjectLimitExceeded";
        snprintf(b->failure, sizeof(b->failure),
                 *n == 0 ? "No object was found under the prefix %s" : "More than 50000 objects are under the prefix %s",
                 prefix ? prefix : "");
        return -1;
    }
    return 0;
}

/* The usage a restart resumes from: BulkOperationUsage as the last checkpoint stored it. */
static void resume_usage(bulk *b, const ddb_json *rec)
{
    const ddb_json *u = ddb_json_get(rec, "BulkOperationUsage");

    u = u != NULL && u->type == DDB_JSON_ARRAY && u->n > 0 ? u->u.items[0] : NULL;
    b->table_bytes = ddb_json_integer(ddb_json_get(ddb_json_get(u, "Table"), "BulkPutBytes"), 0);
    for (size_t k = 0; k < sizeof(usage_maps) / sizeof(usage_maps[0]); k++) {
        const ddb_json *map = ddb_json_get(u, usage_maps[k].member);
        for (uint32_t i = 0; map != NULL && map->type == DDB_JSON_OBJECT && i < map->n; i++) {
            ddb_index ix = {.name = ddb_arena_strndup(&b->arena, map->u.members[i].key, map->u.members[i].klen),
                            .kind = usage_maps[k].kind};
            add_index_bytes(b, &ix, ddb_json_integer(ddb_json_get(map->u.members[i].val, usage_maps[k].bytes), 0));
        }
    }
}

/* The progress a restart resumes from (all zero the first time). */
static void resume_state(bulk *b, const ddb_json *rec)
{
    const ddb_json *out = ddb_json_get(rec, "OutputS3Configuration"), *types = ddb_json_get(out, "OutputType");

    b->processed = ddb_json_integer(ddb_json_get(rec, "ProcessedItemCount"), 0);
    b->failed = ddb_json_integer(ddb_json_get(rec, "FailedItemCount"), 0);
    b->bytes = ddb_json_integer(ddb_json_get(rec, "ProcessedInputBytes"), 0);
    resume_usage(b, rec);
    b->reports = ddb_json_integer(ddb_json_get(rec, "ddbdReports"), 0);
    b->ckpt_key = ddb_json_get_str(rec, "ddbdObject");
    b->ckpt_line = ddb_json_integer(ddb_json_get(rec, "ddbdLine"), 0);
    b->out_prefix = ddb_json_get_str(out, "S3KeyPrefix") ? ddb_json_get_str(out, "S3KeyPrefix") : "";
    for (uint32_t i = 0; types != NULL && types->type == DDB_JSON_ARRAY && i < types->n; i++) {
        const char *type = types->u.items[i]->type == DDB_JSON_STRING ? types->u.items[i]->u.s : "";
        b->report_errors |= strcmp(type, "ERROR") == 0;
        b->report_conditions |= strcmp(type, "CONDITION_CHECK_FAILURE") == 0;
    }
}

/* Where key stands against the checkpoint: -1 done before it, else the lines of it to skip. */
static long long skip_of(const bulk *b, const char *key)
{
    int c = b->ckpt_key != NULL ? strcmp(key, b->ckpt_key) : 1;

    if (c < 0 || (c == 0 && b->ckpt_line < 0))
        return -1;
    return c == 0 ? b->ckpt_line : 0;
}

void ddb_bulk_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    bulk b = {.eng = eng, .id = id};
    const ddb_json *in = ddb_json_get(rec, "InputS3Configuration");
    const char *fmt = ddb_json_get_str(in, "InputFormat");
    char **keys = NULL;
    size_t n = 0;
    int rc = 0;

    b.ns = ddb_json_get_str(rec, "ddbdNs") ? ddb_json_get_str(rec, "ddbdNs") : "";
    b.table = ddb_json_get_str(rec, "ddbdTable");
    b.arn = ddb_json_get_str(rec, "BulkOperationArn");
    b.table_id = (uint32_t)ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0);
    b.ion = fmt != NULL && strcmp(fmt, "ION") == 0;
    b.comp = ddb_xfer_comp_of(ddb_json_get_str(in, "InputCompressionType"));
    b.rate = (double)ddb_json_integer(ddb_json_get(rec, "MaxWriteRequestUnits"), 0);
    b.refilled = ddb_clock_mono_s();
    b.last_ckpt = ddb_clock_mono_ms();
    ddb_arena_init(&b.arena);
    ddb_bulk_reader_init(&b.reader, eng, &(ddb_xfer_target){b.ns, b.table, 1}, b.ion, NULL, b.rate);
    b.cancelled = status_is(rec, "CANCELLING") || cancel_requested(eng, &b.arena, id);
    resume_state(&b, rec);
    ddb_log(DDB_LOG_INFO, "bulk operation %s into table %s %s", id, b.table, b.ckpt_key ? "resumed" : "started");
    if (!b.cancelled && open_stores(&b, rec, &keys, &n) == 0) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            long long skip = skip_of(&b, keys[i]);
            if (skip >= 0)
                rc = read_object(&b, keys[i], skip, stop, ctx);
        }
    }
    ddb_free_strings(keys, n);
    if (!b.stopped || b.cancelled) /* stopped: the next start resumes at the checkpoint */
        finish(&b, rec);
    ddb_objstore_close(&b.in);
    ddb_objstore_close(&b.out);
    ddb_arena_free(&b.arena);
    ddb_buf_free(&b.report);
    ddb_bulk_reader_free(&b.reader);
}
