/*
 * server/seed/readers/seed_cfn.c: the tables of a CloudFormation or SAM template (AWS::DynamoDB::Table,
 * AWS::DynamoDB::GlobalTable, AWS::Serverless::SimpleTable) as CreateTable requests and the calls
 * after them (see seed_template.h). Each resource type's properties are one list below: what each
 * becomes, or why ddbd does not act on it (a warning) or cannot make the table without it (an error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/seed/readers/seed_cfn.h"

typedef struct cfn_table {
    seed_tpl_table t;
    cfn_ctx *c;
    const ddb_json *props;   /* the resource's Properties, resolved */
    const ddb_json *replica; /* GlobalTable: the replica in the seed's region */
    const char *region;
} cfn_table;

typedef void (*prop_fn)(cfn_table *ct, const char *key, const ddb_json *v, const char *note);

/* ---- what a property becomes ---- */

static void copy(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw_key(&ct->t.cw, key);
    tpl_value(&ct->t.cw, key, v);
}

static void skip(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
}

static void warn(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    tpl_warn(&ct->t, "%s is not acted on: %s", key, note);
}

static void refuse(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    tpl_error(&ct->t, "%s: %s", key, note);
}

static int enabled(const ddb_json *spec, const char *member)
{
    const ddb_json *v = ddb_json_get(spec, member);
    return v != NULL && ((v->type == DDB_JSON_BOOL && v->u.b) || (v->type == DDB_JSON_STRING && strcmp(v->u.s, "true") == 0));
}

/* The specification v as the call `op`'s member `member`, when its `flag` is on. */
static void call_when_enabled(cfn_table *ct, const char *key, const ddb_json *v, const char *flag, const char *op,
                              const char *member)
{
    if (!enabled(v, flag))
        return;
    tpl_call(&ct->t, op);
    ddb_jw_key(&ct->t.aw, member);
    tpl_value(&ct->t.aw, key, v);
    tpl_call_end(&ct->t);
}

/* {AttributeName, Enabled}: UpdateTimeToLive when enabled. */
static void ttl(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    call_when_enabled(ct, key, v, "Enabled", "UpdateTimeToLive", "TimeToLiveSpecification");
}

/* {PointInTimeRecoveryEnabled, RecoveryPeriodInDays}: UpdateContinuousBackups when enabled. */
static void pitr(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    call_when_enabled(ct, key, v, "PointInTimeRecoveryEnabled", "UpdateContinuousBackups",
                      "PointInTimeRecoverySpecification");
}

/* {Enabled, Mode}, of the table or of an index: UpdateContributorInsights when enabled. */
static void insights(cfn_table *ct, const char *index, const ddb_json *v)
{
    const char *mode = ddb_json_get_str(v, "Mode");

    if (!enabled(v, "Enabled"))
        return;
    tpl_call(&ct->t, "UpdateContributorInsights");
    if (index != NULL)
        ddb_jw_member_str(&ct->t.aw, "IndexName", index);
    ddb_jw_member_str(&ct->t.aw, "ContributorInsightsAction", "ENABLE");
    if (mode != NULL)
        ddb_jw_member_str(&ct->t.aw, "ContributorInsightsMode", mode);
    tpl_call_end(&ct->t);
}

static void table_insights(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    insights(ct, NULL, v);
}

/* Copies an object's members but the ones listed (which the caller maps itself). */
static void members_but(ddb_jw *w, const ddb_json *v, const char *const *but)
{
    for (uint32_t i = 0; v != NULL && v->type == DDB_JSON_OBJECT && i < v->n; i++) {
        int listed = 0;
        for (const char *const *b = but; *b != NULL && !listed; b++)
            listed = strcmp(*b, v->u.members[i].key) == 0;
        if (!listed) {
            ddb_jw_key(w, v->u.members[i].key);
            tpl_value(w, v->u.members[i].key, v->u.members[i].val);
        }
    }
}

/* A table's GSIs: CreateTable's shape, but an index's ContributorInsightsSpecification, a call after. */
static void gsis(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    static const char *const but[] = {"ContributorInsightsSpecification", NULL};

    ddb_jw_key(&ct->t.cw, key);
    ddb_jw_arr_begin(&ct->t.cw);
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++) {
        const ddb_json *idx = v->u.items[i];
        ddb_jw_obj_begin(&ct->t.cw);
        members_but(&ct->t.cw, idx, but);
        ddb_jw_obj_end(&ct->t.cw);
        if (ddb_json_get_str(idx, "IndexName") != NULL)
            insights(ct, ddb_json_get_str(idx, "IndexName"), ddb_json_get(idx, "ContributorInsightsSpecification"));
    }
    ddb_jw_arr_end(&ct->t.cw);
}

