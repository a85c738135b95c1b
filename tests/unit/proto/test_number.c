/*
 * tests/unit/proto/test_number.c: DynamoDB Number parsing, range and precision limits,
 * canonical text, ordering, key encoding and exact arithmetic (proto/number.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"
#include "test.h"

static const char *const MSG_INVALID = "The parameter cannot be converted to a numeric value";
static const char *const MSG_OVERFLOW =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
static const char *const MSG_UNDERFLOW =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
static const char *const MSG_PRECISION = "Attempting to store more than 38 significant digits in a Number";

/* Builds "<prefix><n times c><suffix>" in a static buffer (one live result per slot). */
static const char *rep(int slot, const char *prefix, char c, int n, const char *suffix)
{
    static char bufs[4][1024];
    char *b = bufs[slot];
    size_t pl = strlen(prefix), sl = strlen(suffix);

    if (pl + (size_t)n + sl >= sizeof(bufs[slot]))
        return "<too long>";
    memcpy(b, prefix, pl);
    memset(b + pl, c, (size_t)n);
    memcpy(b + pl + n, suffix, sl + 1);
    return b;
}

static ddb_num_status parse(const char *s, ddb_num *n)
{
    return ddb_num_parse(s, strlen(s), n);
}

/* Canonical text of a parsed number, or "<status N>" when it does not parse. */
static const char *canon(const char *s)
{
    static char out[DDB_NUM_TEXT_MAX];
    ddb_num n;
    ddb_num_status st = parse(s, &n);

    if (st != DDB_NUM_OK) {
        snprintf(out, sizeof(out), "<status %d>", (int)st);
        return out;
    }
    ddb_num_format(&n, out);
    return out;
}

