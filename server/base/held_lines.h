/*
 * server/base/held_lines.h: a log's lines whose answers wait for their loop's turn's end.
 *
 * An answer that reflects a log append still in a buffer is held until the turn's end writes the
 * buffer (log_turn.h), and when that write fails it goes out as InternalServerError instead. The
 * access log and a recording describe what the client got, so a line of such an answer waits too,
 * with its outcome's stretch marked: at the turn's end the lines go to the log as written, or each
 * marked stretch replaced by the failure's. Lines that come after a held one in the turn wait
 * behind it, so a log's lines keep the order the requests ran in. A loop's own: no lock.
 */
#ifndef DDB_HELD_LINES_H
#define DDB_HELD_LINES_H

#include <stddef.h>

#include "proto/buf.h"

typedef struct ddb_held_lines {
    ddb_buf buf;      /* the lines, as they would be written */
    size_t *marks;    /* pairs: where a held line's outcome begins in buf, and where it ends */
    size_t nmarks;    /* (pairs times two) */
    size_t cap;
    size_t lines;     /* the lines held (the caller counts them) */
    void *of;         /* the log they are lines of (a recording: one may stop and another start) */
} ddb_held_lines;

/* Whether a line goes to h rather than to its log: its answer waits (`waits`), or lines do. */
static inline int ddb_held_lines_take(const ddb_held_lines *h, int waits)
{
    return waits || h->buf.len != 0;
}
/* Marks h->buf[from, to) as a held line's outcome. */
void ddb_held_lines_mark(ddb_held_lines *h, size_t from, size_t to);
/* Appends h's lines to out (NULL: drops them), each marked outcome replaced by instead[0, n)
   unless instead is NULL, and empties h. */
void ddb_held_lines_release(ddb_held_lines *h, ddb_buf *out, const char *instead, size_t n);
void ddb_held_lines_free(ddb_held_lines *h);

#endif
