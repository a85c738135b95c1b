/*
 * server/expr/expr_check.c: the semantic checks of a parsed expression (the grammar is
 * expr_parse.c's): names and values defined, reserved words, functions and their operands,
 * operand counts and types, path depth, overlapping and conflicting update paths. They resolve
 * #names and :values in the tree and mark them used.
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "server/expr/reserved_words.h"

/* ================================================================ checks
 *
 * After a tree parses, DynamoDB reports the first problem of the highest-ranked kind. The ranks
 * differ per grammar (dynalite's errorOrder lists, checked against DynamoDB):
 *   conditions:  unknown function, misused function, reserved word, then per condition in
 *                textual order: undefined #name/:value, operand count, distinct operands, types;
 *   updates:     reserved word, unknown function, repeated section, undefined #name, undefined
 *                :value, overlapping paths, conflicting paths, ADD/DELETE operand type, functions;
 *   projections: reserved word, undefined #name, overlapping paths, conflicting paths.
 * Each pass walks the whole tree once, so checking is linear in the expression's size.
 */

typedef struct checker {
    ddb_arena *a;
    ddb_expr_ctx *ctx;
    ddb_lexed *lx;
} checker;

static const char *tok_ptr(const checker *c, uint32_t tok)
{
    return c->lx->src + c->lx->toks[tok].start;
}

static int tok_len(const checker *c, uint32_t tok)
{
    return (int)c->lx->toks[tok].len;
}

/* The function's name as written, for messages. */
#define FN_NAME(c, n) tok_len((c), (n)->tok), tok_ptr((c), (n)->tok)

static const char *cmp_text(uint8_t op)
{
    static const char *const text[] = {"=", "<>", "<", "<=", ">", ">="};

    return text[op];
}

static uint32_t func_arity(uint8_t f)
{
    return (f == FN_ATTRIBUTE_EXISTS || f == FN_ATTRIBUTE_NOT_EXISTS || f == FN_SIZE) ? 1 : 2;
}

static int is_update_func(uint8_t f)
{
    return f == FN_IF_NOT_EXISTS || f == FN_LIST_APPEND;
}

ddb_type ddb_node_static_type(const ddb_node *n)
{
    switch (n->kind) {
    case NK_VALUE:
        return n->value ? (ddb_type)n->value->type : DDB_T_NONE;
    case NK_ARITH:
        return DDB_T_N;
    case NK_FUNC:
        switch (n->op) {
        case FN_SIZE:
            return DDB_T_N;
        case FN_BEGINS_WITH:
        case FN_CONTAINS:
        case FN_ATTRIBUTE_TYPE:
            return DDB_T_BOOL;
        case FN_LIST_APPEND:
            return DDB_T_L;
        case FN_IF_NOT_EXISTS:
            return n->nargs >= 2 ? ddb_node_static_type(n->args[1]) : DDB_T_NONE;
        default:
            return DDB_T_NONE;
        }
    default:
        return DDB_T_NONE;
    }
}

/* The type of a literal :value operand only (dynalite's getImmediateType). */
static ddb_type immediate_type(const ddb_node *n)
{
    return n->kind == NK_VALUE && n->value ? (ddb_type)n->value->type : DDB_T_NONE;
}

/* ---------------------------------------------------------------- token passes */

/* List indexes are Java ints: at most 2147483647. */
static int index_too_big(const char *s, size_t n)
{
    long long v = 0;

    if (n > 10)
        return 1;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v > INT32_MAX;
}

/* Reserved words and list indexes, in the order they are written. */
static const char *check_tokens(checker *c)
{
    for (uint32_t i = 0; i < c->lx->n; i++) {
        const ddb_tok *t = &c->lx->toks[i];

        if ((t->flags & TF_PATH_IDENT) && ddb_is_reserved_word(tok_ptr(c, i), t->len))
            return ddb_arena_sprintf(c->a, "Attribute name is a reserved keyword; reserved keyword: %.*s", tok_len(c, i),
                                     tok_ptr(c, i));
        if ((t->flags & TF_PATH_INDEX) && index_too_big(tok_ptr(c, i), t->len))
            return ddb_arena_sprintf(c->a, "List index is not within the allowable range; index: [%.*s]", tok_len(c, i),
                                     tok_ptr(c, i));
    }
    return NULL;
}

