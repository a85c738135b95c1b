/*
 * server/engine/xfer/import.c: one import, on the background worker (see xfer.h).
 *
 * Every object under S3BucketSource's prefix (in key order; the error logs ddbd wrote there before
 * 2026-11 are skipped) is read as a stream through a window of bounded size (reader.h), decompressed when
 * InputCompressionType is GZIP or ZSTD, and split into items:
 *   - DYNAMODB_JSON: one {"Item":{...}} per line (an export's data files as they are);
 *   - ION: one Ion struct with an Item field per line (ion.h);
 *   - CSV: records with a header, typed by the table's AttributeDefinitions (csv.h).
 * Each item is checked as PutItem checks it and put through the mutation pipeline (indexes and
 * streams included: engine/mutation.h), read ahead and committed a batch of puts of distinct keys
 * at a time by the reader StartBulkPutItems uses (bulk_batch.h: a commit per item was most of an
 * import's cost), so a key repeated in an object is still written in record order, the last one
 * winning. An item that fails counts in ErrorCount and gets a line in the server log (where
 * DynamoDB writes its CloudWatch log: the source bucket is the user's data and is only read), in
 * record order, the message of DynamoDB's CloudWatch record:
 * {"itemS3Pointer":{bucket,key,itemIndex},"importArn","errorMessages":[...]}; the first
 * ERROR_LOG_LINES of them (the errors after them are counted, not logged: nothing is held).
 * A record that is no JSON or has no Item wrapper ends its object (DynamoDB reads no further
 * there); every other failed item is passed over. Either way the import goes on, and one failed
 * item makes it end FAILED (ItemValidationError) once every object is read, keeping its table
 * and what it imported, as DynamoDB does (docs/compatibility.md); an import that fails before it
 * processed a record (a missing bucket, an object it cannot open) removes the table it created. The
 * record's counts are updated every PROGRESS_ITEMS items (at the end of a batch) and at the end of
 * each object; that is also where a DeleteTable of the import's table (a cancel) and a stop are
 * noticed. A stopped import (a restart, or a kill -9) runs again from the beginning, its counts
 * from zero (xfer.h): its puts are idempotent (its log lines are written again, after the line
 * that says it started again).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/mutation.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/bulk_batch.h"
#include "server/engine/xfer/csv.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/reader.h"
#include "server/engine/xfer/xfer.h"

#define PROGRESS_ITEMS 5000
#define ERROR_LOG_LINES 1000                 /* an import's error records logged at most (its first) */
/* A record without its Item wrapper: DynamoDB's words in its error record for a record it cannot
   map (its CloudWatch log, as a public report quotes it). */
#define NO_ITEM_FAILURE "Unable to map value based on the given schema. Remainder of the file will not be processed."
/* An import with a failed item: DynamoDB's FailureCode and FailureMessage (its developer guide,
   "Data validation errors", and a capture of 2026-10-09: docs/compatibility.md). */
#define ITEMS_FAILED_CODE "ItemValidationError"
#define ITEMS_FAILED                                                                                                 \
    "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more "  \
    "details."

typedef struct importer {
    ddb_engine *eng;
    const char *id;
    const ddb_json *rec;
    const char *table, *ns, *fmt, *arn;
    uint32_t table_id;
    ddb_xfer_comp comp;
    int ion;
    ddb_xfer_csv *csv; /* a CSV import's reader (NULL: lines) */
    ddb_objstore os;
    long long processed, imported, errors, bytes, since_progress;
    ddb_bulk_reader reader;
    const char *key; /* the object being read */
    int cancelled;
    ddb_anon *anon; /* an anonymised import's rules (ddbdAnon: anon.h), or NULL */
    const char *failure_code;
    char failure[600];
} importer;

/* An item's error in the server log, DynamoDB's CloudWatch record (its index in the object being
   read, PutItem's message, cut as it always was at 1199 bytes). */
