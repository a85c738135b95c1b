/*
 * server/base/held_lines.c: a log's lines held for their loop's turn (held_lines.h).
 */
#include "server/base/held_lines.h"

#include <stdlib.h>

void ddb_held_lines_mark(ddb_held_lines *h, size_t from, size_t to)
{
    if (h->nmarks + 2 > h->cap) {
        size_t cap = h->cap != 0 ? h->cap * 2 : 32;
        size_t *grown = realloc(h->marks, cap * sizeof(*grown));

        if (grown == NULL) /* (as ddb_buf's growth does) */
            abort();
        h->marks = grown;
        h->cap = cap;
    }
    h->marks[h->nmarks++] = from;
    h->marks[h->nmarks++] = to;
}

void ddb_held_lines_release(ddb_held_lines *h, ddb_buf *out, const char *instead, size_t n)
{
    size_t at = 0;

    if (out != NULL && instead != NULL) {
        for (size_t i = 0; i < h->nmarks; i += 2) {
            ddb_buf_append(out, h->buf.data + at, h->marks[i] - at);
            ddb_buf_append(out, instead, n);
            at = h->marks[i + 1];
        }
    }
    if (out != NULL)
        ddb_buf_append(out, h->buf.data + at, h->buf.len - at);
    h->buf.len = 0;
    h->nmarks = 0;
    h->lines = 0;
}

void ddb_held_lines_free(ddb_held_lines *h)
{
    ddb_buf_free(&h->buf);
    free(h->marks);
    h->marks = NULL;
    h->nmarks = h->cap = h->lines = 0;
}
