/*
 * server/ops/stream_spec.c: StreamSpecification in the table operations (see stream_spec.h).
 */
#include "server/ops/stream_spec.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/history/streams.h"
#include "server/ops/ops_common.h"

int ddb_stream_plan(ddb_req *req, const ddb_table *cur, stream_plan *p)
{
    const ddb_json *spec = ddb_json_get(req->in, "StreamSpecification");
    const ddb_json *on = ddb_json_get(spec, "StreamEnabled");
    const char *name = req->table;

    memset(p, 0, sizeof(*p));
    if (on == NULL || on->type != DDB_JSON_BOOL) /* validation refused anything else */
        return DDB_OK;
    if (!on->u.b) {
        if (cur == NULL)
            return DDB_OK; /* CreateTable with the stream disabled: no stream */
        if (cur->rep.id != 0 && cur->rep.nreplicas > 1) /* replication reads it (engine/jobs/replication.h) */
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Disabling Stream is not allowed for a "
                                "Global Table replica.");
        if (cur->stream.id == 0)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Table has no stream to disable: TableName: %s", cur->name);
        p->change = -1;
        return DDB_OK;
    }
    if (cur != NULL && cur->stream.id != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Table already has an enabled stream: TableName: %s",
                            cur ? cur->name : name);
    if ((p->id = ddb_catalog_new_id(req->eng->catalog)) == 0)
        return ddb_req_fail_internal(req);
    p->change = 1;
    p->label = ddb_stream_label(req->arena, ddb_clock_now_ms());
    p->view = ddb_stream_view_parse(ddb_json_get_str(spec, "StreamViewType"));
    return DDB_OK;
}

void ddb_stream_plan_edit(ddb_req *req, ddb_desc_edit *e, const ddb_table *cur, const stream_plan *p)
{
    ddb_stream_member s;

    memset(&s, 0, sizeof(s));
    if (p->change == 1) {
        s = (ddb_stream_member){p->id, p->label, p->view, 1, {ddb_engine_nshards(req->eng)}, 1};
        ddb_edit_stream(e, &s);
        return;
    }
    if (cur == NULL || cur->stream.last_id == 0) {
        ddb_edit_stream(e, NULL);
        return;
    }
    /* disabled now or before: the latest stream stays, with its label (DescribeTable's LatestStreamArn) */
    s.id = cur->stream.last_id;
    s.label = cur->stream.label;
    s.view = cur->stream.view;
    s.enabled = p->change == 0 && cur->stream.id != 0;
    memcpy(s.counts, cur->stream.counts, sizeof(unsigned) * cur->stream.ngens);
    s.ngens = cur->stream.ngens;
    ddb_edit_stream(e, &s);
}

/* The registry entry of the table's enabled stream, turned DISABLED now. */
static void disable_entry(ddb_req *req, const ddb_table *cur, ddb_batch *extra)
{
    ddb_stream_info info;

    if (ddb_stream_info_get(req->eng->store, req->arena, cur->stream.id, &info) != 0)
        return;
    info.disabled_ms = ddb_clock_now_ms();
    ddb_stream_info_put(extra, req->arena, &info);
}

void ddb_stream_plan_registry(ddb_req *req, const char *table, const ddb_json *key_schema, const ddb_table *cur,
                              const stream_plan *p, ddb_batch *extra)
{
    ddb_stream_info info;

    if (p->change == -1)
        disable_entry(req, cur, extra);
    if (p->change != 1)
        return;
    memset(&info, 0, sizeof(info));
    info.id = p->id;
    info.table = table;
    info.label = p->label;
    info.view = p->view;
    info.key_schema = key_schema;
    info.created_ms = ddb_clock_now_ms();
    info.gens[0] = (ddb_stream_gen){ddb_engine_nshards(req->eng), info.created_ms, NULL};
    info.ngens = 1;
    info.ordered_ids = 1;
    info.continued = 1;
    ddb_stream_info_put(extra, req->arena, &info);
}

void ddb_stream_table_deleted(ddb_req *req, const ddb_table *t, ddb_batch *extra)
{
    if (t->stream.id != 0)
        disable_entry(req, t, extra);
}

void ddb_stream_describe(ddb_req *req, ddb_jw *w, const ddb_table *t)
{
    if (t->stream.label == NULL)
        return;
    ddb_jw_key(w, "LatestStreamLabel");
    ddb_jw_str(w, t->stream.label);
    ddb_jw_key(w, "LatestStreamArn");
    ddb_jw_str(w, ddb_stream_arn(req->arena, req->region, ddb_table_account(t), t->name, t->stream.label));
}
