/*
 * server/expr/expr_parse.c: the grammar. Turns tokens into trees for the three grammars DynamoDB has
 * (conditions, updates, projections) and reports syntax errors; semantic checks are
 * expr_check.c's.
 *
 * Conditions are parsed without backtracking. A '(' at the start of a condition may open a
 * parenthesized condition or a parenthesized operand, so the parser reads what is inside first
 * and decides from what it got: an operand goes on to a comparator, a condition stands alone.
 * Errors land on the token where DynamoDB's parser stops (the furthest token any alternative
 * reached): a comparator after a condition, a missing comparator after an operand.
 *
 * AND and OR are right-associative, as in DynamoDB's (and dynalite's) grammar; the order checks
 * visit functions in depends on it.
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>
#include <string.h>


typedef enum mode { M_COND, M_UPDATE } mode;

typedef struct parser {
    ddb_arena *a;
    ddb_lexed *lx;
    uint32_t pos;
    const char *err;
    uint32_t nops; /* operators and functions, for DDB_EXPR_MAX_OPERATORS */
} parser;

/* ---------------------------------------------------------------- helpers */

static const ddb_tok *peek(const parser *p)
{
    return &p->lx->toks[p->pos];
}

static ddb_tok_type peek_type(const parser *p)
{
    return (ddb_tok_type)p->lx->toks[p->pos].type;
}

static ddb_tok_type peek2_type(const parser *p)
{
    return p->pos + 1 < p->lx->n ? (ddb_tok_type)p->lx->toks[p->pos + 1].type : TK_EOF;
}

/* Records a syntax error at the current token; returns NULL for `return fail(p)`. */
static void *fail(parser *p)
{
    if (p->err == NULL)
        p->err = ddb_lex_syntax_error(p->a, p->lx, p->pos);
    return NULL;
}

static int expect(parser *p, ddb_tok_type t)
{
    if (peek_type(p) != t) {
        fail(p);
        return 0;
    }
    p->pos++;
    return 1;
}

ddb_node *ddb_node_new(ddb_arena *a, ddb_node_kind kind, uint8_t op, uint32_t nargs)
{
    ddb_node *n = DDB_NEW(a, ddb_node);

    n->kind = (uint8_t)kind;
    n->op = op;
    n->tok = DDB_NO_TOK;
    n->first = n->last = DDB_NO_TOK;
    n->nargs = nargs;
    if (nargs > 0)
        n->args = DDB_NEW_ARRAY(a, ddb_node *, nargs);
    return n;
}

ddb_node *ddb_node_path1(ddb_arena *a, const char *name, size_t nlen)
{
    ddb_node *n = ddb_node_new(a, NK_PATH, 0, 0);

    n->path.n = 1;
    n->path.e = DDB_NEW(a, ddb_pelem);
    n->path.e[0].name = name;
    n->path.e[0].nlen = (uint32_t)nlen;
    n->path.e[0].index = -1;
    n->path.e[0].tok = DDB_NO_TOK;
    n->path.e[0].kind = PE_IDENT;
    return n;
}

ddb_node *ddb_node_value(ddb_arena *a, const ddb_attr *v)
{
    ddb_node *n = ddb_node_new(a, NK_VALUE, 0, 0);

    n->value = v;
    return n;
}

/* A node of the operator kinds counts toward DDB_EXPR_MAX_OPERATORS. */
static ddb_node *op_node(parser *p, ddb_node_kind kind, uint8_t op, uint32_t nargs, uint32_t tok)
{
    ddb_node *n = ddb_node_new(p->a, kind, op, nargs);

    n->tok = tok;
    p->nops++;
    return n;
}

static void span(ddb_node *n, uint32_t first, uint32_t last)
{
    n->first = first;
    n->last = last;
}

static int is_operand(const ddb_node *n)
{
    return n->kind == NK_PATH || n->kind == NK_VALUE || n->kind == NK_FUNC;
}

static int is_condition(const ddb_node *n)
{
    return !(n->kind == NK_PATH || n->kind == NK_VALUE || n->kind == NK_ARITH);
}

static int is_comparator(ddb_tok_type t)
{
    return t >= TK_EQ && t <= TK_GE;
}

static ddb_cmp comparator_of(ddb_tok_type t)
{
    static const ddb_cmp map[] = {CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE};

    return map[t - TK_EQ];
}

