/*
 * proto/attr.h: the DynamoDB AttributeValue model (S, N, B, BOOL, NULL, M, L, SS, NS, BS).
 *
 * Values live in an arena. An item is an attr of type M. Strings are UTF-8 byte runs with a
 * length (not necessarily NUL-terminated); B holds raw bytes (base64 is only on the wire); N
 * holds the canonical decimal text of ddb_num_format. Set elements are attrs of type S, N or B.
 * Decoding from JSON happens in the two phases DynamoDB has: a type check that yields
 * SerializationException texts, then value validation that yields ValidationException texts.
 */
#ifndef DDB_ATTR_H
#define DDB_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"

/*
 * The one list of attribute types: X(name, tag, shape).
 *   - name: the wire name ("S", "NS", ...);
 *   - tag: the value written to disk by the item codec (append only: a new type gets a new tag);
 *   - shape: the JSON shape of its member (validate.c's AttributeValue spec).
 * The list is in the order DynamoDB's deserializer visits an AttributeValue's members (dynalite's
 * checkTypes), which decides which error is reported first. Uses of `name` must go through # or
 * ## only (one of the names is NULL).
 */
#define DDB_ATTR_TYPES(X)                                                                                              \
    X(S, 1, STRING) X(B, 3, BLOB) X(N, 2, STRING) X(BOOL, 4, BOOLEAN) X(NULL, 5, BOOLEAN) X(BS, 10, BLOBS)           \
    X(NS, 9, STRINGS) X(SS, 8, STRINGS) X(L, 7, LIST) X(M, 6, MAP)

typedef enum ddb_type {
    DDB_T_NONE = 0,
#define X(name, tag, shape) DDB_T_##name = tag,
    DDB_ATTR_TYPES(X)
#undef X
} ddb_type;
#define DDB_T_MAX DDB_T_BS /* the highest tag */

typedef struct ddb_attr ddb_attr;
typedef struct ddb_entry ddb_entry;

struct ddb_attr {
    uint8_t type;    /* ddb_type */
    uint8_t boolean; /* BOOL: 0 or 1 */
    uint32_t len;    /* S, N, B: bytes in s; M: entries; L, SS, NS, BS: items */
    union {
        const char *s;      /* S, N, B */
        ddb_attr *items;    /* L, SS, NS, BS */
        ddb_entry *entries; /* M */
    } u;
};

struct ddb_entry {
    const char *name;
    uint32_t nlen;
    ddb_attr val;
};

/* Maximum nesting levels, leaf included (DynamoDB: 32): a value may sit inside at most 31 M/L. */
#define DDB_MAX_NESTING 32
/* Maximum item size in bytes (400 KB). */
#define DDB_MAX_ITEM_SIZE (400 * 1024)

/* Wire name of a type ("S", "NS", ...); "" for DDB_T_NONE. */
const char *ddb_type_name(ddb_type t);
/* Type from its wire name, or DDB_T_NONE. */
ddb_type ddb_type_from_name(const char *s, size_t n);

/*
 * Phase 1: checks that `v` has the JSON shape of an AttributeValue (dynalite's "AttrStructure"),
 * recursively. Returns NULL, or the SerializationException message (e.g. "Start of list found
 * where not expected", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be
 * converted to an String", base64 errors for B/BS). Members it does not know and null members
 * are ignored, as DynamoDB's deserializer does.
 */
const char *ddb_attr_check_types(ddb_arena *a, const ddb_json *v);
/* Phase 1 for a map of name -> AttributeValue (an Item, Key, ExpressionAttributeValues). */
const char *ddb_item_check_types(ddb_arena *a, const ddb_json *obj);

/*
 * Phase 2: validates and decodes one AttributeValue already checked by phase 1. Returns NULL and
 * fills *out, or returns the ValidationException message ("Supplied AttributeValue is empty, must
 * contain exactly one of the supported datatypes", number range errors, empty or duplicate sets,
 * "Nesting Levels have exceeded supported limits", ...). Numbers are canonicalised.
 */
const char *ddb_attr_from_json(ddb_arena *a, const ddb_json *v, ddb_attr *out);

/* Phase 2 for a map of name -> AttributeValue (an Item, Key, ExpressionAttributeValues): *out is an M. */
const char *ddb_item_from_json(ddb_arena *a, const ddb_json *obj, ddb_attr *out);

