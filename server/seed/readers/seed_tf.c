/*
 * server/seed/readers/seed_tf.c: the aws_dynamodb_table resources of `terraform show -json`, of a plan
 * (planned_values) or of a state (values), every module's, as CreateTable requests and the calls
 * after them (see seed_template.h); in the walk of items, the aws_dynamodb_table_item resources'
 * items. The provider's attributes are one list below: what each
 * becomes, or why ddbd does not act on it. Terraform writes every attribute, null or empty when
 * unset: only one with a value is acted on or named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/seed/readers/seed_tf.h"

/* Modules nest; deeper than this is no plan Terraform writes. */
#define TF_MAX_MODULES 32

typedef struct tf_table {
    seed_tpl_table t;
    const ddb_json *v; /* the resource's values */
    int provisioned;   /* billing_mode PROVISIONED (Terraform's default) */
} tf_table;

typedef void (*attr_fn)(tf_table *tt, const char *key, const ddb_json *v, const char *note);

static int empty(const ddb_json *v)
{
    return v == NULL || v->type == DDB_JSON_NULL || (v->type == DDB_JSON_BOOL && !v->u.b) ||
           ((v->type == DDB_JSON_STRING || v->type == DDB_JSON_ARRAY || v->type == DDB_JSON_OBJECT) && v->n == 0) ||
           (v->type == DDB_JSON_NUMBER && strtod(v->u.s, NULL) == 0);
}

/* A nested block (a list of one object in Terraform's JSON), or NULL. */
static const ddb_json *block(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_ARRAY && v->n > 0 ? v->u.items[0] : v && v->type == DDB_JSON_OBJECT ? v : NULL;
}

/* `key: v` when v has a value (a number as the API takes it). */
static void put_number(ddb_jw *w, const char *key, const ddb_json *v)
{
    if (empty(v))
        return;
    ddb_jw_key(w, key);
    tpl_value(w, key, v);
}

static void key_schema(ddb_jw *w, const char *hash, const char *range)
{
    ddb_jw_key(w, "KeySchema");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "AttributeName", hash);
    ddb_jw_member_str(w, "KeyType", "HASH");
    ddb_jw_obj_end(w);
    if (range != NULL && range[0] != '\0') {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "AttributeName", range);
        ddb_jw_member_str(w, "KeyType", "RANGE");
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* An index's keys: provider 6's key_schema blocks ({attribute_name, key_type}, the partition key's
   first, as DynamoDB lists them), else hash_key and range_key (provider 5's, deprecated in 6). */
static void index_keys(ddb_jw *w, const ddb_json *idx)
{
    const ddb_json *ks = ddb_json_get(idx, "key_schema");

    if (empty(ks) || ks->type != DDB_JSON_ARRAY) {
        key_schema(w, ddb_json_get_str(idx, "hash_key"), ddb_json_get_str(idx, "range_key"));
        return;
    }
    ddb_jw_key(w, "KeySchema");
    ddb_jw_arr_begin(w);
    for (int range = 0; range < 2; range++) {
        for (uint32_t i = 0; i < ks->n; i++) {
            const char *name = ddb_json_get_str(ks->u.items[i], "attribute_name");
            const char *type = ddb_json_get_str(ks->u.items[i], "key_type");
            if ((type != NULL && strcmp(type, "RANGE") == 0) != range)
                continue;
            ddb_jw_obj_begin(w);
            ddb_jw_member_str(w, "AttributeName", name);
            ddb_jw_member_str(w, "KeyType", type);
            ddb_jw_obj_end(w);
        }
    }
    ddb_jw_arr_end(w);
}

static void projection(ddb_jw *w, const ddb_json *idx)
{
    const ddb_json *nka = ddb_json_get(idx, "non_key_attributes");

    ddb_jw_key(w, "Projection");
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "ProjectionType",
                      ddb_json_get_str(idx, "projection_type") ? ddb_json_get_str(idx, "projection_type") : "ALL");
    if (!empty(nka)) {
        ddb_jw_key(w, "NonKeyAttributes");
        ddb_jw_json(w, nka);
    }
    ddb_jw_obj_end(w);
}