static const char *undefined_name(checker *c, uint32_t i)
{
    return ddb_arena_sprintf(c->a,
                             "An expression attribute name used in the document path is not defined; attribute name: %.*s",
                             tok_len(c, i), tok_ptr(c, i));
}

static const char *undefined_value(checker *c, uint32_t i)
{
    return ddb_arena_sprintf(c->a,
                             "An expression attribute value used in expression is not defined; attribute value: %.*s",
                             tok_len(c, i), tok_ptr(c, i));
}

/* The first #name (want TK_NAME) or :value (TK_VALUE), or either (TK_EOF), in [first, last] not defined. */
static const char *check_defined(checker *c, uint32_t first, uint32_t last, ddb_tok_type want)
{
    for (uint32_t i = first; i <= last && i < c->lx->n; i++) {
        ddb_tok_type t = (ddb_tok_type)c->lx->toks[i].type;

        if (t == TK_NAME && (want == TK_EOF || want == TK_NAME) &&
            ddb_expr_table_find(&c->ctx->names, tok_ptr(c, i), (size_t)tok_len(c, i)) == NULL)
            return undefined_name(c, i);
        if (t == TK_VALUE && (want == TK_EOF || want == TK_VALUE) &&
            ddb_expr_table_find(&c->ctx->values, tok_ptr(c, i), (size_t)tok_len(c, i)) == NULL)
            return undefined_value(c, i);
    }
    return NULL;
}

/* ---------------------------------------------------------------- resolution */

static void resolve_path(checker *c, ddb_path *p)
{
    for (uint32_t i = 0; i < p->n; i++) {
        ddb_pelem *e = &p->e[i];
        ddb_expr_ctx_entry *ent;

        if (e->kind != PE_NAME)
            continue;
        ent = ddb_expr_table_find(&c->ctx->names, tok_ptr(c, e->tok), (size_t)tok_len(c, e->tok));
        if (ent != NULL) {
            e->name = ent->name;
            e->nlen = ent->nlen;
            ent->used = 1;
        }
    }
}

/* Resolves the #names and :values of a subtree and marks them used. */
static void resolve_tree(checker *c, ddb_node *n)
{
    if (n->kind == NK_PATH) {
        resolve_path(c, &n->path);
    } else if (n->kind == NK_VALUE && n->tok != DDB_NO_TOK) {
        ddb_expr_ctx_entry *ent = ddb_expr_table_find(&c->ctx->values, tok_ptr(c, n->tok), (size_t)tok_len(c, n->tok));

        if (ent != NULL) {
            n->value = &ent->value;
            ent->used = 1;
        }
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        resolve_tree(c, n->args[i]);
}

/* ---------------------------------------------------------------- paths */

const char *ddb_path_str(ddb_arena *a, const ddb_path *p)
{
    ddb_buf b = {0};
    const char *out;

    ddb_buf_putc(&b, '[');
    for (uint32_t i = 0; i < p->n; i++) {
        if (i > 0)
            ddb_buf_puts(&b, ", ");
        if (p->e[i].kind == PE_INDEX)
            ddb_buf_printf(&b, "[%d]", p->e[i].index);
        else if (p->e[i].name != NULL)
            ddb_buf_append(&b, p->e[i].name, p->e[i].nlen);
    }
    ddb_buf_putc(&b, ']');
    out = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

static int elems_equal(const ddb_pelem *x, const ddb_pelem *y)
{
    if ((x->kind == PE_INDEX) != (y->kind == PE_INDEX))
        return 0;
    if (x->kind == PE_INDEX)
        return x->index == y->index;
    return x->nlen == y->nlen && (x->nlen == 0 || memcmp(x->name, y->name, x->nlen) == 0);
}

static int paths_equal(const ddb_path *x, const ddb_path *y)
{
    if (x->n != y->n)
        return 0;
    for (uint32_t i = 0; i < x->n; i++) {
        if (!elems_equal(&x->e[i], &y->e[i]))
            return 0;
    }
    return 1;
}

static const char *check_depth(checker *c, const ddb_path *p)
{
    if (p->n > DDB_EXPR_MAX_PATH_DEPTH)
        return ddb_arena_sprintf(c->a, "The document path has too many nesting levels; nesting levels: %u", p->n);
    return NULL;
}

static const char *check_tree_depth(checker *c, const ddb_node *n)
{
    const char *r;

    if (n->kind == NK_PATH)
        return check_depth(c, &n->path);
    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_tree_depth(c, n->args[i])) != NULL)
            return r;
    }
    return NULL;
}

