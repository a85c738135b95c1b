/*
 * server/doors/states_door.h: /ddbd/table-states, production's table states and refreshed counts
 * turned on and off at run time (engine/emulate/table_states.h; docs/testing.md, "Table states").
 *
 *   GET  /ddbd/table-states  {"tableStatesMs": ms, "countRefreshSeconds": s}
 *   POST /ddbd/table-states  {"tableStatesMs": ms, "countRefreshSeconds": s}
 *                            sets either or both, as --table-states and --count-refresh do (an
 *                            absent member is left as it is; 0 turns it off); answers as GET does.
 *                            A table already CREATING or DELETING keeps its due time.
 */
#ifndef DDB_STATES_DOOR_H
#define DDB_STATES_DOOR_H

#include "server/doors/door.h"

/* Any other method than POST reads, as GET does. */
ddb_door_fn ddb_states_door;

#endif
