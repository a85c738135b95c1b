/*
 * server/engine/vector/vector.c: the vectors of vector indexes (see vector.h).
 */
#include "server/engine/vector/vector.h"

#include "proto/number.h"
#include "server/engine/index.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A number's value (N's canonical decimal text); HUGE_VAL-ish when it is beyond double's range. */
static double number_of(const ddb_attr *v)
{
    return ddb_num_to_double(v->u.s, v->len, NULL);
}

static int in_f32_range(double d)
{
    return d >= -(double)FLT_MAX && d <= (double)FLT_MAX;
}

int ddb_vector_of(const ddb_index *ix, const ddb_attr *item, float *out)
{
    const ddb_vector_def *vd = ix->vec;
    const ddb_attr *v = ddb_item_get(item, vd->attr, vd->alen);

    if (v == NULL || v->type != DDB_T_L || v->len != vd->dims)
        return 1;
    for (unsigned i = 0; i < vd->dims; i++) {
        const ddb_attr *e = &v->u.items[i];
        double d;
        if (e->type != DDB_T_N || !in_f32_range(d = number_of(e)))
            return 1;
        out[i] = (float)d;
    }
    return 0;
}

size_t ddb_vector_billed_size(const ddb_table *t, const ddb_attr *item, size_t size)
{
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        const ddb_attr *v;
        int seen = 0;
        if (ix->kind != DDB_IX_VECTOR || ix->state == DDB_IX_DELETING)
            continue;
        for (unsigned j = 0; j < i && !seen; j++) /* two indexes on one attribute: counted once */
            seen = t->indexes[j].kind == DDB_IX_VECTOR && t->indexes[j].state != DDB_IX_DELETING &&
                   t->indexes[j].vec->alen == ix->vec->alen &&
                   memcmp(t->indexes[j].vec->attr, ix->vec->attr, ix->vec->alen) == 0;
        v = seen ? NULL : ddb_item_get(item, ix->vec->attr, ix->vec->alen);
        if (v == NULL || v->type != DDB_T_L || v->len != ix->vec->dims)
            continue; /* not a vector the index takes: its own size */
        size = size - ddb_attr_size(v) + (size_t)ix->vec->dims * 4;
    }
    return size;
}

/*
 * The number as DynamoDB echoes it in the range message: Java's BigDecimal in scientific form
 * ("3.5E+38"), from the number's text ("350000000000000000000000000000000000000" or "3.5E38").
 */