/* 0: unrelated, 1: one path is a prefix of the other, 2: a name and an index at one level. */
static int path_relation(const ddb_path *x, const ddb_path *y)
{
    uint32_t n = x->n < y->n ? x->n : y->n;

    for (uint32_t i = 0; i < n; i++) {
        if ((x->e[i].kind == PE_INDEX) != (y->e[i].kind == PE_INDEX))
            return 2;
        if (!elems_equal(&x->e[i], &y->e[i]))
            return 0;
    }
    return 1;
}

typedef struct path_ix {
    const ddb_path *p;
    uint32_t ix;
} path_ix;

static int path_ix_cmp(const void *pa, const void *pb)
{
    const path_ix *a = pa, *b = pb;
    const ddb_pelem *x = &a->p->e[0], *y = &b->p->e[0];
    uint32_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
    int r = n ? memcmp(x->name, y->name, n) : 0;

    if (r != 0)
        return r;
    if (x->nlen != y->nlen)
        return x->nlen < y->nlen ? -1 : 1;
    return a->ix < b->ix ? -1 : (a->ix > b->ix);
}

/*
 * dynalite's checkPath: each path against every earlier one. The first overlap wins; failing
 * that, the last conflict found is reported. Paths can only clash when their first attribute is
 * the same, so they are grouped by it first and compared within a group.
 */
static const char *check_overlaps(checker *c, const ddb_path *const *paths, uint32_t n)
{
    path_ix *v = ddb_arena_alloc(c->a, sizeof(*v) * (n ? n : 1));
    uint64_t overlap = UINT64_MAX, conflict = 0;
    int have_conflict = 0;

    for (uint32_t i = 0; i < n; i++)
        v[i] = (path_ix){paths[i], i};
    qsort(v, n, sizeof(*v), path_ix_cmp);
    for (uint32_t g = 0; g < n;) {
        uint32_t end = g + 1;

        while (end < n && path_ix_cmp(&(path_ix){v[g].p, 0}, &(path_ix){v[end].p, 0}) == 0)
            end++;
        for (uint32_t i = g; i < end; i++) {
            for (uint32_t j = g; j < i; j++) {
                /* v is sorted by index within a group: v[j] is the earlier path. */
                uint64_t key = ((uint64_t)v[i].ix << 32) | v[j].ix;
                int rel = path_relation(v[j].p, v[i].p);

                if (rel == 1 && key < overlap)
                    overlap = key;
                if (rel == 2 && (!have_conflict || key > conflict)) {
                    conflict = key;
                    have_conflict = 1;
                }
            }
        }
        g = end;
    }
    if (overlap != UINT64_MAX)
        return ddb_arena_sprintf(c->a,
                                 "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                                 "path one: %s, path two: %s",
                                 ddb_path_str(c->a, paths[overlap & 0xffffffffu]), ddb_path_str(c->a, paths[overlap >> 32]));
    if (have_conflict)
        return ddb_arena_sprintf(c->a,
                                 "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                                 "path one: %s, path two: %s",
                                 ddb_path_str(c->a, paths[conflict & 0xffffffffu]), ddb_path_str(c->a, paths[conflict >> 32]));
    return NULL;
}

/* ---------------------------------------------------------------- functions */

/* Unknown functions, and functions of the other grammar, innermost first. */
static const char *check_function_names(checker *c, const ddb_node *n, int update)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_function_names(c, n->args[i], update)) != NULL)
            return r;
    }
    if (n->kind != NK_FUNC)
        return NULL;
    if (n->op == FN_UNKNOWN)
        return ddb_arena_sprintf(c->a, "Invalid function name; function: %.*s", FN_NAME(c, n));
    if (update && !is_update_func(n->op))
        return ddb_arena_sprintf(c->a, "The function is not allowed in an update expression; function: %.*s",
                                 FN_NAME(c, n));
    if (!update && is_update_func(n->op))
        return ddb_arena_sprintf(c->a, "The function is not allowed in a condition expression; function: %.*s",
                                 FN_NAME(c, n));
    return NULL;
}

