/*
 * server/doors/admin.h: ddbd's own admin endpoints, off the DynamoDB API's namespace (paths under
 * /ddbd/) and answered only when the server runs with --admin (docs/admin.md):
 *
 *   GET  /ddbd/clock                         {"now": <ms since the epoch>, "offset": <ms>, "frozen": bool}
 *   POST /ddbd/clock  {"advance": <ms>}      steps the server's clock (clock.h) forward
 *                     {"set": <epoch ms>}    sets it
 *                     {"offset": <ms>}       sets its offset from the wall clock (0: real time)
 *                     {"freeze": true}       stops it where it stands (--clock frozen: from the start)
 *                     {"run": true}          lets it run on from where it stands
 * A move answers once every background worker has run what came due, in time order: the step stops
 * at each time a worker said it has work at (sleeper.h's ddb_sleeper_due), and at each the workers
 * make a whole pass (ddb_sleepers_settle), the task worker's sweeps (TTL, stream records, tokens)
 * among them.
 *
 *   GET    /ddbd/snapshots                   {"snapshots": [{"name": ..., "createdAt": <epoch ms>}]}
 *   POST   /ddbd/snapshots  {"name": "x"}    saves the whole store as snapshot x (409 if it exists)
 *   POST   /ddbd/snapshots/x/restore         makes the store exactly snapshot x again (404 if none)
 *   DELETE /ddbd/snapshots/x                 deletes it
 * (server.h: the server is quiesced around a save or a restore.) With "namespace": "<account>:
 * <region>" in the POST, the snapshot holds that namespace alone and its restore resets only it,
 * without pausing the others (nssnap.h). Admin requests run one at a time.
 *
 *   GET  /ddbd/contributor-insights/TABLE[?index=NAME]   Contributor Insights' top keys of an
 *                                        enabled table or GSI (insights_view.h)
 *
 *   POST /ddbd/import {"ImportTable": {...}, "Rules": {...}[, "DryRun": true]}
 *                                        an ImportTable anonymised by rules, or its dry run
 *                                        (import_door.h, docs/import.md)
 *
 *   GET  /ddbd/usage                         the cost report: units and their cost by table, operation
 *                                        and index, for the window and a month (usage.h)
 *
 *   GET  /ddbd/faults                        {"write_errors": bool, "free_bytes": n | null,
 *                                             "stuck_resume": bool, "seed": n,
 *                                             "faults": [{..., "remaining": n, "injected": n}]}
 *   POST /ddbd/faults {"write_errors": true, "free_bytes": 0, "stuck_resume": true}
 *                                            storage faults (faults.h), {} clears
 *   POST /ddbd/faults {"faults": [{"operation": "PutItem", "table": "Orders",
 *                      "error": "InternalServerError", "count": 3}][, "seed": n]}
 *                                            adds request faults (api/inject.h)
 *   DELETE /ddbd/faults                      clears both kinds
 *
 *   GET|POST|DELETE /ddbd/record             recordings of the API's traffic (record_door.h)
 */
#ifndef DDB_ADMIN_H
#define DDB_ADMIN_H

#include <pthread.h>
#include <stddef.h>

#include "proto/json.h"

struct ddb_server;
struct ddb_nssnaps;

/* The admin door: the server it works on and what the door itself owns, the namespace snapshots
   (nssnap.h) and the lock that runs one admin request at a time. The server knows none of it. */
typedef struct ddb_admin {
    struct ddb_server *srv;
    pthread_mutex_t lock;
    struct ddb_nssnaps *nssnaps; /* namespace snapshots, in memory */
    struct ddb_usage_marks *marks; /* the cost report's marks (usage_marks.h), set through this door */
} ddb_admin;

/* Opens the door on an opened server; closed before the server is. ddb_admin_close on a door never opened does nothing. */
void ddb_admin_open(ddb_admin *adm, struct ddb_server *srv);
void ddb_admin_close(ddb_admin *adm);

/* Handles one admin request (`method`: "GET", "POST", ...); writes the JSON answer to `out` and
   returns the HTTP status. */
int ddb_admin_handle(ddb_admin *adm, const char *method, const char *path, size_t plen, const char *body,
                     size_t blen, ddb_buf *out);

#endif
