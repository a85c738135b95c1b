/*
 * server/ops/ops_update_table.c: UpdateTable: billing mode and throughput (OnDemandThroughput and
 * WarmThroughput: table_throughput.c), deletion protection, table class, GlobalSecondaryIndexUpdates
 * (Create, Update, Delete) and VectorIndexUpdates (Create, Delete).
 *
 * The new description is an edit of the live one, committed compare-and-swap (catalog_edit.h):
 * when another change won meanwhile, it is computed again from that one, so two concurrent
 * UpdateTables never lose either change. A created index starts CREATING with Backfilling and a
 * deleted one turns DELETING; the background tasks (engine/tasks.h) build or purge it.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/peer.h"
#include "server/engine/jobs/tasks.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_replicas.h"
#include "server/ops/replica_vectors.h"
#include "server/ops/stream_spec.h"
#include "server/ops/table_desc.h"
#include "server/ops/table_throughput.h"

#define MAX_GSIS 20
#define PPR_ONLY "One or more parameter values were invalid: Vector indexes are only supported for PAY_PER_REQUEST tables"
#define CAS_TRIES 16

static int same_throughput(const ddb_json *a, const ddb_json *b)
{
    return ddb_json_ll(a, "ReadCapacityUnits") == ddb_json_ll(b, "ReadCapacityUnits") &&
           ddb_json_ll(a, "WriteCapacityUnits") == ddb_json_ll(b, "WriteCapacityUnits");
}

/* DynamoDB's rules for a throughput or billing change that does nothing or contradicts the mode. */
static int check_billing(ddb_req *req, const ddb_table *t, const char *mode, const ddb_json *pt)
{
    const char *cur = ddb_billing_mode(t);
    const char *next = mode ? mode : cur;
    const ddb_json *curpt = ddb_json_get(t->desc, "ProvisionedThroughput");

    if (strcmp(next, "PAY_PER_REQUEST") != 0 &&
        (t->nvector > 0 || ddb_json_get(req->in, "VectorIndexUpdates") != NULL)) /* (captured: compatibility.md) */
        return ddb_req_fail(req, DDB_E_VALIDATION, PPR_ONLY);
    if (strcmp(next, "PAY_PER_REQUEST") == 0 && pt != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                            "can be specified when BillingMode is PAY_PER_REQUEST");
    /* also when the table is PROVISIONED already (ACK's captured quirks DDB-TABLE-057, 2026-10-08) */
    if (mode != NULL && strcmp(mode, "PROVISIONED") == 0 && pt == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: ProvisionedThroughput must be specified when "
                            "BillingMode is PROVISIONED");
    if (pt != NULL && strcmp(cur, "PROVISIONED") == 0 && same_throughput(pt, curpt))
        return ddb_req_fail(
            req, DDB_E_VALIDATION,
            "The provisioned throughput for the table will not change. The requested value equals the current value. "
            "Current ReadCapacityUnits provisioned for the table: %lld. Requested ReadCapacityUnits: %lld. Current "
            "WriteCapacityUnits provisioned for the table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon "
            "DynamoDB Developer Guide for current limits and how to request higher limits.",
            ddb_json_ll(curpt, "ReadCapacityUnits"), ddb_json_ll(pt, "ReadCapacityUnits"),
            ddb_json_ll(curpt, "WriteCapacityUnits"), ddb_json_ll(pt, "WriteCapacityUnits"));
    return DDB_OK;
}

/* ---- GlobalSecondaryIndexUpdates ---- */

typedef struct gsi_plan {
    const ddb_json *create;  /* the Create member, or NULL */
    const char *delete_name; /* Delete's IndexName, or NULL */
    const ddb_json *update;  /* the Update member, or NULL */
    const char *update_name; /* its IndexName, or NULL */
    const ddb_json *update_pt;
    const ddb_json *vcreate;  /* VectorIndexUpdates' Create, or NULL */
    const char *vdelete_name; /* its Delete's IndexName, or NULL */
} gsi_plan;

