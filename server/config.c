/*
 * server/config.c: parses the command line (see config.h) with code generated from the rows of
 * server/options.def; config_help.c writes `--help` from the same rows, so the two cannot drift
 * apart. DynamoDB Local's single-dash spellings are accepted too, so its scripts run unchanged.
 */
#include "server/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_version.h"
#include "server/api/faults/inject.h"
#include "server/base/clock.h"
#include "server/base/cpus.h"
#include "server/base/log.h"
#include "server/base/regions.h"
#include "server/config_help.h"
#include "server/guard/guard.h"
#include "server/engine/emulate/consistency.h"
#include "server/storage/storage.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What an option's parse returns: refused (message printed), the option alone or with the next
   argument used, or done (--help, --version: exit 0). */
enum { REFUSED = -1, USED_OPTION = 0, USED_VALUE = 1, DONE = 2 };

/* OPT_ENUM's names, indexed by value */
static const char *const backends[] = {
#define X(id, name, caps, parts) [DDB_BACKEND_##id] = name,
#include "server/storage/backends.def"
#undef X
    NULL};
static const char *const on_off[] = {"off", "on", NULL};

/* options.def's rows, and the room for the text of a default (--help) */
enum { NROWS = 0
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP) +1
#include "server/options.def"
#undef X
};
#define DEFAULT_TEXT 64

/* One use of an option: as typed (most messages name it so), its long name (the others do), and
   the argument after it (NULL at the end of the line). */
typedef struct opt_use {
    const char *typed, *name, *val;
} opt_use;

/* The parse kinds, options.def's OPT_... (apply below). */

static int needs_value(const opt_use *u)
{
    fprintf(stderr, "ddbd: %s needs a value\n", u->typed);
    return REFUSED;
}

static int opt_flag(int *out)
{
    *out = 1;
    return USED_OPTION;
}

static int opt_str(const opt_use *u, const char **out)
{
    if (u->val == NULL)
        return needs_value(u);
    *out = u->val;
    return USED_VALUE;
}

static int opt_path(const opt_use *u, const char *what, const char **out)
{
    if (u->val == NULL) {
        fprintf(stderr, "ddbd: --%s needs %s\n", u->name, what);
        return REFUSED;
    }
    *out = u->val;
    return USED_VALUE;
}

static int opt_uint(const opt_use *u, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long n;

    if (u->val == NULL)
        return needs_value(u);
    n = strtoul(u->val, &end, 10);
    if (*u->val == '\0' || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "ddbd: %s must be a number from %u to %u\n", u->typed, min, max);
        return REFUSED;
    }
    *out = (unsigned)n;
    return USED_VALUE;
}

static int opt_int(const opt_use *u, unsigned min, unsigned max, int *out)
{
    unsigned n;
    int rc = opt_uint(u, min, max, &n);

    if (rc == USED_VALUE)
        *out = (int)n;
    return rc;
}

static int opt_rate(const opt_use *u, double *out)
{
    char *end;

    if (u->val == NULL)
        return needs_value(u);
    *out = strtod(u->val, &end);
    if (*u->val == '\0' || *end != '\0' || !(*out >= 0 && *out <= 1)) {
        fprintf(stderr, "ddbd: %s must be a fraction from 0 to 1\n", u->typed);
        return REFUSED;
    }
    return USED_VALUE;
}

/* A size as people write it: digits, then optionally K, M, G or T (with or without B or iB, any
   case) counted in 1024s as Docker's --memory counts them, or B. 0, or -1 for anything else or
   a count past 2^64. */
static int parse_size(const char *text, unsigned long long *out)
{
    static const char units[] = "bkmgt";
    char *end;
    const char *u;
    unsigned long long n;
    int shift;

    errno = 0;
    n = strtoull(text, &end, 10);
    if (*text == '\0' || errno != 0)
        return -1;
    if (*end == '\0') { /* as strtoull reads it: -1 is the largest count, as it always was */
        *out = n;
        return 0;
    }
    if (*text < '0' || *text > '9' || (u = strchr(units, tolower((unsigned char)*end))) == NULL || *end == '\0')
        return -1;
    shift = (int)(u - units) * 10;
    end++;
    if (shift > 0 && (*end == 'i' || *end == 'I') && (end[1] == 'b' || end[1] == 'B'))
        end += 2;
    else if (shift > 0 && (*end == 'b' || *end == 'B'))
        end++;
    if (*end != '\0' || (shift > 0 && n > (~0ULL >> shift)))
        return -1;
    *out = n << shift;
    return 0;
}

