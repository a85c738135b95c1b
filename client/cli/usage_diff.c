/*
 * client/cli/usage_diff.c: `ddb usage diff BASE.json HEAD.json`: what a change does to the cost
 * report (GET /ddbd/usage, docs/usage.md), as markdown for a pull request's comment: requests,
 * units and cost in all and by table, the access patterns whose figures moved (new ones, gone
 * ones), the hot partitions and the warnings that appeared or went away. Read with libddb's
 * ddb_result_from_json and ddb_result_get: every list of the report is an array of objects named
 * by a member ("table", "pattern", "warning"), so rows are matched by that name.
 */
#include "client/cli/usage_diff.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH 512
#define MONTH_SECONDS (730.0 * 3600) /* the report's month (docs/usage.md) */

/* A number of r at the path made of fmt (0 when absent). */
static double num(const ddb_result *r, const char *fmt, ...)
{
    char path[PATH];
    const char *v;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    v = ddb_result_get(r, path);
    return v != NULL ? strtod(v, NULL) : 0;
}

static const char *str(const ddb_result *r, const char *fmt, ...)
{
    char path[PATH];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return ddb_result_get(r, path);
}

static size_t len(const ddb_result *r, const char *fmt, ...)
{
    char path[PATH];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return ddb_result_len(r, path);
}

/* Dollars, without an exponent, to three significant digits below a cent: $0.000000125. */
static const char *money(char *buf, size_t size, double v)
{
    double a = fabs(v);
    int decimals = a == 0 || a >= 0.01 ? 2 : (int)-floor(log10(a)) + 2;

    snprintf(buf, size, "%s$%.*f", v < 0 ? "-" : "", decimals, a);
    return buf;
}

/* A cost per 1,000 requests, or "–" where there was no request. */
static const char *per_request(char *buf, size_t size, double requests, double v)
{
    return requests > 0 ? money(buf, size, v) : (snprintf(buf, size, "–"), buf);
}

static const char *units(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.10g", v);
    return buf;
}

typedef const char *fmt_fn(char *buf, size_t size, double v);

/* "+8 (+66.7 %)", "-0.5 (-50 %)", "+2 (new)", "0". */
static const char *change(char *buf, size_t size, double base, double head, fmt_fn *f)
{
    char d[64];
    double delta = head - base;

    if (delta == 0)
        return snprintf(buf, size, "0"), buf;
    f(d, sizeof(d), fabs(delta));
    if (base == 0)
        snprintf(buf, size, "%s%s (new)", delta > 0 ? "+" : "-", d);
    else
        snprintf(buf, size, "%s%s (%+.1f %%)", delta > 0 ? "+" : "-", d, delta / base * 100);
    return buf;
}

/* One row of the summary: | what | base | head | change |. */
static void row(FILE *out, const char *what, double base, double head, fmt_fn *f)
{
    char b[64], h[64], c[96];

    fprintf(out, "| %s | %s | %s | %s |\n", what, f(b, sizeof(b), base), f(h, sizeof(h), head),
            change(c, sizeof(c), base, head, f));
}

/* The index of the element of array `list` whose member `key` is `name`, or -1. */
static long find(const ddb_result *r, const char *list, const char *key, const char *name)
{
    size_t n = len(r, "%s", list);

    for (size_t i = 0; i < n; i++) {
        const char *v = str(r, "%s.%zu.%s", list, i, key);
        if (v != NULL && strcmp(v, name) == 0)
            return (long)i;
    }
    return -1;
}

static double units_of(const ddb_result *r, const char *at)
{
    return num(r, "%s.readUnits", at) + num(r, "%s.writeUnits", at);
}

/* r's cost of a 730-hour month at the pace of `pace`'s run (one run a window of it): each report's
   own monthlyCost follows its window, the wall length of its run, which moves between two runs of
   one suite (-29.5 % for the same requests, issue 72); at one pace the row moves with what a run
   costs. */
static double monthly(const ddb_result *r, const ddb_result *pace)
{
    double window = num(pace, "windowSeconds");

    return num(r, "total.cost") * MONTH_SECONDS / (window >= 1 ? window : 1);
}

