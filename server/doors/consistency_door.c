/*
 * server/doors/consistency_door.c: /ddbd/consistency (consistency_door.h).
 */
#include "server/doors/consistency_door.h"

#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "server/base/log.h"
#include "server/doors/door_message.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/emulate/consistency.h"
#include "server/server.h"


static int state(ddb_engine *eng, ddb_buf *out)
{
    char *s = ddb_consist_describe(ddb_consistency_of(eng));

    if (s == NULL)
        return ddb_door_message(out, 500, "out of memory");
    ddb_buf_puts(out, s);
    free(s);
    return 200;
}

/* A table name as CreateTable takes one (3 to 255 of a-z A-Z 0-9 _ - .), after "<namespace>|" (an
   account and a region: "000000000000:us-east-1") for one namespace's table alone. */
static int table_name_ok(const char *s)
{
    const char *bar = s != NULL ? strchr(s, '|') : NULL;
    size_t n;

    if (bar != NULL) {
        if (bar - s > 64)
            return 0;
        for (const char *p = s; p < bar; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == ':' || *p == '-'))
                return 0;
        s = bar + 1;
    }
    n = s != NULL ? strlen(s) : 0;

    if (n < 3 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '-' || s[i] == '.'))
            return 0;
    return 1;
}

/* "<account>:<region>|T" as the catalog names the namespace ("|T" for the default one, which
   "000000000000:us-east-1" is); a bare name as it is. */
static const char *ns_table(ddb_arena *a, const char *table)
{
    const char *bar = strchr(table, '|'), *colon = memchr(table, ':', bar != NULL ? (size_t)(bar - table) : 0);

    if (bar == NULL || colon == NULL)
        return table;
    return ddb_arena_sprintf(a, "%s|%s",
                             ddb_ns_of(a, ddb_arena_strndup(a, table, (size_t)(colon - table)),
                                       ddb_arena_strndup(a, colon + 1, (size_t)(bar - colon - 1))),
                             bar + 1);
}

/* A member that is a whole number of ms in 0..3600000 (absent: 0); -1 when it is not. */
static int ms_member(const ddb_json *in, const char *name, unsigned *ms)
{
    const ddb_json *v = ddb_json_get(in, name);
    long long n;

    *ms = 0;
    if (v == NULL)
        return 0;
    if (v->type != DDB_JSON_NUMBER || (n = ddb_json_integer(v, -1)) < 0 || n > 3600000)
        return -1;
    *ms = (unsigned)n;
    return 0;
}

/* indexLagMs: a number of ms, or "MS" / "MIN-MAX" as --index-lag takes it. */
static int lag_member(const ddb_json *in, ddb_consist_settings *s)
{
    const ddb_json *v = ddb_json_get(in, "indexLagMs");

    if (v != NULL && v->type == DDB_JSON_STRING)
        return ddb_consist_parse_lag(v->u.s, &s->lag_min_ms, &s->lag_max_ms);
    if (ms_member(in, "indexLagMs", &s->lag_min_ms) != 0)
        return -1;
    s->lag_max_ms = s->lag_min_ms;
    return 0;
}

static const char USAGE[] = "expected {\"table\": \"T\", \"indexLagMs\": ms | \"MIN-MAX\", \"staleReadsMs\": ms, "
                            "\"seed\": n} (ms from 0 to 3600000)";

/* Whether every member of in is one the door reads: a misspelt one (indexLag) would otherwise
   leave the table as it was while the answer said the settings were taken. */
static int members_known(const ddb_json *in)
{
    static const char *const known[] = {"table", "indexLagMs", "staleReadsMs", "seed"};

    for (uint32_t i = 0; i < in->n; i++) {
        size_t k = 0;

        while (k < sizeof(known) / sizeof(known[0]) && strcmp(in->u.members[i].key, known[k]) != 0)
            k++;
        if (k == sizeof(known) / sizeof(known[0]))
            return 0;
    }
    return 1;
}

static int set(ddb_engine *eng, uint64_t default_seed, const char *body, size_t blen, ddb_buf *out)
{
    struct ddb_consistency *c = ddb_consistency_of(eng), *mine;
    ddb_consist_settings s = {0, 0, 0, 0};
    const ddb_json *in, *seed;
    const char *table;
    ddb_arena a;
    int ok, rc = 0;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    ok = in != NULL && in->type == DDB_JSON_OBJECT && members_known(in) &&
         table_name_ok(table = ddb_json_get_str(in, "table")) &&
         lag_member(in, &s) == 0 && ms_member(in, "staleReadsMs", &s.stale_ms) == 0;
    seed = ok ? ddb_json_get(in, "seed") : NULL;
    if (seed != NULL && (seed->type != DDB_JSON_NUMBER || ddb_json_integer(seed, -1) < 0))
        ok = 0;
    if (ok && c == NULL) { /* the first settings: the row turns on, the reads and writes start looking */
        if ((mine = ddb_consist_create(NULL)) == NULL)
            rc = -1;
        else if ((c = ddb_engine_publish_feature(eng, &ddb_feature_consistency, mine)) != mine)
            ddb_consist_free(mine); /* (another call's first settings came first) */
    }
    if (ok && rc == 0) {
        table = ns_table(&a, table);
        s.seed = seed != NULL ? (uint64_t)ddb_json_integer(seed, 0) : default_seed;
        rc = ddb_consist_set(c, table, &s);
        if (rc == 0)
            ddb_log(DDB_LOG_INFO, "admin: consistency of %s: index lag %u-%u ms, stale reads %u ms, seed %llu", table,
                    s.lag_min_ms, s.lag_max_ms, s.stale_ms, (unsigned long long)s.seed);
    }
    ddb_arena_free(&a);
    if (!ok)
        return ddb_door_message(out, 400, USAGE);
    if (rc != 0)
        return ddb_door_message(out, 400, "too many tables have consistency settings (256)");
    return state(eng, out);
}

int ddb_consistency_door(const ddb_door_call *c, ddb_buf *out)
{
    /* a table's draws' seed, when its settings name none: --consistency-seed */
    return c->post ? set(c->eng, c->srv->config->consistency_seed, c->body, c->blen, out) : state(c->eng, out);
}