/* A byte count of at least min (0 or 1). A missing --min-free-disk (min 0) has always been
   reported as a bad one, a missing --item-collection-limit (min 1) as missing. */
static int opt_bytes(const opt_use *u, unsigned long long min, unsigned long long *out)
{
    if (u->val == NULL && min > 0)
        return needs_value(u);
    if (u->val == NULL || parse_size(u->val, out) != 0 || *out < min) {
        fprintf(stderr, "ddbd: --%s must be a %snumber of bytes (a suffix K, M, G or T counts 1024s: 64MB)\n",
                u->name, min > 0 ? "positive " : "");
        return REFUSED;
    }
    return USED_VALUE;
}

/* One of names (NULL-terminated), stored as its index. */
static int opt_enum(const opt_use *u, const char *const *names, int *out)
{
    char list[200];
    size_t n = 0;

    if (u->val == NULL)
        return needs_value(u);
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(u->val, names[i]) == 0) {
            *out = i;
            return USED_VALUE;
        }
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i == 0 ? "" : names[i + 1] ? ", " : " or ",
                              names[i]);
        if (n >= sizeof(list))
            n = sizeof(list) - 1;
    }
    fprintf(stderr, "ddbd: --%s: %s, not %s\n", u->name, list, u->val);
    return REFUSED;
}

static int opt_level(const opt_use *u, int *out)
{
    if (u->val == NULL || (*out = ddb_log_level_parse(u->val)) < 0) {
        fprintf(stderr, "ddbd: --%s must be error, warn, info or debug\n", u->name);
        return REFUSED;
    }
    return USED_VALUE;
}

/* A repeatable option: one more of at most cap values. */
static int opt_list(const opt_use *u, const char **list, unsigned *n, size_t cap)
{
    if (u->val == NULL)
        return needs_value(u);
    if (*n == cap) {
        fprintf(stderr, "ddbd: at most %zu --%s options\n", cap, u->name);
        return REFUSED;
    }
    list[(*n)++] = u->val;
    return USED_VALUE;
}

static int opt_triggers(const opt_use *u, ddb_trigger_spec *list, unsigned *n, size_t cap)
{
    const char *why;

    if (u->val == NULL)
        return needs_value(u);
    if (*n == cap) {
        fprintf(stderr, "ddbd: at most %zu --%s options\n", cap, u->name);
        return REFUSED;
    }
    if (ddb_trigger_parse(u->val, &list[*n], &why) != 0) {
        fprintf(stderr, "ddbd: %s (got '%s')\n", why, u->val);
        return REFUSED;
    }
    (*n)++;
    return USED_VALUE;
}

/* --health-check [URL]: the URL is optional, so an argument that looks like an option is not it. */
static int opt_health(const opt_use *u, int *on, const char **url)
{
    *on = 1;
    if (u->val == NULL || u->val[0] == '-')
        return USED_OPTION;
    *url = u->val;
    return USED_VALUE;
}

/* Each row's default as the option takes it, --help's "(default D)"; "" for a row without one. */
static void default_texts(char (*text)[DEFAULT_TEXT])
{
    ddb_config d;
    size_t i = 0;

    ddb_config_defaults(&d);
#define NO_TEXT snprintf(text[i], DEFAULT_TEXT, "%s", "")
#define OPT_FLAG(f) snprintf(text[i], DEFAULT_TEXT, "%s", d.f ? "on" : "off")
#define OPT_STR(f, def) snprintf(text[i], DEFAULT_TEXT, "%s", d.f != NULL ? d.f : "")
#define OPT_PATH(f, what) snprintf(text[i], DEFAULT_TEXT, "%s", d.f != NULL ? d.f : "")
#define OPT_UINT(f, min, max, def) snprintf(text[i], DEFAULT_TEXT, "%u", d.f)
#define OPT_INT(f, min, max, def) snprintf(text[i], DEFAULT_TEXT, "%d", d.f)
#define OPT_RATE(f, def) snprintf(text[i], DEFAULT_TEXT, "%g", d.f)
#define OPT_BYTES(f, min, def) snprintf(text[i], DEFAULT_TEXT, "%llu", d.f)
#define OPT_ENUM(f, names, def) snprintf(text[i], DEFAULT_TEXT, "%s", names[d.f])
#define OPT_LEVEL(f, def) snprintf(text[i], DEFAULT_TEXT, "%s", ddb_log_level_name((ddb_log_level)d.f))
#define OPT_LIST(f, cap) NO_TEXT
#define OPT_TRIGGERS(f, cap) NO_TEXT
#define OPT_HEALTH(flag, f) NO_TEXT
#define OPT_HELP() NO_TEXT
#define OPT_VERSION() NO_TEXT
#define OPT_NOOP() NO_TEXT
#define OPT_GROUP() NO_TEXT
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP)                                                            \
    (void)PARSE;                                                                                                   \
    i++;