/* {SSEEnabled, SSEType, KMSMasterKeyId} is CreateTable's {Enabled, SSEType, KMSMasterKeyId}. */
static void sse(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *kms = ddb_json_get(ddb_json_get(ct->replica, "SSESpecification"), "KMSMasterKeyId");

    ddb_jw_key(&ct->t.cw, "SSESpecification");
    ddb_jw_obj_begin(&ct->t.cw);
    for (uint32_t i = 0; v->type == DDB_JSON_OBJECT && i < v->n; i++) {
        const char *k = v->u.members[i].key;
        ddb_jw_key(&ct->t.cw, strcmp(k, "SSEEnabled") == 0 ? "Enabled" : k);
        tpl_value(&ct->t.cw, strcmp(k, "SSEEnabled") == 0 ? "Enabled" : k, v->u.members[i].val);
    }
    if (kms != NULL) { /* a global table's key is its replica's */
        ddb_jw_key(&ct->t.cw, "KMSMasterKeyId");
        tpl_value(&ct->t.cw, "KMSMasterKeyId", kms);
    }
    ddb_jw_obj_end(&ct->t.cw);
}

/* {StreamViewType[, ResourcePolicy]}: a stream is on when the property is there. */
static void stream(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw_key(&ct->t.cw, "StreamSpecification");
    ddb_jw_obj_begin(&ct->t.cw);
    ddb_jw_member_bool(&ct->t.cw, "StreamEnabled", 1);
    if (ddb_json_get(v, "StreamViewType") != NULL) {
        ddb_jw_key(&ct->t.cw, "StreamViewType");
        tpl_value(&ct->t.cw, NULL, ddb_json_get(v, "StreamViewType"));
    }
    ddb_jw_obj_end(&ct->t.cw);
    if (ddb_json_get(v, "ResourcePolicy") != NULL)
        tpl_warn(&ct->t, "%s.ResourcePolicy is not acted on: the stream's policy is not attached (PutResourcePolicy "
                 "on the stream's ARN once it exists)", key);
}

/* {PolicyDocument}: CreateTable's ResourcePolicy, the document as JSON text. */
static void resource_policy(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    const ddb_json *doc = ddb_json_get(v, "PolicyDocument");
    ddb_buf text = {0};
    ddb_jw w;

    if (doc == NULL) {
        tpl_error(&ct->t, "%s: no PolicyDocument", key);
        return;
    }
    ddb_jw_key(&ct->t.cw, "ResourcePolicy");
    if (doc->type == DDB_JSON_STRING) {
        ddb_jw_str(&ct->t.cw, doc->u.s);
        return;
    }
    ddb_jw_init(&w, &text);
    ddb_jw_json(&w, doc);
    ddb_jw_str(&ct->t.cw, text.data);
    ddb_buf_free(&text);
}

/* SAM's Tags are a map; CreateTable's a list of {Key, Value}. */
static void tag_map(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    ddb_jw_key(&ct->t.cw, "Tags");
    ddb_jw_arr_begin(&ct->t.cw);
    for (uint32_t i = 0; v->type == DDB_JSON_OBJECT && i < v->n; i++) {
        ddb_jw_obj_begin(&ct->t.cw);
        ddb_jw_member_str(&ct->t.cw, "Key", v->u.members[i].key);
        ddb_jw_key(&ct->t.cw, "Value");
        tpl_value(&ct->t.cw, NULL, v->u.members[i].val);
        ddb_jw_obj_end(&ct->t.cw);
    }
    ddb_jw_arr_end(&ct->t.cw);
}

/* SAM's PrimaryKey {Name, Type: String|Number|Binary}, and its billing: on demand without ProvisionedThroughput. */
static void primary_key(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    const char *name = v ? ddb_json_get_str(v, "Name") : "id", *type = v ? ddb_json_get_str(v, "Type") : "String";
    const char *t = type == NULL ? NULL : strcmp(type, "String") == 0 ? "S" : strcmp(type, "Number") == 0 ? "N"
                                        : strcmp(type, "Binary") == 0 ? "B" : NULL;

    if (name == NULL || t == NULL) {
        tpl_error(&ct->t, "%s: expected {Name: ..., Type: String | Number | Binary}", key);
        return;
    }
    ddb_jw_key(&ct->t.cw, "AttributeDefinitions");
    ddb_jw_arr_begin(&ct->t.cw);
    ddb_jw_obj_begin(&ct->t.cw);
    ddb_jw_member_str(&ct->t.cw, "AttributeName", name);
    ddb_jw_member_str(&ct->t.cw, "AttributeType", t);
    ddb_jw_obj_end(&ct->t.cw);
    ddb_jw_arr_end(&ct->t.cw);
    ddb_jw_key(&ct->t.cw, "KeySchema");
    ddb_jw_arr_begin(&ct->t.cw);
    ddb_jw_obj_begin(&ct->t.cw);
    ddb_jw_member_str(&ct->t.cw, "AttributeName", name);
    ddb_jw_member_str(&ct->t.cw, "KeyType", "HASH");
    ddb_jw_obj_end(&ct->t.cw);
    ddb_jw_arr_end(&ct->t.cw);
    ddb_jw_member_str(&ct->t.cw, "BillingMode",
                      ddb_json_get(ct->props, "ProvisionedThroughput") ? "PROVISIONED" : "PAY_PER_REQUEST");
}


