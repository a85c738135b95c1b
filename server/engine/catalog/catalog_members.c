/*
 * server/engine/catalog/catalog_members.c: the catalog's own members, read and written (see
 * catalog_members.h). Each member's reader and writer sit together, so its shape is defined once
 * (docs/storage-format.md describes them); a feature's members are its own (feature.h's
 * ddb_table_member), read here by walking the rows.
 */
#include "server/engine/catalog/catalog_members.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int ddb_member_is_catalogs(const char *key)
{
    return strcmp(key, "ddbdTableId") == 0 || strcmp(key, "CreationDateTime") == 0 || strcmp(key, "ddbdVersion") == 0;
}

int ddb_member_is_index_list(const char *key)
{
    return strcmp(key, "LocalSecondaryIndexes") == 0 || strcmp(key, "GlobalSecondaryIndexes") == 0 ||
           strcmp(key, "VectorIndexes") == 0;
}

uint32_t ddb_member_u32(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_NUMBER ? (uint32_t)strtoul(v->u.s, NULL, 10) : 0;
}

uint64_t ddb_member_u64(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_NUMBER ? strtoull(v->u.s, NULL, 10) : 0;
}

int ddb_member_true(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_BOOL && v->u.b;
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
    ix->id = ddb_member_u32(ddb_json_get(obj, "ddbdIndexId"));
    ix->state = state_from_name(ddb_json_get_str(obj, "IndexStatus"));
    ix->backfilling = ddb_member_true(ddb_json_get(obj, "Backfilling"));
}

void ddb_member_write_index_id(ddb_jw *w, uint32_t id)
{
    ddb_jw_member_int(w, "ddbdIndexId", id);
}

void ddb_member_write_index_state(ddb_jw *w, ddb_index_state state, int backfilling)
{
    ddb_jw_member_str(w, "IndexStatus", ddb_index_state_name(state));
    /* false is never stored: the member goes */
    if (backfilling)
        ddb_jw_member_bool(w, "Backfilling", 1);
}

/* ---- "ddbdTags" and "ddbdPolicies": lists of objects of string members (server/ops/ops_tags.c,
   server/ops/ops_policy.c), each object a row of const char * fields; left out when empty ---- */

typedef struct string_member {
    const char *name;
    size_t at; /* the field's offsetof in the row */
} string_member;

static const string_member TAG_MEMBERS[] = {
    {"Key", offsetof(ddb_tag, key)},
    {"Value", offsetof(ddb_tag, value)},
    {NULL, 0},
};
static const string_member POLICY_MEMBERS[] = {
    {"Resource", offsetof(ddb_policy, resource)},
    {"Policy", offsetof(ddb_policy, doc)},
    {"RevisionId", offsetof(ddb_policy, revision)},
    {NULL, 0},
};

/* The rows of t's list `list_name` (rows of `size` bytes), with room for `room` more and a zeroed
   one past them; *n of them. */
static void *rows_read(const ddb_table *t, const char *list_name, const string_member *m, size_t size, ddb_arena *a,
                       size_t room, size_t *n)
{
    const ddb_json *list = ddb_json_get(t->desc, list_name);
    char *rows;

    *n = list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;
    rows = ddb_arena_calloc(a, size * (*n + room + 1));
    for (size_t i = 0; i < *n; i++)
        for (const string_member *f = m; f->name != NULL; f++)
            *(const char **)(rows + i * size + f->at) = ddb_json_get_str(list->u.items[i], f->name);
    return rows;
}

static void rows_write(ddb_jw *w, const void *rows, size_t n, size_t size, const string_member *m)
{
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        for (const string_member *f = m; f->name != NULL; f++)
            ddb_jw_member_str(w, f->name, *(const char *const *)((const char *)rows + i * size + f->at));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* The member `list_name` with its rows; nothing when there are none. */
static void member_rows_write(ddb_jw *w, const char *list_name, const void *rows, size_t n, size_t size,
                              const string_member *m)
{
    if (n == 0)
        return;
    ddb_jw_key(w, list_name);
    rows_write(w, rows, n, size, m);
}

size_t ddb_table_tags(const ddb_table *t, ddb_arena *a, size_t room, ddb_tag **out)
{
    size_t n;

    *out = rows_read(t, DDB_MEMBER_TAGS, TAG_MEMBERS, sizeof(ddb_tag), a, room, &n);
    return n;
}

void ddb_member_write_tags(ddb_jw *w, const ddb_tag *tags, size_t n)
{
    member_rows_write(w, DDB_MEMBER_TAGS, tags, n, sizeof(*tags), TAG_MEMBERS);
}

void ddb_tags_write_list(ddb_jw *w, const ddb_tag *tags, size_t n)
{
    rows_write(w, tags, n, sizeof(*tags), TAG_MEMBERS);
}

size_t ddb_table_policies(const ddb_table *t, ddb_arena *a, size_t room, ddb_policy **out)
{
    size_t n;

    *out = rows_read(t, DDB_MEMBER_POLICIES, POLICY_MEMBERS, sizeof(ddb_policy), a, room, &n);
    return n;
}

void ddb_member_write_policies(ddb_jw *w, const ddb_policy *p, size_t n)
{
    member_rows_write(w, DDB_MEMBER_POLICIES, p, n, sizeof(*p), POLICY_MEMBERS);
}

/* ---- ProvisionedThroughput's record of changes ---- */

/* A Last...DateTime member: `now` when this change is of its kind, else as stored (none before the
   first). */
static void change_time_write(ddb_jw *w, const ddb_json *cur, const char *name, int changed, double now)
{
    const ddb_json *was = ddb_json_get(cur, name);

    if (!changed && was == NULL)
        return;
    ddb_jw_key(w, name);
    if (changed)
        ddb_jw_double(w, now);
    else
        ddb_jw_json(w, was);
}

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
    ddb_jw_member_int(w, "ReadCapacityUnits", read);
    ddb_jw_member_int(w, "WriteCapacityUnits", write);
    change_time_write(w, cur, "LastIncreaseDateTime", up, now);
    change_time_write(w, cur, "LastDecreaseDateTime", down, now);
    ddb_jw_member_int(w, "NumberOfDecreasesToday", decreases + (down ? 1 : 0));
    ddb_jw_member_int(w, "ddbdDecreasesDay", day);
    ddb_jw_obj_end(w);
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

void ddb_members_read(ddb_table *t)
{
    capacity_read(t->desc, &t->capacity);
    t->capacity.provisioned = provisioned_of(t->desc);
    namespace_read(t);
}

void ddb_members_read_rows(ddb_table *t, const ddb_feature_rows *rows)
{
    for (unsigned i = 0; rows != NULL && i < rows->n; i++) {
        const ddb_table_member *const *m = rows->row[i]->members;
        for (; m != NULL && *m != NULL; m++)
            if ((*m)->read != NULL)
                (*m)->read(t, ddb_json_get(t->desc, (*m)->name));
    }
}