/* "Schema:[SchemaElement: key{xyz:S:HASH}]": a key schema with its types, as DynamoDB prints it. */
static const char *schema_text(ddb_arena *a, const ddb_json *ks, const ddb_json *defs)
{
    const char *out = "Schema:[";

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *n = ddb_json_get_str(ks->u.items[i], "AttributeName");
        const char *type = n ? ddb_declared_type(defs, n) : NULL;
        const char *kt = ddb_json_get_str(ks->u.items[i], "KeyType");
        out = ddb_arena_sprintf(a, "%s%sSchemaElement: key{%s:%s:%s}", out, i > 0 ? ", " : "", n ? n : "",
                                type ? type : "", kt ? kt : "");
    }
    return ddb_arena_sprintf(a, "%s]", out);
}

/* The stored key schema that keys on `name`: the table's, else an LSI's, else a GSI's; or NULL. */
static const ddb_json *key_schema_of(const ddb_table *t, const char *name)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    const ddb_json *ks = ddb_json_get(t->desc, "KeySchema");

    if (ddb_attr_named(ks, name) != NULL)
        return ks;
    for (int l = 0; l < 2; l++) {
        const ddb_json *list = ddb_json_get(t->desc, lists[l]);
        for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++)
            if (ddb_attr_named(ddb_json_get(list->u.items[i], "KeySchema"), name) != NULL)
                return ddb_json_get(list->u.items[i], "KeySchema");
    }
    return NULL;
}

/* The same, or the table's key schema when no key schema has `name`. */
static const ddb_json *existing_schema(const ddb_table *t, const char *name)
{
    const ddb_json *ks = key_schema_of(t, name);

    return ks != NULL ? ks : ddb_json_get(t->desc, "KeySchema");
}

#define REDEFINED                                                                                                      \
    "One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute "     \
    "has the same type as previously defined. Existing schema: %s New schema: %s"

/* A vector index's attribute as that message prints it: "VectorIndexSchema:[VectorAttribute: key{pk:L:4}]"
   (measured against DynamoDB: ExtendDB's tests/rust/src/vector_index_update_rules.rs, 2026-08-13,
   the table's partition key as a new vector index's VectorAttribute; Dynoxide's vector tests,
   2026-08-12, a live vector attribute as a new GSI's key). */
static const char *vector_schema_text(ddb_arena *a, const char *attr, long long dims)
{
    return ddb_arena_sprintf(a, "VectorIndexSchema:[VectorAttribute: key{%s:L:%lld}]", attr, dims);
}

/* CreateTable's text for a vector attribute that is also declared (validate_vector.c): an
   UpdateTable's new vector index on a SearchSchema attribute of another (no key schema to print). */
static int vector_conflict(ddb_req *req, const char *attr)
{
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Conflicting attribute definition for '%s'. An "
                        "attribute cannot be defined in AttributeDefinitions when used as a VectorAttribute.",
                        attr);
}

/* The table's vector index on attribute `name` (`len` bytes: it may hold a NUL), or NULL. */
static const ddb_index *vector_on(const ddb_table *t, const char *name, size_t len)
{
    for (unsigned i = 0; name != NULL && i < t->nindexes; i++)
        if (t->indexes[i].vec != NULL && t->indexes[i].vec->alen == len &&
            memcmp(t->indexes[i].vec->attr, name, len) == 0)
            return &t->indexes[i];
    return NULL;
}

/* Whether the table's AttributeDefinitions declare the JSON string `name`, compared whole. */
static int declared(const ddb_table *t, const ddb_json *name)
{
    const ddb_json *defs = ddb_json_get(t->desc, "AttributeDefinitions");

    for (uint32_t i = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++) {
        const ddb_json *d = ddb_json_get(defs->u.items[i], "AttributeName");
        if (d != NULL && d->type == DDB_JSON_STRING && d->n == name->n && memcmp(d->u.s, name->u.s, d->n) == 0)
            return 1;
    }
    return 0;
}

