/*
 * server/ops/table_throughput.c: UpdateTable's OnDemandThroughput and WarmThroughput (see
 * table_throughput.h). The rules' texts are validate_throughput.c's; what a change does follows
 * the captures that file cites: a maximum of -1 removes it (DescribeTable then leaves it out, while
 * UpdateTable's answer echoes the -1), warm throughput only rises, and re-sending the current warm
 * throughput is accepted and changes nothing.
 */
#include "server/ops/table_throughput.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"

static const char *const ODT_UNITS[] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};
static const char *const WARM_UNITS[] = {"ReadUnitsPerSecond", "WriteUnitsPerSecond"};

static int on_demand_next(const ddb_table *t, const char *mode)
{
    return strcmp(mode != NULL ? mode : ddb_billing_mode(t), "PAY_PER_REQUEST") == 0;
}

/* A request member that is an object with members (an empty one changes nothing), or NULL. */
static const ddb_json *object_of(const ddb_json *obj, const char *name)
{
    const ddb_json *v = ddb_json_get(obj, name);

    return v != NULL && v->type == DDB_JSON_OBJECT && v->n > 0 ? v : NULL;
}

/* The GSI an Update action names, or NULL (plan_gsi_updates reports an unknown one). */
static const ddb_index *updated_gsi(const ddb_table *t, const ddb_json *upd)
{
    const char *name = ddb_json_get_str(upd, "IndexName");
    const ddb_index *ix = name != NULL ? ddb_table_index(t, name) : NULL;

    return ix != NULL && ix->kind == DDB_IX_GLOBAL ? ix : NULL;
}

/* One GlobalSecondaryIndexUpdates action's members against the table. */
static const char *gsi_rules(ddb_req *req, const ddb_table *t, const ddb_json *u, int ppr)
{
    const ddb_json *upd = object_of(u, "Update"), *cre = object_of(u, "Create");
    const ddb_index *ix = upd != NULL ? updated_gsi(t, upd) : NULL;
    long long cur[2];
    const char *msg;

    if (ix != NULL) {
        ddb_warm_throughput(t, ix, cur);
        if ((msg = ddb_on_demand_rules(req->arena, ddb_json_get(upd, "OnDemandThroughput"), ppr, ix->name, 1)))
            return msg;
        return ddb_warm_update_rules(req->arena, ddb_json_get(upd, "WarmThroughput"), cur, ix->name);
    }
    if (cre == NULL)
        return NULL;
    if ((msg = ddb_on_demand_rules(req->arena, ddb_json_get(cre, "OnDemandThroughput"), ppr,
                                   ddb_json_get_str(cre, "IndexName"), 0)) != NULL)
        return msg;
    return ddb_warm_create_rules(req->arena, ddb_json_get(cre, "WarmThroughput"), ppr,
                                 ddb_json_get(cre, "ProvisionedThroughput"), ddb_json_get_str(cre, "IndexName"));
}

int ddb_throughput_check(ddb_req *req, const ddb_table *t, const char *mode)
{
    const ddb_json *updates = ddb_json_get(req->in, "GlobalSecondaryIndexUpdates");
    int ppr = on_demand_next(t, mode);
    long long cur[2];
    const char *msg;

    ddb_warm_throughput(t, NULL, cur);
    msg = ddb_on_demand_rules(req->arena, ddb_json_get(req->in, "OnDemandThroughput"), ppr, NULL, 1);
    if (msg == NULL)
        msg = ddb_warm_update_rules(req->arena, ddb_json_get(req->in, "WarmThroughput"), cur, NULL);
    for (uint32_t i = 0; msg == NULL && updates != NULL && updates->type == DDB_JSON_ARRAY && i < updates->n; i++)
        msg = gsi_rules(req, t, updates->u.items[i], ppr);
    return msg != NULL ? ddb_req_fail(req, DDB_E_VALIDATION, "%s", msg) : DDB_OK;
}

