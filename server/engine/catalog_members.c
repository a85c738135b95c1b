/*
 * server/engine/catalog_members.c: the catalog's own members, read and written (see
 * catalog_members.h). Each member's reader and writer sit together, so its shape is defined once
 * (docs/storage-format.md describes them).
 */
#include "server/engine/catalog_members.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/kinesis_member.h"

int ddb_member_is_catalogs(const char *key)
{
    return strcmp(key, "ddbdTableId") == 0 || strcmp(key, "CreationDateTime") == 0 || strcmp(key, "ddbdVersion") == 0;
}

int ddb_member_is_index_list(const char *key)
{
    return strcmp(key, "LocalSecondaryIndexes") == 0 || strcmp(key, "GlobalSecondaryIndexes") == 0 ||
           strcmp(key, "VectorIndexes") == 0;
}

static uint32_t u32_of(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_NUMBER ? (uint32_t)strtoul(v->u.s, NULL, 10) : 0;
}

static int true_of(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_BOOL && v->u.b;
}

/* ---- "ddbdActiveAt": when a table or index made under --table-states is ACTIVE (table_states.h) ---- */

static uint64_t active_at_of(const ddb_json *obj)
{
    const ddb_json *v = ddb_json_get(obj, DDB_MEMBER_ACTIVE_AT);

    return v != NULL && v->type == DDB_JSON_NUMBER ? (uint64_t)strtoull(v->u.s, NULL, 10) : 0;
}

/* ---- an index's "ddbdIndexId", "IndexStatus" and "Backfilling" ---- */

static ddb_index_state state_from_name(const char *s)
{
    for (int i = 0; s != NULL && i <= DDB_IX_ACTIVE; i++) {
        if (strcmp(s, ddb_index_state_name((ddb_index_state)i)) == 0)
            return (ddb_index_state)i;
    }
    return DDB_IX_ACTIVE;
}

/* ---- BillingMode, ProvisionedThroughput, OnDemandThroughput and WarmThroughput (DynamoDB's
   members, kept as set), typed into ddb_capacity: read here once per table version, never per
   request ---- */

static long long ll_of(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);

    return v != NULL && v->type == DDB_JSON_NUMBER ? strtoll(v->u.s, NULL, 10) : 0;
}

static double units_of(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);

    return v != NULL && v->type == DDB_JSON_NUMBER ? strtod(v->u.s, NULL) : 0;
}

/* A table's or a GSI's rates (its billing mode is the table's: provisioned_of). A stored -1
   maximum (not written by ddbd, which drops it) is read as not set, like any value below 1. */
static void capacity_read(const ddb_json *obj, ddb_capacity *c)
{
    const ddb_json *pt = ddb_json_get(obj, "ProvisionedThroughput");
    const ddb_json *odt = ddb_json_get(obj, "OnDemandThroughput"), *warm = ddb_json_get(obj, "WarmThroughput");

    c->read = units_of(pt, "ReadCapacityUnits");
    c->write = units_of(pt, "WriteCapacityUnits");
    c->max_read = ll_of(odt, "MaxReadRequestUnits");
    c->max_write = ll_of(odt, "MaxWriteRequestUnits");
    c->warm_read = ll_of(warm, "ReadUnitsPerSecond");
    c->warm_write = ll_of(warm, "WriteUnitsPerSecond");
    c->max_read = c->max_read > 0 ? c->max_read : 0;
    c->max_write = c->max_write > 0 ? c->max_write : 0;
}

/* Without BillingMode a table is provisioned (CreateTable's default). */
static int provisioned_of(const ddb_json *desc)
{
    const char *mode = ddb_json_get_str(desc, "BillingMode");

    return mode == NULL || strcmp(mode, "PAY_PER_REQUEST") != 0;
}

void ddb_member_index_read(const ddb_json *obj, ddb_index *ix)
{
    capacity_read(obj, &ix->capacity);
    ix->id = u32_of(ddb_json_get(obj, "ddbdIndexId"));
    ix->state = state_from_name(ddb_json_get_str(obj, "IndexStatus"));
    ix->backfilling = true_of(ddb_json_get(obj, "Backfilling"));
    ix->active_at = active_at_of(obj);
}

void ddb_member_write_index_id(ddb_jw *w, uint32_t id)
{
    ddb_jw_key(w, "ddbdIndexId");
    ddb_jw_int(w, id);
}

