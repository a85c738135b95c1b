/*
 * client/cli/ddb_cli.c: `ddb`, a small command-line tool on libddb's public API, for shell
 * scripts and container health checks. Items are read and printed as DynamoDB JSON, one per line.
 *
 *   ddb [--endpoint URL] [--region R] [--retries N] [--timeout MS] COMMAND ARGS...
 *
 * Exit status: 0 success; 1 the call failed (the error type and message go to stderr);
 * 2 usage (one line naming the bad argument, one pointing at `ddb help COMMAND`); 3 `get` found no item.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli/import_cmd.h"
#include "client/cli/read_file.h"
#include "client/cli/replay.h"
#include "client/cli/usage_diff.h"
#include "ddb/ddb.h"

#define VALUES_EXAMPLE "--values '{\":p\":{\"S\":\"a\"}}'"
#define ITEM_OPTS " --condition --values --name --return "
#define READ_OPTS " --filter --projection --index --limit --values --name --consistent "

struct cli;
typedef int cmd_fn(ddb_client *db, struct cli *c);
static cmd_fn cmd_health, cmd_tables, cmd_describe, cmd_get, cmd_put, cmd_delete, cmd_update, cmd_query, cmd_scan,
    cmd_search, cmd_create_table, cmd_call, cmd_usage, cmd_replay;
static cmd_fn cmd_import; /* import_cmd.c */

/*
 * Every command: its name, its arguments, one line for `ddb --help`, the options it takes (the
 * global ones aside) and what `ddb help NAME` adds. An option a command does not take is refused,
 * never sent and ignored.
 */
