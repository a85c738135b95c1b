/*
 * examples/create_table.c: create a table with a composite key and wait until it is ACTIVE.
 *   cc create_table.c $(pkg-config --cflags --libs ddb) -o create_table && ./create_table Music
 * The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL (default http://localhost:8000).
 */
#include <stdio.h>

#include <ddb/ddb.h>

int main(int argc, char **argv)
{
    const char *table = argc > 1 ? argv[1] : "Music";
    ddb_client *db = NULL;
    ddb_table_def *def;
    ddb_result *r = NULL;
    int rc;

    if (ddb_client_new(NULL, &db) != DDB_OK)
        return 1;
    def = ddb_table_def_new(table);
    ddb_table_def_key(def, "Artist", DDB_TYPE_S, "SongTitle", DDB_TYPE_S);
    rc = ddb_create_table(db, def, &r);
    if (rc == DDB_OK)
        rc = ddb_wait_table_active(db, table, 30000);
    if (rc == DDB_OK)
        printf("table %s is ACTIVE\n", table);
    else
        fprintf(stderr, "%s: %s\n", ddb_status_name(rc), ddb_result_message(r));
    ddb_result_free(r);
    ddb_table_def_free(def);
    ddb_client_free(db);
    return rc == DDB_OK ? 0 : 1;
}