static ddb_func function_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        size_t len;
        ddb_func f;
    } fns[] = {
        {"attribute_exists", 16, FN_ATTRIBUTE_EXISTS}, {"attribute_not_exists", 20, FN_ATTRIBUTE_NOT_EXISTS},
        {"attribute_type", 14, FN_ATTRIBUTE_TYPE},     {"begins_with", 11, FN_BEGINS_WITH},
        {"contains", 8, FN_CONTAINS},                  {"size", 4, FN_SIZE},
        {"if_not_exists", 13, FN_IF_NOT_EXISTS},       {"list_append", 11, FN_LIST_APPEND},
    };

    /* Function names are case-sensitive: attRIbute_exIsts is an unknown function. */
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        if (fns[i].len == n && memcmp(fns[i].name, s, n) == 0)
            return fns[i].f;
    }
    return FN_UNKNOWN;
}

/* A growable array of node pointers in the arena. */
typedef struct nodevec {
    ddb_node **v;
    uint32_t n, cap;
} nodevec;

static void nodevec_push(ddb_arena *a, nodevec *nv, ddb_node *n)
{
    DDB_ARENA_ROOM(a, nv->v, nv->n, nv->cap, 4);
    nv->v[nv->n++] = n;
}

static ddb_node *node_from_vec(parser *p, ddb_node_kind kind, uint8_t op, uint32_t tok, const nodevec *nv)
{
    ddb_node *n = op_node(p, kind, op, nv->n, tok);

    memcpy(n->args, nv->v, sizeof(*nv->v) * nv->n);
    return n;
}

/* ---------------------------------------------------------------- paths */

typedef struct elemvec {
    ddb_pelem *v;
    uint32_t n, cap;
} elemvec;

static ddb_pelem *elem_push(ddb_arena *a, elemvec *ev)
{
    DDB_ARENA_ROOM(a, ev->v, ev->n, ev->cap, 4);
    memset(&ev->v[ev->n], 0, sizeof(ev->v[0]));
    ev->v[ev->n].index = -1;
    return &ev->v[ev->n++];
}

/* An identifier or #name as a path element. */
static int name_elem(parser *p, elemvec *ev)
{
    ddb_tok *t = &p->lx->toks[p->pos];
    ddb_pelem *e;

    if (t->type != TK_IDENT && t->type != TK_NAME) {
        fail(p);
        return 0;
    }
    e = elem_push(p->a, ev);
    e->tok = p->pos;
    if (t->type == TK_IDENT) {
        e->kind = PE_IDENT;
        e->name = p->lx->src + t->start;
        e->nlen = t->len;
        t->flags |= TF_PATH_IDENT;
    } else {
        e->kind = PE_NAME; /* resolved by the checks, in DynamoDB's order */
    }
    p->pos++;
    return 1;
}

/* '[' INT ']' */
static int index_elem(parser *p, elemvec *ev)
{
    ddb_tok *t;
    ddb_pelem *e;
    long long v = 0;

    p->pos++;
    t = &p->lx->toks[p->pos];
    if (t->type != TK_INT) {
        fail(p);
        return 0;
    }
    /* Out-of-range indexes are refused by the checks; clamp so the value stays meaningful. */
    for (uint32_t i = 0; i < t->len && v <= INT32_MAX; i++)
        v = v * 10 + (p->lx->src[t->start + i] - '0');
    e = elem_push(p->a, ev);
    e->kind = PE_INDEX;
    e->index = v > INT32_MAX ? INT32_MAX : (int32_t)v;
    e->tok = p->pos;
    t->flags |= TF_PATH_INDEX;
    p->pos++;
    return expect(p, TK_RBRACK);
}

/* The '.name' and '[n]' steps after a path's first element (or after a parenthesized path). */
static int path_steps(parser *p, elemvec *ev)
{
    for (;;) {
        ddb_tok_type t = peek_type(p);

        if (t == TK_DOT) {
            p->pos++;
            if (!name_elem(p, ev))
                return 0;
        } else if (t == TK_LBRACK) {
            if (!index_elem(p, ev))
                return 0;
        } else {
            return 1;
        }
    }
}

static ddb_node *path_node(parser *p, const elemvec *ev, uint32_t first)
{
    ddb_node *n = ddb_node_new(p->a, NK_PATH, 0, 0);

    n->path.e = ev->v;
    n->path.n = ev->n;
    n->tok = first;
    span(n, first, p->pos - 1);
    return n;
}

static ddb_node *path_expr(parser *p)
{
    elemvec ev = {0};
    uint32_t first = p->pos;

    if (!name_elem(p, &ev) || !path_steps(p, &ev))
        return NULL;
    return path_node(p, &ev, first);
}