static const char *scientific(ddb_arena *a, const ddb_attr *v)
{
    char digits[64];
    size_t nd = 0;
    long exp10 = 0, int_len = 0, lead_frac_zeros = 0;
    int neg = 0, in_frac = 0, started = 0;

    for (uint32_t i = 0; i < v->len; i++) {
        char c = v->u.s[i];
        if (c == '-')
            neg = 1;
        else if (c == '.')
            in_frac = 1;
        else if (c == 'e' || c == 'E') {
            exp10 += strtol(v->u.s + i + 1, NULL, 10);
            break;
        } else if (c >= '0' && c <= '9') {
            if (!started && c == '0') {
                lead_frac_zeros += in_frac;
                continue;
            }
            started = 1;
            int_len += !in_frac;
            if (nd < sizeof(digits) - 1)
                digits[nd++] = c;
        }
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (nd == 0)
        return "0";
    digits[nd] = '\0';
    exp10 += int_len > 0 ? int_len - 1 : -(lead_frac_zeros + 1);
    return ddb_arena_sprintf(a, "%s%c%s%sE%c%ld", neg ? "-" : "", digits[0], nd > 1 ? "." : "", digits + 1,
                             exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
}

/* The INVALID prefixes DynamoDB's vector write checks use (captured August 2026: docs/compatibility.md). */
#define NOT_VALID_INVALID "One or more parameter values are not valid. One or more parameter values were invalid . "
#define INVALID_DOT "One or more parameter values were invalid. "

static const char *check_vector(ddb_arena *a, const ddb_index *ix, const ddb_attr *item)
{
    const ddb_vector_def *vd = ix->vec;
    const ddb_attr *v = ddb_item_get(item, vd->attr, vd->alen);

    if (v == NULL)
        return NULL; /* not indexed: the write succeeds */
    if (v->type != DDB_T_L)
        return ddb_arena_sprintf(a, NOT_VALID_INVALID "Invalid type for parameter %s, Expected: L, Actual: %s. IndexName: %s",
                                 vd->attr, ddb_type_name((ddb_type)v->type), ix->name);
    if (v->len != vd->dims)
        return ddb_arena_sprintf(a, NOT_VALID_INVALID "Invalid size for parameter %s, Expected: %u, Actual: %u. IndexName: %s",
                                 vd->attr, vd->dims, v->len, ix->name);
    for (uint32_t i = 0; i < v->len; i++) {
        const ddb_attr *e = &v->u.items[i];
        if (e->type != DDB_T_N)
            return ddb_arena_sprintf(a,
                                     INVALID_DOT "Invalid type for parameter %s[%u], Expected: 32-bit floating point "
                                                 "number, Actual: %s. IndexName: %s",
                                     vd->attr, i, ddb_type_name((ddb_type)e->type), ix->name);
        if (!in_f32_range(number_of(e)))
            return ddb_arena_sprintf(a,
                                     NOT_VALID_INVALID "Invalid value for parameter %s[%u], Value: %s is outside valid "
                                                       "range [-3.4028235E38, 3.4028235E38]. IndexName: %s",
                                     vd->attr, i, scientific(a, e), ix->name);
    }
    return NULL;
}

static const char *check_schema_attr(ddb_arena *a, const ddb_index *ix, const ddb_key_part *p, int is_hash,
                                     const ddb_attr *item)
{
    const ddb_attr *v = ddb_item_get(item, p->name, p->nlen);

    if (v == NULL)
        return NULL;
    if (v->type != p->type)
        return ddb_arena_sprintf(a, INVALID_DOT "Attribute '%s' type mismatch. Expected: %s, Actual: %s. IndexName: %s",
                                 p->name, ddb_type_name(p->type), ddb_type_name((ddb_type)v->type), ix->name);
    if (is_hash && v->len == 0 && (v->type == DDB_T_S || v->type == DDB_T_B))
        return ddb_index_empty_key_message(a, v->type, ix->name, p->name);
    return NULL;
}

const char *ddb_vector_check_item(ddb_arena *a, const ddb_table *t, const ddb_attr *item)
{
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        const char *msg;
        if (ix->kind != DDB_IX_VECTOR || !ddb_index_maintained(ix))
            continue;
        for (unsigned k = 0; k < ix->nhash; k++)
            if ((msg = check_schema_attr(a, ix, &ix->hash[k], 1, item)) != NULL)
                return msg;
        for (unsigned k = 0; k < ix->vec->nfilters; k++)
            if ((msg = check_schema_attr(a, ix, &ix->vec->filters[k], 0, item)) != NULL)
                return msg;
        if ((msg = check_vector(a, ix, item)) != NULL)
            return msg;
    }
    return NULL;
}

void ddb_vector_entry_value(ddb_arena *a, const char *item, size_t ilen, const float *v, unsigned dims, char **out,
                            size_t *len)
{
    char *p = ddb_arena_alloc(a, ilen + (size_t)dims * 4);

    memcpy(p, item, ilen);
    for (unsigned i = 0; i < dims; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        for (int b = 0; b < 4; b++)
            p[ilen + (size_t)i * 4 + (size_t)b] = (char)(bits >> (8 * b));
    }
    *out = p;
    *len = ilen + (size_t)dims * 4;
}

int ddb_vector_trailer(const char *val, size_t len, unsigned dims, float *out)
{
    size_t tb = (size_t)dims * 4;
    const unsigned char *p = (const unsigned char *)val + len - tb;

    if (len < tb)
        return -1;
    for (unsigned i = 0; i < dims; i++, p += 4) {
        uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        memcpy(&out[i], &bits, 4);
    }
    return 0;
}

/* ---- scores ----
 * Four 4-float accumulators in GCC's vector extension (SSE on the x86-64 baseline, NEON on arm64,
 * plain code elsewhere): without -ffast-math a compiler must not reorder a float sum, so a scalar
 * loop is neither vectorized nor pipelined, and an array of eight scalar sums indexed by an
 * unsigned int is vectorized into gathers (it may wrap); this one streams memory at the core's
 * read bandwidth (bench/vector_bench.py: the exact-scan floor). The order of the additions is
 * fixed, so a score is the same on every run. */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof(v)); /* unaligned: a query vector lives wherever the request put it */
    return v;
}