/*
 * The new index's key attributes as the request defines them must agree with the types the table
 * already has for them (every stored index keys on them). Other definitions that disagree with the
 * stored ones are ignored, as DynamoDB does; the request's rules have checked the keys are defined.
 * DynamoDB's text, as ScyllaDB's test_gsi_updatetable.py records it from DynamoDB: "Attributes
 * cannot be redefined. ... Existing schema: Schema:[SchemaElement: key{xyz:S:HASH}] New schema:
 * Schema:[SchemaElement: key{xyz:N:HASH}]" (the existing schema is the stored one keyed on the
 * attribute; how several elements are joined is ddbd's guess). A vector index's attribute as a new
 * GSI's key gets the same text, the vector index's schema as the existing one (vector_schema_text).
 */
static int check_definitions(ddb_req *req, const ddb_table *t, const ddb_json *create)
{
    const ddb_json *defs = ddb_json_get(req->in, "AttributeDefinitions");
    const ddb_json *tdefs = ddb_json_get(t->desc, "AttributeDefinitions");
    const ddb_json *ks = ddb_json_get(create, "KeySchema");

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *n = ddb_json_get_str(ks->u.items[i], "AttributeName");
        const char *want = n ? ddb_declared_type(defs, n) : NULL, *cur = n ? ddb_declared_type(tdefs, n) : NULL;
        const ddb_index *v = n != NULL ? vector_on(t, n, strlen(n)) : NULL;
        if (v != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, REDEFINED, vector_schema_text(req->arena, n, v->vec->dims),
                                schema_text(req->arena, ks, defs));
        if (want != NULL && cur != NULL && strcmp(want, cur) != 0)
            return ddb_req_fail(req, DDB_E_VALIDATION, REDEFINED, schema_text(req->arena, existing_schema(t, n), tdefs),
                                schema_text(req->arena, ks, defs));
    }
    return DDB_OK;
}

static int count_gsis(const ddb_table *t)
{
    int n = 0;

    for (unsigned i = 0; i < t->nindexes; i++)
        n += t->indexes[i].kind == DDB_IX_GLOBAL;
    return n;
}

static int plan_create(ddb_req *req, const ddb_table *t, const char *mode, gsi_plan *p)
{
    const char *name = ddb_json_get_str(p->create, "IndexName");
    const char *next_mode = mode ? mode : ddb_billing_mode(t);
    int ppr = strcmp(next_mode, "PAY_PER_REQUEST") == 0;
    const ddb_json *pt = ddb_json_get(p->create, "ProvisionedThroughput");

    if (ddb_table_index(t, name) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Attempting to create an index which already exists");
    if (check_definitions(req, t, p->create) != DDB_OK)
        return req->err.code;
    if (ppr && pt != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                            "can be specified for index: %s when BillingMode is PAY_PER_REQUEST",
                            name);
    if (!ppr && pt == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits "
                            "must be specified for index: %s",
                            name);
    if (count_gsis(t) >= MAX_GSIS)
        return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of %d",
                            MAX_GSIS);
    return DDB_OK;
}

/* Reads VectorIndexUpdates (shapes validated: each has Create or Delete); returns how many there are. */
static int plan_vector_updates(ddb_req *req, gsi_plan *p)
{
    const ddb_json *updates = ddb_json_get(req->in, "VectorIndexUpdates");
    int n = 0;

    for (uint32_t i = 0; updates != NULL && updates->type == DDB_JSON_ARRAY && i < updates->n; i++, n++) {
        const ddb_json *cre = ddb_json_get(updates->u.items[i], "Create");
        if (cre != NULL && cre->type == DDB_JSON_OBJECT)
            p->vcreate = cre;
        else
            p->vdelete_name = ddb_json_get_str(ddb_json_get(updates->u.items[i], "Delete"), "IndexName");
    }
    return n;
}

