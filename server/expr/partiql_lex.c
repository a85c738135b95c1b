/*
 * server/expr/partiql_lex.c: PartiQL's tokens.
 *
 * Keywords are case-insensitive words, so they are lexed as words and recognised by the parser;
 * "double-quoted" text is always an identifier (with "" for a quote), 'single-quoted' text a
 * string ('' for a quote). `--` starts a comment to the end of the line and `/ *...* /` a block
 * comment. Anything the lexer cannot read (an unterminated string or comment, a stray character,
 * an exponent beyond 32 bits) is a lexing error, which DynamoDB reports with nothing after
 * "can't be processed: ".
 */
#include "server/expr/partiql_internal.h"

#include <string.h>

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_word_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

static int is_word(unsigned char c)
{
    return is_word_start(c) || is_digit(c);
}

/* Skips blanks and comments; returns 0 on an unterminated block comment. */
static int skip_blank(const char *s, size_t n, size_t *i)
{
    while (*i < n) {
        if (is_space((unsigned char)s[*i])) {
            (*i)++;
        } else if (s[*i] == '-' && *i + 1 < n && s[*i + 1] == '-') {
            while (*i < n && s[*i] != '\n')
                (*i)++;
        } else if (s[*i] == '/' && *i + 1 < n && s[*i + 1] == '*') {
            size_t j = *i + 2;
            while (j + 1 < n && !(s[j] == '*' && s[j + 1] == '/'))
                j++;
            if (j + 1 >= n)
                return 0;
            *i = j + 2;
        } else {
            break;
        }
    }
    return 1;
}

/* A quoted run ending at `q` (doubled to escape it); returns the index after it, or 0 when unterminated. */
static size_t quoted_end(const char *s, size_t n, size_t i, char q)
{
    for (i++; i < n; i++) {
        if (s[i] != q)
            continue;
        if (i + 1 < n && s[i + 1] == q) {
            i++;
            continue;
        }
        return i + 1;
    }
    return 0;
}

/*
 * A number: digits with an optional point and exponent (or a point then digits). The exponent
 * must fit a signed 32-bit integer and so must the scale it leaves (digits after the point minus
 * the exponent), or the literal cannot be read at all, as with DynamoDB's Ion decimals.
 */
static size_t number_end(const char *s, size_t n, size_t i, int *bad)
{
    long long frac = 0, exp = 0;
    int esign = 1;

    while (i < n && is_digit((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit((unsigned char)s[i]); i++)
            frac++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E') && i + 1 < n &&
        (is_digit((unsigned char)s[i + 1]) ||
         ((s[i + 1] == '+' || s[i + 1] == '-') && i + 2 < n && is_digit((unsigned char)s[i + 2])))) {
        i++;
        if (s[i] == '+' || s[i] == '-')
            esign = s[i++] == '-' ? -1 : 1;
        for (; i < n && is_digit((unsigned char)s[i]); i++) {
            if (exp < 10000000000LL)
                exp = exp * 10 + (s[i] - '0');
        }
        exp *= esign;
        if (exp > 2147483647LL || exp < -2147483648LL || frac - exp > 2147483647LL || frac - exp < -2147483648LL)
            *bad = 1;
    }
    return i;
}

static const struct {
    const char *text;
    uint8_t type;
} PUNCT[] = {
    {"<<", PQ_LBAG}, {">>", PQ_RBAG}, {"<>", PQ_NE}, {"!=", PQ_NE}, {"<=", PQ_LE}, {">=", PQ_GE}, {"||", PQ_CONCAT},
    {"(", PQ_LPAREN}, {")", PQ_RPAREN}, {"[", PQ_LBRACK}, {"]", PQ_RBRACK}, {"{", PQ_LBRACE}, {"}", PQ_RBRACE},
    {",", PQ_COMMA}, {".", PQ_DOT}, {":", PQ_COLON}, {";", PQ_SEMI}, {"*", PQ_STAR}, {"=", PQ_EQ}, {"<", PQ_LT},
    {">", PQ_GT}, {"+", PQ_PLUS}, {"-", PQ_MINUS}, {"/", PQ_SLASH}, {"%", PQ_PERCENT}, {"?", PQ_PARAM},
};

static void push(ddb_arena *a, pq_lexed *lx, uint32_t *cap, uint8_t type, size_t start, size_t len)
{
    DDB_ARENA_ROOM(a, lx->toks, lx->n, *cap, 32);
    lx->toks[lx->n++] = (pq_tok){type, (uint32_t)start, (uint32_t)len};
}

int pq_lex(ddb_arena *a, const char *s, size_t n, pq_lexed *lx)
{
    uint32_t cap = 0;
    size_t i = 0;

    memset(lx, 0, sizeof(*lx));
    lx->src = s;
    lx->len = n;
    for (;;) {
        size_t start, end;
        int bad = 0, found = 0;
        unsigned char c;
        if (!skip_blank(s, n, &i))
            return -1;
        if (i >= n)
            break;
        start = i;
        c = (unsigned char)s[i];
        if (is_word_start(c)) {
            while (i < n && is_word((unsigned char)s[i]))
                i++;
            push(a, lx, &cap, PQ_WORD, start, i - start);
            continue;
        }
        if (c == '"' || c == '\'' || c == '`') {
            if ((end = quoted_end(s, n, i, (char)c)) == 0)
                return -1;
            push(a, lx, &cap, c == '\'' ? PQ_STRING : c == '"' ? PQ_QIDENT : PQ_ION, start, end - start);
            i = end;
            continue;
        }
        if (is_digit(c) || (c == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
            end = number_end(s, n, i, &bad);
            if (bad || (end < n && is_word_start((unsigned char)s[end]) && s[end] != 'e' && s[end] != 'E'))
                return -1;
            push(a, lx, &cap, PQ_NUMBER, start, end - start);
            i = end;
            continue;
        }
        for (size_t k = 0; k < sizeof(PUNCT) / sizeof(PUNCT[0]) && !found; k++) {
            size_t plen = strlen(PUNCT[k].text);
            if (i + plen <= n && memcmp(s + i, PUNCT[k].text, plen) == 0) {
                push(a, lx, &cap, PUNCT[k].type, start, plen);
                i += plen;
                found = 1;
            }
        }
        if (!found)
            return -1; /* '#', '@', '&', '^', a control character, a byte outside ASCII, ... */
    }
    push(a, lx, &cap, PQ_EOF, n, 0);
    return 0;
}

/* "The contents of a quoted token, with the doubled quote unescaped." */
const char *pq_unquote(ddb_arena *a, const pq_lexed *lx, const pq_tok *t, uint32_t *len)
{
    const char *s = lx->src + t->start + 1;
    size_t n = t->len - 2, o = 0;
    char q = lx->src[t->start], *out = ddb_arena_alloc(a, n + 1);

    for (size_t i = 0; i < n; i++) {
        out[o++] = s[i];
        if (s[i] == q && i + 1 < n && s[i + 1] == q)
            i++;
    }
    out[o] = 0;
    *len = (uint32_t)o;
    return out;
}

int pq_word_is(const pq_lexed *lx, const pq_tok *t, const char *kw)
{
    size_t n = strlen(kw);

    if (t->type != PQ_WORD || t->len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = lx->src[t->start + i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != kw[i])
            return 0;
    }
    return 1;
}
