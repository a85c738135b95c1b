/*
 * server/seed/seed.c: checks a seed, then applies it through the request pipeline (see seed.h).
 *
 * Three walks over the files (seed_files.c), so a seed of any size is held one file (or one line)
 * at a time: the definitions, checked and kept; the items, checked against them; then the tables
 * are created and the items written.
 */
#include "server/seed/seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "proto/grow.h"
#include "proto/ops.h"
#include "server/api/dispatch.h"
#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/index.h"
#include "server/engine/mutation.h"
#include "server/ops/ops_common.h"
#include "server/seed/readers/seed_files.h"
#include "server/server.h"

#define MAX_ERRORS 20
#define BATCH 25
#define PROGRESS_MS 2000
#define REPLICA_WAIT_MS 30000

typedef struct seed_def {
    char *name;
    char *json;               /* the CreateTable request */
    char *after;              /* a template's calls after it, [{"op": ..., "request": {...}}], or NULL */
    char *path;
    unsigned line;
    char *region;              /* a template's region, where --namespaces makes it (NULL: the default) */
    const ddb_table *existing; /* the table of that name found in the store (kept), or NULL */
    ddb_table *preview;        /* for a new table: what CreateTable will make (to check items) */
} seed_def;

typedef struct seeder {
    ddb_server *srv;
    seed_def *defs;
    size_t ndefs, cap;
    unsigned errors;
    unsigned long long items, written;
    ddb_arena arena;
    ddb_buf out, body;
    /* applying: the BatchWriteItem being filled */
    char *batch_table;
    unsigned batch_n;
    ddb_buf batch;
    uint64_t t0, last_progress; /* ddb_clock_mono_ns */
    const char *region;         /* of the requests run now: their table's (seed_def.region) */
    int autoscaled;             /* the request run now is a replica's of an auto scaled table (tpl_replica) */
    ddb_buf views;              /* NoSQL Workbench models' views of their tables: [{...}, ...] (ddb_server.seed_views) */
} seeder;

static void report(seeder *s, const char *path, unsigned line, const char *msg)
{
    if (++s->errors <= MAX_ERRORS) {
        if (line > 0)
            ddb_log(DDB_LOG_ERROR, "seed: %s:%u: %s", path, line, msg);
        else
            ddb_log(DDB_LOG_ERROR, "seed: %s: %s", path, msg);
    }
}

static void on_file_error(void *ctx, const char *path, unsigned line, const char *msg)
{
    report(ctx, path, line, msg);
}

/* A request's failure, as "<Type>: <message>". */
static void report_req(seeder *s, const seed_loc *loc, const ddb_req *r)
{
    char msg[1024];

    snprintf(msg, sizeof(msg), "%s: %s", ddb_error_lookup(r->err.code)->type, r->err.msg ? r->err.msg : "(no message)");
    report(s, loc->path, seed_line(loc), msg);
}

/* Runs `op` on the JSON in s->body in-process, as the API would (validation only when `check`). */
static void run(seeder *s, ddb_req *r, ddb_op op, int check)
{
    char target[64];
    ddb_http_in in;

    ddb_arena_reset(&s->arena);
    s->out.len = 0;
    memset(r, 0, sizeof(*r));
    memset(&in, 0, sizeof(in));
    r->arena = &s->arena;
    r->body = s->body.data;
    r->body_len = s->body.len;
    r->outbuf = &s->out;
    r->internal = 1;
    r->validate_only = check;
    if (s->srv->api.namespaces) /* (a template's table in its region's namespace: where a deployment makes it) */
        r->region = s->region;
    r->write_autoscaled = s->autoscaled;
    ddb_jw_init(&r->out, &s->out);
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", ddb_op_name(op));
    in.target = target;
    in.target_len = strlen(target);
    ddb_dispatch(&s->srv->api, r, &in);
}

void ddb_seed_write_item_request(ddb_jw *w, const char *table, const char *member, const ddb_json *doc)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, table);
    ddb_jw_key(w, member);
    ddb_jw_json(w, doc);
    ddb_jw_obj_end(w);
}

