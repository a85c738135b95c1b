/*
 * server/expr/partiql.c: PartiQL paths and conditions, compiled into expression trees.
 *
 *   SELECT (* | path, ...) FROM name[.name] [WHERE cond] [ORDER BY path [ASC|DESC], ...]
 *   INSERT INTO name VALUE literal
 *   UPDATE name (SET path = value, ... | REMOVE path, ...)+ [WHERE cond] [RETURNING ...]
 *   FROM name [WHERE cond] (SET ... | REMOVE ...)+ [RETURNING ...]       (the FROM-first update)
 *   DELETE FROM name [WHERE cond] [RETURNING ALL OLD *]
 *   EXISTS (SELECT * FROM name WHERE cond)                               (ExecuteTransaction)
 *
 * Conditions take OR < AND < NOT < comparisons, BETWEEN, IN and IS, as in SQL; each builds the
 * ddb_node the expression language builds for the same predicate (IS MISSING is
 * attribute_not_exists, IS NULL attribute_type(p, 'NULL'), ...). Keywords are SQL-92's reserved
 * words plus PartiQL's: a bare keyword is no identifier (`"key"` is), which is where DynamoDB's
 * "Unexpected keyword" and "Invalid path dot component" come from. The first error is kept,
 * worded as DynamoDB words it (partiql.h; the parser's cursor and its failures: partiql_parser.c).
 * The statements around the conditions are partiql_stmt.c's.
 */
#include "server/expr/partiql_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- paths */

/* An identifier token's name (a quoted one unquoted), or NULL when it is a keyword. */
static const char *ident(pq_parser *p, const pq_tok *t, uint32_t *len)
{
    if (t->type == PQ_QIDENT)
        return pq_unquote(p->a, p->lx, t, len);
    if (t->type != PQ_WORD || pq_is_keyword(p->lx, t))
        return NULL;
    *len = t->len;
    return ddb_arena_strndup(p->a, p->lx->src + t->start, t->len);
}

static void path_push(ddb_arena *a, ddb_path *path, uint32_t *cap, ddb_pelem e)
{
    DDB_ARENA_ROOM(a, path->e, path->n, *cap, 4);
    path->e[path->n++] = e;
}

/* A list index: an integer 0..2147483647 (a leading minus is read and refused). */
static int list_index(pq_parser *p, int32_t *out)
{
    int neg = pq_accept(p, PQ_MINUS);
    const pq_tok *t = pq_peek(p);
    const char *s = p->lx->src + t->start;
    long long v = 0;

    if (t->type != PQ_NUMBER)
        return pq_fail(p, pq_term_detail(p)), -1;
    for (uint32_t i = 0; i < t->len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return pq_fail(p, "Unexpected term"), -1;
        if (v <= 2147483648LL)
            v = v * 10 + (s[i] - '0');
    }
    if ((neg && v != 0) || v > 2147483647LL) {
        pq_fail_at(p, ddb_arena_sprintf(p->a, "List index is not within the allowable range; index: [%s%.*s]", neg ? "-" : "",
                                        (int)t->len, s),
                   t);
        return -1;
    }
    p->pos++;
    *out = (int32_t)v;
    return 0;
}

