/*
 * server/engine/xfer/nssnap.c: snapshots of one namespace (see nssnap.h).
 */
#include "server/engine/xfer/nssnap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/engine/emulate/consistency.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/xfer/keyspace_copy.h"
#include "server/engine/itemcodec.h"
#include "server/engine/history/streams.h"
#include "server/engine/table_stats.h"

/* The keyspaces of a table a snapshot holds, each found again in the new table by its role. */
#define NSSNAP_KEYSPACES(X) X(ITEMS) X(INDEX) X(COLLECTIONS)
typedef enum keyspace_role {
#define X(r) KS_##r,
    NSSNAP_KEYSPACES(X)
#undef X
} keyspace_role;

/* A keyspace of a saved table: its copy (engine/xfer/keyspace_copy.h) holds its id when saved, its keys
   and values, and (KS_ITEMS, KS_INDEX) its figures then. */
typedef struct keyspace {
    keyspace_role role;
    char *index;     /* KS_INDEX: the index's name */
    ddb_keyspace_copy copy;
} keyspace;

typedef struct saved_table {
    char *key;       /* its catalog key */
    char *stored;    /* its description as stored: a table still stored so is reset in place */
    char *desc;      /* its description, ids and stream left out (create_desc), to create it again */
    int stream_view; /* an enabled stream's view (ddb_stream_view), else 0 */
    keyspace ks[2 + DDB_MAX_INDEXES];
    unsigned nks;
} saved_table;

typedef struct nssnap {
    char name[DDB_CHECKPOINT_NAME_MAX + 1];
    char *ns;
    uint64_t created_ms;
    saved_table *tables;
    size_t ntables;
    struct nssnap *next;
} nssnap;

struct ddb_nssnaps {
    nssnap *head;
};

static void snap_free(nssnap *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        for (unsigned k = 0; k < s->tables[i].nks; k++) {
            free(s->tables[i].ks[k].index);
            ddb_keyspace_copy_free(&s->tables[i].ks[k].copy);
        }
        free(s->tables[i].key);
        free(s->tables[i].stored);
        free(s->tables[i].desc);
    }
    free(s->tables);
    free(s->ns);
    free(s);
}

void ddb_nssnaps_free(ddb_nssnaps *s)
{
    if (s == NULL)
        return;
    while (s->head != NULL) {
        nssnap *next = s->head->next;
        snap_free(s->head);
        s->head = next;
    }
    free(s);
}

static nssnap **find(ddb_nssnaps *s, const char *name)
{
    nssnap **p = &s->head;

    while (*p != NULL && strcmp((*p)->name, name) != 0)
        p = &(*p)->next;
    return p;
}

const char *ddb_nssnap_namespace(const ddb_nssnaps *s, const char *name)
{
    const nssnap *n = s != NULL ? *find((ddb_nssnaps *)s, name) : NULL;
    return n != NULL ? n->ns : NULL;
}

/* ---- save ---- */

/* Why a table cannot be saved (state a copy of its keyspaces would not bring back), or NULL. */
static const char *unsaveable(const ddb_table *t)
{
    if (t->pitr.log != 0)
        return "point-in-time recovery is enabled";
    if (t->rep.id != 0)
        return "it is a global table's replica";
    if (t->restoring)
        return "it is being restored from a backup";
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].state != DDB_IX_ACTIVE || t->indexes[i].backfilling)
            return "one of its indexes is being created, updated or deleted";
    }
    return NULL;
}

/* The description to create the table from again: the catalog's ids, version and the stream left
   out (new ids are given at the restore; a stream is enabled afresh), the rest kept. */