/* A block of two numbers as the member `name`, {k1: the block's tf1, k2: its tf2}, when either is
   set; on_demand_throughput's and warm_throughput's. */
static void number_pair(ddb_jw *w, const ddb_json *v, const char *name, const char *k1, const char *tf1,
                        const char *k2, const char *tf2)
{
    const ddb_json *b = block(v);

    if (b == NULL || (empty(ddb_json_get(b, tf1)) && empty(ddb_json_get(b, tf2))))
        return;
    ddb_jw_key(w, name);
    ddb_jw_obj_begin(w);
    put_number(w, k1, ddb_json_get(b, tf1));
    put_number(w, k2, ddb_json_get(b, tf2));
    ddb_jw_obj_end(w);
}

static void on_demand(ddb_jw *w, const ddb_json *v)
{
    number_pair(w, v, "OnDemandThroughput", "MaxReadRequestUnits", "max_read_request_units", "MaxWriteRequestUnits",
                "max_write_request_units");
}

static void warm(ddb_jw *w, const ddb_json *v)
{
    number_pair(w, v, "WarmThroughput", "ReadUnitsPerSecond", "read_units_per_second", "WriteUnitsPerSecond",
                "write_units_per_second");
}

static void capacity(ddb_jw *w, const ddb_json *of)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    tpl_value(w, "ReadCapacityUnits", ddb_json_get(of, "read_capacity") ? ddb_json_get(of, "read_capacity") : &(ddb_json){0});
    ddb_jw_key(w, "WriteCapacityUnits");
    tpl_value(w, "WriteCapacityUnits", ddb_json_get(of, "write_capacity") ? ddb_json_get(of, "write_capacity") : &(ddb_json){0});
    ddb_jw_obj_end(w);
}

/* ---- the attributes ---- */

static void skip(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
}

static void refuse(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    tpl_error(&tt->t, "%s: %s", key, note);
}

static void attributes(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw *w = &tt->t.cw;

    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "AttributeName", ddb_json_get_str(v->u.items[i], "name"));
        ddb_jw_member_str(w, "AttributeType", ddb_json_get_str(v->u.items[i], "type"));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* The global_secondary_index or local_secondary_index blocks as the list `name`: a GSI with its
   own keys and throughput, an LSI with the table's hash key and its range key. */
