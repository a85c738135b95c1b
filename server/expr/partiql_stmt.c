/*
 * server/expr/partiql_stmt.c: PartiQL statements (the grammar is in partiql.c's header) and the
 * facts the handler reads from a parsed one: the conjuncts of WHERE that pin key attributes, a
 * sort-key range, WHERE without the key equalities, and SELECT's projection as DynamoDB names it.
 */
#include "server/expr/partiql_parse.h"

#include <stdlib.h>
#include <string.h>

#define LEFTOVER "Unexpected token after expression"

/* ---------------------------------------------------------------- FROM targets */

enum { T_SELECT, T_INSERT, T_UPDATE, T_DELETE };

/* The table (and for SELECT the index) a statement names, then the alias check. */
static int target(pq_parser *p, ddb_pq_stmt *s, int kind)
{
    const char *comp[3];
    uint32_t n = 0, len;

    do {
        const pq_tok *t = pq_peek(p);
        if (t->type == PQ_QIDENT) {
            comp[n] = pq_unquote(p->a, p->lx, t, &len);
        } else if (t->type == PQ_WORD && !pq_is_keyword(p->lx, t)) {
            comp[n] = ddb_arena_strndup(p->a, p->lx->src + t->start, t->len);
            len = t->len;
        } else {
            pq_fail(p, kind == T_DELETE || kind == T_INSERT ? "Expected identifier for simple path" : pq_term_detail(p));
            return -1;
        }
        if (len == 0)
            return pq_fail_msg(p, "Path component cannot be an empty string"), -1;
        if (++n > 2)
            return pq_fail_msg(p, "A path may contain at most 2 components in the FROM clause"), -1;
        p->pos++;
    } while (pq_accept(p, PQ_DOT));
    s->table = comp[0];
    s->index = n > 1 ? comp[1] : NULL;
    if (s->index != NULL && kind == T_INSERT)
        return pq_fail_msg(p, "FROM clause may only contain a single table name"), -1;
    if (kind != T_INSERT &&
        (pq_word_is(p->lx, pq_peek(p), "AS") || (pq_peek(p)->type == PQ_WORD && !pq_is_keyword(p->lx, pq_peek(p))) ||
         pq_peek(p)->type == PQ_QIDENT))
        return pq_fail_msg(p, "Aliasing is not supported"), -1;
    return 0;
}

/* The table, then the WHERE clause when there is one (SELECT, DELETE, and UPDATE's FROM form). */
static int target_where(pq_parser *p, ddb_pq_stmt *s, int kind)
{
    if (target(p, s, kind) != 0)
        return -1;
    if (pq_accept_word(p, "WHERE") && (s->where = pq_where(p)) == NULL)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- SELECT */

static int projection(pq_parser *p, ddb_pq_stmt *s)
{
    ddb_path paths[128];
    uint32_t n = 0;
    int star = 0;

    do {
        const pq_tok *t = pq_peek(p);
        if (t->type == PQ_STAR) {
            star = 1;
            p->pos++;
            continue;
        }
        if (t->type == PQ_WORD && p->lx->toks[p->pos + 1].type == PQ_LPAREN)
            return pq_fail_at(p, "Unexpected path component", t), -1;
        if (n == 128)
            return pq_fail_msg(p, "Unexpected path component"), -1;
        if (pq_path(p, &paths[n]) != 0)
            return pq_fail(p, pq_term_detail(p)), -1;
        n++;
    } while (pq_accept(p, PQ_COMMA));
    if (star && n > 0)
        return pq_fail_msg(p, "Other attributes should not be present in the projection when '*' is used."), -1;
    if (n > 0) {
        s->projection = pq_new_expr(p, DDB_EXPR_PROJECTION);
        s->projection->paths = ddb_arena_memdup(p->a, paths, sizeof(paths[0]) * n);
        s->projection->npaths = n;
    }
    return 0;
}

static int order_by(pq_parser *p, ddb_pq_stmt *s)
{
    if (!pq_accept_word(p, "ORDER"))
        return 0;
    if (!pq_accept_word(p, "BY"))
        return pq_fail(p, pq_term_detail(p)), -1;
    do {
        ddb_path path;
        if (pq_path(p, &path) != 0)
            return pq_fail(p, pq_term_detail(p)), -1;
        if (path.n != 1 || path.e[0].kind != PE_IDENT)
            return pq_fail_msg(p, "Argument to ORDER BY must be of type VariableReference. Type: Path"), -1;
        if (s->norder == DDB_PQ_MAX_ORDER)
            return pq_fail(p, LEFTOVER), -1;
        s->order[s->norder] = path.e[0].name;
        s->order_desc[s->norder] = (uint8_t)pq_accept_word(p, "DESC");
        if (!s->order_desc[s->norder])
            pq_accept_word(p, "ASC");
        s->norder++;
    } while (pq_accept(p, PQ_COMMA));
    return 0;
}

static int select_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    s->kind = DDB_PQ_SELECT;
    if (projection(p, s) != 0)
        return -1;
    if (!pq_accept_word(p, "FROM"))
        return pq_fail(p, pq_term_detail(p)), -1;
    if (target_where(p, s, T_SELECT) != 0)
        return -1;
    return order_by(p, s);
}

