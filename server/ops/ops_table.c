/*
 * server/ops/ops_table.c: CreateTable, DeleteTable, DescribeTable, ListTables, and the
 * TableDescription they render (UpdateTable: ops_update_table.c).
 *
 * Request shapes are validated by the api layer before these run; handlers here look up the
 * catalog, store the description and render DynamoDB's TableDescription. Tables and the indexes
 * created with them are ACTIVE at once, and a deleted table gone at once, unless --table-states
 * keeps them CREATING and DELETING for a while (ddb_engine_life's row); DeleteTable leaves the
 * purge of the keys to a background task (engine/tasks.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/peer.h"
#include "server/engine/jobs/replication.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/table_stats.h"
#include "server/ops/handlers.h"
#include "server/ops/history.h"
#include "server/ops/ops_common.h"
#include "server/ops/stream_spec.h"
#include "server/ops/table_create.h"
#include "server/ops/table_desc.h"

/* ---- --table-states: a table's life as the row engine.h's ddb_engine_life finds keeps it ---- */

/* Whether table `name` was deleted and is still DELETING: not made again since (in-process, by a
   namespace snapshot's restore), its DELETING answer into *desc when desc is given. */
static int deleting(ddb_req *req, const char *name, const char **desc, size_t *len)
{
    const ddb_feature_slot *f = ddb_engine_life(req->eng);
    const char *key;

    if (f == NULL || name == NULL)
        return 0;
    key = ddb_ns_key(req->arena, req->ns, name);
    return ddb_catalog_get(req->eng->catalog, key) == NULL &&
           f->row->deleting(f, key, desc != NULL ? req->arena : NULL, desc, len);
}

/* A table deleted whose DELETING lasts: its name is in use (DynamoDB's text, as quoted by users). */
static int gone_check(ddb_req *req, const char *name)
{
    if (req->internal || !deleting(req, name, NULL, NULL))
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                        "Attempt to change a resource which is still in use: Table is being deleted: %s", name);
}

/* A new table's end of CREATING, as a `more` callback of ddb_table_create. */
typedef struct creating {
    const ddb_req *req;
    uint64_t until;
} creating;

static void creating_until(ddb_desc_edit *e, void *ctx)
{
    const creating *c = ctx;

    ddb_edit_creating(c->req, e, 0, c->until);
}

/* The DescribeTable answer a deleted table gives while DELETING: written into `side` (req->out is
   DeleteTable's own answer), to be kept by the row's `deleted` once the table is deleted. */
static void deleting_description(ddb_req *req, const ddb_table *t, ddb_buf *side)
{
    ddb_jw answer = req->out;

    side->len = 0;
    ddb_jw_init(&req->out, side);
    ddb_write_table_description(req, t, "Table", "DELETING", 1);
    req->out = answer;
}

int ddb_op_create_table(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *t;
    creating due = {req, ddb_state_until(req)};
    int rc;

    if (gone_check(req, name) != DDB_OK)
        return req->err.code;
    /* (req->in holds only the members the model has: DDB_OPF_AS_MODELED) */
    rc = ddb_table_create(req, req->in, due.until != 0 ? creating_until : NULL, &due, &t);
    if (ddb_table_created_or_fail(req, rc, DDB_E_RESOURCE_IN_USE, name) != DDB_OK)
        return req->err.code;
    ddb_write_table_description(req, t, "TableDescription", due.until != 0 ? "CREATING" : "ACTIVE", 0);
    return DDB_OK;
}

int ddb_op_describe_table(ddb_req *req)
{
    const ddb_table *t;
    const char *desc;
    size_t len;

    if (deleting(req, req->table, &desc, &len)) { /* deleted under --table-states, still DELETING */
        ddb_buf_append(req->out.out, desc, len);
        return DDB_OK;
    }
    if ((t = ddb_table_or_fail(req, req->table, 1)) == NULL)
        return req->err.code;
    ddb_write_table_description(req, t, "Table", ddb_table_status(req->eng, t), 1);
    return DDB_OK;
}

/* The purge of the table's and its indexes' keys, recorded with the catalog change; with
   point-in-time recovery the items stay, as the SYSTEM backup's (ddb_backup_system_record). */
static void purge_record(ddb_req *req, const ddb_table *t, ddb_batch *purge)
{
    ddb_batch_init(purge, req->arena);
    ddb_task_purge_table(purge, req->arena, t);
}

/* ---- a global table's replica (ops_replicas.c) ---- */

/* A replica that a Delete under --table-states leaves DELETING for a while (ops_replicas.c): its
   region's own entry says so, and when its table should be gone (server-clock ms), else 0. */
