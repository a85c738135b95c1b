/*
 * server/ops/table_desc.c: a table's description as the table operations answer it (see table_desc.h).
 */
#include "server/ops/table_desc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/arn.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/table_stats.h"
#include "server/ops/ops_common.h"
#include "server/ops/stream_spec.h"

/* The table's and its indexes' exact figures (engine/table_stats.h), or an internal error. */
static const ddb_table_figures *table_figures(ddb_req *req, const ddb_table *t)
{
    ddb_table_figures *f = DDB_NEW(req->arena, ddb_table_figures);
    uint64_t every = (uint64_t)ddb_count_refresh_s(req->eng) * 1000; /* --count-refresh: as last refreshed */

    if ((every != 0 ? ddb_table_figures_refreshed(req->eng->store, t, every, f)
                    : ddb_table_figures_exact(req->eng->store, t, f)) != DDB_STORE_OK)
        ddb_req_fail_internal(req); /* never a wrong count: the description is not sent */
    return f;
}

const char *ddb_billing_mode(const ddb_table *t)
{
    return ddb_capacity_provisioned(t) ? "PROVISIONED" : "PAY_PER_REQUEST"; /* typed by the catalog */
}

long long ddb_json_ll(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);
    return ddb_json_integer(v, 0);
}

void ddb_write_index_shape(ddb_jw *w, const ddb_json *ix)
{
    const char *name = ddb_json_get_str(ix, "IndexName");

    ddb_jw_member_str(w, "IndexName", name != NULL ? name : "");
    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(ix, "KeySchema"));
    ddb_jw_key(w, "Projection");
    ddb_jw_json(w, ddb_json_get(ix, "Projection"));
}

void ddb_write_throughput(ddb_jw *w, const ddb_json *pt, int pay_per_request)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    if (ddb_json_get(pt, "LastIncreaseDateTime")) {
        ddb_jw_key(w, "LastIncreaseDateTime");
        ddb_jw_json(w, ddb_json_get(pt, "LastIncreaseDateTime"));
    }
    if (ddb_json_get(pt, "LastDecreaseDateTime")) {
        ddb_jw_key(w, "LastDecreaseDateTime");
        ddb_jw_json(w, ddb_json_get(pt, "LastDecreaseDateTime"));
    }
    ddb_jw_key(w, "NumberOfDecreasesToday"); /* the count of the UTC day it was kept for (ops_update_table.c) */
    ddb_jw_int(w, ddb_json_ll(pt, "ddbdDecreasesDay") == (long long)(ddb_clock_now_s() / 86400)
                      ? ddb_json_ll(pt, "NumberOfDecreasesToday")
                      : 0);
    ddb_jw_member_int(w, "ReadCapacityUnits", pay_per_request ? 0 : ddb_json_ll(pt, "ReadCapacityUnits"));
    ddb_jw_member_int(w, "WriteCapacityUnits", pay_per_request ? 0 : ddb_json_ll(pt, "WriteCapacityUnits"));
    ddb_jw_obj_end(w);
}

/* OnDemandThroughput: the maximums set; none set, it is left out (as DynamoDB leaves it). */
static void write_on_demand(ddb_jw *w, const ddb_capacity *c)
{
    if (c->max_read == 0 && c->max_write == 0)
        return;
    ddb_jw_key(w, "OnDemandThroughput");
    ddb_jw_obj_begin(w);
    if (c->max_read != 0)
        ddb_jw_member_int(w, "MaxReadRequestUnits", c->max_read);
    if (c->max_write != 0)
        ddb_jw_member_int(w, "MaxWriteRequestUnits", c->max_write);
    ddb_jw_obj_end(w);
}

