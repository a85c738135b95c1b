/*
 * server/seed/readers/seed_files.c: reads --seed files into records (see seed_files.h, docs/seeding.md).
 *
 * A .json file holds one document, or an array of them: a CreateTable request (what
 * `aws dynamodb create-table --cli-input-json` takes), or BatchWriteItem's RequestItems, wrapped
 * ({"RequestItems": {...}}) or bare (what `aws dynamodb batch-write-item --request-items` takes).
 * A .jsonl or .ndjson file holds one item a line, for the table named like the file up to its first
 * dot (orders.jsonl, orders.part2.jsonl: orders), as DynamoDB JSON, or as DynamoDB's S3 export writes it ({"Item": {...}}), or as a
 * PutItem request naming its own table ({"TableName": ..., "Item": {...}}).
 * A .json document that is a template (CloudFormation, `terraform show -json`, CDK's manifest), a
 * .yaml or .yml file (CloudFormation, SAM) and a directory holding CDK's manifest.json (cdk.out)
 * are read by seed_template.c into the same records.
 */
#include "server/seed/readers/seed_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/arena.h"
#include "server/seed/readers/seed_template.h"
#include "server/seed/readers/seed_text.h"

/* What a seed may make ddbd read (docs/security.md, "Seed files"): a .json document is read whole,
   so it is kept to what tables and batches of writes need; items in bulk go in .jsonl files, read
   a line at a time, whose lines are items (DynamoDB's are at most 400 KB: in JSON, with base64
   and escapes, a few times that). */
#define SEED_MAX_JSON_BYTES (64ULL << 20)
#define SEED_MAX_LINES_FILE_BYTES (1ULL << 30)
#define SEED_MAX_LINE_BYTES ((size_t)4 << 20)

typedef struct walk {
    int tables, items;
    seed_visit visit;
    seed_fail fail;
    void *ctx;
    long errors;
    int stopped;
    cfn_param *params;
    unsigned nparams;
} walk;

