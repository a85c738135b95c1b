/*
 * server/engine/xfer/reader.h: what ImportTable (import.c) and StartBulkPutItems (bulk.c) share
 * to read items from an object store and write them: an object fetched and decompressed (GZIP,
 * ZSTD, NONE), split into lines, a DYNAMODB_JSON or ION line made the body of a PutItem, and that
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

/* An object read whole and decompressed. */
typedef struct ddb_xfer_object {
    ddb_buf raw, plain;
    const char *data; /* the text */
    size_t len;
} ddb_xfer_object;

/* Reads `key` into o (0), or sets *code (S3NoSuchKey, S3AccessDenied, InvalidCompression) and
   failure[] and returns -1. ddb_xfer_object_free in both cases. */
int ddb_xfer_object_read(ddb_objstore *os, const char *key, ddb_xfer_comp comp, ddb_xfer_object *o,
                         const char **code, char *failure, size_t failure_len);
void ddb_xfer_object_free(ddb_xfer_object *o);

/* The next non-blank line of [*p, end), trimmed, in *s and *len (1), or 0 at the end. */
int ddb_xfer_next_line(const char **p, const char *end, const char **s, size_t *len);

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
