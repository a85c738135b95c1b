/*
 * proto/buf.h: a growable output buffer, the bytes every answer, log line and record is written
 * into. Its own module: the JSON writer (json.h) is one of its users, not its owner, so a file
 * that writes text without JSON needs only this.
 */
#ifndef DDB_BUF_H
#define DDB_BUF_H

#include <stddef.h>
#include <string.h>

/* A growable output buffer (malloc'd; reused across requests by its owner). */
typedef struct ddb_buf {
    char *data;
    size_t len, cap;
} ddb_buf;

/* Makes room for `extra` more bytes plus the NUL that always follows the data. */
void ddb_buf_reserve(ddb_buf *b, size_t extra);
void ddb_buf_puts(ddb_buf *b, const char *s);

/* Inline: the JSON writer calls these for every token of every response. */
static inline void ddb_buf_append(ddb_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap)
        ddb_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void ddb_buf_putc(ddb_buf *b, char c)
{
    if (b->len + 2 > b->cap)
        ddb_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

/* The decimal digits of v (no printf: a recorded line has four numbers, a log line three). */
void ddb_buf_put_u64(ddb_buf *b, unsigned long long v);
void ddb_buf_printf(ddb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ddb_buf_free(ddb_buf *b);

#endif