static void fail(walk *w, const char *path, unsigned line, const char *fmt, const char *arg)
{
    char msg[512];

    w->errors++;
    if (w->fail == NULL || !w->items) /* (a seed file's problems are reported by the walk of items) */
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

static int is_yaml_file(const char *name)
{
    return has_suffix(name, ".yaml") || has_suffix(name, ".yml");
}

static int emit(walk *w, seed_kind kind, const char *table, const ddb_json *doc, const seed_loc *loc)
{
    seed_record r = {kind, table, doc, NULL, *loc, NULL};

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

/* The whole of f (at most SEED_MAX_JSON_BYTES: a file that grew past it since it was opened is
   not read further), NUL-terminated; NULL on a read error or when too long (errno EFBIG). */
static char *read_whole(FILE *f, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    do {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if ((buf = realloc(buf, cap + 1)) == NULL)
                abort();
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0 && n <= SEED_MAX_JSON_BYTES);
    if (ferror(f) || n > SEED_MAX_JSON_BYTES) {
        errno = ferror(f) ? EIO : EFBIG;
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- templates (seed_template.h): tables only ---- */

static int on_template_table(void *ctx, const char *path, unsigned line, const char *name, const char *region,
                             const ddb_json *create, const ddb_json *after)
{
    walk *w = ctx;
    seed_record r = {SEED_TABLE, name, create, after, {path, NULL, 0, line, -1, 0, NULL, -1}, region};

    if (w->visit(w->ctx, &r) != 0)
        w->stopped = 1;
    return w->stopped;
}

static int on_template_item(void *ctx, const char *path, unsigned line, const char *table, const ddb_json *item)
{
    seed_loc loc = {path, NULL, 0, line, -1, 0, NULL, -1};

    return emit(ctx, SEED_PUT, table, item, &loc);
}

static int on_template_view(void *ctx, const char *path, unsigned line, const char *table, const ddb_json *view)
{
    walk *w = ctx;
    seed_record r = {SEED_VIEW, table, view, NULL, {path, NULL, 0, line, -1, 0, NULL, -1}, NULL};

    if (w->visit(w->ctx, &r) != 0)
        w->stopped = 1;
    return w->stopped;
}

static void on_template_fail(void *ctx, const char *path, unsigned line, const char *msg)
{
    walk *w = ctx;

    w->errors++;
    if (w->fail != NULL && w->tables) /* (a template's problems are reported by the walk of tables) */
        w->fail(w->ctx, path, line, msg);
}

static char *read_named(const char *path, size_t *len, char *msg, size_t msglen);

static seed_tpl_env template_env(walk *w)
{
    seed_tpl_env env = {w->params, w->nparams, on_template_table, on_template_fail, read_named,
                        w->tables ? NULL : on_template_item, w, 0, 0, 0, 0, NULL, seed_template_nested,
                        w->tables ? on_template_view : NULL};
    return env;
}

static void template(walk *w, const char *path, const char *text, size_t len, const ddb_json *doc)
{
    seed_tpl_env env = template_env(w);

    seed_template_read(&env, path, text, len, doc);
}

static void yaml_file(walk *w, const char *path, FILE *f)
{
    size_t len = 0;
    char *text;
    seed_tpl_env env = template_env(w);

    if (!w->tables)
        return;
    if ((text = read_whole(f, &len)) == NULL) {
        on_template_fail(w, path, 0, errno == EFBIG ? "grew past 64 MiB while being read" : "cannot read it");
        return;
    }
    seed_template_yaml(&env, path, text, len);
    free(text);
}

static void json_file(walk *w, const char *path, FILE *f)
{
    ddb_arena a;
    size_t len = 0, err_at;
    char *text = read_whole(f, &len);
    const ddb_json *doc;
    seed_loc loc = {path, text, len, 1, -1, 0, NULL, -1};

    if (text == NULL) {
        fail(w, path, 0, "%s", errno == EFBIG ? "grew past 64 MiB while being read" : "cannot read it");
        return;
    }
    ddb_arena_init(&a);
    if ((doc = ddb_json_parse_input(&a, text, len, &err_at)) == NULL) {
        fail(w, path, line_at(text, err_at), "%s", "not valid JSON");
    } else if (seed_template_kind_of(doc) != SEED_TPL_NONE) {
        template(w, path, text, len, doc); /* (tables, or Terraform's items) */
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

/*
 * The next line of f into *buf (NUL-terminated, its newline kept), read a byte at a time so that
 * no line longer than SEED_MAX_LINE_BYTES is ever held: returns its length, -1 at the end of the
 * file (or on a read error: ferror), -2 when the line is longer than that.
 */
static long next_line(FILE *f, char **buf, size_t *cap)
{
    size_t n = 0;
    int c;

    while ((c = getc_unlocked(f)) != EOF) {
        if (c != '\n' && n == SEED_MAX_LINE_BYTES)
            return -2;
        if (n + 2 > *cap) { /* room for c and the NUL, never more than the longest line needs */
            *cap = *cap == 0 ? 4096 : *cap * 2 < SEED_MAX_LINE_BYTES + 2 ? *cap * 2 : SEED_MAX_LINE_BYTES + 2;
            if ((*buf = realloc(*buf, *cap)) == NULL)
                abort();
        }
        (*buf)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    (*buf)[n] = '\0';
    return (long)n;
}

static void lines_file(walk *w, const char *path, FILE *f)
{
    char *line = NULL, *table = table_of_file(path);
    size_t cap = 0;
    long n = -1;
    unsigned lineno = 0;
    ddb_arena a;

    ddb_arena_init(&a);
    while (!w->stopped && (n = next_line(f, &line, &cap)) >= 0) {
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
    if (n == -2)
        fail(w, path, lineno + 1, "%s", "a line longer than 4 MiB (one item a line, and an item is at most "
             "400 KB); the rest of the file was not read");
    else if (ferror(f))
        fail(w, path, lineno, "cannot read it (%s)", strerror(errno));
    ddb_arena_free(&a);
    free(table);
    free(line);
}

/* ---- paths ---- */

static const char *file_type(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device"
           : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : "not a file";
}

/*
 * Opens a seed file: a regular file (a symbolic link to one is followed) of at most `max` bytes.
 * Anything else is refused unread, named in the error: a FIFO (opened without waiting for a
 * writer: O_NONBLOCK), a device such as /dev/zero, a socket. The type and size are read from the
 * descriptor opened, so the file cannot be swapped for another between the check and the read.
 */
static FILE *open_checked(const char *path, unsigned long long max, char *msg, size_t msglen)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *f;

    if (fd < 0) {
        snprintf(msg, msglen, "cannot read it (%s)", strerror(errno));
        return NULL;
    }
    msg[0] = '\0';
    if (fstat(fd, &st) != 0)
        snprintf(msg, msglen, "cannot read it (%s)", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(msg, msglen, "not a regular file but %s: a seed is a file, or a directory of files",
                 file_type(st.st_mode));
    else if ((unsigned long long)st.st_size > max)
        snprintf(msg, msglen, "%llu bytes, more than a seed %s file may hold (%s): split it into several "
                 "files in a directory", (unsigned long long)st.st_size, max == SEED_MAX_JSON_BYTES ? ".json" : "item",
                 max == SEED_MAX_JSON_BYTES ? "64 MiB" : "1 GiB");
    if (msg[0] != '\0' || fcntl(fd, F_SETFL, 0) != 0 || (f = fdopen(fd, "rb")) == NULL) {
        if (msg[0] == '\0')
            snprintf(msg, msglen, "cannot read it (%s)", strerror(errno));
        close(fd);
        return NULL;
    }
    return f;
}

static FILE *open_seed(walk *w, const char *path, unsigned long long max)
{
    char msg[160];
    FILE *f = open_checked(path, max, msg, sizeof(msg));

    if (f == NULL)
        fail(w, path, 0, "%s", msg);
    return f;
}

/* A file a template names (cdk.out's stack templates): read whole, as a .json seed is. */
static char *read_named(const char *path, size_t *len, char *msg, size_t msglen)
{
    FILE *f = open_checked(path, SEED_MAX_JSON_BYTES, msg, msglen);
    char *text;

    if (f == NULL)
        return NULL;
    if ((text = read_whole(f, len)) == NULL)
        snprintf(msg, msglen, "%s", errno == EFBIG ? "grew past 64 MiB while being read" : "cannot read it");
    fclose(f);
    return text;
}

static void file(walk *w, const char *path)
{
    int lines = is_lines_file(path), json = !lines && has_suffix(path, ".json"), yaml = is_yaml_file(path);
    FILE *f;
    char msg[160];

    if ((lines && !w->items) || (yaml && !w->tables)) /* items only; tables only */
        return;
    if (yaml) { /* a template: its problems are reported by the walk of tables */
        if ((f = open_checked(path, SEED_MAX_JSON_BYTES, msg, sizeof(msg))) == NULL) {
            on_template_fail(w, path, 0, msg);
            return;
        }
        yaml_file(w, path, f);
        fclose(f);
        return;
    }
    /* (a file of another name is opened only to name its type when it is not a file) */
    if ((f = open_seed(w, path, json ? SEED_MAX_JSON_BYTES : lines ? SEED_MAX_LINES_FILE_BYTES : ~0ULL)) == NULL)
        return;
    if (lines)
        lines_file(w, path, f);
    else if (json)
        json_file(w, path, f);
    else
        fail(w, path, 0, "%s", "not a seed file: expected .json (tables, RequestItems, templates), .jsonl/.ndjson "
             "(items) or .yaml/.yml (CloudFormation and SAM templates)");
    fclose(f);
}

static int seed_file_filter(const struct dirent *e)
{
    return e->d_name[0] != '.' && (has_suffix(e->d_name, ".json") || is_lines_file(e->d_name) || is_yaml_file(e->d_name));
}

/* DIR/manifest.json, when it is a CDK cloud assembly's (cdk.out): the path to read instead of the
   directory's files (its other JSON files are CDK's: the construct tree, the assets' manifests). */
static char *cdk_manifest(const char *dir)
{
    char *path = NULL, msg[160], *text;
    size_t len = 0;
    ddb_arena a;
    int cdk;

    if (asprintf(&path, "%s%smanifest.json", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/") < 0)
        abort();
    if (access(path, F_OK) != 0 || (text = read_named(path, &len, msg, sizeof(msg))) == NULL) {
        free(path);
        return NULL;
    }
    ddb_arena_init(&a);
    cdk = seed_template_kind_of(ddb_json_parse_input(&a, text, len, NULL)) == SEED_TPL_CDK;
    ddb_arena_free(&a);
    free(text);
    if (!cdk) {
        free(path);
        return NULL;
    }
    return path;
}

/* A directory's seed files by name; one that is not a regular file is refused (open_seed). */
static void directory(walk *w, const char *path)
{
    struct dirent **names;
    char *manifest = cdk_manifest(path);
    int n;

    if (manifest != NULL) {
        file(w, manifest);
        free(manifest);
        return;
    }
    n = scandir(path, &names, seed_file_filter, alphasort);

    if (n < 0) {
        fail(w, path, 0, "cannot list it (%s)", strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        char *full = NULL;
        /* "fixtures/" names its files fixtures/users.jsonl, not fixtures//users.jsonl */
        const char *sep = path[0] != '\0' && path[strlen(path) - 1] == '/' ? "" : "/";
        if (!w->stopped && asprintf(&full, "%s%s%s", path, sep, names[i]->d_name) > 0)
            file(w, full);
        free(full);
        free(names[i]);
    }
    free(names);
}

long seed_walk(const char *const *paths, unsigned n, int tables, int items, seed_visit visit, seed_fail fail_fn,
               void *ctx, cfn_param *params, unsigned nparams)
{
    walk w = {tables, items, visit, fail_fn, ctx, 0, 0, params, nparams};

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

unsigned seed_line(const seed_loc *loc)
{
    size_t at = 0;

    if (loc->text == NULL)
        return loc->line;
    if (loc->top >= 0)
        at = seed_text_element(loc->text, loc->len, at, loc->top);
    if (loc->wrapped)
        at = seed_text_member(loc->text, loc->len, at, "RequestItems");
    if (loc->table != NULL) {
        at = seed_text_member(loc->text, loc->len, at, loc->table);
        if (loc->elem >= 0)
            at = seed_text_element(loc->text, loc->len, at, loc->elem);
    }
    at = seed_text_skip_ws(loc->text, loc->len, at);
    return loc->line + line_at(loc->text, at) - 1;
}
