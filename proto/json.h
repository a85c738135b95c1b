/*
 * proto/json.h: a JSON document tree in an arena (parsed with yajl), and a JSON writer.
 *
 * The tree keeps numbers as their source text, because DynamoDB's validation messages quote
 * what the client sent, and keeps object members in document order (duplicates included;
 * lookups return the last one, as Jackson does).
 */
#ifndef DDB_JSON_H
#define DDB_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/buf.h" /* the writer writes into one */

typedef enum ddb_json_type {
    DDB_JSON_NULL,
    DDB_JSON_BOOL,
    DDB_JSON_NUMBER,
    DDB_JSON_STRING,
    DDB_JSON_ARRAY,
    DDB_JSON_OBJECT,
} ddb_json_type;

typedef struct ddb_json ddb_json;
typedef struct ddb_json_member ddb_json_member;

struct ddb_json {
    ddb_json_type type;
    uint32_t n; /* STRING/NUMBER: byte length of s; ARRAY/OBJECT: number of children */
    union {
        int b;                    /* BOOL */
        const char *s;            /* STRING (decoded UTF-8) and NUMBER (source text); NUL-terminated */
        ddb_json **items;         /* ARRAY */
        ddb_json_member *members; /* OBJECT */
    } u;
};

struct ddb_json_member {
    const char *key; /* NUL-terminated */
    uint32_t klen;
    ddb_json *val;
};

/*
 * Nesting: one limit, DDB_JSON_MAX_DEPTH. A document from outside (a request body, a door's call,
 * an imported or seeded file: ddb_json_parse_input) nests at most that many levels; deeper is not
 * JSON to ddbd (the API answers SerializationException, as for any body it cannot read). 128 holds
 * every request DynamoDB accepts (AttributeValues nest at most 32 levels, 64 here, and proto/attr.c
 * answers "Nesting Levels have exceeded supported limits" past that) with room to spare.
 * What ddbd writes of its own (an answer, a catalog or backup record) is a small envelope, never
 * as deep as a document, around parts of such documents, so ddb_json_parse, which reads those
 * records back, holds twice the limit: whatever a client sent can be stored and read again. The
 * writer (ddb_jw) has no limit at all; it keeps one flag, whatever the depth.
 */
#define DDB_JSON_MAX_DEPTH 128
#define DDB_JSON_RECORD_DEPTH (2 * DDB_JSON_MAX_DEPTH)

/* Parses `len` bytes into a tree allocated from `a`; NULL if the text is not one JSON value or
   nests deeper than DDB_JSON_RECORD_DEPTH (ddbd's own records; what clients send: parse_input). */
ddb_json *ddb_json_parse(ddb_arena *a, const char *text, size_t len);
/* The same; on failure *err_at is the byte offset where the text stopped being JSON (for messages). */
ddb_json *ddb_json_parse_at(ddb_arena *a, const char *text, size_t len, size_t *err_at);

/*
 * What a client sends: parsed only when it nests at most DDB_JSON_MAX_DEPTH levels and every string
 * in it can be UTF-8, that is, the text is
 * well-formed UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing above U+10FFFF)
 * and each \u escape is a character or a whole surrogate pair. NULL otherwise, *err_at then the
 * offset of the first offending byte (or where the text stopped being JSON). ddbd's own stored
 * records, which versions before this check may have written, are read with ddb_json_parse.
 */
ddb_json *ddb_json_parse_input(ddb_arena *a, const char *text, size_t len, size_t *err_at);

/*
 * What a parse builds of a document whose shape the caller knows (ddb_json_parse_input_filtered):
 * a member the description of its object does not have is read as JSON (its syntax, Unicode and
 * depth checked as any other part's) and not built. A request's tree holds only what its
 * operation's model names: an unknown member of 15 MB of numbers cost a loop 5 s and 300 MB
 * building a tree nothing reads (issue 61). Descriptions are the caller's, opaque here; NULL
 * describes nothing, and everything below it is built.
 */
typedef struct ddb_json_filter {
    const void *root; /* the document's */
    /* The description of member `key` (klen bytes, not NUL-terminated) of an object described by
       `obj` (not NULL); *skip set to 1: the member is not built. */
    const void *(*member)(const void *obj, const char *key, size_t klen, int *skip);
    /* The description of each element of an array described by `arr` (not NULL). */
    const void *(*element)(const void *arr);
    /* The most elements an array described by `arr` can have in a valid document, or 0 (no bound):
       one more is built, for the caller's check to refuse the array, and the rest are read, not
       built (issue 73: TransactGetItems of 300,000 Gets built them all, 10 s and 196 MB). */
    uint32_t (*bound)(const void *arr);
    /* Whether a value described by `desc` is an AttributeValue, or a map of them that is an item
       or a key, that DynamoDB's 400 KB item size bounds (0: not one; else the kind the caller
       gives it, DDB_JSON_CUT_*): one over DDB_JSON_AV_BUILT is left cut, its kind or'd into *cut,
       the tree then not the document. issue 73: one L of 1.3 million numbers in
       ExpressionAttributeValues built 183 MB. May be NULL. */
    int (*attr)(const void *desc);
    int *cut;
} ddb_json_filter;
#define DDB_JSON_CUT_VALUE 1 /* an AttributeValue or an item */
#define DDB_JSON_CUT_KEY 2   /* a key: what is built of one over 400 KB is still no key */

/* An AttributeValue's size (or an item's, a key's) past which a filtered parse leaves it cut: the
   item size limit, 400 KB, and one byte, as no valid one is larger (the size is counted from below,
   within a byte of proto/attr.h's). What it builds of one is ~16 KB of its size at most, the rest
   counted as it is read: a value of 400 KB or less is then built whole from its text, a second
   parse of that span (proto/json.c, AV_BUILT_FIRST). */
