/*
 * server/engine/xfer/reader.h: what ImportTable (import.c) and StartBulkPutItems (bulk.c) share
 * to read items from an object store and write them: an object read as a stream and decompressed
 * (GZIP, ZSTD, NONE) through a window of bounded size, split into lines, a DYNAMODB_JSON or ION line made the body of a PutItem, and that
 * body checked and written as PutItem writes it, through the one mutation pipeline.
 */
#ifndef DDB_XFER_READER_H
#define DDB_XFER_READER_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/engine.h"
#include "server/engine/xfer/objstore.h"

struct ddb_mutation;

typedef enum { DDB_COMP_NONE, DDB_COMP_GZIP, DDB_COMP_ZSTD } ddb_xfer_comp;

/* InputCompressionType's value (NULL: NONE). */
ddb_xfer_comp ddb_xfer_comp_of(const char *name);

/*
 * An object read as a stream, whatever its size: its bytes a piece at a time (objstore.h),
 * decompressed as they come, into a window of text of at most DDB_XFER_WINDOW bytes; a record
 * (a line, a CSV record) is taken from the window, whose unread rest moves to its front when more
 * is read. A record longer than DDB_XFER_MAX_RECORD is never held whole: it is an error of its own
 * (DDB_XFER_TOO_LONG), and reading goes on after its line's end.
 */
#define DDB_XFER_MAX_RECORD (4u << 20)
#define DDB_XFER_READ (1u << 20) /* read and decompressed a piece at a time */
#define DDB_XFER_WINDOW (DDB_XFER_MAX_RECORD + DDB_XFER_READ)
#define DDB_XFER_TOO_LONG "Item size has exceeded the maximum allowed size"

typedef struct ddb_xfer_object {
    ddb_objstore_stream src;
    ddb_xfer_comp comp;
    void *z;                  /* the decompressor: a z_stream or a ZSTD_DStream */
    size_t zhint;             /* ZSTD: its last answer that made progress (0: a frame ended whole) */
    char *in;                 /* compressed bytes read, */
    size_t in_pos, in_len;    /* and those not yet decompressed */
    char *text;               /* the window: text[start, end) is not yet taken */
    size_t start, end;
    size_t rec_start;         /* where the record taken last starts (to take it again) */
    int src_done, done;       /* no more bytes; no more text */
    int skip;                 /* the rest of the line the window starts in is passed over */
    long long raw_bytes;      /* the object's bytes read so far */
    const char *code;         /* after a failure: S3AccessDenied or InvalidCompression, */
    char failure[600];        /* and what happened */
} ddb_xfer_object;

/* Opens `key` (0), or sets *code (S3NoSuchKey, S3AccessDenied) and failure[] and returns -1.
   ddb_xfer_object_free in both cases. */
int ddb_xfer_object_open(ddb_objstore *os, const char *key, ddb_xfer_comp comp, ddb_xfer_object *o,
                         const char **code, char *failure, size_t failure_len);
/* More text into the window, its unread part first moved to its front: 1 when some came, 0 at the
   end of the object or with the window full, -1 when the object cannot be read or decompressed
   (o->code, o->failure; o->done is then set). */
int ddb_xfer_object_more(ddb_xfer_object *o);
void ddb_xfer_object_free(ddb_xfer_object *o);

/*
 * The next non-blank line of the window, trimmed, in *s and *len (1; text of the window, valid
 * until the next call), reading more as needed; 0 at the end. A line longer than
 * DDB_XFER_MAX_RECORD is passed over to its end and given as its first bytes with *too_long set.
 */
int ddb_xfer_object_line(ddb_xfer_object *o, const char **s, size_t *len, int *too_long);
/* Marks the rest of the line the window starts in (an over-long CSV record's) to be passed over
   by the next ddb_xfer_object_resync (ddb_xfer_object_line calls it first). */
void ddb_xfer_object_skip_line(ddb_xfer_object *o);
void ddb_xfer_object_resync(ddb_xfer_object *o);

/* Starts `body` as {"TableName":..., "Item": and returns the writer positioned for the Item. */
void ddb_xfer_body_begin(ddb_buf *body, ddb_jw *w, const char *table);
/* A DYNAMODB_JSON line ({"Item":{...}}) or an ION one made the PutItem body {"TableName","Item"}
   in `body`: NULL, or the error of a line that holds no item. */
const char *ddb_xfer_line_body(int ion, const char *line, size_t len, const char *table, ddb_buf *body,
                               char *err, size_t err_len);

/* Writes "itemS3Pointer": {"bucket", "key", "itemIndex"} (an item's place in the error records). */
void ddb_xfer_item_pointer(ddb_jw *w, const char *bucket, const char *key, long long index);

/*
 * An item written as PutItem writes it, in two steps so that many puts share one commit (the batch
 * reader, bulk_batch.h, for bulk puts and imports): ddb_xfer_prepare checks the item of `body` as
 * PutItem checks it (namespace ns) and builds its put in *m (NULL), or returns the error PutItem
 * would answer (its message, arena memory); ddb_xfer_commit writes n prepared puts of distinct keys
 * as one commit of the mutation pipeline (ddb_mutate_txn: their index entries, stream and Kinesis
 * records, figures) and returns the units they consumed, charged to their tables. When the commit
 * cannot take them all (one put's own error), each is written on its own: ddb_xfer_error_of(&ms[i])
 * is then PutItem's error for that item, or NULL when it was written.
 */
const char *ddb_xfer_prepare(ddb_engine *eng, ddb_arena *a, const char *ns, const ddb_buf *body,
                             struct ddb_mutation *m);
double ddb_xfer_commit(ddb_engine *eng, ddb_arena *a, struct ddb_mutation *ms, size_t n);
const char *ddb_xfer_error_of(const struct ddb_mutation *m);

#endif