/* A vector index created or deleted: against the table's indexes (the billing mode: check_billing). */
static int check_vector_updates(ddb_req *req, const ddb_table *t, const gsi_plan *p)
{
    if (p->vcreate != NULL) {
        const char *name = ddb_json_get_str(p->vcreate, "IndexName");
        const ddb_index *ix = ddb_table_index(t, name);
        if (ix != NULL && ix->state == DDB_IX_CREATING)
            return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                                "Attempt to change a resource which is still in use: Index is being created.  Table: "
                                "%s Index: %s",
                                t->name, name);
        if (ix != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Attempting to create an index which already exists");
        if (t->nvector >= DDB_MAX_VECTOR_INDEXES)
            return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                                "Subscriber limit exceeded: Number of vector secondary indexes exceeds per-table limit "
                                "of %d",
                                DDB_MAX_VECTOR_INDEXES);
        const ddb_json *attr = ddb_json_get(ddb_json_get(p->vcreate, "VectorAttribute"), "AttributeName");
        const ddb_index *o = attr != NULL && attr->type == DDB_JSON_STRING ? vector_on(t, attr->u.s, attr->n) : NULL;
        long long dims = ddb_json_ll(p->vcreate, "Dimensions");
        const ddb_json *ks = attr != NULL && attr->type == DDB_JSON_STRING ? key_schema_of(t, attr->u.s) : NULL;
        if (ks != NULL) /* a key of the table or of an index (measured: vector_schema_text) */
            return ddb_req_fail(req, DDB_E_VALIDATION, REDEFINED,
                                schema_text(req->arena, ks, ddb_json_get(t->desc, "AttributeDefinitions")),
                                vector_schema_text(req->arena, attr->u.s, dims));
        if (attr != NULL && attr->type == DDB_JSON_STRING && declared(t, attr))
            return vector_conflict(req, attr->u.s);
        if (o != NULL && (long long)o->vec->dims != dims) /* one dimension count an attribute (API reference) */
            return ddb_req_fail(req, DDB_E_VALIDATION, REDEFINED,
                                vector_schema_text(req->arena, attr->u.s, (long long)o->vec->dims),
                                vector_schema_text(req->arena, attr->u.s, dims));
    }
    if (p->vdelete_name != NULL) {
        const ddb_index *ix = ddb_table_index(t, p->vdelete_name);
        if (ix == NULL || ix->kind != DDB_IX_VECTOR)
            return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Index %s for table %s",
                                p->vdelete_name, t->name);
    }
    return DDB_OK;
}

/*
 * An on-demand index's Update changes its OnDemandThroughput or WarmThroughput, and nothing else:
 * ProvisionedThroughput, an empty OnDemandThroughput or the IndexName alone are refused (captured
 * against DynamoDB: the ACK controller's quirks catalogue, DDB-TABLE-456; an empty WarmThroughput
 * has its own message, validate_throughput.c's).
 */
static int on_demand_update(const gsi_plan *p)
{
    const ddb_json *odt = ddb_json_get(p->update, "OnDemandThroughput");

    if (p->update_pt != NULL)
        return 0;
    return (odt != NULL && odt->type == DDB_JSON_OBJECT && odt->n > 0) ||
           ddb_json_get(p->update, "WarmThroughput") != NULL;
}

/*
 * Whether the plan deletes ix while it is being created (the Delete cancels the build, and is the
 * request's one online change): a vector index CREATING (the conformance suite's tier2
 * updateLifecycle, against DynamoDB), a GSI CREATING with Backfilling true, which DynamoDB's API
 * reference says can be deleted (GlobalSecondaryIndexDescription, Backfilling). Every GSI that
 * UpdateTable adds is CREATING with Backfilling (table_desc.c); one made with its table is CREATING
 * only while its table is, which refuses every UpdateTable.
 */
