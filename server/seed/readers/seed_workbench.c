/*
 * server/seed/readers/seed_workbench.c: a NoSQL Workbench data model read as the seed's tables and
 * items (see seed_workbench.h, docs/seeding.md "NoSQL Workbench models").
 *
 * What the model says is written as it is into the requests (names, types, projections,
 * capacity), so a wrong value is refused by CreateTable's or PutItem's own validation with
 * DynamoDB's message, as the Workbench's "commit to DynamoDB" would see it refused; only what is
 * not a model at all (DataModel not a list, a table without a TableName) is this reader's error.
 */
#include "server/seed/readers/seed_workbench.h"

#include <stdio.h>
#include <string.h>

#include "server/base/log.h"
#include "server/seed/readers/seed_text.h"

/* A table that names no capacity gets what the Workbench fills in for a new table (every export
   of version 3.0 seen carries it): provisioned, 5 read and 5 write units. */
#define WB_DEFAULT_CAPACITY "5"

/* Members of a model's table that the reader acts on, or that are the modeler's own views (facets,
   DataAccess; ModelSchema and SavedQuery: the DynamoDB workshops' visualizer's, which writes the
   Workbench's format with them). */
static const char *const known_members[] = {"TableName", "KeyAttributes", "NonKeyAttributes", "GlobalSecondaryIndexes",
                                            "TableData", "TableFacets", "DataAccess", "BillingMode",
                                            "ProvisionedCapacitySettings", "ModelSchema", "SavedQuery", NULL};

int seed_workbench_is(const ddb_json *doc)
{
    const ddb_json *dm = ddb_json_get(doc, "DataModel");

    return doc != NULL && doc->type == DDB_JSON_OBJECT && dm != NULL && dm->type == DDB_JSON_ARRAY &&
           (ddb_json_get(doc, "ModelName") != NULL || ddb_json_get(doc, "ModelMetadata") != NULL);
}

/* ---- lines: the text is walked forward once, counting newlines as it goes ---- */

typedef struct wb_text {
    const char *t;
    size_t n, pos;
    unsigned line;
} wb_text;

static unsigned line_of(wb_text *x, size_t at)
{
    if (at < x->pos) { /* (a part before the last one asked for: counted again from the start) */
        x->pos = 0;
        x->line = 1;
    }
    for (; x->pos < at && x->pos < x->n; x->pos++)
        x->line += x->t[x->pos] == '\n';
    return x->line;
}

/* ---- the CreateTable request ---- */

static void key_element(ddb_jw *w, const ddb_json *key, const char *type)
{
    const ddb_json *name = ddb_json_get(key, "AttributeName");

    ddb_jw_obj_begin(w);
    if (name != NULL) { /* (absent: CreateTable's "Value null at 'keySchema.1.member.attributeName'") */
        ddb_jw_key(w, "AttributeName");
        ddb_jw_json(w, name);
    }
    ddb_jw_key(w, "KeyType");
    ddb_jw_str(w, type);
    ddb_jw_obj_end(w);
}

/* KeyAttributes {"PartitionKey": {AttributeName, AttributeType}, "SortKey": {...}} as a KeySchema. */
static void key_schema(ddb_jw *w, const ddb_json *keys)
{
    const ddb_json *pk = ddb_json_get(keys, "PartitionKey"), *sk = ddb_json_get(keys, "SortKey");

    if (keys == NULL) /* (CreateTable's "Value null at 'keySchema'") */
        return;
    ddb_jw_key(w, "KeySchema");
    ddb_jw_arr_begin(w);
    if (pk != NULL)
        key_element(w, pk, "HASH");
    if (sk != NULL)
        key_element(w, sk, "RANGE");
    ddb_jw_arr_end(w);
}

/* Whether the key attribute k was defined already among defs[0..n) (the same name and type: a
   name given two types is written twice, for CreateTable to refuse). */
static int defined(const ddb_json *const *defs, unsigned n, const ddb_json *k)
{
    const char *name = ddb_json_get_str(k, "AttributeName"), *type = ddb_json_get_str(k, "AttributeType");

    for (unsigned i = 0; i < n; i++) {
        const char *dn = ddb_json_get_str(defs[i], "AttributeName"), *dt = ddb_json_get_str(defs[i], "AttributeType");
        if (name != NULL && dn != NULL && strcmp(name, dn) == 0 &&
            (type == dt || (type != NULL && dt != NULL && strcmp(type, dt) == 0)))
            return 1;
    }
    return 0;
}

