/*
 * server/engine/objstore.c: buckets as directories (--export-dir) or S3 buckets (s3.c); see objstore.h.
 */
#include "server/engine/xfer/objstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A bucket or key that could climb out of the mapped directory is refused. */
static int safe_name(const char *s)
{
    return strstr(s, "..") == NULL && s[0] != '/';
}

/* "<Code>X</Code>" of an S3 error answer, or "". */
static void s3_code(const ddb_buf *b, char *out, size_t n)
{
    const char *p = b->data ? memmem(b->data, b->len, "<Code>", 6) : NULL, *e;

    out[0] = '\0';
    if (p != NULL && (e = memmem(p, b->len - (size_t)(p - b->data), "</Code>", 7)) != NULL)
        snprintf(out, n, "%.*s", (int)(e - p - 6), p + 6);
}

static int s3_fail(ddb_objstore *o, const char *method, const char *path, int status, const ddb_buf *b)
{
    char code[64];

    s3_code(b, code, sizeof(code));
    snprintf(o->err, sizeof(o->err), "S3 answered %d %s for %s %s", status, code, method, path);
    return status == 404 ? DDB_OBJ_NOT_FOUND : DDB_OBJ_ERROR;
}

static void object_path(ddb_buf *p, const ddb_objstore *o, const char *key)
{
    ddb_buf_putc(p, '/');
    ddb_s3_uri_encode(p, o->bucket, 0);
    ddb_buf_putc(p, '/');
    ddb_s3_uri_encode(p, key, 1);
    ddb_buf_putc(p, '\0');
}

/* <export_dir>/<bucket> when that directory exists (malloc'd), else NULL. */
static char *bucket_dir(const ddb_objstore_settings *cfg, const char *bucket)
{
    struct stat st;
    ddb_buf path = {0};

    if (cfg->export_dir == NULL)
        return NULL;
    ddb_buf_printf(&path, "%s/%s", cfg->export_dir, bucket);
    ddb_buf_putc(&path, '\0');
    if (stat(path.data, &st) == 0 && S_ISDIR(st.st_mode))
        return path.data;
    ddb_buf_free(&path);
    return NULL;
}

int ddb_objstore_reachable(const ddb_objstore_settings *cfg, const char *bucket)
{
    char *dir;
    int found;

    if (bucket == NULL || !safe_name(bucket) || strchr(bucket, '/') != NULL)
        return 0;
    if (cfg->s3_endpoint != NULL)
        return 1;
    dir = bucket_dir(cfg, bucket);
    found = dir != NULL;
    free(dir);
    return found;
}

int ddb_objstore_open(ddb_objstore *o, const ddb_objstore_settings *cfg, const char *bucket)
{
    ddb_buf path = {0}, resp = {0};
    int status = 0, rc;

    memset(o, 0, sizeof(*o));
    o->cfg = cfg;
    snprintf(o->bucket, sizeof(o->bucket), "%s", bucket);
    if (!safe_name(bucket) || strchr(bucket, '/') != NULL) {
        snprintf(o->err, sizeof(o->err), "invalid bucket name %s", bucket);
        return DDB_OBJ_NOT_FOUND;
    }
    if ((o->dir = bucket_dir(cfg, bucket)) != NULL)
        return DDB_OBJ_OK;
    if (cfg->s3_endpoint == NULL) {
        snprintf(o->err, sizeof(o->err), "The specified bucket does not exist: %s", bucket);
        return DDB_OBJ_NOT_FOUND;
    }
    ddb_buf_putc(&path, '/');
    ddb_s3_uri_encode(&path, bucket, 0);
    ddb_buf_putc(&path, '\0');
    rc = ddb_s3_request(o, "GET", path.data, "list-type=2&max-keys=1", NULL, 0, &status, &resp);
    if (rc == 0 && status != 200)
        rc = s3_fail(o, "GET", path.data, status, &resp);
    ddb_buf_free(&path);
    ddb_buf_free(&resp);
    return rc;
}

void ddb_objstore_close(ddb_objstore *o)
{
    free(o->dir);
    o->dir = NULL;
}