static void log_error(importer *im, long long index, const char *msg)
{
    ddb_buf m = {0};
    ddb_jw w;
    size_t len = strlen(msg);

    if (++im->errors > ERROR_LOG_LINES)
        return; /* counted, not logged */
    ddb_jw_init(&w, &m);
    ddb_jw_obj_begin(&w);
    ddb_xfer_item_pointer(&w, im->os.bucket, im->key, index);
    ddb_jw_key(&w, "importArn");
    ddb_jw_str(&w, im->arn);
    ddb_jw_key(&w, "errorMessages");
    ddb_jw_arr_begin(&w);
    ddb_jw_strn(&w, msg, len < 1199 ? len : 1199);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    ddb_log(DDB_LOG_WARN, "import %s: item error: %.*s", im->id, (int)m.len, m.data);
    if (im->errors == ERROR_LOG_LINES)
        ddb_log(DDB_LOG_WARN, "import %s: %d item errors logged; the next ones are counted in ErrorCount, not logged",
                im->id, ERROR_LOG_LINES);
    ddb_buf_free(&m);
}

/* Commits a batch's puts and counts its records, logging the failed ones in record order. */
static void commit(importer *im, ddb_bulk_batch *batch)
{
    ddb_bulk_batch_commit(&im->reader, batch);
    for (size_t i = 0; i < batch->nlines && im->failure_code == NULL; i++) {
        const ddb_bulk_line *l = &batch->lines[i];
        const char *msg = l->put < 0 ? l->msg : ddb_xfer_error_of(&batch->ms[l->put]);
        im->processed++;
        im->since_progress++;
        if (msg == NULL)
            im->imported++;
        else if (im->anon != NULL && strcmp(msg, DDB_ANON_SKIPPED) == 0)
            continue; /* an incremental export's deletion: processed, nothing to put in a new table */
        else if (l->put < 0 && strcmp(msg, DDB_XFER_NO_ITEM) == 0)
            log_error(im, l->index, NO_ITEM_FAILURE); /* (the reader read no further in its object) */
        else
            log_error(im, l->index, msg);
    }
}

/* ---- objects ---- */

static void progress(importer *im)
{
    ddb_xfer_set set[] = {
        {"ProcessedItemCount", XS_INT, .i = im->processed},
        {"ImportedItemCount", XS_INT, .i = im->imported},
        {"ErrorCount", XS_INT, .i = im->errors},
        {"ProcessedSizeBytes", XS_INT, .i = im->bytes},
    };
    ddb_arena a;
    const ddb_json *rec;

    ddb_arena_init(&a);
    rec = ddb_xfer_load(im->eng->store, &a, DDB_IMPORT_PREFIX, im->id);
    ddb_xfer_update(im->eng->store, DDB_IMPORT_PREFIX, im->id, rec, set, 4);
    ddb_arena_free(&a);
    im->since_progress = 0;
}

/* The table is still the one the import created (a DeleteTable cancels the import). */
static int table_alive(importer *im)
{
    const ddb_table *t = ddb_catalog_get_by_id(im->eng->catalog, im->table_id);

    return t != NULL && strcmp(t->ns, im->ns) == 0;
}

/* Reads one object: 0 done, 1 stopped (the import runs again at the next start), -1 failed. */
static int read_object(importer *im, const char *key, ddb_xfer_stop stop, void *ctx)
{
    ddb_xfer_object o = {0};
    ddb_bulk_batch *batch;
    long long next; /* the object's record after the last one read */
    int rc = 0;

    if (ddb_xfer_object_open(&im->os, key, im->comp, &o, &im->failure_code, im->failure, sizeof(im->failure)) != 0) {
        ddb_xfer_object_free(&o);
        return -1;
    }
    im->key = key;
    ddb_bulk_reader_start(&im->reader, &o, 0);
    do {
        batch = ddb_bulk_reader_next(&im->reader);
        commit(im, batch);
        if (!batch->last && im->since_progress >= PROGRESS_ITEMS) {
            progress(im);
            im->cancelled = !table_alive(im);
            rc = stop(ctx) ? 1 : 0;
        }
    } while (rc == 0 && !im->cancelled && !batch->last && im->failure_code == NULL);
    next = batch->next;
    ddb_bulk_reader_stop(&im->reader);
    im->bytes += o.raw_bytes;
    if (rc == 0 && o.code != NULL && strcmp(o.code, "InvalidCompression") == 0) {
        /* what does not decompress is one failed record, and the object's last: DynamoDB counts a
           plain object declared GZIP as one processed item that failed validation (2026-10-09
           capture, docs/compatibility.md) and goes on */
        im->processed++;
        log_error(im, next, o.failure);
    } else if (rc == 0 && o.code != NULL) { /* the object could not be read to its end */
        im->failure_code = o.code;
        snprintf(im->failure, sizeof(im->failure), "%s", o.failure);
        rc = -1;
    }
    ddb_xfer_object_free(&o);
    if (rc == 0 && im->failure_code != NULL)
        rc = -1;
    if (rc != 0)
        return rc;
    progress(im);
    im->cancelled = im->cancelled || !table_alive(im);
    return stop(ctx) ? 1 : 0;
}