static void summary(FILE *out, const ddb_result *base, const ddb_result *head)
{
    fputs("| | base | head | change |\n|---|---:|---:|---:|\n", out);
    row(out, "requests", num(base, "total.requests"), num(head, "total.requests"), units);
    row(out, "read units", num(base, "total.readUnits"), num(head, "total.readUnits"), units);
    row(out, "write units", num(base, "total.writeUnits"), num(head, "total.writeUnits"), units);
    row(out, "cost of the run", num(base, "total.cost"), num(head, "total.cost"), money);
    row(out, "cost per 1,000 requests", num(base, "total.costPer1000Requests"), num(head, "total.costPer1000Requests"),
        money);
    row(out, "monthly cost (a projection at base's pace)", monthly(base, base), monthly(head, base), money);
}

/* | table | units | cost | (base -> head, change), for each table of either report whose figures moved. */
static void tables(FILE *out, const ddb_result *base, const ddb_result *head)
{
    const ddb_result *rs[2] = {base, head};
    int header = 0;

    for (int side = 0; side < 2; side++) {
        size_t n = len(rs[side], "tables");
        for (size_t i = 0; i < n; i++) {
            const char *name = str(rs[side], "tables.%zu.table", i);
            long other = name != NULL ? find(rs[!side], "tables", "table", name) : -1;
            char at[2][64], b[64], h[64], c[96], bu[64], hu[64], bc[64], hc[64], cc[96];
            double u[2], cost[2], req[2];
            if (name == NULL || (side == 1 && other >= 0)) /* a table of both: written once */
                continue;
            snprintf(at[side], sizeof(at[side]), "tables.%zu", i);
            snprintf(at[!side], sizeof(at[!side]), "tables.%ld", other);
            for (int k = 0; k < 2; k++) {
                int present = k == side || other >= 0;
                u[k] = present ? units_of(rs[k], at[k]) : 0;
                cost[k] = present ? num(rs[k], "%s.cost", at[k]) : 0;
                req[k] = present ? num(rs[k], "%s.requests", at[k]) : 0;
            }
            if (u[0] == u[1] && cost[0] == cost[1] && req[0] == req[1])
                continue;
            if (!header++)
                fputs("\n### Tables\n\n| table | requests | units | cost |\n|---|---:|---:|---:|\n", out);
            fprintf(out, "| `%s` | %s → %s | %s → %s (%s) | %s → %s (%s) |\n", name, units(b, sizeof(b), req[0]),
                    units(h, sizeof(h), req[1]), units(bu, sizeof(bu), u[0]), units(hu, sizeof(hu), u[1]),
                    change(c, sizeof(c), u[0], u[1], units), money(bc, sizeof(bc), cost[0]),
                    money(hc, sizeof(hc), cost[1]), change(cc, sizeof(cc), cost[0], cost[1], money));
        }
    }
}

typedef struct pattern_row {
    const char *table, *pattern;
    double req[2], units[2], cost[2], per1000[2];
} pattern_row;

static int by_change(const void *a, const void *b)
{
    const pattern_row *x = a, *y = b;
    double dx = fabs(x->cost[1] - x->cost[0]), dy = fabs(y->cost[1] - y->cost[0]);

    return dx < dy ? 1 : dx > dy ? -1 : strcmp(x->pattern, y->pattern);
}

/* Adds side `side`'s figures of every access pattern of r to rows (matched by table and text). */
static size_t collect(const ddb_result *r, int side, pattern_row **rows, size_t n, size_t *cap)
{
    size_t nt = len(r, "tables");

    for (size_t t = 0; t < nt; t++) {
        const char *table = str(r, "tables.%zu.table", t);
        size_t np = len(r, "tables.%zu.accessPatterns", t);
        for (size_t p = 0; table != NULL && p < np; p++) {
            const char *text = str(r, "tables.%zu.accessPatterns.%zu.pattern", t, p);
            char at[PATH];
            size_t k;
            if (text == NULL)
                continue;
            for (k = 0; k < n && (strcmp((*rows)[k].table, table) != 0 || strcmp((*rows)[k].pattern, text) != 0); k++)
                ;
            if (k == n) {
                if (n == *cap && (*rows = realloc(*rows, (*cap = *cap * 2 + 16) * sizeof(**rows))) == NULL)
                    abort();
                memset(&(*rows)[n], 0, sizeof(**rows));
                (*rows)[n].table = table;
                (*rows)[n].pattern = text;
                n++;
            }
            snprintf(at, sizeof(at), "tables.%zu.accessPatterns.%zu", t, p);
            (*rows)[k].req[side] = num(r, "%s.requests", at);
            (*rows)[k].units[side] = units_of(r, at);
            (*rows)[k].cost[side] = num(r, "%s.cost", at);
            (*rows)[k].per1000[side] = num(r, "%s.costPer1000Requests", at);
        }
    }
    return n;
}

