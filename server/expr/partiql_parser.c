/*
 * server/expr/partiql_parser.c: the PartiQL parser's cursor over the tokens, shared by the
 * conditions (partiql.c), the literals (partiql_value.c) and the statements (partiql_stmt.c): the
 * keywords (SQL-92's reserved words plus PartiQL's), the tokens taken, the statement's parameters
 * in order, and the first failure, worded as DynamoDB words it ("Unexpected term", "Unexpected
 * keyword", "Unexpected operator", with the token's line and column).
 */
#include "server/expr/partiql_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- keywords */

static const char *const KEYWORDS[] = {
    "ABSOLUTE", "ACTION", "ADD", "ALL", "ALLOCATE", "ALTER", "AND", "ANY", "ARE", "AS", "ASC", "ASSERTION", "AT",
    "AUTHORIZATION", "AVG", "BAG", "BEGIN", "BETWEEN", "BIT", "BIT_LENGTH", "BLOB", "BOOL", "BOOLEAN", "BOTH", "BY",
    "CASCADE", "CASCADED", "CASE", "CAST", "CATALOG", "CHAR", "CHARACTER", "CHARACTER_LENGTH", "CHAR_LENGTH", "CHECK",
    "CLOB", "CLOSE", "COALESCE", "COLLATE", "COLLATION", "COLUMN", "COMMIT", "CONFLICT", "CONNECT", "CONNECTION",
    "CONSTRAINT", "CONSTRAINTS", "CONTINUE", "CONVERT", "CORRESPONDING", "COUNT", "CREATE", "CROSS", "CURRENT",
    "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURSOR", "DATE", "DAY", "DEALLOCATE", "DEC",
    "DECIMAL", "DECLARE", "DEFAULT", "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DESCRIBE", "DESCRIPTOR",
    "DIAGNOSTICS", "DISCONNECT", "DISTINCT", "DO", "DOMAIN", "DOUBLE", "DROP", "ELSE", "END", "END-EXEC", "ESCAPE",
    "EXCEPT", "EXCEPTION", "EXEC", "EXECUTE", "EXISTS", "EXTERNAL", "EXTRACT", "FALSE", "FETCH", "FIRST", "FLOAT",
    "FOR", "FOREIGN", "FOUND", "FROM", "FULL", "GET", "GLOBAL", "GO", "GOTO", "GRANT", "GROUP", "HAVING", "HOUR",
    "IDENTITY", "IMMEDIATE", "IN", "INDEX", "INDICATOR", "INITIALLY", "INNER", "INPUT", "INSENSITIVE", "INSERT", "INT",
    "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "ISOLATION", "JOIN", "KEY", "LANGUAGE", "LAST", "LEADING", "LEFT",
    "LET", "LEVEL", "LIKE", "LIMIT", "LIST", "LOCAL", "LOWER", "MATCH", "MAX", "MIN", "MINUTE", "MISSING", "MODIFIED",
    "MODULE", "MONTH", "NAMES", "NATIONAL", "NATURAL", "NCHAR", "NEW", "NEXT", "NO", "NOT", "NOTHING", "NULL", "NULLIF",
    "NUMERIC", "OCTET_LENGTH", "OF", "OFFSET", "OLD", "ON", "ONLY", "OPEN", "OPTION", "OR", "ORDER", "OUTER", "OUTPUT",
    "OVERLAPS", "PAD", "PARTIAL", "PIVOT", "POSITION", "PRECISION", "PREPARE", "PRESERVE", "PRIMARY", "PRIOR",
    "PRIVILEGES", "PROCEDURE", "PUBLIC", "READ", "REAL", "REFERENCES", "RELATIVE", "REMOVE", "RESTRICT", "RETURNING",
    "REVOKE", "RIGHT", "ROLLBACK", "ROWS", "SCHEMA", "SCROLL", "SECOND", "SECTION", "SELECT", "SESSION",
    "SESSION_USER", "SET", "SEXP", "SIZE", "SMALLINT", "SOME", "SPACE", "SQL", "SQLCODE", "SQLERROR", "SQLSTATE",
    "STRING", "STRUCT", "SUBSTRING", "SUM", "SYMBOL", "SYSTEM_USER", "TABLE", "TEMPORARY", "THEN", "TIME", "TIMESTAMP",
    "TIMEZONE_HOUR", "TIMEZONE_MINUTE", "TO", "TRAILING", "TRANSACTION", "TRANSLATE", "TRIM", "TRUE", "TUPLE",
    "UNION", "UNIQUE", "UNKNOWN", "UNPIVOT", "UPDATE", "UPPER", "USAGE", "USER", "USING", "VALUE", "VALUES", "VIEW",
    "WHEN", "WHENEVER", "WHERE", "WITH", "WORK", "WRITE", "YEAR", "ZONE",
};

