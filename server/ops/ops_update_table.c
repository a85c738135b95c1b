/*
 * server/ops/ops_update_table.c: UpdateTable: billing mode and throughput, deletion protection,
 * table class, and GlobalSecondaryIndexUpdates (Create, Update, Delete).
 *
 * The new description is computed from the live one and swapped in compare-and-swap (catalog.h):
 * when another change won meanwhile, it is computed again from that one, so two concurrent
 * UpdateTables never lose either change. A created index starts CREATING with Backfilling and a
 * deleted one turns DELETING; the background tasks (engine/tasks.h) build or purge it.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/ops/table_desc.h"
#include "server/ops/stream_spec.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/tasks.h"

#define MAX_GSIS 20
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
    const char *update_name; /* Update's IndexName, or NULL */
    const ddb_json *update_pt;
    const ddb_json *add_gsi; /* the new index object (Create) */
} gsi_plan;

/* The type an attribute is declared with: in the request's AttributeDefinitions, else the table's. */
static const char *declared_type(const ddb_json *defs, const char *name)
{
    for (uint32_t i = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++) {
        const char *n = ddb_json_get_str(defs->u.items[i], "AttributeName");
        if (n != NULL && strcmp(n, name) == 0)
            return ddb_json_get_str(defs->u.items[i], "AttributeType");
    }
    return NULL;
}

/* "Schema:[SchemaElement: key{xyz:S:HASH}]": a key schema with its types, as DynamoDB prints it. */
static const char *schema_text(ddb_arena *a, const ddb_json *ks, const ddb_json *defs)
{
    const char *out = "Schema:[";

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *n = ddb_json_get_str(ks->u.items[i], "AttributeName"), *type = n ? declared_type(defs, n) : NULL;
        const char *kt = ddb_json_get_str(ks->u.items[i], "KeyType");
        out = ddb_arena_sprintf(a, "%s%sSchemaElement: key{%s:%s:%s}", out, i > 0 ? ", " : "", n ? n : "",
                                type ? type : "", kt ? kt : "");
    }
    return ddb_arena_sprintf(a, "%s]", out);
}

static int keys_on(const ddb_json *ks, const char *name)
{
    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *n = ddb_json_get_str(ks->u.items[i], "AttributeName");
        if (n != NULL && strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

/* The stored key schema that keys on `name`: the table's, else an LSI's, else a GSI's. */
static const ddb_json *existing_schema(const ddb_table *t, const char *name)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    const ddb_json *ks = ddb_json_get(t->desc, "KeySchema");

    if (keys_on(ks, name))
        return ks;
    for (int l = 0; l < 2; l++) {
        const ddb_json *list = ddb_json_get(t->desc, lists[l]);
        for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++)
            if (keys_on(ddb_json_get(list->u.items[i], "KeySchema"), name))
                return ddb_json_get(list->u.items[i], "KeySchema");
    }
    return ks;
}

/*
 * The new index's key attributes as the request defines them must agree with the types the table
 * already has for them (every stored index keys on them). Other definitions that disagree with the
 * stored ones are ignored, as DynamoDB does; the request's rules have checked the keys are defined.
 * DynamoDB's text, as ScyllaDB's test_gsi_updatetable.py records it from DynamoDB: "Attributes
 * cannot be redefined. ... Existing schema: Schema:[SchemaElement: key{xyz:S:HASH}] New schema:
 * Schema:[SchemaElement: key{xyz:N:HASH}]" (the existing schema is the stored one keyed on the
 * attribute; how several elements are joined is ddbd's guess).
 */
static int check_definitions(ddb_req *req, const ddb_table *t, const ddb_json *create)
{
    const ddb_json *defs = ddb_json_get(req->in, "AttributeDefinitions");
    const ddb_json *tdefs = ddb_json_get(t->desc, "AttributeDefinitions");
    const ddb_json *ks = ddb_json_get(create, "KeySchema");

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *n = ddb_json_get_str(ks->u.items[i], "AttributeName");
        const char *want = n ? declared_type(defs, n) : NULL, *cur = n ? declared_type(tdefs, n) : NULL;
        if (want != NULL && cur != NULL && strcmp(want, cur) != 0)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Attributes cannot be redefined. Please "
                                "check that your attribute has the same type as previously defined. Existing schema: "
                                "%s New schema: %s",
                                schema_text(req->arena, existing_schema(t, n), tdefs),
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

/* The new index's object: the request's members, CREATING and Backfilling. */
static const ddb_json *new_gsi(ddb_req *req, const ddb_json *create)
{
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_json *out;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    for (uint32_t i = 0; i < create->n; i++) {
        ddb_jw_keyn(&w, create->u.members[i].key, create->u.members[i].klen);
        ddb_jw_json(&w, create->u.members[i].val);
    }
    ddb_jw_key(&w, "IndexStatus");
    ddb_jw_str(&w, "CREATING");
    ddb_jw_key(&w, "Backfilling");
    ddb_jw_bool(&w, 1);
    ddb_jw_obj_end(&w);
    out = ddb_json_parse(req->arena, ddb_arena_strndup(req->arena, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
    return out;
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
    p->add_gsi = new_gsi(req, p->create);
    return DDB_OK;
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
            p->update_name = ddb_json_get_str(upd, "IndexName");
            p->update_pt = ddb_json_get(upd, "ProvisionedThroughput");
        }
    }
    for (unsigned i = 0; online > 0 && i < t->nindexes; i++)
        online += t->indexes[i].kind == DDB_IX_GLOBAL && t->indexes[i].state != DDB_IX_ACTIVE;
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
        if (strcmp(mode ? mode : ddb_billing_mode(t), "PAY_PER_REQUEST") == 0 && p->update_pt != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
                                "for index: %s when BillingMode is PAY_PER_REQUEST",
                                p->update_name);
    }
    if (p->create != NULL)
        return plan_create(req, t, mode, p);
    return DDB_OK;
}

