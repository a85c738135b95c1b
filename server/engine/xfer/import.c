/*
 * server/engine/import.c: one import, on the background worker (see xfer.h).
 *
 * Every object under S3BucketSource's prefix (in key order; the error logs ddbd writes are
 * skipped) is read whole, decompressed when InputCompressionType is GZIP or ZSTD, and split into items:
 *   - DYNAMODB_JSON: one {"Item":{...}} per line (an export's data files as they are);
 *   - ION: one Ion struct with an Item field per line (ion.h);
 *   - CSV: records separated by newlines (quoted fields may hold delimiters, quotes as "" and
 *     newlines), the header the first record of each file unless InputFormatOptions.Csv.HeaderList
 *     gives it; every value is a string (S) except for attributes the table's AttributeDefinitions
 *     declare (its keys and its indexes' keys), which take that type (N, or B as base64); an empty
 *     field is left out of the item.
 * Each item is checked as PutItem checks it and put through the mutation pipeline (indexes and
 * streams included: engine/mutation.h); one that fails counts in ErrorCount and gets
 * a line in the error log, a CloudWatch-style record {"timestamp", "message"} whose message is
 * DynamoDB's {"itemS3Pointer":{bucket,key,itemIndex},"importArn","errorMessages":[...]}, written
 * at the end to the source bucket as ddbd-import-errors/<ImportId>.jsonl. The record's counts are
 * updated every PROGRESS_ITEMS items and at the end of each object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "server/base/log.h"
#include "server/engine/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/item.h"
#include "server/engine/mutation.h"
#include "server/engine/table_stats.h"
#include "server/engine/xfer/ion.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/reader.h"
#include "server/engine/xfer/xfer.h"

#define PROGRESS_ITEMS 5000
#define ERROR_LOG_DIR "ddbd-import-errors/"

typedef struct importer {
    ddb_engine *eng;
    const char *id;
    const ddb_json *rec;
    const char *table, *ns, *fmt, *arn;
    uint32_t table_id;
    ddb_xfer_comp comp;
    int csv, ion;
    char delim;
    const ddb_json *header_list, *defs;
    ddb_objstore os;
    long long processed, imported, errors, bytes, since_progress;
    ddb_buf errlog;
    ddb_arena arena;
    ddb_buf body;
    const char *key;  /* the object being read */
    long long index;  /* the item's index in it */
    int cancelled;
    const char *failure_code;
    char failure[600];
} importer;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

static void log_error(importer *im, const char *msg)
{
    ddb_buf m = {0};
    ddb_jw w;

    im->errors++;
    ddb_jw_init(&w, &m);
    ddb_jw_obj_begin(&w);
    ddb_xfer_item_pointer(&w, im->os.bucket, im->key, im->index);
    ddb_jw_key(&w, "importArn");
    ddb_jw_str(&w, im->arn);
    ddb_jw_key(&w, "errorMessages");
    ddb_jw_arr_begin(&w);
    ddb_jw_str(&w, msg);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    ddb_jw_init(&w, &im->errlog);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "timestamp");
    ddb_jw_int(&w, (long long)(now_seconds() * 1000));
    ddb_jw_key(&w, "message");
    ddb_jw_strn(&w, m.data, m.len);
    ddb_jw_obj_end(&w);
    ddb_buf_putc(&im->errlog, '\n');
    ddb_buf_free(&m);
}

/* Puts the item in im->body through the mutation pipeline, as PutItem puts it (reader.h), or
   logs the error PutItem would answer. */
static void put_item(importer *im)
{
    double units;
    const char *msg;

    ddb_arena_reset(&im->arena);
    im->processed++;
    im->since_progress++;
    if ((msg = ddb_xfer_put(im->eng, &im->arena, im->ns, &im->body, &units)) == NULL) {
        im->imported++;
        return;
    }
    {
        char text[1200];
        snprintf(text, sizeof(text), "%s", msg);
        log_error(im, text);
    }
}

static void bad_item(importer *im, const char *msg)
{
    im->processed++;
    im->since_progress++;
    log_error(im, msg);
}

/* ---- the formats ---- */

static void item_line(importer *im, const char *line, size_t len)
{
    char err[256];
    const char *msg = ddb_xfer_line_body(im->ion, line, len, im->table, &im->body, err, sizeof(err));

    if (msg != NULL)
        bad_item(im, msg);
    else
        put_item(im);
}

/* The declared type of attribute `name` (AttributeDefinitions), or 'S'. */
static char declared_type(const importer *im, const char *name, size_t n)
{
    for (uint32_t i = 0; im->defs != NULL && im->defs->type == DDB_JSON_ARRAY && i < im->defs->n; i++) {
        const char *a = ddb_json_get_str(im->defs->u.items[i], "AttributeName");
        const char *t = ddb_json_get_str(im->defs->u.items[i], "AttributeType");
        if (a != NULL && t != NULL && strlen(a) == n && memcmp(a, name, n) == 0)
            return t[0];
    }
    return 'S';
}

