/*
 * server/expr/partiql_parse.h: the parser state the PartiQL grammar (partiql.c) and its literals
 * (partiql_value.c) share. Not for other layers.
 */
#ifndef DDB_PARTIQL_PARSE_H
#define DDB_PARTIQL_PARSE_H

#include "server/expr/partiql_internal.h"

typedef struct pq_parser {
    ddb_arena *a;
    pq_lexed *lx;
    uint32_t pos;
    const char *err;          /* the first error's whole message */
    const ddb_attr *params;
    uint32_t nparams;
    uint32_t next_param;      /* `?` seen so far */
    ddb_attr null_param;      /* stands in for a `?` beyond Parameters (reported after the parse) */
    uint32_t depth;           /* nesting of conditions (parentheses, calls, NOT), bounded by PQ_MAX_DEPTH */
} pq_parser;

/* The parser recurses once per nested condition, so a statement of 8192 '(' (or NOTs) would run
   an event loop's stack out (found by fuzz_partiql); no real statement nests this deep. */
#define PQ_MAX_DEPTH 256

#define PQ_NWF "Statement wasn't well formed, can't be processed: "

static inline const pq_tok *pq_peek(const pq_parser *p)
{
    return &p->lx->toks[p->pos];
}

/* ---- partiql_parser.c: the cursor, the keywords, the first failure ---- */

/* Records "Statement wasn't well formed, can't be processed: <detail>" (the first error wins). */
void pq_fail(pq_parser *p, const char *detail);
/* Records a whole message; returns NULL, for `return pq_fail_msg(p, ...);`. */
void *pq_fail_msg(pq_parser *p, const char *msg);
/* Records "<msg> at <line>:<column>:<length>" for token t. */
void pq_fail_at(pq_parser *p, const char *msg, const pq_tok *t);
/* Why the current token cannot start a term: "Unexpected term", "Unexpected keyword", ... */
const char *pq_term_detail(const pq_parser *p);
/* The next `?`'s value. */
const ddb_attr *pq_param(pq_parser *p);
/* Lower-cased copy. */
const char *pq_lower(ddb_arena *a, const char *s, size_t n);

int pq_accept(pq_parser *p, pq_tok_type t);
/* After a member of a list (arguments, a list, a tuple): its comma, taken, or the list's `close`
   next. 0, or -1 with the failure recorded. */
int pq_member_end(pq_parser *p, pq_tok_type close);
int pq_accept_word(pq_parser *p, const char *kw);
int pq_is_keyword(const pq_lexed *lx, const pq_tok *t);
/* Whether a word token is an operator spelled as a word (AND, OR, NOT, IN, ...). */
int pq_is_word_operator(const pq_lexed *lx, const pq_tok *t);

/* ---- partiql.c: paths and conditions ---- */

/* Enters one more level of nesting (leave with p->depth--); 0, with the error set, past
   PQ_MAX_DEPTH. */
int pq_nest(pq_parser *p);
/* A list's members up to its `close` (taken), each read by `member`: *n counts them all, the first
   `room` kept in items (the caller refuses too many with its own message). 0, or -1 on error. */
int pq_members(pq_parser *p, pq_tok_type close, ddb_node *(*member)(pq_parser *p), ddb_node **items, uint32_t room,
               uint32_t *n);
/* A document path at the current token; -1 when it is no identifier (nothing recorded) or on error. */
int pq_path(pq_parser *p, ddb_path *path);
/* A literal as a value node. */
ddb_node *pq_value(pq_parser *p, int params_ok);
/* A WHERE condition (the keyword already read), as a condition tree. */
ddb_expr *pq_where(pq_parser *p);
ddb_expr *pq_new_expr(pq_parser *p, ddb_expr_kind kind);
ddb_node *pq_node2(pq_parser *p, ddb_node_kind kind, uint8_t op, ddb_node *a, ddb_node *b);
/* Whether a node is a predicate (true or false) rather than a value. */
int pq_is_bool_node(const ddb_node *n);
const char *pq_operand_type_msg(ddb_arena *a, const char *op, uint8_t type);

/* ---- partiql_value.c: literals ---- */

/* A literal at the current token (partiql_value.c); `params_ok`: a `?` may stand at its top. */
int pq_literal(pq_parser *p, int params_ok, ddb_attr *out);
/* INSERT's VALUE: a map whose members' values are each "root" in messages (depth 1). */
int pq_item_literal(pq_parser *p, ddb_attr *out);
/* Whether the current token starts a literal. */
int pq_starts_literal(const pq_parser *p);

#endif
