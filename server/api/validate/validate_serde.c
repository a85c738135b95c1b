/*
 * server/api/validate/validate_serde.c: the request members as AWS's newer front end reads them (the
 * operations flagged DDB_OPF_SERDE in proto/ops.def: SearchVectors).
 *
 * That front end deserializes the body with serde_json into the operation's input structure before
 * any member constraint is checked, and answers its deserializer's own texts (the conformance
 * suite's tier3 error-messages/searchVectors.test.ts, eu-west-2 and us-east-1, 2026-10-09):
 *   - a required member missing: ValidationException "missing field `TableName` at line 1 column N";
 *   - a member of the wrong type, or null in a required one: SerializationException "invalid type:
 *     null, expected a string at line 1 column N" ("a sequence" for a list, "i32" for an Integer;
 *     a fraction where TopK goes is "invalid type: floating point `3.5`, expected i32", Dynoxide's
 *     capture of 2026-08-13), and "invalid value: integer `N`, expected i32" beyond i32.
 * The body is read in its own order, so the first wrong member in the text is the one answered, and
 * a missing member only once the object has ended, the first in the structure's (the API model's)
 * order. Positions are serde_json's: the line, and the column in bytes, of where its reader stands
 * when it notices (after a scalar it has read, before a `[` or `{` it refuses, after the closing `}`
 * for a missing member). Members the structure does not have are skipped; a null in an optional one
 * is its absence. AttributeValues and structures inside are left to the classic checks (validate.c).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate_internal.h"

typedef struct reader {
    const char *s;
    size_t n, i;
} reader;

static void blanks(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\n' || r->s[r->i] == '\t' || r->s[r->i] == '\r'))
        r->i++;
}

/* serde_json's " at line L column C" for a byte offset: C counts the bytes read on line L. */
static const char *at(ddb_arena *a, const reader *r, size_t off)
{
    size_t line = 1, col = 0;

    for (size_t k = 0; k < off && k < r->n; k++) {
        col++;
        if (r->s[k] == '\n') {
            line++;
            col = 0;
        }
    }
    return ddb_arena_sprintf(a, " at line %zu column %zu", line, col);
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;

    for (int k = 0; k < 4; k++)
        v = v << 4 | (unsigned)(p[k] <= '9' ? p[k] - '0' : (p[k] | 0x20) - 'a' + 10);
    return v;
}

static void put_utf8(ddb_buf *b, unsigned c)
{
    if (c < 0x80) {
        ddb_buf_putc(b, (char)c);
    } else if (c < 0x800) {
        ddb_buf_putc(b, (char)(0xC0 | c >> 6));
        ddb_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        ddb_buf_putc(b, (char)(0xE0 | c >> 12));
        ddb_buf_putc(b, (char)(0x80 | (c >> 6 & 0x3F)));
        ddb_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    } else {
        ddb_buf_putc(b, (char)(0xF0 | c >> 18));
        ddb_buf_putc(b, (char)(0x80 | (c >> 12 & 0x3F)));
        ddb_buf_putc(b, (char)(0x80 | (c >> 6 & 0x3F)));
        ddb_buf_putc(b, (char)(0x80 | (c & 0x3F)));
    }
}

/* Reads the string at r->i (its opening quote) to past its closing quote; with `out`, appends it
   as Rust's Debug prints a str: quoted, with \", \\, \t, \r, \n, \0 and \u{..} for other controls. */