/* The rest of a path whose first element is at hand: .name, ."name", [n] and ['name']. */
static int path_rest(pq_parser *p, ddb_path *path, uint32_t *cap)
{
    for (;;) {
        ddb_pelem e = {.index = -1, .tok = DDB_NO_TOK, .kind = PE_IDENT};
        if (pq_accept(p, PQ_DOT)) {
            const pq_tok *t = pq_peek(p);
            if ((e.name = ident(p, t, &e.nlen)) == NULL) {
                if (t->type == PQ_STAR)
                    return pq_fail_msg(p, "Unpivot path component like a.*.b are not supported"), -1;
                return pq_fail(p, t->type == PQ_WORD ? "Invalid path dot component" : pq_term_detail(p)), -1;
            }
            if (e.nlen == 0)
                return pq_fail_msg(p, "Path component cannot be an empty string"), -1;
            p->pos++;
        } else if (pq_accept(p, PQ_LBRACK)) {
            const pq_tok *t = pq_peek(p);
            if (t->type == PQ_STRING) {
                e.name = pq_unquote(p->a, p->lx, t, &e.nlen);
                p->pos++;
            } else if (t->type == PQ_STAR) {
                return pq_fail_msg(p, "Wildcard path component like a[*].b are not supported"), -1;
            } else {
                e.kind = PE_INDEX;
                if (list_index(p, &e.index) != 0)
                    return -1;
            }
            if (!pq_accept(p, PQ_RBRACK))
                return pq_fail(p, pq_term_detail(p)), -1;
        } else {
            return 0;
        }
        path_push(p->a, path, cap, e);
    }
}

/* A document path starting at an identifier; 0, or -1 when the token is no identifier (nothing recorded). */
int pq_path(pq_parser *p, ddb_path *path)
{
    uint32_t cap = 0;
    ddb_pelem e = {.index = -1, .tok = DDB_NO_TOK, .kind = PE_IDENT};
    const pq_tok *t = pq_peek(p);

    memset(path, 0, sizeof(*path));
    if ((e.name = ident(p, t, &e.nlen)) == NULL)
        return -1;
    if (e.nlen == 0)
        return pq_fail_msg(p, "Path component cannot be an empty string"), -1;
    p->pos++;
    path_push(p->a, path, &cap, e);
    return path_rest(p, path, &cap);
}

static ddb_node *path_node(pq_parser *p)
{
    ddb_node *n = ddb_node_new(p->a, NK_PATH, 0, 0);

    if (pq_path(p, &n->path) != 0) {
        pq_fail(p, pq_term_detail(p));
        return NULL;
    }
    return n;
}

/* ---------------------------------------------------------------- conditions */

static ddb_node *cond_or(pq_parser *p);

int pq_is_bool_node(const ddb_node *n)
{
    return n->kind != NK_PATH && n->kind != NK_VALUE && n->kind != NK_ARITH && !(n->kind == NK_FUNC && n->op == FN_SIZE);
}

ddb_node *pq_value(pq_parser *p, int params_ok)
{
    ddb_attr *v = DDB_NEW(p->a, ddb_attr);

    if (pq_literal(p, params_ok, v) != 0)
        return NULL;
    return ddb_node_value(p->a, v);
}

static const struct {
    const char *name;
    ddb_func fn;
    uint32_t nargs;
} FUNCS[] = {
    {"attribute_exists", FN_ATTRIBUTE_EXISTS, 1}, {"attribute_not_exists", FN_ATTRIBUTE_NOT_EXISTS, 1},
    {"attribute_type", FN_ATTRIBUTE_TYPE, 2},     {"begins_with", FN_BEGINS_WITH, 2},
    {"contains", FN_CONTAINS, 2},                 {"size", FN_SIZE, 1},
};

static const char *const TYPE_NAMES = "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}";

const char *pq_operand_type_msg(ddb_arena *a, const char *op, uint8_t type)
{
    return ddb_arena_sprintf(a, "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
                             op, ddb_type_name((ddb_type)type));
}

/* The checks DynamoDB makes of a function's operands, as its expression language does. */
static ddb_node *check_func(pq_parser *p, ddb_node *n, const char *name)
{
    if (n->op != FN_SIZE && n->nargs > 0 && n->args[0]->kind != NK_PATH)
        return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                "Operator or function requires a document path; operator or function: %s",
                                                name)),
               NULL;
    if (n->op == FN_SIZE && n->args[0]->kind != NK_PATH)
        return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                "Operator or function requires a document path; operator or function: %s",
                                                name)),
               NULL;
    if (n->op == FN_ATTRIBUTE_TYPE && n->args[1]->kind == NK_VALUE) {
        const ddb_attr *v = n->args[1]->value;
        if (v->type != DDB_T_S)
            return pq_fail_msg(p, pq_operand_type_msg(p->a, "attribute_type", v->type));
        if (ddb_type_from_name(v->u.s, v->len) == DDB_T_NONE)
            return pq_fail_msg(p, ddb_arena_sprintf(p->a, "Invalid attribute type name found; type: %.*s, valid types: %s",
                                                    (int)v->len, v->u.s, TYPE_NAMES));
    }
    return n;
}

