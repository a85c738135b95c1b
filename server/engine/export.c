/*
 * server/engine/export.c: one export, on the background worker (see xfer.h).
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
 * partition); an empty table gets one empty data file, as an empty partition does. The snapshot
 * is where a point in time would plug in: reading the table as of ExportTime instead of now only
 * changes which state the iterator reads.
 */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ion.h"
#include "itemcodec.h"
#include "keycodec.h"
#include "log.h"
#include "objstore.h"
#include "server.h"
#include "xfer.h"

#define FILE_BYTES (32u << 20)

typedef struct exporter {
    ddb_server *srv;
    const char *id;
    const ddb_json *rec;
    int ion;
    ddb_objstore os;
    ddb_buf base;        /* "<prefix>/AWSDynamoDB/<id>/" */
    ddb_buf lines;       /* the current file's uncompressed lines */
    unsigned long long file_items, items, bytes;
    ddb_buf manifest;    /* manifest-files.json */
    const char *failure_code;
    char failure[600];
} exporter;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

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

static int put(exporter *x, const char *name, const void *data, size_t len)
{
    char *key;
    int rc;

    ddb_buf_putc(&x->base, '\0');
    key = malloc(x->base.len + strlen(name) + 1);
    if (key == NULL)
        abort();
    sprintf(key, "%s%s", x->base.data, name);
    x->base.len--;
    rc = ddb_objstore_put(&x->os, key, data, len);
    free(key);
    if (rc != DDB_OBJ_OK && x->failure_code == NULL) {
        x->failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(x->failure, sizeof(x->failure), "%s", x->os.err);
    }
    return rc;
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
    rc = put(x, name, gz.data, gz.len);
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
        key = malloc(x->base.len + strlen(name) + 1);
        if (key == NULL)
            abort();
        memcpy(key, x->base.data, x->base.len);
        strcpy(key + x->base.len, name);
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
    ddb_buf_putc(&x->lines, '\n');
    x->file_items++;
    x->items++;
}

/* Reads the table through one snapshot and writes the data files; 0, 1 when stopped, -1 on failure. */
static int write_data(exporter *x, uint32_t table_id, ddb_xfer_stop stop, void *ctx)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store *s = x->srv->store;
    ddb_store_snapshot *snap = ddb_store_snapshot_take(s);
    ddb_store_iter *it;
    ddb_arena a;
    int rc = 0, files = 0;

    ddb_arena_init(&a);
    ddb_key_table_range(table_id, lo, hi);
    it = ddb_store_iter_open_at(s, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); rc == 0 && ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        ddb_attr item;
        if (ddb_item_decode(&a, v, vlen, &item) != 0) {
            ddb_log(DDB_LOG_ERROR, "export %s: an unreadable item was skipped", x->id);
            continue;
        }
        x->bytes += ddb_item_stored_size(v, vlen);
        add_item(x, &item);
        ddb_arena_reset(&a);
        if (x->lines.len >= FILE_BYTES) {
            rc = flush_file(x);
            files++;
            if (rc == 0 && stop(ctx))
                rc = 1;
        }
    }
    if (rc == 0 && ddb_store_iter_status(it) != DDB_STORE_OK) {
        x->failure_code = "UNKNOWN";
        snprintf(x->failure, sizeof(x->failure), "reading the table failed");
        rc = -1;
    }
    ddb_store_iter_close(it);
    ddb_store_snapshot_release(s, snap);
    ddb_arena_free(&a);
    if (rc == 0 && (x->file_items > 0 || files == 0))
        rc = flush_file(x);
    return rc;
}