/* An import that failed before it processed a record removes the table it created, as DynamoDB
   does (its items are purged as a DeleteTable's are). */
static void drop_table(importer *im)
{
    const ddb_table *t = ddb_catalog_get_by_id(im->eng->catalog, im->table_id);
    ddb_arena a;
    ddb_batch purge;

    if (t == NULL || strcmp(t->ns, im->ns) != 0)
        return;
    ddb_arena_init(&a);
    ddb_batch_init(&purge, &a);
    ddb_task_purge_table(&purge, &a, t);
    purge.removes = 1;
    if (ddb_catalog_delete(im->eng->catalog, t, &purge) != 0)
        ddb_log(DDB_LOG_WARN, "import %s: its table %s could not be removed", im->id, im->table);
    ddb_arena_free(&a);
    /* (on the worker itself: at a start it runs before eng->tasks is set, and its next pass purges) */
    if (__atomic_load_n(&im->eng->tasks, __ATOMIC_ACQUIRE) != NULL)
        ddb_tasks_kick(im->eng->tasks);
}

static void finish(importer *im)
{
    double end = ddb_clock_now_s();
    ddb_xfer_set set[] = {
        {"ImportStatus", XS_STR, im->cancelled ? "CANCELLED" : im->failure_code ? "FAILED" : "COMPLETED"},
        {"EndTime", XS_TIME, .t = end},
        {"ProcessedItemCount", XS_INT, .i = im->processed},
        {"ImportedItemCount", XS_INT, .i = im->imported},
        {"ErrorCount", XS_INT, .i = im->errors},
        {"ProcessedSizeBytes", XS_INT, .i = im->bytes},
        {"FailureCode", XS_STR, im->failure_code},
        {"FailureMessage", XS_STR, im->failure},
        {NULL, XS_STR, NULL},
    };
    size_t n = im->failure_code && !im->cancelled ? 8 : 6;

    if (ddb_json_get(im->rec, "ddbdAnon") != NULL) { /* the rules are kept only while the import may run again */
        set[n++] = (ddb_xfer_set){"ddbdAnon", XS_RAW, "{\"ended\":true}"};
        ddb_anon_keys_drop(im->eng->anon_keys, im->id); /* and its key, in memory (anon.h) */
    }
    ddb_xfer_update(im->eng->store, DDB_IMPORT_PREFIX, im->id, im->rec, set, n);
    ddb_log(DDB_LOG_INFO, "import %s %s: %lld items processed, %lld imported, %lld errors", im->id, set[0].s,
            im->processed, im->imported, im->errors);
}

/* An anonymised import's rules (ddbdAnon, anon.h) into the reader: 0, or -1 (failure[] says why). */
static int rules(importer *im, ddb_anon *an)
{
    const ddb_json *r = ddb_json_get(im->rec, "ddbdAnon");
    unsigned char key[32];
    int rc;

    if (r == NULL)
        return 0;
    if (ddb_anon_keys_get(im->eng->anon_keys, im->id, key) != 0) { /* (kept in memory only: a restart) */
        im->failure_code = DDB_ANON_KEY_LOST_CODE;
        snprintf(im->failure, sizeof(im->failure), "%s", DDB_ANON_KEY_LOST);
        return -1;
    }
    rc = ddb_anon_compile_stored(an, r, ddb_json_get(im->rec, "TableCreationParameters"), key, im->failure,
                                 sizeof(im->failure));
    sodium_memzero(key, sizeof(key));
    if (rc != 0) {
        im->failure_code = "InvalidRules"; /* (checked when it started: a record written by another version) */
        ddb_anon_free(an);
        return -1;
    }
    im->anon = an;
    im->reader.anon = an;
    return 0;
}