static const char *misused(checker *c, const ddb_node *f)
{
    return ddb_arena_sprintf(c->a, "The function is not allowed to be used this way in an expression; function: %.*s",
                             FN_NAME(c, f));
}

static int is_size(const ddb_node *n)
{
    return n->kind == NK_FUNC && n->op == FN_SIZE;
}

/* size() where a condition belongs, or a condition function where an operand belongs. */
static const char *check_misuse(checker *c, const ddb_node *n)
{
    const char *r;
    int boolean = n->kind == NK_AND || n->kind == NK_OR || n->kind == NK_NOT;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_misuse(c, n->args[i])) != NULL)
            return r;
    }
    for (uint32_t i = 0; i < n->nargs; i++) {
        const ddb_node *arg = n->args[i];

        if (boolean && is_size(arg))
            return misused(c, arg);
        if (!boolean && arg->kind == NK_FUNC && arg->op != FN_SIZE)
            return misused(c, arg);
    }
    return NULL;
}

static const char *operand_type_error(checker *c, const char *op, int oplen, ddb_type t)
{
    return ddb_arena_sprintf(c->a, "Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
                             oplen, op, ddb_type_name(t));
}

static const char *needs_path(checker *c, const ddb_node *f)
{
    return ddb_arena_sprintf(c->a, "Operator or function requires a document path; operator or function: %.*s",
                             FN_NAME(c, f));
}

static const char *arity_error(checker *c, const ddb_node *f)
{
    return ddb_arena_sprintf(c->a,
                             "Incorrect number of operands for operator or function; operator or function: %.*s, number of "
                             "operands: %u",
                             FN_NAME(c, f), f->nargs);
}

/* ---------------------------------------------------------------- condition units */

static const char *check_counts(checker *c, const ddb_node *n)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_counts(c, n->args[i])) != NULL)
            return r;
    }
    if (n->kind == NK_FUNC && n->nargs != func_arity(n->op))
        return arity_error(c, n);
    if (n->kind == NK_IN && n->nargs - 1 > DDB_EXPR_MAX_IN)
        return ddb_arena_sprintf(c->a, "The IN operator is provided with too many operands; number of operands: %u",
                                 n->nargs - 1);
    return NULL;
}

static const char *not_distinct(checker *c, const char *op, int oplen, const ddb_node *first)
{
    return ddb_arena_sprintf(c->a,
                             "The first operand must be distinct from the remaining operands for this operator or function; "
                             "operator: %.*s, first operand: %s",
                             oplen, op, ddb_path_str(c->a, &first->path));
}

/* Whether the first operand is a path repeated among the others. */
static int repeats_first(const ddb_node *n, uint32_t from)
{
    if (n->args[0]->kind != NK_PATH)
        return 0;
    for (uint32_t i = from; i < n->nargs; i++) {
        if (n->args[i]->kind == NK_PATH && paths_equal(&n->args[0]->path, &n->args[i]->path))
            return 1;
    }
    return 0;
}

static const char *check_distinct(checker *c, const ddb_node *n)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_distinct(c, n->args[i])) != NULL)
            return r;
    }
    if (n->kind == NK_CMP && repeats_first(n, 1))
        return not_distinct(c, cmp_text(n->op), (int)strlen(cmp_text(n->op)), n->args[0]);
    if (n->kind == NK_BETWEEN && repeats_first(n, 1))
        return not_distinct(c, "BETWEEN", 7, n->args[0]);
    if (n->kind == NK_IN && repeats_first(n, 1))
        return not_distinct(c, "IN", 2, n->args[0]);
    if (n->kind == NK_FUNC && n->nargs == 2 && n->op != FN_SIZE && repeats_first(n, 1))
        return not_distinct(c, tok_ptr(c, n->tok), tok_len(c, n->tok), n->args[0]);
    return NULL;
}

static int is_scalar_type(ddb_type t)
{
    return t == DDB_T_S || t == DDB_T_N || t == DDB_T_B;
}

/* Operands of < <= > >= and BETWEEN must be able to be S, N or B. */
static const char *check_scalar_operands(checker *c, const ddb_node *n, const char *op, int oplen)
{
    for (uint32_t i = 0; i < n->nargs; i++) {
        ddb_type t = ddb_node_static_type(n->args[i]);

        if (t != DDB_T_NONE && !is_scalar_type(t))
            return operand_type_error(c, op, oplen, t);
    }
    return NULL;
}

