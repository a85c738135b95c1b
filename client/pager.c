/*
 * client/pager.c: Query and Scan paginators. A pager owns a copy of the call's options and moves
 * ExclusiveStartKey to each page's LastEvaluatedKey; a failed page is asked again by the next call.
 * The last failure's type and message are kept, since ddb_pager_next_item() hands out no result.
 */
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

struct ddb_pager {
    ddb_client *c;
    char *table, *key_condition; /* key_condition NULL for Scan */
    int is_query, done;
    unsigned pages;
    ddb_opts *opts;
    ddb_result *cur; /* next_item's current page */
    size_t cur_i;
    char *error_type, *message; /* of the last failed page; NULL before any failure */
};

static int pager_new(ddb_client *c, const char *table, const char *key_condition, int is_query, const ddb_opts *o,
                     ddb_pager **out)
{
    ddb_pager *p;

    if (c == NULL || table == NULL || out == NULL)
        return DDB_E_INVALID_ARGUMENT;
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->table = strdup(table)) == NULL ||
        (key_condition != NULL && (p->key_condition = strdup(key_condition)) == NULL))
        abort();
    p->c = c;
    p->is_query = is_query;
    p->opts = o != NULL ? ddb_opts_dup(o) : ddb_opts_new();
    *out = p;
    return DDB_OK;
}

int ddb_query_pager_new(ddb_client *c, const char *table, const char *key_condition, const ddb_opts *opts,
                        ddb_pager **out)
{
    return pager_new(c, table, key_condition, 1, opts, out);
}

int ddb_scan_pager_new(ddb_client *c, const char *table, const ddb_opts *opts, ddb_pager **out)
{
    return pager_new(c, table, NULL, 0, opts, out);
}

void ddb_pager_free(ddb_pager *p)
{
    if (p == NULL)
        return;
    ddb_result_free(p->cur);
    ddb_opts_free(p->opts);
    free(p->table);
    free(p->key_condition);
    free(p->error_type);
    free(p->message);
    free(p);
}

const char *ddb_pager_error_type(const ddb_pager *p)
{
    return p != NULL && p->error_type != NULL ? p->error_type : "";
}

const char *ddb_pager_message(const ddb_pager *p)
{
    return p != NULL && p->message != NULL ? p->message : "";
}

/* Keeps r's error; a page that succeeds after it clears it, so the accessors describe the last call. */
static void remember(ddb_pager *p, const ddb_result *r)
{
    free(p->error_type);
    free(p->message);
    p->error_type = p->message = NULL;
    if (r == NULL || ddb_result_status(r) == DDB_OK)
        return;
    p->error_type = strdup(ddb_result_error_type(r));
    p->message = strdup(ddb_result_message(r));
    if (p->error_type == NULL || p->message == NULL)
        abort();
}

unsigned ddb_pager_pages(const ddb_pager *p)
{
    return p != NULL ? p->pages : 0;
}

int ddb_pager_next(ddb_pager *p, ddb_result **page)
{
    ddb_result *r = NULL;
    const ddb_item *last;
    int rc;

    if (p == NULL)
        return DDB_E_INVALID_ARGUMENT;
    if (page != NULL)
        *page = NULL;
    if (p->done)
        return DDB_OK;
    rc = p->is_query ? ddb_query(p->c, p->table, p->key_condition, p->opts, &r)
                     : ddb_scan(p->c, p->table, p->opts, &r);
    remember(p, r);
    if (rc == DDB_OK) {
        p->pages++;
        last = ddb_result_last_key(r);
        if (last != NULL)
            ddb_opts_start_key(p->opts, last);
        else
            p->done = 1;
    }
    if (page != NULL)
        *page = r;
    else
        ddb_result_free(r);
    return rc;
}

int ddb_pager_next_item(ddb_pager *p, const ddb_item **item)
{
    if (p == NULL || item == NULL)
        return DDB_E_INVALID_ARGUMENT;
    *item = NULL;
    for (;;) {
        int rc;

        if (p->cur != NULL && p->cur_i < ddb_result_item_count(p->cur)) {
            *item = ddb_result_item_at(p->cur, p->cur_i++);
            return DDB_OK;
        }
        ddb_result_free(p->cur);
        p->cur = NULL;
        p->cur_i = 0;
        if (p->done)
            return DDB_OK;
        rc = ddb_pager_next(p, &p->cur);
        if (rc != DDB_OK) {
            ddb_result_free(p->cur);
            p->cur = NULL;
            return rc;
        }
    }
}
