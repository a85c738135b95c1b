/*
 * server/engine/xfer/export.c: one export, on the background worker (see xfer.h).
 *
 * The table is read through one storage snapshot taken when the export starts, in key order, and
 * written as DynamoDB writes an export (its "export output format" page):
 *
 *   <prefix>/AWSDynamoDB/<ExportId>/_started                    empty, written first
 *   <prefix>/AWSDynamoDB/<ExportId>/data/<26 chars>.json.gz     gzip, one {"Item":{...}} per line
 *                                          (or .ion.gz, one "$ion_1_0 {Item:{...}}" per line)
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-files.json         a JSON line per data file: itemCount,
 *                                          md5Checksum (base64 MD5 of the file), etag (hex MD5),
 *                                          dataFileS3Key
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-files.checksum     hex MD5 of manifest-files.json
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json       the summary (written last)
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.checksum   hex MD5 of manifest-summary.json
 *
 * A data file holds at most FILE_BYTES of uncompressed lines (DynamoDB writes one or more per
 * partition); an empty table gets one empty data file, as an empty partition does.
 *
 * Three kinds, chosen by the record's private members (ops/ops_export.c):
 *   - now (no ddbdAtMs): the table through one storage snapshot taken when the worker starts;
 *   - as of a past time T (ddbdAtMs): point-in-time recovery's history (pitr.h), the base copy
 *     merged in key order with each changed item's last log record before T+1 ms;
 *   - INCREMENTAL_EXPORT (ddbdFromMs, ddbdToMs): one line per item with a log record in
 *     [from, to), {"Metadata":{"WriteTimestampMicros"},"Keys","NewImage","OldImage"}, its state at
 *     `to` and at `from` (the base's copy when no earlier record says); data files go to the
 *     shared <prefix>/AWSDynamoDB/data/ as DynamoDB's incremental exports write them.
 * A full export's FilterSpecification (the record's, parsed again at each run) keeps the items its
 * key condition and filter match, projected; ItemCount counts those, BilledSizeBytes every item
 * read (docs/compatibility.md).
 * The history is read only once the base copy is AVAILABLE: until then the export waits (its
 * record stays IN_PROGRESS; the worker copies the base first).
 */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/backup_records.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/keycodec.h"
#include "server/engine/xfer/ion.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/xfer.h"
#include "server/expr/expr.h"

#define FILE_BYTES (32u << 20)

typedef struct exporter {
    ddb_engine *eng;
    const char *id;
    const ddb_json *rec;
    int ion;
    int incremental, new_only; /* INCREMENTAL_EXPORT, and its view NEW_IMAGE */
    ddb_objstore os;
    ddb_buf base;        /* "<prefix>/AWSDynamoDB/<id>/" */
    ddb_buf data_base;   /* where data/ is: base, or "<prefix>/AWSDynamoDB/" (incremental) */
    const char *hash_key, *range_key; /* the table's key attributes (an incremental line's Keys) */
    uint32_t base_keyspace;          /* the history's base copy (0: the table now) */
    ddb_pitr_change *ch;             /* the history's changed items, in key order */
    size_t nch;
    ddb_buf lines;       /* the current file's uncompressed lines */
    unsigned long long file_items, items, bytes;
    ddb_buf manifest;    /* manifest-files.json */
    ddb_parsed filter;   /* FilterSpecification's key condition, filter and projection (none: all) */
    const char *failure_code;
    char failure[600];
} exporter;

static void md5(const void *p, size_t n, unsigned char out[16])
{
    unsigned int len = 16;

    EVP_Digest(p, n, out, &len, EVP_md5(), NULL);
}

