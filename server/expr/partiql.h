/*
 * server/expr/partiql.h: DynamoDB's PartiQL statements (ExecuteStatement, BatchExecuteStatement,
 * ExecuteTransaction), parsed into the trees of the expression language.
 *
 * A statement is lexed and parsed with its Parameters at hand, and compiled into the same
 * ddb_expr trees ConditionExpression, ProjectionExpression and UpdateExpression produce (expr.h):
 * WHERE becomes a condition tree, the SELECT list a projection, SET and REMOVE an update, and
 * every literal and `?` an AttributeValue. So a PartiQL comparison or function evaluates exactly as
 * its expression twin does. What a statement reads or writes (Query or Scan, the item's key, the
 * condition left once the key is taken out) is decided by ops/ops_partiql.c from the facts below.
 *
 * Errors are DynamoDB's ValidationException messages ("Statement wasn't well formed, can't be
 * processed: Unexpected term", "Number of parameters in request and statement don't match.").
 * All memory comes from the arena.
 */
#ifndef DDB_PARTIQL_H
#define DDB_PARTIQL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/expr/expr.h"

typedef enum ddb_pq_kind { DDB_PQ_SELECT, DDB_PQ_INSERT, DDB_PQ_UPDATE, DDB_PQ_DELETE, DDB_PQ_EXISTS } ddb_pq_kind;

/* RETURNING: which image, and all of it or the attributes the update wrote. */
typedef enum ddb_pq_returning {
    DDB_PQ_RET_NONE,
    DDB_PQ_RET_ALL_OLD,
    DDB_PQ_RET_MODIFIED_OLD,
    DDB_PQ_RET_ALL_NEW,
    DDB_PQ_RET_MODIFIED_NEW,
} ddb_pq_returning;

#define DDB_PQ_MAX_ORDER 4

typedef struct ddb_pq_stmt {
    ddb_pq_kind kind;
    const char *table;        /* NUL-terminated */
    const char *index;        /* SELECT FROM "t"."index"; NULL for the table */
    ddb_expr *where;          /* condition tree; NULL without WHERE */
    ddb_expr *projection;     /* SELECT's list; NULL for * */
    ddb_expr *update;         /* UPDATE's SET and REMOVE clauses */
    const ddb_attr *item;     /* INSERT's VALUE (an M) */
    ddb_pq_returning returning;
    /* ORDER BY: attribute names in order, each ascending or descending */
    const char *order[DDB_PQ_MAX_ORDER];
    uint8_t order_desc[DDB_PQ_MAX_ORDER];
    uint32_t norder;
} ddb_pq_stmt;

/*
 * Parses `text` with its Parameters (`params`, nparams AttributeValues already decoded; a
 * mismatch in number is an error after the syntax is known good). Returns NULL and fills *out,
 * or the ValidationException message.
 */
const char *ddb_pq_parse(ddb_arena *a, const char *text, size_t len, const ddb_attr *params, uint32_t nparams,
                         ddb_pq_stmt *out);

/* ---------------------------------------------------------------- facts about WHERE */

/*
 * The top-level conjuncts of WHERE (the terms joined by AND outside any OR or NOT) that pin one
 * attribute: `a = v` (or `v = a`) and `a IN [v1, ...]` on a top-level attribute. DynamoDB reads
 * a partition (Query) when the partition key is pinned so, and a statement that writes names its
 * item by `key = v` for every key attribute.
 */
typedef struct ddb_pq_pin {
    const char *name;
    uint32_t nlen;
    const ddb_attr **v;       /* one value for =, the list for IN */
    uint32_t nv;
    uint8_t in;               /* written as IN */
    uint32_t conjunct;        /* its position among the conjuncts */
} ddb_pq_pin;
size_t ddb_pq_pins(ddb_arena *a, const ddb_pq_stmt *s, const ddb_pq_pin **out);

/*
 * A sort-key range condition among the top-level conjuncts on attribute `name`: =, <, <=, >, >=,
 * BETWEEN or begins_with with literal operands (Query's key condition forms). Returns 1 and fills
 * *kc, or 0.
 */
int ddb_pq_range_cond(const ddb_pq_stmt *s, const char *name, ddb_key_cond *kc);

/*
 * WHERE without the conjuncts `skip` (bit i set: drop conjunct i, for i < 64), as a condition; NULL
 * when nothing is left. A DELETE's or UPDATE's condition is what remains once its key equalities
 * are taken out.
 */
ddb_expr *ddb_pq_where_without(ddb_arena *a, const ddb_pq_stmt *s, uint64_t skip);

/* Number of top-level conjuncts of WHERE (0 without WHERE). */
uint32_t ddb_pq_nconjuncts(const ddb_pq_stmt *s);

/* attribute_exists(hash_key) AND cond (cond may be NULL): an UPDATE or EXISTS needs its item. */
ddb_expr *ddb_pq_require_item(ddb_arena *a, ddb_expr *cond, const char *hash_key);

/* attribute_not_exists(hash_key) OR cond (NULL when cond is): a DELETE's WHERE beyond the key is
 * checked against the item only when there is one ("If the DynamoDB table does not have any item
 * with the same primary key ..., SUCCESS is returned with 0 items deleted", ql-reference.delete). */
ddb_expr *ddb_pq_if_item(ddb_arena *a, ddb_expr *cond, const char *hash_key);

/*
 * SELECT's result for one item: the whole item for *, else each listed path that is there, named
 * as DynamoDB names it: by its last attribute name and the list indexes after it (`m.k[0]` is
 * returned as "k[0]", `a.b` as "b").
 */
void ddb_pq_project(ddb_arena *a, const ddb_pq_stmt *s, const ddb_attr *item, ddb_attr *out);

#endif
