/*
 * server/ops/ops_peer.c: a peer server's requests (--region-peer; engine/jobs/peer.h says what
 * each one carries). dispatch.c routes here every request with the x-ddbd-peer header, once its
 * signature is verified and its key is --peer-key's; the namespace is the request's, as for any
 * request (its credential scope's region: this server's replica).
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/jobs/peer.h"
#include "server/engine/jobs/replication.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_replicas.h"
#include "server/ops/optable.h"
#include "server/ops/replica_vectors.h"
#include "server/ops/table_create.h"

#define VERSION "2019.11.21"

static int bad(ddb_req *req, const char *what)
{
    return ddb_req_fail(req, DDB_E_VALIDATION, "x-ddbd-peer: %s %s", ddb_op_name(req->op), what);
}

/* The replica `name` of the group the peer's region is in, or NULL. */
static const ddb_table *replica_of(ddb_req *req, const char *name)
{
    const ddb_table *t = name != NULL ? ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, name)) : NULL;

    return t != NULL && t->rep.id != 0 && ddb_table_replica(t, req->peer) != NULL ? t : NULL;
}

static int state_of(const char *name)
{
    for (int s = 0; name != NULL && s <= DDB_REPLICA_ACTIVE; s++)
        if (strcmp(ddb_replica_state_name((ddb_replica_state)s), name) == 0)
            return s;
    return name != NULL && strcmp(name, "REMOVED") == 0 ? -1 : -2;
}

/* CreateTable: the replica, CREATING in the group, filled by the peer; asked again, no change. */
static int peer_create(ddb_req *req)
{
    const ddb_json *in = ddb_json_get(req->in, "Table"), *reps = ddb_json_get(req->in, "Replicas");
    const char *from = ddb_json_get_str(req->in, "FillFrom");
    ddb_replica *v;
    ddb_replication_member m;
    const ddb_table *made;
    ddb_buf out = {0};
    ddb_req sub;
    int rc;

    if (in == NULL || in->type != DDB_JSON_OBJECT || reps == NULL || reps->type != DDB_JSON_ARRAY || reps->n < 2 ||
        reps->n > DDB_MAX_REPLICAS || from == NULL)
        return bad(req, "wants Table, Replicas and FillFrom");
    v = DDB_NEW_ARRAY(req->arena, ddb_replica, reps->n);
    for (uint32_t i = 0; i < reps->n; i++) {
        int s = state_of(ddb_json_get_str(reps->u.items[i], "ReplicaStatus"));
        if ((v[i].region = ddb_json_get_str(reps->u.items[i], "RegionName")) == NULL || s < 0)
            return bad(req, "wants a RegionName and ReplicaStatus in each of Replicas");
        v[i].state = (ddb_replica_state)s;
    }
    m = (ddb_replication_member){ddb_catalog_new_id(req->eng->catalog), VERSION, 0, v, reps->n, from, NULL};
    if (m.id == 0)
        return ddb_req_fail_internal(req);
    ddb_req_internal(&sub, req, req->arena, DDB_OP_CreateTable, in, &out, req->account, req->region, req->ns);
    rc = ddb_validate(&sub, ddb_op_table[DDB_OP_CreateTable].spec, in) == DDB_OK
             ? ddb_table_create(&sub, in, ddb_edit_replication_more, &m, &made)
             : -2;
    ddb_buf_free(&out);
    if (rc == 1) { /* asked again (the answer was lost), or a table of that name is here */
        const ddb_table *t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, ddb_json_get_str(in, "TableName")));
        if (t != NULL && t->rep.id != 0 && ddb_table_replica(t, from) != NULL)
            return DDB_OK;
        return ddb_replica_exists_fail(req, ddb_json_get_str(in, "TableName"));
    }
    if (rc != 0)
        return ddb_req_fail(req, sub.err.code ? sub.err.code : DDB_E_INTERNAL, "%s",
                            sub.err.msg ? sub.err.msg : DDB_MSG_INTERNAL);
    ddb_log(DDB_LOG_INFO, "replication: table %s: replica in %s made for the peer of %s", made->name, made->region,
            req->peer);
    ddb_replication_kick(req->eng);
    return DDB_OK;
}