static uint64_t replica_deleting_until(const ddb_table *t)
{
    const ddb_replica *self = t->rep.id != 0 ? ddb_table_replica(t, t->region) : NULL;

    return self != NULL && self->state == DDB_REPLICA_DELETING ? self->active_at : 0;
}

/* A replica's table deleted in its region: it leaves every other replica's group, at once or, deleted
   under --table-states (`until`), DELETING there until then, when the replication worker drops it
   (one a ReplicaUpdates Delete removes is DELETING in every list already). */
static void replica_table_deleted(ddb_req *req, const ddb_table *t, uint64_t until)
{
    if (t->rep.id == 0 || replica_deleting_until(t) != 0)
        return;
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        const char *key = ddb_replica_key(req->arena, t, t->rep.replicas[i].region);
        if (strcmp(t->rep.replicas[i].region, t->region) == 0)
            continue;
        if (until != 0)
            ddb_replicas_set(req->eng, req->arena, key, t->region, DDB_REPLICA_DELETING, until);
        else
            ddb_replicas_edit(req->eng, req->arena, key, t->region, -1, 0);
    }
    ddb_replication_kick(req->eng);
}

/* A replica's table deleted: the peers' replicas are told (engine/jobs/peer.h), in its commit. */
static void replica_peer_notices(ddb_req *req, const ddb_table *t, ddb_batch *b)
{
    for (unsigned i = 0; t->rep.id != 0 && i < t->rep.nreplicas; i++)
        if (ddb_peer_url(req->eng, t->rep.replicas[i].region) != NULL)
            ddb_peer_outbox_add(b, req->arena, t->region, t->key, t->rep.replicas[i].region, "UpdateTable",
                                ddb_arena_sprintf(req->arena,
                                                  "{\"TableName\":\"%s\",\"RegionName\":\"%s\",\"ReplicaStatus\":"
                                                  "\"REMOVED\"}",
                                                  t->name, t->region));
}

/* A table whose vector index is being built is not deleted: DynamoDB's text, quoted by the developer
   guide's tutorial and captured whole by the conformance suite's tier2 updateLifecycle (eu-west-2,
   2026-08-21). */
static int vector_build_check(ddb_req *req, const ddb_table *t)
{
    for (unsigned i = 0; i < t->nindexes && !req->internal; i++)
        if (t->indexes[i].kind == DDB_IX_VECTOR && t->indexes[i].state == DDB_IX_CREATING)
            return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                                "Attempt to change a resource which is still in use: Cannot delete table while "
                                "indexes are being created, updated, or deleted.");
    return DDB_OK;
}

static int replica_delete_check(ddb_req *req, const ddb_table *t)
{
    if (ddb_creating_now(req->eng, t, NULL) && !req->internal) /* --table-states: as DynamoDB refuses it */
        return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                            "Attempt to change a resource which is still in use: Table is being created: %s", t->name);
    /* (a peer's replica still being filled is deleted when the peer asks: internal) */
    /* nor one UPDATING while a replica of its group is added or removed: the API reference's
       DeleteTable ("If a table is in CREATING or UPDATING states, then DynamoDB returns a
       ResourceInUseException"), in the words above (DynamoDB's for this case not recorded) */
    if ((ddb_replica_creating(t) || ddb_replicas_status(t) != NULL) && !req->internal)
        return ddb_req_fail(req, DDB_E_RESOURCE_IN_USE,
                            "Attempt to change a resource which is still in use: Table: %s is being used.", t->name);
    /* a STRONG group is torn down whole, by UpdateTable's ReplicaUpdates (ops_replicas.c) */
    if (t->rep.strong && t->rep.nreplicas > 1 && !req->internal)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Deletion of only one table replica is not supported for global tables with "
                            "MultiRegionConsistency set to STRONG.");
    return DDB_OK;
}

#define DELETE_TRIES 16

/* When the deleted table's DELETING ends: --table-states' time from now, or for a replica a Delete
   removes (an in-process request) the time every replica's list gives it; 0: gone at once. */
static uint64_t delete_until(const ddb_req *req, const ddb_table *t)
{
    uint64_t until = replica_deleting_until(t);

    return req->internal && until > ddb_clock_high_ms() ? until : ddb_state_until(req);
}

