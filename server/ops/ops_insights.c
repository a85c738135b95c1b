/*
 * server/ops/ops_insights.c: Contributor Insights: UpdateContributorInsights,
 * DescribeContributorInsights, ListContributorInsights.
 *
 * The state of a table and of each GSI is the table member "ddbdInsights" (engine/capacity/insights.h),
 * so it survives a restart; enabling one starts its sketch (engine/capacity/insights.h), whose top keys the
 * admin endpoint and /metrics show, as CloudWatch's rules would. Shapes: the API reference of each
 * operation; the rule names: the developer guide's "How it works" page
 * ("DynamoDBContributorInsights-PKC-[resource_name]-[creationtimestamp]"). An update answers
 * ENABLING or DISABLING, as DynamoDB does, and the change is complete at once: a describe then
 * answers ENABLED or DISABLED (docs/compatibility.md).
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/capacity/insights.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/table_desc.h"

#define LIST_DEFAULT 100 /* ListContributorInsights' MaxResults without one (its maximum) */

/* The GSI `index` of t, or NULL with ResourceNotFoundException recorded (DescribeContributorInsights'
   text, as before this operation was served). */
static const ddb_index *gsi_or_fail(ddb_req *req, const ddb_table *t, const char *index)
{
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL && strcmp(t->indexes[i].name, index) == 0)
            return &t->indexes[i];
    ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Index: %s not found", index);
    return NULL;
}

/* The state of the table (index NULL) or of its GSI; NULL with the error recorded. */
static const ddb_ci_state *state_of(ddb_req *req, const ddb_table *t, const char *index)
{
    const ddb_index *ix;

    if (index == NULL)
        return &t->ci;
    ix = gsi_or_fail(req, t, index);
    return ix != NULL ? &ix->ci : NULL;
}

static void write_names(ddb_jw *w, const ddb_table *t, const char *index)
{
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, t->name);
    if (index != NULL) {
        ddb_jw_key(w, "IndexName");
        ddb_jw_str(w, index);
    }
}

/* The rules of an enabled table or index: PKC and PKT, with SKC and SKT when it has a sort key;
   THROTTLED_KEYS makes only the throttled ones. */
static void write_rules(ddb_req *req, const ddb_table *t, const char *index, const ddb_ci_state *st)
{
    const ddb_index *ix = index != NULL ? gsi_or_fail(req, t, index) : NULL;
    int sorted = ix != NULL ? ix->nrange > 0 : t->range_key != NULL;
    const char *resource = index != NULL ? ddb_arena_sprintf(req->arena, "%s-%s", t->name, index) : t->name;

    ddb_jw_key(&req->out, "ContributorInsightsRuleList");
    ddb_jw_arr_begin(&req->out);
    for (int k = 0; k < DDB_CI_NKINDS; k++) {
        if ((ddb_ci_kind_sorted((ddb_ci_kind)k) && !sorted) ||
            (st->mode == DDB_CI_THROTTLED_KEYS && strcmp(ddb_ci_kind_what((ddb_ci_kind)k), "accessed") == 0))
            continue;
        ddb_jw_str(&req->out, ddb_arena_sprintf(req->arena, "DynamoDBContributorInsights-%s-%s-%llu",
                                                ddb_ci_kind_rule((ddb_ci_kind)k), resource,
                                                (unsigned long long)st->enabled_ms));
    }
    ddb_jw_arr_end(&req->out);
}

/* ---- UpdateContributorInsights ---- */

typedef struct ci_change {
    ddb_req *req;
    const char *index;
    ddb_ci_state st;
} ci_change;

/* The change of the live table, or -2 with the error recorded. */
static int ci_edit(void *ctx, ddb_desc_edit **e)
{
    ci_change *c = ctx;
    ddb_req *req = c->req;
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1);
    const ddb_ci_state *cur = t != NULL ? state_of(req, t, c->index) : NULL;

    if (cur == NULL)
        return -2;
    /* a mode change of an enabled one keeps its rules' creation time */
    if (c->st.mode != DDB_CI_OFF && cur->mode != DDB_CI_OFF)
        c->st.enabled_ms = cur->enabled_ms;
    if (c->st.mode == DDB_CI_OFF)
        c->st.enabled_ms = cur->enabled_ms;
    *e = ddb_desc_edit_of(req->arena, t);
    ddb_edit_insights(*e, c->index, &c->st);
    return 0;
}