/* Writes an index object with the plan applied: DELETING for Delete, the new throughput for Update. */
static void plan_write(void *ctx, ddb_jw *w, const ddb_index *ix)
{
    static const char *const status[] = {"IndexStatus", "Backfilling", NULL};
    static const char *const throughput[] = {"ProvisionedThroughput", NULL};
    const gsi_plan *p = ctx;

    if (p->delete_name != NULL && strcmp(ix->name, p->delete_name) == 0) {
        ddb_jw_obj_begin(w);
        ddb_index_write_members(w, ix, status);
        ddb_jw_key(w, "IndexStatus");
        ddb_jw_str(w, "DELETING");
        ddb_jw_obj_end(w);
    } else if (p->update_name != NULL && p->update_pt != NULL && strcmp(ix->name, p->update_name) == 0) {
        ddb_jw_obj_begin(w);
        ddb_index_write_members(w, ix, throughput);
        ddb_jw_key(w, "ProvisionedThroughput");
        ddb_jw_json(w, p->update_pt);
        ddb_jw_obj_end(w);
    } else {
        ddb_jw_json(w, ix->desc);
    }
}

/* AttributeDefinitions: the table's, plus the request's new ones. */
static void write_definitions(ddb_jw *w, const ddb_table *t, const ddb_json *req_defs)
{
    const ddb_json *tdefs = ddb_json_get(t->desc, "AttributeDefinitions");

    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; tdefs != NULL && tdefs->type == DDB_JSON_ARRAY && i < tdefs->n; i++)
        ddb_jw_json(w, tdefs->u.items[i]);
    for (uint32_t i = 0; req_defs != NULL && req_defs->type == DDB_JSON_ARRAY && i < req_defs->n; i++) {
        const char *n = ddb_json_get_str(req_defs->u.items[i], "AttributeName");
        if (n != NULL && declared_type(tdefs, n) == NULL)
            ddb_jw_json(w, req_defs->u.items[i]);
    }
    ddb_jw_arr_end(w);
}

/* ---- the new description ---- */

/*
 * The stored throughput after a change: LastIncreaseDateTime when a figure goes up (or the table
 * switches from on-demand), LastDecreaseDateTime and one more of the UTC day's decreases when one
 * goes down, the other timestamp kept (the API reference's ProvisionedThroughputDescription;
 * dynalite keeps them so). ddbdDecreasesDay, the UTC day of the count, is ddbd's own and not shown.
 */
static void write_new_throughput(ddb_jw *w, const ddb_table *t, const ddb_json *pt)
{
    const ddb_json *cur = ddb_json_get(t->desc, "ProvisionedThroughput");
    long long r = ddb_json_ll(pt, "ReadCapacityUnits"), wr = ddb_json_ll(pt, "WriteCapacityUnits");
    long long cr = ddb_json_ll(cur, "ReadCapacityUnits"), cw = ddb_json_ll(cur, "WriteCapacityUnits");
    int was_provisioned = strcmp(ddb_billing_mode(t), "PROVISIONED") == 0;
    int up = !was_provisioned || r > cr || wr > cw, down = was_provisioned && (r < cr || wr < cw);
    double now = ddb_now_seconds();
    long long day = (long long)(now / 86400), decreases = 0;

    if (ddb_json_ll(cur, "ddbdDecreasesDay") == day)
        decreases = ddb_json_ll(cur, "NumberOfDecreasesToday");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, r);
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, wr);
    if (up || ddb_json_get(cur, "LastIncreaseDateTime") != NULL) {
        ddb_jw_key(w, "LastIncreaseDateTime");
        if (up)
            ddb_jw_double(w, now);
        else
            ddb_jw_json(w, ddb_json_get(cur, "LastIncreaseDateTime"));
    }
    if (down || ddb_json_get(cur, "LastDecreaseDateTime") != NULL) {
        ddb_jw_key(w, "LastDecreaseDateTime");
        if (down)
            ddb_jw_double(w, now);
        else
            ddb_jw_json(w, ddb_json_get(cur, "LastDecreaseDateTime"));
    }
    ddb_jw_key(w, "NumberOfDecreasesToday");
    ddb_jw_int(w, decreases + (down ? 1 : 0));
    ddb_jw_key(w, "ddbdDecreasesDay");
    ddb_jw_int(w, day);
    ddb_jw_obj_end(w);
}

