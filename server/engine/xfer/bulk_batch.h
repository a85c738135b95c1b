/*
 * server/engine/xfer/bulk_batch.h: a load's records read ahead into batches of prepared puts, for
 * StartBulkPutItems (bulk.c) and ImportTable (import.c) alike.
 *
 * A record is a DYNAMODB_JSON or ION line, or a CSV record (an import's: csv.h). A load's worker
 * spends about as long checking and preparing each record (the JSON, Ion or CSV, the item's types,
 * names, size and key: ddb_xfer_prepare) as committing it, so a thread of the reader's own prepares
 * the next batch of an object's records while the worker commits the last one
 * (ddb_xfer_commit). Two batches take turns, each with its own arena: the reader fills one while
 * the worker holds the other. A batch holds at most DDB_BULK_BATCH_ITEMS lines, DDB_BULK_BATCH_BYTES
 * of items and of records' text (a record's text is at most DDB_XFER_MAX_RECORD: reader.h) and, under a rate limit, a tenth of a second's write units, and its puts have distinct
 * keys (a line whose key the batch holds starts the next one), so one commit can take them all.
 *
 * A batch's puts are split in two by partition (the parity of the partition hash), and the two
 * halves are committed at once, one on a helper thread: their keys, and so their item collections,
 * are disjoint, so neither waits on the other's locks, and RocksDB inserts two writers' batches
 * into its memtables in parallel (the skip list's search was the commit's largest cost). Per key
 * the order is the lines' (one batch after the other; within a batch, distinct keys).
 */
#ifndef DDB_BULK_BATCH_H
#define DDB_BULK_BATCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/buf.h"
#include "server/engine/engine.h"
#include "server/engine/xfer/reader.h"

/* puts one commit takes at most: TransactWriteItems' 100, which every backend commits as one, and
   past which the commit's share of a put's cost no longer falls much */
#define DDB_BULK_BATCH_ITEMS 100
#define DDB_BULK_BATCH_BYTES (4u << 20) /* and the items' bytes */

struct ddb_mutation;
struct ddb_xfer_csv;
struct ddb_anon;

/* A record of the batch: its put (ms[put]), or the error that stopped it (put -1). */
typedef struct ddb_bulk_line {
    const char *text; /* a copy (or, too long, its first bytes), in the batch's arena */
    size_t len;
    long long index; /* its record in the object (from 0; blank lines and a CSV header not counted) */
    const char *msg;
    int put;
} ddb_bulk_line;

typedef struct ddb_bulk_batch {
    ddb_bulk_line lines[DDB_BULK_BATCH_ITEMS];
    struct ddb_mutation *prepared; /* the puts as the lines came */
    struct ddb_mutation *ms;       /* the same by half: [0, nfirst) then [nfirst, nms) (lines' put) */
    size_t nlines, nms, nfirst, bytes;
    long long next; /* the object's line after the batch's last (a checkpoint's position) */
    int last;       /* no line follows it in the object */
    uint64_t seen[2 * DDB_BULK_BATCH_ITEMS]; /* its puts' key hashes (0: a free slot) */
    ddb_arena arena;                         /* its items', its puts' and its first half's commit's memory */
    ddb_arena arena2;                        /* its second half's commit's */
    ddb_buf body;
} ddb_bulk_batch;

typedef struct ddb_bulk_reader {
    ddb_engine *eng;
    ddb_xfer_target to;
    int ion;
    struct ddb_xfer_csv *csv; /* CSV records (NULL: lines, ion's format) */
    double max_units; /* a batch's write units at most (0: no limit) */
    struct ddb_xfer_object *obj; /* the object being read */
    int need_header;             /* a CSV object's header is still to be read */
    const char *rest, *rest_end; /* a DYNAMODB_JSON line's objects not yet taken (window text) */
    int from_rest;               /* the record taken last is one of them */
    int dead;                    /* the object is read no further (DDB_XFER_GZIP_UNDECLARED) */
    int unmapped_ends;           /* an import's: a record that is no JSON or has no Item ends its
                                    object, as DynamoDB reads no further there (set after init) */
    const struct ddb_anon *anon; /* an anonymised import's rules (anon.h; set after init), or NULL */
    ddb_buf scratch;             /* an ION line as DynamoDB JSON */
    long long line, skip;
    ddb_bulk_batch b[2];
    int filled[2], taken, quit, started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    /* the helper committing a batch's second half: its job (NULL: none), its result */
    ddb_bulk_batch *job;
    double job_units;
    int job_done, helper_quit;
    pthread_mutex_t hlock;
    pthread_cond_t hcond;
    pthread_t helper;
} ddb_bulk_reader;

/* Allocates the two batches (once per load). Records are lines (DYNAMODB_JSON, each object of a line
   a record of its own; or ION when `ion`), or CSV records when csv is not NULL (ddb_xfer_csv_header
   read the object's header first). Each record is parsed once (reader.h) and put into `to`. */
void ddb_bulk_reader_init(ddb_bulk_reader *r, ddb_engine *eng, const ddb_xfer_target *to, int ion,
                          struct ddb_xfer_csv *csv, double rate);
/* Starts reading the records of an object (opened: reader.h) from record `skip` on; a CSV
   object's header first. A failure to read it ends the object (obj->code then says why). */
void ddb_bulk_reader_start(ddb_bulk_reader *r, struct ddb_xfer_object *obj, long long skip);
/* The next batch, in order (the one returned before goes back to the reader); a batch with `last`
   set ends the object. */
ddb_bulk_batch *ddb_bulk_reader_next(ddb_bulk_reader *r);
/* Commits the batch's puts, its two halves at once (ddb_xfer_commit each): the write units they
   consumed. Each put's outcome is then ddb_xfer_error_of(&batch->ms[line.put]). */
double ddb_bulk_batch_commit(ddb_bulk_reader *r, ddb_bulk_batch *batch);
/* Stops the reading thread (at any point: the batches not taken are dropped). */
void ddb_bulk_reader_stop(ddb_bulk_reader *r);
void ddb_bulk_reader_free(ddb_bulk_reader *r);

#endif