/* name(args...) in a condition; the name token is current and '(' follows. */
static ddb_node *call(pq_parser *p)
{
    const pq_tok *nt = pq_peek(p);
    const char *name = pq_lower(p->a, p->lx->src + nt->start, nt->len);
    ddb_node *args[8], *n;
    uint32_t nargs = 0;
    size_t f = 0;

    while (f < sizeof(FUNCS) / sizeof(FUNCS[0]) && strcmp(FUNCS[f].name, name) != 0)
        f++;
    if (f == sizeof(FUNCS) / sizeof(FUNCS[0]))
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "Unrecognized function: %s", name), nt), NULL;
    p->pos += 2;
    while (pq_peek(p)->type != PQ_RPAREN) {
        if (nargs == 8)
            return pq_fail(p, "Unexpected term"), NULL;
        if ((args[nargs++] = cond_or(p)) == NULL)
            return NULL;
        if (pq_member_end(p, PQ_RPAREN) != 0)
            return NULL;
    }
    p->pos++;
    if (nargs != FUNCS[f].nargs)
        return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                "Incorrect number of operands for operator or function; operator or "
                                                "function: %s, number of operands: %u",
                                                name, nargs));
    n = ddb_node_new(p->a, NK_FUNC, (uint8_t)FUNCS[f].fn, nargs);
    memcpy(n->args, args, sizeof(args[0]) * nargs);
    return check_func(p, n, name);
}

static ddb_node *primary(pq_parser *p)
{
    const pq_tok *t = pq_peek(p);
    ddb_node *n;

    if (t->type == PQ_LPAREN) {
        p->pos++;
        if ((n = cond_or(p)) == NULL)
            return NULL;
        if (!pq_accept(p, PQ_RPAREN))
            return pq_fail(p, pq_term_detail(p)), NULL;
        n->parens = 1;
        return n;
    }
    if (t->type == PQ_WORD && p->lx->toks[p->pos + 1].type == PQ_LPAREN && !pq_word_is(p->lx, t, "IN") &&
        !pq_is_word_operator(p->lx, t))
        return call(p);
    if (pq_starts_literal(p))
        return pq_value(p, 1);
    if (t->type == PQ_WORD || t->type == PQ_QIDENT) {
        if (t->type == PQ_WORD && pq_is_keyword(p->lx, t))
            return pq_fail(p, pq_term_detail(p)), NULL;
        return path_node(p);
    }
    return pq_fail(p, pq_term_detail(p)), NULL;
}

ddb_node *pq_node2(pq_parser *p, ddb_node_kind kind, uint8_t op, ddb_node *a, ddb_node *b)
{
    ddb_node *n = ddb_node_new(p->a, kind, op, 2);

    n->args[0] = a;
    n->args[1] = b;
    return n;
}

static ddb_node *not_node(pq_parser *p, ddb_node *a)
{
    ddb_node *n = ddb_node_new(p->a, NK_NOT, 0, 1);

    n->args[0] = a;
    return n;
}

/* An ordering operator's operand must be a path, size() or an S, N or B value. */
static int ordered_operand_ok(pq_parser *p, const char *op, const ddb_node *n)
{
    uint8_t t;

    if (n->kind != NK_VALUE && !pq_is_bool_node(n))
        return 1;
    t = n->kind == NK_VALUE ? n->value->type : DDB_T_BOOL;
    if (t == DDB_T_S || t == DDB_T_N || t == DDB_T_B)
        return 1;
    pq_fail_msg(p, pq_operand_type_msg(p->a, op, t));
    return 0;
}

