/*
 * server/doors/record_door.h: /ddbd/record, recordings of the API's traffic started and stopped at
 * run time (api/record/record.h; docs/record-replay.md):
 *
 *   GET    /ddbd/record   {"recording": bool, "file": PATH, "requests": n, "redacted": bool}
 *   POST   /ddbd/record   {"file": PATH[, "redact": RULES]}: starts recording into PATH, a new
 *                         file (409 if it exists or a recording is on), with RULES (as
 *                         --record-redact's file holds them; absent: --record-redact's, if any)
 *   DELETE /ddbd/record   stops it: every line written, the file closed; {"recording": false,
 *                         "file": PATH, "requests": n} (404 when none is on)
 */
#ifndef DDB_RECORD_DOOR_H
#define DDB_RECORD_DOOR_H

#include "server/doors/door.h"

/* Another method: 405. */
ddb_door_fn ddb_record_door;

#endif