static void hex16(const unsigned char d[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* gzip of in[0..n) into out; 0 or -1. */
static int gzip(const char *in, size_t n, ddb_buf *out)
{
    z_stream z = {0};
    int rc;

    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    ddb_buf_reserve(out, deflateBound(&z, n) + 64);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)(out->cap - out->len);
    rc = deflate(&z, Z_FINISH);
    out->len += z.total_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

/* Writes object <dir><name>. */
static int put_in(exporter *x, const ddb_buf *dir, const char *name, const void *data, size_t len)
{
    char *key = malloc(dir->len + strlen(name) + 1);
    int rc;

    if (key == NULL)
        abort();
    memcpy(key, dir->data, dir->len);
    strcpy(key + dir->len, name);
    rc = ddb_objstore_put(&x->os, key, data, len);
    free(key);
    if (rc != DDB_OBJ_OK && x->failure_code == NULL) {
        x->failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(x->failure, sizeof(x->failure), "%s", x->os.err);
    }
    return rc;
}

static int put(exporter *x, const char *name, const void *data, size_t len)
{
    return put_in(x, &x->base, name, data, len);
}

/* Compresses and writes the current file, and adds its line to manifest-files.json. */
static int flush_file(exporter *x)
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    char name[64], etag[33], b64[32], *key;
    unsigned char digest[16], rnd[26];
    ddb_buf gz = {0};
    ddb_jw w;
    int rc;

    randombytes_buf(rnd, sizeof(rnd));
    snprintf(name, sizeof(name), "data/");
    for (int i = 0; i < 26; i++)
        name[5 + i] = b32[rnd[i] & 31];
    snprintf(name + 31, sizeof(name) - 31, "%s", x->ion ? ".ion.gz" : ".json.gz");
    if (gzip(x->lines.data ? x->lines.data : "", x->lines.len, &gz) != 0) {
        x->failure_code = "UNKNOWN";
        snprintf(x->failure, sizeof(x->failure), "compressing a data file failed");
        ddb_buf_free(&gz);
        return -1;
    }
    rc = put_in(x, &x->data_base, name, gz.data, gz.len);
    if (rc == DDB_OBJ_OK) {
        md5(gz.data, gz.len, digest);
        hex16(digest, etag);
        sodium_bin2base64(b64, sizeof(b64), digest, 16, sodium_base64_VARIANT_ORIGINAL);
        ddb_jw_init(&w, &x->manifest);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "itemCount");
        ddb_jw_int(&w, (long long)x->file_items);
        ddb_jw_key(&w, "md5Checksum");
        ddb_jw_str(&w, b64);
        ddb_jw_key(&w, "etag");
        ddb_jw_str(&w, etag);
        ddb_jw_key(&w, "dataFileS3Key");
        key = malloc(x->data_base.len + strlen(name) + 1);
        if (key == NULL)
            abort();
        memcpy(key, x->data_base.data, x->data_base.len);
        strcpy(key + x->data_base.len, name);
        ddb_jw_str(&w, key);
        free(key);
        ddb_jw_obj_end(&w);
        ddb_buf_putc(&x->manifest, '\n');
    }
    ddb_buf_free(&gz);
    x->lines.len = 0;
    x->file_items = 0;
    return rc == DDB_OBJ_OK ? 0 : -1;
}

/* Ends the line just written: one more item in the file and in the export. */
static void end_line(exporter *x)
{
    ddb_buf_putc(&x->lines, '\n');
    x->file_items++;
    x->items++;
}

static void add_item(exporter *x, const ddb_attr *item)
{
    if (x->ion) {
        ddb_ion_write_item(&x->lines, item);
    } else {
        ddb_jw w;
        ddb_jw_init(&w, &x->lines);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "Item");
        ddb_item_write_json(&w, item);
        ddb_jw_obj_end(&w);
    }
    end_line(x);
}

/* After a line: starts a new file past FILE_BYTES; 0, 1 when stopping, -1 on failure. */
static int maybe_flush(exporter *x, int *files, ddb_xfer_stop stop, void *ctx)
{
    int rc;

    if (x->lines.len < FILE_BYTES)
        return 0;
    rc = flush_file(x);
    (*files)++;
    return rc == 0 && stop(ctx) ? 1 : rc;
}

/* Adds the item stored as v[0..vlen) (decoded into a, which is then reset), and starts a new file
   past FILE_BYTES; 0, 1 when stopping, -1 on failure. */
