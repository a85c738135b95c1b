/*
 * examples/scan_pages.c: scan a whole table page by page (Limit 2 to show the pages).
 */
#include <stdio.h>

#include <ddb/ddb.h>

int main(int argc, char **argv)
{
    const char *table = argc > 1 ? argv[1] : "Music";
    ddb_client *db = NULL;
    ddb_opts *o = ddb_opts_new();
    ddb_pager *p = NULL;
    ddb_result *page = NULL;
    int rc;

    if (ddb_client_new(NULL, &db) != DDB_OK)
        return 1;
    ddb_opts_set_int(o, DDB_P_Limit, 2);
    rc = ddb_scan_pager_new(db, table, o, &p);
    while (rc == DDB_OK && (rc = ddb_pager_next(p, &page)) == DDB_OK && page != NULL) {
        printf("page %u:\n", ddb_pager_pages(p));
        for (size_t i = 0; i < ddb_result_item_count(page); i++)
            printf("  %s / %s\n", ddb_item_get_s(ddb_result_item_at(page, i), "Artist"),
                   ddb_item_get_s(ddb_result_item_at(page, i), "SongTitle"));
        ddb_result_free(page);
    }
    if (rc != DDB_OK)
        fprintf(stderr, "%s: %s\n", ddb_status_name(rc), ddb_result_message(page));
    ddb_result_free(page);
    ddb_pager_free(p);
    ddb_opts_free(o);
    ddb_client_free(db);
    return rc == DDB_OK ? 0 : 1;
}
