/*
 * client/result.c: ddb_result, one call's reply or error.
 *
 * The body is kept and parsed once into the result's arena; items, pages, batch responses and
 * cancellation reasons are decoded from the tree only when first asked for, so a caller that only
 * checks the status pays for no AttributeValue decoding.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"
#include "proto/errors.h"

/*
 * One spare arena per thread. An arena's first chunk is 64 KB, and malloc()ing and free()ing that
 * for every call cost more than the rest of a GetItem's client work (free() of a chunk that size
 * consolidates the heap); a result freed on a thread leaves its reset arena for the next call.
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_destroy(void *p)
{
    ddb_arena_free(p);
    free(p);
}

static void spare_init(void)
{
    pthread_key_create(&spare_key, spare_destroy);
}

static void arena_take(ddb_arena *a)
{
    ddb_arena *spare;

    pthread_once(&spare_once, spare_init);
    spare = pthread_getspecific(spare_key);
    if (spare != NULL) {
        *a = *spare;
        free(spare);
        pthread_setspecific(spare_key, NULL);
    } else {
        ddb_arena_init(a);
    }
}

static void arena_give(ddb_arena *a)
{
    ddb_arena *spare;

    pthread_once(&spare_once, spare_init);
    if (pthread_getspecific(spare_key) != NULL || (spare = malloc(sizeof(*spare))) == NULL) {
        ddb_arena_free(a);
        return;
    }
    ddb_arena_reset(a);
    if (a->end - a->cur > 1024 * 1024) { /* do not keep a big page's memory around */
        ddb_arena_free(a);
        free(spare);
        return;
    }
    *spare = *a;
    pthread_setspecific(spare_key, spare);
}

ddb_result *result_new(void)
{
    ddb_result *r = calloc(1, sizeof(*r));

    if (r == NULL)
        abort();
    arena_take(&r->arena);
    r->message = r->error_type = "";
    r->body = "";
    return r;
}

void ddb_result_free(ddb_result *r)
{
    if (r == NULL)
        return;
    free(r->items.v);
    free(r->tables.v);
    arena_give(&r->arena);
    free(r);
}

void result_fail(ddb_result *r, int status, const char *fmt, ...)
{
    va_list ap;
    char buf[512];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    r->status = status;
    r->message = ddb_arena_strndup(&r->arena, buf, strlen(buf));
    r->error_type = ddb_strerror(status);
}

/* The status of an error reply without a usable __type (a proxy's page, an empty 500). */
static int status_from_http(int http)
{
    if (http == 503)
        return DDB_E_SERVICE_UNAVAILABLE;
    if (http >= 500)
        return DDB_E_INTERNAL;
    if (http == 413)
        return DDB_E_REQUEST_TOO_LARGE;
    return DDB_E_PROTOCOL;
}

static void decode_error(ddb_result *r)
{
    const char *type = ddb_json_get_str(r->json, "__type");
    const char *msg = ddb_json_get_str(r->json, "message");

    if (msg == NULL)
        msg = ddb_json_get_str(r->json, "Message"); /* some types capitalise it (ddb_errors.def) */
    r->message = msg != NULL ? msg : "";
    if (type == NULL) {
        r->status = status_from_http(r->http_status);
        r->error_type = ddb_strerror(r->status);
        if (*r->message == '\0')
            r->message = ddb_arena_sprintf(&r->arena, "HTTP %d", r->http_status);
        return;
    }
    r->error_type = strchr(type, '#') != NULL ? strchr(type, '#') + 1 : type;
    r->status = ddb_error_from_type(type, strlen(type));
}

void result_set_reply(ddb_result *r, int http_status, const char *body, size_t len)
{
    r->http_status = http_status;
    r->body = ddb_arena_strndup(&r->arena, body, len);
    r->body_len = len;
    r->json = len > 0 ? ddb_json_parse(&r->arena, r->body, len) : NULL;
    if (http_status != 200) {
        decode_error(r);
        return;
    }
    if (r->json == NULL || r->json->type != DDB_JSON_OBJECT) {
        result_fail(r, DDB_E_PROTOCOL, "the reply is not a JSON object");
        return;
    }
    r->status = DDB_OK;
    r->message = r->error_type = "";
}

const ddb_json *result_member(const ddb_result *r, const char *key)
{
    return r != NULL ? ddb_json_get(r->json, key) : NULL;
}

/* Decodes a JSON map of AttributeValues into out (type NONE when absent or malformed). */
static void decode_item(ddb_result *r, const ddb_json *j, ddb_attr *out)
{
    memset(out, 0, sizeof(*out));
    if (j == NULL || j->type != DDB_JSON_OBJECT || ddb_item_from_json(&r->arena, j, out) != NULL)
        memset(out, 0, sizeof(*out));
}

