/*
 * server/engine/catalog/catalog_edit.c: typed changes to a table's description, written as its new JSON
 * and committed compare-and-swap (see catalog_edit.h). The catalog's own members are written by
 * catalog_members.c, next to their readers.
 */
#include "server/engine/catalog/catalog_edit.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_members.h"

#define MAX_CHANGES 24 /* more than the distinct members a description has */

typedef enum change_kind {
    CH_REMOVE,
    CH_JSON,         /* u.json */
    CH_STR,          /* u.str */
    CH_DOUBLE,       /* u.num */
    CH_DEFINE,       /* u.json: definitions to add */
    CH_PRUNE_DEFS,
    CH_THROUGHPUT,   /* u.pt */
    CH_TAGS,         /* u.tags */
    CH_POLICIES,     /* u.policies */
    CH_MEMBER,       /* u.member: a feature's (feature.h's ddb_table_member) */
} change_kind;

/* A top-level member's change. */
typedef struct change {
    const char *name;
    change_kind kind;
    union {
        const ddb_json *json;
        const char *str;
        double num;
        struct {
            long long read, write;
            double now;
        } pt;
        struct {
            const ddb_tag *v;
            size_t n;
        } tags;
        struct {
            const ddb_policy *v;
            size_t n;
        } policies;
        struct {
            const ddb_table_member *m;
            const void *value;
        } member;
    } u;
} change;

/* A change to one of the base's indexes. */
typedef struct index_change {
    int drop;
    int set_state;
    ddb_index_state state;
    int backfilling;
    const ddb_json *pt;      /* its new ProvisionedThroughput, or NULL */
    const ddb_json *odt;     /* its new OnDemandThroughput, or NULL (an empty object: none) */
    const ddb_json *warm;    /* its new WarmThroughput, or NULL */
} index_change;

struct ddb_desc_edit {
    ddb_arena *a;
    const ddb_table *base;   /* NULL: a new table */
    const char *key;         /* a new table's catalog key */
    const ddb_batch *extra;
    change changes[MAX_CHANGES];
    unsigned nchanges;
    index_change ix[DDB_MAX_INDEXES]; /* parallel to base->indexes */
    const ddb_json *add_gsi;  /* a new GSI's or vector index's object (add_kind), in add_state */
    ddb_index_kind add_kind;
    ddb_index_state add_state;
    int add_backfilling;
    const ddb_table_member *add_member; /* a feature's member of the added index (NULL: none) */
    const void *add_value;              /* its value, for add_member->write */
};

static const char *const member_names[] = {
#define X(name, from_create) #name,
    DDB_DESC_MEMBERS(X)
#undef X
};

const char *ddb_desc_member_name(ddb_desc_member m)
{
    return member_names[m];
}

ddb_desc_edit *ddb_desc_edit_of(ddb_arena *a, const ddb_table *t)
{
    ddb_desc_edit *e = ddb_arena_alloc(a, sizeof(*e));

    memset(e, 0, sizeof(*e));
    e->a = a;
    e->base = t;
    return e;
}

ddb_desc_edit *ddb_desc_edit_new(ddb_arena *a, const char *key)
{
    ddb_desc_edit *e = ddb_desc_edit_of(a, NULL);

    e->key = key;
    return e;
}

const ddb_table *ddb_desc_edit_base(const ddb_desc_edit *e)
{
    return e->base;
}

void ddb_edit_extra(ddb_desc_edit *e, const ddb_batch *extra)
{
    e->extra = extra;
}

/* The change of member `name`: the one already made (it keeps its place), else a new one last. */
static change *touch(ddb_desc_edit *e, const char *name, change_kind kind)
{
    change *ch = NULL;

    for (unsigned i = 0; i < e->nchanges && ch == NULL; i++)
        if (strcmp(e->changes[i].name, name) == 0)
            ch = &e->changes[i];
    if (ch == NULL) {
        if (e->nchanges == MAX_CHANGES)
            abort();
        ch = &e->changes[e->nchanges++];
    }
    memset(ch, 0, sizeof(*ch));
    ch->name = name;
    ch->kind = kind;
    return ch;
}