/* ---------------------------------------------------------------- UPDATE */

typedef struct acts {
    ddb_action v[256];
    uint32_t n;
    uint8_t section;
} acts;

static int same_path(const ddb_path *a, const ddb_path *b)
{
    if (a->n != b->n)
        return 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (a->e[i].kind != b->e[i].kind || a->e[i].index != b->e[i].index || a->e[i].nlen != b->e[i].nlen ||
            (a->e[i].name && memcmp(a->e[i].name, b->e[i].name, a->e[i].nlen) != 0))
            return 0;
    }
    return 1;
}

static ddb_node *set_value(pq_parser *p);

/* A value one level deeper: a function's argument, a parenthesized one. */
static ddb_node *nested_set_value(pq_parser *p)
{
    ddb_node *n;

    if (!pq_nest(p))
        return NULL;
    n = set_value(p);
    p->depth--;
    return n;
}

/* set_add / set_delete / list_append in SET: the name token is current and '(' follows. */
static ddb_node *set_call(pq_parser *p, const ddb_path *target_path, ddb_action *act)
{
    const pq_tok *nt = pq_peek(p), *first_tok;
    const char *name = pq_lower(p->a, p->lx->src + nt->start, nt->len);
    const char *upper = strcmp(name, "set_add") == 0 ? "SET_ADD" : "SET_DELETE";
    ddb_node *args[4];
    uint32_t nargs;

    if (strcmp(name, "list_append") != 0 && strcmp(name, "set_add") != 0 && strcmp(name, "set_delete") != 0)
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "Unrecognized function: %s", name), nt), NULL;
    p->pos += 2;
    first_tok = pq_peek(p);
    if (pq_members(p, PQ_RPAREN, nested_set_value, args, 4, &nargs) != 0)
        return NULL;
    if (name[0] == 'l') { /* list_append */
        ddb_node *n;
        if (nargs != 2)
            return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                    "Incorrect number of operands for operator or function; operator or "
                                                    "function: list_append, number of operands: %u",
                                                    nargs));
        n = ddb_node_new(p->a, NK_FUNC, FN_LIST_APPEND, 2);
        n->args[0] = args[0];
        n->args[1] = args[1];
        return n;
    }
    if (nargs != 2)
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "%s must have exactly two arguments", upper), nt), NULL;
    if (args[0]->kind != NK_PATH || !same_path(&args[0]->path, target_path))
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "The first argument to %s must equal the assignment value", upper), nt),
               NULL;
    if (args[1]->kind != NK_VALUE ||
        (args[1]->value->type != DDB_T_SS && args[1]->value->type != DDB_T_NS && args[1]->value->type != DDB_T_BS))
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "The second argument to %s must be a value with type SET", upper),
                          first_tok),
               NULL;
    act->kind = name[4] == 'a' ? ACT_ADD : ACT_DELETE;
    return args[1];
}

