/*
 * client/cli/ddb_cli.c: `ddb`, a small command-line tool on libddb's public API, for shell
 * scripts and container health checks. Items are read and printed as DynamoDB JSON, one per line.
 *
 *   ddb [--endpoint URL] [--region R] [--retries N] [--timeout MS] COMMAND ARGS...
 *
 * Exit status: 0 success; 1 the call failed (the error type and message go to stderr);
 * 2 usage; 3 `get` found no item.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb.h"

static const char usage[] =
    "usage: ddb [--endpoint URL] [--region R] [--retries N] [--timeout MS] COMMAND ARGS...\n"
    "\n"
    "commands:\n"
    "  health                          GET / on the endpoint; exit 0 when it answers 200, else 1\n"
    "  tables                          table names, one per line\n"
    "  describe TABLE                  the DescribeTable reply (JSON)\n"
    "  get TABLE KEY                   the item (exit 3 when absent)\n"
    "  put TABLE ITEM                  write an item\n"
    "  delete TABLE KEY                delete an item\n"
    "  query TABLE KEY_CONDITION       every item of the query, across pages\n"
    "  scan TABLE                      every item of the table, across pages\n"
    "  search TABLE --index NAME --vector '[0.1,0.2,...]' [--top-k N (default 10)]\n"
    "                                  SearchVectors: the nearest items, best first\n"
    "  call OPERATION JSON             any operation with a raw JSON body; prints the reply\n"
    "\n"
    "KEY and ITEM are DynamoDB JSON, e.g. '{\"pk\":{\"S\":\"a\"}}'. Options for put, delete, query, scan:\n"
    "  --condition EXPR  --filter EXPR  --projection EXPR  --index NAME  --limit N (per page)\n"
    "  --values JSON (ExpressionAttributeValues)  --name '#p=attr' (repeatable)  --consistent\n"
    "search takes --filter (its SearchConditionExpression), --projection, --values and --name.\n"
    "The endpoint defaults to $AWS_ENDPOINT_URL_DYNAMODB, $AWS_ENDPOINT_URL, then http://localhost:8000.\n";

typedef struct cli {
    ddb_config *cfg;
    ddb_opts *opts;
    const char *args[4];
    int nargs;
    /* search's: its own arguments, and the --index and --filter that opts also holds */
    const char *index, *filter, *vector, *top_k;
} cli;

static int fail(const char *what, int rc, ddb_result *r)
{
    fprintf(stderr, "ddb: %s: %s%s%s\n", what, ddb_result_error_type(r)[0] ? ddb_result_error_type(r) : ddb_status_name(rc),
            ddb_result_message(r)[0] ? ": " : "", ddb_result_message(r));
    ddb_result_free(r);
    return 1;
}

static void print_item(const ddb_item *it)
{
    char *json = ddb_item_format(it);

    puts(json);
    free(json);
}

/* --values: every attribute of the JSON object becomes an ExpressionAttributeValues entry. */
static int set_values(ddb_opts *o, const char *json)
{
    ddb_item *v = NULL;

    if (ddb_item_parse(json, strlen(json), &v) != DDB_OK)
        return -1;
    for (size_t i = 0; i < ddb_item_count(v); i++)
        ddb_item_set_value(ddb_opts_values(o), ddb_item_name(v, i, NULL), ddb_item_value(v, i));
    ddb_item_free(v);
    return 0;
}

static int set_name(ddb_opts *o, const char *spec)
{
    const char *eq = strchr(spec, '=');
    char ph[256];

    if (eq == NULL || (size_t)(eq - spec) >= sizeof(ph))
        return -1;
    memcpy(ph, spec, (size_t)(eq - spec));
    ph[eq - spec] = '\0';
    return ddb_opts_name(o, ph, eq + 1) == DDB_OK ? 0 : -1;
}

/* One option with its value; returns the number of argv entries consumed, or -1. */
static int parse_option(cli *c, int argc, char **argv, int i)
{
    static const struct {
        const char *flag;
        ddb_param p;
    } params[] = {{"--condition", DDB_P_ConditionExpression},   {"--filter", DDB_P_FilterExpression},
                  {"--projection", DDB_P_ProjectionExpression}, {"--index", DDB_P_IndexName},
                  {"--limit", DDB_P_Limit}};
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (strcmp(f, "--consistent") == 0)
        return ddb_opts_set(c->opts, DDB_P_ConsistentRead, "true") == DDB_OK ? 1 : -1;
    if (v == NULL)
        return -1;
    if (strcmp(f, "--index") == 0)
        c->index = v;
    if (strcmp(f, "--filter") == 0)
        c->filter = v;
    for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
        if (strcmp(f, params[k].flag) == 0)
            return ddb_opts_set(c->opts, params[k].p, v) == DDB_OK ? 2 : -1;
    }
    if (strcmp(f, "--vector") == 0) {
        c->vector = v;
        return 2;
    }
    if (strcmp(f, "--top-k") == 0) {
        c->top_k = v;
        return 2;
    }
    if (strcmp(f, "--endpoint") == 0)
        return ddb_config_set_endpoint(c->cfg, v) == DDB_OK ? 2 : -1;
    if (strcmp(f, "--region") == 0)
        return ddb_config_set_region(c->cfg, v) == DDB_OK ? 2 : -1;
    if (strcmp(f, "--retries") == 0)
        return ddb_config_set_retries(c->cfg, (unsigned)atoi(v), 25, 5000) == DDB_OK ? 2 : -1;
    if (strcmp(f, "--timeout") == 0)
        return ddb_config_set_timeouts(c->cfg, (unsigned)atoi(v), (unsigned)atoi(v)) == DDB_OK ? 2 : -1;
    if (strcmp(f, "--values") == 0)
        return set_values(c->opts, v) == 0 ? 2 : -1;
    if (strcmp(f, "--name") == 0)
        return set_name(c->opts, v) == 0 ? 2 : -1;
    return -1;
}