TEST(parse_accepts_bigdecimal_syntax)
{
    static const struct {
        const char *in, *canonical;
    } cases[] = {
        {"0", "0"},
        {"-0", "0"},
        {"+0.000", "0"},
        {"-.0e-5", "0"},
        {"0e999", "0"},
        {"+1", "1"},
        {"-0.5", "-0.5"},
        {".5", "0.5"},
        {"5.", "5"},
        {"1e5", "100000"},
        {"1E-5", "0.00001"},
        {"1E+3", "1000"},
        {"00012", "12"},
        {"1.50", "1.5"},
        {"0.00010", "0.0001"},
        {"123.456e2", "12345.6"},
        {"123.456E-2", "1.23456"},
        {"-12.5e1", "-125"},
        {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
        {"-0.00012345678901234567890123456789012345678000", "-0.00012345678901234567890123456789012345678"},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        ASSERT_STR_EQ(canon(cases[i].in), cases[i].canonical);
}

TEST(parse_range_boundaries_are_inclusive)
{
    /* The largest and smallest magnitudes DynamoDB stores, written out in full. */
    ASSERT_STR_EQ(canon("9.9999999999999999999999999999999999999E+125"), rep(0, "", '9', 38, rep(1, "", '0', 88, "")));
    ASSERT_STR_EQ(canon("-9.9999999999999999999999999999999999999E+125"),
                  rep(0, "-", '9', 38, rep(1, "", '0', 88, "")));
    ASSERT_STR_EQ(canon("1e-130"), rep(0, "0.", '0', 129, "1"));
    ASSERT_STR_EQ(canon("-1E-130"), rep(0, "-0.", '0', 129, "1"));
    /* Leading and trailing zeros are not significant digits. */
    ASSERT_STR_EQ(canon(rep(2, "000", '7', 38, "000.000")), rep(0, "", '7', 38, "000"));
    ASSERT_STR_EQ(canon(rep(2, "1.", '0', 200, "")), "1");
    /* exponent digits beyond ten are fine when they are leading zeros */
    ASSERT_STR_EQ(canon("1e0000000000125"), rep(0, "1", '0', 125, ""));
}

TEST(parse_rejects_with_exact_status)
{
    static const struct {
        const char *in;
        ddb_num_status st;
    } cases[] = {
        {"", DDB_NUM_INVALID},
        {" 1", DDB_NUM_INVALID},
        {"1 ", DDB_NUM_INVALID},
        {"abc", DDB_NUM_INVALID},
        {"1e", DDB_NUM_INVALID},
        {"1e+", DDB_NUM_INVALID},
        {"--1", DDB_NUM_INVALID},
        {"+-1", DDB_NUM_INVALID},
        {"Infinity", DDB_NUM_INVALID},
        {"-Infinity", DDB_NUM_INVALID},
        {"NaN", DDB_NUM_INVALID},
        {"0x10", DDB_NUM_INVALID},
        {".", DDB_NUM_INVALID},
        {"+", DDB_NUM_INVALID},
        {"-", DDB_NUM_INVALID},
        {"e5", DDB_NUM_INVALID},
        {".e5", DDB_NUM_INVALID},
        {"1.2.3", DDB_NUM_INVALID},
        {"1e5.5", DDB_NUM_INVALID},
        {"1,5", DDB_NUM_INVALID},
        {"1_000", DDB_NUM_INVALID},
        /* BigDecimal: at most ten exponent digits and a scale that fits an int. */
        {"1e99999999999", DDB_NUM_INVALID},
        {"0e99999999999", DDB_NUM_INVALID},
        {"1e-2147483648", DDB_NUM_INVALID},
        {"1e2147483647", DDB_NUM_OVERFLOW},
        {"1e126", DDB_NUM_OVERFLOW},
        {"10E125", DDB_NUM_OVERFLOW},
        {"-1e126", DDB_NUM_OVERFLOW},
        {"1E-131", DDB_NUM_UNDERFLOW},
        {"0.1e-130", DDB_NUM_UNDERFLOW},
        {"-0.99e-130", DDB_NUM_UNDERFLOW},
        {"123456789012345678901234567890123456789", DDB_NUM_PRECISION},
        {"9.99999999999999999999999999999999999999E+125", DDB_NUM_PRECISION},
        {"1.00000000000000000000000000000000000001", DDB_NUM_PRECISION},
        /* overflow and underflow are reported before precision */
        {"1234567890123456789012345678901234567890e200", DDB_NUM_OVERFLOW},
        {"1234567890123456789012345678901234567890e-200", DDB_NUM_UNDERFLOW},
    };
    ddb_num n;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_num_status st = parse(cases[i].in, &n);

        if (st != cases[i].st) {
            ddb_test_fail(__FILE__, __LINE__, "\"%s\": status %d, want %d", cases[i].in, (int)st, (int)cases[i].st);
            return;
        }
    }
}

TEST(parse_respects_length_not_nul)
{
    static const char with_nul[] = {'1', '\0', '2'};
    ddb_num n;

    /* "12" followed by garbage that is outside len */
    ASSERT_EQ(ddb_num_parse("12x", 2, &n), DDB_NUM_OK);
    ASSERT_EQ(n.ndig, 2);
    ASSERT_EQ(ddb_num_parse(with_nul, sizeof(with_nul), &n), DDB_NUM_INVALID);
}

TEST(parse_normalises_into_struct)
{
    ddb_num n;

    ASSERT_EQ(parse("-0.00120", &n), DDB_NUM_OK);
    ASSERT_EQ(n.sign, -1);
    ASSERT_EQ(n.ndig, 2);
    ASSERT_EQ(n.d[0], 1);
    ASSERT_EQ(n.d[1], 2);
    ASSERT_EQ(n.exp, -2); /* 0.12 x 10^-2 */
    ASSERT_EQ(parse("-0e7", &n), DDB_NUM_OK);
    ASSERT_EQ(n.sign, 0);
    ASSERT_EQ(n.ndig, 0);
    ASSERT_EQ(n.exp, 0);
    ASSERT_EQ(parse("1e125", &n), DDB_NUM_OK);
    ASSERT_EQ(n.exp, 126);
    ASSERT_EQ(parse("1e-130", &n), DDB_NUM_OK);
    ASSERT_EQ(n.exp, -129);
}

TEST(status_messages_are_dynamodb_texts)
{
    ASSERT_NULL(ddb_num_status_message(DDB_NUM_OK));
    ASSERT_STR_EQ(ddb_num_status_message(DDB_NUM_INVALID), MSG_INVALID);
    ASSERT_STR_EQ(ddb_num_status_message(DDB_NUM_OVERFLOW), MSG_OVERFLOW);
    ASSERT_STR_EQ(ddb_num_status_message(DDB_NUM_UNDERFLOW), MSG_UNDERFLOW);
    ASSERT_STR_EQ(ddb_num_status_message(DDB_NUM_PRECISION), MSG_PRECISION);
}

TEST(format_longest_texts_fit)
{
    char out[DDB_NUM_TEXT_MAX];
    ddb_num n;
    size_t len;

    ASSERT_EQ(parse("-1.2345678901234567890123456789012345678e-130", &n), DDB_NUM_OK);
    len = ddb_num_format(&n, out);
    ASSERT_EQ(len, 1 + 2 + 129 + 38);
    ASSERT_EQ(strlen(out), len);
    ASSERT_STR_EQ(out, rep(0, "-0.", '0', 129, "12345678901234567890123456789012345678"));
    ASSERT_EQ(parse("-9.9999999999999999999999999999999999999E+125", &n), DDB_NUM_OK);
    len = ddb_num_format(&n, out);
    ASSERT_EQ(len, 1 + 126);
    ASSERT(len < DDB_NUM_TEXT_MAX);
}

/* Ascending, distinct values: negatives (large to small magnitude), zero, positives. */
static const char *const sorted[] = {
    "-9.9999999999999999999999999999999999999E+125",
    "-1e125",
    "-12345678901234567890",
    "-100",
    "-99.9",
    "-10",
    "-9",
    "-1.5",
    "-1.01",
    "-1",
    "-0.51",
    "-0.5001",
    "-0.5",
    "-0.1",
    "-1e-129",
    "-1e-130",
    "0",
    "1e-130",
    "1.1e-130",
    "1e-129",
    "0.1",
    "0.5",
    "0.5001",
    "0.51",
    "1",
    "1.0000000000000000000000000000000000001e0",
    "1.01",
    "1.5",
    "9",
    "10",
    "99.9",
    "100",
    "12345678901234567890",
    "1e125",
    "9.9999999999999999999999999999999999999E+125",
};

TEST(cmp_orders_by_value)
{
    ddb_num a, b;

    for (size_t i = 0; i < ARRAY_LEN(sorted); i++) {
        if (parse(sorted[i], &a) != DDB_NUM_OK)
            continue;
        for (size_t j = 0; j < ARRAY_LEN(sorted); j++) {
            int want = i < j ? -1 : i > j ? 1 : 0, got;

            if (parse(sorted[j], &b) != DDB_NUM_OK)
                continue;
            got = ddb_num_cmp(&a, &b);
            got = got < 0 ? -1 : got > 0 ? 1 : 0;
            if (got != want) {
                ddb_test_fail(__FILE__, __LINE__, "cmp(%s, %s) = %d, want %d", sorted[i], sorted[j], got, want);
                return;
            }
        }
    }
    ASSERT_EQ(parse("1.0", &a), DDB_NUM_OK);
    ASSERT_EQ(parse("10e-1", &b), DDB_NUM_OK);
    ASSERT_EQ(ddb_num_cmp(&a, &b), 0);
}

static size_t key_of(const char *s, uint8_t *k)
{
    ddb_num n;

    if (parse(s, &n) != DDB_NUM_OK)
        return 0;
    return ddb_num_encode_key(&n, k);
}

TEST(sorted_fixture_parses)
{
    ddb_num n;

    /* the ordering tests below skip what does not parse; make sure nothing is skipped */
    for (size_t i = 0; i < ARRAY_LEN(sorted); i++)
        ASSERT_EQ(parse(sorted[i], &n), DDB_NUM_OK);
}

TEST(key_encoding_preserves_order)
{
    uint8_t ki[DDB_NUM_KEY_MAX + 8], kj[DDB_NUM_KEY_MAX + 8];

    for (size_t i = 0; i < ARRAY_LEN(sorted); i++) {
        size_t li = key_of(sorted[i], ki);

        if (li == 0)
            continue;
        ASSERT(li <= DDB_NUM_KEY_MAX);
        for (size_t j = i + 1; j < ARRAY_LEN(sorted); j++) {
            size_t lj = key_of(sorted[j], kj), m;

            if (lj == 0)
                continue;
            /* strictly less within the common prefix: keys are prefix-free too */
            m = li < lj ? li : lj;
            if (memcmp(ki, kj, m) >= 0) {
                ddb_test_fail(__FILE__, __LINE__, "key(%s) !< key(%s)", sorted[i], sorted[j]);
                return;
            }
        }
    }
}

TEST(key_encoding_equal_values_equal_bytes)
{
    static const char *const groups[][4] = {
        {"1", "1.0", "10e-1", "+0.1E1"},
        {"-0.5", "-.50", "-5e-1", "-0.0005e3"},
        {"0", "-0", "0.000", "0e-100"},
        {"1e125", "10E124", "1000e122", "0.1e126"},
    };
    uint8_t k0[DDB_NUM_KEY_MAX], k[DDB_NUM_KEY_MAX];

    for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
        size_t l0 = key_of(groups[g][0], k0);

        ASSERT(l0 > 0);
        for (size_t i = 1; i < 4; i++) {
            size_t l = key_of(groups[g][i], k);

            ASSERT_MEM_EQ(k, l, k0, l0);
        }
    }
}

