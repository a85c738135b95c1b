/*
 * server/engine/xfer/anon.h: an import's anonymisation rules (docs/import.md), applied to each
 * record's item between its reading and its put (bulk_batch.c), so that nothing of a raw value
 * reaches the table, the log or an error message.
 *
 * The rules are a JSON object, the rule file (`ddb import`, POST /ddbd/import: doors/import_door.c):
 *
 *   {"key": "<secret, 16 bytes or more, not weak: proto/secret_key.h>", "strict": true | "default": RULE,
 *    "attributes": {"<name>": RULE, ...}}
 *   RULE: "keep" | "drop" | "hash" | "redact" | {"fake": "name" | "email" | "phone" | "text"}
 *         | {"fake": "date"[, "min": "YYYY-MM-DD", "max": "YYYY-MM-DD"]}
 *         | {"fake": "number", "min": INT, "max": INT}
 *
 * Every rule is applied by value, never by position: what it makes of a value is a function of
 * the keyed hash (HMAC-SHA-256 under "key") of the value and its type alone, so one value becomes
 * the same output in every attribute, item, table and run under the same key, and keys, indexed
 * attributes and the attributes that refer to them (a join) stay consistent. Rules keep a value's
 * type (S, N, B; a set's elements one by one, a list's and a map's values all the way down), so a
 * hashed or faked key is still a key of its type; a table key may not be dropped or redacted
 * (ddb_anon_compile refuses it). An attribute no rule names is kept (or given "default"); under
 * "strict" it is an error: the import refuses to start when its sample has one, and an item that
 * has one later fails without being written.
 */
#ifndef DDB_XFER_ANON_H
#define DDB_XFER_ANON_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"

typedef enum { DDB_ANON_KEEP, DDB_ANON_DROP, DDB_ANON_HASH, DDB_ANON_REDACT, DDB_ANON_FAKE } ddb_anon_action;

/* The fakers, X(name): each a function of the value's keyed hash (anon_fake.c). */
#define DDB_ANON_FAKES(X) X(name) X(email) X(phone) X(text) X(date) X(number)
typedef enum {
#define X(n) DDB_FAKE_##n,
    DDB_ANON_FAKES(X)
#undef X
} ddb_anon_fake;

typedef struct ddb_anon_rule {
    const char *attr; /* (NULL: the default rule) */
    ddb_anon_action action;
    ddb_anon_fake fake;
    long long min, max; /* fake number: the range; fake date: days since the epoch */
} ddb_anon_rule;

typedef struct ddb_anon {
    unsigned char key[32]; /* the HMAC key: SHA-256 of the user's */
    ddb_anon_rule *rules;  /* sorted by attr */
    size_t n;
    ddb_anon_rule dflt;   /* DDB_ANON_KEEP unless "default" says otherwise */
    int strict;
    ddb_arena arena;
} ddb_anon;

/* Compiles `rules` for a table made from `table` (CreateTable's parameters: its KeySchema and
   AttributeDefinitions): 0, or -1 with a message in err (which quotes no value). ddb_anon_free in
   both cases. */
int ddb_anon_compile(ddb_anon *an, const ddb_json *rules, const ddb_json *table, char *err, size_t err_len);
void ddb_anon_free(ddb_anon *an);
/* The same for an import's stored rules, which hold no "key": `key` is the secret's SHA-256, kept
   in memory (ddb_anon_keys) since the door compiled them. */
int ddb_anon_compile_stored(ddb_anon *an, const ddb_json *rules, const ddb_json *table, const unsigned char key[32],
                            char *err, size_t err_len);
/* What the HMAC is keyed by: SHA-256 of the user's key. */
void ddb_anon_key_of(const char *key, unsigned char out[32]);

/* ---- the keys of the imports under way, in memory only (anon_keys.c) ---- */

/* The rules are persisted in the import's record (so that it can run again after a restart), but
   never their key: a key in the store would stay in RocksDB's write-ahead log and files after the
   import ends. The record's rules have no "key" (ops/ops_import.c); the key, hashed, is kept here
   by import id until the import ends. After a restart there is none: the import ends FAILED
   (DDB_ANON_KEY_LOST) and removes its table, and is made again with its key. */
typedef struct ddb_anon_keys ddb_anon_keys;
#define DDB_ANON_KEY_LOST_CODE "ddbd.AnonymisationKeyLost"
#define DDB_ANON_KEY_LOST                                                                                            \
    "the server restarted during this anonymised import and its key is kept in memory only, never on disk: start " \
    "the import again with its key (ddb import)"