/* s->body = {"TableName": table, "<member>": doc} */
static void item_request(seeder *s, const char *table, const char *member, const ddb_json *doc)
{
    ddb_jw w;

    s->body.len = 0;
    ddb_jw_init(&w, &s->body);
    ddb_seed_write_item_request(&w, table, member, doc);
}

static seed_def *find_def(seeder *s, const char *name)
{
    for (size_t i = 0; name != NULL && i < s->ndefs; i++) {
        if (strcmp(s->defs[i].name, name) == 0)
            return &s->defs[i];
    }
    return NULL;
}

/* The requests run next are about table `name`: in its region (seed_def.region). */
static void in_region_of(seeder *s, const char *name)
{
    seed_def *d = find_def(s, name);

    s->region = d != NULL ? d->region : NULL;
}

/* ---- 1. definitions ---- */

/* d's catalog key: its name in its region's namespace (the default account's). */
static const char *catalog_key(seeder *s, const seed_def *d)
{
    if (d->region == NULL)
        return d->name;
    return ddb_ns_key(&s->arena, ddb_ns_of(&s->arena, DDB_DEFAULT_ACCOUNT, d->region), d->name);
}

static int same_part(const char *a, ddb_type ta, const char *b, ddb_type tb)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0 && ta == tb);
}

/* A table found in the store is kept when its key schema is the seed's; a different key schema is an error. */
static int check_existing(seeder *s, const seed_record *rec, seed_def *d)
{
    const ddb_table *t = d->existing, *p = d->preview;
    char msg[512];

    if (!same_part(t->hash_key, t->hash_type, p->hash_key, p->hash_type) ||
        !same_part(t->range_key, t->range_type, p->range_key, p->range_type)) {
        snprintf(msg, sizeof(msg), "table %s exists with another key schema; it is not replaced (delete it first)",
                 d->name);
        report(s, rec->loc.path, seed_line(&rec->loc), msg);
        return -1;
    }
    if (t->nindexes != p->nindexes)
        ddb_log(DDB_LOG_WARN, "seed: %s: table %s exists with other indexes; kept as it is", rec->loc.path, d->name);
    return 0;
}

/* Names each member of `sent` that the API's model dropped from `kept` (req->in, as the operation
   reads it: an unknown member is ignored, as DynamoDB ignores it): a seed's member is never
   dropped unseen, a misspelt one least of all. */
static void name_dropped(const seed_record *rec, const char *op, const ddb_json *sent, const ddb_json *kept,
                         ddb_buf *path)
{
    size_t len = path->len;

    for (uint32_t i = 0; sent != NULL && sent->type == DDB_JSON_OBJECT && i < sent->n; i++) {
        const ddb_json_member *m = &sent->u.members[i];
        const ddb_json *k = ddb_json_get(kept, m->key);
        ddb_buf_printf(path, "%s%s", len ? "." : "", m->key);
        if (k == NULL && m->val->type != DDB_JSON_NULL)
            ddb_log(DDB_LOG_WARN, "seed: %s:%u: table %s: %s is not a member of %s: not acted on", rec->loc.path,
                    seed_line(&rec->loc), rec->table ? rec->table : "?", path->data, op);
        else if (k != NULL)
            name_dropped(rec, op, m->val, k, path);
        path->len = len;
        if (path->data != NULL)
            path->data[len] = '\0';
    }
    for (uint32_t i = 0; sent != NULL && sent->type == DDB_JSON_ARRAY && kept != NULL && kept->type == DDB_JSON_ARRAY &&
                         i < sent->n && i < kept->n; i++) {
        ddb_buf_printf(path, "[%u]", i);
        name_dropped(rec, op, sent->u.items[i], kept->u.items[i], path);
        path->len = len;
        path->data[len] = '\0';
    }
}

