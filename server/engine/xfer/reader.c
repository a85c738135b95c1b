/*
 * server/engine/xfer/reader.c: reading items from objects and writing them (see reader.h).
 */
#include "server/engine/xfer/reader.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "proto/errors.h"
#include "server/engine/catalog.h"
#include "server/engine/item.h"
#include "server/engine/mutation.h"
#include "server/engine/table_stats.h"
#include "server/engine/xfer/ion.h"

ddb_xfer_comp ddb_xfer_comp_of(const char *name)
{
    if (name != NULL && strcmp(name, "GZIP") == 0)
        return DDB_COMP_GZIP;
    return name != NULL && strcmp(name, "ZSTD") == 0 ? DDB_COMP_ZSTD : DDB_COMP_NONE;
}

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

int ddb_xfer_object_read(ddb_objstore *os, const char *key, ddb_xfer_comp comp, ddb_xfer_object *o,
                         const char **code, char *failure, size_t failure_len)
{
    int rc = ddb_objstore_get(os, key, &o->raw);

    if (rc != DDB_OBJ_OK) {
        *code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchKey" : "S3AccessDenied";
        snprintf(failure, failure_len, "%s", os->err);
        return -1;
    }
    o->data = o->raw.data ? o->raw.data : "";
    o->len = o->raw.len;
    if (comp == DDB_COMP_NONE)
        return 0;
    if ((comp == DDB_COMP_GZIP ? gunzip(&o->raw, &o->plain) : unzstd(&o->raw, &o->plain)) != 0) {
        *code = "InvalidCompression";
        snprintf(failure, failure_len, "%s is not %s data", key, comp == DDB_COMP_GZIP ? "gzip" : "zstd");
        return -1;
    }
    o->data = o->plain.data ? o->plain.data : "";
    o->len = o->plain.len;
    return 0;
}

void ddb_xfer_object_free(ddb_xfer_object *o)
{
    ddb_buf_free(&o->raw);
    ddb_buf_free(&o->plain);
}