/* WarmThroughput, always reported for a table and its GSIs (TableWarmThroughputDescription). */
static void write_warm(ddb_jw *w, const long long v[2], const char *status)
{
    ddb_jw_key(w, "WarmThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "ReadUnitsPerSecond", v[0]);
    ddb_jw_member_int(w, "WriteUnitsPerSecond", v[1]);
    ddb_jw_member_str(w, "Status", status);
    ddb_jw_obj_end(w);
}

/* An index's IndexSizeBytes and ItemCount (nothing yet while it is built), and its IndexArn. */
static void write_figures(ddb_req *req, const ddb_table *t, const ddb_index *ix, const ddb_table_figures *fig)
{
    ddb_jw *w = &req->out;
    /* one being backfilled has partial entries, one being deleted is no longer kept: neither counted */
    ddb_keyspace_figures st = fig != NULL && ddb_index_countable(ix) && !ddb_creating_now(req->eng, t, ix)
                                  ? ddb_table_figures_index(fig, ix->id)
                                  : (ddb_keyspace_figures){0, 0, 0};

    ddb_jw_member_int(w, "IndexSizeBytes", (long long)st.bytes);
    ddb_jw_member_int(w, "ItemCount", (long long)st.items);
    ddb_jw_member_str(w, "IndexArn", ddb_arena_sprintf(req->arena, "%s/index/%s", ddb_table_arn(req, t), ix->name));
}

/* A GSI is CREATING while it is built, while the clock has not reached its end of CREATING
   (--table-states: ddb_creating_now), and while its table is CREATING. */
static int gsi_creating(const ddb_engine *eng, const ddb_table *t, const ddb_index *ix)
{
    return ix->state == DDB_IX_CREATING || ddb_creating_now(eng, t, ix) || ddb_creating_now(eng, t, NULL);
}

/* A GSI's IndexStatus, and Backfilling while it is CREATING on its own (an UpdateTable's Create);
   one made with its table is CREATING with it, with nothing to backfill. */
static void write_gsi_state(ddb_jw *w, const ddb_engine *eng, const ddb_table *t, const ddb_index *ix)
{
    int pending = ddb_creating_now(eng, t, ix);

    ddb_jw_member_str(w, "IndexStatus",
                      pending || ddb_creating_now(eng, t, NULL) ? "CREATING" : ddb_index_state_name(ix->state));
    if (ix->state == DDB_IX_CREATING || pending)
        ddb_jw_member_bool(w, "Backfilling", ix->backfilling || pending);
}

/* What a table's index lists are written from: the request, the table, its figures, and whether
   its throughput is provisioned per replica. */
typedef struct index_list {
    ddb_req *req;
    const ddb_table *t;
    const ddb_table_figures *fig;
    int ppr;
} index_list;

/* The list `name` of the table's indexes of `kind`, each {"IndexName", then what one() writes};
   left out when it has none, as DynamoDB leaves it out. */
static void write_index_list(const index_list *l, ddb_index_kind kind, const char *name,
                             void (*one)(const index_list *l, const ddb_index *ix))
{
    ddb_jw *w = &l->req->out;
    int open = 0;

    for (unsigned i = 0; i < l->t->nindexes; i++) {
        const ddb_index *ix = &l->t->indexes[i];
        if (ix->kind != kind)
            continue;
        if (!open) {
            ddb_jw_key(w, name);
            ddb_jw_arr_begin(w);
            open = 1;
        }
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "IndexName", ix->name);
        one(l, ix);
        ddb_jw_obj_end(w);
    }
    if (open)
        ddb_jw_arr_end(w);
}