/* After a checked request (run with check): the members its model ignores, named. */
static void check_members(seeder *s, const seed_record *rec, const char *op, const ddb_req *r)
{
    ddb_buf path = {0};

    if (r->err.code != DDB_OK || r->in == NULL)
        return;
    name_dropped(rec, op, ddb_json_parse(&s->arena, s->body.data, s->body.len), r->in, &path);
    ddb_buf_free(&path);
}

/* A template's calls after CreateTable: each checked as its own request (its table does not exist yet).
   A replica in another region needs --namespaces (each region its own tables): without it, named. */
static int check_after(seeder *s, const seed_record *rec)
{
    for (uint32_t i = 0; rec->after != NULL && rec->after->type == DDB_JSON_ARRAY && i < rec->after->n; i++) {
        const char *name = ddb_json_get_str(rec->after->u.items[i], "op");
        const char *replica = ddb_json_get_str(rec->after->u.items[i], "replica");
        if (replica != NULL && !s->srv->api.namespaces)
            ddb_log(DDB_LOG_WARN, "seed: %s:%u: table %s: its replica in %s is not created: replicas need "
                    "--namespaces (each region its own tables)", rec->loc.path, seed_line(&rec->loc), rec->table,
                    replica);
        ddb_op op = ddb_op_from_name(name, strlen(name));
        ddb_req r;
        ddb_jw w;
        s->body.len = 0;
        ddb_jw_init(&w, &s->body);
        ddb_jw_json(&w, ddb_json_get(rec->after->u.items[i], "request"));
        run(s, &r, op, 1);
        check_members(s, rec, name, &r);
        if (r.err.code != DDB_OK) {
            char msg[1024];
            snprintf(msg, sizeof(msg), "%s of table %s: %s: %s", name, rec->table, ddb_error_lookup(r.err.code)->type,
                     r.err.msg ? r.err.msg : "(no message)");
            report(s, rec->loc.path, seed_line(&rec->loc), msg);
            return -1;
        }
    }
    return 0;
}

/* A model's view of a table, {"table": T, "file": F, "model": ..., "facets": [...], ...}: kept, to be the
   server's once the seed is loaded. */
static int keep_view(seeder *s, const seed_record *rec)
{
    ddb_jw w;

    ddb_buf_putc(&s->views, s->views.len == 0 ? '[' : ',');
    ddb_jw_init(&w, &s->views);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "table");
    ddb_jw_str(&w, rec->table);
    ddb_jw_key(&w, "file");
    ddb_jw_str(&w, rec->loc.path);
    for (uint32_t i = 0; i < rec->doc->n; i++) {
        ddb_jw_key(&w, rec->doc->u.members[i].key);
        ddb_jw_json(&w, rec->doc->u.members[i].val);
    }
    ddb_jw_obj_end(&w);
    return 0;
}

static int on_definition(void *ctx, const seed_record *rec)
{
    seeder *s = ctx;
    seed_def *d, *other;
    ddb_req r;
    ddb_jw w;

    if (rec->kind == SEED_VIEW)
        return keep_view(s, rec);
    other = find_def(s, rec->table);

    s->region = rec->region;
    s->body.len = 0;
    ddb_jw_init(&w, &s->body);
    ddb_jw_json(&w, rec->doc);
    run(s, &r, DDB_OP_CreateTable, 1);
    if (r.err.code != DDB_OK) {
        report_req(s, &rec->loc, &r);
        return s->errors >= MAX_ERRORS;
    }
    check_members(s, rec, "CreateTable", &r);
    if (other != NULL) {
        char msg[512];
        snprintf(msg, sizeof(msg), "table %s is defined twice (first in %s:%u)", rec->table, other->path, other->line);
        report(s, rec->loc.path, seed_line(&rec->loc), msg);
        return s->errors >= MAX_ERRORS;
    }
    DDB_ROOM(s->defs, s->ndefs, s->cap, 8);
    d = &s->defs[s->ndefs++];
    memset(d, 0, sizeof(*d));
    d->name = strdup(rec->table);
    d->json = strndup(s->body.data, s->body.len);
    if (rec->after != NULL && rec->after->n > 0) {
        ddb_buf after = {0};
        ddb_jw w;
        ddb_jw_init(&w, &after);
        ddb_jw_json(&w, rec->after);
        d->after = after.data;
    }
    d->path = strdup(rec->loc.path);
    d->line = seed_line(&rec->loc);
    d->region = rec->region != NULL && s->srv->api.namespaces ? strdup(rec->region) : NULL;
    d->existing = ddb_catalog_get(s->srv->eng.catalog, catalog_key(s, d));
    d->preview = ddb_catalog_preview(s->srv->eng.catalog, d->name, d->json, strlen(d->json));
    if (d->preview == NULL) {
        report(s, d->path, d->line, "the table definition cannot be used");
        return 0;
    }
    if (d->existing != NULL)
        check_existing(s, rec, d);
    check_after(s, rec); /* (s->body is the request's: d->json is taken) */
    return s->errors >= MAX_ERRORS;
}

