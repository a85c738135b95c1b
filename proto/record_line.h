/*
 * proto/record_line.h: a recording's line, written and read (docs/record-replay.md has the format):
 * one JSON object on one line whose members are proto/record_line.def's rows, in that order when
 * ddbd writes it. ddbd's recorder (server/api/record/record.c) writes lines with the writer below, `ddb
 * replay` (client/cli/replay_read.c) reads them with the reader; the SDK recorders, which cannot
 * link C, are checked against the same rows (tests/compat/test_record_format.py).
 *
 * The writer appends to a ddb_buf with no printf and no tree (a line per answered request is on
 * the server's hot path); the reader finds each member's span in the line (json_scan.h), copying
 * nothing, and may stop as soon as its caller has what it needs.
 */
#ifndef DDB_RECORD_LINE_H
#define DDB_RECORD_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"
#include "proto/json_scan.h"

#define DDB_RL_VERSION 1       /* "v": the format's */
#define DDB_RL_TEXT_MAX 1024   /* what "requestText" keeps of a body that is not a request */

typedef enum ddb_rl_member {
#define DDB_RECORD_MEMBER(id, name, types, when, doc) DDB_RL_##id,
#include "proto/record_line.def"
    DDB_RL__COUNT
} ddb_rl_member;

typedef enum ddb_rl_outcome {
#define DDB_RECORD_OUTCOME(id, name, doc) DDB_RLO_##id,
#include "proto/record_line.def"
    DDB_RLO__COUNT
} ddb_rl_outcome;

/* A member's key as written after the one before it: ,"name": (text, its length). */
typedef struct ddb_rl_key_text {
    const char *text;
    size_t len;
} ddb_rl_key_text;

/* Here rather than in record_line.c so that a writer's key, its member known where it is called, is
   a constant the compiler copies in place: read from an extern table, each member's key was a
   memcpy call of a length loaded at run time, a share of what recording a GetItem cost (issue 74). */
static const ddb_rl_key_text ddb_rl_keys[DDB_RL__COUNT] = {
#define DDB_RECORD_MEMBER(id, name, types, when, doc) {",\"" name "\":", sizeof(",\"" name "\":") - 1},
#include "proto/record_line.def"
};
extern const char *const ddb_rl_names[DDB_RL__COUNT];      /* "v", "t", ... */
extern const char *const ddb_rl_outcomes[DDB_RLO__COUNT]; /* "ok", "error", ... */

/* ---- writing: ddb_rl_begin, members in the .def's order, ddb_rl_end ---- */

/* {"v":1 */
void ddb_rl_begin(ddb_buf *out);
/* }\n */
void ddb_rl_end(ddb_buf *out);

static inline void ddb_rl_key(ddb_buf *out, ddb_rl_member m)
{
    ddb_buf_append(out, ddb_rl_keys[m].text, ddb_rl_keys[m].len);
}

/* (the values of the writers below, after their keys: no member is written but through them) */
void ddb_rl__quoted(ddb_buf *out, const char *s);
void ddb_rl__json(ddb_buf *out, const char *s, size_t n, int unicode);
void ddb_rl__string(ddb_buf *out, const char *s, size_t n);

/* The writers are inline so that each one's key is copied as a constant (ddb_rl_keys). */
static inline void ddb_rl_u64(ddb_buf *out, ddb_rl_member m, uint64_t v)
{
    ddb_rl_key(out, m);
    ddb_buf_put_u64(out, v);
}

static inline void ddb_rl_null(ddb_buf *out, ddb_rl_member m)
{
    ddb_rl_key(out, m);
    ddb_buf_append(out, "null", 4);
}

static inline void ddb_rl_true(ddb_buf *out, ddb_rl_member m)
{
    ddb_rl_key(out, m);
    ddb_buf_append(out, "true", 4);
}

/* m: "s", for a name that needs no escape (an operation, an error's type, a fault's name), or null
   when s is NULL. */
static inline void ddb_rl_name(ddb_buf *out, ddb_rl_member m, const char *s)
{
    if (s == NULL) {
        ddb_rl_null(out, m);
        return;
    }
    ddb_rl_key(out, m);
    ddb_rl__quoted(out, s);
}

/* "status" 200, "outcome" "ok", "error" null: the answer of most lines, as one constant (three
   members written one by one were a share of what recording a GetItem cost, issue 74). */
void ddb_rl_answered_ok(ddb_buf *out);

/* m: JSON text a client sent (n bytes), on one line and valid UTF-8: a raw CR or LF (only
   whitespace outside strings: JSON allows neither in them) becomes a blank, what is not UTF-8 (a
   byte, a \u escape of half a surrogate pair) U+FFFD, unless `unicode` says the text was checked
   already (a request the pipeline parsed: ddb_json_parse_input). Text that is plain ASCII with no
   newline (most) is copied as it is after one pass (ddb_json_plain_run). */
static inline void ddb_rl_json(ddb_buf *out, ddb_rl_member m, const char *s, size_t n, int unicode)
{
    ddb_rl_key(out, m);
    ddb_rl__json(out, s, n, unicode);
}

/* m: s[0..n) as a string, escaped, what is not UTF-8 as U+FFFD (a name a client chose: a region). */
static inline void ddb_rl_string(ddb_buf *out, ddb_rl_member m, const char *s, size_t n)
{
    ddb_rl_key(out, m);
    ddb_rl__string(out, s, n);
}

/* m: bytes that are no JSON request, as a string: the first DDB_RL_TEXT_MAX of them, escaped, what
   is not UTF-8 as U+FFFD. */
static inline void ddb_rl_text(ddb_buf *out, ddb_rl_member m, const char *s, size_t n)
{
    ddb_rl_string(out, m, s, n < DDB_RL_TEXT_MAX ? n : DDB_RL_TEXT_MAX);
}

/* What was appended to out from `at` on, made valid UTF-8 (as ddb_rl_json; a rare line copied once
   more), for a member written by other means (a redacted tree). */
void ddb_rl_utf8_from(ddb_buf *out, size_t at);

/* ---- reading ---- */

/* A line's members: each one's raw JSON text, {NULL, 0} when absent. */
typedef struct ddb_rl_line {
    ddb_jspan m[DDB_RL__COUNT];
} ddb_rl_line;

/* Reads line's members into l (a member it does not know is passed over; a repeated one: the
   last). After each member, enough(l, arg) (NULL: never) may end the reading early: what a caller
   needs came (ddbd writes the answer last). 0, or -1 when the line is no JSON object. */
int ddb_rl_read(ddb_jspan line, ddb_rl_line *l, int (*enough)(const ddb_rl_line *l, void *arg), void *arg);
/* Whether the line's outcome is o. */
int ddb_rl_outcome_is(const ddb_rl_line *l, ddb_rl_outcome o);

#endif