/* A local or global secondary index's description. */
static void write_index(const index_list *l, const ddb_index *ix)
{
    ddb_req *req = l->req;
    const ddb_table *t = l->t;
    ddb_jw *w = &req->out;

    ddb_jw_key(w, "KeySchema");
    ddb_jw_json(w, ddb_json_get(ix->desc, "KeySchema"));
    ddb_jw_key(w, "Projection");
    ddb_jw_json(w, ddb_json_get(ix->desc, "Projection"));
    if (ix->kind == DDB_IX_GLOBAL) {
        write_gsi_state(w, req->eng, t, ix);
        ddb_write_throughput(w, ddb_json_get(ix->desc, "ProvisionedThroughput"), l->ppr);
    }
    write_figures(req, t, ix, l->fig);
    if (ix->kind == DDB_IX_GLOBAL) {
        long long warm[2];
        ddb_warm_throughput(t, ix, warm);
        write_on_demand(w, &ix->capacity);
        /* a GSI being built is warmed with it (DynamoDB's GlobalSecondaryIndexWarmThroughputDescription) */
        write_warm(w, warm, gsi_creating(req->eng, t, ix) ? "CREATING" : "ACTIVE");
    }
}

/* A vector index's VectorIndexDescription, its members in the API model's order. */
static void write_vector_index(const index_list *l, const ddb_index *ix)
{
    static const char *const defined[] = {"SearchSchema", "Projection", "VectorAttribute", NULL};
    static const char *const metric[] = {"DistanceFunction", NULL};
    ddb_jw *w = &l->req->out;

    ddb_write_members(w, ix->desc, defined);
    ddb_jw_key(w, "Dimensions"); /* as the index has it: 6.7 was truncated to 6, as DynamoDB does */
    ddb_jw_int(w, ix->vec->dims);
    ddb_write_members(w, ix->desc, metric);
    ddb_jw_member_str(w, "IndexStatus", ddb_index_state_name(ix->state));
    /* the developer guide: no longer reported once ACTIVE */
    if (ix->state == DDB_IX_CREATING)
        ddb_jw_member_bool(w, "Backfilling", ix->backfilling);
    write_figures(l->req, l->t, ix, l->fig);
}

/* UPDATING while an index is being built or removed, as DynamoDB reports it. */
/* ---- a global table (ops_replicas.c) ---- */

/* A replica's own read maximum (ReplicaUpdates' OnDemandThroughputOverride), from its table when
   it is this server's (a peer server's replica has none: ops_replicas.c). */
static void write_replica_override(ddb_req *req, ddb_jw *w, const ddb_table *t, const char *region)
{
    const ddb_table *r = ddb_catalog_get(req->eng->catalog, ddb_replica_key(req->arena, t, region));
    const ddb_json *odo = r != NULL ? ddb_json_get(r->desc, "OnDemandThroughputOverride") : NULL;

    if (odo == NULL || odo->type != DDB_JSON_OBJECT)
        return;
    ddb_jw_key(w, "OnDemandThroughputOverride");
    ddb_jw_json(w, odo);
}

void ddb_replicas_describe(ddb_req *req, ddb_jw *w, const ddb_table *t)
{
    if (t->rep.id == 0 || t->rep.nreplicas < 2)
        return;
    ddb_jw_member_str(w, "GlobalTableVersion", "2019.11.21");
    ddb_jw_key(w, "Replicas");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->rep.nreplicas; i++) { /* the others: never the region described */
        if (strcmp(t->rep.replicas[i].region, t->region) == 0)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "RegionName", t->rep.replicas[i].region);
        ddb_jw_member_str(w, "ReplicaStatus", ddb_replica_state_name(ddb_replica_state_now(&t->rep.replicas[i])));
        ddb_jw_key(w, "ReplicaArn"); /* in the API model since March 2026 */
        ddb_jw_str(w, ddb_arn_table(req->arena, t->rep.replicas[i].region, ddb_table_account(t), t->name, NULL, NULL));
        write_replica_override(req, w, t, t->rep.replicas[i].region);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    if (!t->rep.strong) /* DynamoDB leaves EVENTUAL out */
        return;
    ddb_jw_member_str(w, "MultiRegionConsistency", "STRONG");
    if (t->rep.witness == NULL)
        return;
    ddb_jw_key(w, "GlobalTableWitnesses");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "RegionName", t->rep.witness);
    ddb_jw_key(w, "WitnessStatus"); /* it holds no table: ready when the replicas are */
    ddb_jw_str(w, ddb_replicas_status(t) != NULL ? "CREATING" : "ACTIVE");
    ddb_jw_obj_end(w);
    ddb_jw_arr_end(w);
}

