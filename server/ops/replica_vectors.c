/*
 * server/ops/replica_vectors.c: a global table's vector indexes follow the table to every replica.
 *
 * The developer guide's "Using vector indexes with global tables": DynamoDB copies a table's vector
 * index definitions to a new replica (ops_replicas.c writes them into the replica's CreateTable),
 * and a vector index created or deleted later by UpdateTable is created or deleted on every
 * replica, each of which indexes (backfills) its own items. Here: the same VectorIndexUpdates,
 * with the source's AttributeDefinitions, applied to each replica: in-process on this server's,
 * through the peer outbox (engine/jobs/peer.h, in the source's own commit) on a --region-peer's.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate.h"
#include "server/base/log.h"
#include "server/engine/catalog_edit.h"
#include "server/engine/jobs/peer.h"
#include "server/ops/handlers.h"
#include "server/ops/optable.h"
#include "server/ops/replica_vectors.h"

/* The UpdateTable that applies the request's VectorIndexUpdates to a replica of t. */
static const char *replica_update_request(ddb_arena *a, const ddb_table *t, const ddb_json *in)
{
    ddb_buf b = {0};
    ddb_jw w;
    const char *text;
    const ddb_json *defs = ddb_json_get(in, "AttributeDefinitions");

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "TableName");
    ddb_jw_str(&w, t->name);
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

static int propagates(const ddb_req *req, const ddb_table *t)
{
    return !req->internal && t->rep_id != 0 && ddb_json_get(req->in, "VectorIndexUpdates") != NULL;
}

void ddb_replica_vectors_outbox(ddb_req *req, const ddb_table *t, ddb_batch *extra)
{
    if (!propagates(req, t))
        return;
    for (unsigned i = 0; i < t->nreplicas; i++)
        if (strcmp(t->replicas[i].region, t->region) != 0 && ddb_peer_url(req->eng, t->replicas[i].region) != NULL)
            ddb_peer_outbox_add(extra, req->arena, t->region, t->key, t->replicas[i].region, "UpdateTable",
                                replica_update_request(req->arena, t, req->in));
}

int ddb_replica_vectors_apply(ddb_req *req, const ddb_table *t, const char *ns, const char *region, const ddb_json *in)
{
    ddb_buf out = {0};
    ddb_req sub;

    ddb_req_internal(&sub, req, req->arena, DDB_OP_UpdateTable, in, &out, t->account, region, ns);
    if (ddb_validate(&sub, ddb_op_table[DDB_OP_UpdateTable].spec, in) == DDB_OK)
        ddb_op_update_table(&sub);
    ddb_buf_free(&out);
    if (sub.err.code != DDB_OK)
        ddb_log(DDB_LOG_ERROR, "replication: table %s: its vector index change could not be made in %s: %s", t->name,
                region, sub.err.msg ? sub.err.msg : "");
    return sub.err.code;
}

void ddb_replica_vectors_local(ddb_req *req, const ddb_table *t)
{
    const char *text;
    const ddb_json *in;

    if (!propagates(req, t))
        return;
    text = replica_update_request(req->arena, t, req->in);
    in = ddb_json_parse(req->arena, text, strlen(text));
    for (unsigned i = 0; i < t->nreplicas; i++) {
        const char *r = t->replicas[i].region;
        if (strcmp(r, t->region) != 0 && ddb_peer_url(req->eng, r) == NULL)
            ddb_replica_vectors_apply(req, t, ddb_ns_of(req->arena, t->account, r), r, in);
    }
}
