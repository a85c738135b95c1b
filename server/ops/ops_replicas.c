/*
 * server/ops/ops_replicas.c: global tables, version 2019.11.21: UpdateTable's ReplicaUpdates, the
 * Replicas a description shows and a replica's DeleteTable (DescribeTableReplicaAutoScaling and
 * UpdateTableReplicaAutoScaling: ops_replica_autoscaling.c).
 *
 * A replica in another region is the same table in that region's namespace of this server
 * (--namespaces), made as CreateTable makes a table from the source's description, CREATING until
 * the replication worker has filled it (engine/jobs/replication.h). Every replica lists every
 * replica ("ddbdReplication", catalog.h); DescribeTable shows the others. The rules and messages
 * are DynamoDB's, as recorded against it (docs/compatibility.md, "Global tables").
 *
 * MultiRegionConsistency STRONG: a group of three regions (two Creates, or one and a witness from
 * GlobalTableWitnessUpdates, a region that holds no table) is made in one call and torn down in
 * one; its writes reach every replica in the same commit (engine/mutation.h), not through the
 * worker.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/base/regions.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/peer.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/replication.h"
#include "server/engine/history/streams.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_replicas.h"
#include "server/ops/ops_xfer.h"
#include "server/ops/stream_spec.h"
#include "server/ops/table_create.h"
#include "server/ops/table_desc.h"
#include "server/ops/table_throughput.h"

#define VERSION "2019.11.21"
#define INVALID "One or more parameter values were invalid: "

/* Whether `r` is in the NULL-ended list. */
static int listed(const char *const *list, const char *r)
{
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], r) == 0)
            return 1;
    return 0;
}

/* The regions of global tables 2019.11.21: base/regions.def's rows marked so. */
static int region_supported(const char *r)
{
    for (unsigned i = 0; ddb_region_global_tables(i) != NULL; i++)
        if (strcmp(ddb_region_global_tables(i), r) == 0)
            return 1;
    return 0;
}

static const char *regions_text(ddb_arena *a)
{
    const char *s = "[";

    for (unsigned i = 0; ddb_region_global_tables(i) != NULL; i++)
        s = ddb_arena_sprintf(a, "%s%s%s", s, i ? ", " : "", ddb_region_global_tables(i));
    return ddb_arena_sprintf(a, "%s]", s);
}

/* ---- the request ---- */

#define MAX_ACTIONS DDB_MAX_REPLICAS

typedef struct replica_plan {
    const char *create[MAX_ACTIONS]; /* the regions Creates add */
    const ddb_json *create_act[MAX_ACTIONS];
    unsigned ncreate;
    const char *remove[MAX_ACTIONS]; /* the regions Deletes remove */
    unsigned nremove;
    const char *update;              /* the region an Update changes, or NULL */
    const ddb_json *update_act;
    const char *witness_create;      /* GlobalTableWitnessUpdates */
    const char *witness_delete;
    const char *mrc;                 /* MultiRegionConsistency, or NULL */
    int strong;                      /* it is STRONG */
} replica_plan;

/* The request's other members that make a change: ReplicaUpdates must come alone. */
static int alone(const ddb_json *in)
{
    static const char *const others[] = {"ProvisionedThroughput", "BillingMode", "StreamSpecification",
                                         "GlobalSecondaryIndexUpdates", "SSESpecification", "TableClass",
                                         "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput",
                                         "VectorIndexUpdates", NULL};

    for (int i = 0; others[i] != NULL; i++)
        if (ddb_json_get(in, others[i]) != NULL)
            return 0;
    return 1;
}

static int has(const char *const *v, unsigned n, const char *r)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(v[i], r) == 0)
            return 1;
    return 0;
}

static int too_many(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "Update table operation with more than one create or delete replica actions not allowed");
}

static int mixed(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "Update table operation with more than one type of replica actions not allowed.");
}

/* One element of ReplicaUpdates into the plan. A STRONG group is made by two Creates in one call
   and torn down by Deleting every other replica in one: the one-action rule is EVENTUAL's. */
