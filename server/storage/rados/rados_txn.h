/*
 * server/storage/rados/rados_txn.h: two-phase commits of a plan over several RADOS objects, and
 * the resolution of the write intents they leave (rados_txn.c). Included by the files above it:
 * rados_seq.c, rados_write.c, rados_read.c, rados_iter.c, rados_snap.c, rados.c.
 */
#ifndef DDB_RADOS_TXN_H
#define DDB_RADOS_TXN_H

#include "server/storage/rados/rados_plan.h"

#define RS_STATE_ATTR "ddbd.state" /* an intent's: "p" pending, "c" committed (the commit point), "a" abandoned */
#define RS_TIME_ATTR "ddbd.t"      /* the intent's creation, ms since the epoch (decimal): its lease */

/* A plan over several objects, committed in two phases (DDB_STORE_ECONFLICT: a guard failed,
   nothing written; RS_BUSY: another write's pending intent holds a key). */
int rs_txn_commit(ddb_store *s, rs_plan *p);
/* After a failed compare on group g: 1 if none of its keys is marked (a guard failed), else each
   marker's intent resolved: 0 once all are, RS_BUSY if one is pending within its lease. */
int rs_group_resolve(ddb_store *s, rs_plan *p, size_t g);
/* The intent `name` that marks key `mk` of `oid` (met by a read): rolled forward if committed,
   back if abandoned or past its lease (and the marker removed if the intent is gone); 0, RS_BUSY
   (pending within its lease) or an error. */
int rs_mark_resolve(ddb_store *s, const char *oid, const char *mk, size_t ml, const char *name);
/* Resolves every write intent left by a gateway that stopped mid-write (at open).
   `force`: pending ones too, whatever their lease (only while no gateway writes: rados_snap.c). */
int rs_recover_intents(ddb_store *s, int force);
/* How long a pending intent may hold its objects before any gateway rolls it back. */
long rs_lease_ms(void);

#endif
