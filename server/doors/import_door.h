/*
 * server/doors/import_door.h: POST /ddbd/import, an ImportTable whose items pass through
 * anonymisation rules (engine/xfer/anon.h; docs/import.md), on the admin door (--admin):
 *
 *   POST /ddbd/import {"ImportTable": {...an ImportTable request...}, "Rules": {...the rule file...},
 *                      "DryRun": true, "Sample": n}
 *
 * The rules ride beside the request, never in it: DynamoDB's ImportTable has no such member, and
 * one sent to the API is refused as any unknown member is. Checked first (400 {"message"}: what is
 * wrong, never a value), against the table's key schema; InputFormat is DYNAMODB_JSON or ION (an
 * export's). With DryRun: 200 and the report of what the rules do to the source's first Sample
 * items (10 unless said; at most 1000), nothing created. A strict rule set reads a sample of
 * STRICT_SAMPLE items first and refuses (400, the uncovered attributes named) when an attribute
 * has no rule. Else the ImportTable is run as the API runs it, in the default namespace: its
 * answer (200 {"ImportTableDescription"}) or its error (400 {"__type", "message"}), and its
 * record keeps the rules until it ends (engine/xfer/import.c).
 */
#ifndef DDB_IMPORT_DOOR_H
#define DDB_IMPORT_DOOR_H

#include "server/doors/door.h"

/* POST /ddbd/import, run under neither the admin lock nor the gate (doors.def). */
ddb_door_fn ddb_import_door;

#endif