static int plan_one(ddb_req *req, const ddb_table *t, const ddb_json *u, replica_plan *p)
{
    const ddb_json *c = ddb_json_get(u, "Create"), *d = ddb_json_get(u, "Delete"), *up = ddb_json_get(u, "Update");

    if ((c != NULL) + (d != NULL) + (up != NULL) > 1)
        return mixed(req);
    if (up != NULL && up->type == DDB_JSON_OBJECT && up->n <= 1)
        up = NULL; /* RegionName alone changes nothing */
    if (c == NULL && d == NULL && up == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "There are no actions specified in the Replica Update Action of the request.");
    if ((c != NULL && p->nremove) || (d != NULL && p->ncreate) || (up != NULL && (p->ncreate || p->nremove)) ||
        ((c != NULL || d != NULL) && p->update))
        return mixed(req);
    if (c != NULL) {
        const char *r = ddb_json_get_str(c, "RegionName");
        if (has(p->create, p->ncreate, r))
            return DDB_OK; /* the same Create twice is one */
        if ((p->ncreate > 0 && !p->strong) || p->ncreate == MAX_ACTIONS)
            return too_many(req);
        if (ddb_bulk_in_progress_on(req, t)) /* the developer guide's bulk put considerations */
            return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                                "Attempt to change a resource which is still in use: Table has a bulk operation in "
                                "progress: %s",
                                t->name);
        p->create_act[p->ncreate] = c;
        p->create[p->ncreate++] = r;
    } else if (d != NULL) {
        const char *r = ddb_json_get_str(d, "RegionName");
        if ((p->nremove > 0 && !t->rep.strong) || p->nremove == MAX_ACTIONS)
            return too_many(req);
        if (!has(p->remove, p->nremove, r))
            p->remove[p->nremove++] = r;
    } else {
        p->update = ddb_json_get_str(up, "RegionName");
        p->update_act = up;
    }
    return DDB_OK;
}

/* The shape of ReplicaUpdates and GlobalTableWitnessUpdates, in DynamoDB's order of checks. */
static int plan_actions(ddb_req *req, const ddb_table *t, replica_plan *p)
{
    const ddb_json *list = ddb_json_get(req->in, "ReplicaUpdates"), *w = ddb_json_get(req->in, "GlobalTableWitnessUpdates");

    memset(p, 0, sizeof(*p));
    p->mrc = ddb_json_get_str(req->in, "MultiRegionConsistency");
    p->strong = p->mrc != NULL && strcmp(p->mrc, "STRONG") == 0;
    if (!alone(req->in))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            p->mrc != NULL || w != NULL
                                ? "Requests that modify replicas or witnesses must not also modify other fields"
                                : INVALID "Replica modification must be the only operation in the request");
    for (uint32_t i = 0; list != NULL && i < list->n; i++)
        if (plan_one(req, t, list->u.items[i], p) != DDB_OK)
            return req->err.code;
    if (w != NULL && w->n > 0) {
        p->witness_create = ddb_json_get_str(ddb_json_get(w->u.items[0], "Create"), "RegionName");
        p->witness_delete = ddb_json_get_str(ddb_json_get(w->u.items[0], "Delete"), "RegionName");
    }
    return DDB_OK;
}

/* What a replica action may name: a region of global tables, not the table's own. The local region
   is "Cannot add or delete ..." for a Create or a Delete (the ACK controller's captured quirks,
   DDB-TABLE-223, verified 2026-10-09) and "Cannot add, delete, or update ..." for an Update (a
   Terraform run's error and the provider's own note, docs/compatibility.md). */
static int check_region(ddb_req *req, const ddb_table *t, const char *r, int update)
{
    if (r == NULL)
        return DDB_OK;
    if (!region_supported(r))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Region %s is not supported. The latest version of global tables are only supported in "
                            "the following regions: %s.",
                            r, regions_text(req->arena));
    if (strcmp(r, t->region) == 0)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Cannot add%s the local region through ReplicaUpdates. Use CreateTable, "
                            "DeleteTable, or UpdateTable as required.",
                            update ? ", delete, or update" : " or delete");
    return DDB_OK;
}

/*
 * OnDemandThroughputOverride: its read maximum judged as the table's OnDemandThroughput's (-1, which
 * removes the override, only in an Update); a peer server's replica keeps no override of its own.
 */
static int check_on_demand_override(ddb_req *req, const ddb_json *act, int is_update)
{
    const ddb_json *odo = ddb_json_get(act, "OnDemandThroughputOverride");
    const char *msg;

    if (odo == NULL)
        return DDB_OK;
    if (ddb_peer_url(req->eng, ddb_json_get_str(act, "RegionName")) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            INVALID "OnDemandThroughputOverride is not supported by ddbd for a replica on a "
                                    "--region-peer server (docs/compatibility.md)");
    if ((msg = ddb_on_demand_rules(req->arena, odo, 1, NULL, is_update)) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "%s", msg);
    return DDB_OK;
}

/* The members ddbd does not act on are refused, not dropped (docs/compatibility.md). */
static int check_overrides(ddb_req *req, const ddb_json *act, int is_update)
{
    static const char *const unsupported[] = {"KMSMasterKeyId", "GlobalSecondaryIndexes", NULL};

    if (is_update && ddb_json_get(act, "ProvisionedThroughputOverride") != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
                            "PAY_PER_REQUEST");
    if (check_on_demand_override(req, act, is_update) != DDB_OK)
        return req->err.code;
    for (int i = 0; unsupported[i] != NULL; i++)
        if (ddb_json_get(act, unsupported[i]) != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                INVALID "%s is not supported by ddbd for a replica (docs/compatibility.md)",
                                unsupported[i]);
    return DDB_OK;
}