static void index_list(tf_table *tt, const ddb_json *v, const char *name, int local)
{
    ddb_jw *w = &tt->t.cw;

    ddb_jw_key(w, name);
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++) {
        const ddb_json *idx = v->u.items[i];
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "IndexName", ddb_json_get_str(idx, "name"));
        if (local)
            key_schema(w, ddb_json_get_str(tt->v, "hash_key"), ddb_json_get_str(idx, "range_key"));
        else
            index_keys(w, idx);
        projection(w, idx);
        if (!local && tt->provisioned)
            capacity(w, idx);
        if (!local) {
            on_demand(w, ddb_json_get(idx, "on_demand_throughput"));
            warm(w, ddb_json_get(idx, "warm_throughput"));
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void gsis(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    index_list(tt, v, "GlobalSecondaryIndexes", 0);
}

static void lsis(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    index_list(tt, v, "LocalSecondaryIndexes", 1);
}

/* When the block v is enabled: the call `op` made after the table's creation, its object `member`
   left open for the block's fields (call_end closes both); the block, else NULL and nothing. */
static const ddb_json *enabled_call(tf_table *tt, const ddb_json *v, const char *op, const char *member)
{
    const ddb_json *b = block(v);

    if (b == NULL || empty(ddb_json_get(b, "enabled")))
        return NULL;
    tpl_call(&tt->t, op);
    ddb_jw_key(&tt->t.aw, member);
    ddb_jw_obj_begin(&tt->t.aw);
    return b;
}

static void call_end(tf_table *tt)
{
    ddb_jw_obj_end(&tt->t.aw);
    tpl_call_end(&tt->t);
}

static void ttl(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *b = enabled_call(tt, v, "UpdateTimeToLive", "TimeToLiveSpecification");

    if (b == NULL)
        return;
    ddb_jw_member_str(&tt->t.aw, "AttributeName", ddb_json_get_str(b, "attribute_name"));
    ddb_jw_member_bool(&tt->t.aw, "Enabled", 1);
    call_end(tt);
}

static void pitr(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *b = enabled_call(tt, v, "UpdateContinuousBackups", "PointInTimeRecoverySpecification");

    if (b == NULL)
        return;
    ddb_jw_member_bool(&tt->t.aw, "PointInTimeRecoveryEnabled", 1);
    put_number(&tt->t.aw, "RecoveryPeriodInDays", ddb_json_get(b, "recovery_period_in_days"));
    call_end(tt);
}

static void stream(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw *w = &tt->t.cw;

    ddb_jw_key(w, "StreamSpecification");
    ddb_jw_obj_begin(w);
    ddb_jw_member_bool(w, "StreamEnabled", 1);
    if (!empty(ddb_json_get(tt->v, "stream_view_type")))
        ddb_jw_member_str(w, "StreamViewType", ddb_json_get_str(tt->v, "stream_view_type"));
    ddb_jw_obj_end(w);
}

/* tags_all: the resource's tags with the provider's default_tags, what the table gets; tags when absent. */
static void tags(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *all = ddb_json_get(tt->v, "tags_all");
    ddb_jw *w = &tt->t.cw;

    if (strcmp(key, "tags") == 0 && !empty(all))
        return; /* (tags_all has them) */
    ddb_jw_key(w, "Tags");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; v->type == DDB_JSON_OBJECT && i < v->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "Key", v->u.members[i].key);
        ddb_jw_key(w, "Value");
        tpl_value(w, NULL, v->u.members[i].val);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void table_class(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw_key(&tt->t.cw, "TableClass");
    ddb_jw_json(&tt->t.cw, v);
}

static void deletion(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw_member_bool(&tt->t.cw, "DeletionProtectionEnabled", 1);
}

static void sse(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *b = block(v);
    ddb_jw *w = &tt->t.cw;

    if (b == NULL || empty(ddb_json_get(b, "enabled")))
        return; /* (DynamoDB's own key, the default) */
    ddb_jw_key(w, "SSESpecification");
    ddb_jw_obj_begin(w);
    ddb_jw_member_bool(w, "Enabled", 1);
    ddb_jw_member_str(w, "SSEType", "KMS");
    if (!empty(ddb_json_get(b, "kms_key_arn")))
        ddb_jw_member_str(w, "KMSMasterKeyId", ddb_json_get_str(b, "kms_key_arn"));
    ddb_jw_obj_end(w);
}

/* replica blocks: each a replica to create in its region_name (UpdateTable's ReplicaUpdates). */
static void replicas(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++) {
        const char *region = ddb_json_get_str(v->u.items[i], "region_name");
        if (region == NULL) {
            tpl_error(&tt->t, "replica[%u]: no region_name", i);
            continue;
        }
        if (tt->provisioned) {
            tpl_warn(&tt->t, "the replica in %s is not created: replicas of a provisioned table need its write "
                     "capacity auto scaled (Application Auto Scaling), which ddbd does not have", region);
            continue;
        }
        tpl_replica(&tt->t, region, 0);
        for (uint32_t k = 0; v->u.items[i]->type == DDB_JSON_OBJECT && k < v->u.items[i]->n; k++) {
            const ddb_json_member *m = &v->u.items[i]->u.members[k];
            if (strcmp(m->key, "region_name") != 0 && strcmp(m->key, "arn") != 0 && strcmp(m->key, "stream_arn") != 0 &&
                strcmp(m->key, "stream_label") != 0 && !empty(m->val))
                tpl_warn(&tt->t, "replica %s: %s is not acted on: the replica is made with the table's settings",
                         region, m->key);
        }
    }
}