#define DDB_CLI_COMMANDS(X)                                                                                            \
    X("health", "", "GET / on the endpoint; exit 0 when it answers 200, else 1", "", cmd_health, "")                   \
    X("tables", "", "table names, one per line", "", cmd_tables, "")                                                   \
    X("describe", "TABLE", "the DescribeTable reply (JSON)", "", cmd_describe, "")                                     \
    X("create-table", "FILE | --cli-input-json file://FILE",                                                           \
      "CreateTable from aws dynamodb create-table's input JSON; waits until ACTIVE",                                   \
      "  The file holds the CreateTable request, as `aws dynamodb create-table --cli-input-json file://FILE`\n"        \
      "  takes it (`--generate-cli-skeleton` writes one); --cli-input-json also takes the JSON itself.\n"              \
      "  Waits until the table and its indexes are ACTIVE, then prints `created table NAME`.\n"                        \
      "  ddb create-table --cli-input-json file://music.json\n",                                                       \
      cmd_create_table, " --cli-input-json ")                                                                          \
    X("import", DDB_CLI_IMPORT_ARGS, DDB_CLI_IMPORT_SUMMARY, DDB_CLI_IMPORT_DETAILS, cmd_import, "")                  \
    X("get", "TABLE KEY", "the item (exit 3 when absent)", "", cmd_get, " --projection --name --consistent ")          \
    X("put", "TABLE ITEM", "write an item; prints `put 1 item into TABLE` (or the --return attributes)",               \
      "", cmd_put, ITEM_OPTS)                                                                                          \
    X("update", "TABLE KEY UPDATE_EXPRESSION",                                                                         \
      "UpdateItem; prints the --return attributes, else `updated 1 item in TABLE`",                                    \
      "  UPDATE_EXPRESSION is an UpdateExpression; its :placeholders' values come from --values:\n"                    \
      "  ddb update Music '{\"Artist\":{\"S\":\"Acme\"}}' 'SET plays = plays + :one' \\\n"                             \
      "      --values '{\":one\":{\"N\":\"1\"}}' --return UPDATED_NEW\n",                                              \
      cmd_update, ITEM_OPTS)                                                                                           \
    X("delete", "TABLE KEY", "delete an item", "", cmd_delete, ITEM_OPTS)                                              \
    X("query", "TABLE KEY_CONDITION_EXPRESSION --values JSON",                                                         \
      "every item of the query, across pages ('pk = :p' " VALUES_EXAMPLE ")",                                          \
      "  KEY_CONDITION_EXPRESSION is a KeyConditionExpression, not a key: the partition key's equality and\n"          \
      "  optionally a sort-key condition, with :placeholders whose values come from --values:\n"                       \
      "  ddb query Music 'Artist = :a' --values '{\":a\":{\"S\":\"Acme\"}}'\n"                                         \
      "  ddb query Music 'Artist = :a AND begins_with(SongTitle, :t)' \\\n"                                            \
      "      --values '{\":a\":{\"S\":\"Acme\"},\":t\":{\"S\":\"H\"}}'\n",                                             \
      cmd_query, READ_OPTS)                                                                                            \
    X("scan", "TABLE", "every item of the table, across pages", "", cmd_scan, READ_OPTS)                               \
    X("search", "TABLE --index NAME --vector '[0.1,0.2,...]' [--top-k N (default 10)]",                                \
      "SearchVectors: the nearest items, best first",                                                                  \
      "  --filter is its SearchConditionExpression; --projection, --values and --name as query takes them.\n",         \
      cmd_search, " --index --vector --top-k --filter --projection --values --name ")                                  \
    X("call", "OPERATION JSON", "any operation with a raw JSON body; prints the reply", "", cmd_call, "")              \
    X("usage", "[since MARK] [rate RATE] | diff BASE.json HEAD.json",                                                  \
      "ddbd's cost report: GET /ddbd/usage (JSON; needs ddbd --admin), or two compared",                               \
      "  The cost report of a ddbd started with --admin (docs/usage.md): requests, units and cost by table,\n"         \
      "  index, operation and access pattern, on-demand and provisioned side by side, hot partitions, warnings.\n"     \
      "  `since MARK`: only what happened since the mark (POST /ddbd/usage/mark {\"name\": MARK} sets one).\n"         \
      "  `rate RATE`: the forecast at production's rate: N requests a second, or TABLE[/PATTERN]:N,...\n"              \
      "  `diff BASE.json HEAD.json`: what HEAD's report changes from BASE's, as markdown for a pull request.\n"        \
      "  ddb usage | jq '.tables[] | {table, cost, monthlyCost}'\n"                                                    \
      "  ddb usage rate 20000 | jq '.forecast.tables[] | {table, throttled, provisioned}'\n"                           \
      "  ddb usage > head.json && ddb usage diff base.json head.json\n",                                               \
      cmd_usage, "")                                                                                                   \
    X("replay", "FILE [--speed N | --as-fast-as-possible] [--check] [--connections N] [--no-pipelining] [--keys FILE]",                \
      "send a recording's requests again (ddbd --record); --check compares every answer",                            \
      "  FILE is a recording (ddbd --record FILE, POST /ddbd/record, or the SDK recorders of integrations/record/;\n"  \
      "  docs/record-replay.md). Requests go at the recorded pace (the server's clock of each answer), N times\n"     \
      "  faster with --speed N, or with no wait with --as-fast-as-possible; each connection's in its order, and\n"   \
      "  none before the requests it conflicts with (same item, or table) answered before it was received;\n"      \
      "  at most --connections N (default 64) in flight, a connection's next request sent behind the one before\n"  \
      "  (--no-pipelining: once it is answered, for a server that runs pipelined requests out of order).\n"       \
      "  Signed for the region each line records (--region: that one for all) with $AWS_ACCESS_KEY_ID and\n"      \
      "  $AWS_SECRET_ACCESS_KEY (default local/local), or, with --keys FILE (ddbd's --auth key file), a line\n"   \
      "  recorded under --auth with the key it names; each request sent once (its retries are in the recording).\n" \
      "  --check: each answer compared with the recorded one (items, errors by __type, paging keys, counts,\n"     \
      "  consumed capacity; not times, ids, ARNs, set order); the first divergence of each operation is printed\n" \
      "  with both answers, and the exit status is 1. --dry-run prints the schedule and sends nothing.\n"          \
      "  ddb replay traffic.jsonl --endpoint http://localhost:8001 --as-fast-as-possible --check\n",               \
      cmd_replay, " --speed --as-fast-as-possible --check --dry-run --connections --no-pipelining --keys ")