static void global_gsis(cfn_table *ct, const char *key, const ddb_json *v, const char *note);
static void global_throughput(cfn_table *ct, const char *key, const ddb_json *v, const char *note);

/* ---- the lists ---- */

typedef struct prop {
    const char *name;
    prop_fn fn;
    const char *note; /* why, for warn and refuse */
} prop;

#define KINESIS_NOTE "no Kinesis data stream receives the table's changes (EnableKinesisStreamingDestination " \
                     "once the stream exists)"
#define IMPORT_NOTE "the table would be created empty: ddbd does not import from S3 at start; seed its items " \
                    "as .jsonl files beside the template (docs/seeding.md)"

/* AWS::DynamoDB::Table */
#define CFN_TABLE_PROPERTIES(X)                                                                                   \
    X("AttributeDefinitions", copy, NULL) X("BillingMode", copy, NULL)                                           \
    X("ContributorInsightsSpecification", table_insights, NULL) X("DeletionProtectionEnabled", copy, NULL)      \
    X("GlobalSecondaryIndexes", gsis, NULL) X("ImportSourceSpecification", refuse, IMPORT_NOTE)                 \
    X("KeySchema", copy, NULL) X("KinesisStreamSpecification", warn, KINESIS_NOTE)                              \
    X("LocalSecondaryIndexes", copy, NULL) X("OnDemandThroughput", copy, NULL)                                  \
    X("PointInTimeRecoverySpecification", pitr, NULL) X("ProvisionedThroughput", copy, NULL)                    \
    X("ResourcePolicy", resource_policy, NULL) X("SSESpecification", sse, NULL)                                 \
    X("StreamSpecification", stream, NULL) X("TableClass", copy, NULL) X("TableName", skip, NULL)               \
    X("Tags", copy, NULL) X("TimeToLiveSpecification", ttl, NULL) X("WarmThroughput", copy, NULL)

/* AWS::DynamoDB::GlobalTable (its replica in the seed's region gives the rest: seed_cfn_global.inc) */
#define CFN_GLOBAL_PROPERTIES(X)                                                                                  \
    X("AttributeDefinitions", copy, NULL) X("BillingMode", copy, NULL)                                           \
    X("GlobalSecondaryIndexes", global_gsis, NULL) X("KeySchema", copy, NULL)                                   \
    X("LocalSecondaryIndexes", copy, NULL) X("Replicas", skip, NULL) /* (local_replica) */ X("SSESpecification", sse, NULL)       \
    X("StreamSpecification", stream, NULL) X("TableName", skip, NULL) X("TimeToLiveSpecification", ttl, NULL)  \
    X("WriteProvisionedThroughputSettings", global_throughput, NULL)                                            \
    X("WriteOnDemandThroughputSettings", skip, NULL) /* (with the replica's, in global_throughput) */          \
    X("WarmThroughput", copy, NULL)                                                                             \
    X("GlobalTableWitnesses", warn, "a witness region holds no table of ddbd's (one server, one region's seed)") \
    X("MultiRegionConsistency", warn, "ddbd's seed creates the table in one region; strong consistency "        \
      "across regions comes with replicas (UpdateTable ReplicaUpdates, --namespaces)")

/* AWS::Serverless::SimpleTable */
#define SAM_SIMPLE_PROPERTIES(X)                                                                                  \
    X("PrimaryKey", skip, NULL) /* (always written: primary_key) */ X("ProvisionedThroughput", copy, NULL)       \
    X("SSESpecification", sse, NULL) X("TableName", skip, NULL) X("Tags", tag_map, NULL)                        \
    X("PointInTimeRecoverySpecification", pitr, NULL)

#define REPLICA_STREAM_NOTE "the stream's resource policy is not attached (PutResourcePolicy on the stream's ARN)"

/* A GlobalTable replica's own properties (ReplicaSpecification) */
#define CFN_REPLICA_PROPERTIES(X)                                                                                 \
    X("Region", skip, NULL) X("TableClass", copy, NULL) X("Tags", copy, NULL)                           \
    X("PointInTimeRecoverySpecification", pitr, NULL) X("DeletionProtectionEnabled", copy, NULL)                \
    X("ContributorInsightsSpecification", table_insights, NULL) X("KinesisStreamSpecification", warn, KINESIS_NOTE) \
    X("ReadProvisionedThroughputSettings", skip, NULL) /* (throughput) */                               \
    X("ReadOnDemandThroughputSettings", skip, NULL) X("ReplicaStreamSpecification", warn, REPLICA_STREAM_NOTE) \
    X("ResourcePolicy", resource_policy, NULL) X("SSESpecification", skip, NULL) /* (sse) */           \
    X("GlobalSecondaryIndexes", skip, NULL) /* (global_gsis) */

