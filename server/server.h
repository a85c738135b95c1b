/*
 * server/server.h: a server's state, every request's through req->srv: each server its own (two in
 * one process, as the in-process tests open, share none of it: tests/unit/doors/test_server_state.c).
 */
#ifndef DDB_SERVER_H
#define DDB_SERVER_H

#include <pthread.h>

#include "server/api/dispatch.h"
#include "server/base/workers.h"
#include "server/config.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/kinesis.h"

typedef struct ddb_server ddb_server;

struct ddb_server {
    const ddb_config *config;
    ddb_engine eng;          /* the store, the catalog, the tokens, the background worker, the settings */
    ddb_api api;             /* what the request pipeline runs against (api/dispatch.h) */
    struct ddb_triggers *triggers; /* stream triggers to local functions (engine/jobs/triggers.h) */
    struct ddb_kinesis *kinesis;   /* Kinesis streaming destinations' delivery (engine/jobs/kinesis.h) */
    ddb_kinesis_settings kinesis_settings;
    ddb_workers workers;     /* the background workers above and the engine's, started in order (base/workers.h) */
    struct ddb_gate *gate;   /* requests in flight, per HTTP thread (base/gate.h) */
    /* the admin lock: one at a time of an admin request that holds it (doors/doors.def: LOCKED and
       HELD rows, which use the store and the engine's workers outside the request gate) and the
       store's own quiesce (ddb_server_quiesced: a reopen after a stuck resume, which closes the
       store's files and restarts the workers); `gate` is set and `closing` read under it, so no
       quiesce runs once the server closes */
    pthread_mutex_t admin_lock;
    int closing;
    uint64_t opened_ms; /* the server's clock at the open: where the cost report's window starts (doors/usage.h) */
    char *seed_views;   /* --seed's NoSQL Workbench models' views of their tables, a JSON list (GET /ddbd/models), or NULL */
};

/* Opens the store and the catalog for `cfg`; returns 0 or -1 with *err set (malloc'd). */
int ddb_server_open(ddb_server *srv, const ddb_config *cfg, char **err);
void ddb_server_close(ddb_server *srv);
/* The store's quiesce (ddb_store_options.quiesced; ctx: the server): fn(arg) with no request in
   flight, no background work and no admin request that holds the admin lock; 0, or -1 if the
   server is closing (fn not run). */
int ddb_server_quiesced(void *ctx, void (*fn)(void *arg), void *arg);
/* Waits until every write made so far (the start's own: the saved figures' removal, a seed) is
   durable under --sync, so that the first write to reach a crash point is a request's. */
void ddb_server_settle(ddb_server *srv);

/*
 * Named snapshots of the whole store (the admin API: doors/snapshots_door.c, docs/admin.md). Saving and
 * restoring quiesce the server first: the request gate is closed (new requests wait, those in
 * flight finish) and the background worker and stream triggers stop; then they resume. A restore
 * replaces the store's contents in place and reopens the catalog, the idempotency tokens and the
 * background work from it, with fresh caches. Each returns a ddb_checkpoint_rc (storage.h). A
 * restore that fails after the store was closed ends the process (the data directory then holds
 * either the old or the snapshot's files, completed at the next start). The caller runs one of
 * these at a time (the admin door's lock), never from inside a request.
 */
int ddb_server_snapshot_save(ddb_server *srv, const char *name);
int ddb_server_snapshot_restore(ddb_server *srv, const char *name);
int ddb_server_snapshot_delete(ddb_server *srv, const char *name);
size_t ddb_server_snapshot_list(ddb_server *srv, ddb_checkpoint_info **out);

#endif
