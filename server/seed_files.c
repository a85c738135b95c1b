/*
 * server/seed_files.c: reads --seed files into records (see seed_internal.h, docs/seeding.md).
 *
 * A .json file holds one document, or an array of them: a CreateTable request (what
 * `aws dynamodb create-table --cli-input-json` takes), or BatchWriteItem's RequestItems, wrapped
 * ({"RequestItems": {...}}) or bare (what `aws dynamodb batch-write-item --request-items` takes).
 * A .jsonl or .ndjson file holds one item a line, for the table named like the file up to its first
 * dot (orders.jsonl, orders.part2.jsonl: orders), as DynamoDB JSON, or as DynamoDB's S3 export writes it ({"Item": {...}}), or as a
 * PutItem request naming its own table ({"TableName": ..., "Item": {...}}).
 */
#include "server/seed_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/arena.h"

typedef struct walk {
    int tables, items;
    seed_visit visit;
    seed_fail fail;
    void *ctx;
    long errors;
    int stopped;
} walk;

static void fail(walk *w, const char *path, unsigned line, const char *fmt, const char *arg)
{
    char msg[512];

    w->errors++;
    if (w->fail == NULL)
        return;
    snprintf(msg, sizeof(msg), fmt, arg);
    w->fail(w->ctx, path, line, msg);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int is_lines_file(const char *name)
{
    return has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson");
}

static int emit(walk *w, seed_kind kind, const char *table, const ddb_json *doc, const seed_loc *loc)
{
    seed_record r = {kind, table, doc, *loc};

    if ((kind == SEED_TABLE && !w->tables) || (kind != SEED_TABLE && !w->items))
        return 0;
    if (w->visit(w->ctx, &r) != 0)
        w->stopped = 1;
    return w->stopped;
}

/* ---- .json documents ---- */

/* The records of one RequestItems map: {"table": [{"PutRequest": {"Item": ...}} | {"DeleteRequest": {"Key": ...}}]}. */
static int batch_records(walk *w, const ddb_json *items, seed_loc loc)
{
    for (uint32_t i = 0; i < items->n; i++) {
        const ddb_json_member *m = &items->u.members[i];
        loc.table = m->key;
        if (m->val->type != DDB_JSON_ARRAY) {
            loc.elem = -1;
            fail(w, loc.path, seed_line(&loc), "RequestItems.%s: expected a list of PutRequest and DeleteRequest", m->key);
            continue;
        }
        for (uint32_t k = 0; k < m->val->n; k++) {
            const ddb_json *req = m->val->u.items[k], *put = ddb_json_get(req, "PutRequest"),
                           *del = ddb_json_get(req, "DeleteRequest");
            const ddb_json *doc = put ? ddb_json_get(put, "Item") : del ? ddb_json_get(del, "Key") : NULL;
            loc.elem = (int)k;
            if (doc == NULL || doc->type != DDB_JSON_OBJECT) {
                fail(w, loc.path, seed_line(&loc), "RequestItems.%s: expected {\"PutRequest\": {\"Item\": {...}}} or "
                     "{\"DeleteRequest\": {\"Key\": {...}}}", m->key);
                continue;
            }
            if (emit(w, put ? SEED_PUT : SEED_DELETE, m->key, doc, &loc))
                return 1;
        }
    }
    return 0;
}

static int all_lists(const ddb_json *obj)
{
    for (uint32_t i = 0; i < obj->n; i++) {
        if (obj->u.members[i].val->type != DDB_JSON_ARRAY)
            return 0;
    }
    return 1;
}

/* One document: a table definition or a batch of writes. */
static int document(walk *w, const ddb_json *d, seed_loc loc)
{
    const ddb_json *ri;

    if (d->type != DDB_JSON_OBJECT) {
        fail(w, loc.path, seed_line(&loc), "%s", "expected an object: a CreateTable request or BatchWriteItem's RequestItems");
        return 0;
    }
    if (ddb_json_get(d, "KeySchema") != NULL || ddb_json_get(d, "AttributeDefinitions") != NULL)
        return emit(w, SEED_TABLE, ddb_json_get_str(d, "TableName"), d, &loc);
    if ((ri = ddb_json_get(d, "RequestItems")) != NULL && ri->type == DDB_JSON_OBJECT) {
        loc.wrapped = 1;
        return batch_records(w, ri, loc);
    }
    if (ri == NULL && all_lists(d))
        return batch_records(w, d, loc);
    fail(w, loc.path, seed_line(&loc), "%s", "neither a CreateTable request (no KeySchema) nor BatchWriteItem's RequestItems");
    return 0;
}

/* The 1-based line of byte `at` of a file's text. */
static unsigned line_at(const char *text, size_t at)
{
    unsigned line = 1;

    for (size_t i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if ((buf = realloc(buf, cap + 1)) == NULL)
                abort();
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    fclose(f);
    return buf;
}

static void json_file(walk *w, const char *path)
{
    ddb_arena a;
    size_t len = 0, err_at;
    char *text = read_file(path, &len);
    const ddb_json *doc;
    seed_loc loc = {path, text, len, 1, -1, 0, NULL, -1};

    if (text == NULL) {
        fail(w, path, 0, "cannot read it (%s)", strerror(errno));
        return;
    }
    ddb_arena_init(&a);
    if ((doc = ddb_json_parse_input(&a, text, len, &err_at)) == NULL) {
        fail(w, path, line_at(text, err_at), "%s", "not valid JSON");
    } else if (doc->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < doc->n && !w->stopped; i++) {
            loc.top = (int)i;
            document(w, doc->u.items[i], loc);
        }
    } else {
        document(w, doc, loc);
    }
    ddb_arena_free(&a);
    free(text);
}

/* ---- .jsonl files: one item a line ---- */

/* orders.jsonl -> orders, orders.2024.jsonl -> orders: up to the first dot, so one table's items may
   be split over several files (a table whose name has a dot is named by the lines themselves) */
static char *table_of_file(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *dot = strchr(base, '.');

    return strndup(base, dot ? (size_t)(dot - base) : strlen(base));
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    }
    return 1;
}