#define X(name, fn, note) {name, fn, note},
static const prop table_props[] = {CFN_TABLE_PROPERTIES(X){NULL}};
static const prop global_props[] = {CFN_GLOBAL_PROPERTIES(X){NULL}};
static const prop simple_props[] = {SAM_SIMPLE_PROPERTIES(X){NULL}};
static const prop replica_props[] = {CFN_REPLICA_PROPERTIES(X){NULL}};
#undef X

#define CFN_TABLE_TYPES(X)                                                                                        \
    X("AWS::DynamoDB::Table", table_props) X("AWS::DynamoDB::GlobalTable", global_props)                         \
    X("AWS::Serverless::SimpleTable", simple_props)

static const prop *props_of(const char *type)
{
#define X(name, list) if (type != NULL && strcmp(type, name) == 0) return list;
    CFN_TABLE_TYPES(X)
#undef X
    return NULL;
}

static const prop *find_prop(const prop *list, const char *name)
{
    for (; list->name != NULL; list++) {
        if (strcmp(list->name, name) == 0)
            return list;
    }
    return NULL;
}

/* A property whose value holds something only a deployment knows (an unknown: cfn_unknown_in): 0
   when the table is made without it. Where ddbd does not act on it, that is nothing (warn names
   it); a resource policy naming one (a principal !GetAtt Role.Arn) is not attached, with a
   warning; where the table is made of it, an error. */
static int acted_on(cfn_table *ct, const prop *p, const char *key, const ddb_json *v)
{
    const char *why = p->fn == warn ? NULL : cfn_unknown_in(v, p->fn == stream ? "ResourcePolicy" : NULL);

    if (why == NULL)
        return 1;
    if (p->fn == resource_policy)
        tpl_warn(&ct->t, "%s is not acted on: %s: the table is made without it (PutResourcePolicy once that "
                 "value is known)", key, why);
    else
        tpl_error(&ct->t, "%s: %s", key, why);
    return 0;
}

/* ---- AWS::DynamoDB::GlobalTable: the table-wide properties with its replica's in the seed's region ---- */

/* A capacity: the fixed figure, or under auto scaling (not applied) the capacity it starts at:
   its SeedCapacity (what CloudFormation provisions until the scaling policies exist), else its
   MinCapacity (where target tracking settles an idle table). */
static const ddb_json *capacity(cfn_table *ct, const char *of, const ddb_json *settings, const char *fixed,
                                const char *scaling)
{
    const ddb_json *v = ddb_json_get(settings, fixed), *as = ddb_json_get(settings, scaling);
    const char *start = ddb_json_get(as, "SeedCapacity") != NULL ? "SeedCapacity" : "MinCapacity";

    if (v != NULL || as == NULL)
        return v;
    tpl_warn(&ct->t, "%s%s is not acted on: ddbd does not scale capacity; it stays at %s", of, scaling, start);
    return ddb_json_get(as, start);
}

/* The member `name`, {k1: v1, k2: v2} with each value that is given, when either is. */
static void value_pair(ddb_jw *w, const char *name, const char *k1, const ddb_json *v1, const char *k2,
                       const ddb_json *v2)
{
    if (v1 == NULL && v2 == NULL)
        return;
    ddb_jw_key(w, name);
    ddb_jw_obj_begin(w);
    if (v1 != NULL) {
        ddb_jw_key(w, k1);
        tpl_value(w, k1, v1);
    }
    if (v2 != NULL) {
        ddb_jw_key(w, k2);
        tpl_value(w, k2, v2);
    }
    ddb_jw_obj_end(w);
}

/* ProvisionedThroughput and OnDemandThroughput, from the write side's settings and the read side's
   (a replica's), for the table or one of its indexes. */
static void throughput(cfn_table *ct, ddb_jw *w, const char *of, const ddb_json *write_of, const ddb_json *read_of)
{
    const ddb_json *wp = ddb_json_get(write_of, "WriteProvisionedThroughputSettings");
    const ddb_json *rp = ddb_json_get(read_of, "ReadProvisionedThroughputSettings");
    const ddb_json *wo = ddb_json_get(ddb_json_get(write_of, "WriteOnDemandThroughputSettings"), "MaxWriteRequestUnits");
    const ddb_json *ro = ddb_json_get(ddb_json_get(read_of, "ReadOnDemandThroughputSettings"), "MaxReadRequestUnits");
    const ddb_json *wcu = capacity(ct, of, wp, "WriteCapacityUnits", "WriteCapacityAutoScalingSettings");
    const ddb_json *rcu = capacity(ct, of, rp, "ReadCapacityUnits", "ReadCapacityAutoScalingSettings");

    value_pair(w, "ProvisionedThroughput", "ReadCapacityUnits", rcu, "WriteCapacityUnits", wcu);
    value_pair(w, "OnDemandThroughput", "MaxReadRequestUnits", ro, "MaxWriteRequestUnits", wo);
}