/* The regions of Multi-Region strong consistency: DynamoDB's US, EU and AP region sets. */
static const char *const strong_regions[] = {"us-east-1",    "us-east-2",      "us-west-2",      "eu-west-1",
                                             "eu-west-2",    "eu-west-3",      "eu-central-1",   "ap-northeast-1",
                                             "ap-northeast-2", "ap-northeast-3", NULL};

/* The region set (US, EU or AP) of a strong_regions member: its prefix; every replica and the
   witness of a STRONG group are in one (the API reference, CreateGlobalTableWitnessGroupMemberAction). */
static int same_set(const char *a, const char *b)
{
    return strncmp(a, b, 3) == 0;
}

#define STRONG_COUNT "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG."

/* MultiRegionConsistency and witnesses: a STRONG group is born whole and torn down whole. */
static int check_strong(ddb_req *req, const ddb_table *t, const replica_plan *p)
{
    const char *bad = NULL;

    if (p->mrc != NULL && t->rep.id != 0 && t->rep.nreplicas > 1)
        return ddb_req_fail(req, DDB_E_VALIDATION, "%s",
                            p->strong && !t->rep.strong ? STRONG_COUNT
                                                        : "MultiRegionConsistency parameter is unsupported on "
                                                          "existing global table");
    if (p->strong) {
        if (p->nremove > 0 || p->witness_delete != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Only Replica Create actions are supported when "
                                                       "MultiRegionConsistency parameter is provided.");
        if (p->witness_create != NULL && has(p->create, p->ncreate, p->witness_create))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Cannot target multiple regions with the same action");
        if (p->witness_create != NULL && strcmp(p->witness_create, t->region) == 0)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Cannot add a witness in the same region as an existing replica when creating a "
                                "global table with MultiRegionConsistency set to STRONG.");
        if (p->ncreate + (p->witness_create != NULL) != 2)
            return ddb_req_fail(req, DDB_E_VALIDATION, STRONG_COUNT);
        for (unsigned i = 0; i < p->ncreate; i++)
            if (ddb_peer_url(req->eng, p->create[i]) != NULL)
                return ddb_req_fail(req, DDB_E_VALIDATION,
                                    INVALID "MultiRegionConsistency STRONG needs every replica on this server; %s is "
                                            "a --region-peer region (docs/compatibility.md)",
                                    p->create[i]);
        for (unsigned i = 0; i <= p->ncreate; i++) {
            const char *r = i < p->ncreate ? p->create[i] : p->witness_create;
            if (r != NULL && region_supported(r) &&
                (!listed(strong_regions, r) || (listed(strong_regions, t->region) && !same_set(r, t->region))))
                bad = bad == NULL ? r : ddb_arena_sprintf(req->arena, "%s, %s", bad, r);
        }
        if (bad != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Unsupported Region(s) specified for global tables with MultiRegionConsistency set "
                                "to STRONG: [%s].",
                                bad);
        return DDB_OK;
    }
    if (!t->rep.strong || (p->nremove == 0 && p->witness_delete == NULL))
        return DDB_OK;
    if (p->witness_delete != NULL && (t->rep.witness == NULL || strcmp(p->witness_delete, t->rep.witness) != 0))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Update global table operation failed because one or more witnesses were not part of the "
                            "global table. Please retry the request without these witnesses: [%s].",
                            p->witness_delete);
    if (p->nremove == 0) /* the witness alone: two replicas would be left */
        return ddb_req_fail(req, DDB_E_VALIDATION, STRONG_COUNT);
    if (p->nremove + 1 < t->rep.nreplicas)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Deletion of only one table replica is not supported for global tables with "
                            "MultiRegionConsistency set to STRONG.");
    if (t->rep.witness != NULL && p->witness_delete == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Update table delete operation does not include all witnesses.");
    return DDB_OK;
}

/*
 * What ddbd does not serve on a STRONG table, refused in its own words (DynamoDB's texts for these
 * were not recorded; docs/compatibility.md): local secondary indexes and time to live, as DynamoDB
 * documents for Multi-Region strong consistency.
 */
static int check_strong_table(ddb_req *req, const ddb_table *t)
{
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_LOCAL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                INVALID "a table with local secondary indexes cannot become a global table with "
                                        "MultiRegionConsistency set to STRONG");
    if (t->ttl.enabled)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            INVALID "a table with time to live enabled cannot become a global table with "
                                    "MultiRegionConsistency set to STRONG");
    return DDB_OK;
}

/* Whether the group after the Creates would have more than two regions, one of them a peer server's
   (a group across servers is two replicas: its members are announced only to each other). */
static int spans_servers(ddb_req *req, const ddb_table *t, const replica_plan *p)
{
    unsigned n = t->rep.id != 0 ? t->rep.nreplicas : 1;
    int peer = 0;

    for (unsigned i = 0; t->rep.id != 0 && i < t->rep.nreplicas; i++)
        peer |= ddb_peer_url(req->eng, t->rep.replicas[i].region) != NULL;
    for (unsigned i = 0; i < p->ncreate; i++)
        peer |= ddb_peer_url(req->eng, p->create[i]) != NULL;
    return peer && n + p->ncreate > 2;
}