/* Reads path steps after a parenthesized path, as in `(a.b).c` (conditions only). */
static ddb_node *continue_path(parser *p, ddb_node *inner, uint32_t first)
{
    elemvec ev = {inner->path.e, inner->path.n, inner->path.n};

    if (peek_type(p) != TK_DOT && peek_type(p) != TK_LBRACK)
        return inner;
    /* Copy before appending: the inner array may be shared with its node. */
    ev.v = ddb_arena_memdup(p->a, inner->path.e, sizeof(ddb_pelem) * inner->path.n);
    if (!path_steps(p, &ev))
        return NULL;
    return path_node(p, &ev, first);
}

/* ---------------------------------------------------------------- operands */

static ddb_node *operand_cond(parser *p);
static ddb_node *operand_parens_update(parser *p);

static ddb_node *function_call(parser *p, mode m)
{
    uint32_t first = p->pos;
    const ddb_tok *name = peek(p);
    nodevec args = {0};
    ddb_node *n;

    p->pos += 2; /* name and '(' */
    for (;;) {
        ddb_node *arg = m == M_COND ? operand_cond(p) : operand_parens_update(p);

        if (arg == NULL)
            return NULL;
        nodevec_push(p->a, &args, arg);
        if (peek_type(p) != TK_COMMA)
            break;
        p->pos++;
    }
    if (!expect(p, TK_RPAREN))
        return NULL;
    n = node_from_vec(p, NK_FUNC, (uint8_t)function_of(p->lx->src + name->start, name->len), first, &args);
    span(n, first, p->pos - 1);
    return n;
}

/* A :value, a function call or a document path. */
static ddb_node *operand_simple(parser *p, mode m)
{
    ddb_tok_type t = peek_type(p);

    if (t == TK_VALUE) {
        ddb_node *n = ddb_node_new(p->a, NK_VALUE, 0, 0);

        n->tok = p->pos;
        span(n, p->pos, p->pos);
        p->pos++;
        return n;
    }
    if (t == TK_IDENT && peek2_type(p) == TK_LPAREN)
        return function_call(p, m);
    if (t == TK_IDENT || t == TK_NAME)
        return path_expr(p);
    return fail(p);
}

/* DynamoDB refuses two pairs of parentheses straight around one thing, as soon as it reads them. */
static ddb_node *close_parens(parser *p, ddb_node *inner, uint32_t open)
{
    if (inner->parens) {
        if (p->err == NULL)
            p->err = "The expression has redundant parentheses;";
        return NULL;
    }
    if (inner->kind == NK_PATH) {
        ddb_node *n = continue_path(p, inner, open);

        if (n == NULL || n != inner)
            return n;
    }
    inner->parens = 1;
    return inner;
}

/* Condition grammar operand: '(' operand ')' | :value | function | path. */
static ddb_node *operand_cond(parser *p)
{
    if (peek_type(p) == TK_LPAREN) {
        uint32_t open = p->pos++;
        ddb_node *inner = operand_cond(p);

        if (inner == NULL || !expect(p, TK_RPAREN))
            return NULL;
        return close_parens(p, inner, open);
    }
    return operand_simple(p, M_COND);
}

/* ---------------------------------------------------------------- conditions */

static ddb_node *cond_or(parser *p);

/* '(' whatever ')' at the start of a condition, or an operand. */
static ddb_node *primary(parser *p)
{
    if (peek_type(p) == TK_LPAREN) {
        uint32_t open = p->pos++;
        ddb_node *inner = cond_or(p);

        if (inner == NULL || !expect(p, TK_RPAREN))
            return NULL;
        return close_parens(p, inner, open);
    }
    return operand_simple(p, M_COND);
}

static ddb_node *between_rest(parser *p, ddb_node *left, uint32_t tok)
{
    ddb_node *lo, *hi, *n;

    if ((lo = operand_cond(p)) == NULL || !expect(p, TK_AND) || (hi = operand_cond(p)) == NULL)
        return NULL;
    n = op_node(p, NK_BETWEEN, 0, 3, tok);
    n->args[0] = left;
    n->args[1] = lo;
    n->args[2] = hi;
    return n;
}

static ddb_node *in_rest(parser *p, ddb_node *left, uint32_t tok)
{
    nodevec list = {0};

    nodevec_push(p->a, &list, left);
    if (!expect(p, TK_LPAREN))
        return NULL;
    for (;;) {
        ddb_node *o = operand_cond(p);

        if (o == NULL)
            return NULL;
        nodevec_push(p->a, &list, o);
        if (peek_type(p) != TK_COMMA)
            break;
        p->pos++;
    }
    if (!expect(p, TK_RPAREN))
        return NULL;
    return node_from_vec(p, NK_IN, 0, tok, &list);
}