void ddb_member_write_index_state(ddb_jw *w, ddb_index_state state, int backfilling)
{
    ddb_jw_key(w, "IndexStatus");
    ddb_jw_str(w, ddb_index_state_name(state));
    if (backfilling) { /* false is never stored: the member goes */
        ddb_jw_key(w, "Backfilling");
        ddb_jw_bool(w, 1);
    }
}

/* ---- "ddbdStream": {"Id", "Label", "View", "Enabled", "Shards": [...]} (engine/history/streams.h) ---- */

static void stream_read(ddb_table *t)
{
    const ddb_json *st = ddb_json_get(t->desc, DDB_MEMBER_STREAM), *id, *shards;

    if (st == NULL || (id = ddb_json_get(st, "Id")) == NULL || id->type != DDB_JSON_NUMBER)
        return;
    t->last_stream_id = u32_of(id);
    t->stream_label = ddb_json_get_str(st, "Label");
    t->stream_view = ddb_stream_view_parse(ddb_json_get_str(st, "View"));
    shards = ddb_json_get(st, "Shards");
    for (uint32_t i = 0; shards != NULL && shards->type == DDB_JSON_ARRAY && i < shards->n && i < DDB_MAX_STREAM_GENS;
         i++)
        t->stream_counts[t->stream_ngens++] = (unsigned)strtoul(shards->u.items[i]->u.s, NULL, 10);
    if (true_of(ddb_json_get(st, "Enabled")) && t->stream_ngens > 0 && t->stream_view != DDB_VIEW_NONE)
        t->stream_id = t->last_stream_id;
}

void ddb_member_write_stream(ddb_jw *w, const ddb_stream_member *s)
{
    ddb_jw_key(w, DDB_MEMBER_STREAM);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Id");
    ddb_jw_int(w, s->id);
    ddb_jw_key(w, "Label");
    ddb_jw_str(w, s->label);
    ddb_jw_key(w, "View");
    ddb_jw_str(w, ddb_stream_view_name(s->view));
    ddb_jw_key(w, "Enabled");
    ddb_jw_bool(w, s->enabled);
    ddb_jw_key(w, "Shards");
    ddb_jw_arr_begin(w);
    for (unsigned g = 0; g < s->ngens; g++)
        ddb_jw_int(w, s->counts[g]);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

void ddb_member_write_stream_spec(ddb_jw *w, int view)
{
    ddb_jw_key(w, "StreamSpecification");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "StreamEnabled");
    ddb_jw_bool(w, 1);
    ddb_jw_key(w, "StreamViewType");
    ddb_jw_str(w, ddb_stream_view_name(view));
    ddb_jw_obj_end(w);
}

/* ---- "ddbdTtl": {"Attr", "Enabled", "Changed"} (engine/jobs/ttl.h) ---- */

static void ttl_read(ddb_table *t)
{
    const ddb_json *ttl = ddb_json_get(t->desc, DDB_MEMBER_TTL), *changed;

    if (ttl == NULL)
        return;
    t->ttl_attr = ddb_json_get_str(ttl, "Attr");
    t->ttl_enabled = t->ttl_attr != NULL && true_of(ddb_json_get(ttl, "Enabled"));
    changed = ddb_json_get(ttl, "Changed");
    t->ttl_changed_ms = changed != NULL && changed->type == DDB_JSON_NUMBER ? strtoull(changed->u.s, NULL, 10) : 0;
}

void ddb_member_write_ttl(ddb_jw *w, const char *attr, int enabled, uint64_t changed_ms)
{
    ddb_jw_key(w, DDB_MEMBER_TTL);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Attr");
    ddb_jw_str(w, attr);
    ddb_jw_key(w, "Enabled");
    ddb_jw_bool(w, enabled);
    ddb_jw_key(w, "Changed");
    ddb_jw_int(w, (long long)changed_ms);
    ddb_jw_obj_end(w);
}

/* ---- "ddbdRestore": {"Keyspace", "SourceBackupArn" | "Log", "Until", "SourceTableArn",
   "RestoreDateTime", "InProgress"} (engine/jobs/backups.h) ---- */

static void restore_read(ddb_table *t)
{
    const ddb_json *r = ddb_json_get(t->desc, DDB_MEMBER_RESTORE);

    if (r == NULL)
        return;
    t->restoring = true_of(ddb_json_get(r, "InProgress"));
    t->restore_from = u32_of(ddb_json_get(r, "Keyspace"));
}