static int deletes_own_build(const ddb_engine *eng, const ddb_table *t, const ddb_index *ix, const gsi_plan *p)
{
    const char *del = ix->kind == DDB_IX_VECTOR ? p->vdelete_name : p->delete_name;

    if (del == NULL || strcmp(ix->name, del) != 0)
        return 0;
    return ix->kind == DDB_IX_VECTOR ? ix->state == DDB_IX_CREATING
                                     : ix->state == DDB_IX_CREATING || ddb_creating_now(eng, t, ix);
}

/* Reads GlobalSecondaryIndexUpdates (shapes already validated) and checks them against the table. */
static int plan_gsi_updates(ddb_req *req, const ddb_table *t, const char *mode, gsi_plan *p)
{
    const ddb_json *updates = ddb_json_get(req->in, "GlobalSecondaryIndexUpdates");
    int online = 0;

    memset(p, 0, sizeof(*p));
    for (uint32_t i = 0; updates != NULL && updates->type == DDB_JSON_ARRAY && i < updates->n; i++) {
        const ddb_json *u = updates->u.items[i];
        const ddb_json *cre = ddb_json_get(u, "Create"), *del = ddb_json_get(u, "Delete"), *upd = ddb_json_get(u, "Update");
        if (cre != NULL && cre->type == DDB_JSON_OBJECT) {
            p->create = cre;
            online++;
        } else if (del != NULL && del->type == DDB_JSON_OBJECT) {
            p->delete_name = ddb_json_get_str(del, "IndexName");
            online++;
        }
        else if (upd != NULL && upd->type == DDB_JSON_OBJECT) {
            p->update = upd;
            p->update_name = ddb_json_get_str(upd, "IndexName");
            p->update_pt = ddb_json_get(upd, "ProvisionedThroughput");
        }
    }
    online += plan_vector_updates(req, p);
    for (unsigned i = 0; online > 0 && i < t->nindexes; i++)
        online += t->indexes[i].kind != DDB_IX_LOCAL &&
                  (t->indexes[i].state != DDB_IX_ACTIVE || ddb_creating_now(req->eng, t, &t->indexes[i])) &&
                  !deletes_own_build(req->eng, t, &t->indexes[i], p);
    if (online > 1)
        return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
                            "per table");
    if (p->delete_name != NULL) {
        const ddb_index *ix = ddb_table_index(t, p->delete_name);
        if (ix != NULL && ix->kind != DDB_IX_GLOBAL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Cannot delete an index that is not a GlobalSecondaryIndex: %s",
                                p->delete_name);
        if (ix == NULL)
            return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Index %s for table %s",
                                p->delete_name, t->name);
    }
    if (p->update_name != NULL) {
        const ddb_index *ix = ddb_table_index(t, p->update_name);
        if (ix == NULL || ix->kind != DDB_IX_GLOBAL)
            return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Index %s for table %s",
                                p->update_name, t->name);
        if (strcmp(mode ? mode : ddb_billing_mode(t), "PAY_PER_REQUEST") == 0 && !on_demand_update(p))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: The only Updates for index: %s when "
                                "TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput",
                                p->update_name);
    }
    if (p->create != NULL)
        return plan_create(req, t, mode, p);
    return check_vector_updates(req, t, p);
}

/* The plan in the edit: the new index (CREATING, Backfilling), DELETING for Delete, the new
   throughput for Update (not of an index Delete turns DELETING). */
static void plan_edit(ddb_req *req, ddb_desc_edit *e, const ddb_table *t, const gsi_plan *p)
{
    const ddb_index *del = p->delete_name != NULL ? ddb_table_index(t, p->delete_name) : NULL;
    const ddb_index *upd = p->update_name != NULL && p->update_pt != NULL ? ddb_table_index(t, p->update_name) : NULL;

    if (del != NULL)
        ddb_edit_index_state(e, del, DDB_IX_DELETING, 0);
    if (upd != NULL && upd != del)
        ddb_edit_index_throughput(e, upd, p->update_pt);
    if (p->create != NULL) { /* (--table-states: CREATING until its end, built or not) */
        ddb_edit_add_gsi(e, p->create, DDB_IX_CREATING, 1);
        ddb_edit_creating(req, e, 1, ddb_state_until(req));
    }
    if (p->vdelete_name != NULL && ddb_table_index(t, p->vdelete_name) != NULL)
        ddb_edit_index_state(e, ddb_table_index(t, p->vdelete_name), DDB_IX_DELETING, 0);
    if (p->vcreate != NULL)
        ddb_edit_add_vector_index(e, p->vcreate, DDB_IX_CREATING, 1);
}

