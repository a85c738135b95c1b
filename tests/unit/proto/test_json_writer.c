/*
 * tests/unit/proto/test_json_writer.c: the JSON writer's escaping (proto/json.c) against a
 * byte-at-a-time reference, for every byte value at every offset of its 8-byte words, through
 * each entry point that escapes (strings, keys, tagged AttributeValue strings).
 */
#include <stdio.h>
#include <string.h>

#include "proto/json.h"
#include "test.h"

/* The rules written out plainly: controls as \n \r \t or \u00XX, '"' and '\' escaped, the rest as is. */
static void reference_escape(ddb_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            ddb_buf_putc(b, '\\');
            ddb_buf_putc(b, (char)c);
        } else if (c == '\n') {
            ddb_buf_puts(b, "\\n");
        } else if (c == '\r') {
            ddb_buf_puts(b, "\\r");
        } else if (c == '\t') {
            ddb_buf_puts(b, "\\t");
        } else if (c < 0x20) {
            ddb_buf_printf(b, "\\u%04x", c);
        } else {
            ddb_buf_putc(b, (char)c);
        }
    }
}

TEST(escape_matches_reference_for_every_byte_and_offset)
{
    char s[40];
    ddb_buf got = {0}, want = {0};

    for (int c = 0; c < 256; c++) {
        for (size_t pos = 0; pos < 20; pos++) {
            memset(s, 'a', sizeof(s));
            s[pos] = (char)c;
            s[pos + 9] = (char)(c ^ 0x80); /* a second byte in the next word */
            got.len = want.len = 0;
            ddb_json_escape(&got, s, 33);
            reference_escape(&want, s, 33);
            ASSERT_MEM_EQ(got.data, got.len, want.data, want.len);
            ASSERT_EQ(got.data[got.len], '\0');
        }
    }
    ddb_buf_free(&got);
    ddb_buf_free(&want);
}

TEST(keys_strings_and_tagged_strings_escape_alike)
{
    const char raw[] = "tab\there \"quoted\" back\\slash \x01\x1f ok \xc3\xa9\xf0\x9f\x98\x80 end";
    size_t n = sizeof(raw) - 1;
    ddb_buf out = {0}, esc = {0};
    ddb_jw w;
    char want[512];

    reference_escape(&esc, raw, n);
    ddb_jw_init(&w, &out);
    ddb_jw_obj_begin(&w);
    ddb_jw_keyn(&w, raw, n);
    ddb_jw_strn(&w, raw, n);
    ddb_jw_key(&w, "v");
    ddb_jw_tagged_str(&w, "S", raw, n);
    ddb_jw_obj_end(&w);
    snprintf(want, sizeof(want), "{\"%s\":\"%s\",\"v\":{\"S\":\"%s\"}}", esc.data, esc.data, esc.data);
    ASSERT_STR_EQ(out.data, want);
    ASSERT_EQ(out.len, strlen(want));
    ddb_buf_free(&out);
    ddb_buf_free(&esc);
}

TEST(long_strings_grow_the_buffer)
{
    static char big[100000];
    ddb_buf out = {0};
    ddb_jw w;

    memset(big, '"', sizeof(big));
    ddb_jw_init(&w, &out);
    ddb_jw_tagged_str(&w, "S", big, sizeof(big));
    ASSERT_EQ(out.len, 2 + 1 + 3 + 2 * sizeof(big) + 2);
    ASSERT_EQ(out.data[out.len], '\0');
    ddb_buf_free(&out);
}

/* Doubles print as the shortest digits that read back as the same double, as Java's
   Double.toString (DynamoDB's JSON) does: a timing of 5.562 ms is 5.562, not 5.5620000000000003. */
static const char *jw_double(ddb_buf *out, double v)
{
    ddb_jw w;

    out->len = 0;
    ddb_jw_init(&w, out);
    ddb_jw_double(&w, v);
    return out->data;
}

TEST(doubles_print_their_shortest_round_trip_digits)
{
    ddb_buf out = {0};

    ASSERT_STR_EQ(jw_double(&out, 5.562), "5.562");
    ASSERT_STR_EQ(jw_double(&out, 0.1), "0.1");
    ASSERT_STR_EQ(jw_double(&out, 0.1 + 0.2), "0.30000000000000004"); /* 17 digits when it takes them */
    ASSERT_STR_EQ(jw_double(&out, 1.0 / 3), "0.3333333333333333");
    ASSERT_STR_EQ(jw_double(&out, 2.0), "2.0");
    ASSERT_STR_EQ(jw_double(&out, 1e20), "1e+20");
    ASSERT_STR_EQ(jw_double(&out, -0.000123), "-0.000123");
    ddb_buf_free(&out);
}

/* Any depth, with the commas right at every level (issue 49: the writer abort()ed past 128). */
TEST(the_writer_writes_any_depth)
{
    ddb_buf out = {0}, want = {0};
    ddb_jw w;
    const int depth = 10000;

    ddb_jw_init(&w, &out);
    ddb_jw_arr_begin(&w);
    for (int i = 0; i < depth; i++) {
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "a");
        ddb_jw_int(&w, i);
        ddb_jw_key(&w, "b");
        ddb_jw_arr_begin(&w);
        ddb_jw_null(&w);
    }
    for (int i = 0; i < depth; i++) {
        ddb_jw_arr_end(&w);
        ddb_jw_key(&w, "c");
        ddb_jw_bool(&w, 1);
        ddb_jw_obj_end(&w);
    }
    ddb_jw_str(&w, "end");
    ddb_jw_arr_end(&w);
    ddb_buf_putc(&want, '[');
    for (int i = 0; i < depth; i++)
        ddb_buf_printf(&want, "%s{\"a\":%d,\"b\":[null", i > 0 ? "," : "", i);
    for (int i = 0; i < depth; i++)
        ddb_buf_puts(&want, "],\"c\":true}");
    ddb_buf_puts(&want, ",\"end\"]");
    ASSERT_STR_EQ(out.data, want.data);
    ddb_buf_free(&out);
    ddb_buf_free(&want);
}

/* A member in one call writes what its key and value calls write; an unset (NULL) string is "". */
TEST(members_write_their_key_then_their_value)
{
    ddb_buf out = {0};
    ddb_jw w;

    ddb_jw_init(&w, &out);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "s", "a\"b");
    ddb_jw_member_str(&w, "unset", NULL);
    ddb_jw_member_int(&w, "n", -12);
    ddb_jw_member_bool(&w, "b", 1);
    ddb_jw_member_double(&w, "d", 0.5);
    ddb_jw_obj_end(&w);
    ASSERT_STR_EQ(out.data, "{\"s\":\"a\\\"b\",\"unset\":\"\",\"n\":-12,\"b\":true,\"d\":0.5}");
    ddb_buf_free(&out);
}
