/*
 * tests/unit/proto/test_attr.c: AttributeValue decoding (phase 1 SerializationException and
 * phase 2 ValidationException texts), writing, size, equality, ordering and copy (proto/attr.c).
 */
#include <stdio.h>
#include <string.h>

#include "proto/attr.h"
#include "test.h"

#define INVALID "One or more parameter values were invalid: "
#define NUMBER_CLASS "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
#define START_MAP "Start of structure or map found where not expected."
#define START_LIST "Start of list found where not expected"
#define EMPTY_AV "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MULTI_AV                                                                                                       \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
#define NESTING                                                                                                        \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
#define NOT_NUMERIC "The parameter cannot be converted to a numeric value"
#define OVERFLOW "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define UNDERFLOW "Number underflow. Attempting to store a number with magnitude smaller than supported range"
#define PRECISION "Attempting to store more than 38 significant digits in a Number"

typedef struct msg_case {
    const char *json;
    const char *msg; /* NULL: accepted */
} msg_case;

static ddb_arena arena;

static const ddb_json *json(const char *text)
{
    if (arena.head == NULL)
        ddb_arena_init(&arena);
    return ddb_json_parse(&arena, text, strlen(text));
}

static int same_msg(const char *got, const char *want)
{
    if (got == NULL || want == NULL)
        return got == want;
    return strcmp(got, want) == 0;
}

/* Runs a table through a phase; reports the first mismatch with its JSON. */
static int run_cases(const msg_case *cases, size_t n, int phase, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        const ddb_json *v = json(cases[i].json);
        const char *got;
        ddb_attr out;

        if (v == NULL) {
            ddb_test_fail(file, line, "bad JSON in table: %s", cases[i].json);
            return 0;
        }
        got = phase == 1 ? ddb_attr_check_types(&arena, v) : ddb_attr_from_json(&arena, v, &out);
        if (!same_msg(got, cases[i].msg)) {
            ddb_test_fail(file, line, "phase %d of %s:\n    got  \"%s\"\n    want \"%s\"", phase, cases[i].json,
                          got ? got : "(null)", cases[i].msg ? cases[i].msg : "(null)");
            return 0;
        }
    }
    return 1;
}

#define RUN(cases, phase) ASSERT(run_cases(cases, ARRAY_LEN(cases), phase, __FILE__, __LINE__))

/* Decodes a value that must be accepted by both phases. */
static int decode(const char *text, ddb_attr *out)
{
    const ddb_json *v = json(text);

    return v != NULL && ddb_attr_check_types(&arena, v) == NULL && ddb_attr_from_json(&arena, v, out) == NULL;
}

static int decode_item(const char *text, ddb_attr *out)
{
    const ddb_json *v = json(text);

    return v != NULL && ddb_item_check_types(&arena, v) == NULL && ddb_item_from_json(&arena, v, out) == NULL;
}

/* {"M":{"a": ... {"M":{"a":<leaf>}} ... }} with `levels` M wrappers. */
static const char *nested(const char *wrap_open, const char *wrap_close, int levels, const char *leaf)
{
    static char buf[8192];
    size_t k = 0;

    for (int i = 0; i < levels; i++)
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s", wrap_open);
    k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s", leaf);
    for (int i = 0; i < levels; i++)
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s", wrap_close);
    return buf;
}

/* {"a":<value>} */
static const char *in_item(const char *value)
{
    static char buf[8300];

    snprintf(buf, sizeof(buf), "{\"a\":%s}", value);
    return buf;
}

/* ---- type names ---- */

TEST(type_names_round_trip)
{
    static const char *const names[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        ddb_type t = ddb_type_from_name(names[i], strlen(names[i]));

        ASSERT_EQ(t, (int)i + 1);
        ASSERT_STR_EQ(ddb_type_name(t), names[i]);
    }
    ASSERT_STR_EQ(ddb_type_name(DDB_T_NONE), "");
    ASSERT_EQ(ddb_type_from_name("X", 1), DDB_T_NONE);
    ASSERT_EQ(ddb_type_from_name("SSS", 3), DDB_T_NONE);
    ASSERT_EQ(ddb_type_from_name("BOOLEAN", 4), DDB_T_BOOL); /* length-delimited */
    ASSERT_EQ(ddb_type_from_name("", 0), DDB_T_NONE);
}

/* ---- phase 1 ---- */

TEST(phase1_string_members)
{
    static const msg_case cases[] = {
        {"{\"S\":\"ok\"}", NULL},
        {"{\"S\":5}", NUMBER_CLASS " can not be converted to an String"},
        {"{\"S\":-1.5e3}", NUMBER_CLASS " can not be converted to an String"},
        {"{\"S\":true}", "class java.lang.Boolean can not be converted to an String"},
        {"{\"S\":{}}", START_MAP},
        {"{\"S\":[]}", START_LIST},
        {"{\"N\":1}", NUMBER_CLASS " can not be converted to an String"},
        {"{\"N\":false}", "class java.lang.Boolean can not be converted to an String"},
        {"{\"N\":\"not checked until phase 2\"}", NULL},
    };

    RUN(cases, 1);
}