static void write_summary(exporter *x, double start, double end)
{
    const ddb_json *r = x->rec;
    char t[32], etag[33];
    unsigned char digest[16];
    ddb_buf buf = {0};
    ddb_jw w;
    const char *prefix = ddb_json_get_str(r, "S3Prefix");

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "version");
    ddb_jw_str(&w, "2020-06-30");
    ddb_jw_key(&w, "exportArn");
    ddb_jw_str(&w, ddb_json_get_str(r, "ExportArn"));
    ddb_jw_key(&w, "startTime");
    ddb_xfer_iso_time(t, start);
    ddb_jw_str(&w, t);
    ddb_jw_key(&w, "endTime");
    ddb_xfer_iso_time(t, end);
    ddb_jw_str(&w, t);
    ddb_jw_key(&w, "tableArn");
    ddb_jw_str(&w, ddb_json_get_str(r, "TableArn"));
    ddb_jw_key(&w, "tableId");
    ddb_jw_str(&w, ddb_json_get_str(r, "TableId"));
    ddb_jw_key(&w, "exportTime");
    ddb_xfer_iso_time(t, start);
    ddb_jw_str(&w, t);
    ddb_jw_key(&w, "s3Bucket");
    ddb_jw_str(&w, ddb_json_get_str(r, "S3Bucket"));
    ddb_jw_key(&w, "s3Prefix");
    if (prefix != NULL)
        ddb_jw_str(&w, prefix);
    else
        ddb_jw_null(&w);
    ddb_jw_key(&w, "s3SseAlgorithm");
    ddb_jw_str(&w, ddb_json_get_str(r, "S3SseAlgorithm") ? ddb_json_get_str(r, "S3SseAlgorithm") : "AES256");
    ddb_jw_key(&w, "s3SseKmsKeyId");
    if (ddb_json_get_str(r, "S3SseKmsKeyId") != NULL)
        ddb_jw_str(&w, ddb_json_get_str(r, "S3SseKmsKeyId"));
    else
        ddb_jw_null(&w);
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
    ddb_jw_key(&w, "exportType");
    ddb_jw_str(&w, "FULL_EXPORT");
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
        ddb_xfer_update(x->srv->store, DDB_EXPORT_PREFIX, x->id, x->rec, failed, 4);
        return;
    }
    ddb_buf_append(&manifest, x->base.data, x->base.len);
    ddb_buf_puts(&manifest, "manifest-summary.json");
    ddb_buf_putc(&manifest, '\0');
    ok[2].s = manifest.data;
    ddb_xfer_update(x->srv->store, DDB_EXPORT_PREFIX, x->id, x->rec, ok, 5);
    ddb_log(DDB_LOG_INFO, "export %s completed: %llu items", x->id, x->items);
    ddb_buf_free(&manifest);
}

void ddb_export_run(ddb_server *srv, const char *id, const ddb_json *rec, ddb_xfer_stop stop, void *ctx)
{
    exporter x = {srv, id, rec};
    const char *prefix = ddb_json_get_str(rec, "S3Prefix"), *fmt = ddb_json_get_str(rec, "ExportFormat");
    uint32_t table_id = (uint32_t)ddb_json_integer(ddb_json_get(rec, "ddbdTableId"), 0);
    double start = now_seconds();
    int rc;

    x.ion = fmt != NULL && strcmp(fmt, "ION") == 0;
    if (prefix != NULL && prefix[0] != '\0')
        ddb_buf_printf(&x.base, "%s%s", prefix, prefix[strlen(prefix) - 1] == '/' ? "" : "/");
    ddb_buf_printf(&x.base, "AWSDynamoDB/%s/", id);
    ddb_log(DDB_LOG_INFO, "export %s of table id %u started", id, table_id);
    if (ddb_catalog_get_by_id(srv->catalog, table_id) == NULL) {
        x.failure_code = "UNKNOWN";
        snprintf(x.failure, sizeof(x.failure), "The table was deleted before the export ran");
    } else if ((rc = ddb_objstore_open(&x.os, srv->config, ddb_json_get_str(rec, "S3Bucket"))) != DDB_OBJ_OK) {
        x.failure_code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchBucket" : "S3AccessDenied";
        snprintf(x.failure, sizeof(x.failure), "%s", x.os.err);
    } else if (put(&x, "_started", "", 0) == DDB_OBJ_OK && (rc = write_data(&x, table_id, stop, ctx)) >= 0) {
        if (rc == 1)
            goto out; /* stopping: run again at the next start */
        if (put(&x, "manifest-files.json", x.manifest.data ? x.manifest.data : "", x.manifest.len) == DDB_OBJ_OK) {
            unsigned char digest[16];
            char etag[33];
            md5(x.manifest.data ? x.manifest.data : "", x.manifest.len, digest);
            hex16(digest, etag);
            put(&x, "manifest-files.checksum", etag, 32);
        }
        if (x.failure_code == NULL)
            write_summary(&x, start, now_seconds());
    }
    finish(&x, now_seconds());
out:
    ddb_objstore_close(&x.os);
    ddb_buf_free(&x.base);
    ddb_buf_free(&x.lines);
    ddb_buf_free(&x.manifest);
}