TEST(key_encoding_round_trips)
{
    uint8_t k[DDB_NUM_KEY_MAX + 3];
    char a[DDB_NUM_TEXT_MAX], b[DDB_NUM_TEXT_MAX];
    ddb_num n, back;

    for (size_t i = 0; i < ARRAY_LEN(sorted); i++) {
        size_t len;

        if (parse(sorted[i], &n) != DDB_NUM_OK)
            continue;
        len = ddb_num_encode_key(&n, k);
        /* trailing bytes (the rest of a composite key) are not consumed */
        k[len] = 0x55;
        k[len + 1] = 0xAA;
        ASSERT_EQ(ddb_num_decode_key(k, len + 2, &back), len);
        ASSERT_EQ(ddb_num_cmp(&n, &back), 0);
        ddb_num_format(&n, a);
        ddb_num_format(&back, b);
        ASSERT_STR_EQ(b, a);
        ASSERT_EQ(memcmp(&n, &back, sizeof(n)), 0);
    }
}

TEST(key_encoding_longest_is_within_max)
{
    uint8_t k[64];
    ddb_num n;

    ASSERT_EQ(parse("-1.2345678901234567890123456789012345678e-130", &n), DDB_NUM_OK);
    ASSERT_EQ(ddb_num_encode_key(&n, k), 22);
    ASSERT(22 <= DDB_NUM_KEY_MAX);
}