static void patterns(FILE *out, const ddb_result *base, const ddb_result *head)
{
    pattern_row *rows = NULL;
    size_t cap = 0, n = collect(base, 0, &rows, 0, &cap), shown = 0;

    n = collect(head, 1, &rows, n, &cap);
    qsort(rows, n, sizeof(rows[0]), by_change);
    for (size_t i = 0; i < n; i++) {
        const pattern_row *p = &rows[i];
        char b[64], h[64], bu[64], hu[64], c[96], bp[64], hp[64];
        const char *what = p->req[0] == 0 && p->units[0] == 0 ? " (new)" : p->req[1] == 0 && p->units[1] == 0 ? " (gone)" : "";
        if (p->req[0] == p->req[1] && p->units[0] == p->units[1] && p->cost[0] == p->cost[1])
            continue;
        if (!shown++)
            fputs("\n### Access patterns\n\n| table | access pattern | requests | units | cost | cost per 1,000 requests |\n"
                  "|---|---|---:|---:|---:|---:|\n", out);
        fprintf(out, "| `%s` | `%s`%s | %s → %s | %s → %s | %s | %s → %s |\n", p->table, p->pattern, what,
                units(b, sizeof(b), p->req[0]), units(h, sizeof(h), p->req[1]), units(bu, sizeof(bu), p->units[0]),
                units(hu, sizeof(hu), p->units[1]), change(c, sizeof(c), p->cost[0], p->cost[1], money),
                per_request(bp, sizeof(bp), p->req[0], p->per1000[0]), per_request(hp, sizeof(hp), p->req[1], p->per1000[1]));
    }
    free(rows);
}

/* A hot partition's identity: "TABLE[/INDEX] REASON KEY" (its key's value as its type's text). */
static void hot_id(const ddb_result *r, size_t t, size_t k, char *buf, size_t size)
{
    const char *table = str(r, "hotPartitions.tables.%zu.table", t);
    const char *index = str(r, "hotPartitions.tables.%zu.throttled.%zu.index", t, k);
    const char *reason = str(r, "hotPartitions.tables.%zu.throttled.%zu.reason", t, k);
    static const char *const types[] = {"S", "N", "B"};
    const char *key = NULL, *type = "";

    for (int i = 0; i < 3 && key == NULL; i++)
        if ((key = str(r, "hotPartitions.tables.%zu.throttled.%zu.partitionKey.%s", t, k, types[i])) != NULL)
            type = types[i];
    snprintf(buf, size, "`%s`%s%s: %s, partition key %s%s%s", table != NULL ? table : "?", index != NULL ? " index " : "",
             index != NULL ? index : "", reason != NULL ? reason : "?", key != NULL ? type : "",
             key != NULL ? " " : "(the table's partitions, not one key)", key != NULL ? key : "");
}

/* Whether r lists the hot partition `id` (hot_id's text). */
static int has_hot(const ddb_result *r, const char *id)
{
    size_t nt = len(r, "hotPartitions.tables");

    for (size_t t = 0; t < nt; t++)
        for (size_t k = 0, nk = len(r, "hotPartitions.tables.%zu.throttled", t); k < nk; k++) {
            char other[PATH];
            hot_id(r, t, k, other, sizeof(other));
            if (strcmp(other, id) == 0)
                return 1;
        }
    return 0;
}