static int add_stored(exporter *x, ddb_arena *a, const char *v, size_t vlen, int *files, ddb_xfer_stop stop,
                      void *ctx)
{
    ddb_attr item;

    if (ddb_item_decode(a, v, vlen, &item) != 0) {
        ddb_log(DDB_LOG_ERROR, "export %s: an unreadable item was skipped", x->id);
        return 0;
    }
    x->bytes += ddb_item_stored_size(v, vlen); /* every item read, as a Scan's filter reads them all */
    if (ddb_expr_eval_condition(x->filter.key_condition, &item) && ddb_expr_eval_condition(x->filter.filter, &item)) {
        ddb_attr out;
        ddb_expr_project(a, x->filter.projection, &item, &out);
        add_item(x, &out);
    }
    ddb_arena_reset(a);
    return maybe_flush(x, files, stop, ctx);
}

/* Adds the changed items of x->ch from *ci on that sort before key (all: key NULL), each as it was
   at the time (nothing when deleted); *ci moves past them. 0, 1 or -1 as add_stored. */
static int add_changed_before(exporter *x, ddb_arena *a, size_t *ci, const char *key, size_t klen, int *files,
                              ddb_xfer_stop stop, void *ctx)
{
    int rc = 0;

    for (; rc == 0 && *ci < x->nch && (key == NULL || ddb_pitr_keycmp(&x->ch[*ci], key, klen) < 0); (*ci)++) {
        if (x->ch[*ci].after != NULL)
            rc = add_stored(x, a, x->ch[*ci].after, x->ch[*ci].after_len, files, stop, ctx);
    }
    return rc;
}

/*
 * Reads keyspace `keyspace` (the table through `snap`, or the history's base copy) in key order,
 * merged with the history's changed items (x->ch: an item there is written as it was at the time,
 * or left out when it did not exist then), and writes the data files; 0, 1 when stopped, -1 on
 * failure.
 */
static int write_data(exporter *x, uint32_t keyspace, ddb_store_snapshot *snap, ddb_xfer_stop stop, void *ctx)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    ddb_arena a;
    size_t ci = 0;
    int rc = 0, files = 0;

    ddb_arena_init(&a);
    ddb_key_table_range(keyspace, lo, hi);
    it = ddb_store_iter_open_at(x->eng->store, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); rc == 0 && ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        if ((rc = add_changed_before(x, &a, &ci, k + 4, klen - 4, &files, stop, ctx)) != 0)
            break;
        if (ci < x->nch && ddb_pitr_keycmp(&x->ch[ci], k + 4, klen - 4) == 0) {
            v = x->ch[ci].after; /* the base's item as it was at the time */
            vlen = x->ch[ci++].after_len;
        }
        if (v != NULL)
            rc = add_stored(x, &a, v, vlen, &files, stop, ctx);
    }
    if (rc == 0 && ddb_store_iter_status(it) != DDB_STORE_OK) {
        x->failure_code = "UNKNOWN";
        snprintf(x->failure, sizeof(x->failure), "reading the table failed");
        rc = -1;
    }
    ddb_store_iter_close(it);
    if (rc == 0)
        rc = add_changed_before(x, &a, &ci, NULL, 0, &files, stop, ctx);
    ddb_arena_free(&a);
    if (rc == 0 && (x->file_items > 0 || files == 0))
        rc = flush_file(x);
    return rc;
}

/* ---- INCREMENTAL_EXPORT ---- */

static int same_name(const ddb_entry *m, const char *name)
{
    return m->nlen == strlen(name) && memcmp(m->name, name, m->nlen) == 0;
}

/* The item's key attributes, as an M. */
static void keys_of(exporter *x, ddb_arena *a, const ddb_attr *item, ddb_attr *out)
{
    ddb_entry *e = ddb_arena_alloc(a, 2 * sizeof(*e));

    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    out->u.entries = e;
    for (uint32_t i = 0; i < item->len && out->len < 2; i++) {
        const ddb_entry *m = &item->u.entries[i];
        if (same_name(m, x->hash_key) || (x->range_key != NULL && same_name(m, x->range_key)))
            e[out->len++] = *m;
    }
}

