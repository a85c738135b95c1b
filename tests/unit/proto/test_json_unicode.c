/*
 * tests/unit/proto/test_json_unicode.c: what a client sends is Unicode (ddb_json_parse_input,
 * proto/json.c). Each ill-formed sequence of RFC 3629's table, and each \u escape of half a
 * surrogate pair, is found at every offset around the 16- and 8-byte steps of the ASCII fast path;
 * every well-formed one, at its edges, passes and parses.
 */
#include <string.h>

#include "proto/json.h"
#include "test.h"

static const char *const ILL_FORMED[] = {
    "\xc0\xaf",         "\xc1\xbf",         "\xe0\x80\xaf",     "\xe0\x9f\xbf", "\xed\xa0\x80",
    "\xed\xbf\xbf",     "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
    "\xf8\x88\x80\x80", "\xff",             "\x80",             "\xbf",         "\xe2\x82",
    "\xe2\x28\xa1",     "\xc2",             "\\ud800",          "\\udbff",      "\\udc00",
    "\\udfff",          "\\ud800\\u0041",   "\\ud800\\ud800",   "\\udc00\\ud800", "\\ud800x",
    "\\ud800\\\\udc00", "\\ud800\\",
};

static const char *const WELL_FORMED[] = {
    "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
    "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "\\ud800\\udc00", "\\udbff\\udfff", "\\u0000", "\\\\ud800",
    "\\\"", "\\n",
};

/* {"k":"<pad 'a's><seq>z"}: the sequence at offset 6 + pad. */
static size_t document(char *out, size_t pad, const char *seq)
{
    size_t n = 0;

    memcpy(out, "{\"k\":\"", 6);
    n = 6;
    memset(out + n, 'a', pad);
    n += pad;
    memcpy(out + n, seq, strlen(seq));
    n += strlen(seq);
    memcpy(out + n, "z\"}", 3);
    return n + 3;
}

/* Each sequence at every offset from 6 to 45: an ill-formed one found where it starts (and the
   parse refused there), a well-formed one passed and parsed. */
static void each_at_every_offset(const char *const *seqs, size_t nseqs, int ill)
{
    char text[128];
    ddb_arena a;

    ddb_arena_init(&a);
    for (size_t s = 0; s < nseqs; s++) {
        for (size_t pad = 0; pad < 40; pad++) {
            size_t n = document(text, pad, seqs[s]), at = 0;
            const ddb_json *doc = ddb_json_parse_input(&a, text, n, &at);
            ASSERT_EQ(ddb_json_unicode_error(text, n), ill ? 6 + pad : n);
            if (ill) {
                ASSERT_NULL(doc);
                ASSERT_EQ(at, 6 + pad);
            } else {
                const ddb_json *v = ddb_json_get(doc, "k");
                ASSERT(v != NULL && v->type == DDB_JSON_STRING);
            }
        }
    }
    ddb_arena_free(&a);
}

TEST(ill_formed_text_is_found_where_it_starts)
{
    each_at_every_offset(ILL_FORMED, sizeof(ILL_FORMED) / sizeof(ILL_FORMED[0]), 1);
}

TEST(well_formed_text_passes_and_parses)
{
    each_at_every_offset(WELL_FORMED, sizeof(WELL_FORMED) / sizeof(WELL_FORMED[0]), 0);
}

TEST(a_sequence_cut_by_the_end_of_the_text_is_ill_formed)
{
    static const char *const cut[] = {"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\\ud83d", "\\ud83d\\ude0"};

    for (size_t s = 0; s < sizeof(cut) / sizeof(cut[0]); s++)
        ASSERT_EQ(ddb_json_unicode_error(cut[s], strlen(cut[s])), 0);
    ASSERT_EQ(ddb_json_unicode_error("", 0), 0);
}

TEST(stored_records_are_read_as_before)
{
    /* ddb_json_parse does not check: records written before the check stay readable */
    static const char text[] = "{\"k\":\"\xc0\xaf\"}";
    ddb_arena a;

    ddb_arena_init(&a);
    ASSERT(ddb_json_parse(&a, text, sizeof(text) - 1) != NULL);
    ASSERT_NULL(ddb_json_parse_input(&a, text, sizeof(text) - 1, NULL));
    ddb_arena_free(&a);
}

TEST(the_fast_path_stops_at_the_first_non_ascii_byte_wherever_it_is)
{
    char text[48];

    for (size_t n = 1; n <= sizeof(text); n++) {
        memset(text, 'a', n);
        ASSERT_EQ(ddb_json_unicode_error(text, n), n);
        for (size_t at = 0; at < n; at++) {
            memset(text, 'a', n);
            text[at] = (char)0x80;
            if (at + 1 < n)
                text[at + 1] = (char)0xff; /* a second stop after the first does not hide it */
            ASSERT_EQ(ddb_json_unicode_error(text, n), at);
        }
    }
}

/* ddb_json_plain_run: the first non-ASCII byte, backslash, CR or LF, at every offset of every
   length around the 16-byte steps and the overlapping last step (a later stop does not hide it) */
TEST(the_plain_run_stops_at_the_first_byte_a_line_cannot_hold_as_it_is)
{
    static const char stops[] = {(char)0x80, (char)0xff, '\\', '\n', '\r'};
    char text[56];

    for (size_t n = 0; n <= sizeof(text); n++) {
        memset(text, 'a', n);
        ASSERT_EQ(ddb_json_plain_run(text, n), n);
        for (size_t k = 0; k < sizeof(stops); k++) {
            for (size_t at = 0; at < n; at++) {
                memset(text, '"', n);
                text[at] = stops[k];
                if (at + 1 < n)
                    text[at + 1] = stops[(k + 1) % sizeof(stops)];
                ASSERT_EQ(ddb_json_plain_run(text, n), at);
            }
        }
    }
}

/* ddb_utf16_len counts eight bytes at a time: characters of 1 to 4 bytes (a 4-byte one is a
   surrogate pair, two units) at every offset around the 8-byte steps and the byte-by-byte tail,
   against the count of each character's units */
TEST(a_strings_length_is_its_utf16_units_wherever_its_characters_fall)
{
    static const struct {
        const char *bytes;
        size_t units;
    } chars[] = {{"a", 1}, {"\x7f", 1}, {"\xc2\x80", 1}, {"\xdf\xbf", 1}, {"\xe2\x82\xac", 1},
                 {"\xef\xbf\xbf", 1}, {"\xf0\x90\x80\x80", 2}, {"\xf4\x8f\xbf\xbf", 2}};
    const size_t nchars = sizeof(chars) / sizeof(chars[0]);
    char text[64];

    for (size_t pad = 0; pad < 24; pad++) {
        for (size_t k = 0; k < nchars; k++) {
            /* pad ASCII bytes, then characters k, k+1, ... round the table until the text is full */
            size_t n = pad, units = pad;
            memset(text, 'x', pad);
            for (size_t j = k; n + strlen(chars[j % nchars].bytes) <= sizeof(text); j++) {
                size_t len = strlen(chars[j % nchars].bytes);
                memcpy(text + n, chars[j % nchars].bytes, len);
                n += len;
                units += chars[j % nchars].units;
                /* every prefix that ends on a character's end */
                ASSERT_EQ(ddb_utf16_len(text, n), units);
            }
        }
    }
    ASSERT_EQ(ddb_utf16_len(text, 0), 0);
}