static unsigned add_keys(const ddb_json **defs, unsigned n, unsigned cap, const ddb_json *keys)
{
    const char *const which[] = {"PartitionKey", "SortKey"};

    for (unsigned i = 0; i < 2; i++) {
        const ddb_json *k = ddb_json_get(keys, which[i]);
        if (k != NULL && k->type == DDB_JSON_OBJECT && n < cap && !defined(defs, n, k))
            defs[n++] = k;
    }
    return n;
}

/* AttributeDefinitions: the table's key attributes and its indexes', each once. */
static void attribute_definitions(ddb_arena *a, ddb_jw *w, const ddb_json *tbl)
{
    const ddb_json *gsis = ddb_json_get(tbl, "GlobalSecondaryIndexes");
    uint32_t ngsi = gsis != NULL && gsis->type == DDB_JSON_ARRAY ? gsis->n : 0;
    unsigned cap = 2 + 2 * ngsi;
    const ddb_json **defs = ddb_arena_alloc(a, cap * sizeof(*defs));
    unsigned n = add_keys(defs, 0, 2, ddb_json_get(tbl, "KeyAttributes"));

    for (uint32_t i = 0; i < ngsi; i++)
        n = add_keys(defs, n, cap, ddb_json_get(gsis->u.items[i], "KeyAttributes"));
    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        for (unsigned m = 0; m < defs[i]->n; m++) { /* AttributeName and AttributeType, as the model has them */
            ddb_jw_key(w, defs[i]->u.members[m].key);
            ddb_jw_json(w, defs[i]->u.members[m].val);
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void capacity(ddb_jw *w, const ddb_json *pt)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    if (pt != NULL) {
        tpl_value(w, "ProvisionedThroughput", pt); /* ("5" as 5, as templates may write it) */
        return;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_raw_number(w, WB_DEFAULT_CAPACITY);
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_raw_number(w, WB_DEFAULT_CAPACITY);
    ddb_jw_obj_end(w);
}

/* One of GlobalSecondaryIndexes: {IndexName, KeyAttributes, Projection}; a provisioned table's
   index has the table's capacity (the model names one capacity, the table's). */
static void index_of(seed_tpl_table *t, const ddb_json *g, const ddb_json *pt, int provisioned)
{
    ddb_jw *w = &t->cw;
    const ddb_json *name = ddb_json_get(g, "IndexName"), *proj = ddb_json_get(g, "Projection");

    ddb_jw_obj_begin(w);
    if (name != NULL) {
        ddb_jw_key(w, "IndexName");
        ddb_jw_json(w, name);
    }
    key_schema(w, ddb_json_get(g, "KeyAttributes"));
    ddb_jw_key(w, "Projection");
    if (proj != NULL) {
        ddb_jw_json(w, proj);
    } else { /* (the modeler's default) */
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "ProjectionType");
        ddb_jw_str(w, "ALL");
        ddb_jw_obj_end(w);
    }
    if (provisioned)
        capacity(w, ddb_json_get(g, "ProvisionedThroughput") ? ddb_json_get(g, "ProvisionedThroughput") : pt);
    ddb_jw_obj_end(w);
    for (uint32_t i = 0; g->type == DDB_JSON_OBJECT && i < g->n; i++) {
        const char *k = g->u.members[i].key;
        if (strcmp(k, "IndexName") != 0 && strcmp(k, "KeyAttributes") != 0 && strcmp(k, "Projection") != 0 &&
            strcmp(k, "ProvisionedThroughput") != 0)
            tpl_warn(t, "GlobalSecondaryIndexes[%u].%s is not acted on", i, k);
    }
}

static void billing(seed_tpl_table *t, const ddb_json *tbl, const ddb_json **pt, int *provisioned)
{
    const ddb_json *mode = ddb_json_get(tbl, "BillingMode"), *pcs = ddb_json_get(tbl, "ProvisionedCapacitySettings");

    *provisioned = mode == NULL || (mode->type == DDB_JSON_STRING && strcmp(mode->u.s, "PROVISIONED") == 0);
    *pt = ddb_json_get(pcs, "ProvisionedThroughput");
    ddb_jw_key(&t->cw, "BillingMode");
    if (mode != NULL)
        ddb_jw_json(&t->cw, mode); /* (a mode DynamoDB does not know: CreateTable's message) */
    else
        ddb_jw_str(&t->cw, "PROVISIONED");
    if (*provisioned)
        capacity(&t->cw, *pt);
    if (*provisioned && (ddb_json_get(pcs, "AutoScalingRead") != NULL || ddb_json_get(pcs, "AutoScalingWrite") != NULL))
        tpl_warn(t, "ProvisionedCapacitySettings.AutoScalingRead/AutoScalingWrite is not acted on: the capacity "
                 "stays at ProvisionedThroughput's");
}

static int known(const char *key)
{
    for (const char *const *k = known_members; *k != NULL; k++) {
        if (strcmp(key, *k) == 0)
            return 1;
    }
    return 0;
}

static void create_table(seed_tpl_table *t, const ddb_json *tbl)
{
    const ddb_json *gsis = ddb_json_get(tbl, "GlobalSecondaryIndexes"), *pt;
    int provisioned;

    key_schema(&t->cw, ddb_json_get(tbl, "KeyAttributes"));
    attribute_definitions(t->a, &t->cw, tbl);
    billing(t, tbl, &pt, &provisioned);
    if (gsis != NULL && gsis->type == DDB_JSON_ARRAY && gsis->n > 0) {
        ddb_jw_key(&t->cw, "GlobalSecondaryIndexes");
        ddb_jw_arr_begin(&t->cw);
        for (uint32_t i = 0; i < gsis->n; i++)
            index_of(t, gsis->u.items[i], pt, provisioned);
        ddb_jw_arr_end(&t->cw);
    } else if (gsis != NULL && gsis->type != DDB_JSON_ARRAY) {
        tpl_error(t, "%s", "GlobalSecondaryIndexes: expected a list of indexes");
    }
    for (uint32_t i = 0; i < tbl->n; i++) {
        if (!known(tbl->u.members[i].key))
            tpl_warn(t, "%s is not acted on: not a member of a NoSQL Workbench table that ddbd knows",
                     tbl->u.members[i].key);
    }
}

/* ---- items: the table's TableData, then each facet's ---- */

typedef struct wb_items {
    seed_tpl_env *env;
    wb_text *x;
    const char *path, *table, *what; /* what: "DataModel[0]" */
} wb_items;

/* The items of one TableData list, whose text starts at t[at]; `where` names it in messages. */
static void item_list(wb_items *it, const ddb_json *list, size_t at, const char *where)
{
    size_t el;

    if (list->type != DDB_JSON_ARRAY) {
        if (it->env->item == NULL)
            tpl_file_error(it->env, it->path, line_of(it->x, at), "%s.%s: expected a list of items in DynamoDB JSON",
                           it->what, where);
        return;
    }
    el = seed_text_element(it->x->t, it->x->n, at, 0);
    for (uint32_t i = 0; i < list->n && !it->env->stopped; i++, el = seed_text_next(it->x->t, it->x->n, el)) {
        const ddb_json *item = list->u.items[i];
        if (item->type != DDB_JSON_OBJECT) {
            if (it->env->item == NULL)
                tpl_file_error(it->env, it->path, line_of(it->x, el), "%s.%s[%u]: expected an item in DynamoDB JSON "
                               "(an object)", it->what, where, i);
        } else if (it->env->item != NULL && it->env->item(it->env->ctx, it->path, line_of(it->x, el), it->table, item)) {
            it->env->stopped = 1;
        }
    }
}

static void items_of(wb_items *it, const ddb_json *tbl, size_t at)
{
    const ddb_json *data = ddb_json_get(tbl, "TableData"), *facets = ddb_json_get(tbl, "TableFacets");
    const char *t = it->x->t;
    size_t n = it->x->n, fat;
    char where[64];

    if (data != NULL)
        item_list(it, data, seed_text_member(t, n, at, "TableData"), "TableData");
    if (facets == NULL || facets->type != DDB_JSON_ARRAY)
        return; /* (facets are views: a malformed one declares no table) */
    fat = seed_text_element(t, n, seed_text_member(t, n, at, "TableFacets"), 0);
    for (uint32_t i = 0; i < facets->n && !it->env->stopped; i++, fat = seed_text_next(t, n, fat)) {
        const ddb_json *fd = ddb_json_get(facets->u.items[i], "TableData");
        snprintf(where, sizeof(where), "TableFacets[%u].TableData", i);
        if (fd != NULL)
            item_list(it, fd, seed_text_member(t, n, fat, "TableData"), where);
    }
}

/* ---- the view: what the model shows of a table besides its items ---- */

/* {"model": ModelName, "facets": [each facet without its items], "savedQueries": SavedQuery}, handed
   on to env->view (the seed keeps it for GET /ddbd/models: docs/admin.md). */
static void view_of(seed_tpl_env *env, ddb_arena *a, const char *path, unsigned line, const char *name,
                    const ddb_json *model, const ddb_json *tbl)
{
    const ddb_json *facets = ddb_json_get(tbl, "TableFacets"), *saved = ddb_json_get(tbl, "SavedQuery"), *view;
    ddb_buf b = {0};
    ddb_jw w;

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "model");
    if (ddb_json_get(model, "ModelName") != NULL)
        ddb_jw_json(&w, ddb_json_get(model, "ModelName"));
    else
        ddb_jw_null(&w);
    ddb_jw_key(&w, "facets");
    ddb_jw_arr_begin(&w);
    for (uint32_t i = 0; facets != NULL && facets->type == DDB_JSON_ARRAY && i < facets->n; i++) {
        const ddb_json *f = facets->u.items[i];
        ddb_jw_obj_begin(&w);
        for (uint32_t m = 0; f->type == DDB_JSON_OBJECT && m < f->n; m++) {
            if (strcmp(f->u.members[m].key, "TableData") != 0) { /* (its items are the table's) */
                ddb_jw_key(&w, f->u.members[m].key);
                ddb_jw_json(&w, f->u.members[m].val);
            }
        }
        ddb_jw_obj_end(&w);
    }
    ddb_jw_arr_end(&w);
    if (saved != NULL && saved->type == DDB_JSON_OBJECT) {
        ddb_jw_key(&w, "savedQueries");
        ddb_jw_json(&w, saved);
    }
    ddb_jw_obj_end(&w);
    view = ddb_json_parse(a, b.data, b.len);
    if (view != NULL && env->view(env->ctx, path, line, name, view) != 0)
        env->stopped = 1;
    ddb_buf_free(&b);
}