/* The table's state and the group's, for the planned actions. */
static int check_state(ddb_req *req, const ddb_table *t, const replica_plan *p)
{
    for (unsigned i = 0; i < p->ncreate; i++)
        if (check_region(req, t, p->create[i], 0) != DDB_OK)
            return req->err.code;
    for (unsigned i = 0; i < p->nremove; i++)
        if (check_region(req, t, p->remove[i], 0) != DDB_OK)
            return req->err.code;
    if (check_region(req, t, p->update, 1) != DDB_OK || check_strong(req, t, p) != DDB_OK)
        return req->err.code;
    for (unsigned i = 0; i < p->ncreate; i++)
        if (check_overrides(req, p->create_act[i], 0) != DDB_OK)
            return req->err.code;
    if (p->update != NULL && check_overrides(req, p->update_act, 1) != DDB_OK)
        return req->err.code;
    if (ddb_replicas_status(t) != NULL || strcmp(ddb_table_status(req->eng, t), "ACTIVE") != 0)
        return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE, "The resource which you are attempting to change is in use.");
    for (unsigned i = 0; i <= p->nremove; i++) {
        const char *r = i < p->nremove ? p->remove[i] : p->update;
        if (r != NULL && ddb_table_replica(t, r) == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Update global table operation failed because one or more replicas were not part of "
                                "the global table. Please retry the request without these replicas: [%s].",
                                r);
    }
    for (unsigned i = 0; i < p->ncreate; i++) /* a peer's region: the peer checks (CREATION_FAILED) */
        if (ddb_table_replica(t, p->create[i]) != NULL ||
            (ddb_peer_url(req->eng, p->create[i]) == NULL &&
             ddb_catalog_get(req->eng->catalog, ddb_replica_key(req->arena, t, p->create[i]))))
            return ddb_replica_exists_fail(req, t->name);
    if (p->ncreate > 0 && spans_servers(req, t, p))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            INVALID "a global table with a replica on a --region-peer server has two replicas, one "
                                    "on each server (docs/compatibility.md)");
    if (p->ncreate > 0 && strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") != 0 && !req->write_autoscaled)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Table write capacity should either be Pay-Per-Request or AutoScaled.");
    if (p->ncreate > 0 && t->rep.strong)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Cannot add replicas to a global table with strong MultiRegionConsistency");
    if (p->strong && check_strong_table(req, t) != DDB_OK)
        return req->err.code;
    return DDB_OK;
}

/* ---- Create ---- */

static const char *const THROUGHPUT_MEMBERS[] = {"OnDemandThroughput", "WarmThroughput", NULL};

/* The members of `desc` named in `names` that it has. */
static void copy_members(ddb_jw *w, const ddb_json *desc, const char *const *names)
{
    for (int i = 0; names[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(desc, names[i]);
        if (v != NULL && v->type == DDB_JSON_OBJECT) {
            ddb_jw_key(w, names[i]);
            ddb_jw_json(w, v);
        }
    }
}

/* A provisioned table's (or index's) capacity as CreateTable takes it (a seed's auto scaled table:
   ddb_req.write_autoscaled). */
static void write_capacity(ddb_jw *w, const ddb_json *desc)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    for (int i = 0; i < 2; i++) {
        ddb_jw_key(w, i ? "WriteCapacityUnits" : "ReadCapacityUnits");
        ddb_jw_int(w, ddb_json_integer(ddb_json_get(ddb_json_get(desc, "ProvisionedThroughput"),
                                                     i ? "WriteCapacityUnits" : "ReadCapacityUnits"), 1));
    }
    ddb_jw_obj_end(w);
}

/* A new replica's throughput settings are the table's (DynamoDB keeps them in step across the
   group), its read maximum the Create's OnDemandThroughputOverride when it has one. */
static void write_throughput(ddb_arena *a, ddb_jw *w, const ddb_table *t, const ddb_json *act)
{
    const ddb_json *odt = ddb_replica_on_demand(a, &t->capacity, ddb_json_get(act, "OnDemandThroughputOverride"));

    if (odt != NULL) {
        ddb_jw_key(w, "OnDemandThroughput");
        ddb_jw_json(w, odt);
    }
    copy_members(w, t->desc, THROUGHPUT_MEMBERS + 1);
}

/* t's indexes of one kind (not those being deleted) as CreateTable's list `list`: each its
   IndexName and its members `defined` as stored; an LSI's and a GSI's throughput settings, and a
   provisioned table's GSI its capacity. A vector index is copied as the developer guide's "Using
   vector indexes with global tables" says (each definition, the new replica indexing its items). */
