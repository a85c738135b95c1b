/*
 * examples/put_get_query.c: write items, read one back, query a partition (table from create_table).
 */
#include <stdio.h>

#include <ddb/ddb.h>

int main(int argc, char **argv)
{
    const char *table = argc > 1 ? argv[1] : "Music";
    static const char *songs[] = {"Call Me Today", "Somewhere Down The Road", "Happy Day"};
    ddb_client *db = NULL;
    ddb_result *r = NULL;
    ddb_item *key;
    ddb_opts *q;
    int rc = DDB_OK;

    if (ddb_client_new(NULL, &db) != DDB_OK)
        return 1;
    for (int i = 0; i < 3 && rc == DDB_OK; i++) {
        ddb_item *it = ddb_item_new();

        ddb_item_set_s(it, "Artist", "No One You Know");
        ddb_item_set_s(it, "SongTitle", songs[i]);
        ddb_item_set_n(it, "Year", i == 0 ? "2019" : "2021");
        rc = ddb_put_item(db, table, it, NULL, NULL);
        ddb_item_free(it);
    }

    key = ddb_item_new();
    ddb_item_set_s(key, "Artist", "No One You Know");
    ddb_item_set_s(key, "SongTitle", "Call Me Today");
    if (rc == DDB_OK && (rc = ddb_get_item(db, table, key, NULL, &r)) == DDB_OK)
        printf("got: %s (%s)\n", ddb_item_get_s(ddb_result_item(r), "SongTitle"),
               ddb_item_get_n(ddb_result_item(r), "Year"));
    ddb_result_free(r);
    r = NULL;

    q = ddb_opts_new();
    ddb_item_set_s(ddb_opts_values(q), ":a", "No One You Know");
    ddb_item_set_n(ddb_opts_values(q), ":y", "2020");
    ddb_opts_set(q, DDB_P_FilterExpression, "#y > :y");
    ddb_opts_name(q, "#y", "Year");
    if (rc == DDB_OK && (rc = ddb_query(db, table, "Artist = :a", q, &r)) == DDB_OK) {
        for (size_t i = 0; i < ddb_result_item_count(r); i++)
            printf("query: %s\n", ddb_item_get_s(ddb_result_item_at(r, i), "SongTitle"));
    }
    if (rc != DDB_OK)
        fprintf(stderr, "%s: %s\n", ddb_status_name(rc), ddb_result_message(r));
    ddb_result_free(r);
    ddb_opts_free(q);
    ddb_item_free(key);
    ddb_client_free(db);
    return rc == DDB_OK ? 0 : 1;
}
