/*
 * server/doors/snapshots_door.h: /ddbd/snapshots, snapshots of the whole store (server.h) or of one
 * namespace (nssnap.h), saved, restored and deleted (docs/admin.md):
 *
 *   GET    /ddbd/snapshots                   {"snapshots": [{"name": ..., "createdAt": <epoch ms>}]}
 *   POST   /ddbd/snapshots  {"name": "x"}    saves the whole store as snapshot x (409 if it exists)
 *   POST   /ddbd/snapshots/x/restore         makes the store exactly snapshot x again (404 if none)
 *   DELETE /ddbd/snapshots/x                 deletes it
 * (server.h: the server is quiesced around a save or a restore.) With "namespace": "<account>:
 * <region>" in the POST, the snapshot holds that namespace alone and its restore resets only it,
 * without pausing the others (nssnap.h), holding the catalog meanwhile.
 */
#ifndef DDB_SNAPSHOTS_DOOR_H
#define DDB_SNAPSHOTS_DOOR_H

#include "server/doors/door.h"

ddb_door_fn ddb_snapshots_door;

#endif