static void write_index_list(ddb_jw *w, const ddb_table *t, ddb_index_kind kind, const char *list,
                             const char *const *defined, int provisioned)
{
    int any = 0;

    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind != kind || ix->state == DDB_IX_DELETING)
            continue;
        if (!any++) {
            ddb_jw_key(w, list);
            ddb_jw_arr_begin(w);
        }
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "IndexName", ix->name);
        ddb_write_members(w, ix->desc, defined);
        if (kind != DDB_IX_VECTOR)
            copy_members(w, ix->desc, THROUGHPUT_MEMBERS);
        if (provisioned && kind == DDB_IX_GLOBAL)
            write_capacity(w, ix->desc);
        ddb_jw_obj_end(w);
    }
    if (any)
        ddb_jw_arr_end(w);
}

/* The CreateTable request that makes t's replica: its schema, indexes, billing, throughput
   settings and stream (view -1: none, a STRONG table's that had none). */
static const char *replica_request(ddb_arena *a, const ddb_table *t, const ddb_json *act, int view)
{
    static const char *const copied[] = {"AttributeDefinitions", "KeySchema", "TableClass", NULL};
    static const char *const keyed[] = {"KeySchema", "Projection", NULL};
    static const char *const vector_defined[] = {"VectorAttribute", "Dimensions", "DistanceFunction", "SearchSchema",
                                                 "Projection", NULL};
    int provisioned = strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") != 0; /* (a seed's auto scaled one) */
    ddb_buf b = {0};
    ddb_jw w;
    const char *text;

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, t->name);
    for (int i = 0; copied[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(t->desc, copied[i]);
        if (v != NULL && v->type != DDB_JSON_NULL) {
            ddb_jw_key(&w, copied[i]);
            ddb_jw_json(&w, i == 2 && ddb_json_get(act, "TableClassOverride") ? ddb_json_get(act, "TableClassOverride")
                                                                              : v);
        }
    }
    if (ddb_json_get(t->desc, "TableClass") == NULL && ddb_json_get(act, "TableClassOverride") != NULL) {
        ddb_jw_key(&w, "TableClass");
        ddb_jw_json(&w, ddb_json_get(act, "TableClassOverride"));
    }
    ddb_jw_key(&w, "BillingMode");
    ddb_jw_str(&w, provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
    if (provisioned)
        write_capacity(&w, t->desc);
    write_throughput(a, &w, t, act);
    write_index_list(&w, t, DDB_IX_LOCAL, "LocalSecondaryIndexes", keyed, provisioned);
    write_index_list(&w, t, DDB_IX_GLOBAL, "GlobalSecondaryIndexes", keyed, provisioned);
    write_index_list(&w, t, DDB_IX_VECTOR, "VectorIndexes", vector_defined, 0);
    if (view >= 0) {
        ddb_jw_key(&w, "StreamSpecification");
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "StreamEnabled");
        ddb_jw_bool(&w, 1);
        ddb_jw_key(&w, "StreamViewType");
        ddb_jw_str(&w, ddb_stream_view_name(view));
        ddb_jw_obj_end(&w);
    }
    ddb_jw_obj_end(&w);
    text = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return text;
}

/* An in-process request on t's replica in `region` (its namespace). */
static void replica_req(ddb_req *r, ddb_req *req, const ddb_table *t, const char *region, int op, const ddb_json *in,
                        ddb_buf *out)
{
    ddb_req_internal(r, req, req->arena, op, in, out, t->account, region, ddb_ns_of(req->arena, t->account, region));
}

/* The read maximum a replica action sets as that replica's own (NULL: none, or -1, which removes it). */
static const ddb_json *read_override(const ddb_json *act)
{
    const ddb_json *odo = ddb_json_get(act, "OnDemandThroughputOverride");

    return ddb_json_get(odo, "MaxReadRequestUnits") != NULL && ddb_json_ll(odo, "MaxReadRequestUnits") > 0 ? odo
                                                                                                         : NULL;
}

typedef struct replica_more {
    ddb_replication_member m;
    const ddb_json *override; /* OnDemandThroughputOverride, or NULL */
} replica_more;

/* A new replica's catalog members: the group, and the read maximum that is its own. */
static void replica_members(ddb_desc_edit *e, void *ctx)
{
    replica_more *more = ctx;

    ddb_edit_replication_more(e, &more->m);
    if (more->override != NULL)
        ddb_edit_set(e, DDB_DESC_OnDemandThroughputOverride, more->override);
}

/* Creates the replica table in region `region`: CREATING, to be filled from t's region (t's
   member, after the change, gives the group: its list, consistency and witness). */