const char *ddb_replicas_status(const ddb_table *t)
{
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        int self = strcmp(t->rep.replicas[i].region, t->region) == 0;
        ddb_replica_state st = ddb_replica_state_now(&t->rep.replicas[i]);
        if (self && st == DDB_REPLICA_CREATING)
            return "CREATING";
        if (!self && (st == DDB_REPLICA_CREATING || st == DDB_REPLICA_DELETING))
            return "UPDATING";
    }
    return NULL;
}

const char *ddb_table_status(const ddb_engine *eng, const ddb_table *t)
{
    const char *group = ddb_replicas_status(t);

    if (t->restoring || ddb_creating_now(eng, t, NULL))
        return "CREATING"; /* a restore fills it (engine/backups.h), as DynamoDB reports one */
    if (group != NULL)
        return group;
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].state != DDB_IX_ACTIVE || ddb_creating_now(eng, t, &t->indexes[i]))
            return "UPDATING";
    }
    return "ACTIVE";
}

/* A restored table's RestoreSummary (engine/backups.h keeps its members in "ddbdRestore"). */
static void write_restore_summary(ddb_jw *w, const ddb_table *t)
{
    const ddb_json *r = ddb_json_get(t->desc, "ddbdRestore");
    static const char *const members[] = {"SourceBackupArn", "SourceTableArn", "RestoreDateTime", NULL};

    if (r == NULL)
        return;
    ddb_jw_key(w, "RestoreSummary");
    ddb_jw_obj_begin(w);
    ddb_write_members(w, r, members);
    ddb_jw_member_bool(w, "RestoreInProgress", t->restoring);
    ddb_jw_obj_end(w);
}

/* SSESpecification's KMS encryption (Enabled): DynamoDB's SSEDescription without a key's ARN, there
   being no KMS here; the default, an AWS owned key, is described by nothing, as in DynamoDB. */
static void write_sse(ddb_jw *w, const ddb_json *sse)
{
    const ddb_json *on = ddb_json_get(sse, "Enabled");

    if (on == NULL || on->type != DDB_JSON_BOOL || !on->u.b)
        return;
    ddb_jw_key(w, "SSEDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "Status", "ENABLED");
    ddb_jw_member_str(w, "SSEType", "KMS");
    ddb_jw_obj_end(w);
}

/* The table's OnDemandThroughput and WarmThroughput, as stored or as `echo` has them. */
static void write_table_throughput(ddb_jw *w, const ddb_table *t, const char *status, const ddb_throughput_echo *echo)
{
    long long warm[2];

    if (echo != NULL && echo->odt != NULL) {
        ddb_jw_key(w, "OnDemandThroughput");
        ddb_jw_json(w, echo->odt);
    } else {
        write_on_demand(w, &t->capacity);
    }
    ddb_warm_throughput(t, NULL, warm);
    if (echo != NULL && echo->warm_before != NULL)
        write_warm(w, echo->warm_before, "UPDATING");
    else /* a table still being made is warmed with it */
        write_warm(w, warm, strcmp(status, "CREATING") == 0 ? "CREATING" : "ACTIVE");
}

static void write_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count,
                              const ddb_throughput_echo *echo);

void ddb_write_table_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count)
{
    write_description(req, t, wrapper, status, count, NULL);
}

void ddb_write_table_description_echo(ddb_req *req, const ddb_table *t, const char *status,
                                      const ddb_throughput_echo *echo)
{
    write_description(req, t, "TableDescription", status, 1, echo);
}