/* A right-hand operand after an infix operator. */
static ddb_node *rhs(pq_parser *p)
{
    if (pq_peek(p)->type == PQ_EOF || pq_peek(p)->type == PQ_SEMI)
        return pq_fail(p, "Missing right-hand side expression of infix operator"), NULL;
    return primary(p);
}

/* `b = true`, `b <> false`, ... of a boolean predicate: the predicate or its negation. */
static ddb_node *bool_compare(pq_parser *p, ddb_cmp op, ddb_node *a, ddb_node *b)
{
    ddb_node *pred = pq_is_bool_node(a) ? a : b, *other = pred == a ? b : a;
    int want;

    if (op != CMP_EQ && op != CMP_NE)
        return pq_fail_msg(p, pq_operand_type_msg(p->a, op == CMP_LT ? "<" : op == CMP_LE ? "<=" : op == CMP_GT ? ">" : ">=",
                                               DDB_T_BOOL));
    if (other->kind == NK_VALUE && other->value->type == DDB_T_BOOL) {
        want = other->value->boolean == (op == CMP_EQ);
        return want ? pred : not_node(p, pred);
    }
    if (pq_is_bool_node(other)) { /* (x) = (y): both hold or neither does */
        ddb_node *both = pq_node2(p, NK_AND, 0, pred, other);
        ddb_node *neither = pq_node2(p, NK_AND, 0, not_node(p, pred), not_node(p, other));
        ddb_node *eq = pq_node2(p, NK_OR, 0, both, neither);
        return op == CMP_EQ ? eq : not_node(p, eq);
    }
    if (other->kind == NK_VALUE) /* a boolean never equals a value of another type */
        return op == CMP_EQ ? pq_node2(p, NK_AND, 0, pred, not_node(p, pred)) : pq_node2(p, NK_OR, 0, pred, not_node(p, pred));
    /* a path: the predicate's truth against a BOOL attribute */
    {
        static const ddb_attr T = {.type = DDB_T_BOOL, .boolean = 1}, F = {.type = DDB_T_BOOL, .boolean = 0};
        ddb_node *is_t = pq_node2(p, NK_CMP, CMP_EQ, other, ddb_node_value(p->a, &T));
        ddb_node *is_f = pq_node2(p, NK_CMP, CMP_EQ, other, ddb_node_value(p->a, &F));
        ddb_node *eq = pq_node2(p, NK_OR, 0, pq_node2(p, NK_AND, 0, pred, is_t), pq_node2(p, NK_AND, 0, not_node(p, pred), is_f));
        return op == CMP_EQ ? eq : not_node(p, eq);
    }
}

static ddb_node *in_list(pq_parser *p, ddb_node *lhs)
{
    pq_tok_type close;
    ddb_node *items[101], *n;
    uint32_t count = 0;

    if (pq_accept(p, PQ_LBRACK))
        close = PQ_RBRACK;
    else if (pq_accept(p, PQ_LPAREN))
        close = PQ_RPAREN;
    else
        return pq_fail(p, pq_term_detail(p)), NULL;
    if (pq_members(p, close, primary, items, 101, &count) != 0)
        return NULL;
    if (count > 100)
        return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                "The IN operator is provided with too many operands; number of operands: %u",
                                                count));
    if (count == 0)
        return pq_fail_msg(p, "IN operator must have a left hand argument of type Variable Reference and right hand "
                              "argument of type Seq with at least one member");
    n = ddb_node_new(p->a, NK_IN, 0, count + 1);
    n->args[0] = lhs;
    memcpy(n->args + 1, items, sizeof(items[0]) * count);
    return n;
}

