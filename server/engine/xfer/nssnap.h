/*
 * server/engine/xfer/nssnap.h: snapshots of one namespace, saved and restored (the admin API's `POST
 * /ddbd/snapshots {"name", "namespace"}`, docs/admin.md; its door: doors/snapshots_door.c). A whole-store snapshot (server.h) is restored by reopening the
 * store, which resets every namespace; a test run that gives each worker a namespace of one shared
 * server needs to reset one namespace while the others keep serving. So a namespace snapshot is a
 * copy, in the server's memory, of the namespace's table descriptions and of their keyspaces
 * (items, index entries, item collection sizes), read from one storage snapshot. A restore puts
 * the keys of a table whose description is unchanged back in place (no catalog change: the usual
 * case, a test that wrote items); any other table goes as DeleteTable goes (its keys purged in the
 * background) and the saved one is created again under new ids, its keys copied in (a table with
 * a stream too, so that its stream is new and empty). Nothing outside the namespace is touched,
 * and nothing is paused.
 *
 * Callers hold the admin door's lock (one admin operation at a time); a save and a restore hold the
 * catalog meanwhile. Requests to the namespace itself must wait for the answer: its tables are
 * replaced one by one. What only an operation does (DeleteTable's purge, a stream enabled afresh),
 * a restore asks of the caller's runner: the API is above the engine.
 */
#ifndef DDB_NSSNAP_H
#define DDB_NSSNAP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "proto/ops.h"
#include "server/engine/engine.h"

typedef struct ddb_nssnaps ddb_nssnaps;

/* Runs operation `op` with JSON body `body` in namespace `ns`, in-process as the API would: 0, or
   non-zero with the failure in msg (the admin door's runner, over server/api/dispatch.h). */
typedef int ddb_nssnap_run_fn(const void *ctx, const char *ns, ddb_op op, const char *body, char *msg, size_t msglen);

/* What the snapshots work on (the admin door hands them the server's): the engine's catalog and
   store, the runner a restore calls for what only an operation does, and the list they are kept in. */
typedef struct ddb_nssnap_env {
    ddb_engine *eng;
    ddb_nssnap_run_fn *run;
    const void *run_ctx;
    ddb_nssnaps **snaps;
} ddb_nssnap_env;

typedef enum ddb_nssnap_rc {
    DDB_NSSNAP_OK = 0,
    DDB_NSSNAP_FAILED = 1,  /* the message says why (status 409, or 500 for a storage error) */
    DDB_NSSNAP_EIO = 2,
} ddb_nssnap_rc;

void ddb_nssnaps_free(ddb_nssnaps *s);
/* The namespace of a snapshot named `name`, or NULL when there is none. */
const char *ddb_nssnap_namespace(const ddb_nssnaps *s, const char *name);
/* Saves namespace `ns` ("" or "<account>:<region>") as `name` (not taken: the caller checked). */
int ddb_nssnap_save(const ddb_nssnap_env *srv, const char *name, const char *ns, char *msg, size_t msglen);
int ddb_nssnap_restore(const ddb_nssnap_env *srv, const char *name, char *msg, size_t msglen);
int ddb_nssnap_delete(const ddb_nssnap_env *srv, const char *name);
/* Appends {"name", "createdAt", "namespace"} per namespace snapshot to an open JSON array. */
void ddb_nssnap_list(const ddb_nssnaps *s, ddb_jw *w);

#endif