static void line_record(walk *w, const ddb_json *o, const char *file_table, seed_loc *loc)
{
    const char *table = ddb_json_get_str(o, "TableName");
    const ddb_json *item = ddb_json_get(o, "Item");

    if (table != NULL && item != NULL && item->type == DDB_JSON_OBJECT) /* a PutItem request */
        emit(w, SEED_PUT, table, item, loc);
    else if (o->n == 1 && item != NULL && item->type == DDB_JSON_OBJECT) /* S3 export: {"Item": {...}} */
        emit(w, SEED_PUT, file_table, item, loc);
    else
        emit(w, SEED_PUT, file_table, o, loc);
}

static void lines_file(walk *w, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL, *table;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    ddb_arena a;

    if (f == NULL) {
        fail(w, path, 0, "cannot read it (%s)", strerror(errno));
        return;
    }
    table = table_of_file(path);
    ddb_arena_init(&a);
    while (!w->stopped && (n = getline(&line, &cap, f)) >= 0) {
        seed_loc loc = {path, line, (size_t)n, ++lineno, -1, 0, NULL, -1};
        const ddb_json *o;
        if (blank(line, (size_t)n))
            continue;
        ddb_arena_reset(&a);
        if ((o = ddb_json_parse_input(&a, line, (size_t)n, NULL)) == NULL)
            fail(w, path, lineno, "%s", "not valid JSON (one item a line)");
        else if (o->type != DDB_JSON_OBJECT)
            fail(w, path, lineno, "%s", "expected an object: an item in DynamoDB JSON");
        else
            line_record(w, o, table, &loc);
    }
    if (ferror(f))
        fail(w, path, lineno, "cannot read it (%s)", strerror(errno));
    ddb_arena_free(&a);
    free(table);
    free(line);
    fclose(f);
}

/* ---- paths ---- */

static void file(walk *w, const char *path)
{
    if (is_lines_file(path)) {
        if (w->items) /* items only */
            lines_file(w, path);
    } else if (has_suffix(path, ".json")) {
        json_file(w, path);
    } else {
        fail(w, path, 0, "%s", "not a seed file: expected .json (tables, RequestItems) or .jsonl/.ndjson (items)");
    }
}

static int seed_file_filter(const struct dirent *e)
{
    return e->d_name[0] != '.' && (has_suffix(e->d_name, ".json") || is_lines_file(e->d_name));
}