static char *create_desc(const ddb_table *t)
{
    static const char *const DROP[] = {"ddbdTableId", "ddbdVersion", "ddbdCollectionsId", "ddbdStream",
                                       "StreamSpecification", "LatestStreamArn", "LatestStreamLabel"};
    ddb_buf buf = {0};
    ddb_jw w;
    char *text;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    for (uint32_t i = 0; i < t->desc->n; i++) {
        const ddb_json_member *m = &t->desc->u.members[i];
        size_t d = 0;
        while (d < sizeof(DROP) / sizeof(DROP[0]) && strcmp(DROP[d], m->key) != 0)
            d++;
        if (d < sizeof(DROP) / sizeof(DROP[0]))
            continue;
        ddb_jw_keyn(&w, m->key, m->klen);
        if (m->val->type != DDB_JSON_ARRAY || (strcmp(m->key, "GlobalSecondaryIndexes") != 0 &&
                                               strcmp(m->key, "LocalSecondaryIndexes") != 0 &&
                                               strcmp(m->key, "VectorIndexes") != 0)) {
            ddb_jw_json(&w, m->val);
            continue;
        }
        ddb_jw_arr_begin(&w);
        for (uint32_t k = 0; k < m->val->n; k++) {
            const ddb_json *ix = m->val->u.items[k];
            ddb_jw_obj_begin(&w);
            for (uint32_t j = 0; ix->type == DDB_JSON_OBJECT && j < ix->n; j++) {
                if (strcmp(ix->u.members[j].key, "ddbdIndexId") == 0)
                    continue;
                ddb_jw_keyn(&w, ix->u.members[j].key, ix->u.members[j].klen);
                ddb_jw_json(&w, ix->u.members[j].val);
            }
            ddb_jw_obj_end(&w);
        }
        ddb_jw_arr_end(&w);
    }
    ddb_jw_obj_end(&w);
    text = strndup(buf.data, buf.len);
    ddb_buf_free(&buf);
    return text;
}

/* Keyspace `id` of a table to save, in the role it has there. */
static keyspace *add_keyspace(saved_table *out, keyspace_role role, uint32_t id)
{
    keyspace *ks = &out->ks[out->nks++];

    ks->role = role;
    ks->copy.id = id;
    ks->copy.counted = role != KS_COLLECTIONS;
    return ks;
}

/* What a table's save holds but its keyspaces' keys, which ddb_nssnap_save copies for every table at once. */
static void save_table(const ddb_table *t, saved_table *out)
{
    out->key = strdup(t->key);
    out->stored = strndup(t->desc_text, t->desc_len);
    out->desc = create_desc(t);
    out->stream_view = t->stream.id != 0 ? t->stream.view : 0;
    add_keyspace(out, KS_ITEMS, t->id);
    for (unsigned i = 0; i < t->nindexes; i++)
        add_keyspace(out, KS_INDEX, t->indexes[i].id)->index = strdup(t->indexes[i].name);
    if (t->collections_id != 0)
        add_keyspace(out, KS_COLLECTIONS, t->collections_id);
}

/* Every saved table's keyspaces, copied as of one moment. */
static int copy_keyspaces(const ddb_nssnap_env *srv, nssnap *s)
{
    ddb_keyspace_copy **all;
    size_t n = 0;
    int rc;

    for (size_t i = 0; i < s->ntables; i++)
        n += s->tables[i].nks;
    all = calloc(n + 1, sizeof(*all));
    n = 0;
    for (size_t i = 0; i < s->ntables; i++) {
        for (unsigned k = 0; k < s->tables[i].nks; k++)
            all[n++] = &s->tables[i].ks[k].copy;
    }
    rc = ddb_keyspaces_copy_out(srv->eng, all, n);
    free(all);
    return rc;
}

/* The namespace's live tables, by name. */
static size_t ns_tables(const ddb_nssnap_env *srv, ddb_arena *a, const char *ns, const ddb_table ***out)
{
    const char **names;
    int more;
    size_t n = ddb_catalog_list(srv->eng->catalog, ns, a, NULL, ddb_catalog_count(srv->eng->catalog) + 1, &names, &more);

    *out = ddb_arena_alloc(a, (n + 1) * sizeof(**out));
    for (size_t i = 0; i < n; i++)
        (*out)[i] = ddb_catalog_get(srv->eng->catalog, ddb_ns_key(a, ns, names[i]));
    return n;
}