#include "server/options.def"
#undef X
#include "server/options_undef.h"
#undef NO_TEXT
}

static int opt_help(void)
{
    char text[NROWS][DEFAULT_TEXT];
    const char *defaults[NROWS];

    default_texts(text);
    for (size_t i = 0; i < NROWS; i++)
        defaults[i] = text[i];
    ddb_config_help(stdout, defaults);
    return DONE;
}

static int opt_version(void)
{
    printf("ddbd %s\n", DDB_VERSION_STRING);
    return DONE;
}

void ddb_config_defaults(ddb_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
#define OPT_FLAG(f)
#define OPT_STR(f, def) cfg->f = def;
#define OPT_PATH(f, what)
#define OPT_UINT(f, min, max, def) cfg->f = def;
#define OPT_INT(f, min, max, def) cfg->f = def;
#define OPT_RATE(f, def) cfg->f = def;
#define OPT_BYTES(f, min, def) cfg->f = def;
#define OPT_ENUM(f, names, def) cfg->f = def;
#define OPT_LEVEL(f, def) cfg->f = def;
#define OPT_LIST(f, cap)
#define OPT_TRIGGERS(f, cap)
#define OPT_HEALTH(flag, f)
#define OPT_HELP()
#define OPT_VERSION()
#define OPT_NOOP()
#define OPT_GROUP()
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP) PARSE
#include "server/options.def"
#undef X
#include "server/options_undef.h"
}

/* The copies of the rows' values to where they act (server/options_copy.h). The HTTP server's
   are main.c's: the wiring below it may not see http.h. */
void ddb_config_engine_settings(const ddb_config *cfg, ddb_engine_settings *to)
{
#define COPY_TO_ENGINE(member) to->member = COPY_FROM
#define COPY_TO_HTTP(member) COPY_SKIP
#define COPY_TO_STORE(member) COPY_SKIP
#include "server/options_copy.h"
}

void ddb_config_store_options(const ddb_config *cfg, ddb_store_options *to)
{
#define COPY_TO_ENGINE(member) COPY_SKIP
#define COPY_TO_HTTP(member) COPY_SKIP
#define COPY_TO_STORE(member) to->member = COPY_FROM
#include "server/options_copy.h"
}

/* The rows' defaults, and those that depend on the machine. */
static void set_defaults(ddb_config *cfg)
{
    /* the container's CPU quota, not the host's core count (cpus.h) */
    unsigned cpus = ddb_cpu_count();

    ddb_config_defaults(cfg);
    /* --shards 0: the data directory's count, never rebalanced because the host changed */
    cfg->default_shards = cpus > 256 ? 256 : cpus;
    cfg->threads = cpus > 256 ? 256 : cpus;
    cfg->search_threads = cfg->threads;
    cfg->max_body = 16 * 1024 * 1024;
}

static int is(const char *bare, const char *name)
{
    return name != NULL && strcmp(bare, name) == 0;
}

/* The option's spelling without its dashes: "--port" and "-port" are "port". */
static const char *bare_of(const char *typed)
{
    return typed + (typed[1] == '-' ? 2 : 1);
}

/* Is typed (with its dashes) one of the options? A value that is one was forgotten: `--port
   --in-memory` is a --port with no value, not a port named "--in-memory". */
static int is_option(const char *typed)
{
    const char *bare;

    if (typed == NULL || typed[0] != '-' || typed[1] == '\0')
        return 0;
    bare = bare_of(typed);
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP)                                                                    \
    if (is(bare, NAME) || is(bare, LOCAL))                                                                         \
        return 1;
#include "server/options.def"
#undef X
    return 0;
}

