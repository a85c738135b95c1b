/*
 * server/expr/partiql_internal.h: what the PartiQL lexer and parser share (not for other layers).
 */
#ifndef DDB_PARTIQL_INTERNAL_H
#define DDB_PARTIQL_INTERNAL_H

#include "server/expr/expr_internal.h"
#include "server/expr/partiql.h"

typedef enum pq_tok_type {
    PQ_EOF,
    PQ_WORD,    /* a bare word: a keyword or an identifier */
    PQ_QIDENT,  /* "quoted identifier" */
    PQ_STRING,  /* 'string' */
    PQ_ION,     /* `ion literal` (refused) */
    PQ_NUMBER,
    PQ_PARAM,   /* ? */
    PQ_LPAREN,
    PQ_RPAREN,
    PQ_LBRACK,
    PQ_RBRACK,
    PQ_LBRACE,
    PQ_RBRACE,
    PQ_LBAG,    /* << */
    PQ_RBAG,    /* >> */
    PQ_COMMA,
    PQ_DOT,
    PQ_COLON,
    PQ_SEMI,
    PQ_STAR,
    PQ_EQ,
    PQ_NE,
    PQ_LT,
    PQ_LE,
    PQ_GT,
    PQ_GE,
    PQ_PLUS,
    PQ_MINUS,
    PQ_SLASH,
    PQ_PERCENT,
    PQ_CONCAT,  /* || */
} pq_tok_type;

typedef struct pq_tok {
    uint8_t type;
    uint32_t start, len;
} pq_tok;

typedef struct pq_lexed {
    const char *src;
    size_t len;
    pq_tok *toks; /* n tokens, the last PQ_EOF */
    uint32_t n;
} pq_lexed;

/* Tokens of `s`; -1 when the text cannot be lexed. */
int pq_lex(ddb_arena *a, const char *s, size_t n, pq_lexed *lx);
/* A quoted token's text without its quotes, doubled quotes unescaped; NUL-terminated. */
const char *pq_unquote(ddb_arena *a, const pq_lexed *lx, const pq_tok *t, uint32_t *len);
/* Whether token t is the bare word kw (upper case), in any case. */
int pq_word_is(const pq_lexed *lx, const pq_tok *t, const char *kw);

#endif