/* The wordings of value errors (below, where ddb_attr_layer_message is). */
typedef enum ddb_value_dialect { DDB_VALUES_CLASSIC, DDB_VALUES_2026 } ddb_value_dialect;

/* The same, the messages in dialect d's wording; the two above are the classic one's (the
   client's, the tests'). */
const char *ddb_attr_from_json_as(ddb_arena *a, const ddb_json *v, ddb_value_dialect d, ddb_attr *out);
const char *ddb_item_from_json_as(ddb_arena *a, const ddb_json *obj, ddb_value_dialect d, ddb_attr *out);

/* Writes the wire form: {"S":"..."} etc.; ddb_item_write_json writes an M's entries as a JSON object. */
void ddb_attr_write_json(ddb_jw *w, const ddb_attr *v);
void ddb_item_write_json(ddb_jw *w, const ddb_attr *item);

/* DynamoDB's size accounting: a value's bytes, and an item's (sum of name bytes + value bytes). */
size_t ddb_attr_size(const ddb_attr *v);
size_t ddb_item_size(const ddb_attr *item);
/* Whether the item in top-level member `member` of the JSON text (PutItem's "Item") is larger than
   `limit` bytes, found as the text is read, before any tree is built: a lower bound of
   ddb_item_size's count, so 0 for text that is not JSON or an item it cannot tell (item_scan.c). */
int ddb_item_text_exceeds(const char *text, size_t len, const char *member, size_t limit);

/* Whether a map inside `v` (at any depth) has an empty key: DynamoDB refuses one as "Empty attribute
   name", as a top-level name (DynamoDB Local 1.25; the conformance suite's 2026-10-09 captures). */
int ddb_attr_has_empty_map_key(const ddb_attr *v);
/* The longest attribute name, in bytes, wherever a name is given (65536 is refused: ScyllaDB's
   test_limits.py, run against DynamoDB), and DynamoDB's text for a longer one (its ErrorFactory). */
#define DDB_ATTR_NAME_MAX 65535
#define DDB_ATTR_NAME_TOO_LARGE "Attribute name is too large, must be less than 65536 bytes"
/* An item's attribute names, as every write checks them: NULL, "Empty attribute name" (a top-level
   name or a map key at any depth) or DDB_ATTR_NAME_TOO_LARGE. */
const char *ddb_item_names_check(const ddb_attr *item);
/* Deep equality as DynamoDB compares (sets are unordered; numbers by value). */
int ddb_attr_equal(const ddb_attr *a, const ddb_attr *b);
/* Ordering for S (bytes), N (numeric) and B (bytes) of the same type: <0, 0, >0. */
int ddb_attr_cmp(const ddb_attr *a, const ddb_attr *b);
/*
 * DynamoDB words value errors in two ways, by operation. Since 2026 PutItem, UpdateItem,
 * DeleteItem, GetItem, BatchGetItem and Query use a newer layer (captured against AWS, October
 * 2026): an empty number is "...numeric value: " with its colon, an exponent past 32 bits is
 * "Number overflow"/"Number underflow" rather than unreadable, a zero written with an exponent out
 * of range is refused, and a set's duplicates are listed quoted, in order up to the repeat; the
 * other operations keep the classic wording. The dialect is an argument (ddb_attr_from_json_as,
 * ddb_item_from_json_as): the server passes its request's (api/req.h: req->values, which dispatch
 * sets from the operation's row), so no thread or second engine can see another's.
 */
/* Whether a message is one of the number or set errors (a set's duplicates, an empty set, a null member)
   the two layers word differently. */
int ddb_attr_layer_message(const char *msg);

/* Puts a set's members (SS, NS, BS) in the order DynamoDB returns them: S and B by bytes, N by
   value. Every set is kept so, whoever built it (a request, ADD, DELETE, PartiQL). */
void ddb_set_sort(ddb_attr *set);

/* Entry of an M by name, or NULL. */
const ddb_attr *ddb_item_get(const ddb_attr *item, const char *name, size_t nlen);
/* Deep copy into arena `a`. */
void ddb_attr_copy(ddb_arena *a, const ddb_attr *src, ddb_attr *dst);

#endif
