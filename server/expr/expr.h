/*
 * server/expr/expr.h: the DynamoDB expression language (Condition, Filter, KeyCondition, Projection
 * and Update expressions) and the legacy parameters that map onto it.
 *
 * Life of an expression:
 *   1. ddb_expr_prepare_into() (called by validate_data.c where dynalite's custom() calls
 *      validateExpressions) checks ExpressionAttributeNames/Values, parses every expression the
 *      request carries and every legacy parameter (Expected, AttributeUpdates, AttributesToGet,
 *      KeyConditions, QueryFilter, ScanFilter), and stores the trees in a ddb_parsed (the
 *      request's, req->parsed). A request that uses legacy parameters gets the same trees as its
 *      expression equivalent, so handlers treat both alike.
 *   2. The handler evaluates them: ddb_expr_eval_condition() for conditions, filters and key
 *      conditions, ddb_expr_apply_update() for updates, ddb_expr_project() for projections.
 * Errors are DynamoDB's exact ValidationException messages, returned as strings; the caller
 * records them with ddb_req_fail_msg(req, DDB_E_VALIDATION, msg).
 *
 * The language knows nothing of operations or requests: which parameters a request takes is a set
 * of flags (its operation's, proto/ops.h), and its members come as JSON.
 *
 * All memory comes from the request arena. A parsed ddb_expr is immutable and points into the
 * request (names, values), so it lives as long as the request.
 */
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "proto/ops.h"

typedef struct ddb_expr ddb_expr;

/* Values the validation step decodes once so the handler need not decode them again. */
typedef struct ddb_parsed {
    const ddb_attr *item;   /* PutItem Item (an M) */
    const ddb_attr *key;    /* GetItem/DeleteItem/UpdateItem Key (an M) */
    const ddb_attr *values; /* ExpressionAttributeValues (an M) */
    /* Parsed expressions; NULL when the request has none. */
    ddb_expr *condition, *update, *projection, *filter, *key_condition, *search;
} ddb_parsed;

/* ---------------------------------------------------------------- request level */

/*
 * Implements dynalite's validateExpressions() for the request `in` of an operation whose flags
 * (proto/ops.h, ddb_op_flags()) are `params`, in DynamoDB's order: ExpressionAttributeNames
 * (empty, key syntax), ExpressionAttributeValues (empty, key syntax, each value),
 * UpdateExpression, ConditionExpression, KeyConditionExpression, FilterExpression,
 * ProjectionExpression, unused names, unused values; then the key condition rules
 * (convertKeyCondition + validateConditions(KeyConditions) + "Conditions can be of length 1 or 2
 * only"), and the conversion of the legacy parameters present. Fills out->condition, update,
 * projection, filter, key_condition and values. Returns NULL, or the ValidationException message
 * ("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"a == :v\"", ...).
 *
 * Only the DDB_OPF_EXPR_* and DDB_OPF_LEGACY_* bits of `params` are read; members they do not
 * name are ignored, as DynamoDB's deserializer does (GetItem reads only ProjectionExpression,
 * ExpressionAttributeNames and AttributesToGet). For BatchGetItem, pass one table's entry of
 * RequestItems as `in`; for a transaction item, the flags of the item's single-item operation
 * (PutItem, UpdateItem, DeleteItem; ConditionCheck takes DeleteItem's) or the expression-level API
 * below. Mixing legacy and expression parameters is validate_data.c's check and must come before
 * this call.
 */
const char *ddb_expr_prepare_into(ddb_arena *a, unsigned params, const ddb_json *in, ddb_parsed *out);
/* The same with the AttributeValues' errors in d's wording (proto/attr.h: the request's dialect,
   req->values); ddb_expr_prepare_into is the classic wording's. */
const char *ddb_expr_prepare_as(ddb_arena *a, unsigned params, ddb_value_dialect d, const ddb_json *in,
                                ddb_parsed *out);

/*
 * The legacy checks dynalite's custom() functions run before validateExpressions, for
 * validate_data.c to call at those exact points. ddb_expr_prepare_into() runs them again before it
 * converts (they are idempotent), so a request is never converted unchecked.
 *   ddb_legacy_check_expected:          validateAttributeConditions(data) (Expected).
 *   ddb_legacy_check_conditions:        validateConditions(conds) for QueryFilter, ScanFilter or
 *                                       KeyConditions (pass the member, may be NULL).
 *   ddb_legacy_check_attribute_updates: the AttributeUpdates loop of updateItem's custom().
 *   ddb_legacy_check_attributes_to_get: "One or more parameter values were invalid: Duplicate
 *                                       value in attribute name: x"; a name too large or empty.
 */
