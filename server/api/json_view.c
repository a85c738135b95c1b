/*
 * server/api/json_view.c: a request's JSON as DynamoDB's deserializer and dynalite's checked view
 * see it (see json_view.h).
 */
#include "server/api/json_view.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t key_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int same_key(const ddb_json_member *a, const ddb_json_member *b)
{
    return a->klen == b->klen && memcmp(a->key, b->key, a->klen) == 0;
}

/*
 * The entries of a JSON object as JSON.parse leaves them: one per distinct key, at the position
 * of its first occurrence, holding the value of its last. Most objects have no duplicates, so
 * the original member array is returned when there are none.
 */
ddb_json_member *ddb_v_map_entries(ddb_arena *a, const ddb_json *obj, uint32_t *n)
{
    uint32_t cap = 16, count = 0;
    ddb_json_member *out;
    int32_t *slots;

    *n = 0;
    if (obj == NULL || obj->type != DDB_JSON_OBJECT)
        return NULL;
    if (obj->n < 2) {
        *n = obj->n;
        return obj->u.members;
    }
    while (cap < obj->n * 2)
        cap *= 2;
    slots = ddb_arena_alloc(a, cap * sizeof(*slots));
    memset(slots, 0xff, cap * sizeof(*slots));
    out = ddb_arena_alloc(a, obj->n * sizeof(*out));
    for (uint32_t i = 0; i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        uint32_t s = key_hash(m->key, m->klen) & (cap - 1);
        while (slots[s] >= 0 && !same_key(&out[slots[s]], m))
            s = (s + 1) & (cap - 1);
        if (slots[s] >= 0) {
            out[slots[s]].val = m->val;
        } else {
            slots[s] = (int32_t)count;
            out[count++] = *m;
        }
    }
    if (count == obj->n) {
        *n = obj->n;
        return obj->u.members;
    }
    *n = count;
    return out;
}

/* A Boolean as the type pass leaves it: strings TRUE/1/YES (any case) are true. */
int ddb_v_bool(const ddb_json *v)
{
    if (v == NULL)
        return 0;
    if (v->type == DDB_JSON_BOOL)
        return v->u.b;
    if (v->type == DDB_JSON_STRING) {
        const char *s = v->u.s;
        return strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0;
    }
    return 0;
}

/* floor() without libm: values this large are already integral. */
static double js_floor(double v)
{
    double t;
    if (v != v || v > 4503599627370496.0 || v < -4503599627370496.0)
        return v;
    t = (double)(long long)v;
    return t > v ? t - 1 : t;
}

/* A JSON number as JavaScript sees it; Integer and Long fields are floor()ed by the type pass. */
double ddb_v_number(const ddb_json *v, int integral)
{
    double d;
    if (v == NULL || v->type != DDB_JSON_NUMBER)
        return 0;
    d = strtod(v->u.s, NULL);
    return integral ? js_floor(d) : d;
}

/* Appends mantissa digits `d` (k of them) with decimal exponent n, in Number.prototype.toString form. */
static void js_digits(ddb_buf *b, const char *d, int k, int n)
{
    if (k <= n && n <= 21) {
        ddb_buf_append(b, d, (size_t)k);
        for (int i = k; i < n; i++)
            ddb_buf_putc(b, '0');
    } else if (0 < n && n <= 21) {
        ddb_buf_append(b, d, (size_t)n);
        ddb_buf_putc(b, '.');
        ddb_buf_append(b, d + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        ddb_buf_puts(b, "0.");
        for (int i = n; i < 0; i++)
            ddb_buf_putc(b, '0');
        ddb_buf_append(b, d, (size_t)k);
    } else {
        ddb_buf_putc(b, d[0]);
        if (k > 1) {
            ddb_buf_putc(b, '.');
            ddb_buf_append(b, d + 1, (size_t)(k - 1));
        }
        ddb_buf_printf(b, "e%c%d", n - 1 >= 0 ? '+' : '-', n - 1 >= 0 ? n - 1 : 1 - n);
    }
}

/* String(v) in JavaScript: shortest round-trip digits, exponent form outside [1e-7, 1e21). */
void ddb_v_js_number(ddb_buf *b, double v)
{
    char tmp[40], digits[24];
    int k = 0, p, exp;
    char *e;

    if (v != v) {
        ddb_buf_puts(b, "NaN");
        return;
    }
    if (v > DBL_MAX || v < -DBL_MAX) {
        ddb_buf_puts(b, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (v == 0) {
        ddb_buf_putc(b, '0');
        return;
    }
    if (v < 0) {
        ddb_buf_putc(b, '-');
        v = -v;
    }
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    e = strchr(tmp, 'e');
    exp = atoi(e + 1);
    for (char *c = tmp; c < e; c++) {
        if (*c >= '0' && *c <= '9')
            digits[k++] = *c;
    }
    while (k > 1 && digits[k - 1] == '0')
        k--;
    js_digits(b, digits, k, exp + 1);
}

int ddb_v_name_chars_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return 0;
    }
    return 1;
}