TEST(phase1_blob_members)
{
    static const msg_case cases[] = {
        {"{\"B\":\"AA==\"}", NULL},
        {"{\"B\":\"AAA=\"}", NULL},
        {"{\"B\":\"aGVsbG8=\"}", NULL},
        {"{\"B\":\"\"}", NULL},
        {"{\"B\":5}", NUMBER_CLASS " can not be converted to a Blob"},
        {"{\"B\":false}", "class java.lang.Boolean can not be converted to a Blob"},
        {"{\"B\":{}}", START_MAP},
        {"{\"B\":[]}", START_LIST},
        {"{\"B\":\"abc\"}",
         "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
        /* length counts UTF-16 units, as the reference does: "é" is one */
        {"{\"B\":\"\\u00e9\"}", "'\xc3\xa9' can not be converted to a Blob: Base64 encoded length is expected a "
                                "multiple of 4 bytes but found: "
                                "1"},
        {"{\"B\":\"ab!d\"}", "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'"},
        {"{\"B\":\"\\u00e9abc\"}", "'\xc3\xa9"
                                   "abc' can not be converted to a Blob: Invalid Base64 character: '\xc3\xa9'"},
        {"{\"B\":\"a=bc\"}", "'a=bc' can not be converted to a Blob: Invalid Base64 character: '='"},
        {"{\"B\":\"AA==AA==\"}", "'AA==AA==' can not be converted to a Blob: Invalid Base64 character: '='"},
        {"{\"B\":\"AB==\"}", "'AB==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
        {"{\"B\":\"AAB=\"}", "'AAB=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
        {"{\"B\":\"A===\"}", "'A===' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
        {"{\"B\":\"====\"}", "'====' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
        {"{\"BS\":[\"AA==\",\"abc\"]}",
         "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
        {"{\"BS\":[7]}", NUMBER_CLASS " can not be converted to a Blob"},
    };

    RUN(cases, 1);
}

TEST(phase1_boolean_members)
{
    static const msg_case cases[] = {
        {"{\"BOOL\":true}", NULL},
        {"{\"BOOL\":\"yes\"}", NULL},
        {"{\"BOOL\":\"No\"}", NULL},
        {"{\"BOOL\":\"TRUE\"}", NULL},
        {"{\"BOOL\":\"false\"}", NULL},
        {"{\"BOOL\":\"1\"}", NULL},
        {"{\"BOOL\":\"0\"}", NULL},
        {"{\"BOOL\":1}", NUMBER_CLASS " can not be converted to an Boolean"},
        {"{\"BOOL\":\"maybe\"}", "'MAYBE' can not be converted to an Boolean"},
        {"{\"BOOL\":\"\"}", "'' can not be converted to an Boolean"},
        {"{\"BOOL\":\"2\"}", "'2' can not be converted to an Boolean"},
        {"{\"BOOL\":[]}", START_LIST},
        {"{\"BOOL\":{}}", START_MAP},
        {"{\"NULL\":\"x\"}", "'X' can not be converted to an Boolean"},
        {"{\"NULL\":0}", NUMBER_CLASS " can not be converted to an Boolean"},
    };

    RUN(cases, 1);
}

TEST(phase1_list_and_map_members)
{
    static const msg_case cases[] = {
        {"{\"SS\":\"a\"}", "Expected list or null"},
        {"{\"SS\":1}", "Expected list or null"},
        {"{\"NS\":true}", "Expected list or null"},
        {"{\"SS\":{}}", START_MAP},
        {"{\"SS\":[1]}", NUMBER_CLASS " can not be converted to an String"},
        {"{\"NS\":[true]}", "class java.lang.Boolean can not be converted to an String"},
        {"{\"SS\":[[]]}", START_LIST},
        {"{\"SS\":[null,\"a\"]}", NULL},
        {"{\"L\":5}", "Expected list or null"},
        {"{\"L\":{}}", START_MAP},
        {"{\"L\":[5]}", "Expected null"},
        {"{\"L\":[\"s\"]}", "Expected null"},
        {"{\"L\":[[1]]}", START_LIST},
        {"{\"L\":[null,{\"S\":1}]}", NUMBER_CLASS " can not be converted to an String"},
        {"{\"M\":\"x\"}", "Expected map or null"},
        {"{\"M\":false}", "Expected map or null"},
        {"{\"M\":[]}", START_LIST},
        {"{\"M\":{\"a\":5}}", "Expected null"},
        {"{\"M\":{\"a\":null}}", NULL},
        {"{\"M\":{\"a\":{\"M\":{\"b\":{\"B\":\"x\"}}}}}",
         "'x' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 1"},
    };

    RUN(cases, 1);
}

TEST(phase1_structure_level)
{
    static const msg_case cases[] = {
        {"5", "Expected null"},
        {"\"s\"", "Expected null"},
        {"true", "Expected null"},
        {"[]", START_LIST},
        {"null", NULL},
        {"{}", NULL},
        /* unknown and null members are dropped before checking */
        {"{\"X\":5,\"S\":\"a\"}", NULL},
        {"{\"s\":5}", NULL},
        {"{\"S\":null,\"N\":null}", NULL},
        /* members are checked in S, B, N, BOOL, NULL, BS, NS, SS, L, M order, not document order */
        {"{\"N\":5,\"S\":true}", "class java.lang.Boolean can not be converted to an String"},
        {"{\"M\":5,\"BOOL\":2}", NUMBER_CLASS " can not be converted to an Boolean"},
        {"{\"L\":5,\"SS\":{}}", START_MAP},
        /* a repeated member: the last one counts */
        {"{\"S\":5,\"S\":\"a\"}", NULL},
        {"{\"S\":\"a\",\"S\":5}", NUMBER_CLASS " can not be converted to an String"},
    };

    RUN(cases, 1);
}

TEST(phase1_item_level)
{
    ASSERT_NULL(ddb_attr_check_types(&arena, NULL));
    ASSERT_NULL(ddb_item_check_types(&arena, json("{\"a\":{\"S\":\"x\"},\"b\":null}")));
    ASSERT_STR_EQ(ddb_item_check_types(&arena, json("[]")), START_LIST);
    ASSERT_STR_EQ(ddb_item_check_types(&arena, json("5")), "Expected map or null");
    ASSERT_STR_EQ(ddb_item_check_types(&arena, json("{\"a\":5}")), "Expected null");
    ASSERT_STR_EQ(ddb_item_check_types(&arena, json("{\"a\":{\"S\":\"x\"},\"b\":{\"N\":[]}}")), START_LIST);
}

/* ---- phase 2 ---- */

TEST(phase2_shape)
{
    static const msg_case cases[] = {
        {"{}", EMPTY_AV},
        {"null", EMPTY_AV},
        {"{\"S\":null}", EMPTY_AV},
        {"{\"X\":\"a\"}", EMPTY_AV},
        {"{\"S\":\"a\",\"N\":\"1\"}", MULTI_AV},
        {"{\"S\":\"a\",\"BOOL\":true,\"X\":1}", MULTI_AV},
        {"{\"S\":\"a\",\"N\":null}", NULL},
        /* per-type checks run before the more-than-one check */
        {"{\"S\":\"a\",\"N\":\"x\"}", NOT_NUMERIC ": x"},
        {"{\"NULL\":false,\"S\":\"a\"}", INVALID "Null attribute value types must have the value of true"},
    };

    RUN(cases, 2);
}

TEST(phase2_scalars)
{
    static const msg_case cases[] = {
        {"{\"S\":\"\"}", NULL}, /* empty strings and binaries are allowed since 2020 */
        {"{\"B\":\"\"}", NULL},
        {"{\"N\":\"\"}", NOT_NUMERIC},
        {"{\"N\":\"x\"}", NOT_NUMERIC ": x"},
        {"{\"N\":\" 1\"}", NOT_NUMERIC ":  1"},
        {"{\"N\":\"1e126\"}", OVERFLOW},
        {"{\"N\":\"-1e-131\"}", UNDERFLOW},
        {"{\"N\":\"123456789012345678901234567890123456789\"}", PRECISION},
        {"{\"N\":\"9.9999999999999999999999999999999999999E+125\"}", NULL},
        {"{\"N\":\"1e-130\"}", NULL},
        {"{\"NULL\":false}", INVALID "Null attribute value types must have the value of true"},
        {"{\"NULL\":\"no\"}", INVALID "Null attribute value types must have the value of true"},
        {"{\"NULL\":true}", NULL},
        {"{\"NULL\":\"YES\"}", NULL},
        {"{\"BOOL\":false}", NULL},
    };

    RUN(cases, 2);
}

TEST(phase2_sets)
{
    static const msg_case cases[] = {
        {"{\"SS\":[]}", INVALID "An string set  may not be empty"},
        {"{\"NS\":[]}", INVALID "An number set  may not be empty"},
        {"{\"BS\":[]}", INVALID "Binary sets should not be empty"},
        {"{\"SS\":[\"\",\"a\"]}", NULL}, /* empty members are allowed since 2020 */
        {"{\"BS\":[\"\",\"AQ==\"]}", NULL},
        {"{\"SS\":[\"a\",null]}", INVALID "An string set may not have a empty string as a member"},
        {"{\"BS\":[\"AQ==\",null]}", INVALID "Binary sets may not contain null or empty values"},
        {"{\"NS\":[\"1\",null]}", NOT_NUMERIC},
        {"{\"NS\":[\"1\",\"\"]}", NOT_NUMERIC},
        {"{\"NS\":[\"1\",\"x\"]}", NOT_NUMERIC ": x"},
        {"{\"NS\":[\"1e126\"]}", OVERFLOW},
        {"{\"NS\":[\"1e-131\"]}", UNDERFLOW},
        {"{\"SS\":[\"a\",\"b\",\"a\"]}", INVALID "Input collection [a, b, a] contains duplicates."},
        {"{\"SS\":[\"a\",\"A\"]}", NULL},
        {"{\"SS\":[\"\",\"\"]}", INVALID "Input collection [, ] contains duplicates."},
        {"{\"NS\":[\"1\",\"2\",\"1.0\"]}", "Input collection contains duplicates"},
        {"{\"NS\":[\"-0\",\"0e5\"]}", "Input collection contains duplicates"},
        {"{\"NS\":[\"1\",\"10\",\"0.1\"]}", NULL},
        {"{\"BS\":[\"AQ==\",\"Ag==\",\"AQ==\"]}",
         INVALID "Input collection [AQ==, Ag==, AQ==]of type BS contains duplicates."},
        {"{\"BS\":[\"AQ==\",\"AQI=\"]}", NULL},
        /* emptiness is checked before members, members before duplicates */
        {"{\"NS\":[\"1\",\"1\",\"x\"]}", NOT_NUMERIC ": x"},
    };

    RUN(cases, 2);
}

TEST(phase2_documents)
{
    static const msg_case cases[] = {
        {"{\"L\":[]}", NULL},
        {"{\"M\":{}}", NULL},
        {"{\"L\":[{\"N\":\"x\"}]}", NOT_NUMERIC ": x"},
        {"{\"L\":[{}]}", EMPTY_AV},
        {"{\"L\":[null]}", EMPTY_AV},
        {"{\"L\":[{\"S\":\"a\"},{\"S\":\"a\",\"B\":\"\"}]}", MULTI_AV},
        {"{\"M\":{\"a\":{\"NULL\":false}}}", INVALID "Null attribute value types must have the value of true"},
        {"{\"M\":{\"a\":null}}", EMPTY_AV},
        {"{\"M\":{\"a\":{\"L\":[{\"SS\":[]}]}}}", INVALID "An string set  may not be empty"},
        /* the first failing member in document order */
        {"{\"M\":{\"a\":{\"N\":\"x\"},\"b\":{\"N\":\"y\"}}}", NOT_NUMERIC ": x"},
        /* and N is validated before M, SS before L */
        {"{\"M\":{\"a\":{\"N\":\"x\"}},\"N\":\"1e126\"}", OVERFLOW},
        {"{\"L\":[{\"N\":\"bad\"}],\"SS\":[]}", INVALID "An string set  may not be empty"},
    };

    RUN(cases, 2);
}

TEST(phase2_nesting_limit)
{
    ddb_attr out;

    /* 31 enclosing M/L levels plus the leaf is the deepest DynamoDB takes */
    ASSERT_NULL(ddb_attr_from_json(&arena, json(nested("{\"M\":{\"a\":", "}}", 31, "{\"S\":\"x\"}")), &out));
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json(nested("{\"M\":{\"a\":", "}}", 32, "{\"S\":\"x\"}")), &out), NESTING);
    ASSERT_NULL(ddb_attr_from_json(&arena, json(nested("{\"L\":[", "]}", 31, "{\"N\":\"1\"}")), &out));
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json(nested("{\"L\":[", "]}", 32, "{\"N\":\"1\"}")), &out), NESTING);
    ASSERT_NULL(ddb_attr_from_json(&arena, json(nested("{\"L\":[{\"M\":{\"k\":", "}}]}", 15, "{\"L\":[]}")), &out));
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json(nested("{\"L\":[{\"M\":{\"k\":", "}}]}", 16, "{\"M\":{}}")), &out),
                  NESTING);
    /* an empty container at level 32 is itself too deep */
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json(nested("{\"M\":{\"a\":", "}}", 31, "{\"M\":{}}")), &out), NESTING);
    /* inside an item the attribute values start at the same level */
    ASSERT(decode_item(in_item(nested("{\"M\":{\"a\":", "}}", 31, "{\"S\":\"x\"}")), &out));
    ASSERT_STR_EQ(ddb_item_from_json(&arena, json(in_item(nested("{\"M\":{\"a\":", "}}", 32, "{\"S\":\"x\"}"))), &out),
                  NESTING);
}

