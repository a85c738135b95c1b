/*
 * server/expr/partiql_value.c: PartiQL literals as AttributeValues.
 *
 * 'text' is an S, a number an N (DynamoDB's number rules, reported " under root.a[1]" with the
 * path inside the literal), TRUE/FALSE a BOOL, NULL a NULL, [..] an L, {'k': v} an M and <<..>> a
 * set: SS when every member is a string, NS when every member is a number, BS through a parameter.
 * A `?` stands for its parameter at the top of a literal or of a map member; inside a list or a
 * nested map DynamoDB refuses it.
 */
#include "server/expr/partiql_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"

#define MAX_NESTING 32 /* DynamoDB's limit on levels of a value, leaf included */

static const char *under(pq_parser *p, const char *msg, const char *path)
{
    return pq_fail_msg(p, ddb_arena_sprintf(p->a, "%s under %s", msg, path));
}

/* The N of number text, checked as DynamoDB checks a number ("... under root.x"). */
static int number_value(pq_parser *p, const char *text, size_t len, int negate, const char *path, ddb_attr *out)
{
    char buf[DDB_NUM_TEXT_MAX];
    ddb_num num;
    ddb_num_status st = ddb_num_parse(text, len, &num);
    size_t n;

    if (st != DDB_NUM_OK) {
        if (st == DDB_NUM_INVALID)
            pq_fail(p, "");
        else
            under(p, ddb_num_status_message(st), path);
        return -1;
    }
    if (negate)
        num.sign = (int8_t)-num.sign;
    n = ddb_num_format(&num, buf);
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_N;
    out->len = (uint32_t)n;
    out->u.s = ddb_arena_strndup(p->a, buf, n);
    return 0;
}

static int set_from_members(pq_parser *p, ddb_attr *members, uint32_t n, ddb_attr *out);

/* A literal starting at the current token; `path` names it in messages ("root", "root.a", "root[1]"). */
static int literal(pq_parser *p, const char *path, int depth, int params_ok, ddb_attr *out);

static int list_literal(pq_parser *p, const char *path, int depth, ddb_attr *out, pq_tok_type close)
{
    ddb_attr items[256], *all = items;
    uint32_t n = 0, cap = 256;

    p->pos++;
    while (pq_peek(p)->type != close) {
        const char *sub = ddb_arena_sprintf(p->a, "%s[%u]", path, n);
        DDB_ARENA_ROOM(p->a, all, n, cap, 256);
        if (literal(p, sub, depth + 1, 0, &all[n]) != 0)
            return -1;
        n++;
        if (pq_member_end(p, close) != 0)
            return -1;
    }
    p->pos++;
    if (close == PQ_RBAG)
        return set_from_members(p, all, n, out);
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_L;
    out->len = n;
    out->u.items = ddb_arena_memdup(p->a, all, sizeof(*all) * (n ? n : 1));
    return 0;
}

static int map_literal(pq_parser *p, const char *path, int depth, int top, ddb_attr *out)
{
    ddb_entry ents[128], *all = ents;
    uint32_t n = 0, cap = 128;

    p->pos++;
    while (pq_peek(p)->type != PQ_RBRACE) {
        const pq_tok *k = pq_peek(p);
        uint32_t klen;
        const char *key;
        if (k->type != PQ_STRING) {
            if (k->type == PQ_QIDENT || k->type == PQ_WORD || k->type == PQ_NUMBER)
                return pq_fail_msg(p, ddb_arena_sprintf(p->a, "Tuple keys must be of type String. Actual type: %s under %s",
                                                         k->type == PQ_NUMBER ? "DECIMAL" : "MISSING", path)),
                       -1;
            return pq_fail(p, pq_term_detail(p)), -1;
        }
        key = pq_unquote(p->a, p->lx, k, &klen);
        if (klen == 0) /* DynamoDB Local 1.25's answer; an item never holds an empty name */
            return pq_fail_msg(p, "Path component cannot be an empty string"), -1;
        p->pos++;
        if (pq_peek(p)->type != PQ_COLON)
            return pq_fail(p, "Expected ':'"), -1;
        p->pos++;
        for (uint32_t i = 0; i < n; i++) {
            if (all[i].nlen == klen && memcmp(all[i].name, key, klen) == 0)
                return pq_fail_msg(p, ddb_arena_sprintf(p->a, "Duplicate keys in tuple. Key: %s under %s", key, path)), -1;
        }
        DDB_ARENA_ROOM(p->a, all, n, cap, 256);
        all[n].name = key;
        all[n].nlen = klen;
        /* INSERT's item is depth 0: each attribute's value is "root" in messages */
        if (literal(p, depth == 0 ? "root" : ddb_arena_sprintf(p->a, "%s.%s", path, key), depth + 1, top, &all[n].val) != 0)
            return -1;
        n++;
        if (pq_member_end(p, PQ_RBRACE) != 0)
            return -1;
    }
    p->pos++;
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    out->len = n;
    out->u.entries = ddb_arena_memdup(p->a, all, sizeof(*all) * (n ? n : 1));
    return 0;
}