static void table_on_demand(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    on_demand(&tt->t.cw, v);
}

static void table_warm(tf_table *tt, const char *key, const ddb_json *v, const char *note)
{
    warm(&tt->t.cw, v);
}

typedef struct attr {
    const char *name;
    attr_fn fn;
    const char *note;
} attr;

#define RESTORE_NOTE "the table would be created empty: ddbd's seed restores no backup; seed its items as " \
                     ".jsonl files (docs/seeding.md)"

/* aws_dynamodb_table's attributes (the AWS provider, v5 and v6) */
#define TF_TABLE_ATTRIBUTES(X)                                                                                    \
    X("name", skip, NULL) X("hash_key", skip, NULL) X("range_key", skip, NULL) X("billing_mode", skip, NULL)    \
    X("read_capacity", skip, NULL) X("write_capacity", skip, NULL) /* (begin) */                                \
    X("attribute", attributes, NULL) X("global_secondary_index", gsis, NULL)                                    \
    X("local_secondary_index", lsis, NULL) X("ttl", ttl, NULL) X("point_in_time_recovery", pitr, NULL)          \
    X("stream_enabled", stream, NULL) X("stream_view_type", skip, NULL) X("tags", tags, NULL)                   \
    X("tags_all", tags, NULL) X("table_class", table_class, NULL)                                               \
    X("deletion_protection_enabled", deletion, NULL) X("server_side_encryption", sse, NULL)                     \
    X("on_demand_throughput", table_on_demand, NULL) X("warm_throughput", table_warm, NULL)                     \
    X("replica", skip, NULL) /* (last: replicas) */                                                            \
    X("import_table", refuse, "the table would be created empty: ddbd does not import from S3 at start; seed "  \
      "its items as .jsonl files (docs/seeding.md)")                                                            \
    X("restore_source_name", refuse, RESTORE_NOTE) X("restore_source_table_arn", refuse, RESTORE_NOTE)          \
    X("restore_to_latest_time", refuse, RESTORE_NOTE) X("restore_date_time", refuse, RESTORE_NOTE)             \
    X("id", skip, NULL) X("arn", skip, NULL) X("stream_arn", skip, NULL) X("stream_label", skip, NULL)         \
    X("timeouts", skip, NULL) X("region", skip, NULL)

#define X(name, fn, note) {name, fn, note},
static const attr table_attrs[] = {TF_TABLE_ATTRIBUTES(X){NULL}};
#undef X