TEST(phase2_decodes_values)
{
    ddb_attr v;

    ASSERT(decode("{\"N\":\"-0.00120\"}", &v));
    ASSERT_EQ(v.type, DDB_T_N);
    ASSERT_MEM_EQ(v.u.s, v.len, "-0.0012", 7);
    ASSERT(decode("{\"N\":\"1E+3\"}", &v));
    ASSERT_MEM_EQ(v.u.s, v.len, "1000", 4);
    ASSERT(decode("{\"B\":\"aGVsbG8=\"}", &v));
    ASSERT_EQ(v.type, DDB_T_B);
    ASSERT_MEM_EQ(v.u.s, v.len, "hello", 5);
    ASSERT(decode("{\"B\":\"\"}", &v));
    ASSERT_EQ(v.len, 0);
    ASSERT(decode("{\"S\":\"a\\u0000b\"}", &v));
    ASSERT_MEM_EQ(v.u.s, v.len, "a\0b", 3);
    ASSERT(decode("{\"BOOL\":\"yes\"}", &v));
    ASSERT_EQ(v.type, DDB_T_BOOL);
    ASSERT_EQ(v.boolean, 1);
    ASSERT(decode("{\"BOOL\":\"0\"}", &v));
    ASSERT_EQ(v.boolean, 0);
    ASSERT(decode("{\"NULL\":true}", &v));
    ASSERT_EQ(v.type, DDB_T_NULL);
    ASSERT(decode("{\"NS\":[\"1.50\",\"-2e1\"]}", &v));
    ASSERT_EQ(v.type, DDB_T_NS);
    ASSERT_EQ(v.len, 2);
    /* members in DynamoDB's order: numbers by value */
    ASSERT_MEM_EQ(v.u.items[0].u.s, v.u.items[0].len, "-20", 3);
    ASSERT_MEM_EQ(v.u.items[1].u.s, v.u.items[1].len, "1.5", 3);
    ASSERT_EQ(v.u.items[1].type, DDB_T_N);
    ASSERT(decode("{\"BS\":[\"AQ==\",\"\"]}", &v));
    ASSERT_EQ(v.u.items[0].type, DDB_T_B); /* bytes in order: the empty member first */
    ASSERT_EQ(v.u.items[0].len, 0);
    ASSERT_MEM_EQ(v.u.items[1].u.s, v.u.items[1].len, "\x01", 1);
    ASSERT(decode("{\"X\":1,\"L\":[{\"S\":\"a\"},{\"M\":{}}]}", &v));
    ASSERT_EQ(v.type, DDB_T_L);
    ASSERT_EQ(v.len, 2);
    ASSERT_EQ(v.u.items[1].type, DDB_T_M);
    ASSERT_EQ(v.u.items[1].len, 0);
}