/* ---- the new description ---- */

/* BillingMode, BillingModeUpdated (when it last switched to on-demand) and ProvisionedThroughput. */
static void billing_edit(ddb_desc_edit *e, const ddb_table *t, const char *mode, const ddb_json *pt)
{
    static const ddb_json json_null = {.type = DDB_JSON_NULL};
    const ddb_json *cur_pt = ddb_json_get(t->desc, "ProvisionedThroughput");

    ddb_edit_set_str(e, DDB_DESC_BillingMode, mode ? mode : ddb_billing_mode(t));
    if (mode && strcmp(mode, "PAY_PER_REQUEST") == 0 && strcmp(ddb_billing_mode(t), mode) != 0)
        ddb_edit_set_double(e, DDB_DESC_BillingModeUpdated, ddb_clock_now_s());
    else if (ddb_json_get(t->desc, "BillingModeUpdated"))
        ddb_edit_set(e, DDB_DESC_BillingModeUpdated, ddb_json_get(t->desc, "BillingModeUpdated"));
    else if (strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") == 0) /* created on demand: last on demand at creation */
        ddb_edit_set(e, DDB_DESC_BillingModeUpdated, ddb_json_get(t->desc, "CreationDateTime"));
    else
        ddb_edit_set(e, DDB_DESC_BillingModeUpdated, NULL);
    if (pt != NULL)
        ddb_edit_throughput(e, ddb_json_ll(pt, "ReadCapacityUnits"), ddb_json_ll(pt, "WriteCapacityUnits"),
                            ddb_clock_now_s());
    else
        ddb_edit_set(e, DDB_DESC_ProvisionedThroughput, cur_pt != NULL ? cur_pt : &json_null);
}

/* The new description: every member UpdateTable may change is written anew, after the others. */
static ddb_desc_edit *new_description(ddb_req *req, const ddb_table *t, const gsi_plan *p, const stream_plan *sp,
                                      ddb_throughput_echo *echo)
{
    static const ddb_desc_member settable[] = {DDB_DESC_TableClass, DDB_DESC_DeletionProtectionEnabled};
    ddb_desc_edit *e = ddb_desc_edit_of(req->arena, t);

    plan_edit(req, e, t, p);
    ddb_edit_define(e, ddb_json_get(req->in, "AttributeDefinitions"));
    billing_edit(e, t, ddb_json_get_str(req->in, "BillingMode"), ddb_json_get(req->in, "ProvisionedThroughput"));
    ddb_throughput_edit(req, e, t, ddb_json_get_str(req->in, "BillingMode"), echo);
    for (size_t i = 0; i < sizeof(settable) / sizeof(settable[0]); i++) {
        const char *name = ddb_desc_member_name(settable[i]);
        const ddb_json *v = ddb_json_get(req->in, name);
        ddb_edit_set(e, settable[i], v != NULL ? v : ddb_json_get(t->desc, name));
    }
    if (ddb_json_get(req->in, "TableClass") != NULL) /* TableClassSummary's LastUpdateDateTime */
        ddb_edit_set_double(e, DDB_DESC_TableClassUpdated, ddb_clock_now_s());
    else
        ddb_edit_set(e, DDB_DESC_TableClassUpdated, ddb_json_get(t->desc, "TableClassUpdated"));
    /* only when sent: the stored description keeps its order otherwise */
    if (ddb_json_get(req->in, "SSESpecification") != NULL)
        ddb_edit_set(e, DDB_DESC_SSESpecification, ddb_json_get(req->in, "SSESpecification"));
    ddb_stream_plan_edit(req, e, t, sp);
    return e;
}

/* Whether the request changes another member than `self` (AttributeDefinitions only come with an index). */
static int others_than(const ddb_json *in, const char *self)
{
    static const char *const changes[] = {"ProvisionedThroughput", "BillingMode", "GlobalSecondaryIndexUpdates",
                                          "StreamSpecification", "TableClass", "OnDemandThroughput",
                                          "WarmThroughput", "SSESpecification", NULL};

    for (int i = 0; changes[i] != NULL; i++)
        if (strcmp(changes[i], self) != 0 && ddb_json_get(in, changes[i]) != NULL)
            return 1;
    return 0;
}

/* DynamoDB's rules for changes that must come alone (the stream's own: stream_spec.c). */
static int check_combinations(ddb_req *req, const ddb_table *t)
{
    const ddb_json *in = req->in, *ss = ddb_json_get(in, "StreamSpecification");
    const ddb_json *updates = ddb_json_get(in, "GlobalSecondaryIndexUpdates");
    int index_change = 0, others = 0;

    for (uint32_t i = 0; updates != NULL && updates->type == DDB_JSON_ARRAY && i < updates->n; i++)
        index_change |= ddb_json_get(updates->u.items[i], "Create") != NULL ||
                        ddb_json_get(updates->u.items[i], "Delete") != NULL;
    index_change |= ddb_json_get(in, "VectorIndexUpdates") != NULL;
    others = ddb_json_get(in, "ProvisionedThroughput") != NULL || ddb_json_get(in, "BillingMode") != NULL ||
             (updates != NULL && updates->n > 0) || ss != NULL || ddb_json_get(in, "TableClass") != NULL ||
             ddb_json_get(in, "OnDemandThroughput") != NULL || ddb_json_get(in, "WarmThroughput") != NULL;
    if (ddb_json_get(in, "DeletionProtectionEnabled") != NULL && others)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: DeletionProtection modification must be the "
                            "only operation in the request");
    /* (the texts third-party suites record from DynamoDB: docs/compatibility.md, Fidelity sweep) */
    if (ddb_json_get(in, "TableClass") != NULL && (others_than(in, "TableClass") || index_change))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: TableClass modification must be the only "
                            "operation in the request");
    if (ddb_json_get(in, "SSESpecification") != NULL && (others_than(in, "SSESpecification") || index_change))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: Server-Side Encryption modification must be "
                            "the only operation in the request");
    if (index_change && ddb_json_get(in, "ProvisionedThroughput") != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: You cannot create or delete index while "
                            "updating table IOPS");
    if (index_change && ss != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: You cannot create or delete index while "
                            "changing stream status");
    return DDB_OK;
}