TEST(key_decoding_rejects_malformed)
{
    static const struct {
        uint8_t b[8];
        size_t len;
    } bad[] = {
        {{0}, 0},                            /* empty */
        {{0x00}, 1},                         /* unknown marker */
        {{0x04, 0x80, 0x02, 0x00}, 4},       /* unknown marker */
        {{0x03}, 1},                         /* no exponent */
        {{0x03, 0x81}, 2},                   /* no terminator */
        {{0x03, 0x81, 0x33}, 3},             /* no terminator */
        {{0x03, 0x81, 0x00}, 3},             /* no digits */
        {{0x03, 0x81, 0x65, 0x00}, 4},       /* pair byte 101 */
        {{0x03, 0x81, 0x01, 0x00}, 4},       /* digits "00" */
        {{0x03, 0x81, 0x02, 0x00}, 4},       /* leading zero digit */
        {{0x03, 0x81, 0x0b, 0x01, 0x00}, 5}, /* trailing "00" pair */
        {{0x01, 0x7e, 0xff}, 3},             /* negative without digits */
    };
    ddb_num n;

    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (ddb_num_decode_key(bad[i].b, bad[i].len, &n) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "malformed key %zu decoded", i);
            return;
        }
    }
}

TEST(key_decoding_rejects_too_many_digits)
{
    uint8_t k[32];
    ddb_num n;

    k[0] = 0x03;
    k[1] = 0x81;
    memset(k + 2, 0x0c, 20); /* 20 pairs "11" = 40 digits */
    k[22] = 0x00;
    ASSERT_EQ(ddb_num_decode_key(k, 23, &n), 0);
    k[21] = 0x00; /* 19 pairs = 38 digits: fine */
    ASSERT_EQ(ddb_num_decode_key(k, 22, &n), 22);
    ASSERT_EQ(n.ndig, 38);
}