static const struct command {
    const char *name, *args, *summary, *details;
    cmd_fn *run;
    const char *options; /* " --a --b ": each between blanks */
} commands[] = {
#define X(name, args, summary, details, run, options) {name, args, summary, details, run, options},
    DDB_CLI_COMMANDS(X)
#undef X
};

/* How an option's value is checked before anything is sent. */
typedef enum { V_FLAG, V_TEXT, V_COUNT, V_NATURAL, V_INTEGER } value_kind;

/*
 * Every option: flag, its value's kind, and the request parameter it sets (DDB_P__COUNT: the
 * tool's own, handled by set_own_option). The first four are global: every command takes them.
 */
#define DDB_CLI_OPTIONS(X)                                                                                             \
    X("--endpoint", V_TEXT, DDB_P__COUNT)                                                                              \
    X("--region", V_TEXT, DDB_P__COUNT)                                                                                \
    X("--retries", V_NATURAL, DDB_P__COUNT)                                                                            \
    X("--timeout", V_COUNT, DDB_P__COUNT)                                                                              \
    X("--condition", V_TEXT, DDB_P_ConditionExpression)                                                                \
    X("--filter", V_TEXT, DDB_P_FilterExpression)                                                                      \
    X("--projection", V_TEXT, DDB_P_ProjectionExpression)                                                              \
    X("--index", V_TEXT, DDB_P_IndexName)                                                                              \
    X("--limit", V_COUNT, DDB_P_Limit)                                                                                 \
    X("--return", V_TEXT, DDB_P_ReturnValues)                                                                          \
    X("--consistent", V_FLAG, DDB_P_ConsistentRead)                                                                    \
    X("--values", V_TEXT, DDB_P__COUNT)                                                                                \
    X("--name", V_TEXT, DDB_P__COUNT)                                                                                  \
    X("--vector", V_TEXT, DDB_P__COUNT)                                                                                \
    X("--top-k", V_INTEGER, DDB_P__COUNT)                                                                              \
    X("--cli-input-json", V_TEXT, DDB_P__COUNT)                                                                      \
    X("--speed", V_TEXT, DDB_P__COUNT)                                                                               \
    X("--as-fast-as-possible", V_FLAG, DDB_P__COUNT)                                                                 \
    X("--check", V_FLAG, DDB_P__COUNT)                                                                               \
    X("--dry-run", V_FLAG, DDB_P__COUNT)                                                                             \
    X("--no-pipelining", V_FLAG, DDB_P__COUNT)                                                                       \
    X("--keys", V_TEXT, DDB_P__COUNT)                                                                                \
    X("--connections", V_COUNT, DDB_P__COUNT)

static const struct option {
    const char *flag;
    value_kind kind;
    ddb_param param;
} options[] = {
#define X(flag, kind, param) {flag, kind, param},
    DDB_CLI_OPTIONS(X)
#undef X
};
#define GLOBAL_OPTIONS 4

typedef struct cli {
    ddb_config *cfg;
    ddb_opts *opts;
    const struct command *cmd;
    const char *args[4]; /* the command's arguments, its name excluded */
    int nargs;
    /* the tool's own: search's arguments (and the --index, --filter that opts also holds), create-table's input */
    const char *index, *filter, *vector, *top_k, *input;
    int returns; /* --return given: print what comes back rather than the confirmation */
    /* replay's */
    const char *speed, *keys;
    int fast, check, dry_run, no_pipelining, retries_given, region_given, connections;
} cli;

/* A usage error: one line naming what is wrong, one saying where the usage is; exit status 2. */
static int usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;

    fputs("ddb: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nddb: see 'ddb help%s%s'\n", c->cmd != NULL ? " " : "", c->cmd != NULL ? c->cmd->name : "");
    return 2;
}

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

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static const struct option *find_option(const char *flag)
{
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        if (strcmp(options[i].flag, flag) == 0)
            return &options[i];
    }
    return NULL;
}

/* The decimal integer `text` is, when it is all digits (a sign allowed) and fits `lo`..INT_MAX. */
static int parse_int(const char *text, long lo, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < lo || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
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

    if (eq == NULL || eq == spec || eq[1] == '\0' || (size_t)(eq - spec) >= sizeof(ph))
        return -1;
    memcpy(ph, spec, (size_t)(eq - spec));
    ph[eq - spec] = '\0';
    return ddb_opts_name(o, ph, eq + 1) == DDB_OK ? 0 : -1;
}