/* {names[0]: v[0], names[1]: v[1]} of the values above 0 (and below, with `negative`). */
static const ddb_json *pair_json(ddb_arena *a, const char *const names[2], const long long v[2], int negative)
{
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_json *out;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    for (int i = 0; i < 2; i++) {
        if (v[i] > 0 || (negative && v[i] < 0)) {
            ddb_jw_key(&w, names[i]);
            ddb_jw_int(&w, v[i]);
        }
    }
    ddb_jw_obj_end(&w);
    out = ddb_json_parse(a, ddb_arena_strndup(a, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
    return out;
}

/* The maximums once `odt`'s are in: each one sent replaces the stored one, -1 included. */
static void merged_max(const ddb_capacity *c, const ddb_json *odt, long long out[2])
{
    out[0] = c->max_read;
    out[1] = c->max_write;
    for (int i = 0; i < 2; i++) {
        const ddb_json *v = ddb_json_get(odt, ODT_UNITS[i]);
        if (v != NULL && v->type == DDB_JSON_NUMBER)
            out[i] = ddb_json_ll(odt, ODT_UNITS[i]);
    }
}

/* The warm throughput once `warm` is in (the rules refused a decrease); whether it rose. */
static int raised_warm(const long long cur[2], const ddb_json *warm, long long out[2])
{
    int up = 0;

    for (int i = 0; i < 2; i++) {
        const ddb_json *v = ddb_json_get(warm, WARM_UNITS[i]);
        out[i] = cur[i];
        if (v != NULL && v->type == DDB_JSON_NUMBER && ddb_json_ll(warm, WARM_UNITS[i]) > cur[i]) {
            out[i] = ddb_json_ll(warm, WARM_UNITS[i]);
            up = 1;
        }
    }
    return up;
}

/* Each GSI: an Update's members; on a table turning PROVISIONED, its maximums go. */
static void gsi_edits(ddb_req *req, ddb_desc_edit *e, const ddb_table *t, int ppr)
{
    static const ddb_json none = {.type = DDB_JSON_OBJECT};
    const ddb_json *updates = ddb_json_get(req->in, "GlobalSecondaryIndexUpdates");
    long long v[2], cur[2];

    for (unsigned i = 0; !ppr && i < t->nindexes; i++)
        if (t->indexes[i].capacity.max_read != 0 || t->indexes[i].capacity.max_write != 0)
            ddb_edit_index_member(e, &t->indexes[i], "OnDemandThroughput", &none);
    for (uint32_t i = 0; updates != NULL && updates->type == DDB_JSON_ARRAY && i < updates->n; i++) {
        const ddb_json *upd = object_of(updates->u.items[i], "Update");
        const ddb_index *ix = upd != NULL ? updated_gsi(t, upd) : NULL;
        if (ix == NULL)
            continue;
        if (object_of(upd, "OnDemandThroughput") != NULL) {
            merged_max(&ix->capacity, ddb_json_get(upd, "OnDemandThroughput"), v);
            ddb_edit_index_member(e, ix, "OnDemandThroughput", pair_json(req->arena, ODT_UNITS, v, 0));
        }
        ddb_warm_throughput(t, ix, cur);
        if (raised_warm(cur, ddb_json_get(upd, "WarmThroughput"), v))
            ddb_edit_index_member(e, ix, "WarmThroughput", pair_json(req->arena, WARM_UNITS, v, 0));
    }
}

void ddb_throughput_edit(ddb_req *req, ddb_desc_edit *e, const ddb_table *t, const char *mode,
                         ddb_throughput_echo *echo)
{
    const ddb_json *odt = object_of(req->in, "OnDemandThroughput");
    int ppr = on_demand_next(t, mode), switched = mode != NULL && strcmp(mode, ddb_billing_mode(t)) != 0;
    long long max[2], next[2], *cur = DDB_NEW_ARRAY(req->arena, long long, 2); /* the echo's */

    memset(echo, 0, sizeof(*echo));
    if (!ppr && (t->capacity.max_read != 0 || t->capacity.max_write != 0)) {
        ddb_edit_set(e, DDB_DESC_OnDemandThroughput, NULL);
    } else if (odt != NULL) {
        merged_max(&t->capacity, odt, max);
        echo->odt = pair_json(req->arena, ODT_UNITS, max, 1);
        ddb_edit_set(e, DDB_DESC_OnDemandThroughput,
                     max[0] > 0 || max[1] > 0 ? pair_json(req->arena, ODT_UNITS, max, 0) : NULL);
    }
    ddb_warm_throughput(t, NULL, cur);
    if (raised_warm(cur, ddb_json_get(req->in, "WarmThroughput"), next))
        echo->warm_before = cur;
    if (echo->warm_before != NULL || switched) /* kept through a billing change: it never falls */
        ddb_edit_set(e, DDB_DESC_WarmThroughput, pair_json(req->arena, WARM_UNITS, next, 0));
    gsi_edits(req, e, t, ppr);
}

const ddb_json *ddb_replica_on_demand(ddb_arena *a, const ddb_capacity *src, const ddb_json *override)
{
    long long v[2] = {src->max_read, src->max_write};
    const ddb_json *read = ddb_json_get(override, ODT_UNITS[0]);

    if (read != NULL && read->type == DDB_JSON_NUMBER && ddb_json_ll(override, ODT_UNITS[0]) > 0)
        v[0] = ddb_json_ll(override, ODT_UNITS[0]);
    return v[0] > 0 || v[1] > 0 ? pair_json(a, ODT_UNITS, v, 0) : NULL;
}