static int changed(const ddb_desc_edit *e, const char *name)
{
    for (unsigned i = 0; i < e->nchanges; i++)
        if (strcmp(e->changes[i].name, name) == 0)
            return 1;
    return 0;
}

/* ---- the members DynamoDB's requests define ---- */

void ddb_edit_set(ddb_desc_edit *e, ddb_desc_member m, const ddb_json *v)
{
    if (e->base != NULL && ddb_member_is_index_list(member_names[m])) {
        ddb_log(DDB_LOG_ERROR, "catalog: %s of table %s set whole (ignored)", member_names[m], e->base->name);
        return;
    }
    touch(e, member_names[m], v != NULL ? CH_JSON : CH_REMOVE)->u.json = v;
}

void ddb_edit_set_str(ddb_desc_edit *e, ddb_desc_member m, const char *s)
{
    touch(e, member_names[m], CH_STR)->u.str = s;
}

void ddb_edit_set_double(ddb_desc_edit *e, ddb_desc_member m, double v)
{
    touch(e, member_names[m], CH_DOUBLE)->u.num = v;
}

void ddb_edit_define(ddb_desc_edit *e, const ddb_json *defs)
{
    touch(e, member_names[DDB_DESC_AttributeDefinitions], CH_DEFINE)->u.json = defs;
}

void ddb_edit_prune_definitions(ddb_desc_edit *e)
{
    touch(e, member_names[DDB_DESC_AttributeDefinitions], CH_PRUNE_DEFS);
}

void ddb_edit_throughput(ddb_desc_edit *e, long long read, long long write, double now)
{
    change *ch = touch(e, member_names[DDB_DESC_ProvisionedThroughput], CH_THROUGHPUT);

    ch->u.pt.read = read;
    ch->u.pt.write = write;
    ch->u.pt.now = now;
}

/* ---- indexes ---- */

/* The change slot of ix, one of the base's indexes; NULL (logged) when it is not one. */
static index_change *index_slot(ddb_desc_edit *e, const ddb_index *ix)
{
    if (e->base == NULL || ix < e->base->indexes || ix >= e->base->indexes + e->base->nindexes) {
        ddb_log(DDB_LOG_ERROR, "catalog: an index change names an index of another description (ignored)");
        return NULL;
    }
    return &e->ix[ix - e->base->indexes];
}

void ddb_edit_index_state(ddb_desc_edit *e, const ddb_index *ix, ddb_index_state state, int backfilling)
{
    index_change *c = index_slot(e, ix);

    if (c != NULL) {
        c->set_state = 1;
        c->state = state;
        c->backfilling = backfilling;
    }
}

void ddb_edit_index_throughput(ddb_desc_edit *e, const ddb_index *ix, const ddb_json *pt)
{
    index_change *c = index_slot(e, ix);

    if (c != NULL)
        c->pt = pt;
}

void ddb_edit_index_member(ddb_desc_edit *e, const ddb_index *ix, const char *member, const ddb_json *v)
{
    index_change *c = index_slot(e, ix);

    if (c == NULL)
        return;
    if (strcmp(member, "OnDemandThroughput") == 0)
        c->odt = v;
    else
        c->warm = v;
}

void ddb_edit_drop_index(ddb_desc_edit *e, const ddb_index *ix)
{
    index_change *c = index_slot(e, ix);

    if (c != NULL)
        c->drop = 1;
    ddb_edit_prune_definitions(e);
}

void ddb_edit_add_gsi(ddb_desc_edit *e, const ddb_json *create, ddb_index_state state, int backfilling)
{
    e->add_gsi = create;
    e->add_kind = DDB_IX_GLOBAL;
    e->add_state = state;
    e->add_backfilling = backfilling;
}

void ddb_edit_add_vector_index(ddb_desc_edit *e, const ddb_json *create, ddb_index_state state, int backfilling)
{
    ddb_edit_add_gsi(e, create, state, backfilling);
    e->add_kind = DDB_IX_VECTOR;
}

/* ---- the catalog's own members ---- */