/* The options no request parameter holds; `n` is the value as an integer for the numeric ones. */
static int set_own_option(cli *c, const char *f, const char *v, int n)
{
    if (strcmp(f, "--endpoint") == 0 && ddb_config_set_endpoint(c->cfg, v) != DDB_OK)
        return usage_error(c, "--endpoint: %s", ddb_config_error(c->cfg));
    if (strcmp(f, "--region") == 0 && ddb_config_set_region(c->cfg, v) != DDB_OK)
        return usage_error(c, "--region: '%s' is not a region name", v);
    if (strcmp(f, "--region") == 0)
        c->region_given = 1;
    if (strcmp(f, "--connections") == 0)
        c->connections = n;
    if (strcmp(f, "--retries") == 0)
        c->retries_given = 1;
    if (strcmp(f, "--retries") == 0)
        ddb_config_set_retries(c->cfg, (unsigned)n, 25, 20000); /* the standard mode's delays */
    if (strcmp(f, "--timeout") == 0)
        ddb_config_set_timeouts(c->cfg, (unsigned)n, (unsigned)n);
    if (strcmp(f, "--values") == 0 && set_values(c->opts, v) != 0)
        return usage_error(c, "--values: '%s' is not a DynamoDB JSON object such as '{\":p\":{\"S\":\"a\"}}'", v);
    if (strcmp(f, "--name") == 0 && set_name(c->opts, v) != 0)
        return usage_error(c, "--name: '%s' is not '#placeholder=attribute'", v);
    if (strcmp(f, "--vector") == 0)
        c->vector = v;
    if (strcmp(f, "--top-k") == 0)
        c->top_k = v;
    if (strcmp(f, "--cli-input-json") == 0)
        c->input = v;
    if (strcmp(f, "--speed") == 0)
        c->speed = v;
    if (strcmp(f, "--keys") == 0)
        c->keys = v;
    c->fast |= strcmp(f, "--as-fast-as-possible") == 0;
    c->check |= strcmp(f, "--check") == 0;
    c->dry_run |= strcmp(f, "--dry-run") == 0;
    c->no_pipelining |= strcmp(f, "--no-pipelining") == 0;
    return 0;
}

/* One option and its value, checked against the command and its kind, then kept: the argv entries used, or -1. */
static int parse_option(cli *c, int argc, char **argv, int i)
{
    const struct option *o = find_option(argv[i]);
    const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    char taken[32];
    int n = 0;

    snprintf(taken, sizeof(taken), " %s ", f);
    if (o == NULL)
        return usage_error(c, "unknown option '%s'", f), -1;
    if (o - options >= GLOBAL_OPTIONS && strstr(c->cmd->options, taken) == NULL)
        return usage_error(c, "%s does not take %s", c->cmd->name, f), -1;
    if (o->kind == V_FLAG && o->param == DDB_P__COUNT)
        return set_own_option(c, f, NULL, 0) == 0 ? 1 : -1;
    if (o->kind == V_FLAG)
        return ddb_opts_set(c->opts, o->param, "true") == DDB_OK ? 1 : -1;
    if (v == NULL)
        return usage_error(c, "%s needs a value", f), -1;
    if ((o->kind == V_COUNT && parse_int(v, 1, &n) != 0) || (o->kind == V_NATURAL && parse_int(v, 0, &n) != 0))
        return usage_error(c, "%s: '%s' is not a %s integer", f, v, o->kind == V_COUNT ? "positive" : "non-negative"),
               -1;
    if (o->kind == V_INTEGER && parse_int(v, INT_MIN, &n) != 0)
        return usage_error(c, "%s: '%s' is not an integer", f, v), -1;
    if (strcmp(f, "--index") == 0)
        c->index = v;
    if (strcmp(f, "--filter") == 0)
        c->filter = v;
    if (strcmp(f, "--return") == 0)
        c->returns = 1;
    if (o->param != DDB_P__COUNT)
        return ddb_opts_set(c->opts, o->param, v) == DDB_OK ? 2 : -1;
    return set_own_option(c, f, v, n) == 0 ? 2 : -1;
}