static void global_throughput(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    throughput(ct, &ct->t.cw, "", ct->props, ct->replica);
}

/* The replica's settings of index `name`. */
static const ddb_json *replica_index(cfn_table *ct, const char *name)
{
    const ddb_json *list = ddb_json_get(ct->replica, "GlobalSecondaryIndexes");

    for (uint32_t i = 0; name != NULL && list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++) {
        const char *n = ddb_json_get_str(list->u.items[i], "IndexName");
        if (n != NULL && strcmp(n, name) == 0)
            return list->u.items[i];
    }
    return NULL;
}

static void global_gsis(cfn_table *ct, const char *key, const ddb_json *v, const char *note)
{
    static const char *const but[] = {"WriteProvisionedThroughputSettings", "WriteOnDemandThroughputSettings", NULL};

    ddb_jw_key(&ct->t.cw, key);
    ddb_jw_arr_begin(&ct->t.cw);
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n; i++) {
        const ddb_json *idx = v->u.items[i], *rep = replica_index(ct, ddb_json_get_str(idx, "IndexName"));
        ddb_jw_obj_begin(&ct->t.cw);
        members_but(&ct->t.cw, idx, but);
        throughput(ct, &ct->t.cw, ddb_arena_sprintf(ct->c->a, "GlobalSecondaryIndexes[%s].", ddb_json_get_str(idx, "IndexName") ? ddb_json_get_str(idx, "IndexName") : "?"), idx, rep);
        ddb_jw_obj_end(&ct->t.cw);
        if (rep != NULL)
            insights(ct, ddb_json_get_str(idx, "IndexName"), ddb_json_get(rep, "ContributorInsightsSpecification"));
    }
    ddb_jw_arr_end(&ct->t.cw);
}

/* Picks the replica in the seed's region and writes its properties (0: there is none). */
static int local_replica(cfn_table *ct)
{
    const ddb_json *list = ddb_json_get(ct->props, "Replicas");
    const char *region = cfn_region(ct->c);

    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n && ct->replica == NULL; i++) {
        const char *r = ddb_json_get_str(list->u.items[i], "Region");
        if (r != NULL && strcmp(r, region) == 0)
            ct->replica = list->u.items[i];
    }
    if (ct->replica == NULL) {
        tpl_error(&ct->t, "Replicas: none in the seed's region %s (--seed-param AWS::Region=REGION seeds another)",
                  region);
        return 0;
    }
    for (uint32_t i = 0; ct->replica->type == DDB_JSON_OBJECT && i < ct->replica->n; i++) {
        const char *k = ct->replica->u.members[i].key;
        const prop *p = find_prop(replica_props, k);
        if (p == NULL)
            tpl_error(&ct->t, "Replicas[%s].%s is not a replica property that ddbd knows", region, k);
        else if (acted_on(ct, p, ddb_arena_sprintf(ct->c->a, "Replicas[%s].%s", region, k), ct->replica->u.members[i].val))
            p->fn(ct, k, ct->replica->u.members[i].val, p->note);
    }
    return 1;
}

/* The other replicas, after every other call (the table must be ACTIVE for those): each made as
   UpdateTable's ReplicaUpdates makes it, with the table's settings. DynamoDB makes replicas of a
   provisioned table only when its write capacity is auto scaled (by Application Auto Scaling):
   CloudFormation requires WriteCapacityAutoScalingSettings of one, and registers them; without
   them (a template CloudFormation refuses) the replicas are named, not made. */
static void other_replicas(cfn_table *ct)
{
    const ddb_json *list = ddb_json_get(ct->props, "Replicas");
    const char *billing = ddb_json_get_str(ct->props, "BillingMode");
    int autoscaled = ddb_json_get(ddb_json_get(ct->props, "WriteProvisionedThroughputSettings"),
                                  "WriteCapacityAutoScalingSettings") != NULL;
    int provisioned = billing != NULL && strcmp(billing, "PROVISIONED") == 0 && !autoscaled;
    ddb_buf own = {0}, unmade = {0};

    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++) {
        const ddb_json *rep = list->u.items[i];
        const char *r = ddb_json_get_str(rep, "Region");
        if (rep == ct->replica)
            continue;
        if (r == NULL) {
            tpl_error(&ct->t, "Replicas[%u]: no Region", i);
        } else if (provisioned) {
            ddb_buf_puts(&unmade, unmade.len ? ", " : "");
            ddb_buf_puts(&unmade, r);
        } else {
            tpl_replica(&ct->t, r, autoscaled);
            if (rep->type == DDB_JSON_OBJECT && rep->n > 1) {
                ddb_buf_puts(&own, own.len ? ", " : "");
                ddb_buf_puts(&own, r);
            }
        }
    }
    if (own.len > 0)
        tpl_warn(&ct->t, "the replicas in %s are made with the table's settings: their own (capacity, table class, "
                 "tags, ...) are not acted on", own.data);
    if (unmade.len > 0)
        tpl_warn(&ct->t, "the replicas in %s are not created: replicas of a provisioned table need its write "
                 "capacity auto scaled (WriteProvisionedThroughputSettings.WriteCapacityAutoScalingSettings, "
                 "which CloudFormation requires)", unmade.data);
    ddb_buf_free(&own);
    ddb_buf_free(&unmade);
}