const char *ddb_bound_str(ddb_arena *a, const ddb_attr *v)
{
    if (v->type == DDB_T_B)
        return ddb_arena_sprintf(a, "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=%u cap=%u]}", v->len, v->len);
    return ddb_arena_sprintf(a, "AttributeValue: {%s:%.*s}", ddb_type_name((ddb_type)v->type), (int)v->len, v->u.s);
}

static const char *check_between_bounds(checker *c, const ddb_node *n)
{
    const ddb_attr *lo = n->args[1]->value, *hi = n->args[2]->value;
    bool ok;

    if (n->args[1]->kind != NK_VALUE || n->args[2]->kind != NK_VALUE || lo == NULL || hi == NULL)
        return NULL;
    if (lo->type != hi->type)
        return ddb_arena_sprintf(c->a,
                                 "The BETWEEN operator requires same data type for lower and upper bounds; lower bound "
                                 "operand: %s, upper bound operand: %s",
                                 ddb_bound_str(c->a, lo), ddb_bound_str(c->a, hi));
    if (ddb_scalar_order(lo, hi, &ok) > 0 && ok)
        return ddb_arena_sprintf(c->a,
                                 "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                                 "lower bound operand: %s, upper bound operand: %s",
                                 ddb_bound_str(c->a, lo), ddb_bound_str(c->a, hi));
    return NULL;
}

static int valid_type_name(const ddb_attr *v)
{
    return v->type == DDB_T_S && v->len > 0 && v->len <= 4 && ddb_type_from_name(v->u.s, v->len) != DDB_T_NONE;
}

static const char *check_attribute_type(checker *c, const ddb_node *n)
{
    const ddb_node *t = n->args[1];
    ddb_type st = ddb_node_static_type(t);

    /* the first operand may be a value too: DynamoDB accepts attribute_type(:v, :t) (DynamoDB Local
     * 1.25 agrees), unlike attribute_exists and attribute_not_exists */
    if (st == DDB_T_NONE)
        return ddb_arena_sprintf(c->a, "Incorrect operand type for operator or function; operator or function: "
                                       "attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
    if (st != DDB_T_S)
        return operand_type_error(c, "attribute_type", 14, st);
    if (!valid_type_name(t->value))
        return ddb_arena_sprintf(c->a, "Invalid attribute type name found; type: %.*s, valid types: "
                                       "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                                 (int)t->value->len, t->value->u.s);
    return NULL;
}

static const char *check_function_types(checker *c, const ddb_node *n)
{
    switch (n->op) {
    case FN_ATTRIBUTE_EXISTS:
    case FN_ATTRIBUTE_NOT_EXISTS:
        return n->args[0]->kind != NK_PATH ? needs_path(c, n) : NULL;
    case FN_ATTRIBUTE_TYPE:
        return check_attribute_type(c, n);
    case FN_BEGINS_WITH:
        for (uint32_t i = 0; i < n->nargs; i++) {
            ddb_type t = ddb_node_static_type(n->args[i]);

            if (t != DDB_T_NONE && t != DDB_T_S && t != DDB_T_B)
                return operand_type_error(c, "begins_with", 11, t);
        }
        return NULL;
    case FN_SIZE: {
        ddb_type t = ddb_node_static_type(n->args[0]);

        return (t == DDB_T_N || t == DDB_T_BOOL || t == DDB_T_NULL) ? operand_type_error(c, "size", 4, t) : NULL;
    }
    default:
        return NULL;
    }
}

static const char *check_types(checker *c, const ddb_node *n)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_types(c, n->args[i])) != NULL)
            return r;
    }
    if (n->kind == NK_FUNC)
        return check_function_types(c, n);
    if (n->kind == NK_CMP && n->op != CMP_EQ && n->op != CMP_NE)
        return check_scalar_operands(c, n, cmp_text(n->op), (int)strlen(cmp_text(n->op)));
    if (n->kind == NK_BETWEEN) {
        if ((r = check_scalar_operands(c, n, "BETWEEN", 7)) != NULL)
            return r;
        return check_between_bounds(c, n);
    }
    return NULL;
}

