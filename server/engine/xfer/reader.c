/*
 * server/engine/xfer/reader.c: reading items from objects and writing them (see reader.h).
 */
#include "server/engine/xfer/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "proto/errors.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/item.h"
#include "server/engine/mutation.h"
#include "server/engine/table_stats.h"
#include "server/engine/xfer/ion.h"
#include "server/expr/expr.h"

ddb_xfer_comp ddb_xfer_comp_of(const char *name)
{
    if (name != NULL && strcmp(name, "GZIP") == 0)
        return DDB_COMP_GZIP;
    return name != NULL && strcmp(name, "ZSTD") == 0 ? DDB_COMP_ZSTD : DDB_COMP_NONE;
}

static int fail(ddb_xfer_object *o, const char *code, const char *why)
{
    o->code = code;
    snprintf(o->failure, sizeof(o->failure), "%s", why);
    o->done = 1;
    return -1;
}

int ddb_xfer_object_open(ddb_objstore *os, const char *key, ddb_xfer_comp comp, ddb_xfer_object *o,
                         const char **code, char *failure, size_t failure_len)
{
    int rc = ddb_objstore_stream_open(os, key, &o->src);

    o->comp = comp;
    if (rc != DDB_OBJ_OK) {
        *code = rc == DDB_OBJ_NOT_FOUND ? "S3NoSuchKey" : "S3AccessDenied";
        snprintf(failure, failure_len, "%s", os->err);
        return -1;
    }
    if ((o->text = malloc(DDB_XFER_WINDOW)) == NULL || (comp != DDB_COMP_NONE && (o->in = malloc(DDB_XFER_READ)) == NULL))
        abort();
    if (comp == DDB_COMP_GZIP) {
        z_stream *z = calloc(1, sizeof(*z));
        if (z == NULL || inflateInit2(z, 15 + 32) != Z_OK) /* 32: a gzip or a zlib header */
            abort();
        o->z = z;
    } else if (comp == DDB_COMP_ZSTD && ((o->z = ZSTD_createDStream()) == NULL || ZSTD_isError(ZSTD_initDStream(o->z)))) {
        abort();
    }
    o->zhint = 1; /* no frame yet: an empty object is not ZSTD data */
    return 0;
}

void ddb_xfer_object_free(ddb_xfer_object *o)
{
    ddb_objstore_stream_close(&o->src);
    if (o->z != NULL && o->comp == DDB_COMP_GZIP) {
        inflateEnd(o->z);
        free(o->z);
    } else if (o->z != NULL) {
        ZSTD_freeDStream(o->z);
    }
    free(o->in);
    free(o->text);
    o->z = o->in = o->text = NULL;
}

/* Reads up to n bytes of the object into p: their count, 0 at its end, -1 (failed). */
static long read_raw(ddb_xfer_object *o, char *p, size_t n)
{
    long got = ddb_objstore_stream_read(&o->src, p, n);

    if (got < 0)
        return fail(o, "S3AccessDenied", o->src.o->err);
    o->raw_bytes += got;
    return got;
}

/* One step of gzip (members one after another) from o->in into the window: 0, or -1. */
static int gunzip_step(ddb_xfer_object *o, const char *key)
{
    z_stream *z = o->z;
    size_t before = o->end;
    int rc;

    z->next_in = (Bytef *)o->in + o->in_pos;
    z->avail_in = (uInt)(o->in_len - o->in_pos);
    z->next_out = (Bytef *)o->text + o->end;
    z->avail_out = (uInt)(DDB_XFER_WINDOW - o->end);
    rc = inflate(z, Z_NO_FLUSH);
    o->in_pos = o->in_len - z->avail_in;
    o->end = DDB_XFER_WINDOW - z->avail_out;
    if (rc == Z_STREAM_END)
        inflateReset(z); /* concatenated members */
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
        return fail(o, "InvalidCompression", key);
    if (o->end == before && o->in_pos == o->in_len && o->src_done)
        o->done = 1; /* (a member cut short ends the text, as it always did) */
    return 0;
}

