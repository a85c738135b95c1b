/*
 * server/engine/xfer/objstore.h: the buckets exports write to and imports read from.
 *
 * A bucket B is the directory <--export-dir>/B when that directory exists (a file:// mapping: an
 * object key is a path below it, its '/' making subdirectories), else a bucket of the
 * S3-compatible store at --s3-endpoint (engine/xfer/s3.c: path-style requests signed with SigV4), else
 * it cannot be reached. Only what exports and imports need: put a whole object, read an object
 * a piece at a time, list the keys under a prefix. Blocking calls, for the background worker only.
 *
 * A directory bucket is a name DynamoDB's pattern accepts (server/base/bucket.h) without "..", so
 * one directory below --export-dir, opened without following a symbolic link; every key below it
 * is opened component by component with O_NOFOLLOW ("." and ".." refused), so no key leads out of
 * it, and only regular files are read (docs/security.md, The export directory).
 *
 * Every call returns DDB_OBJ_OK, DDB_OBJ_NOT_FOUND (no such key or bucket) or DDB_OBJ_ERROR, with
 * a message in the objstore's err[] (e.g. "S3 answered 403 AccessDenied for PUT /b/k").
 */
#ifndef DDB_OBJSTORE_H
#define DDB_OBJSTORE_H

#include <stddef.h>

#include "proto/buf.h" /* ddb_buf */
#include "server/engine/engine.h" /* ddb_objstore_settings */

enum { DDB_OBJ_OK = 0, DDB_OBJ_NOT_FOUND = 1, DDB_OBJ_ERROR = -1 };
/* A missing bucket's err: S3's NoSuchBucket message, which DynamoDB's FailureMessage quotes. */
#define DDB_OBJ_NO_BUCKET "The specified bucket does not exist"

typedef struct ddb_objstore {
    char bucket[256];
    int dir;                 /* the bucket is a directory (file mapping): dirfd, opened without following links */
    int dirfd;
    const char *range;       /* a GET's Range header (s3.c; its answer is then refused past DDB_OBJ_RANGE), or NULL */
    const ddb_objstore_settings *cfg; /* the export directory, the S3 endpoint and keys */
    const char *sse;         /* an S3 PUT's x-amz-server-side-encryption: AES256 or KMS (aws:kms), or NULL */
    const char *sse_kms_key; /* with KMS: x-amz-server-side-encryption-aws-kms-key-id, or NULL */
    char err[512];
} ddb_objstore;

/* Resolves `bucket`; DDB_OBJ_NOT_FOUND when it is neither a directory nor reachable through S3. */
int ddb_objstore_open(ddb_objstore *o, const ddb_objstore_settings *cfg, const char *bucket);
void ddb_objstore_close(ddb_objstore *o);
/* 1 when `bucket` may be reached: its directory exists, or an S3 endpoint is set (whether the
   bucket is there is only known by asking it, which the worker does). Does no I/O but a stat. */
int ddb_objstore_reachable(const ddb_objstore_settings *cfg, const char *bucket);

int ddb_objstore_put(ddb_objstore *o, const char *key, const void *data, size_t len);

/* An object read a piece at a time, whatever its size: a regular file of the bucket's directory
   (never a symbolic link, device, FIFO or socket), or S3 ranges of DDB_OBJ_RANGE bytes. */
#define DDB_OBJ_RANGE (8u << 20)
typedef struct ddb_objstore_stream {
    ddb_objstore *o;
    const char *key;
    int fd;                    /* the file, or -1 (S3) */
    ddb_buf chunk;             /* S3: the range read last, */
    size_t chunk_pos;          /* and what of it was taken */
    unsigned long long offset; /* S3: where the next range starts */
    int at_end;                /* S3: no range follows */
} ddb_objstore_stream;

/* DDB_OBJ_NOT_FOUND when there is no such key; DDB_OBJ_ERROR when it cannot be read (a key that is
   not a regular file below the bucket's directory). ddb_objstore_stream_close in every case. */
int ddb_objstore_stream_open(ddb_objstore *o, const char *key, ddb_objstore_stream *s);
/* Up to n bytes into buf: their count, 0 at the end, or DDB_OBJ_ERROR (o->err says why). */
long ddb_objstore_stream_read(ddb_objstore_stream *s, void *buf, size_t n);
void ddb_objstore_stream_close(ddb_objstore_stream *s);
/* Every key that starts with `prefix` (may be ""), sorted, as malloc'd strings in *keys (the
   caller frees each and the array); directories' own entries are not keys. */
int ddb_objstore_list(ddb_objstore *o, const char *prefix, char ***keys, size_t *n);

/* ---- the S3 protocol (s3.c) ---- */

/*
 * One request to the endpoint: `path` is "/<bucket>/<key>" URI-encoded, `query` the raw query or
 * NULL. Signs with SigV4 (service "s3", the payload's SHA-256 in x-amz-content-sha256). The
 * answer's status goes to *status and its body to `resp`. Returns 0, or -1 with o->err set when
 * no answer was read.
 */
int ddb_s3_request(ddb_objstore *o, const char *method, const char *path, const char *query, const void *body,
                   size_t len, int *status, ddb_buf *resp);
/* Appends s URI-encoded for a path (RFC 3986 unreserved and '/' kept). */
void ddb_s3_uri_encode(ddb_buf *b, const char *s, int keep_slash);

#endif
