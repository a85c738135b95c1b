/*
 * proto/number.c: DynamoDB Numbers (see number.h): parsing with DynamoDB's range and precision
 * rules, canonical text, comparison, an order-preserving key encoding, and exact add/subtract.
 * Everything is decimal digit arithmetic or libgmp integers; there is no floating point here.
 */
#include "proto/number.h"

#include <gmp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * Range limits in this file's exponent convention (value = 0.d1d2... x 10^exp). DynamoDB (and
 * dynalite, via big.js whose exponent is ours minus one) allows 1E-130 .. 9.99..E+125.
 */
#define NUM_EXP_MAX 126
#define NUM_EXP_MIN (-129)

/* Key encoding markers: negatives sort first, then zero, then positives. */
#define KEY_NEG 0x01
#define KEY_ZERO 0x02
#define KEY_POS 0x03
/* Digit pairs encode as 1..100, so 0x00 ends a positive mantissa and 0xFF a negative one. */
#define KEY_END_POS 0x00
#define KEY_END_NEG 0xFF

static void num_zero(ddb_num *n)
{
    memset(n, 0, sizeof(*n));
}

const char *ddb_num_status_message(ddb_num_status st)
{
    switch (st) {
    case DDB_NUM_OK:
        return NULL;
    case DDB_NUM_INVALID:
        return "The parameter cannot be converted to a numeric value";
    case DDB_NUM_OVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than supported range";
    case DDB_NUM_UNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    case DDB_NUM_PRECISION:
        return "Attempting to store more than 38 significant digits in a Number";
    }
    return NULL;
}

/* Range, then precision: the order DynamoDB reports them in. */
static ddb_num_status num_check(long long exp, size_t ndig)
{
    if (exp > NUM_EXP_MAX)
        return DDB_NUM_OVERFLOW;
    if (exp < NUM_EXP_MIN)
        return DDB_NUM_UNDERFLOW;
    if (ndig > DDB_NUM_MAX_DIGITS)
        return DDB_NUM_PRECISION;
    return DDB_NUM_OK;
}

/* The syntactic pieces of a number's text, located but not yet interpreted. */
typedef struct num_lex {
    int neg;
    const char *ip; /* integer digits */
    size_t ni;
    const char *fp; /* fraction digits */
    size_t nf;
    long long e; /* explicit exponent */
} num_lex;

