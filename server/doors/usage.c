/*
 * server/doors/usage.c: the cost report's door (see usage.h): the query parsed, the report the
 * engine's (engine/report/report.h), priced at the server's table (prices.h).
 */
#include "server/doors/usage.h"

#include <stdio.h>
#include <string.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/doors/door_message.h"
#include "server/doors/prices.h"
#include "server/engine/report/report.h"
#include "server/engine/report/text.h"

static int refuse(ddb_buf *out, int status, const char *fmt, const char *name, size_t len);

/* The report: the whole run's counters (since opened_ms, the server's open), or those since mark m
   (NULL: none); with a rate (rate NULL: none), the forecast at it. A malformed rate: 400. */
static int report(ddb_engine *eng, uint64_t opened_ms, const ddb_usage_mark *m, const char *rate, size_t rlen,
                  ddb_buf *out)
{
    ddb_usage_query q = {opened_ms, m, rate, rlen, ddb_prices_get()};
    char err[512];
    ddb_jw w;

    ddb_jw_init(&w, out);
    if (ddb_usage_report(eng, &q, &w, err, sizeof(err)) != 0)
        return refuse(out, 400, "%.*s", err, strlen(err));
    return 200;
}

static int refuse(ddb_buf *out, int status, const char *fmt, const char *name, size_t len)
{
    char msg[DDB_USAGE_MARK_NAME + 128];

    snprintf(msg, sizeof(msg), fmt, (int)len, name);
    return ddb_door_message(out, status, msg);
}

/* A mark's name: 1 to DDB_USAGE_MARK_NAME bytes, none of them a control character. */
static int good_name(const char *name, size_t len)
{
    if (len == 0 || len > DDB_USAGE_MARK_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    return 1;
}

#define NAME_RULE "a name of 1 to 256 characters, no control character"

/* POST /ddbd/usage/mark {"name": NAME}: the mark, at the server's clock now. */
static int set_mark(ddb_engine *eng, ddb_usage_marks *marks, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *name;
    uint64_t now = ddb_clock_now_ms();
    ddb_jw w;
    size_t n;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    name = in != NULL && in->type == DDB_JSON_OBJECT ? ddb_json_get(in, "name") : NULL;
    if (name == NULL || name->type != DDB_JSON_STRING || !good_name(name->u.s, name->n)) {
        ddb_arena_free(&a);
        return refuse(out, 400, "expected {\"name\": NAME}: " NAME_RULE "%.*s", "", 0);
    }
    if (ddb_usage_mark_engine(eng, marks, name->u.s, name->n, now, &n) != 0) {
        char msg[300];
        snprintf(msg, sizeof(msg),
                 "the mark would hold more than the marks' budget of %zu bytes (the counters of %zu tables, kept "
                 "in memory): use the whole run's report (GET /ddbd/usage), or fewer tables",
                 ddb_usage_marks_budget(marks), n);
        ddb_arena_free(&a);
        return ddb_door_message(out, 400, msg); /* (not 413: h2o's error document answers that one) */
    }
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "name");
    ddb_jw_strn(&w, name->u.s, name->n);
    ddb_jw_key(&w, "timeMs");
    ddb_jw_int(&w, (long long)now);
    ddb_jw_obj_end(&w);
    ddb_arena_free(&a);
    return 200;
}

#define PARAMS_RULE "GET /ddbd/usage takes since=MARK and rate=RATE (docs/usage.md)"

/* The report for GET /ddbd/usage's query q ("" or "?since=MARK&rate=RATE", either or both, in any order). */
static int query(ddb_engine *eng, ddb_usage_marks *marks, uint64_t opened_ms, const char *q, size_t qlen,
                 ddb_buf *out)
{
    char name[DDB_USAGE_MARK_NAME];
    const char *since = NULL, *rate = NULL;
    size_t slen = 0, rlen = 0;
    const ddb_usage_mark *m = NULL;
    long len;

    if (qlen > 0 && q[0] != '?')
        return refuse(out, 400, PARAMS_RULE "%.*s", "", 0);
    for (size_t at = 1; qlen > 0 && at <= qlen;) { /* each NAME=VALUE, '&' between them */
        const char *amp = memchr(q + at, '&', qlen - at), *p = q + at;
        size_t n = amp != NULL ? (size_t)(amp - p) : qlen - at;
        if (n >= 6 && memcmp(p, "since=", 6) == 0 && since == NULL) {
            since = p + 6;
            slen = n - 6;
        } else if (n >= 5 && memcmp(p, "rate=", 5) == 0 && rate == NULL) {
            rate = p + 5;
            rlen = n - 5;
        } else {
            return refuse(out, 400, PARAMS_RULE ", each once%.*s", "", 0);
        }
        at += n + 1;
    }
    if (since != NULL) {
        len = ddb_usage_query_decode(since, slen, name, sizeof(name));
        if (len < 0 || !good_name(name, (size_t)len))
            return refuse(out, 400, "since: " NAME_RULE ", percent-encoded%.*s", "", 0);
        if ((m = ddb_usage_mark_find(marks, name, (size_t)len)) == NULL)
            return refuse(out, 404, "no usage mark named %.*s (POST /ddbd/usage/mark {\"name\": NAME} sets one)",
                          name, (size_t)len);
    }
    return report(eng, opened_ms, m, rate, rlen, out);
}

int ddb_usage_door(ddb_engine *eng, ddb_usage_marks *marks, uint64_t opened_ms, int is_post, const char *path,
                   size_t plen, const char *body, size_t blen, ddb_buf *out)
{
    if (plen == 16 && memcmp(path, "/ddbd/usage/mark", 16) == 0) {
        ddb_jw w;
        if (is_post)
            return set_mark(eng, marks, body, blen, out);
        ddb_jw_init(&w, out);
        ddb_jw_obj_begin(&w);
        ddb_usage_marks_write(marks, &w);
        ddb_jw_obj_end(&w);
        return 200;
    }
    if (is_post || path[11] == '/')
        return refuse(out, 404, "no such admin endpoint%.*s", "", 0);
    return query(eng, marks, opened_ms, path + 11, plen - 11, out);
}