int ddb_xfer_next_line(const char **p, const char *end, const char **s, size_t *len)
{
    while (*p != NULL && *p < end) {
        const char *nl = memchr(*p, '\n', (size_t)(end - *p));
        *s = *p;
        *len = (size_t)((nl ? nl : end) - *p);
        *p = nl ? nl + 1 : end;
        while (*len > 0 && ((*s)[*len - 1] == '\r' || (*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
            (*len)--;
        while (*len > 0 && (**s == ' ' || **s == '\t')) {
            (*s)++;
            (*len)--;
        }
        if (*len > 0)
            return 1;
    }
    return 0;
}

void ddb_xfer_body_begin(ddb_buf *body, ddb_jw *w, const char *table)
{
    body->len = 0;
    ddb_jw_init(w, body);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, table);
    ddb_jw_key(w, "Item");
}

static const char *json_body(const char *line, size_t len, ddb_jw *w)
{
    ddb_arena a;
    const ddb_json *doc, *item;
    const char *err = NULL;

    ddb_arena_init(&a);
    doc = ddb_json_parse_input(&a, line, len, NULL);
    item = ddb_json_get(doc, "Item");
    if (item == NULL || item->type != DDB_JSON_OBJECT)
        err = doc == NULL ? "Invalid JSON: the line is not a JSON document" : "Invalid item: the line has no Item object";
    else
        ddb_jw_json(w, item);
    ddb_arena_free(&a);
    return err;
}

const char *ddb_xfer_line_body(int ion, const char *line, size_t len, const char *table, ddb_buf *body,
                               char *err, size_t err_len)
{
    const char *e;
    ddb_jw w;

    ddb_xfer_body_begin(body, &w, table);
    if (!ion) {
        if ((e = json_body(line, len, &w)) != NULL)
            return e;
    } else if ((e = ddb_ion_read_item(line, len, &w)) != NULL) {
        snprintf(err, err_len, "Invalid Ion: %s", e);
        return err;
    }
    ddb_jw_obj_end(&w);
    return NULL;
}

void ddb_xfer_item_pointer(ddb_jw *w, const char *bucket, const char *key, long long index)
{
    ddb_jw_key(w, "itemS3Pointer");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "bucket");
    ddb_jw_str(w, bucket);
    ddb_jw_key(w, "key");
    ddb_jw_str(w, key);
    ddb_jw_key(w, "itemIndex");
    ddb_jw_int(w, index);
    ddb_jw_obj_end(w);
}

/*
 * The error PutItem would answer for the item in body ({"TableName":..., "Item":...}), in its
 * order: the JSON, the values' types (SerializationException), their decoding and names (a
 * ValidationException in the envelope PutItem's answers carry, api/dispatch.c), the size, the
 * table, the key against its schema; NULL when the item can be written (*item, *t, *key set).
 */
static const char *item_error(ddb_engine *eng, ddb_arena *a, const char *ns, const ddb_buf *body_text, ddb_attr *item,
                              const ddb_table **t, ddb_key *key)
{
    const ddb_json *body = ddb_json_parse_input(a, body_text->data, body_text->len, NULL);
    const ddb_json *json = ddb_json_get(body, "Item");
    const char *msg;

    if (body == NULL || body->type != DDB_JSON_OBJECT)
        return ddb_error_lookup(DDB_E_SERIALIZATION)->type; /* (no message: the log shows the type) */
    if ((msg = ddb_item_check_types(a, json)) != NULL)
        return msg;
    ddb_attr_set_dialect(DDB_VALUES_2026); /* PutItem's wording of value errors (proto/attr.h) */
    if ((msg = ddb_item_from_json(a, json, item)) != NULL || (msg = ddb_item_names_check(item)) != NULL)
        return ddb_arena_sprintf(a, "1 validation error detected: %s", msg);
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE)
        return "Item size has exceeded the maximum allowed size";
    *t = ddb_catalog_get(eng->catalog, ddb_ns_key(a, ns, ddb_json_get_str(body, "TableName")));
    if (*t == NULL || (*t)->restoring)
        return "Requested resource not found";
    return ddb_item_key_check(a, eng->store, *t, item, 0, key);
}

const char *ddb_xfer_prepare(ddb_engine *eng, ddb_arena *a, const char *ns, const ddb_buf *body, ddb_mutation *m)
{
    const ddb_table *t = NULL;
    ddb_attr *item = DDB_NEW(a, ddb_attr);
    ddb_key key;
    const char *msg;

    if ((msg = item_error(eng, a, ns, body, item, &t, &key)) != NULL)
        return msg;
    ddb_mutation_init(m, DDB_MUT_PUT, t, &key);
    m->item = item;
    return NULL;
}

/* A written put's units, charged to its table's figures as PutItem's are. */
static double charge(const ddb_mutation *m)
{
    double units = ddb_mutation_units(m);

    ddb_table_stats_charge(m->t->stats, 0, units);
    return units;
}

const char *ddb_xfer_error_of(const ddb_mutation *m)
{
    if (m->err.code == DDB_OK)
        return NULL;
    return m->err.msg ? m->err.msg : ddb_error_lookup(m->err.code)->type;
}

double ddb_xfer_commit(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n)
{
    double units = 0;
    ddb_error err;
    int one_by_one = n == 1;

    for (size_t i = 0; i < n && !one_by_one; i++)
        one_by_one = ms[i].t->rep_strong; /* a STRONG table's put is mirrored by ddb_mutate alone */
    if (!one_by_one && ddb_mutate_txn(eng, a, ms, n, NULL, &err) == DDB_OK) {
        for (size_t i = 0; i < n; i++)
            units += charge(&ms[i]);
        return units;
    }
    /* one put failed (an index key's type, an item collection's size), so the commit wrote nothing,
       or the whole did (the table went): each put again on its own, so each gets PutItem's outcome */
    for (size_t i = 0; i < n; i++) {
        memset(&ms[i].err, 0, sizeof(ms[i].err));
        if (ddb_mutate(eng, a, &ms[i]) == DDB_OK)
            units += charge(&ms[i]);
    }
    return units;
}
