/*
 * server/doors/clock_door.h: /ddbd/clock, the server's clock (base/clock.h) read and moved
 * (docs/admin.md):
 *
 *   GET  /ddbd/clock                         {"now": <ms since the epoch>, "offset": <ms>, "frozen": bool}
 *   POST /ddbd/clock  {"advance": <ms>}      steps the server's clock (clock.h) forward
 *                     {"set": <epoch ms>}    sets it
 *                     {"offset": <ms>}       sets its offset from the wall clock (0: real time)
 *                     {"freeze": true}       stops it where it stands (--clock frozen: from the start)
 *                     {"run": true}          lets it run on from where it stands
 * Any other method reads it, as GET does. A move answers once every background worker has run
 * what came due, in time order: the step stops at each time a worker said it has work at
 * (sleeper.h's ddb_sleeper_due), and at each the workers make a whole pass (ddb_sleepers_settle),
 * the task worker's sweeps (TTL, stream records, tokens) among them: the engine's step,
 * engine/jobs/tasks.h's ddb_tasks_step_clock; the door parses the move and answers.
 */
#ifndef DDB_CLOCK_DOOR_H
#define DDB_CLOCK_DOOR_H

#include "server/doors/door.h"

ddb_door_fn ddb_clock_door;

#endif