const char *ddb_legacy_check_expected(ddb_arena *a, ddb_value_dialect d, const ddb_json *in);
const char *ddb_legacy_check_conditions(ddb_arena *a, ddb_value_dialect d, const ddb_json *conds);
const char *ddb_legacy_check_attribute_updates(ddb_arena *a, ddb_value_dialect d, const ddb_json *in);
const char *ddb_legacy_check_attributes_to_get(ddb_arena *a, const ddb_json *in);

/* ---------------------------------------------------------------- expression level */

/* For handlers whose expressions live below the top level (BatchGetItem, transactions). */
typedef enum ddb_expr_kind {
    DDB_EXPR_CONDITION,     /* ConditionExpression */
    DDB_EXPR_FILTER,        /* FilterExpression (condition grammar) */
    DDB_EXPR_KEY_CONDITION, /* KeyConditionExpression (condition grammar, then key rules) */
    DDB_EXPR_PROJECTION,    /* ProjectionExpression */
    DDB_EXPR_UPDATE,        /* UpdateExpression */
    DDB_EXPR_SEARCH,        /* SearchConditionExpression (condition grammar, then equalities only) */
} ddb_expr_kind;

typedef struct ddb_expr_ctx ddb_expr_ctx;

/*
 * Checks one ExpressionAttributeNames and ExpressionAttributeValues pair (either may be NULL)
 * and decodes the values. Returns NULL and sets *out, or the message.
 */
const char *ddb_expr_ctx_new(ddb_arena *a, const ddb_json *names, const ddb_json *values, ddb_expr_ctx **out);
/* The same with the values' errors in d's wording (ddb_expr_ctx_new: the classic one's). */
const char *ddb_expr_ctx_new_as(ddb_arena *a, const ddb_json *names, const ddb_json *values, ddb_value_dialect d,
                                ddb_expr_ctx **out);
/* Parses one expression of `kind` against ctx, marking the names and values it uses. */
const char *ddb_expr_parse(ddb_expr_ctx *ctx, ddb_expr_kind kind, const char *text, size_t len, ddb_expr **out);
/* "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}", then Values. */
const char *ddb_expr_ctx_finish(ddb_expr_ctx *ctx);
/* The decoded ExpressionAttributeValues as an M (empty when absent). */
const ddb_attr *ddb_expr_ctx_values(const ddb_expr_ctx *ctx);
/*
 * KeyConditionExpression rules that follow the unused-name checks (dynalite's checkExpr):
 * "Invalid operator used in KeyConditionExpression: OR", "KeyConditionExpressions must only contain
 * one condition per key", ..., then validateConditions and "Conditions can be of length 1 or 2
 * only". Fills the key conditions read by ddb_expr_key_conds().
 */
const char *ddb_expr_check_key_condition(ddb_arena *a, ddb_expr *key_condition);

/* ---------------------------------------------------------------- evaluation */

/*
 * True when the condition (ConditionExpression, FilterExpression, KeyConditionExpression or a
 * legacy Expected/QueryFilter/ScanFilter/KeyConditions) holds for `item` (an M; NULL = no item).
 * DynamoDB semantics: comparisons of different types are false except <>, which is true; a
 * missing attribute makes every comparison but <> false; sets compare unordered, numbers by value.
 * cond NULL is true.
 */
bool ddb_expr_eval_condition(const ddb_expr *cond, const ddb_attr *item);

/*
 * Applies an UpdateExpression or legacy AttributeUpdates to `old_item` (the stored item; when
 * the item does not exist pass an M holding just the Key, which is what DynamoDB updates; NULL
 * counts as an empty M) and writes the result to *new_item, sharing unchanged values with
 * old_item. Every value is computed from old_item. Returns 0, or -1 with *errmsg set to the
 * ValidationException message ("The document path provided in the update expression is invalid
 * for update", "An operand in the update expression has an incorrect data type", "The provided
 * expression refers to an attribute that does not exist in the item", number overflow, and for
 * the legacy form "Type mismatch for attribute to update").
 */
int ddb_expr_apply_update(ddb_arena *a, const ddb_expr *update, const ddb_attr *old_item, ddb_attr *new_item,
                          const char **errmsg);
/*
 * The same for an item that does not exist: `keyattrs` (the request's key) is the base, and a
 * REMOVE of any path removes nothing, silently, as DynamoDB does (where ddb_expr_apply_update on
 * the key alone refuses REMOVE a.b as an invalid document path).
 */
int ddb_expr_apply_update_absent(ddb_arena *a, const ddb_expr *update, const ddb_attr *keyattrs, ddb_attr *new_item,
                                 const char **errmsg);

