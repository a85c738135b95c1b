/*
 * server/engine/jobs/replication.h: global tables, kept in step.
 *
 * A global table is one table in several regions' namespaces ("ddbdReplication", below: each
 * replica lists every replica and its status). Every replica has a stream (NEW_AND_OLD_IMAGES unless
 * it had another when it became global), and each write's record carries its write time
 * (mutation.h: last writer wins). One worker thread follows every replica's stream and applies each
 * record made in its own region to every other replica, as a replicated PUT of the new image (a
 * view without new images: the item as it is now, with its write time) or DELETE (mutation.h),
 * applied only when newer
 * than that item's last write there, so replicas written concurrently converge to the same items,
 * whatever order the records arrive in. A replicated write makes a stream record in its replica
 * too (flagged, so it is not sent on again). The records of a shard's batch are applied together,
 * up to 100 changes on distinct items in one transaction (ddb_mutate_txn: one conditional commit
 * instead of one each), each still a no-op when stale; a transaction cancelled otherwise is applied
 * again one change at a time.
 *
 * Progress is a checkpoint per source replica, target replica and stream shard in the metadata
 * space ("replication/<source id>/<target id>/<stream id>/<generation>/<shard>": the last number
 * applied), so a restart goes on where it stopped; a record applied twice changes nothing the
 * second time (its time is no longer newer). A new target starts from the oldest record kept.
 *
 * A new replica (UpdateTable's ReplicaUpdates Create) is created CREATING with "FillFrom", the
 * region it was added from; the worker copies that replica's items into it, each with its write
 * time (read before the item, so a write racing the copy is newer and still lands), then turns the
 * replica ACTIVE in every replica's list. Requests to a CREATING replica are refused as to a
 * restoring table (ops_common.c).
 *
 * --replication-lag MS holds every record back until MS after its write, so tests see the
 * eventual consistency users must handle. Without it, commits on a global table wake the worker
 * (its feature row, ddb_feature_replication) and records go out at once. An injected lag spike
 * (api/faults/inject.h's ReplicationLag) holds back each write it hits by its own latency_ms: the write's stream record
 * carries the hold (DDB_REC_HELD, engine/history/streams.h), so it goes out at its write time +
 * latency_ms, whichever gateway replicates and across a restart. A shard's records go out in
 * order, so the records behind a held one wait for it (a backlog, as behind a slow replication),
 * each no longer than the longest hold among those written before it: under a steady writer a
 * replica is never more than latency_ms (and the worker's poll) behind. The worker sleeps until
 * the first held record comes due.
 *
 * A replica in a peer server's region (--region-peer, peer.h) is reached over the DynamoDB API:
 * the group's requests (its CreateTable, a status, its DeleteTable) go from an outbox written with
 * the change that needs them, in order, until the peer answers; the first of this server's ACTIVE
 * replicas fills a new one by pushing every item with its write time, then tells it it is filled
 * and marks it ACTIVE; each replica here then pushes its own region's records to it, up to 100
 * per request, with its own checkpoints ("replication/<source id>/peer-<region>/..."), moved on
 * only once the peer applied them. The peer does the same the other way, so either server may
 * stop and restart: it pushes from its checkpoints, and what lands twice changes nothing.
 *
 * On RADOS the gateways share a lease ("replication": lease.h), so one of them replicates: it renews
 * the lease within a long pass (a fill, a catch-up) and polls every 50 ms for the other gateways'
 * writes, which do not wake it; the others ask for the lease once a second.
 */
#ifndef DDB_REPLICATION_H
#define DDB_REPLICATION_H

#include "server/base/worker.h"
#include "server/engine/engine.h"

typedef struct ddb_replication ddb_replication;

/* Starts the worker (it idles while there is no global table). */
ddb_replication *ddb_replication_start(ddb_engine *eng, unsigned lag_ms);
/* Its worker, which owns it (NULL when r is): ddb_worker_halt stops its threads, ddb_worker_stop
   ends it and clears the feature row (base/workers.h: every worker halts before any is freed). */
ddb_worker *ddb_replication_worker(ddb_replication *r);
/*
 * Holds this process's replication passes off until ddb_replication_unhold (waiting for a pass
 * under way to end); NULL, and nothing held, when replication is not running. The TTL sweep on a
 * frozen clock: a step's sweep then meets each region's own copy of an expired item in every
 * region that sweeps, not the replicated delete of another's that raced it there, so a step has
 * one outcome (its streams' records, their userIdentity, the replicated units), run after run.
 */
ddb_replication *ddb_replication_hold(ddb_engine *eng);
void ddb_replication_unhold(ddb_replication *r);
/*
 * Sets region's status in the replica list of the table under catalog key `key` (adding the
 * region when absent), or removes the region (state -1); `filled` also drops FillFrom. Compare-
 * and-swap like every catalog change. Returns ddb_catalog_edit's result (1: no such global table).
 */
int ddb_replicas_edit(ddb_engine *eng, ddb_arena *a, const char *key, const char *region, int state, int filled);
/* The same, setting the region's state and its active_at (ddb_replica's, under --table-states: a
   replica added CREATING until then, or one deleted DELETING until then; 0: none). */
int ddb_replicas_set(ddb_engine *eng, ddb_arena *a, const char *key, const char *region, ddb_replica_state state,
                     uint64_t active_at);

/*
 * Applies a change made in `region` at `time_ms` to replica t: the new image, or (NULL) a delete of
 * `keys`, as a replicated write (mutation.h: it lands only when newer than the item's last write).
 * A peer server's changes come this way too (server/ops/ops_peer.c). 0, or the error.
 */
int ddb_replication_apply(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_attr *keys,
                          const ddb_attr *new_image, uint64_t time_ms, const char *region);

/* Wakes the worker: a replica was added or removed, or a global table written. */
void ddb_replication_kick(ddb_engine *eng);

/* ---- the table member "ddbdReplication" (read into t->rep, table.h's ddb_replication_facts, once per
   table version: every reader asks that, never the member) ---- */

#define DDB_MEMBER_REPLICATION "ddbdReplication"

/* The member's value, as ddb_edit_replication takes it. */
typedef struct ddb_replication_member {
    uint32_t id;
    const char *version;
    int strong;
    const ddb_replica *replicas;
    unsigned n;
    const char *fill_from;   /* a new replica: the region it is filled from; NULL once filled */
    const char *witness;     /* STRONG: the witness region, or NULL */
} ddb_replication_member;

struct ddb_desc_edit;
/* A global table's replicas: its write-time keyspace, version, consistency and every replica with
   its status (its own region's included); NULL or n 0 removes it. */
void ddb_edit_replication(struct ddb_desc_edit *e, const ddb_replication_member *r);
/* The same as a `more` callback of a table being made (ops/table_create.h): ctx is the member. */
void ddb_edit_replication_more(struct ddb_desc_edit *e, void *ctx);
/* Table t's replication member (n 0 when it is not a global table), replicas copied to arena memory
   with room for one more. */
void ddb_table_replication(const ddb_table *t, ddb_arena *a, ddb_replication_member *out);

/* The feature row (feature.h; server/features.def): its state is the running worker, set by
   ddb_replication_start and cleared by its ddb_worker_stop (NULL: none, the row is off); a commit
   on a global table wakes it; its member is "ddbdReplication", read whether it is on or off. */
extern const ddb_feature ddb_feature_replication;
/* eng's worker (NULL: not running). */
ddb_replication *ddb_replication_of(const ddb_engine *eng);

#endif