#define DDB_JSON_AV_BUILT (400 * 1024 + 1)

/*
 * The backstop of a filtered parse: at most DDB_JSON_MAX_NODES values built (each scalar, array
 * and object one), else the document is refused as one that is not JSON to ddbd (the API answers
 * SerializationException). 4,194,304: twice the densest valid request ddbd knows, a BatchWriteItem
 * of five 400 KB items of {"NULL":true} lists (2.04 million nodes in 14 MB,
 * tests/security/test_compressed_bodies.py); a 16 MB body holds 8 million nodes at most. With the
 * bounds above, what can still reach it is a known map with no bound of its own (an
 * ExpressionAttributeNames of millions of names): ~200 MB of tree at worst.
 */
#define DDB_JSON_MAX_NODES (4u * 1024 * 1024)
/* ddb_json_parse_input, building only what `f` keeps (NULL: all of it). */
ddb_json *ddb_json_parse_input_filtered(ddb_arena *a, const char *text, size_t len, size_t *err_at,
                                        const ddb_json_filter *f);

/* The offset of the first byte of `text` that is not Unicode as ddb_json_parse_input requires, or len. */
size_t ddb_json_unicode_error(const char *text, size_t len);
/* The length of the leading run of `text` that is ASCII with no backslash, CR or LF, in one SSE2
   pass: JSON text made of it is valid UTF-8 and one line as it is (a recording's line copies the
   bodies it holds, proto/record_line.c; most are such text). */
size_t ddb_json_plain_run(const char *text, size_t len);

/* Whether s (n bytes) is a number in JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
   (a number sent as a string by --lenient-numbers, a YAML scalar of a seed template). */
int ddb_json_number_text(const char *s, size_t n);

/* Member `key` (klen bytes) of an OBJECT (the last one if repeated), or NULL (also when obj is NULL
   or not an object). */
const ddb_json *ddb_json_get_n(const ddb_json *obj, const char *key, size_t klen);

/* The same by name. Inline, so a literal name's length is the compiler's: a request reads five to
   ten members by name, and a strlen call each was ~100 of a GetItem's ~35,000 instructions. */
static inline const ddb_json *ddb_json_get(const ddb_json *obj, const char *key)
{
    return ddb_json_get_n(obj, key, __builtin_strlen(key));
}

/* The STRING member `key`, or NULL when absent, null or not a string. */
static inline const char *ddb_json_get_str(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);

    return v != NULL && v->type == DDB_JSON_STRING ? v->u.s : NULL;
}
/* A NUMBER's integer value, whatever its spelling (`10`, `1e1`, `10.0`: the wire model's integer
   parameters are JSON numbers), rounded toward minus infinity and clamped to the long long
   range; `dflt` when v is NULL or not a number. */
long long ddb_json_integer(const ddb_json *v, long long dflt);

/* ---- writer ---- */

/* The length of UTF-8 text `s` (n bytes) in UTF-16 code units, as DynamoDB (Java) counts a
   string's length: a supplementary character is a surrogate pair, two units. */
size_t ddb_utf16_len(const char *s, size_t n);

/*
 * A streaming JSON writer over a ddb_buf. It inserts commas itself: call key() then a value
 * inside objects, values alone inside arrays. Any depth: a comma is owed after any value, and a
 * closed container is a value of its parent, so one flag is all the state a scope needs (the
 * writer cannot fail on a deep tree, whoever built it).
 */
typedef struct ddb_jw {
    ddb_buf *out;
    int need_comma; /* a value was written in the innermost open scope */
} ddb_jw;

void ddb_jw_init(ddb_jw *w, ddb_buf *out);
void ddb_jw_obj_begin(ddb_jw *w);
void ddb_jw_obj_end(ddb_jw *w);
void ddb_jw_arr_begin(ddb_jw *w);
void ddb_jw_arr_end(ddb_jw *w);
void ddb_jw_key(ddb_jw *w, const char *key);
void ddb_jw_keyn(ddb_jw *w, const char *key, size_t n);
void ddb_jw_str(ddb_jw *w, const char *s);
void ddb_jw_strn(ddb_jw *w, const char *s, size_t n);
/* Writes `text` unquoted (a number already in JSON syntax). */
void ddb_jw_raw_number(ddb_jw *w, const char *text);
void ddb_jw_int(ddb_jw *w, long long v);
void ddb_jw_double(ddb_jw *w, double v);
void ddb_jw_bool(ddb_jw *w, int v);
void ddb_jw_null(ddb_jw *w);
/* An object's member in one call: the key, then its value (ddb_jw_key then ddb_jw_str/int/bool).
   A NULL string is written as "" (an optional member that was never set). */
void ddb_jw_member_str(ddb_jw *w, const char *key, const char *s);
void ddb_jw_member_int(ddb_jw *w, const char *key, long long v);
void ddb_jw_member_bool(ddb_jw *w, const char *key, int v);
void ddb_jw_member_double(ddb_jw *w, const char *key, double v);
/*
 * Writes a one-member object whose value is a string, {"<tag>":"<escaped s>"}, in one step (the
 * shape of every scalar AttributeValue, so the hot path of item output). tag needs no escaping.
 */
void ddb_jw_tagged_str(ddb_jw *w, const char *tag, const char *s, size_t n);
/* Re-emits a parsed tree. */
void ddb_jw_json(ddb_jw *w, const ddb_json *v);
/* Appends JSON-escaped bytes (no quotes) to a buffer. */
void ddb_json_escape(ddb_buf *b, const char *s, size_t n);

#endif
