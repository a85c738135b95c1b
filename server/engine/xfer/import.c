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
#include <zlib.h>
#include <zstd.h>

#include "proto/errors.h"
#include "server/base/log.h"
#include "server/engine/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/item.h"
#include "server/engine/mutation.h"
#include "server/engine/table_stats.h"
#include "server/engine/xfer/ion.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/xfer.h"

#define PROGRESS_ITEMS 5000
#define ERROR_LOG_DIR "ddbd-import-errors/"

typedef struct importer {
    ddb_engine *eng;
    const char *id;
    const ddb_json *rec;
    const char *table, *ns, *fmt, *arn;
    uint32_t table_id;
    int gz, zstd, csv, ion;
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
    ddb_jw_key(&w, "itemS3Pointer");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "bucket");
    ddb_jw_str(&w, im->os.bucket);
    ddb_jw_key(&w, "key");
    ddb_jw_str(&w, im->key);
    ddb_jw_key(&w, "itemIndex");
    ddb_jw_int(&w, im->index);
    ddb_jw_obj_end(&w);
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

/* Starts im->body as {"TableName":..., "Item": and returns the writer positioned for the Item. */
static void begin_body(importer *im, ddb_jw *w)
{
    im->body.len = 0;
    ddb_jw_init(w, &im->body);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, im->table);
    ddb_jw_key(w, "Item");
}

/*
 * The error PutItem would answer for the item in im->body ({"TableName":..., "Item":...}), in its
 * order: the JSON, the values' types (SerializationException), their decoding and names (a
 * ValidationException in the envelope PutItem's answers carry, api/dispatch.c), the size, the
 * table, the key against its schema; NULL when the item can be written (*item, *t, *key set).
 */
static const char *item_error(importer *im, ddb_attr *item, const ddb_table **t, ddb_key *key, int *code)
{
    ddb_arena *a = &im->arena;
    const ddb_json *body = ddb_json_parse(a, im->body.data, im->body.len), *json = ddb_json_get(body, "Item");
    const char *msg;

    *code = DDB_E_SERIALIZATION;
    if (body == NULL || body->type != DDB_JSON_OBJECT)
        return ddb_error_lookup(DDB_E_SERIALIZATION)->type; /* (no message: the log shows the type) */
    if ((msg = ddb_item_check_types(a, json)) != NULL)
        return msg;
    *code = DDB_E_VALIDATION;
    ddb_attr_set_dialect(DDB_VALUES_2026); /* PutItem's wording of value errors (proto/attr.h) */
    if ((msg = ddb_item_from_json(a, json, item)) != NULL || (msg = ddb_item_names_check(item)) != NULL)
        return ddb_arena_sprintf(a, "1 validation error detected: %s", msg);
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE)
        return "Item size has exceeded the maximum allowed size";
    *t = ddb_catalog_get(im->eng->catalog, ddb_ns_key(a, im->ns, im->table));
    if (*t == NULL || (*t)->restoring) {
        *code = DDB_E_RESOURCE_NOT_FOUND;
        return "Requested resource not found";
    }
    return ddb_item_key_check(a, im->eng->store, *t, item, 0, key);
}

/* Puts the item in im->body through the mutation pipeline, as PutItem puts it (the table's
   figures charged the same units), or logs the error PutItem would answer. */