static ddb_node *set_term(pq_parser *p)
{
    const pq_tok *t = pq_peek(p);
    ddb_node *n;

    if (pq_accept(p, PQ_LPAREN)) {
        if ((n = nested_set_value(p)) == NULL)
            return NULL;
        if (!pq_accept(p, PQ_RPAREN))
            return pq_fail(p, pq_term_detail(p)), NULL;
        return n;
    }
    if (t->type == PQ_WORD && p->lx->toks[p->pos + 1].type == PQ_LPAREN) {
        const char *name = pq_lower(p->a, p->lx->src + t->start, t->len);
        if (strcmp(name, "list_append") == 0) {
            ddb_action ignored;
            return set_call(p, NULL, &ignored);
        }
        if (strcmp(name, "set_add") == 0 || strcmp(name, "set_delete") == 0)
            return pq_fail_at(p, ddb_arena_sprintf(p->a, "The first argument to SET_%s must equal the assignment value",
                                                   name[4] == 'a' ? "ADD" : "DELETE"),
                              t),
                   NULL;
        return pq_fail_at(p, ddb_arena_sprintf(p->a, "Unrecognized function: %s", name), t), NULL;
    }
    if (pq_starts_literal(p))
        return pq_value(p, 1);
    n = ddb_node_new(p->a, NK_PATH, 0, 0);
    if (pq_path(p, &n->path) != 0)
        return pq_fail(p, pq_term_detail(p)), NULL;
    return n;
}

/* An arithmetic operand must be a path or an N value. */
static int arith_operand_ok(pq_parser *p, const char *op, const ddb_node *n)
{
    if (n->kind != NK_VALUE || n->value->type == DDB_T_N)
        return 1;
    pq_fail_msg(p, pq_operand_type_msg(p->a, op, n->value->type));
    return 0;
}

static ddb_node *set_value(pq_parser *p)
{
    ddb_node *a = set_term(p), *b;

    while (a != NULL && (pq_peek(p)->type == PQ_PLUS || pq_peek(p)->type == PQ_MINUS)) {
        int minus = pq_peek(p)->type == PQ_MINUS;
        p->pos++;
        if ((b = set_term(p)) == NULL)
            return NULL;
        if (!arith_operand_ok(p, minus ? "-" : "+", a) || !arith_operand_ok(p, minus ? "-" : "+", b))
            return NULL;
        a = pq_node2(p, NK_ARITH, minus ? AR_MINUS : AR_PLUS, a, b);
    }
    return a;
}

static int push_act(pq_parser *p, acts *v, ddb_action act)
{
    if (v->n == sizeof(v->v) / sizeof(v->v[0]))
        return pq_fail_msg(p, "Too many operations in update statement"), -1;
    v->v[v->n++] = act;
    return 0;
}

/* A SET action's `= value` (SET_ADD and SET_DELETE calls among the values). */
static int set_action_value(pq_parser *p, ddb_action *act)
{
    const pq_tok *t;

    if (!pq_accept(p, PQ_EQ))
        return pq_fail(p, pq_term_detail(p)), -1;
    t = pq_peek(p);
    if (t->type == PQ_WORD && p->lx->toks[p->pos + 1].type == PQ_LPAREN &&
        (pq_word_is(p->lx, t, "SET_ADD") || pq_word_is(p->lx, t, "SET_DELETE")))
        act->value = set_call(p, &act->path, act);
    else
        act->value = set_value(p);
    return act->value != NULL ? 0 : -1;
}

/* A SET or REMOVE clause (`kind`): its actions, comma-separated, each a path (SET's: `= value`). */
static int clause(pq_parser *p, acts *v, ddb_act_kind kind)
{
    do {
        ddb_action act = {.kind = kind, .section = v->section, .tok = DDB_NO_TOK};
        if (pq_path(p, &act.path) != 0)
            return pq_fail(p, pq_term_detail(p)), -1;
        if (kind == ACT_SET && set_action_value(p, &act) != 0)
            return -1;
        if (push_act(p, v, act) != 0)
            return -1;
    } while (pq_accept(p, PQ_COMMA));
    v->section++;
    return 0;
}