typedef struct update_table {
    ddb_req *req;
    const char *mode;
    const ddb_json *pt;
    gsi_plan plan;
    ddb_throughput_echo echo;
} update_table;

/* No change while a replica is created or deleted: the API reference's UpdateTable, "While it's
   UPDATING, you can't issue another UpdateTable request on the base table nor any replicas"; the
   refusal ReplicaUpdates gives then (ops_replicas.c), DynamoDB's text for this one not recorded. */
static int replicas_check(ddb_req *req, const ddb_table *t)
{
    if (req->internal || ddb_replicas_status(t) == NULL)
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE, "The resource which you are attempting to change is in use.");
}

/* The change of the live table, or -2 with the error recorded. */
static int update_edit(void *ctx, ddb_desc_edit **e)
{
    update_table *u = ctx;
    ddb_req *req = u->req;
    stream_plan sp;
    ddb_batch *extra = ddb_arena_alloc(req->arena, sizeof(*extra));
    const ddb_table *cur = ddb_table_or_fail(req, req->table, 1);

    if (cur == NULL || replicas_check(req, cur) != DDB_OK || check_combinations(req, cur) != DDB_OK ||
        check_billing(req, cur, u->mode, u->pt) != DDB_OK || plan_gsi_updates(req, cur, u->mode, &u->plan) != DDB_OK ||
        ddb_replica_vectors_ready(req, cur) != DDB_OK || ddb_throughput_check(req, cur, u->mode) != DDB_OK ||
        ddb_stream_plan(req, cur, &sp) != DDB_OK)
        return -2;
    *e = new_description(req, cur, &u->plan, &sp, &u->echo);
    ddb_batch_init(extra, req->arena);
    ddb_stream_plan_registry(req, cur->key, ddb_json_get(cur->desc, "KeySchema"), cur, &sp, extra);
    ddb_replica_vectors_outbox(req, cur, extra);
    ddb_edit_extra(*e, extra);
    return 0;
}