static const char *arith(const char *a, const char *b, char op, ddb_num_status *st)
{
    static char out[DDB_NUM_TEXT_MAX];
    ddb_num x, y, r;

    if (parse(a, &x) != DDB_NUM_OK || parse(b, &y) != DDB_NUM_OK)
        return "<bad operand>";
    *st = op == '+' ? ddb_num_add(&x, &y, &r) : ddb_num_sub(&x, &y, &r);
    if (*st != DDB_NUM_OK)
        return "";
    ddb_num_format(&r, out);
    return out;
}

TEST(add_sub_exact_with_limits)
{
    static const struct {
        const char *a;
        char op;
        const char *b;
        ddb_num_status st;
        const char *want;
    } cases[] = {
        {"1", '+', "2", DDB_NUM_OK, "3"},
        {"0.1", '+', "0.2", DDB_NUM_OK, "0.3"},
        {"-5", '+', "3", DDB_NUM_OK, "-2"},
        {"5", '-', "-3", DDB_NUM_OK, "8"},
        {"0.5", '-', "1", DDB_NUM_OK, "-0.5"},
        {"3", '-', "3", DDB_NUM_OK, "0"},
        {"0", '+', "0", DDB_NUM_OK, "0"},
        {"0", '+', "-7.5", DDB_NUM_OK, "-7.5"},
        {"-7.5", '+', "0", DDB_NUM_OK, "-7.5"},
        {"1.5", '+', "1.5", DDB_NUM_OK, "3"},
        {"99999999999999999999999999999999999999", '+', "1", DDB_NUM_OK, "100000000000000000000000000000000000000"},
        {"1e-130", '-', "1e-130", DDB_NUM_OK, "0"},
        /* range and precision of exact results */
        {"9.9999999999999999999999999999999999999E+125", '+', "1e88", DDB_NUM_OVERFLOW, ""},
        {"-9.9999999999999999999999999999999999999E+125", '-', "1e88", DDB_NUM_OVERFLOW, ""},
        {"5e125", '+', "5e125", DDB_NUM_OVERFLOW, ""},
        {"1.0000000000000000000000000000000000001e-129", '-', "1e-129", DDB_NUM_UNDERFLOW, ""},
        {"1e38", '+', "1", DDB_NUM_PRECISION, ""},
        {"1e100", '-', "1", DDB_NUM_PRECISION, ""},
        {"1e125", '+', "1e-130", DDB_NUM_PRECISION, ""},
        {"12345678901234567890123456789012345678", '+', "0.1", DDB_NUM_PRECISION, ""},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_num_status st = DDB_NUM_OK;
        const char *got = arith(cases[i].a, cases[i].b, cases[i].op, &st);

        if (st != cases[i].st || strcmp(got, cases[i].want) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "%s %c %s = \"%s\" (status %d), want \"%s\" (status %d)", cases[i].a,
                          cases[i].op, cases[i].b, got, (int)st, cases[i].want, (int)cases[i].st);
            return;
        }
    }
}

