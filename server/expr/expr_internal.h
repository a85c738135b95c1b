/*
 * server/expr/expr_internal.h: what the expression language's own files share (the lexer, the
 * trees, the parser's and evaluator's helpers, the limits); not part of its API (expr.h), which
 * every other layer includes. Included by server/expr/ and by the unit tests and fuzzers of the
 * parsers.
 */
#ifndef DDB_EXPR_INTERNAL_H
#define DDB_EXPR_INTERNAL_H

#include "server/expr/expr.h"

/* Limits (DynamoDB's "Expression parameters" quotas). */
#define DDB_EXPR_MAX_LEN 4096       /* bytes of one expression */
#define DDB_EXPR_MAX_OPERATORS 300  /* operators and functions in one expression */
#define DDB_EXPR_MAX_IN 100         /* operands of IN */
#define DDB_EXPR_MAX_PATH_DEPTH 32  /* elements of one document path */
#define DDB_EXPR_MAX_KEY_LEN 255    /* bytes of an ExpressionAttributeNames/Values key */

/* ---- lexer (expr_lex.c) ---- */

typedef enum ddb_tok_type {
    TK_EOF,
    TK_IDENT, /* [a-zA-Z][a-zA-Z0-9_]* that is not a keyword */
    TK_NAME,  /* #[a-zA-Z0-9_]+ */
    TK_VALUE, /* :[a-zA-Z0-9_]+ */
    TK_INT,   /* 0 or [1-9][0-9]* */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACK,
    TK_RBRACK,
    TK_COMMA,
    TK_DOT,
    TK_PLUS,
    TK_MINUS,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_BETWEEN,
    TK_IN,
    TK_SET,
    TK_REMOVE,
    TK_ADD,
    TK_DELETE,
    TK_BAD, /* a character the language has no use for */
} ddb_tok_type;

/* Token roles the parser records, so the checks can walk tokens in textual order. */
#define TF_PATH_IDENT 0x01 /* an identifier used as a path element */
#define TF_PATH_INDEX 0x02 /* an integer used as a list index */

typedef struct ddb_tok {
    uint8_t type;
    uint8_t flags;
    uint32_t start, len;
} ddb_tok;

typedef struct ddb_lexed {
    const char *src;
    size_t len;
    ddb_tok *toks; /* n tokens, the last one TK_EOF */
    uint32_t n;
} ddb_lexed;

void ddb_lex(ddb_arena *a, const char *src, size_t len, ddb_lexed *out);
/* "Syntax error; token: \"x\", near: \"a x b\"" for token `at`. */
const char *ddb_lex_syntax_error(ddb_arena *a, const ddb_lexed *lx, uint32_t at);

/* ---- trees ---- */

#define DDB_NO_TOK UINT32_MAX

typedef enum ddb_pelem_kind { PE_IDENT, PE_NAME, PE_INDEX } ddb_pelem_kind;

typedef struct ddb_pelem {
    const char *name; /* resolved attribute name (NULL for an index, or until resolved) */
    uint32_t nlen;
    int32_t index;    /* list index, or -1 */
    uint32_t tok;     /* its token, or DDB_NO_TOK */
    uint8_t kind;     /* ddb_pelem_kind */
} ddb_pelem;

typedef struct ddb_path {
    ddb_pelem *e;
    uint32_t n;
} ddb_path;

typedef enum ddb_node_kind {
    NK_PATH,
    NK_VALUE,
    NK_FUNC,
    NK_CMP,
    NK_BETWEEN,
    NK_IN,
    NK_AND,
    NK_OR,
    NK_NOT,
    NK_ARITH,
} ddb_node_kind;

typedef enum ddb_func {
    FN_UNKNOWN,
    FN_ATTRIBUTE_EXISTS,
    FN_ATTRIBUTE_NOT_EXISTS,
    FN_ATTRIBUTE_TYPE,
    FN_BEGINS_WITH,
    FN_CONTAINS,
    FN_SIZE,
    FN_IF_NOT_EXISTS,
    FN_LIST_APPEND,
} ddb_func;

typedef enum ddb_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } ddb_cmp;
typedef enum ddb_arith { AR_PLUS, AR_MINUS } ddb_arith;

typedef struct ddb_node ddb_node;
struct ddb_node {
    uint8_t kind;   /* ddb_node_kind */
    uint8_t op;     /* ddb_cmp, ddb_func or ddb_arith */
    uint8_t parens; /* written inside one pair of parentheses */
    uint32_t tok;   /* naming token: operator, function name, value, first path element */
    uint32_t first, last; /* token span, for per-condition checks */
    uint32_t nargs;
    ddb_node **args;
    ddb_path path;          /* NK_PATH */
    const ddb_attr *value;  /* NK_VALUE, once resolved */
};

typedef enum ddb_act_kind { ACT_SET, ACT_REMOVE, ACT_ADD, ACT_DELETE } ddb_act_kind;