static int save(const ddb_nssnap_env *srv, const char *name, const char *ns, char *msg, size_t msglen)
{
    ddb_arena a;
    const ddb_table **tables;
    nssnap *s;
    size_t n;
    int rc = 0;

    ddb_arena_init(&a);
    n = ns_tables(srv, &a, ns, &tables);
    for (size_t i = 0; i < n; i++) {
        const char *why = tables[i] != NULL ? unsaveable(tables[i]) : NULL;
        if (why != NULL) {
            snprintf(msg, msglen, "table %s cannot be saved in a namespace snapshot: %s", tables[i]->name, why);
            ddb_arena_free(&a);
            return DDB_NSSNAP_FAILED;
        }
    }
    s = calloc(1, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->ns = strdup(ns);
    s->created_ms = ddb_clock_now_ms();
    s->tables = calloc(n + 1, sizeof(*s->tables));
    for (size_t i = 0; i < n; i++) {
        if (tables[i] != NULL) /* deleted since it was listed */
            save_table(tables[i], &s->tables[s->ntables++]);
    }
    rc = copy_keyspaces(srv, s);
    ddb_arena_free(&a);
    if (rc != 0) {
        snap_free(s);
        return DDB_NSSNAP_EIO;
    }
    if (*srv->snaps == NULL)
        *srv->snaps = calloc(1, sizeof(**srv->snaps));
    s->next = (*srv->snaps)->head;
    (*srv->snaps)->head = s;
    return DDB_NSSNAP_OK;
}

/* A save reads tables and a restore runs requests outside the gate: they hold the catalog (a
   whole-server snapshot closes it: it holds nothing). */
int ddb_nssnap_save(const ddb_nssnap_env *srv, const char *name, const char *ns, char *msg, size_t msglen)
{
    ddb_gate_hold h;
    int rc;

    ddb_catalog_hold(srv->eng->catalog, &h);
    rc = save(srv, name, ns, msg, msglen);
    ddb_catalog_unhold(srv->eng->catalog, &h);
    return rc;
}

/* ---- restore ---- */

/* The id the re-created table gave the keyspace's role. */
static uint32_t new_id(const ddb_table *t, const keyspace *ks)
{
    const ddb_index *ix;

    switch (ks->role) {
    case KS_INDEX:
        ix = ddb_table_index(t, ks->index);
        return ix != NULL ? ix->id : 0;
    case KS_COLLECTIONS:
        return t->collections_id;
    default:
        return t->id;
    }
}

/* The saved figures as t's (its ids now): the keys came in past the mutation pipeline, and the
   namespace is idle during a restore, so no commit moves them meanwhile. */
static void set_figures(const ddb_table *t, const saved_table *st)
{
    ddb_keyspace_figures f[DDB_STATS_KEYSPACES];
    unsigned n = 0;

    for (unsigned k = 0; k < st->nks && n < DDB_STATS_KEYSPACES; k++) {
        if (st->ks[k].role != KS_COLLECTIONS)
            f[n++] = (ddb_keyspace_figures){new_id(t, &st->ks[k]), (long long)st->ks[k].copy.items,
                                            (long long)st->ks[k].copy.bytes};
    }
    ddb_table_stats_set(t->stats, t, f, n);
}

static int restore_table(const ddb_nssnap_env *srv, const char *ns, const saved_table *st, char *msg, size_t msglen)
{
    const ddb_table *t;
    char body[256];
    int rc = ddb_catalog_create(srv->eng->catalog, st->key, st->desc, strlen(st->desc),
                                (double)ddb_clock_now_ms() / 1e3, NULL, &t);

    if (rc != 0) {
        snprintf(msg, msglen,
                 rc == 1                  ? "table %s was created in the namespace during the restore"
                 : rc == DDB_CATALOG_FULL ? "table %s is past the namespace's quota of tables (--max-tables)"
                                          : "creating table %s failed (see the server's log)",
                 st->key);
        return rc == 1 || rc == DDB_CATALOG_FULL ? DDB_NSSNAP_FAILED : DDB_NSSNAP_EIO;
    }
    for (unsigned k = 0; k < st->nks; k++) {
        if (ddb_keyspace_copy_in(srv->eng, &st->ks[k].copy, new_id(t, &st->ks[k]), 0) != 0) {
            snprintf(msg, msglen, "copying table %s's keys failed (see the server's log)", st->key);
            return DDB_NSSNAP_EIO;
        }
    }
    set_figures(t, st);
    if (st->stream_view == 0)
        return DDB_NSSNAP_OK;
    snprintf(body, sizeof(body),
             "{\"TableName\": \"%s\", \"StreamSpecification\": {\"StreamEnabled\": true, \"StreamViewType\": \"%s\"}}",
             t->name, ddb_stream_view_name(st->stream_view));
    return srv->run(srv->run_ctx, ns, DDB_OP_UpdateTable, body, msg, msglen) ? DDB_NSSNAP_FAILED : DDB_NSSNAP_OK;
}

/* The saved table a live one is still exactly (same description, so same ids), to be reset in
   place: no catalog change. One with a stream is made again instead, for a new, empty stream. */
static const saved_table *unchanged(const nssnap *s, const ddb_table *t)
{
    for (size_t i = 0; t != NULL && t->stream.id == 0 && t->nvector == 0 && i < s->ntables; i++) {
        const saved_table *st = &s->tables[i];
        if (strcmp(st->key, t->key) == 0 && strlen(st->stored) == t->desc_len &&
            memcmp(st->stored, t->desc_text, t->desc_len) == 0)
            return st;
    }
    return NULL;
}

/* Puts an unchanged table's keys back as saved, and its figures. */
static int reset_table(const ddb_nssnap_env *srv, const ddb_table *t, const saved_table *st, char *msg, size_t msglen)
{
    int rc = 0;

    for (unsigned k = 0; rc == 0 && k < st->nks; k++)
        rc = ddb_keyspace_copy_in(srv->eng, &st->ks[k].copy, st->ks[k].copy.id, 1);
    if (rc != 0) {
        snprintf(msg, msglen, "resetting table %s's keys failed (see the server's log)", t->name);
        return DDB_NSSNAP_EIO;
    }
    set_figures(t, st);
    return DDB_NSSNAP_OK;
}

/* Before anything changes: a restore is whole, or changes nothing. */
static int protected_table(const ddb_table *const *tables, const saved_table *const *kept, size_t n, char *msg,
                           size_t msglen)
{
    for (size_t i = 0; i < n; i++) {
        const ddb_json *p = tables[i] != NULL ? ddb_json_get(tables[i]->desc, "DeletionProtectionEnabled") : NULL;
        if (kept[i] == NULL && p != NULL && p->type == DDB_JSON_BOOL && p->u.b) {
            snprintf(msg, msglen, "table %s has deletion protection: nothing was restored", tables[i]->name);
            return 1;
        }
    }
    return 0;
}

static int was_kept(const saved_table *st, const saved_table *const *kept, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (kept[i] == st)
            return 1;
    }
    return 0;
}