/* One line: {"Metadata":{"WriteTimestampMicros":{"N":...}},"Keys":...,"NewImage":...,"OldImage":...}. */
static void add_change(exporter *x, uint64_t ms, const ddb_attr *keys, const ddb_attr *now, const ddb_attr *then)
{
    char micros[32];

    snprintf(micros, sizeof(micros), "%llu", (unsigned long long)ms * 1000ULL);
    if (x->ion) {
        ddb_buf_printf(&x->lines, "$ion_1_0 {Metadata:{WriteTimestampMicros:%s},Keys:", micros);
        ddb_ion_write_value(&x->lines, keys);
        if (now != NULL) {
            ddb_buf_puts(&x->lines, ",NewImage:");
            ddb_ion_write_value(&x->lines, now);
        }
        if (then != NULL) {
            ddb_buf_puts(&x->lines, ",OldImage:");
            ddb_ion_write_value(&x->lines, then);
        }
        ddb_buf_putc(&x->lines, '}');
    } else {
        ddb_jw w;
        ddb_jw_init(&w, &x->lines);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "Metadata");
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "WriteTimestampMicros");
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "N");
        ddb_jw_str(&w, micros);
        ddb_jw_obj_end(&w);
        ddb_jw_obj_end(&w);
        ddb_jw_key(&w, "Keys");
        ddb_item_write_json(&w, keys);
        if (now != NULL) {
            ddb_jw_key(&w, "NewImage");
            ddb_item_write_json(&w, now);
        }
        if (then != NULL) {
            ddb_jw_key(&w, "OldImage");
            ddb_item_write_json(&w, then);
        }
        ddb_jw_obj_end(&w);
    }
    end_line(x);
}

/* Change c's line (nothing when the item neither existed at `from` nor at `to`). 0 or -1. */
static int write_change(exporter *x, ddb_arena *a, const ddb_pitr_change *c)
{
    const char *old = c->before;
    size_t old_len = c->before_len;
    ddb_attr now, then, keys;
    int has_now = 0, has_then = 0;

    if (!c->before_known) { /* its state at `from` is the base's */
        char *k = ddb_arena_alloc(a, c->klen + 4), *v;
        ddb_put_be(k, x->base_keyspace, 4);
        memcpy(k + 4, c->key, c->klen);
        if (ddb_store_get(x->eng->store, a, k, c->klen + 4, &v, &old_len) != DDB_STORE_OK)
            return -1;
        old = v;
    }
    if (c->after != NULL && ddb_item_decode(a, c->after, c->after_len, &now) == 0) {
        has_now = 1;
        x->bytes += ddb_item_stored_size(c->after, c->after_len);
    }
    if (old != NULL && ddb_item_decode(a, old, old_len, &then) == 0)
        has_then = 1;
    if (!has_now && !has_then)
        return 0; /* created and deleted within the period: DynamoDB writes nothing either */
    keys_of(x, a, has_now ? &now : &then, &keys);
    add_change(x, c->last_ms, &keys, has_now ? &now : NULL, has_then && !x->new_only ? &then : NULL);
    return 0;
}

/* Writes the data files of an incremental export; 0, 1 when stopped, -1 on failure. */
static int write_changes(exporter *x, ddb_xfer_stop stop, void *ctx)
{
    ddb_arena a;
    int rc = 0, files = 0;

    ddb_arena_init(&a);
    for (size_t i = 0; rc == 0 && i < x->nch; i++) {
        if (!x->ch[i].changed)
            continue;
        if (write_change(x, &a, &x->ch[i]) != 0) {
            x->failure_code = "UNKNOWN";
            snprintf(x->failure, sizeof(x->failure), "reading the table's history failed");
            rc = -1;
            break;
        }
        ddb_arena_reset(&a);
        rc = maybe_flush(x, &files, stop, ctx);
    }
    ddb_arena_free(&a);
    if (rc == 0 && (x->file_items > 0 || files == 0))
        rc = flush_file(x);
    return rc;
}

/* A record's number member in seconds. */
static double seconds_of(const ddb_json *obj, const char *name)
{
    const ddb_json *v = ddb_json_get(obj, name);

    return v != NULL && v->type == DDB_JSON_NUMBER ? strtod(v->u.s, NULL) : 0;
}

static void iso_member(ddb_jw *w, const char *name, double epoch_seconds)
{
    char t[32];

    ddb_jw_key(w, name);
    ddb_xfer_iso_time(t, epoch_seconds);
    ddb_jw_str(w, t);
}