TEST(add_sub_at_extreme_exponents)
{
    ddb_num_status st = DDB_NUM_INVALID;

    ASSERT_STR_EQ(arith("0", "1e-130", '-', &st), rep(0, "-0.", '0', 129, "1"));
    ASSERT_EQ(st, DDB_NUM_OK);
    ASSERT_STR_EQ(arith("1e125", "0", '-', &st), rep(0, "1", '0', 125, ""));
    ASSERT_STR_EQ(arith("1e-129", "9e-130", '-', &st), rep(0, "0.", '0', 129, "1"));
    ASSERT_STR_EQ(arith("-1e125", "1e125", '+', &st), "0");
    /* exponents 255 apart: exact, and the 256-digit result is a precision error */
    ASSERT_STR_EQ(arith("1e125", "1e-130", '-', &st), "");
    ASSERT_EQ(st, DDB_NUM_PRECISION);
}

TEST(add_result_is_normalised)
{
    ddb_num a, b, r;

    ASSERT_EQ(parse("0.25", &a), DDB_NUM_OK);
    ASSERT_EQ(parse("0.75", &b), DDB_NUM_OK);
    ASSERT_EQ(ddb_num_add(&a, &b, &r), DDB_NUM_OK);
    ASSERT_EQ(r.sign, 1);
    ASSERT_EQ(r.ndig, 1);
    ASSERT_EQ(r.d[0], 1);
    ASSERT_EQ(r.exp, 1);
    ASSERT_EQ(ddb_num_sub(&a, &a, &r), DDB_NUM_OK);
    ASSERT_EQ(r.sign, 0);
    ASSERT_EQ(r.ndig, 0);
    ASSERT_EQ(r.exp, 0);
}

TEST(size_matches_dynalite)
{
    static const struct {
        const char *in;
        size_t size;
    } cases[] = {
        /* 1 + ceil(digits / 2) + (digits even and first-digit exponent even ? 1 : 0) + (negative ? 1 : 0); zero is 1 */
        {"0", 1},
        {"1", 2},
        {"-1", 3},     /* negatives carry a terminator byte */
        {"10", 2},
        {"12", 2},     /* 2 digits, e 1 odd: no padding */
        {"1.2", 3},    /* 2 digits, e 0 even: padded */
        {"123", 3},
        {"12345", 4},
        {"-12.5", 4},
        {"0.1", 2},
        {"0.01", 2},
        {"0.0012", 2}, /* e -3 odd */
        {"0.012", 3},  /* e -2 even, 2 digits */
        {"12345678901234567890123456789012345678", 20},
        {"1e125", 2},
        {"1e-130", 2},
    };
    ddb_num n;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t want = cases[i].size;

        ASSERT_EQ(parse(cases[i].in, &n), DDB_NUM_OK);
        if (ddb_num_size(&n) != want) {
            ddb_test_fail(__FILE__, __LINE__, "size(%s) = %zu, want %zu", cases[i].in, ddb_num_size(&n), want);
            return;
        }
    }
}

/*
 * DynamoDB's bytes of a number, its partition hash's input, equal dynalite's numToBuffer (whose
 * Scan order was recorded against DynamoDB). Computed with dynalite 4 (npm package, db/index.js,
 * numToBuffer made visible): node -e "console.log(numToBuffer(v).toString('hex'))".
 */