/* "[a, a]" as DynamoDB lists a set's members in its duplicate message. */
static const char *members_text(ddb_arena *a, const ddb_attr *m, uint32_t n)
{
    ddb_buf b = {0};
    const char *out;

    ddb_buf_puts(&b, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ddb_buf_puts(&b, ", ");
        ddb_buf_append(&b, m[i].u.s, m[i].len);
    }
    ddb_buf_puts(&b, "]");
    out = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

static int set_from_members(pq_parser *p, ddb_attr *members, uint32_t n, ddb_attr *out)
{
    uint8_t t;

    if (n == 0)
        return pq_fail_msg(p, "Empty bags are not supported"), -1;
    t = members[0].type;
    for (uint32_t i = 0; i < n; i++) {
        if ((members[i].type != DDB_T_S && members[i].type != DDB_T_N && members[i].type != DDB_T_B) ||
            members[i].type != t)
            return pq_fail_msg(p, "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
                   -1;
        for (uint32_t k = 0; k < i; k++) {
            if (ddb_attr_equal(&members[k], &members[i]))
                return pq_fail_msg(p, ddb_arena_sprintf(p->a,
                                                         "One or more parameter values were invalid: Input collection %s "
                                                         "contains duplicates.",
                                                         members_text(p->a, members, n))),
                       -1;
        }
    }
    memset(out, 0, sizeof(*out));
    out->type = t == DDB_T_S ? DDB_T_SS : t == DDB_T_N ? DDB_T_NS : DDB_T_BS;
    out->len = n;
    out->u.items = ddb_arena_memdup(p->a, members, sizeof(*members) * n);
    ddb_set_sort(out);
    return 0;
}

static int literal(pq_parser *p, const char *path, int depth, int params_ok, ddb_attr *out)
{
    const pq_tok *t = pq_peek(p);
    int negate = 0;

    if (depth > MAX_NESTING)
        return under(p, "Nesting Levels have exceeded supported limits", path), -1;
    while (t->type == PQ_MINUS || t->type == PQ_PLUS) { /* unary signs, any number of them */
        negate ^= t->type == PQ_MINUS;
        p->pos++;
        t = pq_peek(p);
        if (t->type != PQ_NUMBER && t->type != PQ_MINUS && t->type != PQ_PLUS)
            return pq_fail(p, pq_term_detail(p)), -1;
    }
    switch (t->type) {
    case PQ_STRING: {
        uint32_t len;
        const char *s = pq_unquote(p->a, p->lx, t, &len);
        memset(out, 0, sizeof(*out));
        out->type = DDB_T_S;
        out->len = len;
        out->u.s = s;
        p->pos++;
        return 0;
    }
    case PQ_NUMBER:
        p->pos++;
        return number_value(p, p->lx->src + t->start, t->len, negate, path, out);
    case PQ_PARAM:
        if (!params_ok)
            return pq_fail_at(p, ddb_arena_sprintf(p->a, "Unsupported data type: Parameter under key %s", path), t), -1;
        *out = *pq_param(p);
        p->pos++;
        return 0;
    case PQ_LBRACK:
        return list_literal(p, path, depth, out, PQ_RBRACK);
    case PQ_LBAG:
        return list_literal(p, path, depth, out, PQ_RBAG);
    case PQ_LBRACE: /* a `?` may stand for a member of the top map only */
        return map_literal(p, path, depth, params_ok && depth <= 1, out);
    case PQ_WORD:
        memset(out, 0, sizeof(*out));
        if (pq_word_is(p->lx, t, "TRUE") || pq_word_is(p->lx, t, "FALSE")) {
            out->type = DDB_T_BOOL;
            out->boolean = pq_word_is(p->lx, t, "TRUE");
            p->pos++;
            return 0;
        }
        if (pq_word_is(p->lx, t, "NULL")) {
            out->type = DDB_T_NULL;
            out->boolean = 1;
            p->pos++;
            return 0;
        }
        if (p->pos + 1 < p->lx->n && p->lx->toks[p->pos + 1].type == PQ_LPAREN)
            return pq_fail_at(p,
                              ddb_arena_sprintf(p->a, "Unsupported data type: %s under key %s",
                                                pq_lower(p->a, p->lx->src + t->start, t->len), path),
                              t),
                   -1;
        return pq_fail(p, pq_term_detail(p)), -1;
    case PQ_ION:
        return pq_fail_msg(p, ddb_arena_sprintf(p->a, "Ion Literals are not supported: %.*s under key %s", (int)t->len,
                                                 p->lx->src + t->start, path)),
               -1;
    default:
        return pq_fail(p, pq_term_detail(p)), -1;
    }
}

int pq_literal(pq_parser *p, int params_ok, ddb_attr *out)
{
    return literal(p, "root", 1, params_ok, out);
}

int pq_item_literal(pq_parser *p, ddb_attr *out)
{
    if (pq_peek(p)->type != PQ_LBRACE)
        return literal(p, "root", 1, 1, out);
    return map_literal(p, "", 0, 1, out);
}

int pq_starts_literal(const pq_parser *p)
{
    const pq_tok *t = &p->lx->toks[p->pos];

    switch (t->type) {
    case PQ_STRING:
    case PQ_NUMBER:
    case PQ_PARAM:
    case PQ_LBRACK:
    case PQ_LBAG:
    case PQ_LBRACE:
    case PQ_ION:
        return 1;
    case PQ_MINUS:
    case PQ_PLUS:
        return 1;
    case PQ_WORD:
        return pq_word_is(p->lx, t, "TRUE") || pq_word_is(p->lx, t, "FALSE") || pq_word_is(p->lx, t, "NULL");
    default:
        return 0;
    }
}