static int create_replica_table(ddb_req *req, const ddb_table *t, const ddb_json *act, const char *region, int view)
{
    const char *text = replica_request(req->arena, t, act, view);
    ddb_json *in = ddb_json_parse(req->arena, text, strlen(text));
    ddb_buf out = {0};
    ddb_req r;
    replica_more more = {.override = read_override(act)};
    const ddb_table *made;
    int rc;

    ddb_table_replication(t, req->arena, &more.m);
    more.m.fill_from = t->region;
    replica_req(&r, req, t, region, DDB_OP_CreateTable, in, &out);
    if ((more.m.id = ddb_catalog_new_id(req->eng->catalog)) == 0)
        return ddb_req_fail_internal(req);
    rc = ddb_table_create(&r, in, replica_members, &more, &made);
    ddb_buf_free(&out);
    if (rc == 1)
        return ddb_replica_exists_fail(req, t->name);
    if (rc != 0)
        return ddb_req_fail(req, r.err.code ? r.err.code : DDB_E_INTERNAL, "%s",
                            r.err.msg ? r.err.msg : DDB_MSG_INTERNAL);
    return DDB_OK;
}

/* A peer's CreateTable (engine/jobs/peer.h): the replica's request, the group, filled from t's region. */
static const char *peer_create_request(ddb_arena *a, const ddb_table *t, const ddb_json *act, int view,
                                       const ddb_replication_member *m)
{
    const char *table = replica_request(a, t, act, view), *text;
    ddb_buf b = {0};
    ddb_jw w;

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "Table");
    ddb_jw_json(&w, ddb_json_parse(a, table, strlen(table)));
    ddb_jw_key(&w, "Replicas");
    ddb_jw_arr_begin(&w);
    for (unsigned i = 0; i < m->n; i++) {
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "RegionName");
        ddb_jw_str(&w, m->replicas[i].region);
        ddb_jw_key(&w, "ReplicaStatus");
        ddb_jw_str(&w, ddb_replica_state_name(m->replicas[i].state));
        ddb_jw_obj_end(&w);
    }
    ddb_jw_arr_end(&w);
    ddb_jw_key(&w, "FillFrom");
    ddb_jw_str(&w, t->region);
    ddb_jw_obj_end(&w);
    text = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return text;
}

typedef struct source_edit {
    ddb_req *req;
    const char *name;
    const replica_plan *p;
    int view;            /* the stream's view type (-1: none) */
    uint64_t active_at;  /* --table-states: the new replicas' end of CREATING (0: once filled) */
} source_edit;

/* The source's change: the group with the new regions CREATING (and a STRONG group's consistency
   and witness), and a stream if it had none (EVENTUAL: DynamoDB's replication reads it). */
static int build_source(void *ctx, ddb_desc_edit **e)
{
    source_edit *s = ctx;
    ddb_req *req = s->req;
    const ddb_table *t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, s->name));
    ddb_replication_member m;
    ddb_batch *extra;

    if (t == NULL)
        return 1;
    if (check_state(req, t, s->p) != DDB_OK)
        return -2;
    ddb_table_replication(t, req->arena, &m);
    if (m.n == 0) { /* it becomes a global table */
        ddb_replica *v = DDB_NEW_ARRAY(req->arena, ddb_replica, 1 + s->p->ncreate);
        if ((m.id = ddb_catalog_new_id(req->eng->catalog)) == 0) {
            ddb_req_fail_internal(req);
            return -2;
        }
        v[0] = (ddb_replica){t->region, DDB_REPLICA_ACTIVE};
        m = (ddb_replication_member){m.id, VERSION, s->p->strong, v, 1, NULL, s->p->witness_create};
    } else {
        ddb_replica *v = DDB_NEW_ARRAY(req->arena, ddb_replica, m.n + s->p->ncreate);
        memcpy(v, m.replicas, sizeof(*v) * m.n);
        m.replicas = v;
    }
    for (unsigned i = 0; i < s->p->ncreate; i++)
        ((ddb_replica *)m.replicas)[m.n++] = (ddb_replica){s->p->create[i], DDB_REPLICA_CREATING, s->active_at};
    *e = ddb_desc_edit_of(req->arena, t);
    ddb_edit_replication(*e, &m);
    extra = ddb_arena_alloc(req->arena, sizeof(*extra));
    ddb_batch_init(extra, req->arena);
    s->view = t->stream.id != 0 ? (int)t->stream.view : -1;
    if (t->stream.id == 0 && !m.strong) { /* DynamoDB turns on a NEW_AND_OLD_IMAGES stream itself */
        stream_plan sp = {1, ddb_catalog_new_id(req->eng->catalog), ddb_stream_label(req->arena, ddb_clock_now_ms()),
                          DDB_VIEW_NEW_AND_OLD_IMAGES};
        if (sp.id == 0) {
            ddb_req_fail_internal(req);
            return -2;
        }
        ddb_stream_plan_edit(req, *e, t, &sp);
        ddb_stream_plan_registry(req, t->key, ddb_json_get(t->desc, "KeySchema"), t, &sp, extra);
        s->view = DDB_VIEW_NEW_AND_OLD_IMAGES;
    }
    for (unsigned i = 0; i < s->p->ncreate; i++) /* a peer's new replica: its CreateTable, sent by the worker */
        if (ddb_peer_url(req->eng, s->p->create[i]) != NULL)
            ddb_peer_outbox_add(extra, req->arena, t->region, t->key, s->p->create[i], "CreateTable",
                                peer_create_request(req->arena, t, s->p->create_act[i], s->view, &m));
    ddb_edit_extra(*e, extra);
    return 0;
}

