/*
 * server/expr/expr_lex.c: splits an expression into tokens and words syntax errors as DynamoDB does.
 *
 * One lexer serves all five expression kinds, as DynamoDB's grammar does: AND, OR, NOT,
 * BETWEEN, IN, SET, REMOVE, ADD and DELETE are keywords everywhere (so `set = :v` in a condition
 * is a syntax error, not a reserved word). Identifiers start with a letter: `_a` is the token
 * "_" followed by "a". A character the language does not use is a token of its own, which is
 * how DynamoDB reports it ("token: \"_\", near: \"AND __\"").
 */
#include "server/expr/expr_internal.h"

#include <string.h>

/* Character classes, one table lookup per byte. */
enum { C_ALPHA = 1, C_DIGIT = 2, C_UNDER = 4, C_SPACE = 8 };

static const uint8_t cls[256] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE, ['_'] = C_UNDER,
    ['0' ... '9'] = C_DIGIT, ['a' ... 'z'] = C_ALPHA, ['A' ... 'Z'] = C_ALPHA,
};

static int is_alpha(unsigned char c)
{
    return cls[c] & C_ALPHA;
}

static int is_digit(unsigned char c)
{
    return cls[c] & C_DIGIT;
}

static int is_word(unsigned char c)
{
    return cls[c] & (C_ALPHA | C_DIGIT | C_UNDER);
}

static int is_space(unsigned char c)
{
    return cls[c] & C_SPACE;
}

static int word_is(const char *s, size_t n, const char *kw)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        if (c != (unsigned char)kw[i])
            return 0;
    }
    return 1;
}

/* Keywords, found by length first: most identifiers are not keywords and leave at once. */
static ddb_tok_type keyword(const char *s, size_t n)
{
    switch (n) {
    case 2:
        return word_is(s, n, "OR") ? TK_OR : word_is(s, n, "IN") ? TK_IN : TK_IDENT;
    case 3:
        return word_is(s, n, "AND")   ? TK_AND
               : word_is(s, n, "NOT") ? TK_NOT
               : word_is(s, n, "SET") ? TK_SET
               : word_is(s, n, "ADD") ? TK_ADD
                                      : TK_IDENT;
    case 6:
        return word_is(s, n, "REMOVE") ? TK_REMOVE : word_is(s, n, "DELETE") ? TK_DELETE : TK_IDENT;
    case 7:
        return word_is(s, n, "BETWEEN") ? TK_BETWEEN : TK_IDENT;
    default:
        return TK_IDENT;
    }
}

/* Length of the UTF-8 sequence starting at s[0] (1 for a stray byte), so a bad character is one token. */
static size_t utf8_char_len(const unsigned char *s, size_t avail)
{
    size_t n = 1;

    if (s[0] >= 0xF0)
        n = 4;
    else if (s[0] >= 0xE0)
        n = 3;
    else if (s[0] >= 0xC0)
        n = 2;
    if (n > avail)
        return 1;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
    }
    return n;
}

/* Operators and punctuation; returns the length matched (0 if none). */
static size_t punct(const char *s, size_t avail, ddb_tok_type *type)
{
    char c = s[0], d = avail > 1 ? s[1] : 0;

    switch (c) {
    case '(': *type = TK_LPAREN; return 1;
    case ')': *type = TK_RPAREN; return 1;
    case '[': *type = TK_LBRACK; return 1;
    case ']': *type = TK_RBRACK; return 1;
    case ',': *type = TK_COMMA; return 1;
    case '.': *type = TK_DOT; return 1;
    case '+': *type = TK_PLUS; return 1;
    case '-': *type = TK_MINUS; return 1;
    case '=': *type = TK_EQ; return 1;
    case '<':
        if (d == '>') {
            *type = TK_NE;
            return 2;
        }
        *type = d == '=' ? TK_LE : TK_LT;
        return d == '=' ? 2 : 1;
    case '>':
        *type = d == '=' ? TK_GE : TK_GT;
        return d == '=' ? 2 : 1;
    default:
        return 0;
    }
}

/* Reads one token at s[i]; returns its length and sets *type. */
static size_t next_token(const char *s, size_t len, size_t i, ddb_tok_type *type)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t j = i + 1, n;

    if (is_alpha(u[i])) {
        while (j < len && is_word(u[j]))
            j++;
        *type = keyword(s + i, j - i);
        return j - i;
    }
    if (u[i] == '#' || u[i] == ':') {
        while (j < len && is_word(u[j]))
            j++;
        *type = j == i + 1 ? TK_BAD : (u[i] == '#' ? TK_NAME : TK_VALUE);
        return j - i;
    }
    if (is_digit(u[i])) {
        /* A leading zero is a number by itself, as in DynamoDB's grammar. */
        if (u[i] != '0') {
            while (j < len && is_digit(u[j]))
                j++;
        }
        *type = TK_INT;
        return j - i;
    }
    if ((n = punct(s + i, len - i, type)) != 0)
        return n;
    *type = TK_BAD;
    return utf8_char_len(u + i, len - i);
}

void ddb_lex(ddb_arena *a, const char *src, size_t len, ddb_lexed *out)
{
    /* At most one token per byte, plus EOF. */
    ddb_tok *toks = ddb_arena_alloc(a, sizeof(ddb_tok) * (len + 1));
    uint32_t n = 0;
    size_t i = 0;

    while (i < len) {
        ddb_tok_type type;
        size_t k;

        if (is_space((unsigned char)src[i])) {
            i++;
            continue;
        }
        k = next_token(src, len, i, &type);
        toks[n].type = (uint8_t)type;
        toks[n].flags = 0;
        toks[n].start = (uint32_t)i;
        toks[n].len = (uint32_t)k;
        n++;
        i += k;
    }
    toks[n].type = TK_EOF;
    toks[n].flags = 0;
    toks[n].start = (uint32_t)len;
    toks[n].len = 0;
    out->src = src;
    out->len = len;
    out->toks = toks;
    out->n = n + 1;
}

/*
 * DynamoDB quotes the offending token and the text from the token before it to the token after
 * it ("near"), whitespace included: `SET a = VALUE 1` gives token "1", near "VALUE 1".
 */
const char *ddb_lex_syntax_error(ddb_arena *a, const ddb_lexed *lx, uint32_t at)
{
    static const char head[] = "Syntax error; token: \"", mid[] = "\", near: \"";
    const ddb_tok *t = &lx->toks[at];
    size_t from = at > 0 ? lx->toks[at - 1].start : 0;
    size_t to = at + 1 < lx->n ? lx->toks[at + 1].start + lx->toks[at + 1].len : t->start + t->len;
    const char *tok = t->type == TK_EOF ? "<EOF>" : lx->src + t->start;
    size_t toklen = t->type == TK_EOF ? 5 : t->len;
    size_t n = sizeof(head) - 1 + toklen + sizeof(mid) - 1 + (to - from) + 1;
    char *out = ddb_arena_alloc(a, n + 1), *p = out;

    /* Built with memcpy: the expression may hold any byte, NUL included. */
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;
    memcpy(p, tok, toklen);
    p += toklen;
    memcpy(p, mid, sizeof(mid) - 1);
    p += sizeof(mid) - 1;
    memcpy(p, lx->src + from, to - from);
    p += to - from;
    *p++ = '"';
    *p = 0;
    return out;
}