TEST(phase2_repeated_map_keys_keep_first_position_last_value)
{
    ddb_attr v;

    ASSERT(decode("{\"M\":{\"a\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"},\"a\":{\"S\":\"3\"}}}", &v));
    ASSERT_EQ(v.len, 2);
    ASSERT_MEM_EQ(v.u.entries[0].name, v.u.entries[0].nlen, "a", 1);
    ASSERT_MEM_EQ(v.u.entries[0].val.u.s, v.u.entries[0].val.len, "3", 1);
    ASSERT_MEM_EQ(v.u.entries[1].name, v.u.entries[1].nlen, "b", 1);
    /* the earlier, invalid value is not validated: only the last one counts */
    ASSERT(decode("{\"M\":{\"a\":{\"N\":\"x\"},\"a\":{\"N\":\"1\"}}}", &v));
}

/* {"M":{"k0":{"S":"0"},...}} of n members named k<i>, member `again` (< n) repeating k0's name. */
static const char *map_of(int n, int again)
{
    static char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof(buf), "{\"M\":{");

    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s\"k%d\":{\"S\":\"%d\"}", i ? "," : "",
                              i == again ? 0 : i, i);
    snprintf(buf + k, sizeof(buf) - k, "}}");
    return buf;
}

/* Small maps are checked pair by pair, larger ones sorted (attr.c's unique_members): the same
   answer either way, for names of one length and one first byte too. */