/* One step of ZSTD frames from o->in into the window: 0, or -1 (not ZSTD, or its last frame cut). */
static int unzstd_step(ddb_xfer_object *o, const char *key)
{
    ZSTD_inBuffer src = {o->in, o->in_len, o->in_pos};
    ZSTD_outBuffer dst = {o->text, DDB_XFER_WINDOW, o->end};
    size_t before = o->end, rc;

    if (o->in_pos == o->in_len && o->src_done && o->zhint == 0) {
        o->done = 1; /* the last frame ended whole and was all given */
        return 0;
    }
    rc = ZSTD_decompressStream(o->z, &dst, &src);
    if (ZSTD_isError(rc))
        return fail(o, "InvalidCompression", key);
    if (dst.pos > before || src.pos > o->in_pos)
        o->zhint = rc; /* 0: a frame ended and all of it is out */
    o->in_pos = src.pos;
    o->end = dst.pos;
    if (o->end == before && o->in_pos == o->in_len && o->src_done)
        return fail(o, "InvalidCompression", key); /* the last frame is cut short */
    return 0;
}

int ddb_xfer_object_more(ddb_xfer_object *o)
{
    size_t before;

    if (o->start > 0) {
        memmove(o->text, o->text + o->start, o->end - o->start);
        o->end -= o->start;
        o->start = 0;
    }
    before = o->end;
    while (o->end == before && !o->done && o->end < DDB_XFER_WINDOW) {
        size_t room = DDB_XFER_WINDOW - o->end;
        long n;
        if (o->comp == DDB_COMP_NONE) {
            if ((n = read_raw(o, o->text + o->end, room < DDB_XFER_READ ? room : DDB_XFER_READ)) < 0)
                return -1;
            o->end += (size_t)n;
            o->done = n == 0;
            continue;
        }
        if (o->in_pos == o->in_len && !o->src_done) {
            if ((n = read_raw(o, o->in, DDB_XFER_READ)) < 0)
                return -1;
            o->in_pos = 0;
            o->in_len = (size_t)n;
            o->src_done = n == 0;
        }
        if ((o->comp == DDB_COMP_GZIP ? gunzip_step(o, o->src.key) : unzstd_step(o, o->src.key)) != 0) {
            snprintf(o->failure, sizeof(o->failure), "%s is not %s data", o->src.key,
                     o->comp == DDB_COMP_GZIP ? "gzip" : "zstd");
            return -1;
        }
    }
    return o->end > before;
}

void ddb_xfer_object_skip_line(ddb_xfer_object *o)
{
    o->skip = 1;
}

void ddb_xfer_object_resync(ddb_xfer_object *o)
{
    while (o->skip) {
        const char *nl = memchr(o->text + o->start, '\n', o->end - o->start);
        if (nl != NULL) {
            o->start = (size_t)(nl + 1 - o->text);
            o->skip = 0;
        } else {
            o->start = o->end;
            if (ddb_xfer_object_more(o) <= 0)
                o->skip = 0;
        }
    }
}

/* The first line of the window, whole (1), reading more as needed; 0 at the end (or a failure);
   2 when it is longer than DDB_XFER_MAX_RECORD (*s, *len: its first bytes; the rest is passed over). */
static int window_line(ddb_xfer_object *o, const char **s, size_t *len)
{
    for (;;) {
        const char *p = o->text + o->start, *nl = memchr(p, '\n', o->end - o->start);
        size_t have = o->end - o->start;
        if (nl == NULL && !o->done && have < DDB_XFER_MAX_RECORD) {
            if (ddb_xfer_object_more(o) < 0)
                return 0;
            continue;
        }
        *s = p;
        o->rec_start = o->start;
        *len = nl != NULL ? (size_t)(nl - p) : have;
        if (*len > DDB_XFER_MAX_RECORD || (nl == NULL && !o->done)) { /* longer than a record may be */
            o->start = nl != NULL ? o->start + *len + 1 : o->end;
            o->skip = nl == NULL;
            *len = 1024; /* what the error reports of it */
            return 2;
        }
        o->start += *len + (nl != NULL);
        return have > 0;
    }
}

