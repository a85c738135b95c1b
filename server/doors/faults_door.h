/*
 * server/doors/faults_door.h: /ddbd/faults, the storage faults (base/faults.h) and the request
 * faults (api/faults/inject.h) set at run time (docs/admin.md):
 *
 *   GET  /ddbd/faults                        {"write_errors": bool, "free_bytes": n | null,
 *                                             "stuck_resume": bool, "seed": n,
 *                                             "faults": [{..., "remaining": n, "injected": n}]}
 *   POST /ddbd/faults {"write_errors": true, "free_bytes": 0, "stuck_resume": true}
 *                                            storage faults, {} clears
 *   POST /ddbd/faults {"faults": [{"operation": "PutItem", "table": "Orders",
 *                      "error": "InternalServerError", "count": 3}][, "seed": n]}
 *                                            adds request faults
 *   DELETE /ddbd/faults                      clears both kinds
 * Any other method reads them, as GET does.
 */
#ifndef DDB_FAULTS_DOOR_H
#define DDB_FAULTS_DOOR_H

#include "server/doors/door.h"

ddb_door_fn ddb_faults_door;

#endif