TEST(repeated_map_keys_found_in_small_and_large_maps)
{
    ddb_attr v;

    ASSERT(decode("{\"M\":{\"ab\":{\"S\":\"1\"},\"ac\":{\"S\":\"2\"},\"a\":{\"S\":\"3\"}}}", &v));
    ASSERT_EQ(v.len, 3);
    ASSERT_MEM_EQ(v.u.entries[1].name, v.u.entries[1].nlen, "ac", 2);
    ASSERT(decode("{\"M\":{\"\":{\"S\":\"1\"},\"b\":{\"S\":\"2\"},\"\":{\"S\":\"3\"}}}", &v));
    ASSERT_EQ(v.len, 2);
    ASSERT_EQ(v.u.entries[0].nlen, 0);
    ASSERT_MEM_EQ(v.u.entries[0].val.u.s, v.u.entries[0].val.len, "3", 1);
    for (int n = 15; n <= 18; n++) {
        char last[8], before[8];
        snprintf(last, sizeof(last), "%d", n - 1);
        snprintf(before, sizeof(before), "k%d", n - 2);
        ASSERT(decode(map_of(n, -1), &v));
        ASSERT_EQ(v.len, n);
        ASSERT(decode(map_of(n, n - 1), &v)); /* the last repeats the first: first place, last value */
        ASSERT_EQ(v.len, n - 1);
        ASSERT_MEM_EQ(v.u.entries[0].name, v.u.entries[0].nlen, "k0", 2);
        ASSERT_MEM_EQ(v.u.entries[0].val.u.s, v.u.entries[0].val.len, last, strlen(last));
        ASSERT_MEM_EQ(v.u.entries[n - 2].name, v.u.entries[n - 2].nlen, before, strlen(before));
    }
}

TEST(item_from_json_and_get)
{
    ddb_attr item;
    const ddb_attr *v;

    ASSERT(decode_item("{\"k\":{\"S\":\"x\"},\"n\":{\"N\":\"05\"},\"k2\":{\"BOOL\":true}}", &item));
    ASSERT_EQ(item.type, DDB_T_M);
    ASSERT_EQ(item.len, 3);
    v = ddb_item_get(&item, "n", 1);
    ASSERT(v != NULL);
    ASSERT_MEM_EQ(v->u.s, v->len, "5", 1);
    ASSERT(ddb_item_get(&item, "k2", 2) != NULL);
    ASSERT_EQ(ddb_item_get(&item, "k2", 2)->type, DDB_T_BOOL);
    ASSERT_NULL(ddb_item_get(&item, "k3", 2));
    ASSERT_NULL(ddb_item_get(&item, "k", 0));
    ASSERT_STR_EQ(ddb_item_from_json(&arena, json("{\"a\":{\"S\":\"x\"},\"b\":{}}"), &item), EMPTY_AV);
    ASSERT_STR_EQ(ddb_item_from_json(&arena, json("{\"a\":null}"), &item), EMPTY_AV);
    /* without phase 1, shape errors still come back as phase 1 would give them */
    ASSERT_STR_EQ(ddb_item_from_json(&arena, json("[]"), &item), START_LIST);
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json("7"), &item), "Expected null");
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json("{\"S\":7}"), &item),
                  NUMBER_CLASS " can not be converted to an String");
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json("{\"B\":\"AB==\"}"), &item),
                  "'AB==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json("{\"L\":{}}"), &item), START_MAP);
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json("{\"SS\":[1]}"), &item),
                  NUMBER_CLASS " can not be converted to an String");
    ASSERT_NULL(ddb_item_from_json(&arena, json("{}"), &item));
    ASSERT_EQ(item.type, DDB_T_M);
    ASSERT_EQ(item.len, 0);
}