/* Writes "<wrapper>": TableDescription. */
static void write_description(ddb_req *req, const ddb_table *t, const char *wrapper, const char *status, int count,
                              const ddb_throughput_echo *echo)
{
    ddb_jw *w = &req->out;
    const ddb_json *d = t->desc;
    int ppr = strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") == 0;
    const ddb_table_figures *fig = count ? table_figures(req, t) : NULL;
    /* DeleteTable's answer leaves out the schema, the creation time and the index lists (the API
     * reference's example and captures of DynamoDB); DescribeTable of a DELETING table keeps them */
    int deleting = strcmp(wrapper, "TableDescription") == 0 && strcmp(status, "DELETING") == 0;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, wrapper);
    ddb_jw_obj_begin(w);
    if (!deleting) {
        ddb_jw_key(w, "AttributeDefinitions");
        ddb_jw_json(w, ddb_json_get(d, "AttributeDefinitions"));
    }
    ddb_jw_member_str(w, "TableName", t->name);
    if (!deleting) {
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, ddb_json_get(d, "KeySchema"));
    }
    ddb_jw_member_str(w, "TableStatus", status);
    if (!deleting) {
        ddb_jw_key(w, "CreationDateTime");
        ddb_jw_json(w, ddb_json_get(d, "CreationDateTime"));
    }
    ddb_write_throughput(w, ddb_json_get(d, "ProvisionedThroughput"), ppr);
    ddb_jw_member_int(w, "TableSizeBytes", fig != NULL ? fig->bytes : 0);
    ddb_jw_member_int(w, "ItemCount", fig != NULL ? fig->items : 0);
    ddb_jw_member_str(w, "TableArn", ddb_table_arn(req, t));
    ddb_jw_member_str(w, "TableId", ddb_json_get_str(d, "TableId") ? ddb_json_get_str(d, "TableId") : "");
    /* DynamoDB reports the billing mode once it has been set explicitly (at creation or by UpdateTable) */
    if (ddb_json_get(d, "BillingMode") != NULL) {
        const ddb_json *switched = ddb_json_get(d, "BillingModeUpdated");
        ddb_jw_key(w, "BillingModeSummary");
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "BillingMode", ddb_billing_mode(t));
        if (ppr || switched != NULL) {
            ddb_jw_key(w, "LastUpdateToPayPerRequestDateTime");
            ddb_jw_json(w, switched ? switched : ddb_json_get(d, "CreationDateTime"));
        }
        ddb_jw_obj_end(w);
    }
    if (!deleting) {
        index_list l = {req, t, fig, ppr};
        write_index_list(&l, DDB_IX_LOCAL, "LocalSecondaryIndexes", write_index);
        write_index_list(&l, DDB_IX_GLOBAL, "GlobalSecondaryIndexes", write_index);
        write_index_list(&l, DDB_IX_VECTOR, "VectorIndexes", write_vector_index);
    }
    if (t->stream.spec != NULL && t->stream.id != 0) {
        ddb_jw_key(w, "StreamSpecification");
        ddb_jw_json(w, t->stream.spec);
    }
    ddb_stream_describe(req, w, t);
    ddb_replicas_describe(req, w, t);
    write_sse(w, ddb_json_get(d, "SSESpecification"));
    if (ddb_json_get(d, "TableClass")) {
        ddb_jw_key(w, "TableClassSummary");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "TableClass");
        ddb_jw_json(w, ddb_json_get(d, "TableClass"));
        if (ddb_json_get(d, "TableClassUpdated") != NULL) { /* after an UpdateTable changed it */
            ddb_jw_key(w, "LastUpdateDateTime");
            ddb_jw_json(w, ddb_json_get(d, "TableClassUpdated"));
        }
        ddb_jw_obj_end(w);
    }
    write_restore_summary(w, t);
    ddb_jw_key(w, "DeletionProtectionEnabled");
    ddb_jw_bool(w, ddb_json_get(d, "DeletionProtectionEnabled") && ddb_json_get(d, "DeletionProtectionEnabled")->u.b);
    if (!deleting)
        write_table_throughput(w, t, status, echo);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}