/* One or more SET / REMOVE clauses. */
static int update_clauses(pq_parser *p, ddb_pq_stmt *s)
{
    acts *v = ddb_arena_alloc(p->a, sizeof(*v));

    v->n = 0;
    v->section = 0;
    for (;;) {
        if (pq_accept_word(p, "SET")) {
            if (clause(p, v, ACT_SET) != 0)
                return -1;
        } else if (pq_accept_word(p, "REMOVE")) {
            if (clause(p, v, ACT_REMOVE) != 0)
                return -1;
        } else {
            break;
        }
    }
    if (v->n == 0)
        return pq_fail(p, pq_term_detail(p)), -1;
    s->update = pq_new_expr(p, DDB_EXPR_UPDATE);
    s->update->acts = ddb_arena_memdup(p->a, v->v, sizeof(v->v[0]) * v->n);
    s->update->nacts = v->n;
    return 0;
}

/* 1 for the word `yes`, 0 for `no`, taken; -1 (failed) for anything else. */
static int either_word(pq_parser *p, const char *yes, const char *no)
{
    if (pq_accept_word(p, yes))
        return 1;
    if (pq_accept_word(p, no))
        return 0;
    pq_fail(p, pq_term_detail(p));
    return -1;
}

static int returning(pq_parser *p, ddb_pq_stmt *s)
{
    int all, old;

    if (!pq_accept_word(p, "RETURNING"))
        return 0;
    if ((all = either_word(p, "ALL", "MODIFIED")) < 0 || (old = either_word(p, "OLD", "NEW")) < 0)
        return -1;
    if (!pq_accept(p, PQ_STAR))
        return pq_fail_msg(p, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"), -1;
    s->returning = all ? (old ? DDB_PQ_RET_ALL_OLD : DDB_PQ_RET_ALL_NEW)
                       : (old ? DDB_PQ_RET_MODIFIED_OLD : DDB_PQ_RET_MODIFIED_NEW);
    if (s->kind == DDB_PQ_DELETE && s->returning != DDB_PQ_RET_ALL_OLD)
        return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                "Invalid returning clause: RETURNING %s %s *. Only RETURNING ALL OLD * "
                                                "is allowed in DELETE statements.",
                                                all ? "ALL" : "MODIFIED", old ? "OLD" : "NEW")),
               -1;
    return 0;
}

static int update_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    s->kind = DDB_PQ_UPDATE;
    if (target(p, s, T_UPDATE) != 0 || update_clauses(p, s) != 0)
        return -1;
    if (pq_accept_word(p, "WHERE") && (s->where = pq_where(p)) == NULL)
        return -1;
    return returning(p, s);
}

/* FROM t [WHERE c] SET ... */
static int from_update_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    s->kind = DDB_PQ_UPDATE;
    if (target_where(p, s, T_UPDATE) != 0)
        return -1;
    if (update_clauses(p, s) != 0)
        return -1;
    return returning(p, s);
}

static int delete_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    s->kind = DDB_PQ_DELETE;
    if (!pq_accept_word(p, "FROM"))
        return pq_fail(p, pq_term_detail(p)), -1;
    if (target_where(p, s, T_DELETE) != 0)
        return -1;
    return returning(p, s);
}

static int insert_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    ddb_attr *item = DDB_NEW(p->a, ddb_attr);

    s->kind = DDB_PQ_INSERT;
    if (!pq_accept_word(p, "INTO"))
        return pq_fail(p, pq_term_detail(p)), -1;
    if (target(p, s, T_INSERT) != 0)
        return -1;
    if (!pq_accept_word(p, "VALUE"))
        return pq_fail(p, pq_peek(p)->type == PQ_EOF ? "Unexpected term" : LEFTOVER), -1;
    if (pq_peek(p)->type != PQ_LBRACE && !pq_starts_literal(p))
        return pq_fail(p, pq_term_detail(p)), -1;
    if (pq_item_literal(p, item) != 0)
        return -1;
    if (item->type != DDB_T_M)
        return pq_fail_msg(p, "Unsupported format in item expression. Please use struct format {...} to express item "
                              "values for insert statement."),
               -1;
    s->item = item;
    return 0;
}