void ddb_edit_member(ddb_desc_edit *e, const ddb_table_member *m, const void *value, size_t size)
{
    change *ch = touch(e, m->name, value != NULL ? CH_MEMBER : CH_REMOVE);

    ch->u.member.m = m;
    ch->u.member.value = value != NULL ? ddb_arena_memdup(e->a, value, size) : NULL;
}

void ddb_edit_add_index_member(ddb_desc_edit *e, const ddb_table_member *m, const void *value, size_t size)
{
    e->add_member = m;
    e->add_value = ddb_arena_memdup(e->a, value, size);
}

void ddb_edit_owner(ddb_desc_edit *e, const char *account)
{
    touch(e, DDB_MEMBER_OWNER, CH_STR)->u.str = account;
}

void ddb_edit_tags(ddb_desc_edit *e, const ddb_tag *tags, size_t n)
{
    change *ch = touch(e, DDB_MEMBER_TAGS, n > 0 ? CH_TAGS : CH_REMOVE);

    ch->u.tags.v = tags;
    ch->u.tags.n = n;
}

void ddb_edit_policies(ddb_desc_edit *e, const ddb_policy *p, size_t n)
{
    change *ch = touch(e, DDB_MEMBER_POLICIES, n > 0 ? CH_POLICIES : CH_REMOVE);

    ch->u.policies.v = p;
    ch->u.policies.n = n;
}

/* ---- writing the description ---- */

static const ddb_json *desc_member(const ddb_desc_edit *e, const char *name)
{
    return e->base != NULL ? ddb_json_get(e->base->desc, name) : NULL;
}

/* A feature's member: its key, from its row, then its writer's value. */
static void write_feature_member(ddb_jw *w, const ddb_table_member *m, const ddb_table *base, const ddb_json *cur,
                                 const void *value)
{
    ddb_member_edit me = {base, cur, value};

    ddb_jw_key(w, m->name);
    m->write(w, &me);
}

const ddb_json *ddb_attr_named(const ddb_json *list, const char *name)
{
    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++) {
        const char *n = ddb_json_get_str(list->u.items[i], "AttributeName");
        if (n != NULL && strcmp(n, name) == 0)
            return list->u.items[i];
    }
    return NULL;
}

const char *ddb_declared_type(const ddb_json *defs, const char *name)
{
    return ddb_json_get_str(ddb_attr_named(defs, name), "AttributeType");
}

static void write_defined(ddb_jw *w, const ddb_desc_edit *e, const ddb_json *add)
{
    const ddb_json *defs = desc_member(e, "AttributeDefinitions");

    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++)
        ddb_jw_json(w, defs->u.items[i]);
    for (uint32_t i = 0; add != NULL && add->type == DDB_JSON_ARRAY && i < add->n; i++) {
        const char *n = ddb_json_get_str(add->u.items[i], "AttributeName");
        if (n != NULL && ddb_declared_type(defs, n) == NULL)
            ddb_jw_json(w, add->u.items[i]);
    }
    ddb_jw_arr_end(w);
}

/* Whether `name` is a key attribute of the table or of an index the edit keeps. */
static int key_in_use(const ddb_desc_edit *e, const char *name)
{
    const ddb_table *t = e->base;

    if (strcmp(t->hash_key, name) == 0 || (t->range_key != NULL && strcmp(t->range_key, name) == 0))
        return 1;
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (e->ix[i].drop)
            continue;
        for (unsigned k = 0; k < ix->nhash; k++)
            if (strcmp(ix->hash[k].name, name) == 0)
                return 1;
        for (unsigned k = 0; k < ix->nrange; k++)
            if (strcmp(ix->range[k].name, name) == 0)
                return 1;
        for (unsigned k = 0; ix->vec != NULL && k < ix->vec->nfilters; k++)
            if (strcmp(ix->vec->filters[k].name, name) == 0)
                return 1;
    }
    return 0;
}

/* AttributeDefinitions without those no key uses, as DynamoDB leaves them after an index goes. */
static void write_used_definitions(ddb_jw *w, const ddb_desc_edit *e)
{
    const ddb_json *defs = desc_member(e, "AttributeDefinitions");

    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; e->base != NULL && defs != NULL && defs->type == DDB_JSON_ARRAY && i < defs->n; i++) {
        const char *name = ddb_json_get_str(defs->u.items[i], "AttributeName");
        if (name != NULL && key_in_use(e, name))
            ddb_jw_json(w, defs->u.items[i]);
    }
    ddb_jw_arr_end(w);
}

