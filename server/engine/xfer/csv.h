/*
 * server/engine/xfer/csv.h: ImportTable's CSV records made PutItem bodies, one record at a time, so
 * that the batch reader (bulk_batch.h) takes them as it takes DYNAMODB_JSON and ION lines.
 *
 * Records are separated by newlines (CRLF too); a quoted field may hold delimiters, quotes as ""
 * and newlines; an empty line between records is skipped. The header is the first record of each
 * object unless InputFormatOptions.Csv.HeaderList gives it. Every value is a string (S) except for
 * attributes the table's AttributeDefinitions declare (its keys and its indexes' keys), which take
 * that type (N, or B as base64); an empty field is left out of the item.
 */
#ifndef DDB_XFER_CSV_H
#define DDB_XFER_CSV_H

#include <stddef.h>

#include "proto/json.h"

#define DDB_CSV_MAX_COLUMNS 1024

/* A reader of CSV objects: the header and the record being read. Its field positions (32 KiB) are
   on the heap, so nothing ties imports to one thread. */
typedef struct ddb_xfer_csv {
    char delim;
    const ddb_json *header_list, *defs; /* HeaderList (NULL: each object's first record), AttributeDefinitions */
    ddb_buf header, rec;                 /* the fields' text, unquoted */
    size_t nh;                           /* the header's fields */
    size_t *hstarts, *hlens, *starts, *lens;
} ddb_xfer_csv;

void ddb_xfer_csv_init(ddb_xfer_csv *c, char delim, const ddb_json *header_list, const ddb_json *defs);
void ddb_xfer_csv_free(ddb_xfer_csv *c);
/*
 * Both read the text [*p, end) of an object read as a stream (reader.h), `eof` set when the object
 * ends at `end`; -1 (*p unmoved) when the record goes on past `end`: the caller reads more and
 * calls again.
 *
 * ddb_xfer_csv_header starts an object: its header (HeaderList, or the first record, *p advanced
 * past it); 1 or -1. ddb_xfer_csv_next makes the next record (*p advanced past it) the PutItem body
 * {"TableName","Item"} in `body` (table NULL: only passed over): 1 with *msg NULL, or the error of
 * a record that is no item (more fields than the header); 0 at the end; -1.
 */
/* A record whose text is not UTF-8 (its body, written with every field escaped, is then no JSON to
   ddb_xfer_parse_record only for that): a failed item, as one with more fields than the header.
   ddbd's words: DynamoDB's record for it is not known (docs/compatibility.md). */
#define DDB_XFER_CSV_NOT_UTF8 "The CSV record is not valid UTF-8 text"

int ddb_xfer_csv_header(ddb_xfer_csv *c, const char **p, const char *end, int eof);
int ddb_xfer_csv_next(ddb_xfer_csv *c, const char **p, const char *end, int eof, const char *table, ddb_buf *body,
                      const char **msg);

#endif