static void write_str(ddb_jw *w, const char *key, const char *val)
{
    ddb_jw_key(w, key);
    ddb_jw_str(w, val != NULL ? val : "");
}

void ddb_member_write_restore(ddb_jw *w, const ddb_restore_member *r)
{
    char when[32];

    ddb_jw_key(w, DDB_MEMBER_RESTORE);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Keyspace");
    ddb_jw_int(w, r->keyspace);
    if (r->log == 0) {
        write_str(w, "SourceBackupArn", r->backup_arn);
    } else {
        ddb_jw_key(w, "Log");
        ddb_jw_int(w, r->log);
        ddb_jw_key(w, "Until");
        ddb_jw_int(w, (long long)r->at_ms);
    }
    write_str(w, "SourceTableArn", r->table_arn);
    ddb_jw_key(w, "RestoreDateTime"); /* epoch seconds to the millisecond, as DescribeTable shows it */
    snprintf(when, sizeof(when), "%llu.%03llu", (unsigned long long)(r->at_ms / 1000),
             (unsigned long long)(r->at_ms % 1000));
    ddb_jw_raw_number(w, when);
    ddb_jw_key(w, "InProgress");
    ddb_jw_bool(w, 1);
    ddb_jw_obj_end(w);
}

void ddb_member_write_restore_done(ddb_jw *w, const ddb_json *restore)
{
    ddb_jw_key(w, DDB_MEMBER_RESTORE);
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; restore != NULL && restore->type == DDB_JSON_OBJECT && i < restore->n; i++) {
        if (strcmp(restore->u.members[i].key, "InProgress") == 0)
            continue;
        ddb_jw_keyn(w, restore->u.members[i].key, restore->u.members[i].klen);
        ddb_jw_json(w, restore->u.members[i].val);
    }
    ddb_jw_key(w, "InProgress");
    ddb_jw_bool(w, 0);
    ddb_jw_obj_end(w);
}

/* ---- "ddbdPitr": {"Log", "Base", "Days"} (engine/jobs/pitr.h), present only while enabled ---- */

static void pitr_read(ddb_table *t)
{
    const ddb_json *p = ddb_json_get(t->desc, DDB_MEMBER_PITR);

    t->pitr_log = u32_of(ddb_json_get(p, "Log"));
    t->pitr_base = ddb_json_get_str(p, "Base");
    t->pitr_days = ddb_json_integer(ddb_json_get(p, "Days"), 0);
}

void ddb_member_write_pitr(ddb_jw *w, uint32_t log, const char *base, long long days)
{
    ddb_jw_key(w, DDB_MEMBER_PITR);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Log");
    ddb_jw_int(w, log);
    write_str(w, "Base", base);
    ddb_jw_key(w, "Days");
    ddb_jw_int(w, days);
    ddb_jw_obj_end(w);
}

/* ---- "ddbdTags": [{"Key", "Value"}...] (server/ops/ops_tags.c), left out when there are none ---- */

size_t ddb_table_tags(const ddb_table *t, ddb_arena *a, size_t room, ddb_tag **out)
{
    const ddb_json *list = ddb_json_get(t->desc, DDB_MEMBER_TAGS);
    size_t n = list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;

    *out = DDB_NEW_ARRAY(a, ddb_tag, n + room + 1);
    for (size_t i = 0; i < n; i++) {
        (*out)[i].key = ddb_json_get_str(list->u.items[i], "Key");
        (*out)[i].value = ddb_json_get_str(list->u.items[i], "Value");
    }
    return n;
}

void ddb_member_write_tags(ddb_jw *w, const ddb_tag *tags, size_t n)
{
    if (n == 0)
        return;
    ddb_jw_key(w, DDB_MEMBER_TAGS);
    ddb_tags_write_list(w, tags, n);
}

void ddb_tags_write_list(ddb_jw *w, const ddb_tag *tags, size_t n)
{
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "Key");
        ddb_jw_str(w, tags[i].key);
        ddb_jw_key(w, "Value");
        ddb_jw_str(w, tags[i].value);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* ---- "ddbdPolicies": [{"Resource", "Policy", "RevisionId"}...] (server/ops/ops_policy.c) ---- */

