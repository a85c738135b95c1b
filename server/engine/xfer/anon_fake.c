/*
 * server/engine/xfer/anon_fake.c: the fakers of an import's anonymisation rules (anon.h).
 *
 * A fake is drawn from a generator seeded by the value's keyed hash, so the same value fakes the
 * same way wherever it appears (joins hold), and nothing of it but its shape is kept:
 *   name    "Given Family" from two lists (S);
 *   email   given.family.NNNN@example.com (S): example.com is reserved (RFC 2606), never anyone's;
 *   phone, text   every digit a digit and every ASCII letter a letter of the same case, the rest
 *           (+, spaces, dashes, dots, parentheses) kept, so the length and the format stay; a
 *           character outside ASCII becomes a letter. An N keeps its sign, point and exponent and
 *           a leading digit that is not 0.
 *   date    a day in [min, max] in the value's format: YYYY-MM-DD with the time of day that
 *           follows it redrawn (HH:MM:SS, fractions), its zone kept; or epoch seconds, or epoch
 *           milliseconds (12 digits or more), as N or as an S of digits;
 *   number  a whole number in [min, max], as N or as S.
 * Errors name the attribute and the rule, never the value.
 */
#include <stdio.h>
#include <string.h>

#include "server/engine/xfer/anon.h"

static const char *const given[] = {
    "Ada",   "Alan",  "Alice", "Amir",   "Anna",  "Ben",   "Carla", "Chen",  "Dara",  "David", "Elena",
    "Emil",  "Farah", "Grace", "Hana",   "Ivan",  "Jonas", "Kofi",  "Lea",   "Leo",   "Maya",  "Mateo",
    "Nadia", "Noah",  "Olga",  "Omar",   "Priya", "Rosa",  "Sami",  "Sofia", "Tariq", "Yuki"};