static void directory(walk *w, const char *path)
{
    struct dirent **names;
    int n = scandir(path, &names, seed_file_filter, alphasort);

    if (n < 0) {
        fail(w, path, 0, "cannot list it (%s)", strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        char *full = NULL;
        struct stat st;
        if (!w->stopped && asprintf(&full, "%s/%s", path, names[i]->d_name) > 0 && stat(full, &st) == 0 &&
            S_ISREG(st.st_mode))
            file(w, full);
        free(full);
        free(names[i]);
    }
    free(names);
}

long seed_walk(const char *const *paths, unsigned n, int tables, int items, seed_visit visit, seed_fail fail_fn,
               void *ctx)
{
    walk w = {tables, items, visit, fail_fn, ctx, 0, 0};

    for (unsigned i = 0; i < n && !w.stopped; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0)
            fail(&w, paths[i], 0, "cannot open it (%s)", strerror(errno));
        else if (S_ISDIR(st.st_mode))
            directory(&w, paths[i]);
        else
            file(&w, paths[i]);
    }
    return w.stopped ? -1 : w.errors;
}

/* ---- finding a record's line (on errors only) ---- */

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        i++;
    return i;
}

/* Past the string starting at t[i] == '"'. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
    for (i++; i < n && t[i] != '"'; i++) {
        if (t[i] == '\\')
            i++;
    }
    return i + 1;
}

/* Past the value starting at t[i] (the text is valid JSON: it parsed). */
static size_t skip_value(const char *t, size_t n, size_t i)
{
    int depth = 0;

    do {
        i = skip_ws(t, n, i);
        if (i >= n)
            return n;
        if (t[i] == '"') {
            i = skip_string(t, n, i);
        } else if (t[i] == '{' || t[i] == '[') {
            depth++;
            i++;
        } else if (t[i] == '}' || t[i] == ']') {
            depth--;
            i++;
        } else if (t[i] == ',' || t[i] == ':') {
            i++;
        } else {
            while (i < n && strchr(",:]} \t\r\n", t[i]) == NULL)
                i++;
        }
    } while (depth > 0);
    return i;
}

/* The start of the idx-th element of the array at t[i] (or i when not found). */
static size_t element(const char *t, size_t n, size_t i, int idx)
{
    size_t at = skip_ws(t, n, i);

    if (at >= n || t[at] != '[')
        return i;
    at = skip_ws(t, n, at + 1);
    for (int k = 0; k < idx && at < n && t[at] != ']'; k++) {
        at = skip_ws(t, n, skip_value(t, n, at));
        if (at < n && t[at] == ',')
            at = skip_ws(t, n, at + 1);
    }
    return at;
}

/* The start of member `key`'s value (its last occurrence) in the object at t[i] (or i). */
static size_t member(const char *t, size_t n, size_t i, const char *key)
{
    size_t at = skip_ws(t, n, i), klen = strlen(key), found = i;

    if (at >= n || t[at] != '{')
        return i;
    at = skip_ws(t, n, at + 1);
    while (at < n && t[at] == '"') {
        size_t kend = skip_string(t, n, at);
        int match = kend - at - 2 == klen && memcmp(t + at + 1, key, klen) == 0;
        at = skip_ws(t, n, kend);
        at = skip_ws(t, n, at + 1); /* ':' */
        if (match)
            found = at;
        at = skip_ws(t, n, skip_value(t, n, at));
        if (at < n && t[at] == ',')
            at = skip_ws(t, n, at + 1);
    }
    return found;
}

unsigned seed_line(const seed_loc *loc)
{
    size_t at = 0;

    if (loc->text == NULL)
        return loc->line;
    if (loc->top >= 0)
        at = element(loc->text, loc->len, at, loc->top);
    if (loc->wrapped)
        at = member(loc->text, loc->len, at, "RequestItems");
    if (loc->table != NULL) {
        at = member(loc->text, loc->len, at, loc->table);
        if (loc->elem >= 0)
            at = element(loc->text, loc->len, at, loc->elem);
    }
    at = skip_ws(loc->text, loc->len, at);
    return loc->line + line_at(loc->text, at) - 1;
}