/* ---- a global table's replicas follow its vector index changes (replica_vectors.h) ---- */

int ddb_replica_vectors_apply(ddb_req *req, const ddb_table *t, const char *ns, const char *region, const ddb_json *in)
{
    ddb_buf out = {0};
    ddb_req sub;

    ddb_req_internal(&sub, req, req->arena, DDB_OP_UpdateTable, in, &out, t->account, region, ns);
    if (ddb_validate(&sub, &ddb_spec_update_table, in) == DDB_OK)
        ddb_op_update_table(&sub); /* internal: it does not propagate again */
    ddb_buf_free(&out);
    if (sub.err.code != DDB_OK)
        ddb_log(DDB_LOG_ERROR, "replication: table %s: its vector index change could not be made in %s: %s", t->name,
                region, sub.err.msg ? sub.err.msg : "");
    return sub.err.code;
}

/* The change made on this server's other replicas of t (a peer's: queued by update_edit). */
static void replicas_follow(ddb_req *req, const ddb_table *t)
{
    const char *text;
    const ddb_json *in;

    if (!ddb_replica_vectors_propagate(req, t))
        return;
    text = ddb_replica_vectors_request(req->arena, t, req->in);
    in = ddb_json_parse(req->arena, text, strlen(text));
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        const char *r = t->rep.replicas[i].region;
        if (strcmp(r, t->region) != 0 && ddb_peer_url(req->eng, r) == NULL)
            ddb_replica_vectors_apply(req, t, ddb_ns_of(req->arena, t->account, r), r, in);
    }
}

int ddb_op_update_table(ddb_req *req)
{
    const char *name = req->table;
    update_table u = {req, ddb_json_get_str(req->in, "BillingMode"), ddb_json_get(req->in, "ProvisionedThroughput"),
                      {0}, {0}};
    const ddb_table *t = NULL;
    int rc;

    /* global tables (ops_replicas.c): MultiRegionConsistency, valid only with replica Creates, is
       refused there rather than dropped when it comes with other changes */
    if (ddb_json_get(req->in, "ReplicaUpdates") != NULL || ddb_json_get(req->in, "GlobalTableWitnessUpdates") != NULL ||
        ddb_json_get(req->in, "MultiRegionConsistency") != NULL)
        return ddb_replica_updates(req);
    t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, name ? name : ""));
    if (t != NULL && ddb_replica_vectors_peers_ready(req, t) != DDB_OK) /* a network question: asked once */
        return req->err.code;
    t = NULL;
    rc = ddb_catalog_edit(req->eng->catalog, CAS_TRIES, update_edit, &u, &t);

    if (ddb_table_edit_or_fail(req, rc) != DDB_OK)
        return req->err.code;
    if (u.plan.create != NULL || u.plan.delete_name != NULL || u.plan.vcreate != NULL || u.plan.vdelete_name != NULL)
        ddb_tasks_kick(req->eng->tasks);
    replicas_follow(req, t);
    ddb_write_table_description_echo(req, t, ddb_table_status(req->eng, t), &u.echo);
    return DDB_OK;
}