/* EXISTS(SELECT ...): a condition check, for ExecuteTransaction. */
static int exists_stmt(pq_parser *p, ddb_pq_stmt *s)
{
    if (!pq_accept(p, PQ_LPAREN) || !pq_accept_word(p, "SELECT"))
        return pq_fail(p, pq_term_detail(p)), -1;
    if (select_stmt(p, s) != 0)
        return -1;
    if (!pq_accept(p, PQ_RPAREN))
        return pq_fail(p, pq_term_detail(p)), -1;
    s->kind = DDB_PQ_EXISTS;
    return 0;
}

static void collect(ddb_arena *a, ddb_expr *e)
{
    if (e != NULL)
        ddb_expr_collect_facts(a, e);
}

const char *ddb_pq_parse(ddb_arena *a, const char *text, size_t len, const ddb_attr *params, uint32_t nparams,
                         ddb_pq_stmt *out)
{
    pq_lexed lx;
    pq_parser p = {.a = a, .lx = &lx, .params = params, .nparams = nparams};
    int rc;

    memset(out, 0, sizeof(*out));
    p.null_param.type = DDB_T_NULL;
    p.null_param.boolean = 1;
    if (pq_lex(a, text, len, &lx) != 0)
        return PQ_NWF;
    if (pq_accept_word(&p, "SELECT"))
        rc = select_stmt(&p, out);
    else if (pq_accept_word(&p, "INSERT"))
        rc = insert_stmt(&p, out);
    else if (pq_accept_word(&p, "UPDATE"))
        rc = update_stmt(&p, out);
    else if (pq_accept_word(&p, "DELETE"))
        rc = delete_stmt(&p, out);
    else if (pq_accept_word(&p, "FROM"))
        rc = from_update_stmt(&p, out);
    else if (pq_accept_word(&p, "EXISTS"))
        rc = exists_stmt(&p, out);
    else
        rc = (pq_fail(&p, pq_peek(&p)->type == PQ_EOF ? "" : "Expected data manipulation"), -1);
    if (rc == 0) {
        pq_accept(&p, PQ_SEMI);
        if (pq_peek(&p)->type != PQ_EOF)
            pq_fail(&p, LEFTOVER);
    }
    if (p.err != NULL)
        return p.err;
    if (p.next_param != nparams)
        return "Number of parameters in request and statement don't match.";
    collect(a, out->where);
    collect(a, out->projection);
    collect(a, out->update);
    return NULL;
}

/* ---------------------------------------------------------------- facts about WHERE */

static uint32_t conjuncts(const ddb_node *n, const ddb_node **out, uint32_t max, uint32_t k)
{
    if (n->kind == NK_AND) {
        k = conjuncts(n->args[0], out, max, k);
        return conjuncts(n->args[1], out, max, k);
    }
    if (k < max)
        out[k] = n;
    return k + 1;
}

#define MAX_CONJ 64

static uint32_t where_conjuncts(const ddb_pq_stmt *s, const ddb_node **out)
{
    uint32_t n;

    if (s->where == NULL)
        return 0;
    n = conjuncts(s->where->root, out, MAX_CONJ, 0);
    return n < MAX_CONJ ? n : MAX_CONJ;
}

uint32_t ddb_pq_nconjuncts(const ddb_pq_stmt *s)
{
    const ddb_node *c[MAX_CONJ];

    return where_conjuncts(s, c);
}

static int top_attr(const ddb_node *n)
{
    return n->kind == NK_PATH && n->path.n == 1 && n->path.e[0].kind == PE_IDENT;
}