static void str_or_null(ddb_jw *w, const char *name, const char *v)
{
    ddb_jw_key(w, name);
    if (v != NULL)
        ddb_jw_str(w, v);
    else
        ddb_jw_null(w);
}

/* manifest-summary.json: the full export's members (version 2020-06-30), or the incremental's
   (version 2023-08-01: exportFromTime and exportToTime instead of exportTime, outputView and
   exportType), as the developer guide's examples show them. */
static void write_summary(exporter *x, double start, double end)
{
    const ddb_json *r = x->rec, *spec = ddb_json_get(r, "IncrementalExportSpecification");
    const char *view = ddb_json_get_str(spec, "ExportViewType");
    char etag[33];
    unsigned char digest[16];
    ddb_buf buf = {0};
    ddb_jw w;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "version");
    ddb_jw_str(&w, x->incremental ? "2023-08-01" : "2020-06-30");
    ddb_jw_key(&w, "exportArn");
    ddb_jw_str(&w, ddb_json_get_str(r, "ExportArn"));
    iso_member(&w, "startTime", start);
    iso_member(&w, "endTime", end);
    ddb_jw_key(&w, "tableArn");
    ddb_jw_str(&w, ddb_json_get_str(r, "TableArn"));
    ddb_jw_key(&w, "tableId");
    ddb_jw_str(&w, ddb_json_get_str(r, "TableId"));
    if (x->incremental) {
        iso_member(&w, "exportFromTime", seconds_of(spec, "ExportFromTime"));
        iso_member(&w, "exportToTime", seconds_of(spec, "ExportToTime"));
    } else {
        iso_member(&w, "exportTime", ddb_json_get(r, "ddbdAtMs") != NULL ? seconds_of(r, "ExportTime")
                                                                         : start);
    }
    ddb_jw_key(&w, "s3Bucket");
    ddb_jw_str(&w, ddb_json_get_str(r, "S3Bucket"));
    str_or_null(&w, "s3Prefix", ddb_json_get_str(r, "S3Prefix"));
    ddb_jw_key(&w, "s3SseAlgorithm");
    ddb_jw_str(&w, ddb_json_get_str(r, "S3SseAlgorithm") ? ddb_json_get_str(r, "S3SseAlgorithm") : "AES256");
    str_or_null(&w, "s3SseKmsKeyId", ddb_json_get_str(r, "S3SseKmsKeyId"));
    ddb_jw_key(&w, "manifestFilesS3Key");
    {
        ddb_buf key = {0};
        ddb_buf_append(&key, x->base.data, x->base.len);
        ddb_buf_puts(&key, "manifest-files.json");
        ddb_jw_strn(&w, key.data, key.len);
        ddb_buf_free(&key);
    }
    ddb_jw_key(&w, "billedSizeBytes");
    ddb_jw_int(&w, (long long)x->bytes);
    ddb_jw_key(&w, "itemCount");
    ddb_jw_int(&w, (long long)x->items);
    ddb_jw_key(&w, "outputFormat");
    ddb_jw_str(&w, x->ion ? "ION" : "DYNAMODB_JSON");
    if (x->incremental) { /* (the full export's example has neither) */
        ddb_jw_key(&w, "outputView");
        ddb_jw_str(&w, view != NULL ? view : "NEW_AND_OLD_IMAGES");
        ddb_jw_key(&w, "exportType");
        ddb_jw_str(&w, "INCREMENTAL_EXPORT");
    }
    ddb_jw_obj_end(&w);
    if (put(x, "manifest-summary.json", buf.data, buf.len) == DDB_OBJ_OK) {
        md5(buf.data, buf.len, digest);
        hex16(digest, etag);
        put(x, "manifest-summary.checksum", etag, 32);
    }
    ddb_buf_free(&buf);
}