static int kw_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int pq_is_keyword(const pq_lexed *lx, const pq_tok *t)
{
    char up[24];

    if (t->type != PQ_WORD || t->len >= sizeof(up))
        return 0;
    for (uint32_t i = 0; i < t->len; i++) {
        char c = lx->src[t->start + i];
        up[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    up[t->len] = 0;
    return bsearch(up, KEYWORDS, sizeof(KEYWORDS) / sizeof(KEYWORDS[0]), sizeof(KEYWORDS[0]), kw_cmp) != NULL;
}

/* Operators spelled as words: where a term should start they are "Unexpected operator". */
int pq_is_word_operator(const pq_lexed *lx, const pq_tok *t)
{
    static const char *const ops[] = {"IS", "LIKE", "AND", "OR", "IN", "BETWEEN", "NOT"};

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (pq_word_is(lx, t, ops[i]))
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- errors */

void pq_fail(pq_parser *p, const char *detail)
{
    if (p->err == NULL)
        p->err = ddb_arena_sprintf(p->a, PQ_NWF "%s", detail);
}

void *pq_fail_msg(pq_parser *p, const char *msg)
{
    if (p->err == NULL)
        p->err = msg;
    return NULL;
}

void pq_fail_at(pq_parser *p, const char *msg, const pq_tok *t)
{
    uint32_t line = 1, col = 1;

    for (uint32_t i = 0; i < t->start; i++) {
        if (p->lx->src[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    pq_fail_msg(p, ddb_arena_sprintf(p->a, "%s at %u:%u:%u", msg, line, col, t->len));
}

const char *pq_term_detail(const pq_parser *p)
{
    const pq_tok *t = pq_peek(p);

    switch (t->type) {
    case PQ_EOF:
    case PQ_SEMI:
    case PQ_RPAREN:
    case PQ_RBRACK:
    case PQ_RBRACE:
    case PQ_RBAG:
    case PQ_COMMA:
        return "Unexpected term";
    case PQ_WORD:
        if (pq_is_word_operator(p->lx, t))
            return "Unexpected operator";
        return pq_is_keyword(p->lx, t) ? "Unexpected keyword" : "Unexpected term";
    case PQ_EQ:
    case PQ_NE:
    case PQ_LT:
    case PQ_LE:
    case PQ_GT:
    case PQ_GE:
    case PQ_STAR:
    case PQ_SLASH:
    case PQ_PERCENT:
    case PQ_CONCAT:
        return "Unexpected operator";
    default:
        return "Unexpected term";
    }
}

const ddb_attr *pq_param(pq_parser *p)
{
    uint32_t i = p->next_param++;

    return i < p->nparams ? &p->params[i] : &p->null_param;
}

const char *pq_lower(ddb_arena *a, const char *s, size_t n)
{
    char *out = ddb_arena_strndup(a, s, n);

    for (size_t i = 0; i < n; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    return out;
}

int pq_accept_word(pq_parser *p, const char *kw)
{
    if (!pq_word_is(p->lx, pq_peek(p), kw))
        return 0;
    p->pos++;
    return 1;
}

int pq_accept(pq_parser *p, pq_tok_type t)
{
    if (pq_peek(p)->type != t)
        return 0;
    p->pos++;
    return 1;
}

int pq_member_end(pq_parser *p, pq_tok_type close)
{
    if (pq_accept(p, PQ_COMMA) || pq_peek(p)->type == close)
        return 0;
    pq_fail(p, pq_term_detail(p));
    return -1;
}