static void string_at(reader *r, ddb_buf *out)
{
    if (out)
        ddb_buf_putc(out, '"');
    for (r->i++; r->i < r->n && r->s[r->i] != '"'; r->i++) {
        unsigned c = (unsigned char)r->s[r->i];
        if (c == '\\' && r->i + 1 < r->n) {
            char e = r->s[++r->i];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : (unsigned)e;
            if (e == 'u' && r->i + 4 < r->n) {
                c = hex4(r->s + r->i + 1);
                r->i += 4;
                if (c >= 0xD800 && c < 0xDC00 && r->i + 6 < r->n && r->s[r->i + 1] == '\\' && r->s[r->i + 2] == 'u') {
                    c = 0x10000 + ((c - 0xD800) << 10) + (hex4(r->s + r->i + 3) - 0xDC00);
                    r->i += 6;
                }
            }
        }
        if (out == NULL)
            continue;
        if (c == '"' || c == '\\')
            ddb_buf_printf(out, "\\%c", (char)c);
        else if (c == '\n' || c == '\t' || c == '\r' || c == 0)
            ddb_buf_puts(out, c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : "\\0");
        else if (c < 0x20 || c == 0x7F)
            ddb_buf_printf(out, "\\u{%x}", c);
        else if (c >= 0x80 && (unsigned char)r->s[r->i] >= 0x80)
            ddb_buf_putc(out, r->s[r->i]); /* a raw UTF-8 byte, copied as it is */
        else
            put_utf8(out, c);
    }
    r->i++;
    if (out)
        ddb_buf_putc(out, '"');
}

/* Past the value at r->i (valid JSON: the body has been parsed). */
static void skip_value(reader *r)
{
    int depth = 0;

    for (;;) {
        char c;
        blanks(r);
        if (r->i >= r->n)
            return;
        c = r->s[r->i];
        if (c == '"') {
            string_at(r, NULL);
        } else if (c == '[' || c == '{' || c == ']' || c == '}' || c == ',' || c == ':') {
            depth += c == '[' || c == '{' ? 1 : c == ']' || c == '}' ? -1 : 0;
            r->i++;
        } else {
            do /* a number or a literal (at least one byte: never stuck) */
                r->i++;
            while (r->i < r->n && r->s[r->i] != '\0' && !strchr(",:]} \n\t\r", r->s[r->i]));
        }
        if (depth == 0)
            return;
    }
}

