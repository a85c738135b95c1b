/*
 * tests/client/test_client_types.c: every attribute type through PutItem and GetItem on a real
 * ddbd: numbers of 38 digits at both ends of DynamoDB's range, binary with every byte value,
 * sets, lists, maps nested to DynamoDB's limit, and the builder's own checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test.h"

static ddb_client *client;
static char table[64];

static void setup(void)
{
    if (client != NULL)
        return;
    client = tc_client();
    snprintf(table, sizeof(table), "%s", tc_name("types"));
    if (tc_create_table(client, table, DDB_TYPE_NONE) != DDB_OK)
        abort();
}

/* Puts `it` (pk = key) and returns the item read back (consistent read); NULL on failure. */
static ddb_result *roundtrip(ddb_item *it, const char *key)
{
    ddb_item *k = ddb_item_new();
    ddb_opts *o = ddb_opts_new();
    ddb_result *r = NULL;
    int rc;

    setup();
    ddb_item_set_s(it, "pk", key);
    ddb_item_set_s(k, "pk", key);
    rc = ddb_put_item(client, table, it, NULL, &r);
    if (rc != DDB_OK)
        fprintf(stderr, "  put: %s: %s\n", ddb_status_name(rc), ddb_result_message(r));
    ddb_result_free(r);
    r = NULL;
    ddb_opts_set(o, DDB_P_ConsistentRead, "true");
    if (rc == DDB_OK)
        rc = ddb_get_item(client, table, k, o, &r);
    ddb_opts_free(o);
    ddb_item_free(k);
    if (rc != DDB_OK || ddb_result_item(r) == NULL) {
        ddb_result_free(r);
        return NULL;
    }
    return r;
}

TEST(numbers_keep_38_digits_and_the_whole_range)
{
    static const char *in[] = {"12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
                               "9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130", "0.000",
                               "1.50", "-0", "3.14159265358979323846264338327950288"};
    static const char *want[] = {"12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
                                 "99999999999999999999999999999999999999" "0000000000000000000000000000000000000000000000"
                                 "000000000000000000000000000000000000000000",
                                 NULL, NULL, "0", "1.5", "0", "3.14159265358979323846264338327950288"};
    ddb_item *it = ddb_item_new();
    ddb_result *r;
    char name[16];

    for (size_t i = 0; i < ARRAY_LEN(in); i++) {
        snprintf(name, sizeof(name), "n%zu", i);
        ASSERT_EQ(ddb_item_set_n(it, name, in[i]), DDB_OK);
    }
    ASSERT_EQ(ddb_item_set_ns(it, "ns", in, 3), DDB_OK);
    r = roundtrip(it, "numbers");
    ASSERT(r != NULL);
    for (size_t i = 0; i < ARRAY_LEN(in); i++) {
        const char *got;

        snprintf(name, sizeof(name), "n%zu", i);
        got = ddb_item_get_n(ddb_result_item(r), name);
        ASSERT(got != NULL);
        if (want[i] != NULL)
            ASSERT_STR_EQ(got, want[i]);
    }
    {
        char tiny[160] = "0.";

        memset(tiny + 2, '0', 129); /* 1E-130 in plain notation */
        strcpy(tiny + 131, "1");
        ASSERT_STR_EQ(ddb_item_get_n(ddb_result_item(r), "n3"), tiny);
    }
    ASSERT_EQ(ddb_value_count(ddb_item_attr(ddb_result_item(r), "ns")), 3);
    ddb_result_free(r);
    ddb_item_free(it);
}