size_t ddb_pq_pins(ddb_arena *a, const ddb_pq_stmt *s, const ddb_pq_pin **out)
{
    const ddb_node *c[MAX_CONJ];
    uint32_t n = where_conjuncts(s, c), k = 0;
    ddb_pq_pin *pins = DDB_NEW_ARRAY(a, ddb_pq_pin, n ? n : 1);

    for (uint32_t i = 0; i < n; i++) {
        const ddb_node *x = c[i], *path = NULL;
        ddb_pq_pin *pin = &pins[k];
        if (x->kind == NK_CMP && x->op == CMP_EQ) {
            const ddb_node *val = NULL;
            if (top_attr(x->args[0]) && x->args[1]->kind == NK_VALUE)
                path = x->args[0], val = x->args[1];
            else if (top_attr(x->args[1]) && x->args[0]->kind == NK_VALUE)
                path = x->args[1], val = x->args[0];
            if (path == NULL)
                continue;
            pin->v = DDB_NEW_ARRAY(a, const ddb_attr *, 1);
            pin->v[0] = val->value;
            pin->nv = 1;
        } else if (x->kind == NK_IN && top_attr(x->args[0])) {
            uint32_t ok = 1;
            for (uint32_t j = 1; j < x->nargs; j++)
                ok &= x->args[j]->kind == NK_VALUE;
            if (!ok)
                continue;
            path = x->args[0];
            pin->in = 1;
            pin->nv = x->nargs - 1;
            pin->v = DDB_NEW_ARRAY(a, const ddb_attr *, pin->nv);
            for (uint32_t j = 1; j < x->nargs; j++)
                pin->v[j - 1] = x->args[j]->value;
        } else {
            continue;
        }
        pin->name = path->path.e[0].name;
        pin->nlen = path->path.e[0].nlen;
        pin->conjunct = i;
        k++;
    }
    *out = pins;
    return k;
}

static int names(const ddb_node *n, const char *name)
{
    return top_attr(n) && n->path.e[0].nlen == strlen(name) && memcmp(n->path.e[0].name, name, n->path.e[0].nlen) == 0;
}

int ddb_pq_range_cond(const ddb_pq_stmt *s, const char *name, ddb_key_cond *kc)
{
    static const ddb_kc_op ops[] = {[CMP_EQ] = DDB_KC_EQ, [CMP_LT] = DDB_KC_LT, [CMP_LE] = DDB_KC_LE,
                                    [CMP_GT] = DDB_KC_GT, [CMP_GE] = DDB_KC_GE};
    static const ddb_kc_op flipped[] = {[CMP_EQ] = DDB_KC_EQ, [CMP_LT] = DDB_KC_GT, [CMP_LE] = DDB_KC_GE,
                                        [CMP_GT] = DDB_KC_LT, [CMP_GE] = DDB_KC_LE};
    const ddb_node *c[MAX_CONJ];
    uint32_t n = where_conjuncts(s, c);

    memset(kc, 0, sizeof(*kc));
    for (uint32_t i = 0; i < n; i++) {
        const ddb_node *x = c[i];
        if (x->kind == NK_CMP && x->op != CMP_NE) {
            if (names(x->args[0], name) && x->args[1]->kind == NK_VALUE) {
                kc->op = ops[x->op];
                kc->v[0] = x->args[1]->value;
            } else if (names(x->args[1], name) && x->args[0]->kind == NK_VALUE) {
                kc->op = flipped[x->op];
                kc->v[0] = x->args[0]->value;
            } else {
                continue;
            }
        } else if (x->kind == NK_BETWEEN && names(x->args[0], name) && x->args[1]->kind == NK_VALUE &&
                   x->args[2]->kind == NK_VALUE) {
            kc->op = DDB_KC_BETWEEN;
            kc->v[0] = x->args[1]->value;
            kc->v[1] = x->args[2]->value;
        } else if (x->kind == NK_FUNC && x->op == FN_BEGINS_WITH && names(x->args[0], name) &&
                   x->args[1]->kind == NK_VALUE) {
            kc->op = DDB_KC_BEGINS_WITH;
            kc->v[0] = x->args[1]->value;
        } else {
            continue;
        }
        kc->name = name;
        kc->nlen = (uint32_t)strlen(name);
        return 1;
    }
    return 0;
}