static int parse_args(cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc;) {
        int n;

        if (strncmp(argv[i], "--", 2) != 0) {
            if (c->nargs == 4)
                return -1;
            c->args[c->nargs++] = argv[i++];
            continue;
        }
        if ((n = parse_option(c, argc, argv, i)) < 0) {
            fprintf(stderr, "ddb: bad option or value: %s\n", argv[i]);
            return -1;
        }
        i += n;
    }
    return c->nargs > 0 ? 0 : -1;
}

static int cmd_tables(ddb_client *db)
{
    char start[256] = "";

    for (;;) {
        ddb_result *r = NULL;
        int rc = ddb_list_tables(db, start[0] ? start : NULL, 0, &r);
        const char *next;

        if (rc != DDB_OK)
            return fail("ListTables", rc, r);
        for (size_t i = 0; i < ddb_result_len(r, "TableNames"); i++) {
            char path[32];

            snprintf(path, sizeof(path), "TableNames.%zu", i);
            puts(ddb_result_get(r, path));
        }
        next = ddb_result_get(r, "LastEvaluatedTableName");
        snprintf(start, sizeof(start), "%s", next != NULL ? next : "");
        ddb_result_free(r);
        if (next == NULL)
            return 0;
    }
}

/* get, put, delete: TABLE and one item argument. */
static int cmd_item(ddb_client *db, const cli *c, const char *cmd)
{
    ddb_item *it = NULL;
    ddb_result *r = NULL;
    int rc;

    if (c->nargs != 3 || ddb_item_parse(c->args[2], strlen(c->args[2]), &it) != DDB_OK) {
        fprintf(stderr, "ddb: %s needs TABLE and a DynamoDB JSON %s\n", cmd, strcmp(cmd, "put") ? "key" : "item");
        return 2;
    }
    if (strcmp(cmd, "get") == 0)
        rc = ddb_get_item(db, c->args[1], it, c->opts, &r);
    else if (strcmp(cmd, "put") == 0)
        rc = ddb_put_item(db, c->args[1], it, c->opts, &r);
    else
        rc = ddb_delete_item(db, c->args[1], it, c->opts, &r);
    ddb_item_free(it);
    if (rc != DDB_OK)
        return fail(cmd, rc, r);
    if (strcmp(cmd, "get") == 0 && ddb_result_item(r) == NULL)
        rc = 3;
    else if (ddb_result_item(r) != NULL)
        print_item(ddb_result_item(r));
    ddb_result_free(r);
    return rc;
}

/* query, scan: every item across pages. */
static int cmd_pages(ddb_client *db, const cli *c, int query)
{
    ddb_pager *p = NULL;
    const ddb_item *it;
    int rc;

    if (c->nargs != (query ? 3 : 2)) {
        fprintf(stderr, "ddb: %s\n", query ? "query needs TABLE and KEY_CONDITION" : "scan needs TABLE");
        return 2;
    }
    rc = query ? ddb_query_pager_new(db, c->args[1], c->args[2], c->opts, &p)
               : ddb_scan_pager_new(db, c->args[1], c->opts, &p);
    while (rc == DDB_OK && (rc = ddb_pager_next_item(p, &it)) == DDB_OK && it != NULL)
        print_item(it);
    if (rc != DDB_OK) {
        ddb_result *r = NULL;

        ddb_pager_next(p, &r); /* the same page again, for its message */
        ddb_pager_free(p);
        return fail(query ? "Query" : "Scan", rc, r);
    }
    ddb_pager_free(p);
    return 0;
}

/* Text without the blanks around it, in place. */
static char *trim(char *s)
{
    char *end = s + strlen(s);

    s += strspn(s, " \t\r\n");
    while (end > s && strchr(" \t\r\n", end[-1]) != NULL)
        *--end = '\0';
    return s;
}