/* One comparison, BETWEEN, IN or function used as a condition. */
static const char *check_unit(checker *c, ddb_node *n)
{
    const char *r;

    if ((r = check_defined(c, n->first, n->last, TK_EOF)) != NULL)
        return r;
    resolve_tree(c, n);
    if ((r = check_counts(c, n)) != NULL || (r = check_distinct(c, n)) != NULL)
        return r;
    return check_types(c, n);
}

static const char *check_units(checker *c, ddb_node *n)
{
    const char *r;

    if (n->kind == NK_AND || n->kind == NK_OR) {
        if ((r = check_units(c, n->args[0])) != NULL)
            return r;
        return check_units(c, n->args[1]);
    }
    if (n->kind == NK_NOT)
        return check_units(c, n->args[0]);
    return check_unit(c, n);
}

static const char *check_condition(checker *c, ddb_expr *e)
{
    const char *r;

    if ((r = check_function_names(c, e->root, 0)) != NULL || (r = check_misuse(c, e->root)) != NULL)
        return r;
    if (is_size(e->root))
        return misused(c, e->root);
    if ((r = check_tokens(c)) != NULL || (r = check_tree_depth(c, e->root)) != NULL)
        return r;
    return check_units(c, e->root);
}

/* ---------------------------------------------------------------- updates */

static const char *section_name(uint8_t kind)
{
    static const char *const names[] = {"SET", "REMOVE", "ADD", "DELETE"};

    return names[kind];
}

static const char *check_sections(checker *c, const ddb_expr *e)
{
    unsigned seen = 0;
    int last = -1;

    for (uint32_t i = 0; i < e->nacts; i++) {
        const ddb_action *act = &e->acts[i];

        if (act->section == last)
            continue;
        last = act->section;
        if (seen & (1u << act->kind))
            return ddb_arena_sprintf(c->a, "The \"%s\" section can only be used once in an update expression;",
                                     section_name(act->kind));
        seen |= 1u << act->kind;
    }
    return NULL;
}

static const char *long_type_name(ddb_type t)
{
    switch (t) {
    case DDB_T_S: return "STRING";
    case DDB_T_N: return "NUMBER";
    case DDB_T_B: return "BINARY";
    case DDB_T_NULL: return "NULL";
    case DDB_T_BOOL: return "BOOLEAN";
    case DDB_T_L: return "LIST";
    case DDB_T_M: return "MAP";
    default: return NULL;
    }
}

/* ADD takes a number or a set, DELETE a set. */
static const char *check_add_delete(checker *c, const ddb_expr *e)
{
    for (uint32_t i = 0; i < e->nacts; i++) {
        const ddb_action *act = &e->acts[i];
        ddb_type t;

        if (act->kind != ACT_ADD && act->kind != ACT_DELETE)
            continue;
        t = immediate_type(act->value);
        if (long_type_name(t) != NULL && !(act->kind == ACT_ADD && t == DDB_T_N))
            return ddb_arena_sprintf(c->a,
                                     "Incorrect operand type for operator or function; operator: %s, operand type: %s, "
                                     "typeSet: ALLOWED_FOR_%s_OPERAND",
                                     section_name(act->kind), long_type_name(t), section_name(act->kind));
    }
    return NULL;
}

static const char *check_update_function(checker *c, const ddb_node *n)
{
    if (n->kind == NK_ARITH) {
        const char *op = n->op == AR_PLUS ? "+" : "-";

        for (uint32_t i = 0; i < 2; i++) {
            ddb_type t = immediate_type(n->args[i]);

            if (t != DDB_T_NONE && t != DDB_T_N)
                return operand_type_error(c, op, 1, t);
        }
        return NULL;
    }
    if (n->kind != NK_FUNC)
        return NULL;
    if (n->nargs != func_arity(n->op))
        return arity_error(c, n);
    if (n->op == FN_IF_NOT_EXISTS && n->args[0]->kind != NK_PATH)
        return needs_path(c, n);
    if (n->op == FN_LIST_APPEND) {
        for (uint32_t i = 0; i < n->nargs; i++) {
            ddb_type t = immediate_type(n->args[i]);

            if (t != DDB_T_NONE && t != DDB_T_L)
                return operand_type_error(c, "list_append", 11, t);
        }
    }
    return NULL;
}