static int add_replicas(ddb_req *req, const ddb_table *t, const replica_plan *p, const ddb_table **out)
{
    /* under --table-states a new replica is CREATING for its time, as a new table is, even once
       filled: every replica's list says so (ddb_replica's active_at) */
    source_edit s = {req, t->name, p, 0, ddb_state_until(req)};
    int rc;

    for (unsigned i = 0; i < p->ncreate; i++) /* a full region is known before the source lists its replica */
        if (ddb_peer_url(req->eng, p->create[i]) == NULL &&
            ddb_table_room(req, ddb_ns_of(req->arena, t->account, p->create[i])) != DDB_OK)
            return req->err.code;
    rc = ddb_catalog_edit(req->eng->catalog, 16, build_source, &s, out);

    if (rc == -2)
        return req->err.code;
    if (rc != 0)
        return ddb_req_fail_internal(req);
    for (unsigned i = 0; i < p->ncreate; i++)
        if (ddb_peer_url(req->eng, p->create[i]) == NULL &&
            create_replica_table(req, *out, p->create_act[i], p->create[i], s.view) != DDB_OK)
            return req->err.code;
    for (unsigned i = 0; i < (*out)->rep.nreplicas; i++) { /* the other replicas learn of them */
        const char *r = (*out)->rep.replicas[i].region;
        if (strcmp(r, t->region) == 0 || has(p->create, p->ncreate, r))
            continue;
        for (unsigned k = 0; k < p->ncreate; k++)
            ddb_replicas_set(req->eng, req->arena, ddb_replica_key(req->arena, t, r), p->create[k],
                             DDB_REPLICA_CREATING, s.active_at);
    }
    ddb_replication_kick(req->eng);
    return DDB_OK;
}

/* ---- Delete and DeleteTable ---- */

static int remove_local_replica(ddb_req *req, const ddb_table *t, const char *region);

typedef struct peer_delete {
    ddb_req *req;
    const char *name, *region;
} peer_delete;

/* A peer's replica: DELETING here, and its DeleteTable queued; the worker drops it once sent. */
static int build_peer_delete(void *ctx, ddb_desc_edit **e)
{
    peer_delete *d = ctx;
    ddb_req *req = d->req;
    const ddb_table *t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, d->name));
    ddb_replication_member m;
    ddb_batch *extra = ddb_arena_alloc(req->arena, sizeof(*extra));

    if (t == NULL || t->rep.id == 0)
        return 1;
    ddb_table_replication(t, req->arena, &m);
    for (unsigned i = 0; i < m.n; i++)
        if (strcmp(m.replicas[i].region, d->region) == 0)
            ((ddb_replica *)m.replicas)[i].state = DDB_REPLICA_DELETING;
    *e = ddb_desc_edit_of(req->arena, t);
    ddb_edit_replication(*e, &m);
    ddb_batch_init(extra, req->arena);
    ddb_peer_outbox_add(extra, req->arena, t->region, t->key, d->region, "DeleteTable",
                        ddb_arena_sprintf(req->arena, "{\"TableName\":\"%s\"}", t->name));
    ddb_edit_extra(*e, extra);
    return 0;
}

/* Deletes the replica in `region` as DeleteTable there would. */
static int remove_replica(ddb_req *req, const ddb_table *t, const char *region)
{
    if (ddb_peer_url(req->eng, region) != NULL) {
        peer_delete d = {req, t->name, region};
        const ddb_table *out;
        if (ddb_catalog_edit(req->eng->catalog, 16, build_peer_delete, &d, &out) < 0)
            return ddb_req_fail_internal(req);
        ddb_replication_kick(req->eng);
        return DDB_OK;
    }
    return remove_local_replica(req, t, region);
}

/* Under --table-states a Delete leaves the replica DELETING for its time in every list of this
   server, its own included (its region then describes it DELETING: ops_table.c's DeleteTable); the
   replication worker drops it from the others' lists when the time comes. A STRONG group goes whole
   and at once. `until` 0 (its DeleteTable refused) puts it back ACTIVE. */
static void mark_deleting(ddb_req *req, const ddb_table *t, const char *region, uint64_t until)
{
    for (unsigned i = 0; i < t->rep.nreplicas; i++)
        if (ddb_peer_url(req->eng, t->rep.replicas[i].region) == NULL)
            ddb_replicas_set(req->eng, req->arena, ddb_replica_key(req->arena, t, t->rep.replicas[i].region), region,
                             until != 0 ? DDB_REPLICA_DELETING : DDB_REPLICA_ACTIVE, until);
}