int ddb_op_delete_table(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *deleted = NULL;
    uint64_t until = 0;
    const ddb_feature_slot *gone = NULL;
    ddb_buf side = {0}; /* --table-states: its DescribeTable answer while DELETING */
    int rc = 2;

    if (gone_check(req, name) != DDB_OK)
        return req->err.code;
    /* decided on one description and removed only if it is still the live one (compare-and-swap):
       a concurrent UpdateTable (an index added, deletion protection turned on) is never missed */
    for (int tries = 0; rc == 2 && tries < DELETE_TRIES; tries++) {
        const ddb_table *t = ddb_table_or_fail(req, name, 1);
        const ddb_json *protect;
        ddb_batch purge;
        if (t == NULL || replica_delete_check(req, t) != DDB_OK || vector_build_check(req, t) != DDB_OK)
            return req->err.code;
        deleted = t;
        until = delete_until(req, t);
        gone = until != 0 ? ddb_engine_life(req->eng) : NULL;
        protect = ddb_json_get(t->desc, "DeletionProtectionEnabled");
        if (protect != NULL && protect->type == DDB_JSON_BOOL && protect->u.b)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Resource cannot be deleted as it is currently protected against deletion. Disable "
                                "deletion protection first.");
        req->out.out->len = 0; /* a lost race: the description is rendered again from the new one */
        ddb_jw_init(&req->out, req->out.out);
        ddb_write_table_description(req, t, "TableDescription", "DELETING", 1);
        if (gone != NULL)
            deleting_description(req, t, &side);
        if (req->err.code != DDB_OK) {
            ddb_buf_free(&side);
            return req->err.code;
        }
        purge_record(req, t, &purge);
        purge.removes = 1; /* frees space: allowed on a disk short of it (diskguard.h) */
        replica_peer_notices(req, t, &purge);
        ddb_stream_table_deleted(req, t, &purge);
        if (t->pitr.log != 0) { /* its history goes with it, not while trimmed; its items stay as a backup */
            ddb_backup_system_record(req, t, &purge);
            ddb_pitr_lock(req->eng);
            ddb_pitr_purge_record(req, t, &purge);
            rc = ddb_catalog_delete(req->eng->catalog, t, &purge);
            ddb_pitr_unlock(req->eng);
        } else {
            rc = ddb_catalog_delete(req->eng->catalog, t, &purge);
        }
    }
    if (rc == 0 && gone != NULL)
        gone->row->deleted(gone, deleted->key, delete_until(req, deleted), side.data, side.len); /* from now */
    ddb_buf_free(&side);
    if (rc == 1) /* deleted concurrently */
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc != 0)
        return ddb_req_fail_internal(req);
    replica_table_deleted(req, deleted, gone != NULL ? until : 0);
    ddb_tasks_kick(req->eng->tasks);
    return DDB_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tables still DELETING (--table-states), gone[0..ngone), those after `start` and not made
   again merged in order into the catalog's page names[0..n) (asked for max + ngone names), cut at
   max; their count. */
static size_t with_deleting(ddb_req *req, const char *start, size_t max, const char **gone, size_t ngone,
                            const char ***names, size_t n, int *more)
{
    const char **all = ddb_arena_alloc(req->arena, sizeof(char *) * (n + ngone + 1));
    size_t k = n;

    memcpy(all, *names, n * sizeof(char *));
    for (size_t i = 0; i < ngone; i++)
        if ((start == NULL || strcmp(gone[i], start) > 0) &&
            ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, gone[i])) == NULL)
            all[k++] = gone[i];
    qsort(all, k, sizeof(char *), by_name);
    if (k > max) {
        k = max;
        *more = 1;
    }
    *names = all;
    return k;
}

int ddb_op_list_tables(ddb_req *req)
{
    const ddb_json *limit = ddb_json_get(req->in, "Limit");
    size_t max = (size_t)ddb_json_integer(limit, 100);
    const char *start = ddb_json_get_str(req->in, "ExclusiveStartTableName");
    const ddb_feature_slot *f = ddb_engine_life(req->eng);
    const char **gone = NULL, **names;
    /* tables still DELETING are listed too, as DynamoDB lists them: a catalog page long enough */
    size_t ngone = f != NULL ? f->row->deleting_names(f, req->ns, req->arena, &gone) : 0;
    int more;
    size_t n = ddb_catalog_list(req->eng->catalog, req->ns, req->arena, start, max + ngone, &names, &more);
    ddb_jw *w = &req->out;

    if (ngone > 0)
        n = with_deleting(req, start, max, gone, ngone, &names, n, &more);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "TableNames");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        ddb_jw_str(w, names[i]);
    ddb_jw_arr_end(w);
    if (more && n > 0) {
        ddb_jw_key(w, "LastEvaluatedTableName");
        ddb_jw_str(w, names[n - 1]);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