/* The command: the first argument that is neither an option nor an option's value. */
static int find_command_arg(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const struct option *o = find_option(argv[i]);

        if (strncmp(argv[i], "--", 2) != 0)
            return i;
        if (o != NULL && o->kind != V_FLAG)
            i++;
    }
    return 0;
}

static int parse_args(cli *c, int argc, char **argv)
{
    int at = find_command_arg(argc, argv);

    if (at == 0)
        return usage_error(c, "no command");
    if ((c->cmd = find_command(argv[at])) == NULL)
        return usage_error(c, "unknown command '%s'", argv[at]);
    for (int i = 1; i < argc;) {
        int n;

        if (i == at) {
            i++;
        } else if (strncmp(argv[i], "--", 2) != 0) {
            if (c->nargs == 4)
                return usage_error(c, "%s: unexpected argument '%s'", c->cmd->name, argv[i]);
            c->args[c->nargs++] = argv[i++];
        } else if ((n = parse_option(c, argc, argv, i)) < 0) {
            return 2;
        } else {
            i += n;
        }
    }
    return 0;
}

/* Exactly `n` arguments after the command's name, else a usage error saying what it takes. */
static int arity(const cli *c, int n)
{
    return c->nargs == n ? 0 : usage_error(c, "%s takes %s", c->cmd->name, c->cmd->args);
}

static int cmd_health(ddb_client *db, cli *c)
{
    if (arity(c, 0) != 0)
        return 2;
    return ddb_health(db) == DDB_OK ? 0 : 1;
}