static void hot(FILE *out, const ddb_result *base, const ddb_result *head)
{
    const ddb_result *rs[2] = {base, head};
    int shown = 0;

    for (int side = 1; side >= 0; side--) {
        size_t nt = len(rs[side], "hotPartitions.tables");
        for (size_t t = 0; t < nt; t++)
            for (size_t k = 0, nk = len(rs[side], "hotPartitions.tables.%zu.throttled", t); k < nk; k++) {
                char id[PATH];
                hot_id(rs[side], t, k, id, sizeof(id));
                if (has_hot(rs[!side], id))
                    continue;
                if (!shown++)
                    fputs("\n### Hot partitions (requests DynamoDB would have throttled)\n\n", out);
                fprintf(out, "- %s %s: %.10g requests, peak %.10g units/s (limit %.10g)\n", side ? "**new**" : "gone", id,
                        num(rs[side], "hotPartitions.tables.%zu.throttled.%zu.requests", t, k),
                        num(rs[side], "hotPartitions.tables.%zu.throttled.%zu.peakUnitsPerSecond", t, k),
                        num(rs[side], "hotPartitions.tables.%zu.throttled.%zu.limitUnitsPerSecond", t, k));
            }
    }
}

/* A warning's identity: "WARNING on `TABLE`[ index INDEX]". */
static void warning_id(const ddb_result *r, size_t i, char *buf, size_t size)
{
    const char *index = str(r, "warnings.%zu.index", i);

    snprintf(buf, size, "`%s` on `%s`%s%s", str(r, "warnings.%zu.warning", i), str(r, "warnings.%zu.table", i),
             index != NULL ? " index " : "", index != NULL ? index : "");
}

static int has_warning(const ddb_result *r, const char *id)
{
    for (size_t i = 0, n = len(r, "warnings"); i < n; i++) {
        char other[PATH];
        warning_id(r, i, other, sizeof(other));
        if (strcmp(other, id) == 0)
            return 1;
    }
    return 0;
}

static void warnings(FILE *out, const ddb_result *base, const ddb_result *head)
{
    const ddb_result *rs[2] = {base, head};
    int shown = 0;

    for (int side = 1; side >= 0; side--)
        for (size_t i = 0, n = len(rs[side], "warnings"); i < n; i++) {
            char id[PATH];
            const char *msg = str(rs[side], "warnings.%zu.message", i);
            warning_id(rs[side], i, id, sizeof(id));
            if (has_warning(rs[!side], id))
                continue;
            if (!shown++)
                fputs("\n### Warnings\n\n", out);
            fprintf(out, "- %s %s: %s\n", side ? "**new**" : "gone", id, msg != NULL ? msg : "");
        }
}

int ddb_usage_diff(const char *base_json, size_t base_len, const char *head_json, size_t head_len, FILE *out,
                   const char **bad)
{
    ddb_result *base = ddb_result_from_json(base_json, base_len), *head = ddb_result_from_json(head_json, head_len);
    int ok = ddb_result_status(base) == DDB_OK && ddb_result_get(base, "windowSeconds") != NULL;

    *bad = !ok ? "BASE" : NULL;
    if (ok && (ddb_result_status(head) != DDB_OK || ddb_result_get(head, "windowSeconds") == NULL)) {
        ok = 0;
        *bad = "HEAD";
    }
    if (ok) {
        fputs("## DynamoDB cost of this change (ddbd usage diff)\n\n", out);
        fprintf(out, "What each run's requests would cost in DynamoDB (on-demand, %s prices). The monthly figures "
                     "project each run's cost to a 730-hour month at the base run's pace (a run every %.10g s, its "
                     "window; head's took %.10g s), so they move with what a run costs, not with how long it took; "
                     "not bills.\n\n",
                ddb_result_get(head, "region") != NULL ? ddb_result_get(head, "region") : "the report's",
                num(base, "windowSeconds"), num(head, "windowSeconds"));
        summary(out, base, head);
        tables(out, base, head);
        patterns(out, base, head);
        hot(out, base, head);
        warnings(out, base, head);
    }
    ddb_result_free(base);
    ddb_result_free(head);
    return ok ? 0 : -1;
}