/* ---- a resource ---- */

/* SAM's Globals.SimpleTable: its properties where the resource has none of its own. */
static const ddb_json *with_globals(cfn_ctx *c, const ddb_json *props, const ddb_json *globals)
{
    ddb_json *out;
    uint32_t n = 0;

    if (globals == NULL || globals->type != DDB_JSON_OBJECT || (props != NULL && props->type != DDB_JSON_OBJECT))
        return props; /* (Properties that are no object are refused below) */
    out = DDB_NEW(c->a, ddb_json);
    out->type = DDB_JSON_OBJECT;
    out->u.members = ddb_arena_alloc(c->a, ((props ? props->n : 0) + globals->n + 1) * sizeof(ddb_json_member));
    for (uint32_t i = 0; props != NULL && i < props->n; i++)
        out->u.members[n++] = props->u.members[i];
    for (uint32_t i = 0; i < globals->n; i++) {
        if (ddb_json_get(props, globals->u.members[i].key) == NULL)
            out->u.members[n++] = globals->u.members[i];
    }
    out->n = n;
    return out;
}

static const ddb_json no_properties = {DDB_JSON_OBJECT, 0, {0}}; /* (a SimpleTable needs none) */

static void resource(seed_tpl_env *env, cfn_ctx *c, const char *path, const char *text, size_t len,
                     const char *logical, const ddb_json *res, const ddb_json *globals)
{
    const char *type = ddb_json_get_str(res, "Type"), *cond = ddb_json_get_str(res, "Condition"), *name;
    const prop *list = props_of(type), *p;
    char *what = ddb_arena_sprintf(c->a, "Resources.%s", logical), *needle = ddb_arena_sprintf(c->a, "%s:", logical);
    unsigned line = tpl_line(text, len, needle);
    const ddb_json *props = NULL, *raw;
    cfn_table ct;
    int on;

    if (line == 0)
        line = tpl_line(text, len, ddb_arena_sprintf(c->a, "\"%s\"", logical));
    if (line == 0) /* (a resource an Fn::ForEach made) */
        line = tpl_line(text, len, "Fn::ForEach::");
    if (cond != NULL && (on = cfn_condition(c, cond)) <= 0) {
        if (on < 0)
            tpl_file_error(env, path, line, "%s: %s", what, c->err);
        else
            ddb_log(DDB_LOG_INFO, "seed: %s:%u: %s is not created: its condition %s is false", path, line, what, cond);
        return;
    }
    raw = ddb_json_get(res, "Properties") ? ddb_json_get(res, "Properties") : &no_properties;
    /* (the name first: it is bounded by a table name's length as it is built); what only a
       deployment knows is left unknown, an error only where the table is made of it (acted_on) */
    if ((name = cfn_table_name(c, logical)) != NULL) {
        c->lenient = 1;
        props = cfn_eval(c, with_globals(c, raw, list == simple_props ? globals : NULL));
        c->lenient = 0;
    }
    if (name == NULL || props == NULL) {
        tpl_file_error(env, path, line, "%s: %s", what, c->err);
        return;
    }
    memset(&ct, 0, sizeof(ct));
    ct.c = c;
    ct.props = props;
    tpl_begin(&ct.t, env, c->a, path, text, len, name, what, line);
    ct.t.region = cfn_region(c);
    if (list == simple_props)
        primary_key(&ct, "PrimaryKey", ddb_json_get(props, "PrimaryKey"), NULL);
    if (list == global_props && !local_replica(&ct)) {
        tpl_end(&ct.t);
        return;
    }
    if (props->type != DDB_JSON_OBJECT)
        tpl_error(&ct.t, "%s", "Properties: expected an object");
    for (uint32_t i = 0; props->type == DDB_JSON_OBJECT && i < props->n; i++) {
        const char *k = props->u.members[i].key;
        if ((p = find_prop(list, k)) == NULL)
            tpl_error(&ct.t, "Properties.%s is not a property of %s that ddbd knows", k, type);
        else if ((p->fn == skip && strcmp(k, "Replicas") == 0) || acted_on(&ct, p, k, props->u.members[i].val))
            p->fn(&ct, k, props->u.members[i].val, p->note); /* (a replica's, in local_replica) */
    }
    if (list == global_props && ddb_json_get(props, "WriteProvisionedThroughputSettings") == NULL)
        global_throughput(&ct, NULL, NULL, NULL); /* the on-demand limits, if any */
    if (list == global_props)
        other_replicas(&ct);
    tpl_end(&ct.t);
}