static int cmd_tables(ddb_client *db, cli *c)
{
    char start[256] = "";

    if (arity(c, 0) != 0)
        return 2;
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

/* get, put, delete, update: TABLE, then the key or item (DynamoDB JSON), then update's expression. */
static int item_args(const cli *c, int n, ddb_item **it)
{
    if (arity(c, n) != 0)
        return 2;
    if (ddb_item_parse(c->args[1], strlen(c->args[1]), it) != DDB_OK)
        return usage_error(c, "%s: the %s is not DynamoDB JSON such as '{\"pk\":{\"S\":\"a\"}}'", c->cmd->name,
                           strcmp(c->cmd->name, "put") == 0 ? "item" : "key");
    return 0;
}

/*
 * What a write prints: the attributes it returned (--return), else `confirm` when not NULL
 * (delete prints nothing: DeleteItem does not say whether there was an item).
 */
static int write_done(const cli *c, const char *confirm, int rc, ddb_result *r)
{
    if (rc != DDB_OK)
        return fail(c->cmd->name, rc, r);
    if (ddb_result_item(r) != NULL)
        print_item(ddb_result_item(r));
    else if (confirm != NULL)
        printf(confirm, c->args[0]);
    ddb_result_free(r);
    return 0;
}

static int cmd_get(ddb_client *db, cli *c)
{
    ddb_item *key = NULL;
    ddb_result *r = NULL;
    int rc;

    if (item_args(c, 2, &key) != 0)
        return 2;
    rc = ddb_get_item(db, c->args[0], key, c->opts, &r);
    ddb_item_free(key);
    if (rc != DDB_OK)
        return fail("get", rc, r);
    rc = ddb_result_item(r) != NULL ? 0 : 3;
    if (rc == 0)
        print_item(ddb_result_item(r));
    ddb_result_free(r);
    return rc;
}

/* put, delete, update: one call; `confirm` is put's and update's line when nothing comes back. */
static int write_item(ddb_client *db, cli *c, const char *confirm)
{
    int update = strcmp(c->cmd->name, "update") == 0, put = strcmp(c->cmd->name, "put") == 0;
    ddb_item *it = NULL;
    ddb_result *r = NULL;
    int rc;

    if (item_args(c, update ? 3 : 2, &it) != 0)
        return 2;
    if (update)
        rc = ddb_update_item(db, c->args[0], it, c->args[2], c->opts, &r);
    else
        rc = put ? ddb_put_item(db, c->args[0], it, c->opts, &r) : ddb_delete_item(db, c->args[0], it, c->opts, &r);
    ddb_item_free(it);
    return write_done(c, c->returns ? NULL : confirm, rc, r);
}

static int cmd_put(ddb_client *db, cli *c)
{
    return write_item(db, c, "put 1 item into %s\n");
}

static int cmd_delete(ddb_client *db, cli *c)
{
    return write_item(db, c, NULL);
}

static int cmd_update(ddb_client *db, cli *c)
{
    return write_item(db, c, "updated 1 item in %s\n");
}

/* query, scan: every item across pages. */
static int print_pages(ddb_client *db, const cli *c, int query)
{
    ddb_pager *p = NULL;
    const ddb_item *it;
    int rc;

    rc = query ? ddb_query_pager_new(db, c->args[0], c->args[1], c->opts, &p)
               : ddb_scan_pager_new(db, c->args[0], c->opts, &p);
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

/* A key where the expression goes is the first thing people try: say what query takes instead. */
static int cmd_query(ddb_client *db, cli *c)
{
    if (arity(c, 2) != 0)
        return 2;
    if (c->args[1][strspn(c->args[1], " \t\r\n")] == '{')
        return usage_error(c, "query takes a key-condition expression such as 'pk = :p' with " VALUES_EXAMPLE
                              ", not a key");
    return print_pages(db, c, 1);
}

static int cmd_scan(ddb_client *db, cli *c)
{
    return arity(c, 1) != 0 ? 2 : print_pages(db, c, 0);
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
    if (c->nargs != 1 || c->index == NULL || vec == NULL || *end != '\0' || end == c->top_k || k < INT_MIN ||
        k > INT_MAX) {
        ddb_list_free(vec);
        return usage_error(c, "search needs TABLE, --index NAME, --vector '[n,...]' and an integer --top-k");
    }
    ddb_opts_set(c->opts, DDB_P_FilterExpression, NULL);
    ddb_opts_set(c->opts, DDB_P_SearchConditionExpression, c->filter);
    rc = ddb_search_vectors(db, c->args[0], c->index, vec, (int)k, c->opts, &r);
    ddb_list_free(vec);
    if (rc != DDB_OK)
        return fail("SearchVectors", rc, r);
    for (size_t i = 0; i < ddb_result_item_count(r); i++)
        print_item(ddb_result_item_at(r, i));
    ddb_result_free(r);
    return 0;
}

/* describe, call: the reply's JSON as it came. */
static int print_reply(const char *what, int rc, ddb_result *r)
{
    if (rc != DDB_OK)
        return fail(what, rc, r);
    puts(ddb_result_body(r, NULL));
    ddb_result_free(r);
    return 0;
}

static int cmd_describe(ddb_client *db, cli *c)
{
    ddb_result *r = NULL;
    int rc;

    if (arity(c, 1) != 0)
        return 2;
    rc = ddb_describe_table(db, c->args[0], &r);
    return print_reply("describe", rc, r);
}

static int cmd_call(ddb_client *db, cli *c)
{
    ddb_result *r = NULL;
    int rc;

    if (arity(c, 2) != 0)
        return 2;
    rc = ddb_call(db, c->args[0], c->args[1], strlen(c->args[1]), &r);
    return print_reply("call", rc, r);
}


/* `ddb usage diff BASE HEAD`: the markdown on stdout; a file that cannot be read or is no report
   is a usage error. */
static int usage_diff(const cli *c)
{
    char *base = ddb_cli_read_file(c->args[1]), *head = base != NULL ? ddb_cli_read_file(c->args[2]) : NULL;
    const char *bad = NULL;
    int rc = 0;

    if (base == NULL || head == NULL)
        rc = usage_error(c, "usage diff: cannot read '%s': %s", base == NULL ? c->args[1] : c->args[2], strerror(errno));
    else if (ddb_usage_diff(base, strlen(base), head, strlen(head), stdout, &bad) != 0)
        rc = usage_error(c, "usage diff: %s (%s) is not a cost report (GET /ddbd/usage's JSON)", bad,
                         strcmp(bad, "BASE") == 0 ? c->args[1] : c->args[2]);
    free(base);
    free(head);
    return rc;
}

/* Appends "?NAME=" (or "&NAME=") and v percent-encoded, but for the bytes in `keep`, to buf (n: its
   length); -1 when it does not fit. */
static int add_param(char *buf, size_t size, size_t *n, const char *name, const char *v, const char *keep)
{
    *n += (size_t)snprintf(buf + *n, size - *n, "%s%s=", strchr(buf, '?') != NULL ? "&" : "?", name);
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
        if (*n + 4 > size)
            return -1;
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(keep, *p))
            buf[(*n)++] = (char)*p;
        else
            *n += (size_t)snprintf(buf + *n, size - *n, "%%%02X", *p);
        buf[*n] = '\0';
    }
    return *n + 1 < size ? 0 : -1;
}