/* BatchWriteItem: changes made in other regions, each applied when newer than the item's last write. */
static int peer_changes(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *t = replica_of(req, name);
    const ddb_json *changes = ddb_json_get(req->in, "Changes");

    if (t == NULL)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            name != NULL ? name : "");
    if (changes == NULL || changes->type != DDB_JSON_ARRAY)
        return bad(req, "wants Changes");
    for (uint32_t i = 0; i < changes->n; i++) {
        const ddb_json *c = changes->u.items[i], *item = ddb_json_get(c, "Item");
        const char *region = ddb_json_get_str(c, "Region");
        long long time_ms = ddb_json_integer(ddb_json_get(c, "Time"), -1);
        ddb_attr v;
        int rc;
        if (ddb_item_from_json_as(req->arena, item != NULL ? item : ddb_json_get(c, "Key"), req->values, &v) != NULL ||
            region == NULL || time_ms < 0)
            return bad(req, "wants an Item or Key, a Time and a Region in each of Changes");
        rc = ddb_replication_apply(req->eng, req->arena, t, &v, item != NULL ? &v : NULL, (uint64_t)time_ms, region);
        if (rc == DDB_E_INTERNAL || rc == DDB_E_TRANSACTION_CONFLICT || rc == DDB_E_RESOURCE_NOT_FOUND)
            return ddb_req_fail(req, rc == DDB_E_RESOURCE_NOT_FOUND ? rc : DDB_E_INTERNAL,
                                rc == DDB_E_RESOURCE_NOT_FOUND ? "Requested resource not found" : DDB_MSG_INTERNAL);
        if (rc != DDB_OK) /* the replicas disagree on the schema: nothing can make it fit */
            ddb_log(DDB_LOG_ERROR, "replication: table %s: a change from %s could not be applied in %s (%d)", t->name,
                    region, t->region, rc);
    }
    return DDB_OK;
}

/* UpdateTable with VectorIndexUpdates: the peer's global table's vector index change, made here
   on this server's replica (replica_vectors.c). */
static int peer_vectors(ddb_req *req)
{
    const char *name = req->table;
    const ddb_table *t = replica_of(req, name);

    if (t == NULL)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            name != NULL ? name : "");
    ddb_replica_vectors_apply(req, t, req->ns, req->region, req->in); /* a refusal is logged there */
    return DDB_OK; /* refused here (an index of that name already): the peer's retry would not help */
}

/* UpdateTable: a region's status in the replica's list ("REMOVED": out of it); Filled ends CREATING. */
static int peer_status(ddb_req *req)
{
    const char *name = req->table, *region = ddb_json_get_str(req->in, "RegionName");
    const ddb_json *filled = ddb_json_get(req->in, "Filled");
    int state = state_of(ddb_json_get_str(req->in, "ReplicaStatus")), rc;

    if (name == NULL || region == NULL || state == -2)
        return bad(req, "wants TableName, RegionName and ReplicaStatus");
    rc = ddb_replicas_edit(req->eng, req->arena, ddb_ns_key(req->arena, req->ns, name), region, state,
                           filled != NULL && filled->type == DDB_JSON_BOOL && filled->u.b);
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", name);
    if (rc < 0)
        return ddb_req_fail_internal(req);
    ddb_replication_kick(req->eng);
    return DDB_OK;
}

/* DescribeTable: the replica's description, asked by the peer before it changes the group's vector
   indexes (replica_vectors.c: one index change at a time on every replica). */
static int peer_describe(ddb_req *req)
{
    const char *name = req->table;

    if (replica_of(req, name) == NULL)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            name != NULL ? name : "");
    return ddb_op_describe_table(req);
}

/* DeleteTable: the replica, deleted as a replica is (already gone: done). */
static int peer_delete(ddb_req *req)
{
    ddb_buf out = {0};
    ddb_req sub;

    if (replica_of(req, req->table) == NULL)
        return DDB_OK; /* gone, or a table of that name outside the group: left alone */
    ddb_req_internal(&sub, req, req->arena, DDB_OP_DeleteTable, req->in, &out, req->account, req->region, req->ns);
    ddb_op_delete_table(&sub);
    ddb_buf_free(&out);
    if (sub.err.code != DDB_OK && sub.err.code != DDB_E_RESOURCE_NOT_FOUND)
        return ddb_req_fail(req, sub.err.code, "%s", sub.err.msg ? sub.err.msg : "");
    return DDB_OK;
}

int ddb_op_peer(ddb_req *req)
{
    if (ddb_peer_url(req->eng, req->peer) == NULL)
        return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                            "x-ddbd-peer: %s is not a --region-peer region of this server", req->peer);
    switch (req->op) {
    case DDB_OP_CreateTable:
        return peer_create(req);
    case DDB_OP_BatchWriteItem:
        return peer_changes(req);
    case DDB_OP_UpdateTable:
        return ddb_json_get(req->in, "VectorIndexUpdates") != NULL ? peer_vectors(req) : peer_status(req);
    case DDB_OP_DeleteTable:
        return peer_delete(req);
    case DDB_OP_DescribeTable:
        return peer_describe(req);
    default:
        return bad(req, "is not a peer's request");
    }
}