/* ---- 2. items ---- */

static const ddb_table *target_table(seeder *s, const char *name)
{
    seed_def *d = find_def(s, name);

    if (d != NULL)
        return d->existing != NULL ? d->existing : d->preview;
    return name != NULL ? ddb_catalog_get(s->srv->eng.catalog, name) : NULL;
}

/* PutItem's (or DeleteItem's) validation, then the key checks its handler and the mutation make. */
static int on_item_check(void *ctx, const seed_record *rec)
{
    seeder *s = ctx;
    const ddb_table *t = target_table(s, rec->table);
    ddb_req r;
    ddb_key key;
    const char *msg;

    if (t == NULL) {
        char text[512];
        snprintf(text, sizeof(text), "table %s neither exists nor is defined by the seed", rec->table);
        report(s, rec->loc.path, seed_line(&rec->loc), text);
        return s->errors >= MAX_ERRORS;
    }
    item_request(s, rec->table, rec->kind == SEED_PUT ? "Item" : "Key", rec->doc);
    in_region_of(s, rec->table);
    run(s, &r, rec->kind == SEED_PUT ? DDB_OP_PutItem : DDB_OP_DeleteItem, 1);
    if (r.err.code == DDB_OK) {
        if (rec->kind == SEED_PUT && ddb_item_key_or_fail(&r, t, r.parsed.item, &key) == DDB_OK &&
            (msg = ddb_engine_check_item(&s->srv->eng, r.arena, t, r.parsed.item, 0)) != NULL)
            ddb_req_fail(&r, DDB_E_VALIDATION, "%s", msg);
        else if (rec->kind == SEED_DELETE)
            ddb_key_param_or_fail(&r, t, r.parsed.key, &key);
    }
    if (r.err.code != DDB_OK)
        report_req(s, &rec->loc, &r);
    if (++s->items % 4096 == 0 && ddb_clock_mono_since_ms(s->last_progress) >= PROGRESS_MS) {
        s->last_progress = ddb_clock_mono_ns();
        ddb_log(DDB_LOG_INFO, "seed: checking: %llu items so far", s->items);
    }
    return s->errors >= MAX_ERRORS;
}

/* ---- 3. applying ---- */

static void progress(seeder *s)
{
    uint64_t now = ddb_clock_mono_ns();

    if ((double)(now - s->last_progress) / 1e6 < PROGRESS_MS)
        return;
    s->last_progress = now;
    ddb_log(DDB_LOG_INFO, "seed: %llu of %llu items (%.0f %%), %.0f items/s", s->written, s->items,
            100.0 * (double)s->written / (double)(s->items ? s->items : 1),
            (double)s->written * 1e9 / (double)(now - s->t0));
}