void ddb_import_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    importer im = {eng, id, rec};
    ddb_xfer_csv csv_reader;
    ddb_anon anon;
    const ddb_json *src = ddb_json_get(rec, "S3BucketSource");
    const ddb_json *csv = ddb_json_get(ddb_json_get(rec, "InputFormatOptions"), "Csv");
    const char *prefix = ddb_json_get_str(src, "S3KeyPrefix"), *comp = ddb_json_get_str(rec, "InputCompressionType");
    const char *delim = ddb_json_get_str(csv, "Delimiter");
    char **keys = NULL;
    size_t n = 0, i;
    int rc = 0, stopped = 0;

    im.table = ddb_json_get_str(ddb_json_get(rec, "TableCreationParameters"), "TableName");
    im.ns = ddb_json_get_str(rec, "ddbdNs") ? ddb_json_get_str(rec, "ddbdNs") : "";
    im.arn = ddb_json_get_str(rec, "ImportArn");
    im.fmt = ddb_json_get_str(rec, "InputFormat");
    im.table_id = (uint32_t)ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0);
    im.comp = ddb_xfer_comp_of(comp);
    im.ion = im.fmt != NULL && strcmp(im.fmt, "ION") == 0;
    if (im.fmt != NULL && strcmp(im.fmt, "CSV") == 0) {
        const ddb_json *header_list = ddb_json_get(csv, "HeaderList");
        ddb_xfer_csv_init(&csv_reader, delim != NULL && delim[0] ? delim[0] : ',',
                          header_list != NULL && header_list->type == DDB_JSON_ARRAY ? header_list : NULL,
                          ddb_json_get(ddb_json_get(rec, "TableCreationParameters"), "AttributeDefinitions"));
        im.csv = &csv_reader;
    }
    ddb_bulk_reader_init(&im.reader, eng, &(ddb_xfer_target){im.ns, im.table, 0}, im.ion, im.csv, 0);
    im.reader.unmapped_ends = 1;
    ddb_log(DDB_LOG_INFO, "import %s into table %s started%s", id, im.table,
            ddb_json_get(rec, "ddbdAnon") != NULL ? ", anonymised" : "");
    if (!table_alive(&im)) {
        im.cancelled = 1;
    } else if (rules(&im, &anon) != 0) {
        /* (failure_code set) */
    } else if ((rc = ddb_objstore_open(&im.os, &eng->settings.objstore, ddb_json_get_str(src, "S3Bucket"))) != DDB_OBJ_OK) {
        im.failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(im.failure, sizeof(im.failure), "%s", im.os.err);
    } else if ((rc = ddb_objstore_list(&im.os, prefix ? prefix : "", &keys, &n)) != DDB_OBJ_OK) {
        im.failure_code = "S3AccessDenied";
        snprintf(im.failure, sizeof(im.failure), "%s", im.os.err);
    } else {
        for (i = 0, rc = 0; i < n && rc == 0 && !im.cancelled; i++) {
            if (strncmp(keys[i], DDB_XFER_ERROR_LOG_DIR, strlen(DDB_XFER_ERROR_LOG_DIR)) == 0)
                continue;
            rc = read_object(&im, keys[i], stop, ctx);
            stopped = rc == 1;
        }
        /* (an empty bucket or prefix completes with no item, as DynamoDB's import does) */
    }
    for (i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    if (im.anon != NULL)
        ddb_anon_free(im.anon);
    if (im.failure_code == NULL && im.errors > 0) {
        im.failure_code = ITEMS_FAILED_CODE;
        snprintf(im.failure, sizeof(im.failure), "%s", ITEMS_FAILED);
    }
    if (!stopped && !im.cancelled && im.failure_code != NULL && im.processed == 0)
        drop_table(&im); /* before FAILED is seen */
    if (!stopped) /* stopping: run again at the next start */
        finish(&im);
    ddb_objstore_close(&im.os);
    ddb_bulk_reader_free(&im.reader);
    if (im.csv != NULL)
        ddb_xfer_csv_free(im.csv);
}