size_t ddb_table_policies(const ddb_table *t, ddb_arena *a, size_t room, ddb_policy **out)
{
    const ddb_json *list = ddb_json_get(t->desc, DDB_MEMBER_POLICIES);
    size_t n = list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;

    *out = DDB_NEW_ARRAY(a, ddb_policy, n + room + 1);
    for (size_t i = 0; i < n; i++) {
        (*out)[i].resource = ddb_json_get_str(list->u.items[i], "Resource");
        (*out)[i].doc = ddb_json_get_str(list->u.items[i], "Policy");
        (*out)[i].revision = ddb_json_get_str(list->u.items[i], "RevisionId");
    }
    return n;
}

void ddb_member_write_policies(ddb_jw *w, const ddb_policy *p, size_t n)
{
    if (n == 0)
        return;
    ddb_jw_key(w, DDB_MEMBER_POLICIES);
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "Resource");
        ddb_jw_str(w, p[i].resource);
        ddb_jw_key(w, "Policy");
        ddb_jw_str(w, p[i].doc);
        ddb_jw_key(w, "RevisionId");
        ddb_jw_str(w, p[i].revision);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* ---- "ddbdReplication": {"Id", "Version", "Strong", "Witness", "Replicas": [{"RegionName", "ReplicaStatus"}...]}
   (engine/jobs/replication.h) ---- */

static ddb_replica_state replica_state_from_name(const char *s)
{
    for (int i = 0; s != NULL && i <= DDB_REPLICA_ACTIVE; i++) {
        if (strcmp(s, ddb_replica_state_name((ddb_replica_state)i)) == 0)
            return (ddb_replica_state)i;
    }
    return DDB_REPLICA_ACTIVE;
}

/* The namespace's account and region ("" is the default account in us-east-1: catalog.h). */
static void namespace_read(ddb_table *t)
{
    const char *colon = strchr(t->ns, ':');

    if (colon == NULL) { /* the default namespace: every table without --namespaces, whoever made it */
        const char *owner = ddb_json_get_str(t->desc, DDB_MEMBER_OWNER);
        t->account = owner != NULL ? owner : "000000000000";
        t->region = "us-east-1";
        return;
    }
    t->account = ddb_arena_strndup(&t->arena, t->ns, (size_t)(colon - t->ns));
    t->region = colon + 1;
}

static void replication_read(ddb_table *t)
{
    const ddb_json *r = ddb_json_get(t->desc, DDB_MEMBER_REPLICATION), *list;

    namespace_read(t);
    if (r == NULL)
        return;
    t->rep_id = u32_of(ddb_json_get(r, "Id"));
    t->rep_version = ddb_json_get_str(r, "Version");
    t->rep_strong = true_of(ddb_json_get(r, "Strong"));
    t->rep_fill_from = ddb_json_get_str(r, "FillFrom");
    t->rep_witness = ddb_json_get_str(r, "Witness");
    list = ddb_json_get(r, "Replicas");
    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n && i < DDB_MAX_REPLICAS; i++) {
        t->replicas[t->nreplicas].region = ddb_json_get_str(list->u.items[i], "RegionName");
        t->replicas[t->nreplicas++].state =
            replica_state_from_name(ddb_json_get_str(list->u.items[i], "ReplicaStatus"));
    }
}