/* IS [NOT] MISSING | NULL | <type>. */
static ddb_node *is_test(pq_parser *p, ddb_node *lhs)
{
    static const struct {
        const char *word;
        const char *type; /* NULL: MISSING */
    } TYPES[] = {
        {"MISSING", NULL}, {"NULL", "NULL"}, {"BOOL", "BOOL"}, {"BOOLEAN", "BOOL"}, {"STRING", "S"}, {"VARCHAR", "S"},
        {"CHAR", "S"}, {"CHARACTER", "S"}, {"SYMBOL", "S"}, {"NUMERIC", "N"}, {"DECIMAL", "N"}, {"DEC", "N"},
        {"INT", "N"}, {"INTEGER", "N"}, {"INT2", "N"}, {"INT4", "N"}, {"INT8", "N"}, {"SMALLINT", "N"}, {"BIGINT", "N"},
        {"FLOAT", "N"}, {"REAL", "N"}, {"DOUBLE", "N"}, {"BLOB", "B"}, {"CLOB", "B"}, {"STRUCT", "M"}, {"TUPLE", "M"},
        {"LIST", "L"}, {"SEXP", "L"},
    };
    int neg = pq_accept_word(p, "NOT");
    ddb_node *n = NULL;

    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]) && n == NULL; i++) {
        if (!pq_accept_word(p, TYPES[i].word))
            continue;
        if (pq_word_is(p->lx, &p->lx->toks[p->pos - 1], "DOUBLE"))
            pq_accept_word(p, "PRECISION");
        if (pq_word_is(p->lx, &p->lx->toks[p->pos - 1], "CHARACTER"))
            pq_accept_word(p, "VARYING");
        if (lhs->kind != NK_PATH)
            return pq_fail_msg(p, "The left hand side argument to IS must be a Variable Reference, Literal, or Path");
        if (TYPES[i].type == NULL) {
            n = ddb_node_new(p->a, NK_FUNC, neg ? FN_ATTRIBUTE_EXISTS : FN_ATTRIBUTE_NOT_EXISTS, 1);
            n->args[0] = lhs;
            return n;
        }
        ddb_attr *t = DDB_NEW(p->a, ddb_attr);
        t->type = DDB_T_S;
        t->u.s = TYPES[i].type;
        t->len = (uint32_t)strlen(TYPES[i].type);
        n = pq_node2(p, NK_FUNC, FN_ATTRIBUTE_TYPE, lhs, ddb_node_value(p->a, t));
    }
    if (n == NULL)
        return pq_fail(p, "Expected type name"), NULL;
    return neg ? not_node(p, n) : n;
}

static const struct {
    pq_tok_type tok;
    ddb_cmp cmp;
    const char *text;
} CMPS[] = {
    {PQ_EQ, CMP_EQ, "="}, {PQ_NE, CMP_NE, "<>"}, {PQ_LT, CMP_LT, "<"},
    {PQ_LE, CMP_LE, "<="}, {PQ_GT, CMP_GT, ">"}, {PQ_GE, CMP_GE, ">="},
};

static ddb_node *predicate(pq_parser *p)
{
    ddb_node *a = primary(p), *b, *c, *n;
    int neg;

    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(CMPS) / sizeof(CMPS[0]); i++) {
        if (!pq_accept(p, CMPS[i].tok))
            continue;
        if ((b = rhs(p)) == NULL)
            return NULL;
        if (pq_is_bool_node(a) || pq_is_bool_node(b))
            return bool_compare(p, CMPS[i].cmp, a, b);
        if (CMPS[i].cmp != CMP_EQ && CMPS[i].cmp != CMP_NE &&
            (!ordered_operand_ok(p, CMPS[i].text, a) || !ordered_operand_ok(p, CMPS[i].text, b)))
            return NULL;
        return pq_node2(p, NK_CMP, CMPS[i].cmp, a, b);
    }
    if (pq_accept_word(p, "IS"))
        return is_test(p, a);
    neg = pq_accept_word(p, "NOT");
    if (pq_accept_word(p, "BETWEEN")) {
        if ((b = rhs(p)) == NULL)
            return NULL;
        if (!pq_accept_word(p, "AND"))
            return pq_fail(p, pq_term_detail(p)), NULL;
        if ((c = rhs(p)) == NULL)
            return NULL;
        if (!ordered_operand_ok(p, "BETWEEN", a) || !ordered_operand_ok(p, "BETWEEN", b) ||
            !ordered_operand_ok(p, "BETWEEN", c))
            return NULL;
        n = ddb_node_new(p->a, NK_BETWEEN, 0, 3);
        n->args[0] = a;
        n->args[1] = b;
        n->args[2] = c;
        return neg ? not_node(p, n) : n;
    }
    if (pq_accept_word(p, "IN")) {
        n = in_list(p, a);
        return n != NULL && neg ? not_node(p, n) : n;
    }
    if (neg || pq_word_is(p->lx, pq_peek(p), "LIKE"))
        return pq_fail_msg(p, ddb_arena_sprintf(p->a, "Unsupported operation: %s", neg ? "Not" : "Like"));
    return a;
}