static size_t count_digits(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/*
 * Reads the exponent after 'e'. Like Java's BigDecimal, more than ten digits (after leading
 * zeros) is not a number; ten digits always fit a long long.
 */
static int lex_exponent(const char *s, size_t len, long long *out)
{
    size_t i = 0, nd;
    int neg = 0;
    long long v = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    nd = count_digits(s + i, len - i);
    if (nd == 0 || i + nd != len)
        return -1;
    while (nd > 10 && s[i] == '0')
        i++, nd--;
    if (nd > 10)
        return -1;
    for (; i < len; i++)
        v = v * 10 + (s[i] - '0');
    *out = neg ? -v : v;
    return 0;
}

static int num_lex_text(const char *s, size_t len, num_lex *lx)
{
    size_t i = 0;

    memset(lx, 0, sizeof(*lx));
    if (i < len && (s[i] == '+' || s[i] == '-'))
        lx->neg = s[i++] == '-';
    lx->ip = s + i;
    lx->ni = count_digits(s + i, len - i);
    i += lx->ni;
    if (i < len && s[i] == '.') {
        i++;
        lx->fp = s + i;
        lx->nf = count_digits(s + i, len - i);
        i += lx->nf;
    }
    if (lx->ni + lx->nf == 0)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E'))
        return lex_exponent(s + i + 1, len - i - 1, &lx->e);
    return i == len ? 0 : -1;
}

/* Mantissa digit k, counting integer digits then fraction digits. */
static int lex_digit(const num_lex *lx, size_t k)
{
    return k < lx->ni ? lx->ip[k] - '0' : lx->fp[k - lx->ni] - '0';
}

ddb_num_status ddb_num_parse(const char *s, size_t len, ddb_num *out)
{
    num_lex lx;
    size_t total, first, last;
    long long scale, exp;
    ddb_num_status st;

    num_zero(out);
    if (num_lex_text(s, len, &lx) != 0)
        return DDB_NUM_INVALID;
    /* BigDecimal keeps the scale in an int; beyond that the text is not a number. */
    scale = (long long)lx.nf - lx.e;
    if (scale > INT_MAX || scale < INT_MIN)
        return DDB_NUM_INVALID;
    total = lx.ni + lx.nf;
    for (first = 0; first < total && lex_digit(&lx, first) == 0; first++)
        ;
    if (first == total)
        return DDB_NUM_OK; /* zero, whatever its sign or exponent */
    for (last = total - 1; lex_digit(&lx, last) == 0; last--)
        ;
    exp = (long long)lx.ni - (long long)first + lx.e;
    st = num_check(exp, last - first + 1);
    if (st != DDB_NUM_OK)
        return st;
    out->sign = lx.neg ? -1 : 1;
    out->exp = (int16_t)exp;
    out->ndig = (uint8_t)(last - first + 1);
    for (size_t k = first; k <= last; k++)
        out->d[k - first] = (uint8_t)lex_digit(&lx, k);
    return DDB_NUM_OK;
}

static char *put_zeros(char *p, long n)
{
    for (; n > 0; n--)
        *p++ = '0';
    return p;
}

size_t ddb_num_format(const ddb_num *n, char *out)
{
    char *p = out;
    int exp = n->exp, nd = n->ndig;

    if (n->sign == 0) {
        strcpy(out, "0");
        return 1;
    }
    if (n->sign < 0)
        *p++ = '-';
    if (exp <= 0) {
        *p++ = '0';
        *p++ = '.';
        p = put_zeros(p, -exp);
        for (int i = 0; i < nd; i++)
            *p++ = (char)('0' + n->d[i]);
    } else {
        for (int i = 0; i < nd; i++) {
            if (i == exp)
                *p++ = '.';
            *p++ = (char)('0' + n->d[i]);
        }
        p = put_zeros(p, exp - nd);
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* Compares magnitudes of two non-zero numbers. */
static int mag_cmp(const ddb_num *a, const ddb_num *b)
{
    int nd = a->ndig < b->ndig ? a->ndig : b->ndig;

    if (a->exp != b->exp)
        return a->exp < b->exp ? -1 : 1;
    for (int i = 0; i < nd; i++) {
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    }
    return (a->ndig > b->ndig) - (a->ndig < b->ndig);
}

int ddb_num_cmp(const ddb_num *a, const ddb_num *b)
{
    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    return a->sign * mag_cmp(a, b);
}

/*
 * Layout: marker byte; for non-zero, the exponent (exp - NUM_EXP_MIN fits 0..255 exactly), then
 * digit pairs as 1 + 10*hi + lo, then a terminator. A missing last digit is a 0, which is
 * unambiguous because the mantissa never ends in a zero digit; the terminator sorts below every
 * pair so "0.5" < "0.51" and keys stay self-delimiting inside composite keys. Negatives
 * complement exponent, pairs and terminator, which reverses their order.
 */
size_t ddb_num_encode_key(const ddb_num *n, uint8_t *out)
{
    int neg = n->sign < 0;
    size_t k = 0;
    uint8_t e;

    if (n->sign == 0) {
        out[0] = KEY_ZERO;
        return 1;
    }
    out[k++] = neg ? KEY_NEG : KEY_POS;
    e = (uint8_t)(n->exp - NUM_EXP_MIN);
    out[k++] = neg ? (uint8_t)(0xFF - e) : e;
    for (int i = 0; i < n->ndig; i += 2) {
        int lo = i + 1 < n->ndig ? n->d[i + 1] : 0;
        uint8_t pair = (uint8_t)(1 + n->d[i] * 10 + lo);
        out[k++] = neg ? (uint8_t)(0xFF - pair) : pair;
    }
    out[k++] = neg ? KEY_END_NEG : KEY_END_POS;
    return k;
}

/* Reads the digit pairs of a non-zero key; returns bytes consumed or 0. */
static size_t decode_pairs(const uint8_t *in, size_t len, int neg, ddb_num *out)
{
    size_t k = 0;
    int nd = 0;

    for (;; k++) {
        uint8_t b;

        if (k == len)
            return 0;
        b = neg ? (uint8_t)(0xFF - in[k]) : in[k];
        if (b == KEY_END_POS)
            break;
        if (b > 100 || nd + 2 > DDB_NUM_MAX_DIGITS)
            return 0;
        out->d[nd++] = (uint8_t)((b - 1) / 10);
        out->d[nd++] = (uint8_t)((b - 1) % 10);
    }
    if (nd > 0 && out->d[nd - 1] == 0)
        nd--;
    if (nd == 0 || out->d[0] == 0 || out->d[nd - 1] == 0)
        return 0;
    out->ndig = (uint8_t)nd;
    return k + 1;
}

size_t ddb_num_decode_key(const uint8_t *in, size_t len, ddb_num *out)
{
    int neg;
    size_t used;

    num_zero(out);
    if (len == 0)
        return 0;
    if (in[0] == KEY_ZERO)
        return 1;
    if ((in[0] != KEY_NEG && in[0] != KEY_POS) || len < 2)
        return 0;
    neg = in[0] == KEY_NEG;
    out->exp = (int16_t)((neg ? 0xFF - in[1] : in[1]) + NUM_EXP_MIN);
    out->sign = neg ? -1 : 1;
    used = decode_pairs(in + 2, len - 2, neg, out);
    if (used == 0) {
        num_zero(out);
        return 0;
    }
    return 2 + used;
}

/* Sets z to the signed coefficient of n, scaled so that z * 10^q == n with q = low. */
static void num_to_mpz(const ddb_num *n, long low, mpz_t z)
{
    mpz_t p;

    mpz_set_ui(z, 0);
    if (n->sign == 0)
        return;
    for (int i = 0; i < n->ndig; i++) {
        mpz_mul_ui(z, z, 10);
        mpz_add_ui(z, z, n->d[i]);
    }
    mpz_init(p);
    mpz_ui_pow_ui(p, 10, (unsigned long)((long)(n->exp - n->ndig) - low));
    mpz_mul(z, z, p);
    mpz_clear(p);
    if (n->sign < 0)
        mpz_neg(z, z);
}

/* Converts z * 10^low back to a checked ddb_num. */
static ddb_num_status mpz_to_num(const mpz_t z, long low, ddb_num *out)
{
    char *txt;
    size_t len, nd;
    long long exp;
    ddb_num_status st;

    num_zero(out);
    if (mpz_sgn(z) == 0)
        return DDB_NUM_OK;
    txt = mpz_get_str(NULL, 10, z);
    len = strlen(txt);
    {
        const char *digits = txt[0] == '-' ? txt + 1 : txt;
        size_t dl = len - (size_t)(digits - txt);

        for (nd = dl; digits[nd - 1] == '0'; nd--)
            ;
        exp = (long long)low + (long long)dl;
        st = num_check(exp, nd);
        if (st == DDB_NUM_OK) {
            out->sign = (int8_t)mpz_sgn(z);
            out->exp = (int16_t)exp;
            out->ndig = (uint8_t)nd;
            for (size_t i = 0; i < nd; i++)
                out->d[i] = (uint8_t)(digits[i] - '0');
        }
    }
    free(txt); /* mpz_get_str allocates with the default allocator, which is malloc */
    return st;
}

/* out = a + sign_b * b, exactly, then checked like parsed input. */
static ddb_num_status num_addsub(const ddb_num *a, const ddb_num *b, int negate_b, ddb_num *out)
{
    long qa = (long)a->exp - a->ndig, qb = (long)b->exp - b->ndig, low;
    mpz_t za, zb;
    ddb_num_status st;

    /* A zero operand has no digit position of its own; it must not pull `low` to 0. */
    if (a->sign == 0)
        qa = qb;
    if (b->sign == 0)
        qb = qa;
    low = qa < qb ? qa : qb;
    mpz_init(za);
    mpz_init(zb);
    num_to_mpz(a, low, za);
    num_to_mpz(b, low, zb);
    if (negate_b)
        mpz_sub(za, za, zb);
    else
        mpz_add(za, za, zb);
    st = mpz_to_num(za, low, out);
    mpz_clear(za);
    mpz_clear(zb);
    return st;
}

ddb_num_status ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out)
{
    return num_addsub(a, b, 0, out);
}

ddb_num_status ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out)
{
    return num_addsub(a, b, 1, out);
}

/*
 * dynalite's count: ceil(digits / 2) + (e % 2 ? 1 : 2), with e big.js's exponent (ours minus
 * one) and zero being big.js's c = [0], e = 0.
 */
size_t ddb_num_size(const ddb_num *n)
{
    /*
     * DynamoDB stores a number as an exponent byte plus base-100 digit pairs (a leading zero pads an
     * odd exponent), plus a terminator byte for negatives; zero is one byte. This is the size its
     * 400 KB limit and capacity arithmetic count (measured by dynalite against DynamoDB).
     */
    int e = n->exp - 1; /* exponent of the first digit: value = d0.d1d2... x 10^e */

    if (n->sign == 0)
        return 1;
    return 1 + (size_t)(n->ndig + 1) / 2 + ((n->ndig % 2) || (e % 2) ? 0 : 1) + (n->sign < 0 ? 1 : 0);
}

/*
 * DynamoDB's own bytes of a number, as its partition hash reads them (measured by dynalite, whose
 * numToBuffer reproduces the Scan order recorded against DynamoDB): Oracle's NUMBER layout. The
 * digits in base-100 pairs (a leading zero pads an odd exponent, a trailing one an odd count),
 * after an exponent byte (the pairs' exponent minus 64, as a byte); a positive pair is stored plus
 * one, a negative one as 101 minus it, with its exponent byte complemented and, under 20 pairs, a
 * terminator 102. Zero is the one byte 0x80.
 */
size_t ddb_num_encode_dynamodb(const ddb_num *n, uint8_t *out)
{
    int odd = n->exp % 2 != 0, neg = n->sign < 0, pairs = (n->ndig + odd + 1) / 2;
    int e100 = (n->exp + odd) / 2 - 64; /* exact: exp + odd is even */
    size_t k = 0;

    if (n->sign == 0) {
        out[0] = 0x80;
        return 1;
    }
    out[k++] = (uint8_t)(neg ? ~e100 : e100);
    for (int j = 0; j < pairs; j++) {
        int hi = 2 * j - odd, lo = hi + 1; /* digit indexes: -1 is the padding zero */
        int v = (hi >= 0 ? n->d[hi] * 10 : 0) + (lo < n->ndig ? n->d[lo] : 0);
        out[k++] = (uint8_t)(neg ? 101 - v : v + 1);
    }
    if (neg && pairs < 20)
        out[k++] = 102;
    return k;
}

/* ---- text to double ---- */

static int fast_decimal(const char *s, size_t n, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t m = 0;
    int digits = 0, any = 0, neg = 0;
    long exp10 = 0;
    size_t i = 0;
    double d;

    if (i < n && s[i] == '-')
        neg = 1, i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
        if (m == 0 && s[i] == '0')
            continue; /* a leading zero */
        if (++digits > 15)
            return -1;
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
            exp10--;
            if (m == 0 && s[i] == '0')
                continue;
            if (++digits > 15)
                return -1;
            m = m * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (!any)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        long e = 0;
        int eneg = 0, edigits = 0;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
            if ((e = e * 10 + (s[i] - '0')) > 1000)
                return -1;
        if (edigits == 0)
            return -1;
        exp10 += eneg ? -e : e;
    }
    if (i != n)
        return -1;
    if (m == 0)
        exp10 = 0;
    if (exp10 < -22 || exp10 > 22)
        return -1;
    d = (double)m; /* exact: m < 10^15 < 2^53 */
    d = exp10 < 0 ? d / p10[-exp10] : d * p10[exp10];
    *out = neg ? -d : d;
    return 0;
}

double ddb_num_to_double(const char *s, size_t len, int *whole)
{
    char buf[128], *end;
    double d;

    if (fast_decimal(s, len, &d) == 0) {
        if (whole != NULL)
            *whole = 1;
        return d;
    }
    if (len >= sizeof(buf)) { /* longer than any number DynamoDB takes: strtod on a copy */
        char *copy = malloc(len + 1);
        if (copy == NULL)
            abort();
        memcpy(copy, s, len);
        copy[len] = '\0';
        d = strtod(copy, &end);
        if (whole != NULL)
            *whole = end != copy && *end == '\0';
        free(copy);
        return d;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    d = strtod(buf, &end);
    if (whole != NULL)
        *whole = end != buf && *end == '\0';
    return d;
}
