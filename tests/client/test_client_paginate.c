/*
 * tests/client/test_client_paginate.c: Query and Scan paginators on a real ddbd: every item seen
 * exactly once across pages, in order for Query, with filters that empty whole pages, and by item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test.h"

#define ITEMS 250

static ddb_client *client;
static char table[64];

static void setup(void)
{
    ddb_batch *b;

    if (client != NULL)
        return;
    client = tc_client();
    snprintf(table, sizeof(table), "%s", tc_name("pages"));
    if (tc_create_table(client, table, DDB_TYPE_N) != DDB_OK)
        abort();
    b = ddb_batch_new();
    for (int i = 0; i < ITEMS; i++) {
        ddb_item *it = ddb_item_new();

        ddb_item_set_s(it, "pk", i % 5 == 0 ? "five" : "other");
        ddb_item_set_int(it, "sk", i);
        ddb_batch_put(b, table, it);
        ddb_item_free(it);
    }
    if (ddb_batch_write_all(client, b, NULL, NULL) != DDB_OK)
        abort();
    ddb_batch_free(b);
}

TEST(query_pages_in_order)
{
    ddb_opts *o = ddb_opts_new();
    ddb_pager *p = NULL;
    ddb_result *page = NULL;
    long next = 0, seen = 0;

    setup();
    ddb_item_set_s(ddb_opts_values(o), ":p", "other");
    ddb_opts_set_int(o, DDB_P_Limit, 7);
    ASSERT_EQ(ddb_query_pager_new(client, table, "pk = :p", o, &p), DDB_OK);
    ddb_opts_free(o); /* the pager has its copy */
    while (ddb_pager_next(p, &page) == DDB_OK && page != NULL) {
        ASSERT(ddb_result_item_count(page) <= 7);
        for (size_t i = 0; i < ddb_result_item_count(page); i++) {
            long sk = atol(ddb_item_get_n(ddb_result_item_at(page, i), "sk"));

            while (next % 5 == 0)
                next++;
            ASSERT_EQ(sk, next);
            next++;
            seen++;
        }
        ddb_result_free(page);
    }
    ASSERT_EQ(seen, ITEMS - ITEMS / 5);
    ASSERT(ddb_pager_pages(p) >= (ITEMS - ITEMS / 5) / 7);
    ddb_pager_free(p);
}

TEST(scan_items_across_pages_with_a_filter)
{
    ddb_opts *o = ddb_opts_new();
    ddb_pager *p = NULL;
    const ddb_item *it;
    char seen[ITEMS] = {0};
    int n = 0;

    setup();
    ddb_opts_set_int(o, DDB_P_Limit, 10);
    ddb_opts_set(o, DDB_P_FilterExpression, "pk = :p");
    ddb_item_set_s(ddb_opts_values(o), ":p", "five");
    ASSERT_EQ(ddb_scan_pager_new(client, table, o, &p), DDB_OK);
    while (ddb_pager_next_item(p, &it) == DDB_OK && it != NULL) {
        long sk = atol(ddb_item_get_n(it, "sk"));

        ASSERT(sk >= 0 && sk < ITEMS && sk % 5 == 0 && !seen[sk]);
        seen[sk] = 1;
        n++;
    }
    ASSERT_EQ(n, ITEMS / 5);
    ASSERT(ddb_pager_pages(p) >= ITEMS / 10); /* pages emptied by the filter are followed too */
    ddb_pager_free(p);
    ddb_opts_free(o);
}

TEST(parallel_scan_segments_cover_the_table)
{
    int total = 0;

    setup();
    for (int seg = 0; seg < 3; seg++) {
        ddb_opts *o = ddb_opts_new();
        ddb_pager *p = NULL;
        const ddb_item *it;

        ddb_opts_set_int(o, DDB_P_Segment, seg);
        ddb_opts_set_int(o, DDB_P_TotalSegments, 3);
        ddb_opts_set_int(o, DDB_P_Limit, 50);
        ASSERT_EQ(ddb_scan_pager_new(client, table, o, &p), DDB_OK);
        while (ddb_pager_next_item(p, &it) == DDB_OK && it != NULL)
            total++;
        ddb_pager_free(p);
        ddb_opts_free(o);
    }
    ASSERT_EQ(total, ITEMS);
}

TEST(a_failed_page_is_reported_and_asked_again)
{
    ddb_pager *p = NULL;
    ddb_result *page = NULL;

    setup();
    ASSERT_EQ(ddb_scan_pager_new(client, "no_such_table", NULL, &p), DDB_OK);
    ASSERT_EQ(ddb_pager_next(p, &page), DDB_E_RESOURCE_NOT_FOUND);
    ASSERT(page != NULL);
    ddb_result_free(page);
    ASSERT_EQ(ddb_pager_next(p, NULL), DDB_E_RESOURCE_NOT_FOUND);
    ddb_pager_free(p);
}

TEST(teardown_paginate)
{
    ASSERT_EQ(ddb_delete_table(client, table, NULL), DDB_OK);
    ddb_client_free(client);
    client = NULL;
}

/* next_item hands out no result: the pager keeps the failed page's type and message. */
TEST(pager_keeps_the_last_error)
{
    ddb_pager *p = NULL;
    const ddb_item *it = NULL;

    setup();
    ASSERT_STR_EQ(ddb_pager_error_type(NULL), "");
    ASSERT_EQ(ddb_scan_pager_new(client, "no_such_table", NULL, &p), DDB_OK);
    ASSERT_STR_EQ(ddb_pager_error_type(p), "");
    ASSERT_EQ(ddb_pager_next_item(p, &it), DDB_E_RESOURCE_NOT_FOUND);
    ASSERT_NULL(it);
    ASSERT_STR_EQ(ddb_pager_error_type(p), "ResourceNotFoundException");
    ASSERT_STR_EQ(ddb_pager_message(p), "Requested resource not found");
    ddb_pager_free(p);

    ASSERT_EQ(ddb_query_pager_new(client, table, "pk = :p", NULL, &p), DDB_OK);
    ASSERT_EQ(ddb_pager_next(p, NULL), DDB_E_VALIDATION);
    ASSERT_STR_EQ(ddb_pager_error_type(p), "ValidationException");
    ASSERT(strstr(ddb_pager_message(p), ":p") != NULL);
    ddb_pager_free(p);
}