static const char *const family[] = {
    "Adams",  "Baker",  "Costa",   "Dubois", "Evans",  "Fischer", "Garcia", "Hansen", "Ito",    "Jensen",  "Kim",
    "Lopez",  "Meyer",  "Nowak",   "Okafor", "Park",   "Quinn",   "Rossi",  "Silva",  "Tanaka", "Ueda",    "Varga",
    "Weber",  "Xu",     "Young",   "Zhang",  "Moreau", "Novak",   "Patel",  "Reyes",  "Smith",  "Larsen"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct rng {
    uint64_t s;
} rng;

/* splitmix64: every draw a function of the seed, the value's hash */
static uint64_t draw(rng *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t below(rng *g, uint64_t n)
{
    return n ? draw(g) % n : 0;
}

void ddb_anon_civil(long long z, long long *y, unsigned *m, unsigned *d)
{
    long long era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* phone and text: each character redrawn as one of its kind (the header). */
static char *masked(rng *g, ddb_arena *a, char type, const char *v, size_t n)
{
    char *out = ddb_arena_alloc(a, n + 1);
    size_t k = 0;
    int lead = 1; /* an N's first digit */

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (type == 'N' && (c == 'e' || c == 'E')) { /* the exponent is kept: the range holds */
            memcpy(out + k, v + i, n - i);
            k += n - i;
            break;
        }
        if (is_digit((char)c)) {
            out[k++] = (char)(type == 'N' && lead && c != '0' ? '1' + below(g, 9) : '0' + below(g, 10));
            lead = 0;
        } else if (c >= 'a' && c <= 'z') {
            out[k++] = (char)('a' + below(g, 26));
        } else if (c >= 'A' && c <= 'Z') {
            out[k++] = (char)('A' + below(g, 26));
        } else if (c >= 0x80) { /* a character outside ASCII: its bytes become one letter */
            while (i + 1 < n && ((unsigned char)v[i + 1] & 0xC0) == 0x80)
                i++;
            out[k++] = (char)('a' + below(g, 26));
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
    return out;
}

/* An epoch (whole digits, seconds or ms) or YYYY-MM-DD[rest] redrawn in [r->min, r->max] days. */
static const char *date(rng *g, const ddb_anon_rule *r, ddb_arena *a, const char *v, size_t n)
{
    long long day = r->min + (long long)below(g, (uint64_t)(r->max - r->min + 1)), y;
    unsigned m, d;
    size_t digits = 0;
    char *out;

    while (digits < n && is_digit(v[digits]))
        digits++;
    if (digits > 0 && digits == n) { /* an epoch */
        long long s = day * 86400 + (long long)below(g, 86400);
        return digits >= 12 ? ddb_arena_sprintf(a, "%lld%03u", s, (unsigned)below(g, 1000))
                            : ddb_arena_sprintf(a, "%lld", s);
    }
    if (n < 10 || digits != 4 || v[4] != '-' || !is_digit(v[5]) || !is_digit(v[6]) || v[7] != '-' ||
        !is_digit(v[8]) || !is_digit(v[9]))
        return NULL;
    ddb_anon_civil(day, &y, &m, &d);
    out = ddb_arena_alloc(a, n + 16);
    snprintf(out, n + 16, "%04lld-%02u-%02u%s", y, m, d, v + 10);
    /* the time of day (THH:MM[:SS[.fff]]) redrawn, what follows it (a zone) kept */
    if (n >= 16 && (v[10] == 'T' || v[10] == ' ') && is_digit(v[11]) && is_digit(v[12]) && v[13] == ':' &&
        is_digit(v[14]) && is_digit(v[15])) {
        size_t i = 16;
        unsigned hh = (unsigned)below(g, 24), mm = (unsigned)below(g, 60);
        out[11] = (char)('0' + hh / 10), out[12] = (char)('0' + hh % 10);
        out[14] = (char)('0' + mm / 10), out[15] = (char)('0' + mm % 10);
        if (n >= 19 && v[16] == ':' && is_digit(v[17]) && is_digit(v[18])) {
            unsigned ss = (unsigned)below(g, 60);
            out[17] = (char)('0' + ss / 10), out[18] = (char)('0' + ss % 10);
            i = 19;
            if (i < n && v[i] == '.')
                for (i++; i < n && is_digit(v[i]); i++)
                    out[i] = (char)('0' + below(g, 10));
        }
    }
    return out;
}

const char *ddb_anon_fake_value(const ddb_anon_rule *r, ddb_arena *a, const char *attr, char type, const char *v,
                                size_t n, const unsigned char h[32], const char **out)
{
    rng g = {0};
    const char *s = NULL;

    for (int i = 0; i < 8; i++)
        g.s = g.s << 8 | h[i];
    switch (r->fake) {
    case DDB_FAKE_name:
    case DDB_FAKE_email: {
        const char *gv = given[below(&g, COUNT(given))], *fm = family[below(&g, COUNT(family))];
        if (type != 'S')
            return ddb_arena_sprintf(a, "attribute \"%s\": fake %s applies to S values", attr,
                                     r->fake == DDB_FAKE_name ? "name" : "email");
        if (r->fake == DDB_FAKE_name) {
            s = ddb_arena_sprintf(a, "%s %s", gv, fm);
        } else {
            char *e = ddb_arena_sprintf(a, "%s.%s.%04u@example.com", gv, fm, (unsigned)below(&g, 10000));
            for (char *p = e; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            s = e;
        }
        break;
    }
    case DDB_FAKE_phone:
    case DDB_FAKE_text:
        s = masked(&g, a, type, v, n);
        break;
    case DDB_FAKE_date:
        if ((s = date(&g, r, a, v, n)) == NULL || (type == 'N' && !is_digit(s[0])))
            return ddb_arena_sprintf(a, "attribute \"%s\": fake date applies to dates YYYY-MM-DD... and to "
                                        "epoch seconds or milliseconds", attr);
        break;
    case DDB_FAKE_number:
        s = ddb_arena_sprintf(a, "%lld", r->min + (long long)below(&g, (uint64_t)(r->max - r->min) + 1));
        break;
    }
    *out = s;
    return NULL;
}
