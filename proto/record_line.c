/*
 * proto/record_line.c: a recording's line written and read (record_line.h), its members
 * proto/record_line.def's rows.
 */
#include "proto/record_line.h"

#include <stdlib.h>
#include <string.h>

#include "proto/json.h"

const char *const ddb_rl_names[DDB_RL__COUNT] = {
#define DDB_RECORD_MEMBER(id, name, types, when, doc) name,
#include "proto/record_line.def"
};

const char *const ddb_rl_outcomes[DDB_RLO__COUNT] = {
#define DDB_RECORD_OUTCOME(id, name, doc) name,
#include "proto/record_line.def"
};

/* ---- writing ---- */

#define DDB_RL_TEXT_OF(x) #x
#define DDB_RL_TEXT_OF_VALUE(x) DDB_RL_TEXT_OF(x)

/* (one constant: the version written as a number was a call and a division of every line) */
void ddb_rl_begin(ddb_buf *out)
{
    static const char head[] = "{\"v\":" DDB_RL_TEXT_OF_VALUE(DDB_RL_VERSION);

    ddb_buf_append(out, head, sizeof(head) - 1);
}

void ddb_rl_end(ddb_buf *out)
{
    ddb_buf_append(out, "}\n", 2);
}

void ddb_rl_answered_ok(ddb_buf *out)
{
    static const char ok[] = ",\"status\":200,\"outcome\":\"ok\",\"error\":null";

    ddb_buf_append(out, ok, sizeof(ok) - 1);
}

/* (room made once for the quotes and the name: three appends, each its own test of the room and
   the name's through a call, were a share of a recorded GetItem's operation and request id) */
void ddb_rl__quoted(ddb_buf *out, const char *s)
{
    size_t n = strlen(s);
    char *p;

    if (out->len + n + 3 > out->cap)
        ddb_buf_reserve(out, n + 2);
    p = out->data + out->len;
    p[0] = '"';
    memcpy(p + 1, s, n);
    p[n + 1] = '"';
    p[n + 2] = '\0';
    out->len += n + 2;
}

/* s[0..n) with what is not UTF-8 (a byte, or a \u escape of half a surrogate pair) as U+FFFD. */
static void put_utf8(ddb_buf *out, const char *s, size_t n)
{
    size_t k;

    while ((k = ddb_json_unicode_error(s, n)) < n) {
        ddb_buf_append(out, s, k);
        if (s[k] == '\\') { /* \uD800 alone: inside a string */
            ddb_buf_append(out, "\\ufffd", 6);
            k += 6;
        } else {
            ddb_buf_append(out, "\xEF\xBF\xBD", 3);
            k++;
        }
        s += k;
        n -= k;
    }
    ddb_buf_append(out, s, n);
}

/* (a line is read as UTF-8 JSON: an error that echoes a header, a body that is not text) */
void ddb_rl_utf8_from(ddb_buf *out, size_t at)
{
    char *copy;
    size_t n = out->len - at;

    if (ddb_json_unicode_error(out->data + at, n) == n)
        return;
    if ((copy = malloc(n)) == NULL)
        abort();
    memcpy(copy, out->data + at, n);
    out->len = at;
    put_utf8(out, copy, n);
    free(copy);
}

/* n bytes at p with each CR and LF a blank (the rare body that has them) */
static void blank_newlines(char *p, size_t n)
{
    for (char *end = p + n; p < end; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Most bodies are plain ASCII with no newline, found so in one pass and copied as they are: a loop
   over every byte and a second pass for UTF-8 were a third of what recording a GetItem cost (issue
   74). */
void ddb_rl__json(ddb_buf *out, const char *s, size_t n, int unicode)
{
    size_t at = out->len;

    ddb_buf_append(out, s, n);
    if (ddb_json_plain_run(s, n) == n)
        return;
    if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL)
        blank_newlines(out->data + at, n);
    if (!unicode)
        ddb_rl_utf8_from(out, at);
}

/* The bytes a string copied as it is may hold: ASCII that JSON does not escape (no control byte,
   quote or backslash). One load a byte: four compares a byte were most of what a region cost. */
static const unsigned char plain_byte[256] = {
    [' ' ... '"' - 1] = 1, /* (the quote and the backslash left out) */
    ['"' + 1 ... '\\' - 1] = 1,
    ['\\' + 1 ... 0x7f] = 1,
};

/* Whether s[0..n) is made of plain_byte's. */
static int nothing_to_escape(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!plain_byte[(unsigned char)s[i]])
            return 0;
    return 1;
}

/* A region's name (on every line of a signed client's) is such text, copied as it is: the member
   escaped and checked for UTF-8 was some 250 instructions of a recorded GetItem (issue 74). */
void ddb_rl__string(ddb_buf *out, const char *s, size_t n)
{
    size_t at;

    ddb_buf_putc(out, '"');
    if (nothing_to_escape(s, n)) {
        ddb_buf_append(out, n > 0 ? s : "", n);
        ddb_buf_putc(out, '"');
        return;
    }
    at = out->len;
    ddb_json_escape(out, n > 0 ? s : "", n);
    ddb_rl_utf8_from(out, at);
    ddb_buf_putc(out, '"');
}

/* ---- reading ---- */

typedef struct reading {
    ddb_rl_line *l;
    int (*enough)(const ddb_rl_line *l, void *arg);
    void *arg;
} reading;

static int member(void *arg, ddb_jspan key, ddb_jspan val)
{
    reading *rd = arg;

    for (int i = 0; i < DDB_RL__COUNT; i++) /* (the key's length first: one compare a member, mostly) */
        if (ddb_rl_keys[i].len - 4 == key.n && memcmp(ddb_rl_keys[i].text + 2, key.p, key.n) == 0) {
            rd->l->m[i] = val;
            break;
        }
    return rd->enough != NULL && rd->enough(rd->l, rd->arg);
}

int ddb_rl_read(ddb_jspan line, ddb_rl_line *l, int (*enough)(const ddb_rl_line *l, void *arg), void *arg)
{
    reading rd = {l, enough, arg};

    memset(l, 0, sizeof(*l));
    return ddb_jscan_each_member(line, member, &rd) < 0 ? -1 : 0;
}

int ddb_rl_outcome_is(const ddb_rl_line *l, ddb_rl_outcome o)
{
    return ddb_jscan_is_string(l->m[DDB_RL_OUTCOME], ddb_rl_outcomes[o]);
}