/* ---- size ---- */

static size_t item_size_of(const char *text)
{
    ddb_attr item;

    return decode_item(text, &item) ? ddb_item_size(&item) : (size_t)-1;
}

TEST(size_follows_dynalite)
{
    static const struct {
        const char *item;
        size_t size;
    } cases[] = {
        {"{}", 0},
        {"{\"id\":{\"S\":\"abc\"}}", 2 + 3},
        {"{\"s\":{\"S\":\"\\u00e9\"}}", 1 + 2},  /* UTF-8 bytes */
        {"{\"\\u00e9\":{\"S\":\"\"}}", 2 + 0},   /* names count UTF-8 bytes too */
        {"{\"b\":{\"B\":\"aGVsbG8=\"}}", 1 + 5}, /* raw bytes, not base64 */
        {"{\"n\":{\"N\":\"12345\"}}", 1 + 4},
        {"{\"n\":{\"N\":\"0\"}}", 1 + 1},
        {"{\"n\":{\"N\":\"10\"}}", 1 + 2},
        {"{\"flag\":{\"BOOL\":true}}", 4 + 1},
        {"{\"z\":{\"NULL\":true}}", 1 + 1},
        {"{\"l\":{\"L\":[{\"S\":\"xy\"}]}}", 1 + 3 + 1 + 2},
        {"{\"l\":{\"L\":[]}}", 1 + 3},
        {"{\"m\":{\"M\":{\"ab\":{\"S\":\"x\"},\"c\":{\"NULL\":true}}}}", 1 + 3 + (1 + 2 + 1) + (1 + 1 + 1)},
        {"{\"m\":{\"M\":{}}}", 1 + 3},
        {"{\"ss\":{\"SS\":[\"a\",\"bc\"]}}", 2 + 3},
        {"{\"ns\":{\"NS\":[\"1\",\"10\"]}}", 2 + 2 + 2},
        {"{\"bs\":{\"BS\":[\"AQ==\",\"AQID\"]}}", 2 + 1 + 3},
        {"{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"12345\"},\"flag\":{\"BOOL\":true},\"l\":{\"L\":[{\"S\":\"xy\"}]}}",
         5 + 5 + 5 + 7},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t got = item_size_of(cases[i].item);

        if (got != cases[i].size) {
            ddb_test_fail(__FILE__, __LINE__, "size of %s = %zu, want %zu", cases[i].item, got, cases[i].size);
            return;
        }
    }
}

TEST(attr_size_excludes_name)
{
    ddb_attr v;

    ASSERT(decode("{\"S\":\"abcd\"}", &v));
    ASSERT_EQ(ddb_attr_size(&v), 4);
    ASSERT(decode("{\"M\":{\"key\":{\"N\":\"1\"}}}", &v));
    ASSERT_EQ(ddb_attr_size(&v), 3 + 1 + 3 + 2);
}

/* ---- writer ---- */

static const char *write_item(const ddb_attr *item)
{
    static char out[4096];
    ddb_buf b = {0};
    ddb_jw w;

    ddb_jw_init(&w, &b);
    ddb_item_write_json(&w, item);
    snprintf(out, sizeof(out), "%.*s", (int)b.len, b.data ? b.data : "");
    ddb_buf_free(&b);
    return out;
}

TEST(write_json_canonical_wire_form)
{
    static const char *const in =
        "{\"a\":{\"N\":\"1.50\"},\"b\":{\"B\":\"aGVsbG8=\"},\"c\":{\"SS\":[\"x\",\"y\"]},"
        "\"d\":{\"L\":[{\"NULL\":true},{\"BOOL\":\"yes\"},{\"BOOL\":false}]},\"e\":{\"M\":{\"z\":{\"S\":\"q\\\"uote\"}}"
        "},"
        "\"f\":{\"BS\":[\"AQ==\",\"\"]},\"g\":{\"NS\":[\"1e2\",\"-0.5\"]},\"h\":{\"S\":\"\"},\"i\":{\"M\":{}},"
        "\"j\":{\"L\":[]},\"X\":{\"S\":\"s\",\"junk\":1}}";
    static const char *const want =
        "{\"a\":{\"N\":\"1.5\"},\"b\":{\"B\":\"aGVsbG8=\"},\"c\":{\"SS\":[\"x\",\"y\"]},"
        "\"d\":{\"L\":[{\"NULL\":true},{\"BOOL\":true},{\"BOOL\":false}]},\"e\":{\"M\":{\"z\":{\"S\":\"q\\\"uote\"}}},"
        "\"f\":{\"BS\":[\"\",\"AQ==\"]},\"g\":{\"NS\":[\"-0.5\",\"100\"]},\"h\":{\"S\":\"\"},\"i\":{\"M\":{}},"
        "\"j\":{\"L\":[]},\"X\":{\"S\":\"s\"}}";
    ddb_attr item, again;

    ASSERT(decode_item(in, &item));
    ASSERT_STR_EQ(write_item(&item), want);
    /* and the output decodes back to an equal item */
    ASSERT(decode_item(want, &again));
    ASSERT(ddb_attr_equal(&item, &again));
    ASSERT_STR_EQ(write_item(&again), want);
}