/* operand comparator operand | operand BETWEEN .. AND .. | operand IN (..) | function | ( condition ) */
static ddb_node *predicate(parser *p)
{
    uint32_t first = p->pos, tok;
    ddb_node *left = primary(p), *n;
    ddb_tok_type t;

    if (left == NULL)
        return NULL;
    t = peek_type(p);
    if (!is_comparator(t) && t != TK_BETWEEN && t != TK_IN)
        return left; /* a condition, or an operand the caller refuses */
    if (!is_operand(left))
        return fail(p);
    tok = p->pos++;
    if (t == TK_BETWEEN) {
        n = between_rest(p, left, tok);
    } else if (t == TK_IN) {
        n = in_rest(p, left, tok);
    } else {
        ddb_node *right = operand_cond(p);

        if (right == NULL)
            return NULL;
        n = op_node(p, NK_CMP, (uint8_t)comparator_of(t), 2, tok);
        n->args[0] = left;
        n->args[1] = right;
    }
    if (n != NULL)
        span(n, first, p->pos - 1);
    return n;
}

static ddb_node *cond_not(parser *p)
{
    uint32_t tok;
    ddb_node *inner, *n;

    if (peek_type(p) != TK_NOT)
        return predicate(p);
    tok = p->pos++;
    if ((inner = cond_not(p)) == NULL)
        return NULL;
    if (!is_condition(inner))
        return fail(p);
    n = op_node(p, NK_NOT, 0, 1, tok);
    n->args[0] = inner;
    return n;
}

/* x AND y, right-associative; both sides must be conditions. */
static ddb_node *cond_and(parser *p)
{
    ddb_node *left = cond_not(p), *right, *n;
    uint32_t tok;

    if (left == NULL || peek_type(p) != TK_AND)
        return left;
    if (!is_condition(left))
        return fail(p);
    tok = p->pos++;
    if ((right = cond_and(p)) == NULL)
        return NULL;
    if (!is_condition(right))
        return fail(p);
    n = op_node(p, NK_AND, 0, 2, tok);
    n->args[0] = left;
    n->args[1] = right;
    return n;
}

static ddb_node *cond_or(parser *p)
{
    ddb_node *left = cond_and(p), *right, *n;
    uint32_t tok;

    if (left == NULL || peek_type(p) != TK_OR)
        return left;
    if (!is_condition(left))
        return fail(p);
    tok = p->pos++;
    if ((right = cond_or(p)) == NULL)
        return NULL;
    if (!is_condition(right))
        return fail(p);
    n = op_node(p, NK_OR, 0, 2, tok);
    n->args[0] = left;
    n->args[1] = right;
    return n;
}

static int parse_condition(parser *p, ddb_expr *e)
{
    ddb_node *root = cond_or(p);

    if (root == NULL)
        return 0;
    if (!is_condition(root) || peek_type(p) != TK_EOF) {
        fail(p);
        return 0;
    }
    e->root = root;
    return 1;
}

/* ---------------------------------------------------------------- updates */

/* Update grammar operand: :value | function | path (paths are never parenthesized here). */
static ddb_node *operand_update(parser *p)
{
    return operand_simple(p, M_UPDATE);
}

static ddb_node *operand_parens_update(parser *p)
{
    ddb_node *inner;

    if (peek_type(p) != TK_LPAREN)
        return operand_update(p);
    p->pos++;
    if ((inner = operand_update(p)) == NULL || !expect(p, TK_RPAREN))
        return NULL;
    inner->parens = 1;
    return inner;
}

static ddb_node *arith_rest(parser *p, ddb_node *left)
{
    ddb_tok_type t = peek_type(p);
    uint32_t tok;
    ddb_node *right, *n;

    if (t != TK_PLUS && t != TK_MINUS)
        return left;
    tok = p->pos++;
    if ((right = operand_parens_update(p)) == NULL)
        return NULL;
    n = op_node(p, NK_ARITH, t == TK_PLUS ? AR_PLUS : AR_MINUS, 2, tok);
    n->args[0] = left;
    n->args[1] = right;
    return n;
}

/* operand [(+|-) operand] */
static ddb_node *set_value(parser *p)
{
    ddb_node *left = operand_parens_update(p);

    return left == NULL ? NULL : arith_rest(p, left);
}

