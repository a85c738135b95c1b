/*
 * proto/json_scan.h: a JSON scanner that copies nothing: a value is a span of the text (its raw
 * bytes), found by skipping over what comes before it. What reads recordings (record_line.h, `ddb
 * replay`) uses it: a request is sent as recorded, and only a compared answer is parsed into a tree.
 */
#ifndef DDB_JSON_SCAN_H
#define DDB_JSON_SCAN_H

#include <stddef.h>

typedef struct ddb_jspan {
    const char *p; /* NULL: absent */
    size_t n;
} ddb_jspan;

/* The end of the JSON value at p (whitespace before it skipped), or NULL when it is not one. */
const char *ddb_jscan_skip(const char *p, const char *end);
/* The value of member `key` (its raw text) of the object v, or {NULL, 0}. */
ddb_jspan ddb_jscan_member(ddb_jspan v, const char *key);
/* Calls fn for each member of object v (key without its quotes, raw); stops when fn returns non-zero
   (and returns 1). 0 at the object's end, -1 when v is no object. */
int ddb_jscan_each_member(ddb_jspan v, int (*fn)(void *arg, ddb_jspan key, ddb_jspan val), void *arg);
/* Calls fn for each element of array v. */
int ddb_jscan_each_element(ddb_jspan v, int (*fn)(void *arg, ddb_jspan val), void *arg);
/* A number's value (held to a long long's range: 1e300 is LLONG_MAX), or dflt. */
long long ddb_jscan_int(ddb_jspan v, long long dflt);
/* Whether the JSON text p (n bytes) nests at most max levels: what is parsed into a tree (and
   walked recursively) is first checked with this, iteratively, so a deeper answer is refused, not
   a stack overflow. */
int ddb_jscan_depth_within(const char *p, size_t n, int max);
/* Whether v is the JSON string s (no escapes compared). */
int ddb_jscan_is_string(ddb_jspan v, const char *s);
/* A string's contents without its quotes (raw, escapes kept), or {NULL, 0}. */
ddb_jspan ddb_jscan_string(ddb_jspan v);
/* Whether span v is the text s (a string's contents, a member's key: nothing unescaped). */
int ddb_jspan_is(ddb_jspan v, const char *s);

#endif