static void finish(exporter *x, double end)
{
    ddb_buf manifest = {0};
    ddb_xfer_set ok[] = {
        {"ExportStatus", XS_STR, "COMPLETED"},
        {"EndTime", XS_TIME, .t = end},
        {"ExportManifest", XS_STR, NULL},
        {"ItemCount", XS_INT, .i = (long long)x->items},
        {"BilledSizeBytes", XS_INT, .i = (long long)x->bytes},
    };
    ddb_xfer_set failed[] = {
        {"ExportStatus", XS_STR, "FAILED"},
        {"EndTime", XS_TIME, .t = end},
        {"FailureCode", XS_STR, x->failure_code},
        {"FailureMessage", XS_STR, x->failure},
    };

    if (x->failure_code != NULL) {
        ddb_log(DDB_LOG_WARN, "export %s failed: %s", x->id, x->failure);
        ddb_xfer_update(x->eng->store, DDB_EXPORT_PREFIX, x->id, x->rec, failed, 4);
        return;
    }
    ddb_buf_append(&manifest, x->base.data, x->base.len);
    ddb_buf_puts(&manifest, "manifest-summary.json");
    ddb_buf_putc(&manifest, '\0');
    ok[2].s = manifest.data;
    ddb_xfer_update(x->eng->store, DDB_EXPORT_PREFIX, x->id, x->rec, ok, 5);
    ddb_log(DDB_LOG_INFO, "export %s completed: %llu items", x->id, x->items);
    ddb_buf_free(&manifest);
}

static void fail(exporter *x, const char *code, const char *msg)
{
    x->failure_code = code;
    snprintf(x->failure, sizeof(x->failure), "%s", msg);
}

static uint64_t rec_ms(const ddb_json *rec, const char *name)
{
    return (uint64_t)ddb_json_integer(ddb_json_get(rec, name), 0);
}

/*
 * Reads the history the export needs (pitr.h) into x->ch: 0, 1 when its base copy is not
 * AVAILABLE yet (the export waits), -1 with the failure set.
 */
static int load_history(exporter *x, ddb_arena *a, const ddb_table *t)
{
    uint64_t at = rec_ms(x->rec, "ddbdAtMs"), from = rec_ms(x->rec, "ddbdFromMs"), to = rec_ms(x->rec, "ddbdToMs");
    const char *base = t->pitr.base;
    ddb_backup b;

    if (!x->incremental)
        from = to = at + 1; /* the state as of T: every record at or before T */
    if (t->pitr.log == 0 || base == NULL || ddb_backup_load(x->eng->store, a, base, &b) != 0) {
        fail(x, "UNKNOWN", "Point in time recovery was disabled before the export ran");
        return -1;
    }
    if (strcmp(b.status, "AVAILABLE") != 0)
        return 1;
    if (b.created_ms > (x->incremental ? from : at)) {
        fail(x, "UNKNOWN", "The export time left the point in time recovery window before the export ran");
        return -1;
    }
    x->base_keyspace = b.keyspace;
    ddb_store_barrier(x->eng->store); /* the changes decided before now have landed (storage.h) */
    if (ddb_pitr_changes(x->eng->store, a, t->pitr.log, from, to, &x->ch, &x->nch) != 0) {
        fail(x, "UNKNOWN", "reading the table's history failed");
        return -1;
    }
    return 0;
}

/* Opens the bucket with the encryption headers the request asked for (objstore.h); 1, or 0 with
   the failure set. */