TEST(dynamodb_bytes_match_dynalite)
{
    static const struct {
        const char *in, *hex;
    } cases[] = {
        {"0", "80"},
        {"1", "c102"},
        {"5", "c106"},
        {"-1", "3e6466"},
        {"-5", "3e6066"},
        {"10", "c10b"},
        {"99", "c164"},
        {"100", "c202"},
        {"101", "c20202"},
        {"-100", "3d6466"},
        {"-101", "3d646466"},
        {"1000", "c20b"},
        {"0.5", "c033"},
        {"-0.5", "3f3366"},
        {"0.1", "c00b"},
        {"-0.1", "3f5b66"},
        {"0.01", "c002"},
        {"0.012345", "c002182e"},
        {"-0.09", "3f5c66"},
        {"999.9", "c20a645b"},
        {"-999.9", "3d5c020b66"},
        {"123.456", "c202182e3d"},
        {"-123.456", "3d644e382966"},
        {"7e-7", "bd47"},
        {"-7e-7", "421f66"},
        {"1e125", "ff0b"},
        {"-1e125", "005b66"},
        {"9.9999999999999999999999999999999999999e125", "ff64646464646464646464646464646464646464"},
        {"-9.9999999999999999999999999999999999999e125", "000202020202020202020202020202020202020266"},
        {"1e-130", "8002"},
        {"-1e-130", "7f6466"},
        {"12345678901234567890123456789012345678", "d30d23394f5b0d23394f5b0d23394f5b0d23394f"},
        {"-12345678901234567890123456789012345678", "2c59432d170b59432d170b59432d170b59432d1766"},
        {"1.2345678901234567890123456789012345678", "c102182e445a02182e445a02182e445a02182e4451"},
        {"-1.2345678901234567890123456789012345678", "3e644e38220c644e38220c644e38220c644e382215"},
        {"-0.12345678901234567890123456789012345678", "3f59432d170b59432d170b59432d170b59432d1766"},
    };
    ddb_num n;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint8_t b[DDB_NUM_DYNAMODB_MAX];
        char hex[2 * DDB_NUM_DYNAMODB_MAX + 1];
        size_t len;

        ASSERT_EQ(parse(cases[i].in, &n), DDB_NUM_OK);
        len = ddb_num_encode_dynamodb(&n, b);
        ASSERT(len <= DDB_NUM_DYNAMODB_MAX);
        for (size_t k = 0; k < len; k++)
            snprintf(hex + 2 * k, 3, "%02x", b[k]);
        hex[2 * len] = '\0';
        if (strcmp(hex, cases[i].hex) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "dynamodb bytes of %s = %s, want %s", cases[i].in, hex, cases[i].hex);
            return;
        }
    }
}

/* ddb_num_to_double must give strtod's answer, bit for bit, on and off its fast path. */
static int same_as_strtod(const char *s)
{
    char *end;
    double want = strtod(s, &end), got;
    int whole;

    got = ddb_num_to_double(s, strlen(s), &whole);
    if (memcmp(&want, &got, sizeof(double)) != 0 && !(want != want && got != got)) {
        ddb_test_fail(__FILE__, __LINE__, "ddb_num_to_double(%s) = %.17g, strtod: %.17g", s, got, want);
        return 0;
    }
    if (whole != (end != s && *end == '\0')) {
        ddb_test_fail(__FILE__, __LINE__, "ddb_num_to_double(%s): whole %d", s, whole);
        return 0;
    }
    return 1;
}

TEST(to_double_matches_strtod)
{
    static const char *cases[] = {
        "0", "-0", "0.000", "1", "-1", "5.", ".5", "0.1", "0.3", "-0.012345", "123456789012345",
        "1234567890123456", "0.000000000000000000001", "1e22", "1e23", "1e-22", "1e-23", "1.5E-5",
        "2.5e+3", "9007199254740993", "3.4028235e38", "3.5e38", "1e-400", "1e400", "e5", "1e", "1e+",
        "+5", " 5", "5 ", "0x10", "inf", "nan", "", "-", ".", "1.2.3", "00000000000000000000001.5",
        "0.00000000000000000000000000000000000000012345", "1e1000000",
        "12345678901234567890123456789012345678",
    };
    uint64_t seed = 42;
    char buf[64];

    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        if (!same_as_strtod(cases[i]))
            return;
    /* random decimals around the fast path's edges: 1-18 digits, exponents -30..30 */
    for (int i = 0; i < 200000; i++) {
        int nd, pos, e;
        size_t n = 0;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        nd = 1 + (int)((seed >> 33) % 18);
        pos = (int)((seed >> 40) % (uint64_t)(nd + 1));
        e = (int)((seed >> 50) % 61) - 30;
        if (seed & 1)
            buf[n++] = '-';
        for (int k = 0; k < nd; k++) {
            if (k == pos)
                buf[n++] = '.';
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            buf[n++] = (char)('0' + (seed >> 60) % 10);
        }
        if (seed & 2)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "e%d", e);
        buf[n] = '\0';
        if (!same_as_strtod(buf))
            return;
    }
}