TEST(write_json_single_value)
{
    ddb_attr v;
    ddb_buf b = {0};
    ddb_jw w;

    ASSERT(decode("{\"N\":\"-0e3\"}", &v));
    ddb_jw_init(&w, &b);
    ddb_jw_arr_begin(&w);
    ddb_attr_write_json(&w, &v);
    ddb_attr_write_json(&w, &v);
    ddb_jw_arr_end(&w);
    ASSERT_MEM_EQ(b.data, b.len, "[{\"N\":\"0\"},{\"N\":\"0\"}]", strlen("[{\"N\":\"0\"},{\"N\":\"0\"}]"));
    ddb_buf_free(&b);
}

/* ---- equality and ordering ---- */

static int eq(const char *x, const char *y)
{
    ddb_attr a, b;

    if (!decode(x, &a) || !decode(y, &b))
        return -1;
    return ddb_attr_equal(&a, &b);
}

TEST(equal_semantics)
{
    static const struct {
        const char *a, *b;
        int equal;
    } cases[] = {
        {"{\"S\":\"a\"}", "{\"S\":\"a\"}", 1},
        {"{\"S\":\"a\"}", "{\"S\":\"ab\"}", 0},
        {"{\"S\":\"1\"}", "{\"N\":\"1\"}", 0},
        {"{\"N\":\"1\"}", "{\"N\":\"1.0\"}", 1},
        {"{\"N\":\"1\"}", "{\"N\":\"10e-1\"}", 1},
        {"{\"N\":\"1\"}", "{\"N\":\"-1\"}", 0},
        {"{\"B\":\"AQ==\"}", "{\"B\":\"AQ==\"}", 1},
        {"{\"B\":\"AQ==\"}", "{\"B\":\"AQI=\"}", 0},
        {"{\"BOOL\":true}", "{\"BOOL\":\"yes\"}", 1},
        {"{\"BOOL\":true}", "{\"BOOL\":false}", 0},
        {"{\"NULL\":true}", "{\"NULL\":true}", 1},
        {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"b\",\"a\"]}", 1},
        {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\",\"c\"]}", 0},
        {"{\"SS\":[\"a\",\"b\"]}", "{\"SS\":[\"a\"]}", 0},
        {"{\"NS\":[\"1\",\"2\"]}", "{\"NS\":[\"2.0\",\"1e0\"]}", 1},
        {"{\"NS\":[\"1\",\"2\"]}", "{\"SS\":[\"1\",\"2\"]}", 0},
        {"{\"BS\":[\"AQ==\",\"Ag==\"]}", "{\"BS\":[\"Ag==\",\"AQ==\"]}", 1},
        {"{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}", "{\"L\":[{\"S\":\"a\"},{\"N\":\"1.00\"}]}", 1},
        {"{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}", "{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}", 0},
        {"{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"2\"}}}", "{\"M\":{\"b\":{\"N\":\"2\"},\"a\":{\"S\":\"x\"}}}", 1},
        {"{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"2\"}}}", "{\"M\":{\"a\":{\"S\":\"x\"},\"c\":{\"N\":\"2\"}}}", 0},
        {"{\"M\":{\"a\":{\"S\":\"x\"}}}", "{\"M\":{\"a\":{\"S\":\"y\"}}}", 0},
        {"{\"M\":{}}", "{\"L\":[]}", 0},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int got = eq(cases[i].a, cases[i].b), back = eq(cases[i].b, cases[i].a);

        if (got != cases[i].equal || back != got) {
            ddb_test_fail(__FILE__, __LINE__, "equal(%s, %s) = %d/%d, want %d", cases[i].a, cases[i].b, got, back,
                          cases[i].equal);
            return;
        }
    }
}

TEST(equal_compares_numbers_by_value_even_when_not_canonical)
{
    ddb_attr a = {.type = DDB_T_N, .len = 3, .u.s = "1.0"}, b = {.type = DDB_T_N, .len = 1, .u.s = "1"};
    ddb_attr items_a[2] = {a, {.type = DDB_T_N, .len = 1, .u.s = "2"}};
    ddb_attr items_b[2] = {{.type = DDB_T_N, .len = 4, .u.s = "2e+0"}, b};
    ddb_attr sa = {.type = DDB_T_NS, .len = 2, .u.items = items_a},
             sb = {.type = DDB_T_NS, .len = 2, .u.items = items_b};

    ASSERT(ddb_attr_equal(&a, &b));
    ASSERT_EQ(ddb_attr_cmp(&a, &b), 0);
    ASSERT(ddb_attr_equal(&sa, &sb));
}

/* {"M":{"k<i>":{"N":"<i>"}, ...}} for i in [0, n), ascending or descending. */
static const char *big_map(int n, int descending, int changed)
{
    static char buf[8192];
    size_t k = (size_t)snprintf(buf, sizeof(buf), "{\"M\":{");

    for (int j = 0; j < n; j++) {
        int i = descending ? n - 1 - j : j;

        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s\"k%d\":{\"N\":\"%d\"}", j ? "," : "", i,
                              i == changed ? -1 : i);
    }
    snprintf(buf + k, sizeof(buf) - k, "}}");
    return buf;
}