/* '(' set_value ')' | set_value; `(a) + b` reads as a parenthesized operand. */
static ddb_node *set_value_parens(parser *p)
{
    ddb_node *v;

    if (peek_type(p) != TK_LPAREN)
        return set_value(p);
    p->pos++;
    if ((v = set_value(p)) == NULL || !expect(p, TK_RPAREN))
        return NULL;
    if (v->kind != NK_ARITH && !v->parens && (peek_type(p) == TK_PLUS || peek_type(p) == TK_MINUS)) {
        v->parens = 1;
        return arith_rest(p, v);
    }
    return v;
}

typedef struct actvec {
    ddb_action *v;
    uint32_t n, cap;
} actvec;

static ddb_action *act_push(ddb_arena *a, actvec *av)
{
    DDB_ARENA_ROOM(a, av->v, av->n, av->cap, 4);
    memset(&av->v[av->n], 0, sizeof(av->v[0]));
    return &av->v[av->n++];
}

static int update_action(parser *p, ddb_act_kind kind, ddb_action *act)
{
    ddb_node *path = path_expr(p);

    if (path == NULL)
        return 0;
    act->path = path->path;
    if (kind == ACT_SET) {
        if (!expect(p, TK_EQ) || (act->value = set_value_parens(p)) == NULL)
            return 0;
    } else if (kind == ACT_ADD || kind == ACT_DELETE) {
        if (peek_type(p) != TK_VALUE) {
            fail(p);
            return 0;
        }
        act->value = operand_simple(p, M_UPDATE);
    }
    return 1;
}

static int update_section(parser *p, actvec *av, uint8_t section)
{
    static const ddb_act_kind kinds[] = {[TK_SET] = ACT_SET, [TK_REMOVE] = ACT_REMOVE, [TK_ADD] = ACT_ADD,
                                         [TK_DELETE] = ACT_DELETE};
    ddb_tok_type t = peek_type(p);
    uint32_t kw = p->pos++;

    for (;;) {
        ddb_action *act = act_push(p->a, av);

        act->kind = (uint8_t)kinds[t];
        act->section = section;
        act->tok = kw;
        if (!update_action(p, kinds[t], act))
            return 0;
        if (peek_type(p) != TK_COMMA)
            return 1;
        p->pos++;
    }
}

static int is_section_keyword(ddb_tok_type t)
{
    return t == TK_SET || t == TK_REMOVE || t == TK_ADD || t == TK_DELETE;
}

static int parse_update(parser *p, ddb_expr *e)
{
    actvec av = {0};
    uint8_t section = 0;

    do {
        if (!is_section_keyword(peek_type(p))) {
            fail(p);
            return 0;
        }
        if (!update_section(p, &av, section < 255 ? section++ : section))
            return 0;
    } while (peek_type(p) != TK_EOF);
    e->acts = av.v;
    e->nacts = av.n;
    return 1;
}

/* ---------------------------------------------------------------- projections */

static int parse_projection(parser *p, ddb_expr *e)
{
    nodevec paths = {0};

    for (;;) {
        ddb_node *n = path_expr(p);

        if (n == NULL)
            return 0;
        nodevec_push(p->a, &paths, n);
        if (peek_type(p) != TK_COMMA)
            break;
        p->pos++;
    }
    if (peek_type(p) != TK_EOF) {
        fail(p);
        return 0;
    }
    e->paths = ddb_arena_alloc(p->a, sizeof(ddb_path) * paths.n);
    for (uint32_t i = 0; i < paths.n; i++)
        e->paths[i] = paths.v[i]->path;
    e->npaths = paths.n;
    return 1;
}

/* ---------------------------------------------------------------- entry */

/*
 * Parses `lx` as `kind` into *out. Returns NULL, or the message (without the "Invalid
 * XExpression: " prefix): a syntax error, redundant parentheses, or too many operators.
 */
const char *ddb_expr_syntax(ddb_arena *a, ddb_expr_kind kind, ddb_lexed *lx, ddb_expr **out)
{
    parser p = {a, lx, 0, NULL, 0};
    ddb_expr *e = DDB_NEW(a, ddb_expr);
    int ok;

    e->kind = (uint8_t)kind;
    if (kind == DDB_EXPR_UPDATE)
        ok = parse_update(&p, e);
    else if (kind == DDB_EXPR_PROJECTION)
        ok = parse_projection(&p, e);
    else
        ok = parse_condition(&p, e);
    if (!ok)
        return p.err;
    if (p.nops > DDB_EXPR_MAX_OPERATORS)
        return ddb_arena_sprintf(a, "The expression contains too many operators; operator count: %u", p.nops);
    *out = e;
    return NULL;
}