/* ---- nested stacks ---- */

#define CFN_NESTED_TYPES(X) X("AWS::CloudFormation::Stack", "TemplateURL") X("AWS::Serverless::Application", "Location")

static const char *nested_property(const char *type)
{
#define X(name, property) if (type != NULL && strcmp(type, name) == 0) return property;
    CFN_NESTED_TYPES(X)
#undef X
    return NULL;
}

/* The parameters a nested stack's resource passes (its Parameters, resolved in the parent: a list is
   its comma-joined text, what only a deployment knows a NULL value), and the seed's pseudo ones
   but AWS::StackName (the nested stack's own). */
static cfn_param *passed(seed_tpl_env *env, cfn_ctx *c, const ddb_json *given, unsigned *n)
{
    cfn_param *out = DDB_NEW_ARRAY(c->a, cfn_param, (given != NULL && given->type == DDB_JSON_OBJECT ? given->n : 0) +
                                                        env->nparams + 1);

    *n = 0;
    for (uint32_t i = 0; given != NULL && given->type == DDB_JSON_OBJECT && i < given->n; i++) {
        const ddb_json *v = given->u.members[i].val;
        const char *s = cfn_str(v);
        if (v->type == DDB_JSON_ARRAY) {
            ddb_buf b = {0};
            ddb_buf_puts(&b, "");
            for (uint32_t k = 0; k < v->n; k++)
                ddb_buf_printf(&b, "%s%s", k ? "," : "", cfn_str(v->u.items[k]) ? cfn_str(v->u.items[k]) : "");
            s = ddb_arena_strndup(c->a, b.data, b.len);
            ddb_buf_free(&b);
        }
        out[(*n)++] = (cfn_param){given->u.members[i].key, s, 0};
    }
    for (unsigned i = 0; i < env->nparams; i++) {
        if (strncmp(env->params[i].name, "AWS::", 5) == 0 && strcmp(env->params[i].name, "AWS::StackName") != 0)
            out[(*n)++] = (cfn_param){env->params[i].name, env->params[i].value, 0};
    }
    return out;
}

/* Where a nested stack's template is, when it is a local file: CDK's asset path (cdk.out has the
   file: Metadata aws:asset:path), else TemplateURL or Location as a path; NULL with *why set. */
static const char *local_template(cfn_ctx *c, const ddb_json *res, const char *property, const ddb_json *at,
                                  const char **why)
{
    const ddb_json *meta = ddb_json_get(res, "Metadata");
    const char *s = cfn_str(at);

    if (ddb_json_get_str(meta, "aws:asset:path") != NULL)
        return ddb_json_get_str(meta, "aws:asset:path");
    if (at == NULL || cfn_unknown_in(at, NULL) != NULL) {
        *why = at == NULL ? ddb_arena_sprintf(c->a, "it has no %s", property)
                          : ddb_arena_sprintf(c->a, "its %s: %s", property, cfn_unknown_in(at, NULL));
    } else if (s == NULL) { /* SAM's {ApplicationId, SemanticVersion} */
        *why = ddb_arena_sprintf(c->a, "its %s is an application of the Serverless Application Repository (%s)",
                                 property, ddb_json_get_str(at, "ApplicationId") ? ddb_json_get_str(at, "ApplicationId")
                                                                                : "no ApplicationId");
    } else if (strstr(s, "://") != NULL) {
        *why = ddb_arena_sprintf(c->a, "its %s %s is not a local file (the template beside this one, or CDK's "
                                 "cdk.out, has it)", property, s);
    } else {
        return s;
    }
    return NULL;
}

/* A nested stack (AWS::CloudFormation::Stack, AWS::Serverless::Application): its template read as
   a stack of its own where it is a local file, else a warning naming it. */