ddb_expr *ddb_pq_where_without(ddb_arena *a, const ddb_pq_stmt *s, uint64_t skip)
{
    const ddb_node *c[MAX_CONJ];
    uint32_t n = where_conjuncts(s, c);
    ddb_node *root = NULL;
    ddb_expr *e;

    for (uint32_t i = n; i-- > 0;) {
        ddb_node *and;
        if (i < 64 && (skip >> i) & 1)
            continue;
        if (root == NULL) {
            root = (ddb_node *)c[i];
            continue;
        }
        and = ddb_node_new(a, NK_AND, 0, 2);
        and->args[0] = (ddb_node *)c[i];
        and->args[1] = root;
        root = and;
    }
    if (root == NULL)
        return NULL;
    e = DDB_NEW(a, ddb_expr);
    e->kind = DDB_EXPR_CONDITION;
    e->root = root;
    ddb_expr_collect_facts(a, e);
    return e;
}

ddb_expr *ddb_pq_require_item(ddb_arena *a, ddb_expr *cond, const char *hash_key)
{
    ddb_node *exists = ddb_node_new(a, NK_FUNC, FN_ATTRIBUTE_EXISTS, 1);
    ddb_expr *e = DDB_NEW(a, ddb_expr);

    exists->args[0] = ddb_node_path1(a, hash_key, strlen(hash_key));
    e->kind = DDB_EXPR_CONDITION;
    if (cond == NULL) {
        e->root = exists;
    } else {
        e->root = ddb_node_new(a, NK_AND, 0, 2);
        e->root->args[0] = exists;
        e->root->args[1] = cond->root;
    }
    ddb_expr_collect_facts(a, e);
    return e;
}

ddb_expr *ddb_pq_if_item(ddb_arena *a, ddb_expr *cond, const char *hash_key)
{
    ddb_node *absent;
    ddb_expr *e;

    if (cond == NULL)
        return NULL;
    absent = ddb_node_new(a, NK_FUNC, FN_ATTRIBUTE_NOT_EXISTS, 1);
    absent->args[0] = ddb_node_path1(a, hash_key, strlen(hash_key));
    e = DDB_NEW(a, ddb_expr);
    e->kind = DDB_EXPR_CONDITION;
    e->root = ddb_node_new(a, NK_OR, 0, 2);
    e->root->args[0] = absent;
    e->root->args[1] = cond->root;
    ddb_expr_collect_facts(a, e);
    return e;
}

/* ---------------------------------------------------------------- SELECT's result */

/* "m.k[0]" is returned as "k[0]": the last named element and the indexes after it. */
static const char *result_name(ddb_arena *a, const ddb_path *path, uint32_t *len)
{
    uint32_t last = 0;
    ddb_buf b = {0};
    const char *out;

    for (uint32_t i = 0; i < path->n; i++)
        if (path->e[i].kind != PE_INDEX)
            last = i;
    if (last + 1 == path->n) {
        *len = path->e[last].nlen;
        return path->e[last].name;
    }
    ddb_buf_append(&b, path->e[last].name, path->e[last].nlen);
    for (uint32_t i = last + 1; i < path->n; i++)
        ddb_buf_printf(&b, "[%d]", path->e[i].index);
    out = ddb_arena_strndup(a, b.data, b.len);
    *len = (uint32_t)b.len;
    ddb_buf_free(&b);
    return out;
}

void ddb_pq_project(ddb_arena *a, const ddb_pq_stmt *s, const ddb_attr *item, ddb_attr *out)
{
    const ddb_expr *e = s->projection;

    if (e == NULL) {
        *out = *item;
        return;
    }
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    out->u.entries = DDB_NEW_ARRAY(a, ddb_entry, e->npaths);
    for (uint32_t i = 0; i < e->npaths; i++) {
        const ddb_attr *v = ddb_path_get(item, &e->paths[i]);
        ddb_entry *en;
        uint32_t nlen;
        const char *name;
        if (v == NULL)
            continue;
        name = result_name(a, &e->paths[i], &nlen);
        for (uint32_t k = 0; k < out->len && name != NULL; k++) /* a path named twice is returned once */
            if (out->u.entries[k].nlen == nlen && memcmp(out->u.entries[k].name, name, nlen) == 0)
                name = NULL;
        if (name == NULL)
            continue;
        en = &out->u.entries[out->len++];
        en->name = name;
        en->nlen = nlen;
        en->val = *v;
    }
}
