/*
 * server/doors/admin.h: ddbd's own admin endpoints, off the DynamoDB API's namespace (paths under
 * /ddbd/) and answered only when the server runs with --admin (docs/admin.md). Each door is a row
 * of doors.def (its path, the methods it takes, what it runs under, who may call it, its handler),
 * and ddb_admin_handle walks the rows; one file a door, named <door>_door.c, whose header says
 * what it answers:
 *
 *   /ddbd/clock                       the server's clock, read and moved (clock_door.h)
 *   /ddbd/snapshots[/x[/restore]]     snapshots of the store or of one namespace (snapshots_door.h)
 *   /ddbd/faults                      storage and request faults (faults_door.h)
 *   /ddbd/consistency                 eventual consistency on demand (consistency_door.h)
 *   /ddbd/table-states                production's table states (states_door.h)
 *   /ddbd/record                      recordings of the API's traffic (record_door.h)
 *   /ddbd/import                      an anonymised ImportTable (import_door.h)
 *   /ddbd/usage[/mark]                the cost report (usage.h)
 *   /ddbd/contributor-insights/T      Contributor Insights' top keys (insights_view.h)
 *
 * A request no row takes: 404 {"message": "no such admin endpoint"}. Admin requests run one at a
 * time (the server's admin lock, which a store's reopen in place takes too), but for the import, whose
 * sample may read a long source.
 */
#ifndef DDB_ADMIN_H
#define DDB_ADMIN_H

#include <stddef.h>

#include "proto/json.h"

struct ddb_server;
struct ddb_nssnaps;

/* The admin door: the server it works on and what the doors themselves own (the namespace
   snapshots: nssnap.h; the cost report's marks). The server knows none of it; it owns the lock
   that runs one admin request at a time (ddb_server.admin_lock, which the store's reopen takes too). */
typedef struct ddb_admin {
    struct ddb_server *srv;
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
