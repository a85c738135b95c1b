/*
 * tests/unit/proto/test_record_line.c: the recording line writer's shortcuts (issue 74) write what
 * the members one by one would: ddb_rl_answered_ok as "status", "outcome" and "error" written each
 * with its writer, ddb_rl_json's plain text copied as it is, a newline blanked, and text that is
 * not UTF-8 repaired unless the caller says it was checked; ddb_rl_string's plain name copied as
 * it is, and one with something to escape escaped.
 */
#include <string.h>

#include "proto/record_line.h"
#include "test.h"

TEST(an_answer_of_200_ok_is_its_three_members)
{
    ddb_buf one = {0}, three = {0};

    ddb_rl_answered_ok(&one);
    ddb_rl_u64(&three, DDB_RL_STATUS, 200);
    ddb_rl_name(&three, DDB_RL_OUTCOME, ddb_rl_outcomes[DDB_RLO_OK]);
    ddb_rl_null(&three, DDB_RL_ERROR);
    ASSERT_MEM_EQ(one.data, one.len, three.data, three.len);
    ddb_buf_free(&one);
    ddb_buf_free(&three);
}

/* ddb_rl_json(text, unicode) as the line's text after ,"response": */
static void json_as(char *got, size_t size, const char *text, int unicode)
{
    ddb_buf b = {0};
    size_t key = ddb_rl_keys[DDB_RL_RESPONSE].len;

    ddb_rl_json(&b, DDB_RL_RESPONSE, text, strlen(text), unicode);
    snprintf(got, size, "%.*s", (int)(b.len - key), b.data + key);
    ddb_buf_free(&b);
}

#define ASSERT_JSON_AS(text, unicode, want)                                                                            \
    do {                                                                                                               \
        char got_[256];                                                                                                \
        json_as(got_, sizeof(got_), (text), (unicode));                                                                \
        ASSERT_STR_EQ(got_, (want));                                                                                   \
    } while (0)

TEST(a_body_is_one_line_of_utf8)
{
    ASSERT_JSON_AS("{\"TableName\":\"a plain body of more than sixteen bytes\"}", 0,
                   "{\"TableName\":\"a plain body of more than sixteen bytes\"}");
    ASSERT_JSON_AS("{\r\n  \"a\": 1\n}", 0, "{    \"a\": 1 }");
    ASSERT_JSON_AS("{\r\n  \"a\": 1\n}", 1, "{    \"a\": 1 }");       /* checked text: newlines still blanked */
    ASSERT_JSON_AS("{\"a\":\"\\u00e9 \xc3\xa9\"}", 0, "{\"a\":\"\\u00e9 \xc3\xa9\"}"); /* UTF-8 as it is */
    ASSERT_JSON_AS("{\"a\":\"\xff\"}", 0, "{\"a\":\"\xEF\xBF\xBD\"}");
    ASSERT_JSON_AS("{\"a\":\"\\ud800\"}", 0, "{\"a\":\"\\ufffd\"}");
    ASSERT_JSON_AS("{\"a\":\"\xff\"}", 1, "{\"a\":\"\xff\"}"); /* the caller's word: not checked again */
}

/* ddb_rl_string(text) as the line's text after ,"region": */
static void string_as(char *got, size_t size, const char *text, size_t n)
{
    ddb_buf b = {0};
    size_t key = ddb_rl_keys[DDB_RL_REGION].len;

    ddb_rl_string(&b, DDB_RL_REGION, text, n);
    snprintf(got, size, "%.*s", (int)(b.len - key), b.data + key);
    ddb_buf_free(&b);
}

#define ASSERT_STRING_AS(text, want)                                                                                   \
    do {                                                                                                               \
        char got_[256];                                                                                                \
        string_as(got_, sizeof(got_), (text), sizeof(text) - 1);                                                       \
        ASSERT_STR_EQ(got_, (want));                                                                                   \
    } while (0)

TEST(a_string_is_escaped_only_when_it_needs_it)
{
    ASSERT_STRING_AS("us-east-1", "\"us-east-1\"");
    ASSERT_STRING_AS("", "\"\"");
    ASSERT_STRING_AS("a\"b\\c", "\"a\\\"b\\\\c\"");
    ASSERT_STRING_AS("a\tb\x01", "\"a\\tb\\u0001\"");
    ASSERT_STRING_AS("\xc3\xa9\xff", "\"\xc3\xa9\xEF\xBF\xBD\"");
    ASSERT_STRING_AS("a\0b", "\"a\\u0000b\"");
}
