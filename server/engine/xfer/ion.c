/*
 * server/engine/xfer/ion.c: Ion text for exports and imports (see ion.h).
 */
#include "server/engine/xfer/ion.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

static void put_string(ddb_buf *b, char quote, const char *s, size_t n)
{
    ddb_buf_putc(b, quote);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)quote || c == '\\') {
            ddb_buf_putc(b, '\\');
            ddb_buf_putc(b, (char)c);
        } else if (c == '\n') {
            ddb_buf_puts(b, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            ddb_buf_printf(b, "\\x%02x", c);
        } else {
            ddb_buf_putc(b, (char)c); /* UTF-8 passes as it is */
        }
    }
    ddb_buf_putc(b, quote);
}

/* A field name: bare when it is an identifier that is not a keyword or a symbol id, else quoted. */
static void put_field(ddb_buf *b, const char *s, size_t n)
{
    static const char *const keywords[] = {"null", "true", "false", "nan", NULL};
    int bare = n > 0 && (isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '$');

    for (size_t i = 1; bare && i < n; i++)
        bare = isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$';
    for (int k = 0; bare && keywords[k]; k++)
        bare = !(strlen(keywords[k]) == n && memcmp(keywords[k], s, n) == 0);
    if (bare && s[0] == '$')
        bare = n > 1 && !isdigit((unsigned char)s[1]);
    if (bare)
        ddb_buf_append(b, s, n);
    else
        put_string(b, '\'', s, n);
}

/* A canonical decimal ("-12.5", "600", "0.001") as an Ion decimal ("-12.5", "6d2", "0.001"). */
static void put_decimal(ddb_buf *b, const char *s, size_t n)
{
    char digits[128];
    size_t nd = 0, i = 0;
    int exp = 0, frac = 0;

    if (i < n && s[i] == '-')
        ddb_buf_putc(b, s[i++]);
    for (; i < n && nd < sizeof(digits); i++) {
        if (s[i] == '.') {
            frac = 1;
            continue;
        }
        if (nd == 0 && s[i] == '0') { /* leading zeros */
            exp -= frac;
            continue;
        }
        digits[nd++] = s[i];
        exp -= frac;
    }
    if (nd == 0) {
        ddb_buf_puts(b, "0.");
        return;
    }
    while (nd > 1 && digits[nd - 1] == '0') {
        nd--;
        exp++;
    }
    if (exp == 0) {
        ddb_buf_append(b, digits, nd);
        ddb_buf_putc(b, '.');
    } else if (exp < 0 && (size_t)-exp < nd) {
        ddb_buf_append(b, digits, nd - (size_t)-exp);
        ddb_buf_putc(b, '.');
        ddb_buf_append(b, digits + nd - (size_t)-exp, (size_t)-exp);
    } else {
        ddb_buf_append(b, digits, nd);
        ddb_buf_printf(b, "d%d", exp);
    }
}

static void put_blob(ddb_buf *b, const char *s, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *enc = malloc(cap);

    if (enc == NULL)
        abort();
    sodium_bin2base64(enc, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    ddb_buf_puts(b, "{{");
    ddb_buf_puts(b, enc);
    ddb_buf_puts(b, "}}");
    free(enc);
}

static void put_value(ddb_buf *b, const ddb_attr *v)
{
    switch (v->type) {
    case DDB_T_S:
        put_string(b, '"', v->u.s, v->len);
        break;
    case DDB_T_N:
        put_decimal(b, v->u.s, v->len);
        break;
    case DDB_T_B:
        put_blob(b, v->u.s, v->len);
        break;
    case DDB_T_BOOL:
        ddb_buf_puts(b, v->boolean ? "true" : "false");
        break;
    case DDB_T_NULL:
        ddb_buf_puts(b, "null");
        break;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
    case DDB_T_L:
        if (v->type != DDB_T_L)
            ddb_buf_printf(b, "$dynamodb_%s::", ddb_type_name((ddb_type)v->type));
        ddb_buf_putc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i > 0)
                ddb_buf_putc(b, ',');
            put_value(b, &v->u.items[i]);
        }
        ddb_buf_putc(b, ']');
        break;
    case DDB_T_M:
        ddb_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i > 0)
                ddb_buf_putc(b, ',');
            put_field(b, v->u.entries[i].name, v->u.entries[i].nlen);
            ddb_buf_putc(b, ':');
            put_value(b, &v->u.entries[i].val);
        }
        ddb_buf_putc(b, '}');
        break;
    default:
        ddb_buf_puts(b, "null");
    }
}

void ddb_ion_write_value(ddb_buf *b, const ddb_attr *v)
{
    put_value(b, v);
}

