/*
 * server/ops/replica_vectors.c: a global table's vector indexes follow the table to every replica.
 *
 * The developer guide's "Using vector indexes with global tables": DynamoDB copies a table's vector
 * index definitions to a new replica (ops_replicas.c writes them into the replica's CreateTable),
 * and a vector index created or deleted later by UpdateTable is created or deleted on every
 * replica, each of which indexes (backfills) its own items. Here: the UpdateTable that carries the
 * same VectorIndexUpdates, with the source's AttributeDefinitions, to each replica, and its queuing
 * for a --region-peer's replica (engine/jobs/peer.h, in the source's own commit); ops_update_table.c
 * runs it on this server's replicas and ops_peer.c on a peer's request.
 */
#include <string.h>

#define PEER_ASK_S 2 /* how long an UpdateTable waits for a peer's answer (on its event loop) */

#include "ddb/ddb_status.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/base/log.h"
#include "server/engine/jobs/peer.h"
#include "server/ops/handlers.h"
#include "server/ops/replica_vectors.h"

const char *ddb_replica_vectors_request(ddb_arena *a, const ddb_table *t, const ddb_json *in)
{
    ddb_buf b = {0};
    ddb_jw w;
    const char *text;
    const ddb_json *defs = ddb_json_get(in, "AttributeDefinitions");

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "TableName", t->name);
    if (defs != NULL) {
        ddb_jw_key(&w, "AttributeDefinitions");
        ddb_jw_json(&w, defs);
    }
    ddb_jw_key(&w, "VectorIndexUpdates");
    ddb_jw_json(&w, ddb_json_get(in, "VectorIndexUpdates"));
    ddb_jw_obj_end(&w);
    text = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return text;
}

int ddb_replica_vectors_propagate(const ddb_req *req, const ddb_table *t)
{
    return !req->internal && t->rep.id != 0 && ddb_json_get(req->in, "VectorIndexUpdates") != NULL;
}

/* Whether list `key` of a peer's table description holds an index not ACTIVE. */
static int listed_busy(const ddb_json *table, const char *key)
{
    const ddb_json *list = ddb_json_get(table, key);
    const char *state;

    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++)
        if ((state = ddb_json_get_str(list->u.items[i], "IndexStatus")) != NULL && strcmp(state, "ACTIVE") != 0)
            return 1;
    return 0;
}

/* Whether t's replica on region r's peer is creating or deleting an index, asked with the peer's
   DescribeTable (ops_peer.c) within PEER_ASK_S seconds. A peer that does not answer is not waited
   for: the change goes through, as before this check, and the outbox carries it when it is back. */
static int peer_busy(ddb_req *req, const ddb_table *t, const char *r)
{
    /* a table name is [a-zA-Z0-9_.-]: nothing to escape */
    const char *body = ddb_arena_sprintf(req->arena, "{\"TableName\":\"%s\"}", t->name);
    ddb_buf resp = {0};
    char err[256];
    int status = 0, busy = 0;

    if (ddb_peer_call_within(req->eng, req->arena, t->region, r, "DescribeTable", body, strlen(body), PEER_ASK_S,
                             &status, &resp, err, sizeof(err)) != 0)
        ddb_log(DDB_LOG_WARN, "replication: table %s: the replica in %s was not asked before a vector index change: %s",
                t->name, r, err);
    else if (status == 200) {
        const ddb_json *table = ddb_json_get(ddb_json_parse(req->arena, resp.data, resp.len), "Table");
        busy = listed_busy(table, "GlobalSecondaryIndexes") || listed_busy(table, "VectorIndexes");
    }
    ddb_buf_free(&resp);
    return busy;
}

static int one_at_a_time(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_LIMIT_EXCEEDED,
                        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per "
                        "table");
}

int ddb_replica_vectors_ready(ddb_req *req, const ddb_table *t)
{
    if (!ddb_replica_vectors_propagate(req, t))
        return DDB_OK;
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        const char *r = t->rep.replicas[i].region;
        const ddb_table *rt;
        if (strcmp(r, t->region) == 0 || ddb_peer_url(req->eng, r) != NULL)
            continue;
        rt = ddb_catalog_get(req->eng->catalog, ddb_replica_key(req->arena, t, r));
        for (unsigned j = 0; rt != NULL && j < rt->nindexes; j++)
            if (rt->indexes[j].kind != DDB_IX_LOCAL && rt->indexes[j].state != DDB_IX_ACTIVE)
                return one_at_a_time(req);
    }
    return DDB_OK;
}

int ddb_replica_vectors_peers_ready(ddb_req *req, const ddb_table *t)
{
    if (!ddb_replica_vectors_propagate(req, t))
        return DDB_OK;
    for (unsigned i = 0; i < t->rep.nreplicas; i++) {
        const char *r = t->rep.replicas[i].region;
        if (strcmp(r, t->region) != 0 && ddb_peer_url(req->eng, r) != NULL && peer_busy(req, t, r))
            return one_at_a_time(req);
    }
    return DDB_OK;
}

void ddb_replica_vectors_outbox(ddb_req *req, const ddb_table *t, ddb_batch *extra)
{
    if (!ddb_replica_vectors_propagate(req, t))
        return;
    for (unsigned i = 0; i < t->rep.nreplicas; i++)
        if (strcmp(t->rep.replicas[i].region, t->region) != 0 && ddb_peer_url(req->eng, t->rep.replicas[i].region) != NULL)
            ddb_peer_outbox_add(extra, req->arena, t->region, t->key, t->rep.replicas[i].region, "UpdateTable",
                                ddb_replica_vectors_request(req->arena, t, req->in));
}