/* The pending batch's writes one by one, in order (a batch may not name a key twice). */
static int write_singly(seeder *s)
{
    ddb_arena keep; /* run() resets s->arena: the list is parsed apart */
    ddb_buf text = {0};
    const ddb_json *list;
    int rc = 0;

    ddb_arena_init(&keep);
    ddb_buf_putc(&text, '[');
    ddb_buf_append(&text, s->batch.data, s->batch.len);
    ddb_buf_putc(&text, ']');
    list = ddb_json_parse(&keep, text.data, text.len);
    for (uint32_t i = 0; list != NULL && i < list->n && rc == 0; i++) {
        const ddb_json *put = ddb_json_get(list->u.items[i], "PutRequest");
        const ddb_json *del = ddb_json_get(list->u.items[i], "DeleteRequest");
        ddb_req r;
        item_request(s, s->batch_table, put ? "Item" : "Key", put ? ddb_json_get(put, "Item") : ddb_json_get(del, "Key"));
        run(s, &r, put ? DDB_OP_PutItem : DDB_OP_DeleteItem, 0);
        if (r.err.code != DDB_OK) {
            ddb_log(DDB_LOG_ERROR, "seed: writing to %s failed: %s: %s", s->batch_table,
                    ddb_error_lookup(r.err.code)->type, r.err.msg ? r.err.msg : "");
            rc = -1;
        }
    }
    ddb_buf_free(&text);
    ddb_arena_free(&keep);
    return rc;
}

static int flush_batch(seeder *s)
{
    ddb_req r;
    const ddb_json *unprocessed;

    if (s->batch_n == 0)
        return 0;
    in_region_of(s, s->batch_table);
    s->body.len = 0;
    ddb_buf_puts(&s->body, "{\"RequestItems\":{");
    ddb_buf_putc(&s->body, '"');
    ddb_json_escape(&s->body, s->batch_table, strlen(s->batch_table));
    ddb_buf_puts(&s->body, "\":[");
    ddb_buf_append(&s->body, s->batch.data, s->batch.len);
    ddb_buf_puts(&s->body, "]}}");
    run(s, &r, DDB_OP_BatchWriteItem, 0);
    if (r.err.code == DDB_E_VALIDATION && r.err.msg != NULL && strstr(r.err.msg, "contains duplicates") != NULL) {
        if (write_singly(s) != 0)
            return -1;
    } else if (r.err.code != DDB_OK) {
        ddb_log(DDB_LOG_ERROR, "seed: writing to %s failed: %s: %s", s->batch_table, ddb_error_lookup(r.err.code)->type,
                r.err.msg ? r.err.msg : "");
        return -1;
    } else if ((unprocessed = ddb_json_get(ddb_json_parse(&s->arena, s->out.data, s->out.len), "UnprocessedItems")) !=
                   NULL && unprocessed->n > 0) {
        ddb_log(DDB_LOG_ERROR, "seed: writing to %s left unprocessed items", s->batch_table);
        return -1;
    }
    s->written += s->batch_n;
    s->batch_n = 0;
    s->batch.len = 0;
    progress(s);
    return 0;
}

static int on_item_write(void *ctx, const seed_record *rec)
{
    seeder *s = ctx;
    ddb_jw w;

    if (s->batch_n == BATCH || (s->batch_table != NULL && strcmp(s->batch_table, rec->table) != 0)) {
        if (flush_batch(s) != 0)
            return 1;
    }
    if (s->batch_n == 0) {
        free(s->batch_table);
        s->batch_table = strdup(rec->table);
    }
    if (s->batch_n > 0)
        ddb_buf_putc(&s->batch, ',');
    ddb_jw_init(&w, &s->batch);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, rec->kind == SEED_PUT ? "PutRequest" : "DeleteRequest");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, rec->kind == SEED_PUT ? "Item" : "Key");
    ddb_jw_json(&w, rec->doc);
    ddb_jw_obj_end(&w);
    ddb_jw_obj_end(&w);
    s->batch_n++;
    return 0;
}

/* Waits (up to REPLICA_WAIT_MS) until table `name` is ACTIVE again: a replica is made in the
   background (filled, then ACTIVE), and the next ReplicaUpdates is refused while it is. */