/* Deletes the replica in `region`, a region of this server. */
static int remove_local_replica(ddb_req *req, const ddb_table *t, const char *region)
{
    const ddb_table *dst = ddb_catalog_get(req->eng->catalog, ddb_replica_key(req->arena, t, region));
    const ddb_json *protect = dst != NULL ? ddb_json_get(dst->desc, "DeletionProtectionEnabled") : NULL;
    uint64_t until = t->rep.strong ? 0 : ddb_state_until(req);
    ddb_buf out = {0};
    ddb_req r;
    ddb_jw w;
    ddb_buf body = {0};

    if (protect != NULL && protect->type == DDB_JSON_BOOL && protect->u.b)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Cannot delete table %s in region %s because it has deletion protection enabled. Disable "
                            "deletion protection first.",
                            t->name, region);
    if (dst == NULL) { /* gone already: only the group remembers it */
        ddb_replicas_edit(req->eng, req->arena, t->key, region, -1, 0);
        return DDB_OK;
    }
    if (until != 0)
        mark_deleting(req, t, region, until);
    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, t->name);
    ddb_jw_obj_end(&w);
    replica_req(&r, req, t, region, DDB_OP_DeleteTable,
                ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, body.data, body.len), body.len), &out);
    ddb_op_delete_table(&r);
    ddb_buf_free(&out);
    ddb_buf_free(&body);
    if (r.err.code != DDB_OK && r.err.code != DDB_E_RESOURCE_NOT_FOUND) { /* (gone meanwhile: it goes at its time) */
        if (until != 0)
            mark_deleting(req, t, region, 0);
        return ddb_req_fail(req, r.err.code, "%s", r.err.msg ? r.err.msg : "");
    }
    return DDB_OK;
}

/* ---- Update ---- */

typedef struct replica_edit {
    ddb_req *req;
    const ddb_table *src; /* the table the request names */
    const char *key;      /* its replica's */
    const ddb_json *act;  /* the Update */
} replica_edit;

/* The replica's table class, and its read maximum: the override's, or with -1 the group's again. */
static int build_update(void *ctx, ddb_desc_edit **e)
{
    replica_edit *u = ctx;
    const ddb_table *t = ddb_catalog_get(u->req->eng->catalog, u->key);
    const ddb_json *cls = ddb_json_get(u->act, "TableClassOverride");

    if (t == NULL)
        return 1;
    *e = ddb_desc_edit_of(u->req->arena, t);
    if (cls != NULL)
        ddb_edit_set(*e, DDB_DESC_TableClass, cls);
    if (ddb_json_get(ddb_json_get(u->act, "OnDemandThroughputOverride"), "MaxReadRequestUnits") != NULL) {
        const ddb_json *odo = read_override(u->act);
        ddb_edit_set(*e, DDB_DESC_OnDemandThroughput, ddb_replica_on_demand(u->req->arena, &u->src->capacity, odo));
        ddb_edit_set(*e, DDB_DESC_OnDemandThroughputOverride, odo);
    }
    return 0;
}

/* An Update: its TableClassOverride becomes that replica's table class, its
   OnDemandThroughputOverride that replica's read maximum. */
static int update_replica(ddb_req *req, const ddb_table *t, const replica_plan *p)
{
    replica_edit u = {req, t, ddb_replica_key(req->arena, t, p->update), p->update_act};
    const ddb_table *out;

    if (ddb_catalog_edit(req->eng->catalog, 16, build_update, &u, &out) < 0)
        return ddb_req_fail_internal(req);
    return DDB_OK;
}

int ddb_replica_exists_fail(ddb_req *req, const char *table)
{
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "Failed to create a the new replica of table with name: '%s' because one or more "
                        "replicas already existed as tables.",
                        table);
}

int ddb_replica_updates(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 1), *now = NULL;
    replica_plan p;

    if (t == NULL || plan_actions(req, t, &p) != DDB_OK)
        return req->err.code;
    if (!req->eng->settings.namespaces)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            INVALID "replicas need --namespaces: without it every region shares one table "
                                    "(docs/compatibility.md)");
    if (check_state(req, t, &p) != DDB_OK)
        return req->err.code;
    if (p.ncreate > 0 && add_replicas(req, t, &p, &now) != DDB_OK)
        return req->err.code;
    for (unsigned i = 0; i < p.nremove; i++) /* a STRONG group's witness goes with its last replica */
        if (remove_replica(req, t, p.remove[i]) != DDB_OK)
            return req->err.code;
    if (p.update != NULL && update_replica(req, t, &p) != DDB_OK)
        return req->err.code;
    /* a Create answers with the group it made (the worker may have filled the replica since) */
    if (now == NULL && (now = ddb_catalog_get(req->eng->catalog, t->key)) == NULL)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", t->name);
    ddb_write_table_description(req, now, "TableDescription",
                                p.ncreate || p.nremove ? "UPDATING" : ddb_table_status(req->eng, now), 1);
    return DDB_OK;
}