static float hsum(v4f a, v4f b, v4f c, v4f d)
{
    v4f s = (a + b) + (c + d);
    return (s[0] + s[1]) + (s[2] + s[3]);
}

static float dot(const float *x, const float *y, unsigned n)
{
    v4f a = {0}, b = {0}, c = {0}, d = {0};
    size_t i = 0;
    float s;

    for (; i + 16 <= n; i += 16) {
        a += load4(x + i) * load4(y + i);
        b += load4(x + i + 4) * load4(y + i + 4);
        c += load4(x + i + 8) * load4(y + i + 8);
        d += load4(x + i + 12) * load4(y + i + 12);
    }
    for (; i + 4 <= n; i += 4)
        a += load4(x + i) * load4(y + i);
    s = hsum(a, b, c, d);
    for (; i < n; i++)
        s += x[i] * y[i];
    return s;
}

static float l2sq(const float *x, const float *y, unsigned n)
{
    v4f a = {0}, b = {0}, c = {0}, d = {0}, e;
    size_t i = 0;
    float s;

    for (; i + 16 <= n; i += 16) {
        e = load4(x + i) - load4(y + i);
        a += e * e;
        e = load4(x + i + 4) - load4(y + i + 4);
        b += e * e;
        e = load4(x + i + 8) - load4(y + i + 8);
        c += e * e;
        e = load4(x + i + 12) - load4(y + i + 12);
        d += e * e;
    }
    for (; i + 4 <= n; i += 4) {
        e = load4(x + i) - load4(y + i);
        a += e * e;
    }
    s = hsum(a, b, c, d);
    for (; i < n; i++)
        s += (x[i] - y[i]) * (x[i] - y[i]);
    return s;
}

float ddb_vector_norm2(const float *v, unsigned dims)
{
    return dot(v, v, dims);
}

/* The score in double, clamped to f32's range: what DynamoDB answers where the f32 sums overflow or
   underflow. Its scores are accumulated in double and saturate at +-FLT_MAX, never an infinity or
   NaN (Dynoxide's search_vectors.rs, captured in eu-west-2 and us-east-1 on 2026-08-13: products
   that overflow f32 and cancel score 0, an overflowing EUCLIDEAN distance is FLT_MAX, a COSINE
   operand whose f32 squares underflow scores normally; alternator's
   test_searchvectors_score_dot_product_overflow, run against DynamoDB: a number of at least 1e38). */
static float score_wide(ddb_vector_metric m, const float *q, const float *v, unsigned dims)
{
    double dot = 0, qq = 0, vv = 0, d2 = 0, s;

    for (unsigned i = 0; i < dims; i++) {
        double x = q[i], y = v[i];
        dot += x * y;
        qq += x * x;
        vv += y * y;
        d2 += (x - y) * (x - y);
    }
    if (m == DDB_VEC_DOT_PRODUCT)
        s = dot;
    else if (m == DDB_VEC_COSINE)
        s = qq <= 0 || vv <= 0 ? 1.0 : 1.0 - dot / (sqrt(qq) * sqrt(vv));
    else
        s = sqrt(d2);
    return s > FLT_MAX ? FLT_MAX : s < -FLT_MAX ? -FLT_MAX : (float)s;
}

float ddb_vector_score(ddb_vector_metric m, const float *q, float qnorm2, const float *v, float vnorm2, unsigned dims)
{
    float s;

    switch (m) {
    case DDB_VEC_DOT_PRODUCT:
        s = dot(q, v, dims);
        break;
    case DDB_VEC_COSINE:
        if (!(qnorm2 > 0 && vnorm2 > 0 && isfinite(qnorm2 * vnorm2)))
            return score_wide(m, q, v, dims); /* a zero vector scores 1, as DynamoDB's does */
        s = 1.0f - dot(q, v, dims) / sqrtf(qnorm2 * vnorm2);
        break;
    case DDB_VEC_EUCLIDEAN:
    default:
        s = sqrtf(l2sq(q, v, dims)); /* the difference itself: no cancellation between near vectors */
        break;
    }
    /* the f32 sums are exact enough everywhere but past f32's range: only there in double (rare) */
    return isfinite(s) ? s : score_wide(m, q, v, dims);
}