static int restore(const ddb_nssnap_env *srv, const char *name, char *msg, size_t msglen)
{
    nssnap *s = *find(*srv->snaps, name);
    ddb_arena a;
    const ddb_table **tables;
    const saved_table **kept;
    char body[512];
    size_t n;
    int rc = DDB_NSSNAP_OK;

    ddb_arena_init(&a);
    n = ns_tables(srv, &a, s->ns, &tables);
    kept = ddb_arena_alloc(&a, (n + 1) * sizeof(*kept));
    for (size_t i = 0; i < n; i++)
        kept[i] = unchanged(s, tables[i]);
    if (protected_table(tables, kept, n, msg, msglen))
        rc = DDB_NSSNAP_FAILED;
    /* the others go by DeleteTable's own path: keys purged in the background, stream closed */
    for (size_t i = 0; rc == DDB_NSSNAP_OK && i < n; i++) {
        if (tables[i] == NULL)
            continue;
        if (kept[i] != NULL) {
            rc = reset_table(srv, tables[i], kept[i], msg, msglen);
            continue;
        }
        snprintf(body, sizeof(body), "{\"TableName\": \"%s\"}", tables[i]->name);
        rc = srv->run(srv->run_ctx, s->ns, DDB_OP_DeleteTable, body, msg, msglen) ? DDB_NSSNAP_FAILED : DDB_NSSNAP_OK;
    }
    for (size_t i = 0; rc == DDB_NSSNAP_OK && i < s->ntables; i++) {
        if (!was_kept(&s->tables[i], kept, n))
            rc = restore_table(srv, s->ns, &s->tables[i], msg, msglen);
    }
    ddb_consist_forget(ddb_consistency_of(srv->eng)); /* changes the restored tables never saw */
    ddb_arena_free(&a);
    return rc;
}

int ddb_nssnap_restore(const ddb_nssnap_env *srv, const char *name, char *msg, size_t msglen)
{
    ddb_gate_hold h;
    int rc;

    ddb_catalog_hold(srv->eng->catalog, &h);
    rc = restore(srv, name, msg, msglen);
    ddb_catalog_unhold(srv->eng->catalog, &h);
    return rc;
}

int ddb_nssnap_delete(const ddb_nssnap_env *srv, const char *name)
{
    nssnap **p = find(*srv->snaps, name), *s = *p;

    *p = s->next;
    snap_free(s);
    return DDB_NSSNAP_OK;
}

void ddb_nssnap_list(const ddb_nssnaps *s, ddb_jw *w)
{
    for (const nssnap *n = s != NULL ? s->head : NULL; n != NULL; n = n->next) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "name");
        ddb_jw_str(w, n->name);
        ddb_jw_key(w, "createdAt");
        ddb_jw_int(w, (long long)n->created_ms);
        ddb_jw_key(w, "namespace");
        ddb_jw_str(w, n->ns);
        ddb_jw_obj_end(w);
    }
}