int pq_members(pq_parser *p, pq_tok_type close, ddb_node *(*member)(pq_parser *p), ddb_node **items, uint32_t room,
               uint32_t *n)
{
    *n = 0;
    while (pq_peek(p)->type != close) {
        ddb_node *v = member(p);
        if (v == NULL)
            return -1;
        if (*n < room)
            items[*n] = v;
        (*n)++;
        if (pq_member_end(p, close) != 0)
            return -1;
    }
    p->pos++;
    return 0;
}

int pq_nest(pq_parser *p)
{
    if (++p->depth <= PQ_MAX_DEPTH)
        return 1;
    pq_fail(p, "Nesting Levels have exceeded supported limits");
    return 0;
}

static ddb_node *cond_not(pq_parser *p)
{
    ddb_node *a;

    if (!pq_accept_word(p, "NOT"))
        return predicate(p);
    if (!pq_nest(p))
        return NULL;
    a = cond_not(p);
    p->depth--;
    if (a == NULL)
        return NULL;
    if (!pq_is_bool_node(a))
        return pq_fail_msg(p, "The argument to NOT must be a Type or Expression");
    return not_node(p, a);
}

/* a (KW b)*: AND over NOT-terms, OR over AND-chains, left to right. */
static ddb_node *infix_chain(pq_parser *p, const char *kw, ddb_node_kind kind, ddb_node *(*term)(pq_parser *))
{
    ddb_node *a = term(p), *b;

    while (a != NULL && pq_accept_word(p, kw)) {
        if (pq_peek(p)->type == PQ_EOF || pq_peek(p)->type == PQ_SEMI)
            return pq_fail(p, "Missing right-hand side expression of infix operator"), NULL;
        if ((b = term(p)) == NULL)
            return NULL;
        if (!pq_is_bool_node(a) || !pq_is_bool_node(b))
            return pq_fail_msg(p, "The arguments to AND/OR must be Expressions");
        a = pq_node2(p, kind, 0, a, b);
    }
    return a;
}

static ddb_node *cond_and(pq_parser *p)
{
    return infix_chain(p, "AND", NK_AND, cond_not);
}

static ddb_node *cond_or(pq_parser *p)
{
    ddb_node *n;

    if (!pq_nest(p))
        return NULL;
    n = infix_chain(p, "OR", NK_OR, cond_and);
    p->depth--;
    return n;
}

ddb_expr *pq_new_expr(pq_parser *p, ddb_expr_kind kind)
{
    ddb_expr *e = DDB_NEW(p->a, ddb_expr);

    e->kind = (uint8_t)kind;
    return e;
}

/* WHERE's condition (the keyword is behind us). */
ddb_expr *pq_where(pq_parser *p)
{
    ddb_expr *e = pq_new_expr(p, DDB_EXPR_CONDITION);

    if ((e->root = cond_or(p)) == NULL)
        return NULL;
    if (!pq_is_bool_node(e->root))
        return pq_fail_msg(p, "WHERE clause must contain an expression that resolves to a boolean");
    return e;
}