static const attr *find_attr(const char *name)
{
    for (const attr *a = table_attrs; a->name != NULL; a++) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

/* ---- resources ---- */

static void table(seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len, const ddb_json *res)
{
    const char *address = ddb_json_get_str(res, "address") ? ddb_json_get_str(res, "address") : "aws_dynamodb_table";
    const ddb_json *v = ddb_json_get(res, "values");
    const char *name = ddb_json_get_str(v, "name"), *billing = ddb_json_get_str(v, "billing_mode");
    unsigned line = tpl_line(text, len, ddb_arena_sprintf(a, "\"%s\"", address));
    tf_table tt;

    if (v == NULL || v->type != DDB_JSON_OBJECT || name == NULL) {
        tpl_file_error(env, path, line, "%s: its name is not in the %s (known only after apply?): a plan's values "
                       "must hold it", address, ddb_json_get(v, "name") ? "values as a string" : "values");
        return;
    }
    memset(&tt, 0, sizeof(tt));
    tt.v = v;
    tt.provisioned = billing == NULL || strcmp(billing, "PROVISIONED") == 0;
    tpl_begin(&tt.t, env, a, path, text, len, name, address, line);
    key_schema(&tt.t.cw, ddb_json_get_str(v, "hash_key"), ddb_json_get_str(v, "range_key"));
    ddb_jw_member_str(&tt.t.cw, "BillingMode", tt.provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
    if (tt.provisioned)
        capacity(&tt.t.cw, v);
    for (uint32_t i = 0; i < v->n; i++) {
        const char *k = v->u.members[i].key;
        const attr *at = find_attr(k);
        if (at != NULL && (at->fn == skip || !empty(v->u.members[i].val)))
            at->fn(&tt, k, v->u.members[i].val, at->note);
        else if (at == NULL && !empty(v->u.members[i].val))
            tpl_warn(&tt.t, "%s is not acted on: not an attribute of aws_dynamodb_table that ddbd knows", k);
    }
    if (!empty(ddb_json_get(v, "replica"))) /* after every other call: the table must be ACTIVE for those */
        replicas(&tt, "replica", ddb_json_get(v, "replica"), NULL);
    tpl_end(&tt.t);
}

/* aws_dynamodb_table_item: its item, DynamoDB JSON in a string, put into table_name. */
static void table_item(seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len,
                       const ddb_json *res)
{
    const char *address = ddb_json_get_str(res, "address") ? ddb_json_get_str(res, "address") : "aws_dynamodb_table_item";
    const ddb_json *v = ddb_json_get(res, "values"), *item;
    const char *table = ddb_json_get_str(v, "table_name"), *json = ddb_json_get_str(v, "item");
    unsigned line = tpl_line(text, len, ddb_arena_sprintf(a, "\"%s\"", address));

    if (table == NULL || json == NULL) {
        tpl_file_error(env, path, line, "%s: its %s is not in the values (known only after apply?)", address,
                       table == NULL ? "table_name" : "item");
        return;
    }
    if ((item = ddb_json_parse_input(a, json, strlen(json), NULL)) == NULL || item->type != DDB_JSON_OBJECT) {
        tpl_file_error(env, path, line, "%s: its item is not an object of DynamoDB JSON", address);
        return;
    }
    if (env->item(env->ctx, path, line, table, item) != 0)
        env->stopped = 1;
}

static void module(seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len, const ddb_json *m,
                   int depth)
{
    const ddb_json *list = ddb_json_get(m, "resources"), *children = ddb_json_get(m, "child_modules");

    if (depth > TF_MAX_MODULES) {
        tpl_file_error(env, path, 0, "modules nested more than %d deep", TF_MAX_MODULES);
        return;
    }
    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n && !env->stopped; i++) {
        const ddb_json *res = list->u.items[i];
        const char *type = ddb_json_get_str(res, "type"), *mode = ddb_json_get_str(res, "mode");
        if (type == NULL || (mode != NULL && strcmp(mode, "managed") != 0))
            continue; /* (data sources read; they declare nothing) */
        if (strcmp(type, "aws_dynamodb_table_item") == 0) {
            if (env->item != NULL)
                table_item(env, a, path, text, len, res);
        } else if (env->item != NULL) {
            continue; /* (the walk of items) */
        } else if (strcmp(type, "aws_dynamodb_table") == 0)
            table(env, a, path, text, len, res);
        else if (strncmp(type, "aws_dynamodb_", 13) == 0)
            ddb_log(DDB_LOG_WARN, "seed: %s: %s is not acted on: the seed acts on aws_dynamodb_table and aws_dynamodb_table_item only",
                    path, ddb_json_get_str(res, "address") ? ddb_json_get_str(res, "address") : type);
    }
    for (uint32_t i = 0; children != NULL && children->type == DDB_JSON_ARRAY && i < children->n; i++)
        module(env, a, path, text, len, children->u.items[i], depth + 1);
}

void seed_tf_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc)
{
    /* a plan's planned_values, or a state's values */
    const ddb_json *values = ddb_json_get(doc, "planned_values") ? ddb_json_get(doc, "planned_values")
                                                                 : ddb_json_get(doc, "values");
    const ddb_json *root = ddb_json_get(values, "root_module");
    ddb_arena a;

    if (root == NULL || root->type != DDB_JSON_OBJECT) {
        tpl_file_error(env, path, 0, "%s", "terraform show -json output without planned_values.root_module or "
                       "values.root_module (an empty state?)");
        return;
    }
    ddb_arena_init(&a);
    module(env, &a, path, text, len, root, 0);
    ddb_arena_free(&a);
}