/* One CSV record from p (advanced past it) into fields (unquoted, in `store`); returns the count. */
static size_t csv_record(const char **p, const char *end, char delim, ddb_buf *store, size_t *starts, size_t *lens,
                         size_t max)
{
    size_t n = 0;

    store->len = 0;
    for (;;) {
        size_t start = store->len;
        if (**p == '"') {
            (*p)++;
            while (*p < end) {
                if (**p == '"' && *p + 1 < end && (*p)[1] == '"') {
                    ddb_buf_putc(store, '"');
                    *p += 2;
                } else if (**p == '"') {
                    (*p)++;
                    break;
                } else {
                    ddb_buf_putc(store, *(*p)++);
                }
            }
        }
        while (*p < end && **p != delim && **p != '\n' && !(**p == '\r' && *p + 1 < end && (*p)[1] == '\n'))
            ddb_buf_putc(store, *(*p)++);
        if (n < max) {
            starts[n] = start;
            lens[n++] = store->len - start;
        }
        if (*p < end && **p == delim) {
            (*p)++;
            continue;
        }
        if (*p < end && **p == '\r')
            (*p)++;
        if (*p < end && **p == '\n')
            (*p)++;
        return n;
    }
}

#define CSV_MAX_COLUMNS 1024

/* A CSV object's field positions (32 KiB): on the heap, per object, rather than static, so that
   nothing ties imports to one worker thread (and the server's image carries no zero pages for them). */
typedef struct csv_fields {
    size_t hstarts[CSV_MAX_COLUMNS], hlens[CSV_MAX_COLUMNS], starts[CSV_MAX_COLUMNS], lens[CSV_MAX_COLUMNS];
} csv_fields;

static void csv_object(importer *im, const char *p, const char *end)
{
    csv_fields *f = calloc(1, sizeof(*f));
    size_t *hstarts, *hlens, *starts, *lens;
    ddb_buf header = {0}, rec = {0};
    size_t nh = 0;

    if (f == NULL)
        abort();
    hstarts = f->hstarts, hlens = f->hlens, starts = f->starts, lens = f->lens;
    if (im->header_list != NULL) {
        for (uint32_t i = 0; i < im->header_list->n && nh < CSV_MAX_COLUMNS; i++) {
            const ddb_json *h = im->header_list->u.items[i];
            hstarts[nh] = header.len;
            hlens[nh++] = h->n;
            ddb_buf_append(&header, h->u.s, h->n);
        }
    } else if (p < end) {
        nh = csv_record(&p, end, im->delim, &header, hstarts, hlens, CSV_MAX_COLUMNS);
    }
    while (p < end) {
        size_t n;
        ddb_jw w;
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) { /* an empty line */
            p += *p == '\r' ? 2 : 1;
            continue;
        }
        n = csv_record(&p, end, im->delim, &rec, starts, lens, CSV_MAX_COLUMNS);
        ddb_xfer_body_begin(&im->body, &w, im->table);
        ddb_jw_obj_begin(&w);
        for (size_t i = 0; i < n && i < nh; i++) {
            const char *name = header.data + hstarts[i], *v = rec.data + starts[i];
            char type[2] = {declared_type(im, name, hlens[i]), '\0'};
            if (lens[i] == 0)
                continue;
            ddb_jw_keyn(&w, name, hlens[i]);
            ddb_jw_tagged_str(&w, type, v, lens[i]);
        }
        ddb_jw_obj_end(&w);
        ddb_jw_obj_end(&w);
        if (n > nh && nh > 0)
            bad_item(im, "The CSV record has more fields than the header");
        else
            put_item(im);
        im->index++;
    }
    ddb_buf_free(&header);
    ddb_buf_free(&rec);
    free(f);
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

static int read_object(importer *im, const char *key, ddb_xfer_stop stop, void *ctx)
{
    ddb_xfer_object o = {0};
    const char *p, *end, *s;
    size_t len;

    if (ddb_xfer_object_read(&im->os, key, im->comp, &o, &im->failure_code, im->failure, sizeof(im->failure)) != 0) {
        ddb_xfer_object_free(&o);
        return -1;
    }
    im->bytes += (long long)o.raw.len;
    im->key = key;
    im->index = 0;
    p = o.data;
    end = o.data + o.len;
    if (im->csv)
        csv_object(im, p, end);
    while (!im->csv && !im->cancelled && ddb_xfer_next_line(&p, end, &s, &len)) {
        item_line(im, s, len);
        im->index++;
        if (im->since_progress >= PROGRESS_ITEMS) {
            progress(im);
            im->cancelled = !table_alive(im);
            if (stop(ctx)) {
                ddb_xfer_object_free(&o);
                return 1;
            }
        }
    }
    ddb_xfer_object_free(&o);
    progress(im);
    im->cancelled = im->cancelled || !table_alive(im);
    return stop(ctx) ? 1 : 0;
}

