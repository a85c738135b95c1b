/*
 * tests/unit/proto/test_item_scan.c: the item-size scan (proto/item_scan.c) counts no more than
 * ddb_item_size does for the same item, and finds an item of every type over the limit as the
 * text is read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto/attr.h"
#include "proto/json.h"
#include "test.h"

/* ddb_item_size of the request's "Item", by the tree. */
static size_t exact_size(ddb_arena *a, const char *text)
{
    const ddb_json *in = ddb_json_parse(a, text, strlen(text));
    ddb_attr item;

    if (in == NULL || ddb_item_check_types(a, ddb_json_get(in, "Item")) != NULL ||
        ddb_item_from_json(a, ddb_json_get(in, "Item"), &item) != NULL)
        return 0;
    return ddb_item_size(&item);
}

/* A request padded past the scan's shortcut (a text no longer than the limit is not read). */
static char *padded(const char *item, size_t pad)
{
    char *s = malloc(strlen(item) + pad + 64);
    size_t n = (size_t)sprintf(s, "{\"TableName\":\"tbl\",\"Item\":%s,\"Pad\":\"", item);

    memset(s + n, 'p', pad);
    strcpy(s + n + pad, "\"}");
    return s;
}

TEST(never_counts_more_than_the_item_size)
{
    static const char *const items[] = {
        "{\"pk\":{\"S\":\"k\"}}",
        "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"12345678901234567890\"},\"b\":{\"B\":\"AAECAwQFBgc=\"}}",
        "{\"l\":{\"L\":[{\"S\":\"\"},{\"NULL\":true},{\"BOOL\":false},{\"L\":[{\"N\":\"1\"}]},{\"M\":{\"x\":{\"S\":\"yy\"}}}]}}",
        "{\"m\":{\"M\":{\"a\":{\"SS\":[\"x\",\"yyy\"]},\"b\":{\"NS\":[\"1\",\"2.5\"]},\"c\":{\"BS\":[\"AAAA\",\"AQ==\"]}}}}",
        "{\"\xc3\xa9t\xc3\xa9\":{\"S\":\"\\u00e9\\ud83d\\ude00\"}}",
    };
    ddb_arena a;

    ddb_arena_init(&a);
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        char *text = padded(items[i], 1000);
        size_t exact = exact_size(&a, text);
        ASSERT(exact > 0);
        ASSERT_EQ(ddb_item_text_exceeds(text, strlen(text), "Item", exact), 0);
        free(text);
    }
    ddb_arena_free(&a);
}

/* An item of `n` elements of `element`, in a list or a set. */
static char *big(const char *head, const char *element, size_t n, const char *tail)
{
    size_t el = strlen(element);
    char *s = malloc(strlen(head) + n * (el + 1) + strlen(tail) + 64), *p = s;

    p += sprintf(p, "{\"Item\":{\"pk\":{\"S\":\"k\"},\"v\":%s", head);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, element, el);
        p += el;
        *p++ = i + 1 < n ? ',' : ' ';
    }
    sprintf(p, "%s}}", tail);
    return s;
}

TEST(finds_each_kind_of_large_item)
{
    struct {
        const char *head, *element, *tail;
    } kinds[] = {
        {"{\"L\":[", "{\"S\":\"x\"}", "]}"},   {"{\"L\":[", "{\"S\":\"\"}", "]}"},
        {"{\"L\":[", "{\"NULL\":true}", "]}"}, {"{\"SS\":[", "\"abcd\"", "]}"},
        {"{\"NS\":[", "\"7\"", "]}"},          {"{\"M\":{\"a\":{\"L\":[", "{\"N\":\"1\"}", "]}}}"},
    };

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        char *small = big(kinds[k].head, kinds[k].element, 1000, kinds[k].tail);
        char *large = big(kinds[k].head, kinds[k].element, 500000, kinds[k].tail);
        ASSERT_EQ(ddb_item_text_exceeds(small, strlen(small), "Item", 100000), 0);
        ASSERT_EQ(ddb_item_text_exceeds(large, strlen(large), "Item", DDB_MAX_ITEM_SIZE), 1);
        free(small);
        free(large);
    }
}

TEST(text_that_is_not_an_item_is_left_to_the_parse)
{
    char *s = big("{\"L\":[", "{\"S\":\"x\"}", 500000, "]}");

    ASSERT_EQ(ddb_item_text_exceeds(s, strlen(s), "Other", DDB_MAX_ITEM_SIZE), 0);
    s[100] = '\x01'; /* not JSON before the limit is reached */
    ASSERT_EQ(ddb_item_text_exceeds(s, strlen(s), "Item", DDB_MAX_ITEM_SIZE), 0);
    free(s);
}