TEST(numbers_out_of_range_are_refused_by_the_builder)
{
    ddb_item *it = ddb_item_new();

    ASSERT_EQ(ddb_item_set_n(it, "x", "123456789012345678901234567890123456789"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_item_set_n(it, "x", "1E+126"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_item_set_n(it, "x", "1E-131"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_item_set_n(it, "x", "12a"), DDB_E_INVALID_ARGUMENT);
    ASSERT_EQ(ddb_item_count(it), 0);
    ddb_item_free(it);
}

TEST(binary_with_every_byte_value)
{
    unsigned char all[256], rev[256];
    const void *set[2] = {all, rev};
    size_t lens[2] = {256, 256};
    ddb_item *it = ddb_item_new();
    ddb_result *r;
    const ddb_value *v, *bs;
    const char *p;
    size_t len;

    for (int i = 0; i < 256; i++) {
        all[i] = (unsigned char)i;
        rev[i] = (unsigned char)(255 - i);
    }
    ASSERT_EQ(ddb_item_set_b(it, "b", all, sizeof(all)), DDB_OK);
    ASSERT_EQ(ddb_item_set_bs(it, "bs", set, lens, 2), DDB_OK);
    r = roundtrip(it, "binary");
    ASSERT(r != NULL);
    v = ddb_item_attr(ddb_result_item(r), "b");
    ASSERT_EQ(ddb_value_type_of(v), DDB_TYPE_B);
    p = ddb_value_bytes(v, &len);
    ASSERT_MEM_EQ(p, len, all, sizeof(all));
    bs = ddb_item_attr(ddb_result_item(r), "bs");
    ASSERT_EQ(ddb_value_type_of(bs), DDB_TYPE_BS);
    ASSERT_EQ(ddb_value_count(bs), 2);
    for (size_t i = 0; i < 2; i++) {
        p = ddb_value_bytes(ddb_value_at(bs, i), &len);
        ASSERT_EQ(len, 256);
        ASSERT(memcmp(p, all, 256) == 0 || memcmp(p, rev, 256) == 0);
    }
    ddb_result_free(r);
    ddb_item_free(it);
}

TEST(strings_bools_nulls_and_sets)
{
    static const char *ss[] = {"a", "\xc3\xa9t\xc3\xa9", "with \"quotes\" and \\ and \n"};
    const char nul[] = {'a', '\0', 'b'};
    ddb_item *it = ddb_item_new();
    ddb_result *r;
    const ddb_item *got;
    size_t len;

    ddb_item_set_s(it, "s", "h\xc3\xa9llo \xe2\x9c\x93 \"json\" \\ \t");
    ddb_item_set_s_len(it, "nul", nul, sizeof(nul));
    ddb_item_set_bool(it, "t", 1);
    ddb_item_set_bool(it, "f", 0);
    ddb_item_set_null(it, "z");
    ddb_item_set_ss(it, "ss", ss, 3);
    r = roundtrip(it, "scalars");
    ASSERT(r != NULL);
    got = ddb_result_item(r);
    ASSERT_STR_EQ(ddb_item_get_s(got, "s"), "h\xc3\xa9llo \xe2\x9c\x93 \"json\" \\ \t");
    {
        const char *p = ddb_value_bytes(ddb_item_attr(got, "nul"), &len);

        ASSERT_MEM_EQ(p, len, nul, sizeof(nul));
    }
    ASSERT_EQ(ddb_value_type_of(ddb_item_attr(got, "t")), DDB_TYPE_BOOL);
    ASSERT_EQ(ddb_value_bool(ddb_item_attr(got, "t")), 1);
    ASSERT_EQ(ddb_value_bool(ddb_item_attr(got, "f")), 0);
    ASSERT_EQ(ddb_value_type_of(ddb_item_attr(got, "z")), DDB_TYPE_NULL);
    ASSERT_EQ(ddb_value_type_of(ddb_item_attr(got, "ss")), DDB_TYPE_SS);
    ASSERT_EQ(ddb_value_count(ddb_item_attr(got, "ss")), 3);
    ASSERT_EQ(ddb_item_count(got), 7);
    ddb_result_free(r);
    ddb_item_free(it);
}

TEST(lists_and_maps)
{
    ddb_item *it = ddb_item_new(), *m = ddb_item_new();
    ddb_list *l = ddb_list_new(), *inner = ddb_list_new();
    ddb_result *r;
    const ddb_value *lv;

    ddb_item_set_s(m, "name", "inner");
    ddb_item_set_int(m, "n", 42);
    ddb_list_append_s(inner, "x");
    ddb_list_append_s(l, "one");
    ddb_list_append_int(l, 2);
    ddb_list_append_bool(l, 1);
    ddb_list_append_null(l);
    ddb_list_append_b(l, "\x00\xff", 2);
    ddb_list_append_map(l, m);
    ddb_list_append_list(l, inner);
    ddb_list_append_n(l, "-0.5");
    ASSERT_EQ(ddb_item_set_list(it, "l", l), DDB_OK);
    ASSERT_EQ(ddb_item_set_map(it, "m", m), DDB_OK);
    ASSERT_EQ(ddb_item_set_list(it, "empty", inner), DDB_OK);
    r = roundtrip(it, "containers");
    ASSERT(r != NULL);
    lv = ddb_item_attr(ddb_result_item(r), "l");
    ASSERT_EQ(ddb_value_type_of(lv), DDB_TYPE_L);
    ASSERT_EQ(ddb_value_count(lv), 8);
    ASSERT_STR_EQ(ddb_value_bytes(ddb_value_at(lv, 0), NULL), "one");
    ASSERT_STR_EQ(ddb_value_bytes(ddb_value_at(lv, 1), NULL), "2");
    ASSERT_EQ(ddb_value_type_of(ddb_value_at(lv, 3)), DDB_TYPE_NULL);
    ASSERT_STR_EQ(ddb_item_get_n(ddb_value_map(ddb_value_at(lv, 5)), "n"), "42");
    ASSERT_EQ(ddb_value_count(ddb_value_at(lv, 6)), 1);
    ASSERT_STR_EQ(ddb_value_bytes(ddb_value_at(lv, 7), NULL), "-0.5");
    ASSERT_STR_EQ(ddb_item_get_s(ddb_value_map(ddb_item_attr(ddb_result_item(r), "m")), "name"), "inner");
    ddb_result_free(r);
    ddb_list_free(inner);
    ddb_list_free(l);
    ddb_item_free(m);
    ddb_item_free(it);
}

/* A chain of maps whose innermost value sits at nesting level `levels` (the leaf counts). */
static ddb_item *nested(int levels)
{
    ddb_item *cur = ddb_item_new();

    ddb_item_set_s(cur, "leaf", "bottom");
    for (int i = 2; i < levels; i++) {
        ddb_item *up = ddb_item_new();

        if (ddb_item_set_map(up, "m", cur) != DDB_OK)
            abort();
        ddb_item_free(cur);
        cur = up;
    }
    return cur;
}

TEST(maps_nested_32_deep_round_trip)
{
    ddb_item *it = ddb_item_new(), *deep = nested(32), *deeper = nested(33);
    ddb_result *r;
    const ddb_item *m;
    int depth = 1;

    ASSERT_EQ(ddb_item_set_map(it, "deep", deep), DDB_OK); /* 31 maps and the leaf: DynamoDB's 32 levels */
    ASSERT_EQ(ddb_item_set_map(it, "deeper", deeper), DDB_E_INVALID_ARGUMENT);
    r = roundtrip(it, "nested");
    ASSERT(r != NULL);
    m = ddb_value_map(ddb_item_attr(ddb_result_item(r), "deep"));
    while (m != NULL && ddb_item_attr(m, "m") != NULL) {
        m = ddb_value_map(ddb_item_attr(m, "m"));
        depth++;
    }
    ASSERT(m != NULL);
    ASSERT_STR_EQ(ddb_item_get_s(m, "leaf"), "bottom");
    ASSERT_EQ(depth + 1, 32); /* maps + the leaf */
    ddb_result_free(r);
    ddb_item_free(deeper);
    ddb_item_free(deep);
    ddb_item_free(it);
}

TEST(server_refuses_33_levels_too)
{
    /* the same document written by hand: the server agrees with the builder's limit */
    char body[4096] = "{\"TableName\":\"";
    ddb_result *r = NULL;

    setup();
    strcat(body, table);
    strcat(body, "\",\"Item\":{\"pk\":{\"S\":\"too-deep\"},\"deep\":");
    for (int i = 0; i < 32; i++)
        strcat(body, "{\"M\":{\"m\":");
    strcat(body, "{\"S\":\"leaf\"}");
    for (int i = 0; i < 32; i++)
        strcat(body, "}}");
    strcat(body, "}}");
    ASSERT_EQ(ddb_call(client, "PutItem", body, strlen(body), &r), DDB_E_VALIDATION);
    ASSERT(strstr(ddb_result_message(r), "Nesting") != NULL);
    ddb_result_free(r);
}

TEST(builder_replaces_removes_and_copies)
{
    static const char good[] = "{\"k\":{\"S\":\"v\"},\"n\":{\"N\":\"01.50\"},\"b\":{\"B\":\"AP8=\"}}";
    static const char bad[] = "{\"k\":{\"Q\":1}}";
    ddb_item *it = ddb_item_new(), *dup;
    char *json;

    for (int i = 0; i < 100; i++) {
        char name[16];

        snprintf(name, sizeof(name), "a%d", i);
        ASSERT_EQ(ddb_item_set_int(it, name, i), DDB_OK);
    }
    ASSERT_EQ(ddb_item_set_s(it, "a5", "five"), DDB_OK);
    ASSERT_EQ(ddb_item_count(it), 100);
    ASSERT_STR_EQ(ddb_item_get_s(it, "a5"), "five");
    ASSERT_EQ(ddb_item_remove(it, "a0"), DDB_OK);
    ASSERT_EQ(ddb_item_count(it), 99);
    dup = ddb_item_dup(it);
    ddb_item_free(it);
    ASSERT_EQ(ddb_item_set_s(dup, "new", "x"), DDB_OK);
    ASSERT_EQ(ddb_item_count(dup), 100);
    ASSERT_STR_EQ(ddb_item_get_n(dup, "a99"), "99");
    ASSERT_EQ(ddb_item_set_s(dup, NULL, "x"), DDB_E_INVALID_ARGUMENT);
    ddb_item_free(dup);

    ASSERT_EQ(ddb_item_parse(good, strlen(good), &it), DDB_OK);
    ASSERT_STR_EQ(ddb_item_get_n(it, "n"), "1.5");
    json = ddb_item_format(it);
    ASSERT_STR_EQ(json, "{\"k\":{\"S\":\"v\"},\"n\":{\"N\":\"1.5\"},\"b\":{\"B\":\"AP8=\"}}");
    free(json);
    ddb_item_free(it);
    ASSERT_EQ(ddb_item_parse(bad, strlen(bad), &it), DDB_E_INVALID_ARGUMENT);
}

TEST(teardown_types)
{
    ASSERT_EQ(ddb_delete_table(client, table, NULL), DDB_OK);
    ddb_client_free(client);
    client = NULL;
}
