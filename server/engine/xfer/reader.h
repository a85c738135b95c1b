/*
 * server/engine/xfer/reader.h: what ImportTable (import.c) and StartBulkPutItems (bulk.c) share
 * to read items from an object store and write them: an object read as a stream and decompressed
 * (GZIP, ZSTD, NONE) through a window of bounded size, split into lines, a DYNAMODB_JSON or ION
 * record parsed once into the tree its item is decoded from, and that item checked and written as
 * PutItem writes it, through the one mutation pipeline.
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

/* Where ddbd wrote an import's error logs before 2026-11: an import (and its sample) passes over
   the objects under it. */
#define DDB_XFER_ERROR_LOG_DIR "ddbd-import-errors/"

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

/* Starts `body` as {"TableName","Item": and returns the writer positioned for the Item (CSV). */
void ddb_xfer_body_begin(ddb_buf *body, ddb_jw *w, const char *table);

/* An object whose InputCompressionType is NONE but which starts as gzip data: it is one failed
   record and read no further (the developer guide: a malformed object's rest is not processed). */
#define DDB_XFER_GZIP_UNDECLARED                                                                                     \
    "The object is gzip data but InputCompressionType is NONE. Remainder of the file will not be processed."
/* What a DYNAMODB_JSON record without an Item object is, and one that is no JSON (an import reads
   no further in their object: import.c). */
#define DDB_XFER_NO_ITEM "Invalid item: the line has no Item object"
#define DDB_XFER_NOT_JSON "Invalid JSON: the line is not a JSON document"

/*
 * A record is parsed once, into the JSON tree its item is decoded from (ddb_xfer_prepare):
 * ddb_xfer_parse_record parses a record's text (a DYNAMODB_JSON object, {"Item":{...}} and for a
 * bulk put its condition members; a CSV record's body) into *doc (arena memory): NULL, or the
 * error of a record that is no JSON or has no Item object (DDB_XFER_NO_ITEM). ddb_xfer_line_doc
 * does the same for a line of either format: an ION line's struct is first written as DynamoDB
 * JSON in `scratch`.
 */
const char *ddb_xfer_parse_record(ddb_arena *a, const char *text, size_t len, const ddb_json **doc);
const char *ddb_xfer_line_doc(int ion, const char *line, size_t len, ddb_arena *a, ddb_buf *scratch,
                              const ddb_json **doc, char *err, size_t err_len);
/* The length of the first JSON object of s (a line may hold several, one after another, each a
   record: bulk_batch.c); len when s does not start with one or it does not end. */
size_t ddb_xfer_json_value_len(const char *s, size_t len);

/* Writes "itemS3Pointer": {"bucket", "key", "itemIndex"} (an item's place in the error records). */
void ddb_xfer_item_pointer(ddb_jw *w, const char *bucket, const char *key, long long index);

/* Where a load's items go: the table (by name in namespace ns), and whether a record's
   ConditionExpression (with its ExpressionAttributeNames and ExpressionAttributeValues) applies
   to its put (bulk puts: the developer guide's per-item conditions; an import has none). */
typedef struct ddb_xfer_target {
    const char *ns, *table;
    int conditions;
} ddb_xfer_target;

/*
 * An item written as PutItem writes it, in two steps so that many puts share one commit (the batch
 * reader, bulk_batch.h, for bulk puts and imports): ddb_xfer_prepare checks the Item of a parsed
 * record (ddb_xfer_parse_record) as PutItem checks it, and its condition, and builds its put in *m
 * (NULL), or returns the error PutItem would answer (its message, arena memory); ddb_xfer_commit
 * writes n prepared puts of distinct keys as one commit of the mutation pipeline (ddb_mutate_txn:
 * their index entries, stream and Kinesis records, figures) and returns the units they consumed,
 * charged to their tables. When the commit cannot take them all (one put's own error or failed
 * condition), each is written on its own: ddb_xfer_error_of(&ms[i]) is then PutItem's error for
 * that item (ddb_xfer_condition_failed: its condition was false), or NULL when it was written.
 */
const char *ddb_xfer_prepare(ddb_engine *eng, ddb_arena *a, const ddb_xfer_target *to, const ddb_json *doc,
                             struct ddb_mutation *m);
double ddb_xfer_commit(ddb_engine *eng, ddb_arena *a, struct ddb_mutation *ms, size_t n);
const char *ddb_xfer_error_of(const struct ddb_mutation *m);
int ddb_xfer_condition_failed(const struct ddb_mutation *m);

#endif