void ddb_ion_write_item(ddb_buf *b, const ddb_attr *item)
{
    ddb_buf_puts(b, "$ion_1_0 {Item:");
    put_value(b, item);
    ddb_buf_putc(b, '}');
}

/* ---- reading ---- */

typedef struct reader {
    const char *p, *end;
    const char *err;
    int depth;
} reader;

static void skip_space(reader *r)
{
    while (r->p < r->end) {
        if (isspace((unsigned char)*r->p) || *r->p == ',') {
            r->p++; /* commas are consumed by the callers' loops; extra ones are harmless here */
        } else if (r->end - r->p >= 2 && r->p[0] == '/' && r->p[1] == '/') {
            while (r->p < r->end && *r->p != '\n')
                r->p++;
        } else if (r->end - r->p >= 2 && r->p[0] == '/' && r->p[1] == '*') {
            const char *e = memmem(r->p + 2, (size_t)(r->end - r->p - 2), "*/", 2);
            r->p = e ? e + 2 : r->end;
        } else {
            break;
        }
    }
}

static int fail(reader *r, const char *msg)
{
    if (r->err == NULL)
        r->err = msg;
    return -1;
}

static int hexdigit(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? (tolower((unsigned char)c) - 'a' + 10) : -1;
}

static void put_utf8(ddb_buf *b, unsigned long cp)
{
    if (cp < 0x80) {
        ddb_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        ddb_buf_putc(b, (char)(0xc0 | (cp >> 6)));
        ddb_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        ddb_buf_putc(b, (char)(0xe0 | (cp >> 12)));
        ddb_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        ddb_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        ddb_buf_putc(b, (char)(0xf0 | (cp >> 18)));
        ddb_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        ddb_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        ddb_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* One quoted run ("...", '...' or '''...''') appended to out, unescaped; the opening quote at r->p. */
static int read_quoted(reader *r, ddb_buf *out)
{
    int triple = r->end - r->p >= 3 && memcmp(r->p, "'''", 3) == 0;
    char q = *r->p;

    r->p += triple ? 3 : 1;
    for (;;) {
        char c;
        if (r->p >= r->end)
            return fail(r, "unterminated string");
        c = *r->p;
        if (triple ? (r->end - r->p >= 3 && memcmp(r->p, "'''", 3) == 0) : c == q) {
            r->p += triple ? 3 : 1;
            return 0;
        }
        r->p++;
        if (c != '\\') {
            ddb_buf_putc(out, c);
            continue;
        }
        if (r->p >= r->end)
            return fail(r, "unterminated string");
        c = *r->p++;
        switch (c) {
        case 'n': ddb_buf_putc(out, '\n'); break;
        case 't': ddb_buf_putc(out, '\t'); break;
        case 'r': ddb_buf_putc(out, '\r'); break;
        case 'b': ddb_buf_putc(out, '\b'); break;
        case 'f': ddb_buf_putc(out, '\f'); break;
        case 'v': ddb_buf_putc(out, '\v'); break;
        case 'a': ddb_buf_putc(out, '\a'); break;
        case '0': ddb_buf_putc(out, '\0'); break;
        case '\n': break; /* an escaped newline joins lines */
        case 'x': case 'u': case 'U': {
            int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            unsigned long cp = 0;
            for (int i = 0; i < n; i++) {
                if (r->p >= r->end || hexdigit(*r->p) < 0)
                    return fail(r, "bad escape in a string");
                cp = cp * 16 + (unsigned long)hexdigit(*r->p++);
            }
            put_utf8(out, cp);
            break;
        }
        default:
            ddb_buf_putc(out, c); /* \" \' \\ \/ \? */
        }
    }
}

/* A string (several long strings in a row are one), into out. */
static int read_string(reader *r, ddb_buf *out)
{
    if (*r->p == '"')
        return read_quoted(r, out);
    do {
        if (read_quoted(r, out) != 0)
            return -1;
        skip_space(r);
    } while (r->end - r->p >= 3 && memcmp(r->p, "'''", 3) == 0);
    return 0;
}

static int is_ident(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* A bare or quoted symbol into out. */
static int read_symbol(reader *r, ddb_buf *out)
{
    if (r->p < r->end && *r->p == '\'')
        return read_quoted(r, out);
    if (r->p >= r->end || !(isalpha((unsigned char)*r->p) || *r->p == '_' || *r->p == '$'))
        return fail(r, "expected a symbol");
    while (r->p < r->end && is_ident(*r->p))
        ddb_buf_putc(out, *r->p++);
    return 0;
}

/* A number token as DynamoDB number text ("6d2" -> "6E2", "103." -> "103", "1.5e0" -> "1.5E0"). */
static int read_number(reader *r, ddb_buf *out)
{
    const char *s = r->p;

    while (r->p < r->end && (isalnum((unsigned char)*r->p) || *r->p == '.' || *r->p == '-' || *r->p == '+' ||
                             *r->p == '_'))
        r->p++;
    for (const char *c = s; c < r->p; c++) {
        if (*c == '_')
            continue;
        if (*c == 'd' || *c == 'D' || *c == 'e' || *c == 'E')
            ddb_buf_putc(out, 'E');
        else if (*c == '.' && (c + 1 == r->p || c[1] == 'd' || c[1] == 'D' || c[1] == 'e' || c[1] == 'E'))
            continue; /* "103." */
        else if (isdigit((unsigned char)*c) || *c == '.' || *c == '-' || *c == '+')
            ddb_buf_putc(out, *c);
        else
            return fail(r, "unsupported number (hexadecimal, binary, nan or inf)");
    }
    return out->len > 0 ? 0 : fail(r, "expected a number");
}

static int read_value(reader *r, ddb_jw *w, const char *set_kind);

/* Annotations before a value: the last $dynamodb_XX one is kept in kind[] ("SS", "NS", "BS"). */
static int read_annotations(reader *r, char kind[3])
{
    kind[0] = '\0';
    for (;;) {
        const char *save = r->p;
        ddb_buf sym = {0};
        skip_space(r);
        if (r->p >= r->end || !(*r->p == '\'' || isalpha((unsigned char)*r->p) || *r->p == '_' || *r->p == '$') ||
            (*r->p == '\'' && r->end - r->p >= 3 && memcmp(r->p, "'''", 3) == 0)) {
            r->p = save;
            return 0;
        }
        if (read_symbol(r, &sym) != 0) {
            ddb_buf_free(&sym);
            return -1;
        }
        skip_space(r);
        if (r->end - r->p >= 2 && r->p[0] == ':' && r->p[1] == ':') {
            r->p += 2;
            if (sym.len == 12 && memcmp(sym.data, "$dynamodb_", 10) == 0) {
                kind[0] = sym.data[10];
                kind[1] = sym.data[11];
                kind[2] = '\0';
            }
            ddb_buf_free(&sym);
            continue;
        }
        ddb_buf_free(&sym);
        r->p = save; /* a symbol value, not an annotation */
        return 0;
    }
}

static int read_list(reader *r, ddb_jw *w, const char *kind)
{
    const char *elem = kind[0] ? (kind[0] == 'S' ? "S" : kind[0] == 'N' ? "N" : "B") : NULL;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, kind[0] ? kind : "L");
    ddb_jw_arr_begin(w);
    r->p++;
    for (;;) {
        skip_space(r);
        if (r->p >= r->end)
            return fail(r, "unterminated list");
        if (*r->p == ']') {
            r->p++;
            break;
        }
        if (read_value(r, w, elem) != 0)
            return -1;
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
    return 0;
}

/* A struct's fields as an object of AttributeValues (the item itself, or an M's map). */
static int read_fields(reader *r, ddb_jw *w)
{
    ddb_jw_obj_begin(w);
    r->p++;
    for (;;) {
        ddb_buf name = {0};
        skip_space(r);
        if (r->p >= r->end)
            return fail(r, "unterminated struct");
        if (*r->p == '}') {
            r->p++;
            break;
        }
        if ((*r->p == '"' ? read_quoted(r, &name) : read_symbol(r, &name)) != 0) {
            ddb_buf_free(&name);
            return -1;
        }
        skip_space(r);
        if (r->p >= r->end || *r->p != ':') {
            ddb_buf_free(&name);
            return fail(r, "expected ':' after a field name");
        }
        r->p++;
        ddb_jw_keyn(w, name.data ? name.data : "", name.len);
        ddb_buf_free(&name);
        if (read_value(r, w, NULL) != 0)
            return -1;
    }
    ddb_jw_obj_end(w);
    return 0;
}

static int read_blob(reader *r, ddb_jw *w, const char *set_kind)
{
    const char *e = memmem(r->p, (size_t)(r->end - r->p), "}}", 2);
    ddb_buf b64 = {0};

    if (e == NULL)
        return fail(r, "unterminated blob");
    for (const char *c = r->p + 2; c < e; c++)
        if (!isspace((unsigned char)*c))
            ddb_buf_putc(&b64, *c);
    if (set_kind != NULL)
        ddb_jw_strn(w, b64.data ? b64.data : "", b64.len);
    else
        ddb_jw_tagged_str(w, "B", b64.data ? b64.data : "", b64.len);
    ddb_buf_free(&b64);
    r->p = e + 2;
    return 0;
}

/* One value as an AttributeValue, or (in a set) as the bare element text. */
static int read_value(reader *r, ddb_jw *w, const char *set_kind)
{
    char kind[3];
    ddb_buf text = {0};
    int rc = 0;

    if (++r->depth > 40)
        return fail(r, "nesting too deep");
    if (read_annotations(r, kind) != 0)
        return -1;
    skip_space(r);
    if (r->p >= r->end)
        return fail(r, "expected a value");
    if (*r->p == '[') {
        rc = read_list(r, w, kind);
    } else if (*r->p == '{' && r->end - r->p >= 2 && r->p[1] == '{') {
        rc = read_blob(r, w, set_kind);
    } else if (*r->p == '{') {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "M");
        rc = read_fields(r, w);
        ddb_jw_obj_end(w);
    } else if (*r->p == '"' || (*r->p == '\'' && r->end - r->p >= 3 && memcmp(r->p, "'''", 3) == 0)) {
        if ((rc = read_string(r, &text)) == 0) {
            if (set_kind != NULL)
                ddb_jw_strn(w, text.data ? text.data : "", text.len);
            else
                ddb_jw_tagged_str(w, "S", text.data ? text.data : "", text.len);
        }
    } else if (isdigit((unsigned char)*r->p) || *r->p == '-' || *r->p == '+') {
        if ((rc = read_number(r, &text)) == 0) {
            ddb_buf_putc(&text, '\0');
            if (set_kind != NULL)
                ddb_jw_str(w, text.data);
            else
                ddb_jw_tagged_str(w, "N", text.data, text.len - 1);
        }
    } else if ((rc = read_symbol(r, &text)) == 0) {
        ddb_buf_putc(&text, '\0');
        if (strcmp(text.data, "true") == 0 || strcmp(text.data, "false") == 0) {
            ddb_jw_obj_begin(w);
            ddb_jw_key(w, "BOOL");
            ddb_jw_bool(w, text.data[0] == 't');
            ddb_jw_obj_end(w);
        } else if (strcmp(text.data, "null") == 0) {
            if (r->p < r->end && *r->p == '.') { /* null.string etc. */
                r->p++;
                while (r->p < r->end && is_ident(*r->p))
                    r->p++;
            }
            ddb_jw_obj_begin(w);
            ddb_jw_key(w, "NULL");
            ddb_jw_bool(w, 1);
            ddb_jw_obj_end(w);
        } else {
            ddb_jw_tagged_str(w, "S", text.data, text.len - 1); /* a symbol value reads as a string */
        }
    }
    ddb_buf_free(&text);
    r->depth--;
    return rc;
}

const char *ddb_ion_read_item(const char *text, size_t len, ddb_jw *w)
{
    reader r = {text, text + len, NULL, 0};
    char kind[3];

    skip_space(&r);
    if (r.end - r.p >= 8 && memcmp(r.p, "$ion_1_0", 8) == 0 && (r.end - r.p == 8 || !is_ident(r.p[8])))
        r.p += 8;
    if (read_annotations(&r, kind) != 0)
        return r.err;
    skip_space(&r);
    if (r.p >= r.end || *r.p != '{')
        return "expected a struct with an Item field";
    r.p++;
    for (;;) {
        ddb_buf name = {0};
        int is_item;
        skip_space(&r);
        if (r.p >= r.end || *r.p == '}')
            return "the struct has no Item field";
        if ((*r.p == '"' ? read_quoted(&r, &name) : read_symbol(&r, &name)) != 0) {
            ddb_buf_free(&name);
            return r.err;
        }
        is_item = name.len == 4 && memcmp(name.data, "Item", 4) == 0;
        ddb_buf_free(&name);
        skip_space(&r);
        if (r.p >= r.end || *r.p != ':')
            return "expected ':' after a field name";
        r.p++;
        skip_space(&r);
        if (is_item) {
            if (read_annotations(&r, kind) != 0)
                return r.err;
            skip_space(&r);
            if (r.p >= r.end || *r.p != '{' || (r.end - r.p >= 2 && r.p[1] == '{'))
                return "Item is not a struct";
            return read_fields(&r, w) == 0 ? NULL : r.err;
        }
        { /* skip another field's value */
            ddb_buf junk = {0};
            ddb_jw jw;
            ddb_jw_init(&jw, &junk);
            int rc = read_value(&r, &jw, NULL);
            ddb_buf_free(&junk);
            if (rc != 0)
                return r.err;
        }
    }
}
