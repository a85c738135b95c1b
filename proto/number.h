/*
 * proto/number.h: DynamoDB Numbers, exactly.
 *
 * A Number is a decimal with at most 38 significant digits and a magnitude between 1E-130 and
 * 9.9999999999999999999999999999999999999E+125 (or zero). ddb_num holds it normalised:
 * value = sign * 0.d[0]d[1]...d[ndig-1] * 10^exp, with d[0] != 0 and d[ndig-1] != 0 (no leading or
 * trailing zeros); zero is sign 0, ndig 0, exp 0. Digits are stored as values 0..9, not ASCII.
 * Arithmetic is exact (libgmp); nothing here uses floating point.
 */
#ifndef DDB_NUMBER_H
#define DDB_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#define DDB_NUM_MAX_DIGITS 38
/* Longest canonical text: sign + "0." + 129 zeros + 38 digits, or 38 digits + 88 zeros; with slack. */
#define DDB_NUM_TEXT_MAX 192
/* Longest order-preserving key encoding (ddb_num_encode_key). */
#define DDB_NUM_KEY_MAX 24

typedef struct ddb_num {
    int8_t sign;   /* -1, 0 or 1 */
    uint8_t ndig;  /* 0..38 */
    int16_t exp;   /* decimal exponent as described above */
    uint8_t d[DDB_NUM_MAX_DIGITS];
} ddb_num;

typedef enum ddb_num_status {
    DDB_NUM_OK = 0,
    DDB_NUM_INVALID,   /* not a number: "The parameter cannot be converted to a numeric value: <text>" */
    DDB_NUM_OVERFLOW,  /* "Number overflow. Attempting to store a number with magnitude larger than supported range" */
    DDB_NUM_UNDERFLOW, /* "Number underflow. Attempting to store a number with magnitude smaller than supported range" */
    DDB_NUM_PRECISION, /* "Attempting to store more than 38 significant digits in a Number" */
} ddb_num_status;

/*
 * Parses DynamoDB number text (what Java's BigDecimal accepts: optional sign, digits with an
 * optional '.', optional exponent e/E with optional sign; no spaces, no hex, no Infinity/NaN;
 * empty is invalid) and checks range and precision. Leading and trailing zeros do not count as
 * significant digits.
 */
ddb_num_status ddb_num_parse(const char *s, size_t len, ddb_num *out);

/*
 * The double nearest the text s[0..len), as strtod gives it. A plain decimal ([-]digits[.digits]
 * [e[+-]digits]) of at most 15 significant digits whose power of ten is within 10^22 is converted
 * at once (Clinger's fast path: both operands exact, so the one multiply or divide rounds
 * correctly); anything else goes through strtod. *whole (optional): whether strtod's reading of the
 * text took all of it (a text the fast path takes always is). A vector's 768 numbers: the fast
 * path takes ~1/10 of strtod's time.
 */
double ddb_num_to_double(const char *s, size_t len, int *whole);

/* The message DynamoDB gives for a status (for DDB_NUM_INVALID, without the ": <text>" suffix); NULL for OK. */
const char *ddb_num_status_message(ddb_num_status st);

/*
 * Writes the canonical text DynamoDB returns: plain notation, no exponent, no leading '+', no
 * trailing fractional zeros, "0" for zero, "-0.5" style for negatives. NUL-terminated; returns
 * the length (< DDB_NUM_TEXT_MAX).
 */
size_t ddb_num_format(const ddb_num *n, char *out);

/* <0, 0, >0 as a < b, a == b, a > b, by value. */
int ddb_num_cmp(const ddb_num *a, const ddb_num *b);

/*
 * Order-preserving binary encoding: memcmp order of encodings equals numeric order, and equal
 * values encode equally. Returns the length (<= DDB_NUM_KEY_MAX). ddb_num_decode_key reverses it
 * and returns the bytes consumed, or 0 on malformed input.
 */
size_t ddb_num_encode_key(const ddb_num *n, uint8_t *out);
size_t ddb_num_decode_key(const uint8_t *in, size_t len, ddb_num *out);

/* out = a + b and out = a - b, exactly; the result is checked like a parsed number. */
ddb_num_status ddb_num_add(const ddb_num *a, const ddb_num *b, ddb_num *out);
ddb_num_status ddb_num_sub(const ddb_num *a, const ddb_num *b, ddb_num *out);

/* DynamoDB's own bytes of a number (<= DDB_NUM_DYNAMODB_MAX), the input of its partition hash
   (docs/storage-format.md, "Item keys"): not order-preserving. */
#define DDB_NUM_DYNAMODB_MAX 21
size_t ddb_num_encode_dynamodb(const ddb_num *n, uint8_t *out);

/* Bytes DynamoDB counts for this number in item size (exponent byte, digit pairs, sign terminator; zero is 1). */
size_t ddb_num_size(const ddb_num *n);

#endif
