/*
 * server/doors/consistency_door.h: /ddbd/consistency, eventual consistency on demand per table
 * (engine/emulate/consistency.h; docs/testing.md has the recipes).
 *
 *   GET  /ddbd/consistency  {"defaults": {...}, "tables": [{"table", "indexLagMs", "staleReadsMs", "seed", ...}]}
 *   POST /ddbd/consistency  {"table": "T", "indexLagMs": 500 | "100-900", "staleReadsMs": 2000, "seed": 7}
 *                           sets T's settings (an absent member: 0, off; {"table": "T"} alone turns
 *                           both off) and restarts its draws; answers as GET does.
 */
#ifndef DDB_CONSISTENCY_DOOR_H
#define DDB_CONSISTENCY_DOOR_H

#include "server/doors/door.h"

/* Any other method than POST reads, as GET does. */
ddb_door_fn ddb_consistency_door;

#endif