static int open_bucket(exporter *x)
{
    int rc = ddb_objstore_open(&x->os, &x->eng->settings.objstore, ddb_json_get_str(x->rec, "S3Bucket"));

    if (rc != DDB_OBJ_OK) {
        fail(x, rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied", x->os.err);
        return 0;
    }
    x->os.sse = ddb_json_get_str(x->rec, "ddbdSse");
    x->os.sse_kms_key = ddb_json_get_str(x->rec, "S3SseKmsKeyId");
    return 1;
}

/* manifest-files.json (a line per data file, written by flush_file) and its checksum. */
static void write_manifest_files(exporter *x)
{
    const char *text = x->manifest.data ? x->manifest.data : "";
    unsigned char digest[16];
    char etag[33];

    if (put(x, "manifest-files.json", text, x->manifest.len) != DDB_OBJ_OK)
        return;
    md5(text, x->manifest.len, digest);
    hex16(digest, etag);
    put(x, "manifest-files.checksum", etag, 32);
}

/* Writes the data files and manifests; 0, 1 when stopped, 2 while waiting for the history's base. */
static int write_all(exporter *x, const ddb_table *t, uint32_t table_id, ddb_xfer_stop stop, void *ctx)
{
    int history = ddb_json_get(x->rec, "ddbdAtMs") != NULL || x->incremental, rc = 0;
    ddb_store_snapshot *snap = NULL;
    ddb_arena a;

    ddb_arena_init(&a);
    x->hash_key = t->hash_key;
    x->range_key = t->range_key;
    if (history && (rc = load_history(x, &a, t)) != 0) {
        ddb_arena_free(&a);
        return rc > 0 ? 2 : 0;
    }
    if (!history)
        snap = ddb_store_snapshot_take(x->eng->store);
    if (open_bucket(x) && put(x, "_started", "", 0) == DDB_OBJ_OK) {
        if (x->incremental)
            rc = write_changes(x, stop, ctx);
        else
            rc = write_data(x, history ? x->base_keyspace : table_id, snap, stop, ctx);
        if (rc == 0)
            write_manifest_files(x);
    }
    if (snap != NULL)
        ddb_store_snapshot_release(x->eng->store, snap);
    ddb_arena_free(&a);
    return rc > 0 ? 1 : 0;
}

/* The record's FilterSpecification (checked when the export was asked for), parsed into x->filter
   from arena a; 0, or -1 with the failure set. */
static int load_filter(exporter *x, ddb_arena *a)
{
    const ddb_json *spec = ddb_json_get(x->rec, "FilterSpecification");
    const char *msg;

    if (spec == NULL)
        return 0;
    msg = ddb_expr_prepare_into(a, DDB_OPF_EXPORT_FILTER, spec, &x->filter);
    if (msg != NULL)
        fail(x, "UNKNOWN", msg);
    return msg != NULL ? -1 : 0;
}

int ddb_export_run(ddb_engine *eng, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    exporter x = {eng, id, rec};
    const char *prefix = ddb_json_get_str(rec, "S3Prefix"), *fmt = ddb_json_get_str(rec, "ExportFormat");
    const char *type = ddb_json_get_str(rec, "ExportType");
    const char *view = ddb_json_get_str(ddb_json_get(rec, "IncrementalExportSpecification"), "ExportViewType");
    uint32_t table_id = (uint32_t)ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0);
    const ddb_table *t = ddb_catalog_get_by_id(eng->catalog, table_id);
    double start = ddb_clock_now_s();
    ddb_arena fa;
    int rc, ran = 1;

    x.ion = fmt != NULL && strcmp(fmt, "ION") == 0;
    x.incremental = type != NULL && strcmp(type, "INCREMENTAL_EXPORT") == 0;
    x.new_only = view != NULL && strcmp(view, "NEW_IMAGE") == 0;
    if (prefix != NULL && prefix[0] != '\0')
        ddb_buf_printf(&x.base, "%s%s", prefix, prefix[strlen(prefix) - 1] == '/' ? "" : "/");
    ddb_buf_printf(&x.base, "AWSDynamoDB/");
    ddb_buf_append(&x.data_base, x.base.data, x.base.len);
    ddb_buf_printf(&x.base, "%s/", id);
    if (!x.incremental)
        ddb_buf_printf(&x.data_base, "%s/", id);
    ddb_arena_init(&fa);
    if (t == NULL) {
        fail(&x, "UNKNOWN", "The table was deleted before the export ran");
    } else if (load_filter(&x, &fa) != 0) {
        /* (finished FAILED below) */
    } else if ((rc = write_all(&x, t, table_id, stop, ctx)) != 0) {
        ran = rc == 1; /* stopping (run again at the next start), or waiting for the history's base */
        goto out;
    } else if (x.failure_code == NULL) {
        write_summary(&x, start, ddb_clock_now_s());
    }
    finish(&x, ddb_clock_now_s());
out:
    ddb_arena_free(&fa);
    ddb_objstore_close(&x.os);
    ddb_buf_free(&x.base);
    ddb_buf_free(&x.data_base);
    ddb_buf_free(&x.lines);
    ddb_buf_free(&x.manifest);
    return ran;
}