/* An object's members but those named in `skip` (NULL-terminated; NULL entries end it early). */
static void write_members_but(ddb_jw *w, const ddb_json *obj, const char *const *skip)
{
    for (uint32_t i = 0; obj != NULL && obj->type == DDB_JSON_OBJECT && i < obj->n; i++) {
        const ddb_json_member *m = &obj->u.members[i];
        int skipped = 0;
        for (int k = 0; skip[k] != NULL && !skipped; k++)
            skipped = strcmp(m->key, skip[k]) == 0;
        if (skipped)
            continue;
        ddb_jw_keyn(w, m->key, m->klen);
        ddb_jw_json(w, m->val);
    }
}

/* A new table's index list: the request's indexes, each ACTIVE. */
static void write_new_indexes(ddb_jw *w, const ddb_json *list)
{
    static const char *const none[] = {NULL};

    ddb_jw_arr_begin(w);
    for (uint32_t k = 0; k < list->n; k++) {
        ddb_jw_obj_begin(w);
        write_members_but(w, list->u.items[k], none);
        ddb_member_write_index_state(w, DDB_IX_ACTIVE, 0);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* One of the base's indexes, changed. */
static void write_changed_index(ddb_jw *w, const ddb_index *ix, const index_change *c)
{
    const char *skip[6] = {NULL};
    const ddb_json *set[2] = {c->odt, c->warm};
    static const char *const set_names[2] = {"OnDemandThroughput", "WarmThroughput"};
    int n = 0;

    if (c->pt != NULL)
        skip[n++] = "ProvisionedThroughput";
    for (int k = 0; k < 2; k++)
        if (set[k] != NULL)
            skip[n++] = set_names[k];
    if (c->set_state) {
        skip[n++] = "IndexStatus";
        skip[n++] = "Backfilling";
    }
    ddb_jw_obj_begin(w);
    write_members_but(w, ix->desc, skip);
    if (c->pt != NULL) {
        ddb_jw_key(w, "ProvisionedThroughput");
        ddb_jw_json(w, c->pt);
    }
    for (int k = 0; k < 2; k++) {
        if (set[k] == NULL || set[k]->n == 0) /* an empty object: no maximum, nothing to keep */
            continue;
        ddb_jw_key(w, set_names[k]);
        ddb_jw_json(w, set[k]);
    }
    if (c->set_state)
        ddb_member_write_index_state(w, c->state, c->backfilling);
    ddb_jw_obj_end(w);
}

/* The GSI a Create adds: its members, its state (its id comes at the commit). */
static void write_added_gsi(ddb_jw *w, const ddb_desc_edit *e)
{
    static const char *const none[] = {NULL};

    ddb_jw_obj_begin(w);
    write_members_but(w, e->add_gsi, none);
    if (e->add_member != NULL)
        write_feature_member(w, e->add_member, e->base, NULL, e->add_value);
    ddb_member_write_index_state(w, e->add_state, e->add_backfilling);
    ddb_jw_obj_end(w);
}

static void write_index_list(ddb_jw *w, const ddb_desc_edit *e, ddb_index_kind kind, const char *member)
{
    const ddb_table *t = e->base;
    const ddb_json *add = kind == e->add_kind ? e->add_gsi : NULL;
    unsigned kept = add != NULL;

    for (unsigned i = 0; i < t->nindexes; i++)
        kept += t->indexes[i].kind == kind && !e->ix[i].drop;
    if (kept == 0)
        return;
    ddb_jw_key(w, member);
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        const index_change *c = &e->ix[i];
        if (t->indexes[i].kind != kind || c->drop)
            continue;
        if (c->set_state || c->pt != NULL || c->odt != NULL || c->warm != NULL)
            write_changed_index(w, &t->indexes[i], c);
        else
            ddb_jw_json(w, t->indexes[i].desc);
    }
    if (add != NULL)
        write_added_gsi(w, e);
    ddb_jw_arr_end(w);
}

static void write_throughput(ddb_jw *w, const ddb_desc_edit *e, const change *ch)
{
    /* the table before the edit, as the catalog typed it; a table being made counts as provisioned */
    int was_provisioned = e->base == NULL || e->base->capacity.provisioned;

    ddb_member_write_throughput(w, desc_member(e, "ProvisionedThroughput"), was_provisioned, ch->u.pt.read,
                                ch->u.pt.write, ch->u.pt.now);
}

static void write_change(ddb_jw *w, const ddb_desc_edit *e, const change *ch)
{
    switch (ch->kind) {
    case CH_REMOVE:
        break;
    case CH_JSON:
        ddb_jw_key(w, ch->name);
        if (e->base == NULL && ddb_member_is_index_list(ch->name) && ch->u.json->type == DDB_JSON_ARRAY)
            write_new_indexes(w, ch->u.json);
        else
            ddb_jw_json(w, ch->u.json);
        break;
    case CH_STR:
        ddb_jw_key(w, ch->name);
        ddb_jw_str(w, ch->u.str);
        break;
    case CH_DOUBLE:
        ddb_jw_key(w, ch->name);
        ddb_jw_double(w, ch->u.num);
        break;
    case CH_DEFINE:
        write_defined(w, e, ch->u.json);
        break;
    case CH_PRUNE_DEFS:
        write_used_definitions(w, e);
        break;
    case CH_THROUGHPUT:
        write_throughput(w, e, ch);
        break;
    case CH_TAGS:
        ddb_member_write_tags(w, ch->u.tags.v, ch->u.tags.n);
        break;
    case CH_POLICIES:
        ddb_member_write_policies(w, ch->u.policies.v, ch->u.policies.n);
        break;
    case CH_MEMBER:
        write_feature_member(w, ch->u.member.m, e->base, desc_member(e, ch->name), ch->u.member.value);
        break;
    }
}

/* The new description (without the catalog's fields: ddb_catalog_create and _update add them). */
static void write_desc(ddb_jw *w, const ddb_desc_edit *e)
{
    ddb_jw_obj_begin(w);
    if (e->base != NULL) {
        const ddb_json *d = e->base->desc;
        for (uint32_t i = 0; i < d->n; i++) {
            const ddb_json_member *m = &d->u.members[i];
            if (ddb_member_is_catalogs(m->key) || ddb_member_is_index_list(m->key) || changed(e, m->key))
                continue;
            ddb_jw_keyn(w, m->key, m->klen);
            ddb_jw_json(w, m->val);
        }
        write_index_list(w, e, DDB_IX_LOCAL, "LocalSecondaryIndexes");
        write_index_list(w, e, DDB_IX_GLOBAL, "GlobalSecondaryIndexes");
        write_index_list(w, e, DDB_IX_VECTOR, "VectorIndexes");
    }
    for (unsigned i = 0; i < e->nchanges; i++)
        write_change(w, e, &e->changes[i]);
    ddb_jw_obj_end(w);
}

/* ---- committing ---- */

int ddb_catalog_commit(ddb_catalog *c, const ddb_desc_edit *e, const ddb_table **out)
{
    ddb_buf buf = {0};
    ddb_jw w;
    int rc;

    ddb_jw_init(&w, &buf);
    write_desc(&w, e);
    if (e->base == NULL)
        rc = ddb_catalog_create(c, e->key, buf.data, buf.len, (double)ddb_clock_now_ms() / 1e3, e->extra, out);
    else
        rc = ddb_catalog_update(c, e->base, buf.data, buf.len, e->extra, out);
    ddb_buf_free(&buf);
    return rc;
}

int ddb_catalog_edit(ddb_catalog *c, int tries, ddb_edit_build build, void *ctx, const ddb_table **out)
{
    int rc = 2;

    for (int i = 0; rc == 2 && (tries == 0 || i < tries); i++) {
        ddb_desc_edit *e = NULL;
        if ((rc = build(ctx, &e)) != 0)
            return rc == DDB_EDIT_NONE ? 0 : rc;
        rc = ddb_catalog_commit(c, e, out);
    }
    return rc;
}