static const char *check_update_functions(checker *c, const ddb_node *n)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        if ((r = check_update_functions(c, n->args[i])) != NULL)
            return r;
    }
    return check_update_function(c, n);
}

/* Every action's target path, in order. */
static const ddb_path **action_paths(checker *c, const ddb_expr *e)
{
    const ddb_path **v = ddb_arena_alloc(c->a, sizeof(*v) * (e->nacts ? e->nacts : 1));

    for (uint32_t i = 0; i < e->nacts; i++)
        v[i] = &e->acts[i].path;
    return v;
}

/*
 * list_append cannot be an operand of a function (list_append or if_not_exists); if_not_exists
 * may be nested. DynamoDB Local 1.25 answers "The function is not allowed to be used this way in
 * an expression; function: list_append" for each, before the names and values are checked.
 */
static const char *check_nested_list_append(checker *c, const ddb_node *n)
{
    const char *r;

    for (uint32_t i = 0; i < n->nargs; i++) {
        const ddb_node *arg = n->args[i];
        if (n->kind == NK_FUNC && arg->kind == NK_FUNC && arg->op == FN_LIST_APPEND)
            return misused(c, arg);
        if ((r = check_nested_list_append(c, arg)) != NULL)
            return r;
    }
    return NULL;
}

static const char *check_update_structure(checker *c, ddb_expr *e)
{
    const char *r;

    if ((r = check_tokens(c)) != NULL)
        return r;
    for (uint32_t i = 0; i < e->nacts; i++) {
        if ((r = check_depth(c, &e->acts[i].path)) != NULL ||
            (e->acts[i].value && (r = check_tree_depth(c, e->acts[i].value)) != NULL))
            return r;
    }
    for (uint32_t i = 0; i < e->nacts; i++) {
        if (e->acts[i].value && (r = check_function_names(c, e->acts[i].value, 1)) != NULL)
            return r;
    }
    for (uint32_t i = 0; i < e->nacts; i++) {
        if (e->acts[i].value && (r = check_nested_list_append(c, e->acts[i].value)) != NULL)
            return r;
    }
    return check_sections(c, e);
}

static const char *check_update(checker *c, ddb_expr *e)
{
    const char *r;

    if ((r = check_update_structure(c, e)) != NULL)
        return r;
    if ((r = check_defined(c, 0, c->lx->n - 1, TK_NAME)) != NULL || (r = check_defined(c, 0, c->lx->n - 1, TK_VALUE)) != NULL)
        return r;
    for (uint32_t i = 0; i < e->nacts; i++) {
        resolve_path(c, &e->acts[i].path);
        if (e->acts[i].value)
            resolve_tree(c, e->acts[i].value);
    }
    if ((r = check_overlaps(c, action_paths(c, e), e->nacts)) != NULL || (r = check_add_delete(c, e)) != NULL)
        return r;
    for (uint32_t i = 0; i < e->nacts; i++) {
        if (e->acts[i].value && (r = check_update_functions(c, e->acts[i].value)) != NULL)
            return r;
    }
    return NULL;
}

/* ---------------------------------------------------------------- projections */

static const char *check_projection(checker *c, ddb_expr *e)
{
    const ddb_path **v;
    const char *r;

    if ((r = check_tokens(c)) != NULL)
        return r;
    for (uint32_t i = 0; i < e->npaths; i++) {
        if ((r = check_depth(c, &e->paths[i])) != NULL)
            return r;
    }
    if ((r = check_defined(c, 0, c->lx->n - 1, TK_NAME)) != NULL)
        return r;
    v = ddb_arena_alloc(c->a, sizeof(*v) * e->npaths);
    for (uint32_t i = 0; i < e->npaths; i++) {
        resolve_path(c, &e->paths[i]);
        v[i] = &e->paths[i];
    }
    return check_overlaps(c, v, e->npaths);
}

/* Runs the checks of e->kind; resolves names and values and marks them used. */
const char *ddb_expr_check(ddb_expr_ctx *ctx, ddb_lexed *lx, ddb_expr *e)
{
    checker c = {ctx->a, ctx, lx};

    if (e->kind == DDB_EXPR_UPDATE)
        return check_update(&c, e);
    if (e->kind == DDB_EXPR_PROJECTION)
        return check_projection(&c, e);
    return check_condition(&c, e);
}