static int wait_active(seeder *s, const char *name)
{
    uint64_t t0 = ddb_clock_mono_ns();
    const struct timespec pause = {0, 5 * 1000 * 1000};
    ddb_req r;
    ddb_jw w;

    for (;;) {
        const char *status;
        s->body.len = 0;
        ddb_jw_init(&w, &s->body);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "TableName");
        ddb_jw_str(&w, name);
        ddb_jw_obj_end(&w);
        run(s, &r, DDB_OP_DescribeTable, 0);
        status = ddb_json_get_str(ddb_json_get(ddb_json_parse(&s->arena, s->out.data, s->out.len), "Table"), "TableStatus");
        if (r.err.code != DDB_OK || (status != NULL && strcmp(status, "ACTIVE") == 0))
            return 0;
        if (ddb_clock_mono_since_ms(t0) > REPLICA_WAIT_MS) {
            ddb_log(DDB_LOG_ERROR, "seed: table %s is still %s after %d s: its next replica is not made", name,
                    status ? status : "?", REPLICA_WAIT_MS / 1000);
            return -1;
        }
        nanosleep(&pause, NULL);
    }
}

/* A template's calls after CreateTable (TTL, point-in-time recovery, contributor insights, replicas), in order. */
static int run_after(seeder *s, seed_def *d)
{
    const ddb_json *list;
    ddb_arena keep; /* run() resets s->arena: the list is parsed apart */
    int rc = 0;

    if (d->after == NULL)
        return 0;
    ddb_arena_init(&keep);
    list = ddb_json_parse(&keep, d->after, strlen(d->after));
    for (uint32_t i = 0; list != NULL && i < list->n && rc == 0; i++) {
        const char *name = ddb_json_get_str(list->u.items[i], "op");
        ddb_req r;
        ddb_jw w;
        if (ddb_json_get(list->u.items[i], "replica") != NULL && !s->srv->api.namespaces)
            continue; /* (named when checked) */
        if (ddb_json_get(list->u.items[i], "replica") != NULL && wait_active(s, d->name) != 0) {
            rc = -1;
            break;
        }
        s->body.len = 0;
        ddb_jw_init(&w, &s->body);
        ddb_jw_json(&w, ddb_json_get(list->u.items[i], "request"));
        s->autoscaled = ddb_json_get(list->u.items[i], "autoscaled") != NULL;
        run(s, &r, ddb_op_from_name(name, strlen(name)), 0);
        s->autoscaled = 0;
        if (r.err.code != DDB_OK) {
            ddb_log(DDB_LOG_ERROR, "seed: %s:%u: %s of table %s failed: %s: %s", d->path, d->line, name, d->name,
                    ddb_error_lookup(r.err.code)->type, r.err.msg ? r.err.msg : "");
            rc = -1;
        }
    }
    ddb_arena_free(&keep);
    return rc;
}

static int create_tables(seeder *s, unsigned *created, unsigned *kept)
{
    for (size_t i = 0; i < s->ndefs; i++) {
        seed_def *d = &s->defs[i];
        ddb_req r;
        if (d->existing != NULL) {
            (*kept)++;
            continue;
        }
        s->region = d->region;
        s->body.len = 0;
        ddb_buf_puts(&s->body, d->json);
        run(s, &r, DDB_OP_CreateTable, 0);
        if (r.err.code != DDB_OK) {
            ddb_log(DDB_LOG_ERROR, "seed: %s:%u: creating table %s failed: %s: %s", d->path, d->line, d->name,
                    ddb_error_lookup(r.err.code)->type, r.err.msg ? r.err.msg : "");
            return -1;
        }
        if (run_after(s, d) != 0)
            return -1;
        (*created)++;
    }
    return 0;
}

static void seeder_free(seeder *s)
{
    for (size_t i = 0; i < s->ndefs; i++) {
        free(s->defs[i].name);
        free(s->defs[i].json);
        free(s->defs[i].after);
        free(s->defs[i].path);
        free(s->defs[i].region);
        ddb_table_preview_free(s->defs[i].preview);
    }
    free(s->defs);
    free(s->batch_table);
    ddb_buf_free(&s->views);
    ddb_arena_free(&s->arena);
    ddb_buf_free(&s->out);
    ddb_buf_free(&s->body);
    ddb_buf_free(&s->batch);
}

