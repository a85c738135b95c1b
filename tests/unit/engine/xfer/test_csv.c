/*
 * tests/unit/engine/xfer/test_csv.c: ImportTable's CSV records made PutItem bodies
 * (server/engine/xfer/csv.c), one at a time as the batch reader takes them: quoting, CRLF, empty
 * lines, the header (the first record or HeaderList), declared types, empty fields, a record with
 * more fields than the header, a record passed over (before a checkpoint) left unbuilt, and a
 * record that goes on past the text read so far (an object read as a stream) given back unread.
 */
#include <string.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/xfer/csv.h"
#include "test.h"

static const ddb_json *parse(ddb_arena *a, const char *json)
{
    return ddb_json_parse(a, json, strlen(json));
}

/* The next record's body as a NUL-terminated string ("" and *msg set for a bad record, NULL at the end). */
static const char *next(ddb_xfer_csv *c, const char **p, const char *end, ddb_buf *body, const char **msg)
{
    body->len = 0;
    if (!ddb_xfer_csv_next(c, p, end, 1, "t", body, msg))
        return NULL;
    if (*msg != NULL)
        return "";
    ddb_buf_putc(body, '\0');
    return body->data;
}

TEST(csv_header_quotes_crlf_types_and_empty_fields)
{
    ddb_arena a;
    ddb_xfer_csv c;
    ddb_buf body = {0};
    const char *text = "pk,sk,txt\r\nk1,1,\"a, \"\"b\"\"\nc\"\r\n\n\r\nk2,2,\nk3,3,x,extra\nk4,4,y";
    const char *p = text, *end = text + strlen(text), *msg = NULL;

    ddb_arena_init(&a);
    ddb_xfer_csv_init(&c, ',', NULL, parse(&a, "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                                                "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]"));
    ddb_xfer_csv_header(&c, &p, end, 1);
    ASSERT_EQ(c.nh, 3);
    ASSERT_STR_EQ(next(&c, &p, end, &body, &msg),
                  "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k1\"},\"sk\":{\"N\":\"1\"},"
                  "\"txt\":{\"S\":\"a, \\\"b\\\"\\nc\"}}}");
    ASSERT(msg == NULL);
    /* the empty lines are skipped; an empty field is left out */
    ASSERT_STR_EQ(next(&c, &p, end, &body, &msg),
                  "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k2\"},\"sk\":{\"N\":\"2\"}}}");
    ASSERT_STR_EQ(next(&c, &p, end, &body, &msg), "");
    ASSERT_STR_EQ(msg, "The CSV record has more fields than the header");
    /* the last record has no newline */
    ASSERT_STR_EQ(next(&c, &p, end, &body, &msg),
                  "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k4\"},\"sk\":{\"N\":\"4\"},\"txt\":{\"S\":\"y\"}}}");
    ASSERT(next(&c, &p, end, &body, &msg) == NULL);
    ASSERT(p == end);
    ddb_xfer_csv_free(&c);
    ddb_buf_free(&body);
    ddb_arena_free(&a);
}

TEST(csv_header_list_delimiter_and_passing_over)
{
    ddb_arena a;
    ddb_xfer_csv c;
    ddb_buf body = {0};
    const char *text = "k1\t10\nk2\t20\n\n", *p = text, *end = text + strlen(text), *msg = "x";

    ddb_arena_init(&a);
    ddb_xfer_csv_init(&c, '\t', parse(&a, "[\"pk\",\"n\"]"), NULL);
    ddb_xfer_csv_header(&c, &p, end, 1); /* HeaderList: the first record is data */
    ASSERT(p == text);
    ASSERT_EQ(c.nh, 2);
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, end, 1, NULL, &body, &msg), 1); /* passed over: no body */
    ASSERT(msg == NULL);
    ASSERT_EQ(body.len, 0);
    ASSERT_STR_EQ(next(&c, &p, end, &body, &msg),
                  "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k2\"},\"n\":{\"S\":\"20\"}}}");
    ASSERT(next(&c, &p, end, &body, &msg) == NULL); /* trailing empty lines: the end */
    /* an empty object: an empty header */
    p = end;
    ddb_xfer_csv_free(&c);
    ddb_xfer_csv_init(&c, ',', NULL, NULL);
    ddb_xfer_csv_header(&c, &p, end, 1);
    ASSERT_EQ(c.nh, 0);
    ddb_xfer_csv_free(&c);
    ddb_buf_free(&body);
    ddb_arena_free(&a);
}

/* Cut anywhere before its newline (inside quotes, between \r and \n, in a header), a record is
   incomplete (-1, p unmoved) until the object's end says it is whole. */
TEST(csv_record_cut_by_the_window_is_read_again)
{
    ddb_arena a;
    ddb_xfer_csv c;
    ddb_buf body = {0};
    const char *text = "pk,txt\r\nk1,\"a\nb\"\r\nk2,x\n", *p = text, *msg = NULL;
    size_t cuts[] = {9, 12, 14, 16, 17};

    ddb_arena_init(&a);
    ddb_xfer_csv_init(&c, ',', NULL, NULL);
    ASSERT_EQ(ddb_xfer_csv_header(&c, &p, text + 7, 0), -1); /* "pk,txt\r": no \n yet */
    ASSERT(p == text);
    ASSERT_EQ(ddb_xfer_csv_header(&c, &p, text + 8, 0), 1);
    ASSERT_EQ(c.nh, 2);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        const char *q = p;
        ASSERT_EQ(ddb_xfer_csv_next(&c, &q, text + cuts[i], 0, "t", &body, &msg), -1);
        ASSERT(q == p);
    }
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 18, 0, "t", &body, &msg), 1);
    ddb_buf_putc(&body, '\0');
    ASSERT_STR_EQ(body.data, "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k1\"},\"txt\":{\"S\":\"a\\nb\"}}}");
    ASSERT(p == text + 18);
    /* the object's end: the last record needs no newline; then nothing more */
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 23, 1, "t", &body, &msg), 1);
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 23, 0, "t", &body, &msg), -1);
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 23, 1, "t", &body, &msg), 0);
    ddb_xfer_csv_free(&c);
    ddb_buf_free(&body);
    ddb_arena_free(&a);
}

/* A delimiter last in the text read: the empty field after it is read from nothing past the end,
   where the byte after it (a quote here, what the buffer held before) was read and taken for an
   opening quote, moving the reader past the end (fuzz_csv: a read past the object's text). */
TEST(csv_delimiter_last_reads_nothing_past_the_end)
{
    ddb_arena a;
    ddb_xfer_csv c;
    ddb_buf body = {0};
    const char *text = "pk,txt,\"\nk1,x,\"", *p = text, *msg = NULL;

    ddb_arena_init(&a);
    ddb_xfer_csv_init(&c, ',', NULL, NULL);
    ASSERT_EQ(ddb_xfer_csv_header(&c, &p, text + 7, 1), 1); /* "pk,txt,": three fields, the last empty */
    ASSERT_EQ(c.nh, 3);
    ASSERT(p == text + 7);
    p = text + 9;
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 14, 1, "t", &body, &msg), 1); /* "k1,x," */
    ASSERT(msg == NULL);
    ASSERT(p == text + 14);
    ddb_buf_putc(&body, '\0');
    ASSERT_STR_EQ(body.data, "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"k1\"},\"txt\":{\"S\":\"x\"}}}");
    ASSERT_EQ(ddb_xfer_csv_next(&c, &p, text + 14, 1, "t", &body, &msg), 0);
    ddb_xfer_csv_free(&c);
    ddb_buf_free(&body);
    ddb_arena_free(&a);
}