int ddb_xfer_object_line(ddb_xfer_object *o, const char **s, size_t *len, int *too_long)
{
    int rc;

    ddb_xfer_object_resync(o);
    while ((rc = window_line(o, s, len)) != 0) {
        *too_long = rc == 2;
        if (*too_long)
            return 1;
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

size_t ddb_xfer_json_value_len(const char *s, size_t len)
{
    size_t i = 0, depth = 0;
    int in_str = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len || s[i] != '{')
        return len;
    for (; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return len;
}

const char *ddb_xfer_parse_record(ddb_arena *a, const char *text, size_t len, const ddb_json **doc)
{
    const ddb_json *item;

    *doc = ddb_json_parse_input(a, text, len, NULL);
    item = ddb_json_get(*doc, "Item");
    if (item == NULL || item->type != DDB_JSON_OBJECT)
        return *doc == NULL ? DDB_XFER_NOT_JSON : DDB_XFER_NO_ITEM;
    return NULL;
}

const char *ddb_xfer_line_doc(int ion, const char *line, size_t len, ddb_arena *a, ddb_buf *scratch,
                              const ddb_json **doc, char *err, size_t err_len)
{
    const char *e;
    ddb_jw w;

    if (!ion)
        return ddb_xfer_parse_record(a, line, len, doc);
    /* an Ion struct's Item as DynamoDB JSON, {"Item":...}, then parsed once like a JSON line's */
    scratch->len = 0;
    ddb_jw_init(&w, scratch);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "Item");
    if ((e = ddb_ion_read_item(line, len, &w)) != NULL) {
        snprintf(err, err_len, "Invalid Ion: %s", e);
        return err;
    }
    ddb_jw_obj_end(&w);
    return ddb_xfer_parse_record(a, scratch->data, scratch->len, doc);
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
 * The error PutItem would answer for the record's Item, in its order: the values' types
 * (SerializationException), their decoding and names (a ValidationException in the envelope
 * PutItem's answers carry, api/dispatch.c), the record's condition when it may have one, the size,
 * the table, the key against its schema; NULL when the item can be written (*item, *t, *key set).
 */
static const char *item_error(ddb_engine *eng, ddb_arena *a, const ddb_xfer_target *to, const ddb_json *doc,
                              ddb_attr *item, ddb_parsed *cond, const ddb_table **t, ddb_key *key)
{
    const ddb_json *json = ddb_json_get(doc, "Item");
    const char *msg;

    if ((msg = ddb_item_check_types(a, json)) != NULL)
        return msg;
    /* PutItem's wording of value errors (proto/attr.h), the item's and its condition's */
    if ((msg = ddb_item_from_json_as(a, json, DDB_VALUES_2026, item)) != NULL ||
        (msg = ddb_item_names_check(item)) != NULL)
        return ddb_arena_sprintf(a, "1 validation error detected: %s", msg);
    if (to->conditions && (msg = ddb_expr_prepare_as(a, DDB_OPF_EXPR_CONDITION, DDB_VALUES_2026, doc, cond)) != NULL)
        return msg;
    if (ddb_item_size(item) > DDB_MAX_ITEM_SIZE)
        return "Item size has exceeded the maximum allowed size";
    *t = ddb_catalog_get(eng->catalog, ddb_ns_key(a, to->ns, to->table));
    if (*t == NULL || (*t)->restoring)
        return "Requested resource not found";
    return ddb_item_key_check(a, eng->store, *t, item, 0, key);
}

const char *ddb_xfer_prepare(ddb_engine *eng, ddb_arena *a, const ddb_xfer_target *to, const ddb_json *doc,
                             ddb_mutation *m)
{
    const ddb_table *t = NULL;
    ddb_attr *item = DDB_NEW(a, ddb_attr);
    ddb_parsed cond = {0};
    ddb_key key;
    const char *msg;

    if ((msg = item_error(eng, a, to, doc, item, &cond, &t, &key)) != NULL)
        return msg;
    ddb_mutation_init(m, DDB_MUT_PUT, t, &key);
    m->item = item;
    m->condition = cond.condition;
    return NULL;
}

int ddb_xfer_condition_failed(const ddb_mutation *m)
{
    return m->out.err.code == DDB_E_CONDITIONAL_CHECK_FAILED;
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
    if (m->out.err.code == DDB_OK)
        return NULL;
    return m->out.err.msg ? m->out.err.msg : ddb_error_lookup(m->out.err.code)->type;
}

double ddb_xfer_commit(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n)
{
    double units = 0;
    ddb_error err;
    int one_by_one = n == 1;

    for (size_t i = 0; i < n && !one_by_one; i++)
        one_by_one = ms[i].t->rep.strong; /* a STRONG table's put is mirrored by ddb_mutate alone */
    if (!one_by_one && ddb_mutate_txn(eng, a, ms, n, NULL, &err) == DDB_OK) {
        for (size_t i = 0; i < n; i++)
            units += charge(&ms[i]);
        return units;
    }
    /* one put failed (an index key's type, an item collection's size), so the commit wrote nothing,
       or the whole did (the table went): each put again on its own, so each gets PutItem's outcome */
    for (size_t i = 0; i < n; i++) {
        memset(&ms[i].out.err, 0, sizeof(ms[i].out.err));
        if (ddb_mutate(eng, a, &ms[i]) == DDB_OK)
            units += charge(&ms[i]);
    }
    return units;
}