int ddb_op_update_contributor_insights(ddb_req *req)
{
    const char *action = ddb_json_get_str(req->in, "ContributorInsightsAction");
    const char *mode = ddb_json_get_str(req->in, "ContributorInsightsMode");
    int enable = strcmp(action, "ENABLE") == 0;
    uint64_t now = ddb_clock_now_ms();
    ci_change c = {req, ddb_json_get_str(req->in, "IndexName"), {DDB_CI_OFF, now, now}};
    const ddb_table *updated;
    ddb_jw *w = &req->out;

    if (enable)
        c.st.mode = mode != NULL ? (int)ddb_ci_mode_from_name(mode) : DDB_CI_ACCESSED_AND_THROTTLED_KEYS;
    if (ddb_table_edit_or_fail(req, ddb_catalog_edit(req->eng->catalog, 16, ci_edit, &c, &updated)) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    write_names(w, updated, c.index);
    ddb_jw_key(w, "ContributorInsightsStatus");
    ddb_jw_str(w, enable ? "ENABLING" : "DISABLING");
    if (enable) {
        ddb_jw_key(w, "ContributorInsightsMode");
        ddb_jw_str(w, ddb_ci_mode_name((ddb_ci_mode)c.st.mode));
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- DescribeContributorInsights ---- */

int ddb_op_describe_contributor_insights(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1);
    const char *index = ddb_json_get_str(req->in, "IndexName");
    const ddb_ci_state *st = t != NULL ? state_of(req, t, index) : NULL;
    ddb_jw *w = &req->out;

    if (st == NULL)
        return req->err.code;
    ddb_jw_obj_begin(w);
    write_names(w, t, index);
    if (st->mode != DDB_CI_OFF)
        write_rules(req, t, index, st);
    ddb_jw_key(w, "ContributorInsightsStatus");
    ddb_jw_str(w, st->mode != DDB_CI_OFF ? "ENABLED" : "DISABLED");
    if (st->changed_ms != 0) {
        ddb_jw_key(w, "LastUpdateDateTime");
        ddb_jw_double(w, (double)st->changed_ms / 1000.0);
    }
    if (st->mode != DDB_CI_OFF) {
        ddb_jw_key(w, "ContributorInsightsMode");
        ddb_jw_str(w, ddb_ci_mode_name((ddb_ci_mode)st->mode));
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- ListContributorInsights ---- */

typedef struct ci_summary {
    const ddb_table *t;
    const char *index;
    const ddb_ci_state *st;
} ci_summary;

static int by_table_name(const void *a, const void *b)
{
    return strcmp((*(const ddb_table *const *)a)->name, (*(const ddb_table *const *)b)->name);
}

/* The enabled tables and GSIs: of table `only`, or of every table of the request's namespace. */
static size_t summaries(ddb_req *req, const ddb_table *only, ci_summary **out)
{
    const ddb_table **tables = &only;
    size_t nt = 1, n = 0;
    const char *name;

    if (only == NULL) {
        nt = ddb_catalog_snapshot(req->eng->catalog, req->arena, &tables);
        qsort(tables, nt, sizeof(tables[0]), by_table_name);
    }
    *out = DDB_NEW_ARRAY(req->arena, ci_summary, nt * (DDB_MAX_INDEXES + 1) + 1);
    for (size_t i = 0; i < nt; i++) {
        const ddb_table *t = tables[i];
        if (only == NULL && !ddb_key_in_ns(t->key, req->ns, &name))
            continue;
        if (t->ci.mode != DDB_CI_OFF)
            (*out)[n++] = (ci_summary){t, NULL, &t->ci};
        for (unsigned k = 0; k < t->nindexes; k++)
            if (t->indexes[k].kind == DDB_IX_GLOBAL && t->indexes[k].ci.mode != DDB_CI_OFF)
                (*out)[n++] = (ci_summary){t, t->indexes[k].name, &t->indexes[k].ci};
    }
    return n;
}

/* NextToken is the place of the next summary: a number below the count, given out by a page. */
static int token_place(const char *token, size_t n, size_t *place)
{
    char *end;
    unsigned long long v;

    if (token == NULL) {
        *place = 0;
        return 0;
    }
    v = strtoull(token, &end, 10);
    if (token[0] < '0' || token[0] > '9' || *end != '\0' || v == 0 || v >= n)
        return -1;
    *place = (size_t)v;
    return 0;
}

int ddb_op_list_contributor_insights(ddb_req *req)
{
    const ddb_table *t = NULL;
    const ddb_json *max = ddb_json_get(req->in, "MaxResults");
    size_t limit = max != NULL ? (size_t)ddb_json_ll(req->in, "MaxResults") : LIST_DEFAULT, n, from, i;
    ci_summary *s;
    ddb_jw *w = &req->out;

    if (req->table != NULL &&
        (t = ddb_table_or_fail(req, req->table, 1)) == NULL)
        return req->err.code;
    n = summaries(req, t, &s);
    if (token_place(ddb_json_get_str(req->in, "NextToken"), n, &from) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid NextToken");
    limit = limit > 0 ? limit : LIST_DEFAULT;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ContributorInsightsSummaries");
    ddb_jw_arr_begin(w);
    for (i = from; i < n && i < from + limit; i++) {
        ddb_jw_obj_begin(w);
        write_names(w, s[i].t, s[i].index);
        ddb_jw_key(w, "ContributorInsightsStatus");
        ddb_jw_str(w, "ENABLED");
        ddb_jw_key(w, "ContributorInsightsMode");
        ddb_jw_str(w, ddb_ci_mode_name((ddb_ci_mode)s[i].st->mode));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    if (i < n) {
        ddb_jw_key(w, "NextToken");
        ddb_jw_str(w, ddb_arena_sprintf(req->arena, "%zu", i));
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}