/* --vector: a JSON array of numbers, '[0.1, -2, 3e-1]'; each kept as its text, checked by ddb_list_append_n. */
static ddb_list *parse_vector(const char *text)
{
    size_t n = strlen(text);
    char *copy = malloc(n + 1), *p, *tok;
    ddb_list *l = ddb_list_new();
    int ok;

    if (copy == NULL)
        abort();
    memcpy(copy, text, n + 1);
    p = trim(copy);
    n = strlen(p);
    ok = n >= 2 && p[0] == '[' && p[n - 1] == ']';
    p[n > 0 ? n - 1 : 0] = '\0';
    for (tok = p + 1; ok;) {
        char *comma = strchr(tok, ',');

        if (comma != NULL)
            *comma = '\0';
        ok = ddb_list_append_n(l, trim(tok)) == DDB_OK;
        if (comma == NULL)
            break;
        tok = comma + 1;
    }
    free(copy);
    if (!ok) {
        ddb_list_free(l);
        return NULL;
    }
    return l;
}

/*
 * search: one SearchVectors call, its items one per line as query prints them, best first (the
 * scores are in the reply `ddb call SearchVectors` prints). --filter is the search's condition.
 */
static int cmd_search(ddb_client *db, cli *c)
{
    ddb_list *vec = c->vector != NULL ? parse_vector(c->vector) : NULL;
    char *end = "";
    long k = c->top_k != NULL ? strtol(c->top_k, &end, 10) : 10;
    ddb_result *r = NULL;
    int rc;

    /* a TopK out of 1..100 is sent: the server's message says what is allowed */
    if (c->nargs != 2 || c->index == NULL || vec == NULL || *end != '\0' || end == c->top_k || k < INT_MIN ||
        k > INT_MAX) {
        fprintf(stderr, "ddb: search needs TABLE, --index NAME, --vector '[n,...]' and an integer --top-k\n");
        ddb_list_free(vec);
        return 2;
    }
    ddb_opts_set(c->opts, DDB_P_FilterExpression, NULL);
    ddb_opts_set(c->opts, DDB_P_SearchConditionExpression, c->filter);
    rc = ddb_search_vectors(db, c->args[1], c->index, vec, (int)k, c->opts, &r);
    ddb_list_free(vec);
    if (rc != DDB_OK)
        return fail("SearchVectors", rc, r);
    for (size_t i = 0; i < ddb_result_item_count(r); i++)
        print_item(ddb_result_item_at(r, i));
    ddb_result_free(r);
    return 0;
}

static int cmd_reply(ddb_client *db, const cli *c, const char *cmd)
{
    ddb_result *r = NULL;
    int rc;

    if (c->nargs != (strcmp(cmd, "call") == 0 ? 3 : 2)) {
        fprintf(stderr, "ddb: %s\n", strcmp(cmd, "call") == 0 ? "call needs OPERATION and JSON" : "describe needs TABLE");
        return 2;
    }
    rc = strcmp(cmd, "call") == 0 ? ddb_call(db, c->args[1], c->args[2], strlen(c->args[2]), &r)
                                  : ddb_describe_table(db, c->args[1], &r);
    if (rc != DDB_OK)
        return fail(cmd, rc, r);
    puts(ddb_result_body(r, NULL));
    ddb_result_free(r);
    return 0;
}

static int run(ddb_client *db, cli *c)
{
    const char *cmd = c->args[0];

    if (strcmp(cmd, "health") == 0)
        return ddb_health(db) == DDB_OK ? 0 : 1;
    if (strcmp(cmd, "tables") == 0)
        return cmd_tables(db);
    if (strcmp(cmd, "get") == 0 || strcmp(cmd, "put") == 0 || strcmp(cmd, "delete") == 0)
        return cmd_item(db, c, cmd);
    if (strcmp(cmd, "query") == 0 || strcmp(cmd, "scan") == 0)
        return cmd_pages(db, c, strcmp(cmd, "query") == 0);
    if (strcmp(cmd, "search") == 0)
        return cmd_search(db, c);
    if (strcmp(cmd, "describe") == 0 || strcmp(cmd, "call") == 0)
        return cmd_reply(db, c, cmd);
    fputs(usage, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    cli c = {ddb_config_new(), ddb_opts_new(), {0}, 0, NULL, NULL, NULL, NULL};
    ddb_client *db = NULL;
    int rc = 2;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        rc = 0;
    } else if (parse_args(&c, argc, argv) != 0) {
        fputs(usage, stderr);
    } else if (ddb_client_new(c.cfg, &db) != DDB_OK) {
        fprintf(stderr, "ddb: %s\n", ddb_config_error(c.cfg) != NULL ? ddb_config_error(c.cfg)
                                                                      : "cannot resolve the endpoint's host");
        rc = 1;
    } else {
        rc = run(db, &c);
    }
    ddb_client_free(db);
    ddb_opts_free(c.opts);
    ddb_config_free(c.cfg);
    return rc;
}
