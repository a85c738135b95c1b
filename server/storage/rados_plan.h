/*
 * server/storage/rados_plan.h: a write of the RADOS backend as a plan of omap changes per object
 * (rados_write.c builds and applies it; rados_txn.c commits a plan spanning objects in two phases).
 * Included only by rados_write.c and rados_txn.c.
 */
#ifndef DDB_RADOS_PLAN_H
#define DDB_RADOS_PLAN_H

#include "rados_internal.h"

/* OP_MARK: an object the write only read (its guards), listed in the intent so it is unmarked too */
enum { OP_SET, OP_RM, OP_CMP, OP_MARK };

typedef struct rs_op {
    size_t group;
    int kind;
    char *k; /* escaped */
    size_t kl;
    char *v; /* 'v' + value (OP_SET); the expected stored value, "" when absent (OP_CMP) */
    size_t vl;
} rs_op;

typedef struct rs_plan {
    ddb_arena *a;
    rs_op *ops;
    size_t n, cap;
    char (*oids)[RS_OBJ_MAX];
    int *guarded; /* per group: it holds compares */
    int *changes; /* per group: it holds puts or deletes */
    size_t ngroups, gcap;
} rs_plan;

/*
 * How one object's part of a plan is written, as one atomic RADOS operation:
 *   RS_FAST    a write of one object: "no pending marker" + the guards + the changes
 *   RS_MARK    phase 1: "no pending marker" + the guards, then the marker set to the intent's name
 *   RS_APPLY   phase 2 (and roll forward): "marker is the intent's" + the changes + marker removed
 *   RS_UNMARK  roll back: "marker is the intent's" + marker removed
 *   RS_PLAIN   the changes alone (an intent of the first stage's format, which had no markers)
 * A failed compare fails the whole operation with -ECANCELED.
 */
enum { RS_FAST, RS_MARK, RS_APPLY, RS_UNMARK, RS_PLAIN };

/* The xattr of a data object that names the intent holding it (absent: none), and the intent's. */
#define RS_MARK_ATTR "ddbd.tx"
#define RS_STATE_ATTR "ddbd.state" /* "p" pending, "c" committed (the commit point), "a" abandoned */
#define RS_TIME_ATTR "ddbd.t"      /* the intent's creation, ms since the epoch (decimal): its lease */

void rs_plan_add(rs_plan *p, const char *oid, int kind, const char *key, size_t klen, const char *val, size_t vlen);
int rs_apply_group(ddb_store *s, rs_plan *p, size_t g, int mode, const char *intent);
/* The intent's body: every change and every marked object of the plan; parsed back into a plan. */
char *rs_intent_encode(rs_plan *p, size_t *len);
int rs_intent_parse(const char *buf, size_t len, rs_plan *p);

/* rados_txn.c: a plan over several objects, committed in two phases (DDB_STORE_ECONFLICT: a guard
   failed, nothing written; RS_BUSY: another gateway's pending intent holds an object). */
int rs_txn_commit(ddb_store *s, rs_plan *p);
/* An object found marked (a write's or a read's compare failed): its intent resolved if it is
   committed (rolled forward) or abandoned (rolled back); RS_BUSY if pending within its lease, 1
   if the object holds no marker (the failure was a guard's), 0 once resolved. */
int rs_marker_resolve(ddb_store *s, const char *oid);

#endif