ddb_anon_keys *ddb_anon_keys_new(void);
void ddb_anon_keys_free(ddb_anon_keys *k);
void ddb_anon_keys_put(ddb_anon_keys *k, const char *id, const unsigned char key[32]);
/* 0 with the key in out, or -1: none kept for id. */
int ddb_anon_keys_get(ddb_anon_keys *k, const char *id, unsigned char out[32]);
/* Forgets id's key (zeroed). */
void ddb_anon_keys_drop(ddb_anon_keys *k, const char *id);

/* The rule of an attribute (its own, or the default; NULL under strict when it has none). */
const ddb_anon_rule *ddb_anon_rule_of(const ddb_anon *an, const char *attr);
/* "hash", "fake email", ... */
const char *ddb_anon_rule_name(const ddb_anon_rule *r, char *buf, size_t len);

/* A record that holds no item to put (an incremental export's deletion): passed over, counted
   as processed only. */
#define DDB_ANON_SKIPPED "(a deletion record of an incremental export: nothing to import)"

/*
 * The record `doc` ({"Item": ...}, or an incremental export's {"Keys", "NewImage", ...}: its new
 * image) with its item anonymised, in *out (arena memory): NULL, DDB_ANON_SKIPPED, or the error
 * of an item the rules cannot apply to (naming the attribute, never a value).
 */
const char *ddb_anon_apply(const ddb_anon *an, ddb_arena *a, const ddb_json *doc, const ddb_json **out);
/* One attribute's value by its rule r: *out the value made (NULL: dropped), or an error. */
const char *ddb_anon_value(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr,
                           const ddb_json *v, const ddb_json **out);
/* An ION incremental export's record (no Item: Keys, NewImage, OldImage) read into *doc as
   {"Keys", "NewImage"} (the reader's ION line knows only Item): NULL, or its error. */
const char *ddb_anon_ion_incremental(ddb_arena *a, ddb_buf *scratch, const char *line, size_t len,
                                     const ddb_json **doc);
#define DDB_ANON_ION_NO_ITEM "has no Item field" /* in the Ion reader's error for such a record */
/* The item of a record an import reads: doc's Item, an incremental record's NewImage, or NULL. */
const ddb_json *ddb_anon_item_of(const ddb_json *doc);

/* ---- the keyed hash and the fakers (anon_fake.c) ---- */

/* HMAC-SHA-256 of (type, value) under the rules' key. */
void ddb_anon_hash(const ddb_anon *an, char type, const char *v, size_t n, unsigned char out[32]);
/* A fake of scalar value v (type S or N) by rule r, seeded by its hash h: NUL-terminated arena
   text in *out, or an error naming the attribute (attr). */
const char *ddb_anon_fake_value(const ddb_anon_rule *r, ddb_arena *a, const char *attr, char type, const char *v,
                                size_t n, const unsigned char h[32], const char **out);
/* y-m-d of days since 1970-01-01 (the proleptic Gregorian calendar; base/clock.h's
   ddb_days_from_civil the other way). */
void ddb_anon_civil(long long days, long long *y, unsigned *m, unsigned *d);

/* ---- the sample (anon_sample.c) ---- */

/* Where a sample is read: an ImportTable's source, format and compression. */
typedef struct ddb_anon_source {
    const struct ddb_objstore_settings *store;
    const char *bucket, *prefix;
    int ion;
    int comp;        /* ddb_xfer_comp */
    const int *stop; /* (atomic) when set, the sample ends at its next record, failing; NULL: none */
} ddb_anon_source;

/*
 * Reads the first `max` items of the source (its objects in key order, as the import reads them)
 * and writes what the rules make of each attribute, a JSON object (docs/import.md, the dry run):
 * {"sampledItems": n, "attributes": [{"attribute", "rule", "items", "examples": [{"before",
 * "after"}]}], "uncovered": [names no rule covers]}; *uncovered their count. 0, or -1 with err
 * set when the source cannot be read (its message names the bucket and key, never a value).
 * `examples` 0 writes none: what a strict import's check needs.
 */
#define DDB_ANON_SAMPLE_STOPPED "the server is stopping: the sample was not finished"
int ddb_anon_sample(const ddb_anon *an, const ddb_anon_source *src, size_t max, size_t examples, ddb_jw *w,
                    size_t *uncovered, char *err, size_t err_len);

#endif