/* mkdir -p of the directories above `file` (a path being built in place). */
static int make_parents(char *file)
{
    for (char *p = strchr(file + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(file, 0755) != 0 && errno != EEXIST) {
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return 0;
}

int ddb_objstore_put(ddb_objstore *o, const char *key, const void *data, size_t len)
{
    ddb_buf path = {0}, resp = {0};
    int status = 0, rc = DDB_OBJ_OK;

    if (o->dir != NULL) {
        char tmp[4096 + 16];
        FILE *f;
        if (!safe_name(key)) {
            snprintf(o->err, sizeof(o->err), "invalid key %s", key);
            return DDB_OBJ_ERROR;
        }
        ddb_buf_printf(&path, "%s/%s", o->dir, key);
        ddb_buf_putc(&path, '\0');
        snprintf(tmp, sizeof(tmp), "%s.tmp", path.data);
        if (make_parents(path.data) != 0 || (f = fopen(tmp, "wb")) == NULL ||
            (fwrite(data, 1, len, f) != len ? (fclose(f), -1) : fclose(f)) != 0 || rename(tmp, path.data) != 0) {
            snprintf(o->err, sizeof(o->err), "writing %s: %s", path.data, strerror(errno));
            rc = DDB_OBJ_ERROR;
        }
        ddb_buf_free(&path);
        return rc;
    }
    object_path(&path, o, key);
    rc = ddb_s3_request(o, "PUT", path.data, NULL, data, len, &status, &resp);
    if (rc == 0 && status != 200)
        rc = s3_fail(o, "PUT", path.data, status, &resp);
    ddb_buf_free(&path);
    ddb_buf_free(&resp);
    return rc;
}

int ddb_objstore_get(ddb_objstore *o, const char *key, ddb_buf *out)
{
    ddb_buf path = {0}, resp = {0};
    int status = 0, rc = DDB_OBJ_OK;

    if (o->dir != NULL) {
        FILE *f;
        char chunk[65536];
        size_t n;
        ddb_buf_printf(&path, "%s/%s", o->dir, key);
        ddb_buf_putc(&path, '\0');
        if (!safe_name(key) || (f = fopen(path.data, "rb")) == NULL) {
            snprintf(o->err, sizeof(o->err), "reading %s: %s", path.data, strerror(errno));
            ddb_buf_free(&path);
            return errno == ENOENT ? DDB_OBJ_NOT_FOUND : DDB_OBJ_ERROR;
        }
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            ddb_buf_append(out, chunk, n);
        if (ferror(f)) {
            snprintf(o->err, sizeof(o->err), "reading %s failed", path.data);
            rc = DDB_OBJ_ERROR;
        }
        fclose(f);
        ddb_buf_free(&path);
        return rc;
    }
    object_path(&path, o, key);
    rc = ddb_s3_request(o, "GET", path.data, NULL, NULL, 0, &status, &resp);
    if (rc == 0 && status != 200)
        rc = s3_fail(o, "GET", path.data, status, &resp);
    else if (rc == 0)
        ddb_buf_append(out, resp.data ? resp.data : "", resp.len);
    ddb_buf_free(&path);
    ddb_buf_free(&resp);
    return rc;
}

/* ---- listing ---- */

typedef struct keylist {
    char **keys;
    size_t n, cap;
} keylist;

static void add_key(keylist *l, char *k)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        if ((l->keys = realloc(l->keys, l->cap * sizeof(*l->keys))) == NULL)
            abort();
    }
    l->keys[l->n++] = k;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file below dir/rel, as keys "rel/name" that start with prefix. */
static void walk(const char *dir, const char *rel, const char *prefix, keylist *l)
{
    char path[4096];
    DIR *d;
    struct dirent *de;

    snprintf(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
    if ((d = opendir(path)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char key[4096];
        struct stat st;
        size_t kl;
        if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        if ((size_t)snprintf(key, sizeof(key), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof(key) ||
            (size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path))
            continue; /* too long for a path */
        if (stat(path, &st) != 0)
            continue;
        kl = strlen(key);
        if (S_ISDIR(st.st_mode)) {
            /* descend only where keys with the prefix can be */
            size_t pl = strlen(prefix);
            if (strncmp(key, prefix, kl < pl ? kl : pl) == 0)
                walk(dir, key, prefix, l);
        } else if (strncmp(key, prefix, strlen(prefix)) == 0 && !(kl > 4 && strcmp(key + kl - 4, ".tmp") == 0)) {
            add_key(l, strdup(key));
        }
    }
    closedir(d);
}

/* XML text with the five predefined entities decoded (malloc'd). */
static char *xml_text(const char *p, size_t n)
{
    static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
    char *out = malloc(n + 1), *w = out;

    if (out == NULL)
        abort();
    for (size_t i = 0; i < n;) {
        size_t k;
        for (k = 0; k < 5; k++) {
            size_t el = strlen(ent[k][0]);
            if (i + el <= n && memcmp(p + i, ent[k][0], el) == 0) {
                *w++ = ent[k][1][0];
                i += el;
                break;
            }
        }
        if (k == 5)
            *w++ = p[i++];
    }
    *w = '\0';
    return out;
}

/* The text of each <tag>...</tag> in b, in order, passed to fn. */
static void each_tag(const ddb_buf *b, const char *tag, void (*fn)(void *, char *), void *ctx)
{
    char open[64], close_[64];
    const char *p = b->data, *end = b->data + b->len;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close_, sizeof(close_), "</%s>", tag);
    while (p != NULL && p < end && (p = memmem(p, (size_t)(end - p), open, strlen(open))) != NULL) {
        const char *s = p + strlen(open), *e = memmem(s, (size_t)(end - s), close_, strlen(close_));
        if (e == NULL)
            break;
        fn(ctx, xml_text(s, (size_t)(e - s)));
        p = e;
    }
}

static void on_key(void *ctx, char *k)
{
    add_key(ctx, k);
}

static void on_token(void *ctx, char *t)
{
    char **slot = ctx;
    free(*slot);
    *slot = t;
}

static int s3_list(ddb_objstore *o, const char *prefix, keylist *l)
{
    char *token = NULL;
    int rc = DDB_OBJ_OK;

    do {
        ddb_buf path = {0}, q = {0}, resp = {0};
        int status = 0;
        char *next = NULL;
        ddb_buf_putc(&path, '/');
        ddb_s3_uri_encode(&path, o->bucket, 0);
        ddb_buf_putc(&path, '\0');
        if (token != NULL) {
            ddb_buf_puts(&q, "continuation-token=");
            ddb_s3_uri_encode(&q, token, 0);
            ddb_buf_putc(&q, '&');
        }
        ddb_buf_puts(&q, "list-type=2&prefix=");
        ddb_s3_uri_encode(&q, prefix, 0);
        ddb_buf_putc(&q, '\0');
        rc = ddb_s3_request(o, "GET", path.data, q.data, NULL, 0, &status, &resp);
        if (rc == 0 && status != 200)
            rc = s3_fail(o, "GET", path.data, status, &resp);
        if (rc == 0) {
            each_tag(&resp, "Key", on_key, l);
            if (resp.data != NULL && memmem(resp.data, resp.len, "<IsTruncated>true", 17) != NULL)
                each_tag(&resp, "NextContinuationToken", on_token, &next);
        }
        free(token);
        token = next;
        ddb_buf_free(&path);
        ddb_buf_free(&q);
        ddb_buf_free(&resp);
    } while (rc == 0 && token != NULL);
    free(token);
    return rc;
}

int ddb_objstore_list(ddb_objstore *o, const char *prefix, char ***keys, size_t *n)
{
    keylist l = {0};
    int rc = DDB_OBJ_OK;

    if (o->dir != NULL)
        walk(o->dir, "", prefix, &l);
    else
        rc = s3_list(o, prefix, &l);
    if (rc != DDB_OBJ_OK) {
        for (size_t i = 0; i < l.n; i++)
            free(l.keys[i]);
        free(l.keys);
        return rc;
    }
    if (l.n > 1)
        qsort(l.keys, l.n, sizeof(*l.keys), cmp_keys);
    *keys = l.keys;
    *n = l.n;
    return DDB_OBJ_OK;
}