int ddb_seed_params(const char *const *given, unsigned n, cfn_param *out)
{
    for (unsigned i = 0; i < n; i++) {
        const char *eq = strchr(given[i], '=');
        if (eq == NULL || eq == given[i]) {
            ddb_log(DDB_LOG_ERROR, "seed: --seed-param %s: expected NAME=VALUE (a template's parameter, or a pseudo "
                    "parameter such as AWS::Region)", given[i]);
            return -1;
        }
        out[i] = (cfn_param){strndup(given[i], (size_t)(eq - given[i])), eq + 1, 0};
    }
    return 0;
}

/* A --seed-param no template declared is named: a misspelt parameter would otherwise take its Default unseen. */
void ddb_seed_params_unused(const cfn_param *params, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (!params[i].used && strncmp(params[i].name, "AWS::", 5) != 0)
            ddb_log(DDB_LOG_WARN, "seed: --seed-param %s: no template of the seed declares a parameter of that name",
                    params[i].name);
    }
}

void ddb_seed_params_free(cfn_param *params, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free((char *)params[i].name);
}

static int load(ddb_server *srv, const char *const *paths, unsigned n, const char *const *param_args,
                unsigned nparams)
{
    seeder s;
    unsigned created = 0, kept = 0;
    int rc = -1;
    cfn_param params[nparams > 0 ? nparams : 1];

    memset(params, 0, sizeof(params));
    if (ddb_seed_params(param_args, nparams, params) != 0)
        goto out;
    memset(&s, 0, sizeof(s));
    s.srv = srv;
    ddb_arena_init(&s.arena);
    s.t0 = s.last_progress = ddb_clock_mono_ns();
    /* nothing is written until every definition and every item has passed; a file's structural
       errors are reported once, by the walk over the items (which reads every file) */
    seed_walk(paths, n, 1, 0, on_definition, on_file_error, &s, params, nparams);
    ddb_seed_params_unused(params, nparams);
    if (s.errors < MAX_ERRORS)
        seed_walk(paths, n, 0, 1, on_item_check, on_file_error, &s, params, nparams);
    if (s.errors > 0) {
        if (s.errors > MAX_ERRORS)
            ddb_log(DDB_LOG_ERROR, "seed: %u more problems", s.errors - MAX_ERRORS);
        ddb_log(DDB_LOG_ERROR, "seed: nothing was loaded");
        goto done;
    }
    if (s.items >= 10000)
        ddb_log(DDB_LOG_INFO, "seed: checked %zu tables and %llu items in %.0f ms; loading", s.ndefs, s.items,
                ddb_clock_mono_since_ms(s.t0));
    if (create_tables(&s, &created, &kept) != 0 ||
        seed_walk(paths, n, 0, 1, on_item_write, on_file_error, &s, params, nparams) != 0 || flush_batch(&s) != 0) {
        ddb_log(DDB_LOG_ERROR, "seed: loading stopped part way (%llu of %llu items written)", s.written, s.items);
        goto done;
    }
    ddb_log(DDB_LOG_INFO, "seed: %u tables created, %u kept, %llu items written in %.1f ms", created, kept, s.written,
            ddb_clock_mono_since_ms(s.t0));
    if (s.views.len > 0) {
        ddb_buf_putc(&s.views, ']');
        free(srv->seed_views);
        srv->seed_views = strndup(s.views.data, s.views.len);
    }
    rc = 0;
done:
    seeder_free(&s);
out:
    ddb_seed_params_free(params, nparams);
    return rc;
}

int ddb_seed_load(ddb_server *srv, const char *const *paths, unsigned n, const char *const *param_args,
                  unsigned nparams)
{
    ddb_gate_hold h; /* the seed reads tables outside the gate, and keeps them from phase to phase */
    int rc;

    ddb_catalog_hold(srv->eng.catalog, &h);
    rc = load(srv, paths, n, param_args, nparams);
    ddb_catalog_unhold(srv->eng.catalog, &h);
    return rc;
}