typedef struct ddb_action {
    uint8_t kind;     /* ddb_act_kind */
    uint8_t section;  /* index of its clause, in order of appearance */
    uint32_t tok;     /* clause keyword token */
    ddb_path path;
    ddb_node *value;  /* SET value, ADD/DELETE operand; NULL for REMOVE */
} ddb_action;

struct ddb_expr {
    uint8_t kind;   /* ddb_expr_kind */
    uint8_t legacy;
    ddb_node *root; /* condition kinds */
    ddb_action *acts;
    uint32_t nacts;
    ddb_path *paths; /* projection */
    uint32_t npaths;
    ddb_key_cond *kc; /* key conditions, after ddb_expr_check_key_condition() */
    uint32_t nkc;
    ddb_expr_path_ref *refs;
    uint32_t nrefs;
    ddb_expr_target *targets;
    uint32_t ntargets;
    void *ptree; /* projection tree of paths/acts (expr_eval.c) */
};

/* The names/values a request brings, and which of them expressions used. */
typedef struct ddb_expr_ctx_entry {
    const char *key; /* "#a" / ":v" */
    uint32_t klen;
    uint32_t hash;   /* Java String.hashCode of key */
    const ddb_json *json; /* the member's value as sent */
    const char *name;     /* names: the attribute name */
    uint32_t nlen;
    ddb_attr value;  /* values: the decoded value */
    uint8_t used;
} ddb_expr_ctx_entry;

typedef struct ddb_expr_table {
    ddb_expr_ctx_entry *e;
    uint32_t n;
    uint32_t *slots; /* open addressing over e, 0 = empty, else index + 1 */
    uint32_t mask;
    bool present;    /* the parameter was in the request */
} ddb_expr_table;

struct ddb_expr_ctx {
    ddb_arena *a;
    ddb_expr_table names, values;
    ddb_attr values_m;
};

ddb_expr_ctx_entry *ddb_expr_table_find(const ddb_expr_table *t, const char *key, size_t klen);

/* ---- parser and checks (expr_parse.c) ---- */

/*
 * Parses lexed text as `kind` into *out: syntax errors, redundant parentheses and the operator
 * limit. Returns NULL or the message without the "Invalid XExpression: " prefix.
 */
const char *ddb_expr_syntax(ddb_arena *a, ddb_expr_kind kind, ddb_lexed *lx, ddb_expr **out);
/* The semantic checks of a parsed tree in DynamoDB's order; resolves names/values, marks them used. */
const char *ddb_expr_check(ddb_expr_ctx *ctx, ddb_lexed *lx, ddb_expr *e);
/* Builds refs and targets of a finished tree (also used by expr_legacy.c). */
void ddb_expr_collect_facts(ddb_arena *a, ddb_expr *e);
/* "[a, b, [1]]", as DynamoDB prints a path in messages. */
const char *ddb_path_str(ddb_arena *a, const ddb_path *p);
/* Static type an operand is known to have, or DDB_T_NONE (getType in dynalite). */
ddb_type ddb_node_static_type(const ddb_node *n);

/* ---- evaluation helpers (expr_eval.c) ---- */

/* The value at `path` in `item`, or NULL. */
const ddb_attr *ddb_path_get(const ddb_attr *item, const ddb_path *path);
/* <0, 0, >0 for two S, N or B of one type; *ok = false when they cannot be ordered. */
int ddb_scalar_order(const ddb_attr *a, const ddb_attr *b, bool *ok);
/* Whether a set (SS, NS, BS) holds an element equal to v. */
bool ddb_set_has(const ddb_attr *set, const ddb_attr *v);
/* Builds e->ptree from e->paths and e->acts (called by ddb_expr_collect_facts). */
void ddb_expr_build_ptree(ddb_arena *a, ddb_expr *e);

/* ---- legacy (expr_legacy.c) ---- */

/* Converts the legacy parameters present in `in` that `params` names (DDB_OPF_LEGACY_*) into trees in *pd. */
const char *ddb_legacy_convert(ddb_arena *a, unsigned params, ddb_value_dialect d, const ddb_json *in, ddb_parsed *pd);
/* Legacy KeyConditions → key condition tree with kc filled: one or two conditions, or on an index
   (`on_index`) up to DDB_LEGACY_MAX_INDEX_CONDITIONS. */
const char *ddb_legacy_key_conditions(ddb_arena *a, ddb_value_dialect d, const ddb_json *conds, int on_index,
                                      ddb_expr **out);

/* ---- shared constructors ---- */

ddb_node *ddb_node_new(ddb_arena *a, ddb_node_kind kind, uint8_t op, uint32_t nargs);
ddb_node *ddb_node_path1(ddb_arena *a, const char *name, size_t nlen);
ddb_node *ddb_node_value(ddb_arena *a, const ddb_attr *v);

#endif