static void rows_push(rows *rs, const char *table, const ddb_attr *item)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        result_row *v = realloc(rs->v, sizeof(*v) * cap);

        if (v == NULL)
            abort();
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n].table = table;
    rs->v[rs->n].item = *item;
    rs->n++;
}

void result_add_row(ddb_result *r, const char *table, const ddb_attr *item)
{
    ddb_attr copy;

    ddb_attr_copy(&r->arena, item, &copy);
    r->merged = 1;
    if (table != NULL) {
        r->have_tables = 1;
        rows_push(&r->tables, ddb_arena_strndup(&r->arena, table, strlen(table)), &copy);
    } else {
        r->have_items = 1;
        rows_push(&r->items, NULL, &copy);
    }
}

/* ---- accessors ---- */

int ddb_result_status(const ddb_result *r)
{
    return r != NULL ? r->status : DDB_E_INVALID_ARGUMENT;
}

const char *ddb_result_message(const ddb_result *r)
{
    return r != NULL ? r->message : "";
}

const char *ddb_result_error_type(const ddb_result *r)
{
    return r != NULL ? r->error_type : "";
}

int ddb_result_http_status(const ddb_result *r)
{
    return r != NULL ? r->http_status : 0;
}

unsigned ddb_result_attempts(const ddb_result *r)
{
    return r != NULL ? r->attempts : 0;
}

const char *ddb_result_body(const ddb_result *r, size_t *len)
{
    if (len != NULL)
        *len = r != NULL ? r->body_len : 0;
    return r != NULL ? r->body : "";
}

/*
 * The getters take a const result because reading does not change what the result says; the
 * members they decode on first use are a cache, written through this cast (results are always
 * heap objects, never const-defined). That cache is why a result stays one-thread-at-a-time.
 */
static ddb_result *cache_of(const ddb_result *r)
{
    return (ddb_result *)r;
}

const ddb_item *ddb_result_item(const ddb_result *r)
{
    if (r == NULL)
        return NULL;
    if (!r->have_item) {
        const ddb_json *j = ddb_json_get(r->json, "Item");

        decode_item(cache_of(r), j != NULL ? j : ddb_json_get(r->json, "Attributes"), &cache_of(r)->item);
        cache_of(r)->have_item = 1;
    }
    return r->item.type == DDB_T_M ? (const ddb_item *)&r->item : NULL;
}

/*
 * Items (Query, Scan), or the "Item" of each slot of Responses (TransactGetItems: [{"Item": ...}
 * or {}]) or SearchResults (SearchVectors: [{"Item": ..., "Score": ...}], scores read by path).
 */
static void decode_items(ddb_result *r)
{
    const ddb_json *arr = ddb_json_get(r->json, "Items");
    int slots = 0;
    ddb_attr a;

    r->have_items = 1;
    if (arr == NULL) {
        arr = ddb_json_get(r->json, "Responses");
        slots = 1;
    }
    if (arr == NULL)
        arr = ddb_json_get(r->json, "SearchResults");
    if (arr == NULL || arr->type != DDB_JSON_ARRAY)
        return;
    for (uint32_t i = 0; i < arr->n; i++) {
        decode_item(r, slots ? ddb_json_get(arr->u.items[i], "Item") : arr->u.items[i], &a);
        rows_push(&r->items, NULL, &a);
    }
}

size_t ddb_result_item_count(const ddb_result *r)
{
    if (r == NULL)
        return 0;
    if (!r->have_items)
        decode_items(cache_of(r));
    return r->items.n;
}

const ddb_item *ddb_result_item_at(const ddb_result *r, size_t i)
{
    if (i >= ddb_result_item_count(r) || r->items.v[i].item.type != DDB_T_M)
        return NULL;
    return (const ddb_item *)&r->items.v[i].item;
}

const ddb_item *ddb_result_last_key(const ddb_result *r)
{
    if (r == NULL)
        return NULL;
    if (!r->have_last) {
        decode_item(cache_of(r), ddb_json_get(r->json, "LastEvaluatedKey"), &cache_of(r)->last_key);
        cache_of(r)->have_last = 1;
    }
    return r->last_key.type == DDB_T_M ? (const ddb_item *)&r->last_key : NULL;
}

/* BatchGetItem's Responses: {"table": [item, ...], ...}. */
static void decode_tables(ddb_result *r)
{
    const ddb_json *resp = ddb_json_get(r->json, "Responses");
    ddb_attr a;

    r->have_tables = 1;
    if (resp == NULL || resp->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t t = 0; t < resp->n; t++) {
        const ddb_json *arr = resp->u.members[t].val;

        for (uint32_t i = 0; arr->type == DDB_JSON_ARRAY && i < arr->n; i++) {
            decode_item(r, arr->u.items[i], &a);
            rows_push(&r->tables, resp->u.members[t].key, &a);
        }
    }
}