/* A float as serde_json prints it (ryu's shortest digits: 3.5, 1.0, 1e39, 0.0001, 1.5e-7). */
static void float_text(ddb_buf *b, double v)
{
    char e[40], digits[24];
    int prec, len = 0, point;

    if (v == 0) {
        ddb_buf_puts(b, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    for (prec = 1; prec < 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    snprintf(e, sizeof(e), "%.*e", prec - 1, v);
    for (const char *p = e + (e[0] == '-'); *p != 'e'; p++)
        if (*p != '.')
            digits[len++] = *p;
    while (len > 1 && digits[len - 1] == '0')
        len--;
    digits[len] = '\0';
    point = atoi(strchr(e, 'e') + 1) + 1; /* the value is 0.<digits> x 10^point */
    if (v < 0)
        ddb_buf_putc(b, '-');
    if (point >= len && point <= 16) { /* 1e15: 1000000000000000.0 */
        ddb_buf_puts(b, digits);
        for (int k = len; k < point; k++)
            ddb_buf_putc(b, '0');
        ddb_buf_puts(b, ".0");
    } else if (point > 0 && point <= 16) {
        ddb_buf_printf(b, "%.*s.%s", point, digits, digits + point);
    } else if (point > -5 && point <= 0) {
        ddb_buf_puts(b, "0.");
        for (int k = point; k < 0; k++)
            ddb_buf_putc(b, '0');
        ddb_buf_puts(b, digits);
    } else if (len == 1) {
        ddb_buf_printf(b, "%se%d", digits, point - 1);
    } else {
        ddb_buf_printf(b, "%c.%se%d", digits[0], digits + 1, point - 1);
    }
}

/* serde_json's number at r->i, read past: an unsigned or signed integer when it fits 64 bits, else
   a float (-0 is the float -0.0, as serde_json reads it). */
typedef struct number {
    enum { N_U64, N_I64, N_F64 } kind;
    unsigned long long u;
    long long i;
    double f;
} number;

static number number_at(reader *r)
{
    size_t start = r->i;
    int is_float = 0, neg = r->s[r->i] == '-';
    char tmp[1024]; /* (a longer number is read by its first 1023 characters) */
    number x = {N_F64, 0, 0, 0};
    size_t len;

    while (r->i < r->n && strchr("+-0123456789.eE", r->s[r->i]) && r->s[r->i] != '\0') {
        is_float |= r->s[r->i] == '.' || r->s[r->i] == 'e' || r->s[r->i] == 'E';
        r->i++;
    }
    len = r->i - start < sizeof(tmp) - 1 ? r->i - start : sizeof(tmp) - 1;
    memcpy(tmp, r->s + start, len);
    tmp[len] = '\0';
    x.f = strtod(tmp, NULL);
    if (!is_float) {
        char *end;
        errno = 0;
        unsigned long long mag = strtoull(tmp + neg, &end, 10);
        if (errno == 0 && !neg) {
            x.kind = N_U64;
            x.u = mag;
        } else if (errno == 0 && mag != 0 && mag <= 9223372036854775808ULL) {
            x.kind = N_I64;
            x.i = mag == 9223372036854775808ULL ? INT64_MIN : -(long long)mag;
        }
    }
    return x;
}

static void number_text(ddb_buf *b, number x)
{
    if (x.kind == N_U64)
        ddb_buf_printf(b, "integer `%llu`", x.u);
    else if (x.kind == N_I64)
        ddb_buf_printf(b, "integer `%lld`", x.i);
    else {
        ddb_buf_puts(b, "floating point `");
        float_text(b, x.f);
        ddb_buf_putc(b, '`');
    }
}

/* What serde_json expects for a member of this type (NULL: not checked here). */
static const char *expecting(ddb_vtype t)
{
    switch (t) {
    case DDB_V_STRING:
        return "a string";
    case DDB_V_BOOLEAN:
        return "a boolean";
    case DDB_V_INTEGER:
        return "i32";
    case DDB_V_LONG:
        return "i64";
    case DDB_V_DOUBLE:
        return "f64";
    case DDB_V_LIST:
        return "a sequence";
    case DDB_V_MAP:
        return "a map";
    default:
        return NULL; /* structures, AttributeValues, blobs: the classic checks */
    }
}

/* Whether an integer fits the member's type (an Integer is an i32, a Long an i64). */
static int fits(ddb_vtype t, number x)
{
    long long lo = t == DDB_V_INTEGER ? INT32_MIN : INT64_MIN;
    unsigned long long hi = t == DDB_V_INTEGER ? INT32_MAX : INT64_MAX;

    return x.kind == N_U64 ? x.u <= hi : x.i >= lo;
}

typedef struct failure {
    const char *msg;
    size_t off;
} failure;

static int value_ok(ddb_arena *a, reader *r, const ddb_field *f, failure *why);

/* The members of a list or the values of a map (r->i at its `[` or `{`), each as children[0]. */
static int members_ok(ddb_arena *a, reader *r, const ddb_field *f, failure *why)
{
    char close = r->s[r->i] == '[' ? ']' : '}';

    r->i++;
    for (;;) {
        blanks(r);
        if (r->i >= r->n || r->s[r->i] == close) {
            r->i++;
            return 1;
        }
        if (r->s[r->i] == ',') {
            r->i++;
            blanks(r);
        }
        if (close == '}') { /* a key, then its value */
            string_at(r, NULL);
            blanks(r);
            r->i++;
            blanks(r);
        }
        if (f->children == NULL || expecting(f->children[0].type) == NULL)
            skip_value(r);
        else if (!value_ok(a, r, &f->children[0], why))
            return 0;
    }
}

/* The value at r->i against its member's type, read past; or why not, serde_json's words. */
static int value_ok(ddb_arena *a, reader *r, const ddb_field *f, failure *why)
{
    ddb_vtype t = f->type;
    char c;
    ddb_buf b = {0};
    number x;

    blanks(r);
    c = r->s[r->i];
    if ((c == '"' && t == DDB_V_STRING) || ((c == 't' || c == 'f') && t == DDB_V_BOOLEAN)) {
        skip_value(r);
        return 1;
    }
    if ((c == '[' && t == DDB_V_LIST) || (c == '{' && t == DDB_V_MAP))
        return members_ok(a, r, f, why);
    why->off = r->i; /* a `[` or `{` refused is reported where it starts */
    if (c == '[' || c == '{') {
        ddb_buf_puts(&b, c == '[' ? "sequence" : "map");
    } else if (c == '"') {
        ddb_buf_puts(&b, "string ");
        string_at(r, &b);
    } else if (c == 'n' || c == 't' || c == 'f') {
        ddb_buf_puts(&b, c == 'n' ? "null" : c == 't' ? "boolean `true`" : "boolean `false`");
        skip_value(r);
    } else {
        x = number_at(r);
        if (!isfinite(x.f)) { /* past f64's range: serde_json stops at the number itself */
            why->off = r->i;
            why->msg = "number out of range";
            ddb_buf_free(&b);
            return 0;
        }
        if (t == DDB_V_DOUBLE || ((t == DDB_V_INTEGER || t == DDB_V_LONG) && x.kind != N_F64 && fits(t, x))) {
            ddb_buf_free(&b);
            return 1;
        }
        if ((t == DDB_V_INTEGER || t == DDB_V_LONG) && x.kind != N_F64) {
            ddb_buf_puts(&b, "invalid value: ");
            number_text(&b, x);
            why->off = r->i;
            why->msg = ddb_arena_sprintf(a, "%.*s, expected %s", (int)b.len, b.data, expecting(t));
            ddb_buf_free(&b);
            return 0;
        }
        number_text(&b, x);
    }
    if (c != '[' && c != '{')
        why->off = r->i; /* a scalar is reported where it ends */
    why->msg = ddb_arena_sprintf(a, "invalid type: %.*s, expected %s", (int)b.len, b.data, expecting(t));
    ddb_buf_free(&b);
    return 0;
}

/* The member named by the key at r->i (raw bytes: the model's names need no escapes), or -1. */
static int member_of(const ddb_field *fields, const reader *r, size_t *end)
{
    const char *k = r->s + r->i + 1, *q = memchr(k, '"', r->n - r->i - 1);
    size_t n = q ? (size_t)(q - k) : 0;

    *end = (size_t)(k - r->s) + n + 1;
    for (int i = 0; fields[i].name != NULL && i < 32; i++)
        if (strlen(fields[i].name) == n && memcmp(fields[i].name, k, n) == 0)
            return i;
    return -1;
}

static int required(const ddb_field *f)
{
    return (f->flags & (DDB_VF_NOT_NULL | DDB_VF_REQUIRED)) != 0;
}

int ddb_validate_serde(ddb_req *req, const ddb_field *fields)
{
    reader r = {req->body, req->body_len, 0};
    unsigned long seen = 0;
    failure why = {NULL, 0};

    blanks(&r);
    if (r.i >= r.n || r.s[r.i] != '{')
        return DDB_OK; /* (not an object: refused by the pipeline) */
    for (r.i++;;) {
        size_t key_end;
        int m;
        blanks(&r);
        if (r.i >= r.n || r.s[r.i] == '}')
            break;
        if (r.s[r.i] == ',') {
            r.i++;
            blanks(&r);
        }
        m = member_of(fields, &r, &key_end);
        if (m >= 0 && (seen & 1ul << m)) /* a member twice: refused as its key is read */
            return ddb_req_fail(req, DDB_E_SERIALIZATION, "duplicate field `%s`%s", fields[m].name,
                                at(req->arena, &r, key_end));
        r.i = key_end;
        blanks(&r);
        r.i++; /* the ':' */
        blanks(&r);
        if (m < 0 || expecting(fields[m].type) == NULL || (!required(&fields[m]) && r.s[r.i] == 'n')) {
            skip_value(&r); /* unknown, not checked here, or an optional member's null: its absence */
        } else if (!value_ok(req->arena, &r, &fields[m], &why)) {
            return ddb_req_fail(req, DDB_E_SERIALIZATION, "%s%s", why.msg, at(req->arena, &r, why.off));
        }
        if (m >= 0)
            seen |= 1ul << m;
    }
    for (int i = 0; fields[i].name != NULL && i < 32; i++)
        if (required(&fields[i]) && !(seen & 1ul << i)) /* after the closing brace */
            return ddb_req_fail(req, DDB_E_VALIDATION, "missing field `%s`%s", fields[i].name,
                                at(req->arena, &r, r.i + 1));
    return DDB_OK;
}