/*
 * ProjectionExpression / AttributesToGet: writes to *out (an M) the parts of `item` the paths
 * name, nested maps keeping only the named members and lists only the named indexes (in index
 * order), as DynamoDB returns them. proj NULL copies the item reference. Values are shared with
 * `item`, not copied.
 */
void ddb_expr_project(ddb_arena *a, const ddb_expr *proj, const ddb_attr *item, ddb_attr *out);
/* ReturnValues UPDATED_OLD / UPDATED_NEW: the projection of `item` onto the paths an update writes. */
void ddb_expr_project_updated(ddb_arena *a, const ddb_expr *update, const ddb_attr *item, ddb_attr *out);

/* ---------------------------------------------------------------- facts for handlers */

/*
 * One action of an update: the top-level attribute it writes, whether the path goes below it
 * (a.b or a[1]), and the static type of the value written when known (SET a = :v, ADD/DELETE;
 * DDB_T_NONE for REMOVE and values read from the item). Handlers check "Cannot update attribute
 * a. This attribute is part of the key" and index key types with these.
 */
typedef struct ddb_expr_target {
    const char *name;
    uint32_t nlen;
    uint8_t nested;
    uint8_t type; /* ddb_type */
} ddb_expr_target;
size_t ddb_expr_update_targets(const ddb_expr *update, const ddb_expr_target **out);

/*
 * What standalone UpdateItem's 400 KB check charges for `update` against the stored `item` (NULL
 * when absent): what it writes plus a cost per clause (expr_charge.c has the measured costs).
 */
size_t ddb_expr_update_charge(const ddb_expr *update, const ddb_attr *item);

/*
 * Every document path an expression mentions (targets and operands), in textual order: its
 * top-level attribute and its number of elements (1 for `a`, 3 for `a.b[2]`). Handlers check
 * "Key attributes must be scalars; ..." and "Filter Expression can only contain non-primary key
 * attributes" with these.
 */
typedef struct ddb_expr_path_ref {
    const char *name;
    uint32_t nlen;
    uint32_t depth;
} ddb_expr_path_ref;
size_t ddb_expr_paths(const ddb_expr *e, const ddb_expr_path_ref **out);

/* A Query key condition after ddb_expr_check_key_condition(): one per key attribute. */
typedef enum ddb_kc_op {
    DDB_KC_EQ,
    DDB_KC_LT,
    DDB_KC_LE,
    DDB_KC_GT,
    DDB_KC_GE,
    DDB_KC_BETWEEN,
    DDB_KC_BEGINS_WITH,
} ddb_kc_op;
typedef struct ddb_key_cond {
    const char *name; /* key attribute */
    uint32_t nlen;
    ddb_kc_op op;
    const ddb_attr *v[2]; /* v[1] only for BETWEEN; never NULL (a NULL-typed value stands in) */
    /* Legacy KeyConditions with NE, IN, NULL, NOT_NULL, CONTAINS or NOT_CONTAINS (op is then EQ
     * and meaningless): the handler answers "Attempted conditional constraint is not an indexable
     * operation" before looking at the values, as dynalite's query action does. */
    uint8_t not_indexable;
} ddb_key_cond;
/* The key conditions in the order written (1 or 2). */
size_t ddb_expr_key_conds(const ddb_expr *key_condition, const ddb_key_cond **out);

/*
 * A SearchConditionExpression's equalities (SearchVectors), in the order written: top-level
 * attributes compared with `=` to a value, joined by AND. Returns NULL, or the message of a
 * comparator other than `=` ("Invalid SearchConditionExpression: Invalid comparator used in
 * SearchConditionExpression"); which attributes the index allows is the handler's.
 */
typedef struct ddb_search_eq {
    const char *name;
    uint32_t nlen;
    const ddb_attr *v;
} ddb_search_eq;
const char *ddb_expr_search_eqs(ddb_arena *a, const ddb_expr *search, ddb_search_eq **out, size_t *n);

/* Whether the tree came from legacy parameters (its messages differ in places). */
bool ddb_expr_is_legacy(const ddb_expr *e);

/* A key value as DynamoDB's messages print it ("AttributeValue: {S:a}"): BETWEEN's bounds, a
   refused ExclusiveStartKey's values (expr_check.c). */
const char *ddb_bound_str(ddb_arena *a, const ddb_attr *v);

/* Legacy KeyConditions on an index: a GSI's key has up to four partition and four sort attributes,
   so how many conditions it takes is the Query handler's to judge once it knows the index. */
#define DDB_LEGACY_MAX_INDEX_CONDITIONS 8

#endif