static const result_row *table_row(const ddb_result *r, const char *table, size_t i, size_t *count)
{
    *count = 0;
    if (r == NULL || table == NULL)
        return NULL;
    if (!r->have_tables)
        decode_tables(cache_of(r));
    for (size_t k = 0; k < r->tables.n; k++) {
        if (strcmp(r->tables.v[k].table, table) == 0 && (*count)++ == i)
            return &r->tables.v[k];
    }
    return NULL;
}

size_t ddb_result_table_item_count(const ddb_result *r, const char *table)
{
    size_t n;

    table_row(r, table, (size_t)-1, &n);
    return n;
}

const ddb_item *ddb_result_table_item_at(const ddb_result *r, const char *table, size_t i)
{
    size_t n;
    const result_row *row = table_row(r, table, i, &n);

    return row != NULL ? (const ddb_item *)&row->item : NULL;
}

size_t ddb_result_unprocessed_count(const ddb_result *r)
{
    const ddb_json *u = result_member(r, "UnprocessedItems");
    int keys = 0;
    size_t n = 0;

    if (u == NULL) {
        u = result_member(r, "UnprocessedKeys");
        keys = 1;
    }
    for (uint32_t t = 0; u != NULL && u->type == DDB_JSON_OBJECT && t < u->n; t++) {
        const ddb_json *v = u->u.members[t].val;

        if (keys)
            v = ddb_json_get(v, "Keys");
        n += v != NULL && v->type == DDB_JSON_ARRAY ? v->n : 0;
    }
    return n;
}

static void decode_reasons(ddb_result *r)
{
    const ddb_json *arr = ddb_json_get(r->json, "CancellationReasons");

    r->have_reasons = 1;
    if (arr == NULL || arr->type != DDB_JSON_ARRAY)
        return;
    r->reasons = DDB_NEW_ARRAY(&r->arena, result_reason, arr->n);
    r->nreasons = arr->n;
    for (uint32_t i = 0; i < arr->n; i++) {
        r->reasons[i].code = ddb_json_get_str(arr->u.items[i], "Code");
        r->reasons[i].message = ddb_json_get_str(arr->u.items[i], "Message");
        decode_item(r, ddb_json_get(arr->u.items[i], "Item"), &r->reasons[i].item);
    }
}

size_t ddb_result_reason_count(const ddb_result *r)
{
    if (r == NULL)
        return 0;
    if (!r->have_reasons)
        decode_reasons(cache_of(r));
    return r->nreasons;
}

int ddb_result_reason(const ddb_result *r, size_t i, const char **code, const char **message, const ddb_item **item)
{
    if (i >= ddb_result_reason_count(r))
        return DDB_E_INVALID_ARGUMENT;
    if (code != NULL)
        *code = r->reasons[i].code;
    if (message != NULL)
        *message = r->reasons[i].message;
    if (item != NULL)
        *item = r->reasons[i].item.type == DDB_T_M ? (const ddb_item *)&r->reasons[i].item : NULL;
    return DDB_OK;
}

/* ---- paths ---- */

static const ddb_json *walk(const ddb_json *j, const char *path)
{
    char part[256];

    while (j != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);

        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        if (j->type == DDB_JSON_ARRAY) {
            char *end;
            unsigned long i = strtoul(part, &end, 10);

            j = *end == '\0' && n > 0 && i < j->n ? j->u.items[i] : NULL;
        } else {
            j = ddb_json_get(j, part);
        }
        path += n + (dot != NULL);
    }
    return j;
}

const char *ddb_result_get(const ddb_result *r, const char *path)
{
    const ddb_json *j = r != NULL && path != NULL ? walk(r->json, path) : NULL;

    if (j == NULL)
        return NULL;
    switch (j->type) {
    case DDB_JSON_STRING:
    case DDB_JSON_NUMBER:
        return j->u.s;
    case DDB_JSON_BOOL:
        return j->u.b ? "true" : "false";
    default:
        return NULL;
    }
}

size_t ddb_result_len(const ddb_result *r, const char *path)
{
    const ddb_json *j = r != NULL && path != NULL ? walk(r->json, path) : NULL;

    return j != NULL && (j->type == DDB_JSON_ARRAY || j->type == DDB_JSON_OBJECT) ? j->n : 0;
}

ddb_result *ddb_result_from_json(const char *json, size_t len)
{
    ddb_result *r = result_new();

    result_set_reply(r, 200, json, len);
    return r;
}
