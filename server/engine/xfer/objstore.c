/*
 * server/engine/xfer/objstore.c: buckets as directories (--export-dir) or S3 buckets (s3.c); see objstore.h.
 */
#include "server/engine/xfer/objstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/bucket.h"
#include "server/base/fdio.h"

/* A bucket name DynamoDB's API accepts (server/base/bucket.h) that S3 could hold (no ".."): so
   one path component, never the export directory itself nor its parent. */
static int bucket_ok(const char *s)
{
    return ddb_bucket_pattern_ok(s) && strstr(s, "..") == NULL;
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
    if (strcmp(code, "NoSuchBucket") == 0) /* S3's own message, as DynamoDB's FailureMessage quotes it */
        snprintf(o->err, sizeof(o->err), "%s", DDB_OBJ_NO_BUCKET);
    else
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

/* The directory <export_dir>/<bucket> opened (never through a symbolic link), or -1. */
static int bucket_dir(const ddb_objstore_settings *cfg, const char *bucket)
{
    int root, fd;

    if (cfg->export_dir == NULL || (root = open(cfg->export_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    fd = openat(root, bucket, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(root);
    return fd;
}

int ddb_objstore_reachable(const ddb_objstore_settings *cfg, const char *bucket)
{
    int fd;

    if (bucket == NULL || !bucket_ok(bucket))
        return 0;
    if (cfg->s3_endpoint != NULL)
        return 1;
    if ((fd = bucket_dir(cfg, bucket)) < 0)
        return 0;
    close(fd);
    return 1;
}

int ddb_objstore_open(ddb_objstore *o, const ddb_objstore_settings *cfg, const char *bucket)
{
    ddb_buf path = {0}, resp = {0};
    int status = 0, rc;

    memset(o, 0, sizeof(*o));
    o->dirfd = -1;
    o->cfg = cfg;
    snprintf(o->bucket, sizeof(o->bucket), "%s", bucket ? bucket : "");
    if (bucket == NULL || !bucket_ok(bucket)) {
        snprintf(o->err, sizeof(o->err), "The specified bucket is not valid: %s", o->bucket);
        return DDB_OBJ_NOT_FOUND;
    }
    if ((o->dirfd = bucket_dir(cfg, bucket)) >= 0) {
        o->dir = 1;
        return DDB_OBJ_OK;
    }
    if (cfg->s3_endpoint == NULL) {
        snprintf(o->err, sizeof(o->err), "%s", DDB_OBJ_NO_BUCKET);
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
    if (o->dirfd >= 0)
        close(o->dirfd);
    o->dirfd = -1;
    o->dir = 0;
}

/* ---- a key as a path below the bucket's directory ---- */

/*
 * The directory that holds `key`'s last component, opened component by component from the
 * bucket's directory with O_NOFOLLOW, so that no symbolic link (nor "." or "..") is ever passed
 * through: a key cannot lead out of the bucket. With `create`, missing directories are made. The
 * last component is in *name. Returns the directory's descriptor, or -1 (errno says why).
 */
static int parent_of(const ddb_objstore *o, const char *key, int create, const char **name)
{
    int fd = dup(o->dirfd);
    const char *p = key;

    for (const char *slash; fd >= 0 && (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        char comp[NAME_MAX + 1];
        size_t n = (size_t)(slash - p);
        int next;
        if (n == 0)
            continue; /* "a//b" is a/b */
        if (n > NAME_MAX || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
            close(fd);
            errno = n > NAME_MAX ? ENAMETOOLONG : EACCES;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (create && mkdirat(fd, comp, 0755) != 0 && errno != EEXIST) {
            next = -1;
        } else {
            next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        close(fd);
        fd = next;
    }
    if (fd >= 0 && (p[0] == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || strlen(p) > NAME_MAX)) {
        close(fd);
        errno = p[0] == '\0' ? EISDIR : EACCES;
        return -1;
    }
    *name = p;
    return fd;
}

/* The regular file `key` opened for reading, or -1 (ENOENT: no such key). A symbolic link, a
   device, a FIFO or a socket is refused (EACCES) without being read or waited on. */
static int open_key(const ddb_objstore *o, const char *key)
{
    const char *name;
    int dfd = parent_of(o, key, 0, &name), fd;
    struct stat st;

    if (dfd < 0)
        return -1;
    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    close(dfd);
    if (fd < 0)
        return errno == ELOOP ? (errno = EACCES, -1) : -1; /* ELOOP: a symbolic link */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EACCES;
        return -1;
    }
    return fd;
}

/* Writes `key` as <key>.tmp then renames it over the key (a link there is replaced, never followed). */
static int put_file(ddb_objstore *o, const char *key, const void *data, size_t len)
{
    const char *name;
    char tmp[NAME_MAX + 8];
    int dfd = parent_of(o, key, 1, &name), fd = -1, rc = -1;

    if (dfd >= 0 && (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) < sizeof(tmp)) {
        unlinkat(dfd, tmp, 0);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    }
    if (fd >= 0) {
        rc = ddb_write_all(fd, data, len) == len ? 0 : -1;
        rc = close(fd) != 0 ? -1 : rc;
        if (rc == 0)
            rc = renameat(dfd, tmp, dfd, name);
    }
    if (rc != 0)
        snprintf(o->err, sizeof(o->err), "writing %s in bucket %s: %s", key, o->bucket, strerror(errno));
    if (dfd >= 0)
        close(dfd);
    return rc == 0 ? DDB_OBJ_OK : DDB_OBJ_ERROR;
}

int ddb_objstore_put(ddb_objstore *o, const char *key, const void *data, size_t len)
{
    ddb_buf path = {0}, resp = {0};
    int status = 0, rc;

    if (o->dir)
        return put_file(o, key, data, len);
    object_path(&path, o, key);
    rc = ddb_s3_request(o, "PUT", path.data, NULL, data, len, &status, &resp);
    if (rc == 0 && status != 200)
        rc = s3_fail(o, "PUT", path.data, status, &resp);
    ddb_buf_free(&path);
    ddb_buf_free(&resp);
    return rc;
}

/* ---- reading an object a piece at a time ---- */

static int s3_range(ddb_objstore_stream *s);

int ddb_objstore_stream_open(ddb_objstore *o, const char *key, ddb_objstore_stream *s)
{
    memset(s, 0, sizeof(*s));
    s->o = o;
    s->key = key;
    s->fd = -1;
    if (!o->dir)
        return s3_range(s); /* the first range GET says whether it is there */
    if ((s->fd = open_key(o, key)) < 0) {
        int e = errno;
        snprintf(o->err, sizeof(o->err), "reading %s in bucket %s: %s", key, o->bucket,
                 e == EACCES ? "not a regular file below the bucket's directory" : strerror(e));
        return e == ENOENT ? DDB_OBJ_NOT_FOUND : DDB_OBJ_ERROR;
    }
    return DDB_OBJ_OK;
}

/* The next range of an S3 object into s->chunk (empty at its end). */
static int s3_range(ddb_objstore_stream *s)
{
    ddb_objstore *o = s->o;
    ddb_buf path = {0};
    char range[64];
    int status = 0, rc;

    snprintf(range, sizeof(range), "bytes=%llu-%llu", s->offset, s->offset + DDB_OBJ_RANGE - 1);
    object_path(&path, o, s->key);
    s->chunk.len = 0;
    s->chunk_pos = 0;
    o->range = range;
    rc = ddb_s3_request(o, "GET", path.data, NULL, NULL, 0, &status, &s->chunk);
    o->range = NULL;
    if (rc == 0 && status == 416) { /* past the end (an empty object) */
        s->chunk.len = 0;
        s->at_end = 1;
    } else if (rc == 0 && status != 200 && status != 206) {
        rc = s3_fail(o, "GET", path.data, status, &s->chunk);
    } else if (rc == 0) {
        /* a store that ignores Range sends it all (200): the whole object, when it fits a range
           (a longer answer was refused as it came: ddb_s3_request) */
        s->at_end = status == 200 || s->chunk.len < DDB_OBJ_RANGE;
        s->offset += s->chunk.len;
    }
    ddb_buf_free(&path);
    return rc;
}

long ddb_objstore_stream_read(ddb_objstore_stream *s, void *buf, size_t n)
{
    if (s->fd >= 0) {
        ssize_t got;
        while ((got = read(s->fd, buf, n)) < 0 && errno == EINTR)
            ;
        if (got < 0)
            snprintf(s->o->err, sizeof(s->o->err), "reading %s in bucket %s: %s", s->key, s->o->bucket,
                     strerror(errno));
        return got < 0 ? DDB_OBJ_ERROR : (long)got;
    }
    while (s->chunk_pos == s->chunk.len) {
        int rc;
        if (s->at_end)
            return 0;
        if ((rc = s3_range(s)) != DDB_OBJ_OK)
            return rc;
    }
    if (n > s->chunk.len - s->chunk_pos)
        n = s->chunk.len - s->chunk_pos;
    memcpy(buf, s->chunk.data + s->chunk_pos, n);
    s->chunk_pos += n;
    return (long)n;
}

void ddb_objstore_stream_close(ddb_objstore_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    ddb_buf_free(&s->chunk);
}

/* ---- listing ---- */

typedef struct keylist {
    char **keys;
    size_t n, cap;
} keylist;

static void add_key(keylist *l, char *k)
{
    DDB_ROOM(l->keys, l->n, l->cap, 16);
    l->keys[l->n++] = k;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file below the directory fd (keys "rel/name") that starts with prefix; symbolic
   links, devices, FIFOs and sockets are not keys, and no link is followed. Closes fd. */
static void walk(int fd, const char *rel, const char *prefix, keylist *l)
{
    DIR *d = fdopendir(fd);
    struct dirent *de;
    size_t pl = strlen(prefix);

    if (d == NULL) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char key[4096];
        struct stat st;
        size_t kl;
        if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        if ((size_t)snprintf(key, sizeof(key), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof(key) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* too long for a key, or gone */
        kl = strlen(key);
        if (S_ISDIR(st.st_mode)) {
            /* descend only where keys with the prefix can be */
            int sub;
            if (strncmp(key, prefix, kl < pl ? kl : pl) == 0 &&
                (sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
                walk(sub, key, prefix, l);
        } else if (S_ISREG(st.st_mode) && strncmp(key, prefix, pl) == 0 &&
                   !(kl > 4 && strcmp(key + kl - 4, ".tmp") == 0)) {
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

    if (o->dir) {
        int fd = dup(o->dirfd);
        if (fd >= 0)
            walk(fd, "", prefix, &l);
    }
    else
        rc = s3_list(o, prefix, &l);
    if (rc != DDB_OBJ_OK) {
        ddb_free_strings(l.keys, l.n);
        return rc;
    }
    if (l.n > 1)
        qsort(l.keys, l.n, sizeof(*l.keys), cmp_keys);
    *keys = l.keys;
    *n = l.n;
    return DDB_OBJ_OK;
}
