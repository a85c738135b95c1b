/*
 * server/doors/insights_view.c: Contributor Insights' top keys shown (see insights_view.h): as JSON for
 * GET /ddbd/contributor-insights/TABLE[?index=NAME], and as /metrics series.
 */
#include "server/doors/insights_view.h"

#include <string.h>

#include "server/doors/door_message.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/insights.h"

#define METRIC_KEYS 10 /* series per table or index and kind: /metrics stays bounded */

/* What a table or one of its GSIs records: its id, its key types, its state. */
typedef struct view {
    ddb_insights *ci; /* the engine's sketches */
    uint32_t id;
    ddb_type pk, sk;
    const ddb_ci_state *st;
} view;

static view view_of(ddb_insights *ci, const ddb_table *t, const ddb_index *ix)
{
    if (ix == NULL)
        return (view){ci, t->id, t->hash_type, t->range_key != NULL ? t->range_type : DDB_T_NONE, &t->ci};
    return (view){ci, ix->id, ix->hash[0].type, ix->nrange > 0 ? ix->range[0].type : DDB_T_NONE, &ix->ci};
}

/* ---- the admin endpoint ---- */


static void write_keys(ddb_jw *w, ddb_arena *a, const view *v, ddb_ci_kind k)
{
    ddb_ci_top top[DDB_CI_SLOTS];
    size_t n = ddb_insights_top(v->ci, v->id, k, top, DDB_CI_SLOTS);

    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_attr pk, sk;
        ddb_insights_values(a, &top[i], v->pk, v->sk, &pk, &sk);
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "PartitionKey");
        ddb_attr_write_json(w, &pk);
        if (sk.type != DDB_T_NONE) {
            ddb_jw_key(w, "SortKey");
            ddb_attr_write_json(w, &sk);
        }
        ddb_jw_key(w, ddb_ci_kind_what(k)[0] == 'a' ? "ConsumedThroughputUnits" : "ThrottleCount");
        ddb_jw_double(w, top[i].weight);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void write_view(ddb_buf *out, const ddb_table *t, const char *index, const view *v)
{
    ddb_arena a;
    ddb_jw w;

    ddb_arena_init(&a);
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "TableName", t->name);
    if (index != NULL)
        ddb_jw_member_str(&w, "IndexName", index);
    ddb_jw_member_str(&w, "ContributorInsightsMode", ddb_ci_mode_name((ddb_ci_mode)v->st->mode));
    ddb_jw_member_int(&w, "WindowSeconds", DDB_CI_WINDOW_MS / 1000);
    for (int k = 0; k < DDB_CI_NKINDS; k++) {
        if (ddb_ci_kind_sorted((ddb_ci_kind)k) && v->sk == DDB_T_NONE)
            continue;
        ddb_jw_key(&w, ddb_ci_kind_rule((ddb_ci_kind)k));
        write_keys(&w, &a, v, (ddb_ci_kind)k);
    }
    ddb_jw_obj_end(&w);
    ddb_arena_free(&a);
}

int ddb_insights_admin(ddb_engine *eng, const char *rest, size_t len, ddb_buf *out)
{
    char name[256], index[256] = "";
    const char *q = memchr(rest, '?', len);
    size_t nlen = q != NULL ? (size_t)(q - rest) : len;
    const ddb_table *t;
    const ddb_index *ix = NULL;
    view v;

    if (nlen == 0 || nlen >= sizeof(name))
        return ddb_door_message(out, 404, "no such table");
    memcpy(name, rest, nlen);
    name[nlen] = '\0';
    if (q != NULL && len - nlen > 7 && len - nlen - 7 < sizeof(index) && memcmp(q, "?index=", 7) == 0) {
        memcpy(index, q + 7, len - nlen - 7);
        index[len - nlen - 7] = '\0';
    }
    if ((t = ddb_catalog_get(eng->catalog, name)) == NULL)
        return ddb_door_message(out, 404, "no such table");
    for (unsigned i = 0; index[0] != '\0' && i < t->nindexes && ix == NULL; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL && strcmp(t->indexes[i].name, index) == 0)
            ix = &t->indexes[i];
    if (index[0] != '\0' && ix == NULL)
        return ddb_door_message(out, 404, "no such global secondary index");
    v = view_of(ddb_insights_of(eng), t, ix);
    if (v.st->mode == DDB_CI_OFF)
        return ddb_door_message(out, 409, "Contributor Insights is not enabled (UpdateContributorInsights)");
    write_view(out, t, ix != NULL ? ix->name : NULL, &v);
    return 200;
}

int ddb_insights_door(const ddb_door_call *c, ddb_buf *out)
{
    return ddb_insights_admin(c->eng, c->rest, c->rlen, out);
}

/* ---- /metrics ---- */

/* A key value as label text: S as is, N as its number, B in hex; '"', '\' and newlines escaped. */
static void label_value(ddb_buf *out, const ddb_attr *v)
{
    for (uint32_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->u.s[i];
        if (v->type == DDB_T_B)
            ddb_buf_printf(out, "%02x", c);
        else if (c == '"' || c == '\\')
            ddb_buf_printf(out, "\\%c", c);
        else if (c == '\n')
            ddb_buf_puts(out, "\\n");
        else
            ddb_buf_putc(out, (char)c);
    }
}

static void metric_series(ddb_buf *out, ddb_arena *a, const ddb_table *t, const char *index, const view *v)
{
    for (int k = 0; k < DDB_CI_NKINDS; k++) {
        ddb_ci_top top[METRIC_KEYS];
        size_t n = ddb_insights_top(v->ci, v->id, (ddb_ci_kind)k, top, METRIC_KEYS);
        for (size_t i = 0; i < n; i++) {
            ddb_attr pk, sk;
            ddb_insights_values(a, &top[i], v->pk, v->sk, &pk, &sk);
            ddb_buf_printf(out, "ddbd_contributor_insights_top{table=\"%s\",index=\"%s\",rule=\"%s\",kind=\"%s\",key=\"",
                           t->name, index != NULL ? index : "", ddb_ci_kind_rule((ddb_ci_kind)k),
                           ddb_ci_kind_what((ddb_ci_kind)k));
            label_value(out, &pk);
            if (ddb_ci_kind_sorted((ddb_ci_kind)k) && sk.type != DDB_T_NONE) {
                ddb_buf_putc(out, '|');
                label_value(out, &sk);
            }
            ddb_buf_printf(out, "\"} %.1f\n", top[i].weight);
        }
    }
}

void ddb_insights_metrics(ddb_buf *out, ddb_engine *eng)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;

    if (!ddb_insights_on(ddb_insights_of(eng)))
        return;
    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    ddb_buf_puts(out, "# HELP ddbd_contributor_insights_top Contributor Insights' heaviest keys over the last "
                      "one to two minutes: ConsumedThroughputUnits (accessed) or throttled requests (throttled).\n"
                      "# TYPE ddbd_contributor_insights_top gauge\n");
    for (size_t i = 0; i < n; i++) {
        const ddb_table *t = tables[i];
        view v = view_of(ddb_insights_of(eng), t, NULL);
        if (t->ci.mode != DDB_CI_OFF)
            metric_series(out, &a, t, NULL, &v);
        for (unsigned k = 0; k < t->nindexes; k++) {
            if (t->indexes[k].kind != DDB_IX_GLOBAL || t->indexes[k].ci.mode == DDB_CI_OFF)
                continue;
            v = view_of(ddb_insights_of(eng), t, &t->indexes[k]);
            metric_series(out, &a, t, t->indexes[k].name, &v);
        }
    }
    ddb_arena_free(&a);
}
