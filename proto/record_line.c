/*
 * proto/record_line.c: a recording's line written and read (record_line.h), its members
 * proto/record_line.def's rows.
 */
#include "proto/record_line.h"

#include <stdlib.h>
#include <string.h>

#include "proto/json.h"

const ddb_rl_key_text ddb_rl_keys[DDB_RL__COUNT] = {
#define DDB_RECORD_MEMBER(id, name, types, when, doc) {",\"" name "\":", sizeof(",\"" name "\":") - 1},
#include "proto/record_line.def"
};

const char *const ddb_rl_names[DDB_RL__COUNT] = {
#define DDB_RECORD_MEMBER(id, name, types, when, doc) name,
#include "proto/record_line.def"
};

const char *const ddb_rl_outcomes[DDB_RLO__COUNT] = {
#define DDB_RECORD_OUTCOME(id, name, doc) name,
#include "proto/record_line.def"
};

/* ---- writing ---- */

void ddb_rl_begin(ddb_buf *out)
{
    ddb_buf_putc(out, '{');
    ddb_buf_append(out, ddb_rl_keys[DDB_RL_V].text + 1, ddb_rl_keys[DDB_RL_V].len - 1); /* (no comma) */
    ddb_buf_put_u64(out, DDB_RL_VERSION);
}

void ddb_rl_end(ddb_buf *out)
{
    ddb_buf_append(out, "}\n", 2);
}

void ddb_rl_u64(ddb_buf *out, ddb_rl_member m, uint64_t v)
{
    ddb_rl_key(out, m);
    ddb_buf_put_u64(out, v);
}

void ddb_rl_null(ddb_buf *out, ddb_rl_member m)
{
    ddb_rl_key(out, m);
    ddb_buf_append(out, "null", 4);
}

void ddb_rl_true(ddb_buf *out, ddb_rl_member m)
{
    ddb_rl_key(out, m);
    ddb_buf_append(out, "true", 4);
}

void ddb_rl_answered_ok(ddb_buf *out)
{
    static const char ok[] = ",\"status\":200,\"outcome\":\"ok\",\"error\":null";

    ddb_buf_append(out, ok, sizeof(ok) - 1);
}

void ddb_rl_name(ddb_buf *out, ddb_rl_member m, const char *s)
{
    if (s == NULL) {
        ddb_rl_null(out, m);
        return;
    }
    ddb_rl_key(out, m);
    ddb_buf_putc(out, '"');
    ddb_buf_puts(out, s);
    ddb_buf_putc(out, '"');
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
void ddb_rl_json(ddb_buf *out, ddb_rl_member m, const char *s, size_t n, int unicode)
{
    size_t at;

    ddb_rl_key(out, m);
    at = out->len;
    ddb_buf_append(out, s, n);
    if (ddb_json_plain_run(s, n) == n)
        return;
    if (memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL)
        blank_newlines(out->data + at, n);
    if (!unicode)
        ddb_rl_utf8_from(out, at);
}

/* Whether s[0..n) is ASCII with nothing JSON escapes (no control byte, quote or backslash). */
static int nothing_to_escape(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x80 || s[i] == '"' || s[i] == '\\')
            return 0;
    return 1;
}

/* A region's name (on every line of a signed client's) is such text, copied as it is: the member
   escaped and checked for UTF-8 was some 250 instructions of a recorded GetItem (issue 74). */
void ddb_rl_string(ddb_buf *out, ddb_rl_member m, const char *s, size_t n)
{
    size_t at;

    ddb_rl_key(out, m);
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

void ddb_rl_text(ddb_buf *out, ddb_rl_member m, const char *s, size_t n)
{
    ddb_rl_string(out, m, s, n < DDB_RL_TEXT_MAX ? n : DDB_RL_TEXT_MAX);
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
