/*
 * server/engine/jobs/peer.h: regions served by another ddbd server (--region-peer REGION=URL).
 *
 * A global table's replica in a peer's region is a table on that server. The two servers speak
 * DynamoDB's own API to each other (the same endpoint, X-Amz-Target and SigV4, signed with
 * --peer-key's key), with one header, "x-ddbd-peer: <the sender's region>", that makes the request
 * a peer's (server/ops/ops_peer.c answers it; only a peer's key may send it). What each
 * operation then carries:
 *
 *   CreateTable    {"Table": <a CreateTable request>, "Replicas": [{RegionName, ReplicaStatus}],
 *                   "FillFrom": region}: the replica, CREATING, in the group (again: no change)
 *   BatchWriteItem {"TableName", "Changes": [{"Item" | "Key", "Time": ms, "Region"}]}: changes made
 *                   in other regions, applied as replicated writes (mutation.h: last writer wins)
 *   UpdateTable    {"TableName", "RegionName", "ReplicaStatus" (or "REMOVED"), "Filled"}: a
 *                   region's status in the replica's list
 *   DeleteTable    {"TableName"}: the replica deleted (a global table's member too)
 *   DescribeTable  {"TableName"}: the replica's description (its indexes' states, asked before a
 *                   vector index change: replica_vectors.c), answered at once, not queued
 *
 * Requests that change the group are queued in an outbox in the metadata space, written in the
 * same commit as the change that needs them, and sent in order by the replication worker
 * (replication.c) until the peer answers; changes to items are pushed from the stream, with a
 * checkpoint per shard (replication.h).
 */
#ifndef DDB_PEER_H
#define DDB_PEER_H

#include "server/base/batch.h"
#include "server/engine/engine.h"

#define DDB_PEER_HEADER "x-ddbd-peer"

/* The URL of the peer server that holds `region` (--region-peer's text), or NULL: the region is this server's. */
const char *ddb_peer_url(const ddb_engine *eng, const char *region);

/* Queues, in batch b, request `op` (its name, "CreateTable") with `body` for region's peer, sent
   for the replica under catalog key `key` in region `from` (a refused CreateTable marks the new
   replica CREATION_FAILED there). */
void ddb_peer_outbox_add(ddb_batch *b, ddb_arena *a, const char *from, const char *key, const char *region,
                         const char *op, const char *body);

/* The outbox's prefix in the metadata space ("peer-outbox/"), its entries' keys sorted by when they were queued. */
#define DDB_PEER_OUTBOX "peer-outbox/"

/*
 * Sends `op` with `body` to region's peer, as the region `from`; *status and resp are its answer.
 * 0, or -1 when there was none (err says why: no peer, no connection, a broken answer).
 */
int ddb_peer_call(const ddb_engine *eng, ddb_arena *a, const char *from, const char *region, const char *op,
                  const char *body, size_t len, int *status, ddb_buf *resp, char *err, size_t errlen);

/* The same, answered within timeout_s seconds (a request handler's question, which waits for it). */
int ddb_peer_call_within(const ddb_engine *eng, ddb_arena *a, const char *from, const char *region, const char *op,
                         const char *body, size_t len, unsigned timeout_s, int *status, ddb_buf *resp, char *err,
                         size_t errlen);

/* An error answer's __type without its namespace ("ResourceNotFoundException"), or "". */
const char *ddb_peer_error(ddb_arena *a, const ddb_buf *resp);

#endif