static void write_billing(ddb_jw *w, const ddb_table *t, const char *mode, const ddb_json *pt)
{
    ddb_jw_key(w, "BillingMode");
    ddb_jw_str(w, mode ? mode : ddb_billing_mode(t));
    if (mode && strcmp(mode, "PAY_PER_REQUEST") == 0 && strcmp(ddb_billing_mode(t), mode) != 0) {
        ddb_jw_key(w, "BillingModeUpdated");
        ddb_jw_double(w, ddb_now_seconds());
    } else if (ddb_json_get(t->desc, "BillingModeUpdated")) {
        ddb_jw_key(w, "BillingModeUpdated");
        ddb_jw_json(w, ddb_json_get(t->desc, "BillingModeUpdated"));
    } else if (strcmp(ddb_billing_mode(t), "PAY_PER_REQUEST") == 0) { /* created on demand: last on demand at creation */
        ddb_jw_key(w, "BillingModeUpdated");
        ddb_jw_json(w, ddb_json_get(t->desc, "CreationDateTime"));
    }
    ddb_jw_key(w, "ProvisionedThroughput");
    if (pt != NULL) {
        write_new_throughput(w, t, pt);
    } else {
        ddb_jw_json(w, ddb_json_get(t->desc, "ProvisionedThroughput") ? ddb_json_get(t->desc, "ProvisionedThroughput")
                                                                       : &(ddb_json){.type = DDB_JSON_NULL});
    }
}

static void write_new_description(ddb_req *req, ddb_jw *w, const ddb_table *t, gsi_plan *p, const stream_plan *sp)
{
    static const char *const replaced[] = {"AttributeDefinitions",  "BillingMode", "BillingModeUpdated",
                                           "ProvisionedThroughput", "TableClass",  "DeletionProtectionEnabled",
                                           "StreamSpecification",   "ddbdStream",  NULL};
    static const char *const settable[] = {"TableClass", "DeletionProtectionEnabled", NULL};
    ddb_index_editor ed = {NULL, plan_write, p, p->add_gsi};

    ddb_jw_obj_begin(w);
    ddb_desc_write(w, t, replaced, &ed);
    write_definitions(w, t, ddb_json_get(req->in, "AttributeDefinitions"));
    write_billing(w, t, ddb_json_get_str(req->in, "BillingMode"), ddb_json_get(req->in, "ProvisionedThroughput"));
    for (int i = 0; settable[i] != NULL; i++) {
        const ddb_json *v = ddb_json_get(req->in, settable[i]);
        if (v == NULL)
            v = ddb_json_get(t->desc, settable[i]);
        if (v != NULL) {
            ddb_jw_key(w, settable[i]);
            ddb_jw_json(w, v);
        }
    }
    ddb_stream_plan_write(req, w, t, sp);
    ddb_jw_obj_end(w);
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
    others = ddb_json_get(in, "ProvisionedThroughput") != NULL || ddb_json_get(in, "BillingMode") != NULL ||
             (updates != NULL && updates->n > 0) || ss != NULL || ddb_json_get(in, "TableClass") != NULL;
    if (ddb_json_get(in, "DeletionProtectionEnabled") != NULL && others)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: DeletionProtection modification must be the "
                            "only operation in the request");
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

int ddb_op_update_table(ddb_req *req)
{
    const char *name = ddb_json_get_str(req->in, "TableName");
    const char *mode = ddb_json_get_str(req->in, "BillingMode");
    const ddb_json *pt = ddb_json_get(req->in, "ProvisionedThroughput");
    const ddb_table *t = NULL;
    gsi_plan plan;
    int rc = 2;

    for (int tries = 0; rc == 2 && tries < CAS_TRIES; tries++) {
        ddb_buf buf = {0};
        ddb_jw w;
        stream_plan sp;
        ddb_batch extra;
        const ddb_table *cur = ddb_table_or_fail(req, name, 1);
        if (cur == NULL || check_combinations(req, cur) != DDB_OK || check_billing(req, cur, mode, pt) != DDB_OK ||
            plan_gsi_updates(req, cur, mode, &plan) != DDB_OK || ddb_stream_plan(req, cur, &sp) != DDB_OK)
            return req->err.code;
        ddb_jw_init(&w, &buf);
        write_new_description(req, &w, cur, &plan, &sp);
        ddb_batch_init(&extra, req->arena);
        ddb_stream_plan_registry(req, cur->key, ddb_json_get(cur->desc, "KeySchema"), cur, &sp, &extra);
        rc = ddb_catalog_update(req->eng->catalog, cur, buf.data, buf.len, &extra, &t);
        ddb_buf_free(&buf);
    }
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    if (plan.create != NULL || plan.delete_name != NULL)
        ddb_tasks_kick(req->eng->tasks);
    ddb_write_table_description(req, t, "TableDescription", ddb_table_status(t), 1);
    return DDB_OK;
}