static void nested_stack(seed_tpl_env *env, cfn_ctx *c, const char *path, const char *text, size_t len,
                         const char *logical, const ddb_json *res)
{
    const char *type = ddb_json_get_str(res, "Type"), *property = nested_property(type);
    const char *cond = ddb_json_get_str(res, "Condition"), *file = NULL, *why = NULL;
    char *what = ddb_arena_sprintf(c->a, "Resources.%s", logical);
    unsigned line = tpl_line(text, len, ddb_arena_sprintf(c->a, "%s:", logical)), n = 0;
    const ddb_json *props;
    cfn_param *params;
    int on;

    if (line == 0)
        line = tpl_line(text, len, ddb_arena_sprintf(c->a, "\"%s\"", logical));
    if (cond != NULL && (on = cfn_condition(c, cond)) <= 0) {
        if (on < 0)
            tpl_file_error(env, path, line, "%s: %s", what, c->err);
        return;
    }
    c->lenient = 1; /* (what only a deployment knows: its parameters' values, a template's S3 URL) */
    props = cfn_eval(c, ddb_json_get(res, "Properties") ? ddb_json_get(res, "Properties") : &no_properties);
    c->lenient = 0;
    if (props == NULL) {
        tpl_file_error(env, path, line, "%s: %s", what, c->err);
        return;
    }
    if (env->nested_stack == NULL)
        why = "nested stacks are not followed here";
    else
        file = local_template(c, res, property, ddb_json_get(props, property), &why);
    if (file == NULL) {
        ddb_log(DDB_LOG_WARN, "seed: %s:%u: %s: a nested stack (%s) whose tables are not created: %s", path, line,
                what, type, why);
        return;
    }
    params = passed(env, c, ddb_json_get(props, "Parameters"), &n);
    for (unsigned i = 0; i < n; i++) {
        if (params[i].value == NULL && strncmp(params[i].name, "AWS::", 5) != 0) {
            const ddb_json *v = ddb_json_get(ddb_json_get(props, "Parameters"), params[i].name);
            if (cfn_unknown_in(v, NULL) == NULL)
                tpl_file_error(env, path, line, "%s: Parameters.%s: not a string or a list", what, params[i].name);
        }
    }
    env->nested_stack(env, path, line, what, file, ddb_arena_sprintf(c->a, "%s-%s", c->stack, logical),
                         cfn_region(c), params, n);
}

int seed_cfn_within_quotas(seed_tpl_env *env, const char *path, size_t len, const ddb_json *tpl)
{
    const ddb_json *v;

    if (len > CFN_MAX_TEMPLATE_BYTES) {
        tpl_file_error(env, path, 0, "a template of %zu bytes: more than CloudFormation takes (%u bytes, from S3); "
                       "split it into nested stacks", len, CFN_MAX_TEMPLATE_BYTES);
        return 0;
    }
#define X(section, max)                                                                                           \
    if ((v = ddb_json_get(tpl, #section)) != NULL && v->type == DDB_JSON_OBJECT && v->n > (max)) {                \
        tpl_file_error(env, path, 0, "%u %s: more than a CloudFormation template may declare (%d)", v->n,          \
                       #section, (max));                                                                          \
        return 0;                                                                                                 \
    }
    CFN_TEMPLATE_QUOTAS(X)
#undef X
    return 1;
}

void seed_cfn_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *tpl,
                   const char *stack, const char *region)
{
    ddb_arena a;
    cfn_ctx c;
    const ddb_json *resources = ddb_json_get(tpl, "Resources");
    const ddb_json *globals = ddb_json_get(ddb_json_get(tpl, "Globals"), "SimpleTable");
    unsigned tables = 0;

    if (resources == NULL || resources->type != DDB_JSON_OBJECT) {
        tpl_file_error(env, path, 0, "%s", "a template without a Resources object");
        return;
    }
    if (!seed_cfn_within_quotas(env, path, len, tpl))
        return;
    ddb_arena_init(&a);
    memset(&c, 0, sizeof(c));
    c.a = &a;
    c.parameters = ddb_json_get(tpl, "Parameters");
    c.mappings = ddb_json_get(tpl, "Mappings");
    c.conditions = ddb_json_get(tpl, "Conditions");
    c.resources = resources;
    c.given = env->params;
    c.ngiven = env->nparams;
    c.stack = stack;
    c.region = region;
    cfn_prepare(&c);
    if (cfn_has_foreach(resources)) { /* (AWS::LanguageExtensions: before anything else is read) */
        if ((resources = cfn_foreach(&c, resources)) == NULL) {
            tpl_file_error(env, path, tpl_line(text, len, "Fn::ForEach::"), "Resources: %s", c.err);
            ddb_arena_free(&a);
            return;
        }
        c.resources = resources;
        cfn_prepare(&c);
    }
    for (uint32_t i = 0; i < resources->n && !env->stopped; i++) {
        const char *type = ddb_json_get_str(resources->u.members[i].val, "Type");
        if (props_of(type) == NULL && nested_property(type) == NULL)
            continue; /* (a function, a queue, ...: not the seed's business) */
        c.err[0] = '\0';
        c.unknown = 0;
        c.depth = 0;
        if (nested_property(type) != NULL)
            nested_stack(env, &c, path, text, len, resources->u.members[i].key, resources->u.members[i].val);
        else
            resource(env, &c, path, text, len, resources->u.members[i].key, resources->u.members[i].val, globals);
        tables++;
    }
    if (tables == 0)
        ddb_log(DDB_LOG_WARN, "seed: %s: a template with no table in it (AWS::DynamoDB::Table, "
                "AWS::DynamoDB::GlobalTable, AWS::Serverless::SimpleTable) nor a nested stack", path);
    ddb_arena_free(&a);
}