/* ddbd's cost report as it came (the whole run's, or since a mark; at a rate: with the forecast);
   a refusal (no --admin: 403, an unknown mark: 404, a bad rate: 400) or a failure says so on stderr.
   A rate's ',', ':', '/' and '%' go as they are: they are its grammar (docs/usage.md). */
static int cmd_usage(ddb_client *db, cli *c)
{
    char *body = NULL, pathbuf[8192] = "/ddbd/usage";
    const char *path = pathbuf;
    size_t len = 0, n = strlen(pathbuf);
    int rc, since = 0, rate = 0;

    if (c->nargs == 3 && strcmp(c->args[0], "diff") == 0)
        return usage_diff(c);
    for (int i = 0; i < c->nargs; i += 2) {
        int is_since = strcmp(c->args[i], "since") == 0, is_rate = strcmp(c->args[i], "rate") == 0;
        if (i + 1 >= c->nargs || (!is_since && !is_rate) || (is_since ? since++ : rate++) > 0)
            return usage_error(c, "usage takes %s", c->cmd->args);
        if (add_param(pathbuf, sizeof(pathbuf), &n, is_since ? "since" : "rate", c->args[i + 1],
                      is_since ? "-._~" : "-._~,:/%") != 0)
            return usage_error(c, "usage %s: too long", c->args[i]);
    }
    rc = ddb_get_path(db, path, &body, &len);
    while (body != NULL && len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        body[--len] = '\0';
    if (rc == DDB_OK)
        puts(body);
    else if (body != NULL)
        fprintf(stderr, "ddb: usage: GET %s refused (is ddbd started with --admin?%s): %s\n", path,
                since ? " is the mark set?" : "", body);
    else
        fprintf(stderr, "ddb: usage: no answer from the endpoint (%s)\n", ddb_status_name(rc));
    free(body);
    return rc == DDB_OK ? 0 : 1;
}

static int cmd_import(ddb_client *db, cli *c)
{
    return ddb_cli_import(db, c->args, c->nargs);
}


/*
 * create-table's request: the FILE argument, or --cli-input-json as the AWS CLI takes it (file://FILE
 * or the JSON itself). NULL after a usage error.
 */
static char *create_table_input(const cli *c)
{
    const char *src = c->input != NULL ? c->input : c->args[0];
    char *text;

    if (c->nargs != (c->input != NULL ? 0 : 1))
        return usage_error(c, "create-table takes %s", c->cmd->args), NULL;
    if (c->input != NULL && src[strspn(src, " \t\r\n")] == '{')
        return strdup(src);
    if (strncmp(src, "file://", 7) == 0)
        src += 7;
    if ((text = ddb_cli_read_file(src)) == NULL)
        usage_error(c, "create-table: cannot read '%s': %s", src, strerror(errno));
    return text;
}

/* Waits for ACTIVE so that a script can use the table on its next line, as it could after `aws dynamodb wait`. */
static int cmd_create_table(ddb_client *db, cli *c)
{
    char *json = create_table_input(c), name[256];
    ddb_result *r = NULL;
    int rc;

    if (json == NULL)
        return 2;
    rc = ddb_call(db, "CreateTable", json, strlen(json), &r);
    free(json);
    if (rc != DDB_OK)
        return fail("CreateTable", rc, r);
    snprintf(name, sizeof(name), "%s", ddb_result_get(r, "TableDescription.TableName"));
    ddb_result_free(r);
    if (ddb_wait_table_active(db, name, 60000) != DDB_OK) {
        fprintf(stderr, "ddb: create-table: %s is not ACTIVE after 60 s\n", name);
        return 1;
    }
    printf("created table %s\n", name);
    return 0;
}

/* `ddb replay FILE`: replay.c does it; here its options are checked. */
static int cmd_replay(ddb_client *db, cli *c)
{
    ddb_replay_opts o = {1, c->check, c->dry_run, c->connections > 0 ? (unsigned)c->connections : 64,
                         c->no_pipelining, c->region_given, c->keys};
    char *end = NULL;

    if (arity(c, 1) != 0)
        return 2;
    if (c->speed != NULL && c->fast)
        return usage_error(c, "replay takes --speed or --as-fast-as-possible, not both");
    if (c->speed != NULL && ((o.speed = strtod(c->speed, &end)) <= 0 || *end != '\0' || end == c->speed))
        return usage_error(c, "--speed: '%s' is not a positive number", c->speed);
    if (c->fast)
        o.speed = 0;
    return ddb_replay(db, c->args[0], &o, stdout, stderr);
}

static void print_usage(FILE *f)
{
    fputs("usage: ddb [--endpoint URL] [--region R] [--retries N] [--timeout MS] COMMAND ARGS...\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        int n = fprintf(f, "  %s%s%s", commands[i].name, commands[i].args[0] ? " " : "", commands[i].args);

        fprintf(f, "%*s%s\n", n < 34 ? 34 - n : 0, n < 34 ? "" : "\n                                  ",
                commands[i].summary);
    }
    fputs("\n"
          "KEY and ITEM are DynamoDB JSON, e.g. '{\"pk\":{\"S\":\"a\"}}';\n"
          "expressions take their :placeholders' values from --values.\n"
          "Options (`ddb help COMMAND` says which a command takes):\n"
          "  --condition EXPR  --filter EXPR  --projection EXPR  --index NAME  --limit N (per page)\n"
          "  --values JSON (ExpressionAttributeValues)  --name '#p=attr' (repeatable)  --consistent\n"
          "  --return NONE|ALL_OLD|UPDATED_OLD|ALL_NEW|UPDATED_NEW (ReturnValues)\n"
          "The endpoint defaults to $AWS_ENDPOINT_URL_DYNAMODB, $AWS_ENDPOINT_URL, then http://localhost:8000.\n",
          f);
}

/* `ddb help [COMMAND]`: the whole usage, or one command's with its options and examples, on stdout. */
static int cmd_help(int argc, char **argv)
{
    const struct command *cmd = argc == 3 ? find_command(argv[2]) : NULL;
    cli none = {0};

    if (argc == 2) {
        print_usage(stdout);
        return 0;
    }
    if (argc > 3)
        return usage_error(&none, "help takes at most one COMMAND");
    if (cmd == NULL)
        return usage_error(&none, "unknown command '%s'", argv[2]);
    printf("usage: ddb %s%s%s\n  %s\n%s", cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->summary, cmd->details);
    if (cmd->options[0])
        printf("  options:%s(and --endpoint, --region, --retries, --timeout)\n", cmd->options);
    return 0;
}

int main(int argc, char **argv)
{
    cli c = {ddb_config_new(), ddb_opts_new(), NULL, {0}, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, 0, 0, 0};
    ddb_client *db = NULL;
    int rc = 2;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        rc = 0;
    } else if (argc > 1 && strcmp(argv[1], "help") == 0) {
        rc = cmd_help(argc, argv);
    } else if (parse_args(&c, argc, argv) != 0) {
        rc = 2;
    } else if (c.cmd->run == cmd_replay && !c.retries_given && ddb_config_set_retries(c.cfg, 0, 25, 20000) != DDB_OK) {
        rc = 1; /* a replay sends each recorded request once: its retries are in the recording */
    } else if (ddb_client_new(c.cfg, &db) != DDB_OK) {
        fprintf(stderr, "ddb: %s\n", ddb_config_error(c.cfg) != NULL ? ddb_config_error(c.cfg)
                                                                      : "cannot resolve the endpoint's host");
        rc = 1;
    } else {
        rc = c.cmd->run(db, &c);
    }
    ddb_client_free(db);
    ddb_opts_free(c.opts);
    ddb_config_free(c.cfg);
    return rc;
}