void ddb_member_write_replication(ddb_jw *w, const ddb_replication_member *r)
{
    ddb_jw_key(w, DDB_MEMBER_REPLICATION);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Id");
    ddb_jw_int(w, r->id);
    write_str(w, "Version", r->version);
    if (r->strong) {
        ddb_jw_key(w, "Strong");
        ddb_jw_bool(w, 1);
    }
    if (r->fill_from != NULL)
        write_str(w, "FillFrom", r->fill_from);
    if (r->witness != NULL)
        write_str(w, "Witness", r->witness);
    ddb_jw_key(w, "Replicas");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < r->n; i++) {
        ddb_jw_obj_begin(w);
        write_str(w, "RegionName", r->replicas[i].region);
        write_str(w, "ReplicaStatus", ddb_replica_state_name(r->replicas[i].state));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

void ddb_table_replication(const ddb_table *t, ddb_arena *a, ddb_replication_member *out)
{
    ddb_replica *v = DDB_NEW_ARRAY(a, ddb_replica, t->nreplicas + 1);

    memcpy(v, t->replicas, sizeof(ddb_replica) * t->nreplicas);
    *out = (ddb_replication_member){t->rep_id,       t->rep_version,   t->rep_strong, v,
                                    t->nreplicas, t->rep_fill_from, t->rep_witness};
}

/* ---- ProvisionedThroughput's record of changes ---- */

/*
 * LastIncreaseDateTime when a figure goes up (or the table switches from on-demand),
 * LastDecreaseDateTime and one more of the UTC day's decreases when one goes down, the other
 * timestamp kept (the API reference's ProvisionedThroughputDescription; dynalite keeps them so).
 * ddbdDecreasesDay, the UTC day of the count, is ddbd's own and not shown (ops/table_desc.c).
 */
void ddb_member_write_throughput(ddb_jw *w, const ddb_json *cur, int was_provisioned, long long read,
                                 long long write, double now)
{
    long long cr = ddb_json_integer(ddb_json_get(cur, "ReadCapacityUnits"), 0);
    long long cw = ddb_json_integer(ddb_json_get(cur, "WriteCapacityUnits"), 0);
    int up = !was_provisioned || read > cr || write > cw, down = was_provisioned && (read < cr || write < cw);
    long long day = (long long)(now / 86400), decreases = 0;

    if (ddb_json_integer(ddb_json_get(cur, "ddbdDecreasesDay"), 0) == day)
        decreases = ddb_json_integer(ddb_json_get(cur, "NumberOfDecreasesToday"), 0);
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, read);
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, write);
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

/* ---- "ddbdInsights": {"Table": state, "Indexes": {name: state}}, a state {"Mode", "Changed",
   "Enabled"} (engine/capacity/insights.h; Mode absent while disabled) ---- */

static void insights_state_read(const ddb_json *o, ddb_ci_state *st)
{
    const ddb_json *v;

    if (o == NULL)
        return;
    st->mode = (int)ddb_ci_mode_from_name(ddb_json_get_str(o, "Mode"));
    v = ddb_json_get(o, "Changed");
    st->changed_ms = v != NULL && v->type == DDB_JSON_NUMBER ? strtoull(v->u.s, NULL, 10) : 0;
    v = ddb_json_get(o, "Enabled");
    st->enabled_ms = v != NULL && v->type == DDB_JSON_NUMBER ? strtoull(v->u.s, NULL, 10) : 0;
}

void ddb_member_read_insights(ddb_table *t)
{
    const ddb_json *ci = ddb_json_get(t->desc, DDB_MEMBER_INSIGHTS);
    const ddb_json *ixs = ddb_json_get(ci, "Indexes");

    insights_state_read(ddb_json_get(ci, "Table"), &t->ci);
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL)
            insights_state_read(ddb_json_get(ixs, t->indexes[i].name), &t->indexes[i].ci);
}

static void insights_state_write(ddb_jw *w, const char *key, const ddb_ci_state *st)
{
    if (st->changed_ms == 0)
        return;
    ddb_jw_key(w, key);
    ddb_jw_obj_begin(w);
    if (st->mode != DDB_CI_OFF) {
        ddb_jw_key(w, "Mode");
        ddb_jw_str(w, ddb_ci_mode_name((ddb_ci_mode)st->mode));
    }
    ddb_jw_key(w, "Changed");
    ddb_jw_int(w, (long long)st->changed_ms);
    ddb_jw_key(w, "Enabled");
    ddb_jw_int(w, (long long)st->enabled_ms);
    ddb_jw_obj_end(w);
}

void ddb_member_write_insights(ddb_jw *w, const ddb_table *t, const char *index, const ddb_ci_state *st)
{
    ddb_jw_key(w, DDB_MEMBER_INSIGHTS);
    ddb_jw_obj_begin(w);
    insights_state_write(w, "Table", index == NULL ? st : &t->ci);
    ddb_jw_key(w, "Indexes");
    ddb_jw_obj_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind == DDB_IX_GLOBAL)
            insights_state_write(w, ix->name, index != NULL && strcmp(index, ix->name) == 0 ? st : &ix->ci);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

void ddb_members_read(ddb_table *t)
{
    capacity_read(t->desc, &t->capacity);
    t->capacity.provisioned = provisioned_of(t->desc);
    t->active_at = active_at_of(t->desc);
    stream_read(t);
    ttl_read(t);
    restore_read(t);
    pitr_read(t);
    replication_read(t);
    t->kinesis_log = ddb_kinesis_live_log(t->desc);
}
