/*
 * examples/counter.c: a conditional counter. Increments Plays, but never past a limit; when the
 * condition fails the item as it was comes back with the error (ReturnValuesOnConditionCheckFailure).
 */
#include <stdio.h>

#include <ddb/ddb.h>

int main(int argc, char **argv)
{
    const char *table = argc > 1 ? argv[1] : "Music";
    ddb_client *db = NULL;
    ddb_item *key = ddb_item_new();
    ddb_opts *o = ddb_opts_new();
    int rc = DDB_OK;

    if (ddb_client_new(NULL, &db) != DDB_OK)
        return 1;
    ddb_item_set_s(key, "Artist", "No One You Know");
    ddb_item_set_s(key, "SongTitle", "Happy Day");
    ddb_item_set_int(ddb_opts_values(o), ":one", 1);
    ddb_item_set_int(ddb_opts_values(o), ":limit", 3);
    ddb_opts_set(o, DDB_P_ConditionExpression, "attribute_not_exists(Plays) OR Plays < :limit");
    ddb_opts_set(o, DDB_P_ReturnValues, "UPDATED_NEW");
    ddb_opts_set(o, DDB_P_ReturnValuesOnConditionCheckFailure, "ALL_OLD");
    while (rc == DDB_OK) {
        ddb_result *r = NULL;

        rc = ddb_update_item(db, table, key, "ADD Plays :one", o, &r);
        if (rc == DDB_OK)
            printf("plays: %s\n", ddb_item_get_n(ddb_result_item(r), "Plays"));
        else if (rc == DDB_E_CONDITIONAL_CHECK_FAILED)
            printf("limit reached at %s plays\n", ddb_item_get_n(ddb_result_item(r), "Plays"));
        else
            fprintf(stderr, "%s: %s\n", ddb_status_name(rc), ddb_result_message(r));
        ddb_result_free(r);
    }
    ddb_opts_free(o);
    ddb_item_free(key);
    ddb_client_free(db);
    return rc == DDB_E_CONDITIONAL_CHECK_FAILED ? 0 : 1;
}