static void finish(importer *im)
{
    double end = now_seconds();
    ddb_xfer_set set[] = {
        {"ImportStatus", XS_STR, im->cancelled ? "CANCELLED" : im->failure_code ? "FAILED" : "COMPLETED"},
        {"EndTime", XS_TIME, .t = end},
        {"ProcessedItemCount", XS_INT, .i = im->processed},
        {"ImportedItemCount", XS_INT, .i = im->imported},
        {"ErrorCount", XS_INT, .i = im->errors},
        {"ProcessedSizeBytes", XS_INT, .i = im->bytes},
        {"FailureCode", XS_STR, im->failure_code},
        {"FailureMessage", XS_STR, im->failure},
    };

    if (im->errlog.len > 0 && im->os.bucket[0] != '\0') {
        char key[128];
        snprintf(key, sizeof(key), ERROR_LOG_DIR "%s.jsonl", im->id);
        if (ddb_objstore_put(&im->os, key, im->errlog.data, im->errlog.len) != DDB_OBJ_OK)
            ddb_log(DDB_LOG_WARN, "import %s: the error log could not be written: %s", im->id, im->os.err);
    }
    ddb_xfer_update(im->eng->store, DDB_IMPORT_PREFIX, im->id, im->rec, set, im->failure_code && !im->cancelled ? 8 : 6);
    ddb_log(DDB_LOG_INFO, "import %s %s: %lld items processed, %lld imported, %lld errors", im->id, set[0].s,
            im->processed, im->imported, im->errors);
}

void ddb_import_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    importer im = {eng, id, rec};
    const ddb_json *src = ddb_json_get(rec, "S3BucketSource");
    const ddb_json *csv = ddb_json_get(ddb_json_get(rec, "InputFormatOptions"), "Csv");
    const char *prefix = ddb_json_get_str(src, "S3KeyPrefix"), *comp = ddb_json_get_str(rec, "InputCompressionType");
    const char *delim = ddb_json_get_str(csv, "Delimiter");
    char **keys = NULL;
    size_t n = 0, i;
    int rc = 0, files = 0, stopped = 0;

    im.table = ddb_json_get_str(ddb_json_get(rec, "TableCreationParameters"), "TableName");
    im.ns = ddb_json_get_str(rec, "ddbdNs") ? ddb_json_get_str(rec, "ddbdNs") : "";
    im.arn = ddb_json_get_str(rec, "ImportArn");
    im.fmt = ddb_json_get_str(rec, "InputFormat");
    im.table_id = (uint32_t)ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0);
    im.comp = ddb_xfer_comp_of(comp);
    im.csv = im.fmt != NULL && strcmp(im.fmt, "CSV") == 0;
    im.ion = im.fmt != NULL && strcmp(im.fmt, "ION") == 0;
    im.delim = delim != NULL && delim[0] ? delim[0] : ',';
    im.header_list = ddb_json_get(csv, "HeaderList");
    if (im.header_list != NULL && im.header_list->type != DDB_JSON_ARRAY)
        im.header_list = NULL;
    im.defs = ddb_json_get(ddb_json_get(rec, "TableCreationParameters"), "AttributeDefinitions");
    ddb_arena_init(&im.arena);
    ddb_log(DDB_LOG_INFO, "import %s into table %s started", id, im.table);
    if (!table_alive(&im)) {
        im.cancelled = 1;
    } else if ((rc = ddb_objstore_open(&im.os, &eng->settings.objstore, ddb_json_get_str(src, "S3Bucket"))) != DDB_OBJ_OK) {
        im.failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(im.failure, sizeof(im.failure), "%s", im.os.err);
    } else if ((rc = ddb_objstore_list(&im.os, prefix ? prefix : "", &keys, &n)) != DDB_OBJ_OK) {
        im.failure_code = "S3AccessDenied";
        snprintf(im.failure, sizeof(im.failure), "%s", im.os.err);
    } else {
        for (i = 0, rc = 0; i < n && rc == 0 && !im.cancelled; i++) {
            if (strncmp(keys[i], ERROR_LOG_DIR, strlen(ERROR_LOG_DIR)) == 0)
                continue;
            rc = read_object(&im, keys[i], stop, ctx);
            stopped = rc == 1;
            files++;
        }
        if (rc == 0 && files == 0 && !im.cancelled) {
            im.failure_code = "S3NoSuchKey";
            snprintf(im.failure, sizeof(im.failure), "No object was found under the prefix %s", prefix ? prefix : "");
        }
    }
    for (i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    if (!stopped) /* stopping: run again at the next start */
        finish(&im);
    ddb_objstore_close(&im.os);
    ddb_arena_free(&im.arena);
    ddb_buf_free(&im.errlog);
    ddb_buf_free(&im.body);
}