/* ---- the model ---- */

static void table(seed_tpl_env *env, ddb_arena *a, const char *path, wb_text *x, const ddb_json *model,
                  const ddb_json *tbl, uint32_t i, size_t at)
{
    const char *name = ddb_json_get_str(tbl, "TableName");
    const char *what = ddb_arena_sprintf(a, "DataModel[%u]", i);
    wb_items it = {env, x, path, name, what};
    seed_tpl_table t;

    if (tbl->type != DDB_JSON_OBJECT || name == NULL) {
        if (env->item == NULL)
            tpl_file_error(env, path, line_of(x, at), "%s: %s", what, tbl->type != DDB_JSON_OBJECT
                           ? "expected a table: {\"TableName\", \"KeyAttributes\", ...}" : "TableName: expected a string");
        return;
    }
    items_of(&it, tbl, at);
    if (env->item != NULL) /* (the walk of items) */
        return;
    tpl_begin(&t, env, a, path, x->t, x->n, name, what, line_of(x, at));
    create_table(&t, tbl);
    if (env->view != NULL && !t.failed)
        view_of(env, a, path, t.line, name, model, tbl);
    tpl_end(&t);
}

void seed_workbench_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc)
{
    const ddb_json *dm = ddb_json_get(doc, "DataModel");
    wb_text x = {text, len, 0, 1};
    size_t at = seed_text_element(text, len, seed_text_member(text, len, 0, "DataModel"), 0);
    ddb_arena a;

    if (dm->n == 0) {
        if (env->item == NULL)
            ddb_log(DDB_LOG_WARN, "seed: %s: a NoSQL Workbench model without tables (DataModel is empty)", path);
        return;
    }
    ddb_arena_init(&a);
    for (uint32_t i = 0; i < dm->n && !env->stopped; i++, at = seed_text_next(text, len, at))
        table(env, &a, path, &x, doc, dm->u.items[i], i, at);
    ddb_arena_free(&a);
}