/* How many edits (insertions, deletions, substitutions, swaps of neighbours: the optimal string
   alignment distance, over lower-case letters and digits: dashes and case do not count) turn a
   into b, up to 32 characters each; a longer name is never close. */
static unsigned edits(const char *a, const char *b)
{
    char x[33], y[33];
    unsigned d[33][33], n = 0, m = 0;

    for (; *a != '\0' && n < 32; a++)
        if (*a != '-' && *a != '_')
            x[n++] = (char)tolower((unsigned char)*a);
    for (; *b != '\0' && m < 32; b++)
        if (*b != '-' && *b != '_')
            y[m++] = (char)tolower((unsigned char)*b);
    if (*a != '\0' || *b != '\0')
        return 99;
    for (unsigned i = 0; i <= n; i++)
        d[i][0] = i;
    for (unsigned j = 0; j <= m; j++)
        d[0][j] = j;
    for (unsigned i = 1; i <= n; i++) {
        for (unsigned j = 1; j <= m; j++) {
            unsigned best = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);

            best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
            best = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* The option an unknown one was probably meant to be (at most 2 edits, and fewer than a third of
   its letters), or NULL. */
static const char *nearest_option(const char *bare)
{
    const char *best = NULL;
    unsigned best_d = 3, len = (unsigned)strlen(bare);

#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP)                                                                    \
    if (NAME != NULL && edits(bare, NAME) < best_d && edits(bare, NAME) * 3 < len) {                               \
        best = NAME;                                                                                               \
        best_d = edits(bare, NAME);                                                                                \
    }
#include "server/options.def"
#undef X
    return best;
}

/* typed: the argument as given; name: its option part (before an '=') */
static int unknown_option(const char *typed, const char *name)
{
    const char *near = nearest_option(bare_of(name));

    if (near != NULL)
        fprintf(stderr, "ddbd: unknown option '%s' (did you mean --%s?)\n", typed, near);
    else
        fprintf(stderr, "ddbd: unknown option '%s' (see --help)\n", typed);
    return REFUSED;
}

/*
 * Applies the option typed (one or two leading dashes), given the argument after it. The rows of
 * options.def become one test each; their PARSE expands, through the OPT_ macros, to a call of
 * its kind on this cfg and use, so a field of the wrong type for its kind does not compile.
 */
static int apply(ddb_config *cfg, const char *typed, const char *val)
{
    const char *bare = bare_of(typed);
    opt_use u = {typed, NULL, val};

#define OPT_FLAG(f) opt_flag(&cfg->f)
#define OPT_STR(f, def) opt_str(&u, &cfg->f)
#define OPT_PATH(f, what) opt_path(&u, what, &cfg->f)
#define OPT_UINT(f, min, max, def) opt_uint(&u, min, max, &cfg->f)
#define OPT_INT(f, min, max, def) opt_int(&u, min, max, &cfg->f)
#define OPT_RATE(f, def) opt_rate(&u, &cfg->f)
#define OPT_BYTES(f, min, def) opt_bytes(&u, min, &cfg->f)
#define OPT_ENUM(f, names, def) opt_enum(&u, names, &cfg->f)
#define OPT_LEVEL(f, def) opt_level(&u, &cfg->f)
#define OPT_LIST(f, cap) opt_list(&u, cfg->f, &cfg->n##f, NELEM(cfg->f))
#define OPT_TRIGGERS(f, cap) opt_triggers(&u, cfg->f, &cfg->n##f, NELEM(cfg->f))
#define OPT_HEALTH(flag, f) opt_health(&u, &cfg->flag, &cfg->f)
#define OPT_HELP() opt_help()
#define OPT_VERSION() opt_version()
#define OPT_NOOP() USED_OPTION
#define OPT_GROUP() REFUSED /* a heading of --help, never matched: its NAME and LOCAL are NULL */
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP)                                                            \
    if (is(bare, NAME) || is(bare, LOCAL)) {                                                                       \
        u.name = NAME;                                                                                             \
        return PARSE;                                                                                              \
    }
#include "server/options.def"
#undef X
#include "server/options_undef.h"
    return unknown_option(typed, typed);
}

/* One option of the command line, argv[i]: typed as `--NAME VALUE` or `--NAME=VALUE`. How many
   arguments after it were used, REFUSED or DONE. */
static int apply_arg(ddb_config *cfg, int argc, char **argv, int i)
{
    const char *eq = strchr(argv[i], '='), *next = i + 1 < argc ? argv[i + 1] : NULL;
    char name[64];
    int used;

    if (eq == NULL)
        return apply(cfg, argv[i], is_option(next) ? NULL : next);
    if ((size_t)(eq - argv[i]) >= sizeof(name))
        return unknown_option(argv[i], "");
    memcpy(name, argv[i], (size_t)(eq - argv[i]));
    name[eq - argv[i]] = '\0';
    if (!is_option(name))
        return unknown_option(argv[i], name);
    if ((used = apply(cfg, name, eq + 1)) == USED_OPTION) {
        fprintf(stderr, "ddbd: %s takes no value\n", name);
        return REFUSED;
    }
    return used == USED_VALUE ? 0 : used; /* the value was the argument's own */
}

/* amazon/dynamodb-local's entry point is java, so compose files pass the JVM's arguments
   ("-Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -sharedDb"): how many of
   argv[i...] are those (0: none), or REFUSED. */
static int jvm_arguments(int argc, char **argv, int i)
{
    if (argv[i][0] == '-' && (argv[i][1] == 'D' || argv[i][1] == 'X') && argv[i][2] != '\0')
        return 1;
    if (strcmp(argv[i], "-jar") != 0)
        return 0;
    if (i + 1 < argc)
        return 2;
    fprintf(stderr, "ddbd: %s needs a value\n", argv[i]);
    return REFUSED;
}

void ddb_config_free(ddb_config *cfg)
{
    for (unsigned i = 0; i < cfg->ntriggers; i++)
        free((char *)cfg->triggers[i].table);
    cfg->ntriggers = 0;
}

/* --fault SPEC (api/faults/inject.h): each a whole rule (the server puts them in force when it opens), or
   refused with what is wrong. */
static int check_faults(const ddb_config *cfg)
{
    char err[300];
    const char *bad;

    for (unsigned i = 0; i < cfg->nfaults; i++) {
        if ((bad = ddb_inject_check_spec(cfg->faults[i], err, sizeof(err))) != NULL) {
            fprintf(stderr, "ddbd: --fault '%s': %s\n", cfg->faults[i], bad);
            return -1;
        }
    }
    return 0;
}

/* --region-peer REGION=URL: each a region and an http URL, with --namespaces (a peer's region is a
   namespace of its own server, and this server's region one of its). */
static int check_peers(const ddb_config *cfg)
{
    for (unsigned i = 0; i < cfg->nregion_peers; i++) {
        const char *p = cfg->region_peers[i], *eq = strchr(p, '=');
        if (eq == NULL || eq == p || strncmp(eq + 1, "http://", 7) != 0 || eq[8] == '\0') {
            fprintf(stderr, "ddbd: --region-peer wants REGION=http://HOST:PORT (got '%s')\n", p);
            return -1;
        }
    }
    if (cfg->nregion_peers > 0 && !cfg->namespaces) {
        fprintf(stderr, "ddbd: --region-peer needs --namespaces (each region its own tables)\n");
        return -1;
    }
    if (cfg->peer_key != NULL && cfg->auth_file == NULL) {
        fprintf(stderr, "ddbd: --peer-key names a key of --auth FILE\n");
        return -1;
    }
    return 0;
}

/* --regions: a valid LIST, with --namespaces (without it every region shares one namespace). A
   --region-peer's region need not be served here: its requests are signed for this server's own. */
static int check_regions(const ddb_config *cfg)
{
    const char *bad;

    if (cfg->regions == NULL)
        return 0;
    if (!cfg->namespaces) {
        fprintf(stderr, "ddbd: --regions goes with --namespaces (without it every region shares one namespace)\n");
        return -1;
    }
    if ((bad = ddb_regions_check(cfg->regions)) != NULL) {
        fprintf(stderr, "ddbd: --regions '%s' has %s\n", cfg->regions, bad);
        return -1;
    }
    return 0;
}

/* The budget limits what --in-memory keeps in memory; a data directory keeps its history on disk,
   where the windows alone bound it (a budget there would trim it for nothing). */
static int check_budget(const ddb_config *cfg)
{
    if (cfg->memory_budget != DDB_BUDGET_UNSET && !cfg->in_memory) {
        fprintf(stderr, "ddbd: --memory-budget goes with --in-memory (a data directory keeps its history on disk)\n");
        return -1;
    }
    return 0;
}

/* --index-lag: MS or MIN-MAX */
static int check_index_lag(const ddb_config *cfg)
{
    unsigned lo, hi;

    if (cfg->index_lag != NULL && ddb_consist_parse_lag(cfg->index_lag, &lo, &hi) != 0) {
        fprintf(stderr, "ddbd: --index-lag wants MS or MIN-MAX, each from 0 to 3600000 ms (got '%s')\n", cfg->index_lag);
        return -1;
    }
    return 0;
}

/* --clock: running, frozen or frozen@MS */
static int check_clock(const ddb_config *cfg)
{
    uint64_t at;
    int frozen;

    if (ddb_clock_parse_mode(cfg->clock, &frozen, &at) != 0) {
        fprintf(stderr, "ddbd: --clock wants running, frozen or frozen@MS (ms since the epoch, at most "
                        "253402300799999; got '%s')\n", cfg->clock);
        return -1;
    }
    return 0;
}

/* --allowed-hosts: names, so that a typo is an error rather than a name that never matches */
static int check_hosts(const ddb_config *cfg)
{
    const char *why = ddb_door_hosts_invalid(cfg->allowed_hosts);

    if (why != NULL) {
        fprintf(stderr, "ddbd: --allowed-hosts '%s': %s\n", cfg->allowed_hosts, why);
        return -1;
    }
    return 0;
}

/* --mcp-http answers only signed requests: without --auth any signature would do, and /mcp would be
   open to whoever reaches the port (docs/mcp.md). */
static int check_mcp(const ddb_config *cfg)
{
    if (cfg->mcp && cfg->mcp_http) {
        fprintf(stderr, "ddbd: --mcp serves standard input and output, --mcp-http the API port: one or the other\n");
        return -1;
    }
    if (cfg->mcp_http && cfg->auth_file == NULL) {
        fprintf(stderr, "ddbd: --mcp-http needs --auth FILE: /mcp answers only requests signed with its keys\n");
        return -1;
    }
    if (cfg->mcp_allow_writes && !cfg->mcp && !cfg->mcp_http) {
        fprintf(stderr, "ddbd: --mcp-allow-writes goes with --mcp or --mcp-http\n");
        return -1;
    }
    return 0;
}

/* --rados-inflight: RADOS's request workers (server/http/offload.h); none on RocksDB, whose calls
   take microseconds (a hand-off to a worker would cost more than it saves): ignored there, as the
   other --rados-* options are. */
static void resolve_inflight(ddb_config *cfg)
{
    if (!(ddb_backend_caps(cfg->backend) & DDB_BACKEND_CAP_SLOW_CALLS))
        cfg->rados_inflight = 0;
    else if (cfg->rados_inflight == DDB_INFLIGHT_UNSET) /* (at most the option's own maximum) */
        cfg->rados_inflight = cfg->threads < DDB_INFLIGHT_MAX / DDB_INFLIGHT_PER_LOOP ? DDB_INFLIGHT_PER_LOOP * cfg->threads
                                                                                     : DDB_INFLIGHT_MAX;
}

static int parse(ddb_config *cfg, int argc, char **argv)
{
    set_defaults(cfg);
    for (int i = 1; i < argc; i++) {
        int used = jvm_arguments(argc, argv, i);

        if (used == REFUSED)
            return -1;
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (argv[i][0] != '-') {
            fprintf(stderr, "ddbd: unexpected argument '%s' (see --help)\n", argv[i]);
            return -1;
        }
        used = apply_arg(cfg, argc, argv, i);
        if (used == REFUSED)
            return -1;
        if (used == DONE)
            return 1;
        i += used;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        fprintf(stderr, "ddbd: --tls-cert and --tls-key go together\n");
        return -1;
    }
    resolve_inflight(cfg);
    return check_faults(cfg) != 0 || check_peers(cfg) != 0 || check_regions(cfg) != 0 || check_mcp(cfg) != 0 ||
                   check_budget(cfg) != 0 || check_hosts(cfg) != 0 || check_index_lag(cfg) != 0 ||
                   check_clock(cfg) != 0
               ? -1
               : 0;
}

int ddb_config_parse(ddb_config *cfg, int argc, char **argv)
{
    int rc = parse(cfg, argc, argv);

    if (rc != 0) /* nothing to run: nothing kept */
        ddb_config_free(cfg);
    return rc;
}