static void put_item(importer *im)
{
    const ddb_table *t = NULL;
    ddb_mutation m;
    ddb_attr item;
    ddb_key key;
    int code;
    const char *msg;

    ddb_arena_reset(&im->arena);
    im->processed++;
    im->since_progress++;
    if ((msg = item_error(im, &item, &t, &key, &code)) == NULL) {
        ddb_mutation_init(&m, DDB_MUT_PUT, t, &key);
        m.item = &item;
        m.single_write = 1; /* --write-conflict-rate applies, as to a PutItem */
        if (ddb_mutate(im->eng, &im->arena, &m) == DDB_OK) {
            ddb_table_stats_charge(m.t->stats, 0, ddb_mutation_units(&m));
            im->imported++;
            return;
        }
        msg = m.err.msg ? m.err.msg : ddb_error_lookup(m.err.code)->type;
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

static void json_line(importer *im, const char *line, size_t len)
{
    ddb_arena a;
    const ddb_json *doc, *item;
    ddb_jw w;

    ddb_arena_init(&a);
    doc = ddb_json_parse(&a, line, len);
    item = ddb_json_get(doc, "Item");
    if (item == NULL || item->type != DDB_JSON_OBJECT) {
        bad_item(im, doc == NULL ? "Invalid JSON: the line is not a JSON document"
                                 : "Invalid item: the line has no Item object");
    } else {
        begin_body(im, &w);
        ddb_jw_json(&w, item);
        ddb_jw_obj_end(&w);
        put_item(im);
    }
    ddb_arena_free(&a);
}

static void ion_line(importer *im, const char *line, size_t len)
{
    ddb_jw w;
    const char *err;

    begin_body(im, &w);
    if ((err = ddb_ion_read_item(line, len, &w)) != NULL) {
        char msg[256];
        snprintf(msg, sizeof(msg), "Invalid Ion: %s", err);
        bad_item(im, msg);
        return;
    }
    ddb_jw_obj_end(&w);
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

static void csv_object(importer *im, const char *p, const char *end)
{
    static size_t hstarts[CSV_MAX_COLUMNS], hlens[CSV_MAX_COLUMNS], starts[CSV_MAX_COLUMNS], lens[CSV_MAX_COLUMNS];
    ddb_buf header = {0}, rec = {0};
    size_t nh = 0;

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
        begin_body(im, &w);
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
}

/* ---- objects ---- */

static int gunzip(const ddb_buf *in, ddb_buf *out)
{
    z_stream z = {0};
    int rc = Z_OK;

    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in->data;
    z.avail_in = (uInt)in->len;
    while (z.avail_in > 0 && rc != Z_DATA_ERROR) {
        ddb_buf_reserve(out, 1 << 20);
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)(out->cap - out->len);
        rc = inflate(&z, Z_NO_FLUSH);
        out->len = out->cap - z.avail_out;
        if (rc == Z_STREAM_END)
            inflateReset(&z); /* concatenated members */
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            break;
    }
    inflateEnd(&z);
    return rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR ? 0 : -1;
}

/* ZSTD frames (one or more) of `in` decompressed into `out`; 0 or -1. */
static int unzstd(const ddb_buf *in, ddb_buf *out)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer src = {in->data, in->len, 0};
    size_t rc = z != NULL ? ZSTD_initDStream(z) : 1;

    while (z != NULL && !ZSTD_isError(rc) && src.pos < src.size) {
        ZSTD_outBuffer dst;
        ddb_buf_reserve(out, 1 << 20);
        dst = (ZSTD_outBuffer){out->data + out->len, out->cap - out->len, 0};
        rc = ZSTD_decompressStream(z, &dst, &src);
        out->len += dst.pos;
    }
    ZSTD_freeDStream(z);
    return z == NULL || ZSTD_isError(rc) || rc != 0 ? -1 : 0; /* rc 0: the last frame is whole */
}

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
    ddb_buf raw = {0}, plain = {0};
    const ddb_buf *text = &raw;
    int rc = ddb_objstore_get(&im->os, key, &raw);

    if (rc != DDB_OBJ_OK) {
        im->failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchKey" : "S3AccessDenied";
        snprintf(im->failure, sizeof(im->failure), "%s", im->os.err);
        ddb_buf_free(&raw);
        return -1;
    }
    im->bytes += (long long)raw.len;
    if (im->gz || im->zstd) {
        if ((im->gz ? gunzip(&raw, &plain) : unzstd(&raw, &plain)) != 0) {
            im->failure_code = "InvalidCompression";
            snprintf(im->failure, sizeof(im->failure), "%s is not %s data", key, im->gz ? "gzip" : "zstd");
            ddb_buf_free(&raw);
            ddb_buf_free(&plain);
            return -1;
        }
        text = &plain;
    }
    im->key = key;
    im->index = 0;
    if (im->csv) {
        csv_object(im, text->data ? text->data : "", (text->data ? text->data : "") + text->len);
    } else {
        const char *p = text->data, *end = text->data + text->len;
        while (p != NULL && p < end && !im->cancelled) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = (size_t)((nl ? nl : end) - p);
            const char *s = p;
            while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
            while (len > 0 && (*s == ' ' || *s == '\t')) {
                s++;
                len--;
            }
            if (len > 0) {
                if (im->ion)
                    ion_line(im, s, len);
                else
                    json_line(im, s, len);
                im->index++;
            }
            p = nl ? nl + 1 : end;
            if (im->since_progress >= PROGRESS_ITEMS) {
                progress(im);
                im->cancelled = !table_alive(im);
                if (stop(ctx)) {
                    ddb_buf_free(&raw);
                    ddb_buf_free(&plain);
                    return 1;
                }
            }
        }
    }
    ddb_buf_free(&raw);
    ddb_buf_free(&plain);
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
    im.gz = comp != NULL && strcmp(comp, "GZIP") == 0;
    im.zstd = comp != NULL && strcmp(comp, "ZSTD") == 0;
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