TEST(equal_large_maps_ignore_order)
{
    ddb_attr a, b, c;

    ASSERT(decode(big_map(40, 0, -100), &a));
    ASSERT(decode(big_map(40, 1, -100), &b));
    ASSERT(decode(big_map(40, 1, 17), &c));
    ASSERT_EQ(a.len, 40);
    ASSERT_EQ(b.u.entries[0].nlen, 3); /* "k39" first */
    ASSERT(ddb_attr_equal(&a, &b));
    ASSERT(!ddb_attr_equal(&a, &c));
    ASSERT(!ddb_attr_equal(&c, &b));
}

TEST(large_set_duplicates_found)
{
    static char buf[8192];
    size_t k = (size_t)snprintf(buf, sizeof(buf), "{\"NS\":[");
    ddb_attr v;

    for (int i = 0; i < 300; i++)
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s\"%d\"", i ? "," : "", i);
    snprintf(buf + k, sizeof(buf) - k, "]}");
    ASSERT_NULL(ddb_attr_from_json(&arena, json(buf), &v));
    ASSERT_EQ(v.len, 300);
    /* the last member repeats the first by value */
    snprintf(buf + k, sizeof(buf) - k, ",\"0.0e1\",\"1.00\"]}");
    ASSERT_STR_EQ(ddb_attr_from_json(&arena, json(buf), &v), "Input collection contains duplicates");
}

static int cmp_sign(const char *x, const char *y)
{
    ddb_attr a, b;
    int c;

    if (!decode(x, &a) || !decode(y, &b))
        return 99;
    c = ddb_attr_cmp(&a, &b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

TEST(cmp_orders_keys)
{
    static const struct {
        const char *a, *b;
        int sign;
    } cases[] = {
        {"{\"S\":\"a\"}", "{\"S\":\"ab\"}", -1},
        {"{\"S\":\"ab\"}", "{\"S\":\"b\"}", -1},
        {"{\"S\":\"b\"}", "{\"S\":\"b\"}", 0},
        {"{\"S\":\"Z\"}", "{\"S\":\"a\"}", -1},
        {"{\"S\":\"\\u007f\"}", "{\"S\":\"\\u00e9\"}", -1}, /* unsigned bytes: 0x7f < 0xc3 */
        {"{\"S\":\"10\"}", "{\"S\":\"9\"}", -1},
        {"{\"N\":\"9\"}", "{\"N\":\"10\"}", -1},
        {"{\"N\":\"-10\"}", "{\"N\":\"-9\"}", -1},
        {"{\"N\":\"-1\"}", "{\"N\":\"-0.5\"}", -1},
        {"{\"N\":\"0.5\"}", "{\"N\":\"-1\"}", 1},
        {"{\"N\":\"1.0\"}", "{\"N\":\"1\"}", 0},
        {"{\"B\":\"AQ==\"}", "{\"B\":\"AQI=\"}", -1},
        {"{\"B\":\"/w==\"}", "{\"B\":\"AQI=\"}", 1}, /* 0xff sorts after 0x01 */
        {"{\"B\":\"\"}", "{\"B\":\"AA==\"}", -1},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int got = cmp_sign(cases[i].a, cases[i].b);

        if (got != cases[i].sign || cmp_sign(cases[i].b, cases[i].a) != -got) {
            ddb_test_fail(__FILE__, __LINE__, "cmp(%s, %s) = %d, want %d", cases[i].a, cases[i].b, got, cases[i].sign);
            return;
        }
    }
}

/* ---- copy ---- */

TEST(copy_is_deep)
{
    static const char *const text =
        "{\"s\":{\"S\":\"str\"},\"n\":{\"N\":\"1.5\"},\"b\":{\"B\":\"AQI=\"},\"l\":{\"L\":[{\"SS\":[\"a\",\"b\"]}]},"
        "\"m\":{\"M\":{\"x\":{\"NS\":[\"1\"]},\"y\":{\"BS\":[\"AQ==\"]},\"z\":{\"BOOL\":true},\"w\":{\"NULL\":true}}}}";
    ddb_arena src, dst;
    ddb_attr orig, copy, again;
    const ddb_json *v;

    ddb_arena_init(&src);
    ddb_arena_init(&dst);
    v = ddb_json_parse(&src, text, strlen(text));
    ASSERT(v != NULL);
    ASSERT_NULL(ddb_item_from_json(&src, v, &orig));
    ddb_attr_copy(&dst, &orig, &copy);
    ASSERT(copy.u.entries != orig.u.entries);
    ASSERT(copy.u.entries[0].name != orig.u.entries[0].name);
    ASSERT(copy.u.entries[0].val.u.s != orig.u.entries[0].val.u.s);
    ASSERT(copy.u.entries[3].val.u.items[0].u.items != orig.u.entries[3].val.u.items[0].u.items);
    ASSERT(ddb_attr_equal(&orig, &copy));
    /* the copy outlives the source arena */
    ddb_arena_free(&src);
    ASSERT(decode_item(text, &again));
    ASSERT(ddb_attr_equal(&copy, &again));
    {
        char first[4096];

        snprintf(first, sizeof(first), "%s", write_item(&copy));
        ASSERT_STR_EQ(first, write_item(&again));
    }
    ddb_arena_free(&dst);
}
