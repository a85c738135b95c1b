/*
 * server/storage/rados/rados_plan.h: a write of the RADOS backend as a plan of omap changes per
 * object (rados_plan.c builds it, writes one object's part, and encodes the write intent's body;
 * rados_write.c fills and applies it; rados_txn.c commits a plan spanning objects in two phases;
 * rados_seq.c adds its sequence counters). Included by those files' headers and sources.
 */
#ifndef DDB_RADOS_PLAN_H
#define DDB_RADOS_PLAN_H

#include "server/storage/rados/rados_store.h"

/* OP_MARK: an object the write only read (its guards), listed in the intent so it is unmarked too.
   OP_CTR_CMP, OP_CTR_SET: a sequence counter's compare and new value (rados_seq.c), written when
   the object is marked (or by the one operation of a single-object write), never marked, not in
   the intent: a number is taken when its record's marker is set. */
enum { OP_SET, OP_RM, OP_CMP, OP_MARK, OP_CTR_CMP, OP_CTR_SET };

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
    /* called once every object is marked, or failed to be (ok 0), before the commit point; or
       after a single-object write: the writers of a sequence queue only until then (rados_seq.c) */
    void (*marked)(void *ctx, int ok);
    void *marked_ctx;
    /* a two-phase commit marks its objects all at once, or (a retry after a conflict: two writes
       that keep taking each other's objects then stop doing so) one after another in name order
       (rados_txn.c) */
    int ordered;
} rs_plan;

/*
 * How one object's part of a plan is written, as one atomic RADOS operation. Every key the plan
 * writes or read has a marker key in its object: RS_MARK_PREFIX + the escaped key (escaping never
 * makes 01 03, so no data or metadata key collides with it), its value an intent's name.
 *   RS_FAST    a write of one object: the keys' markers absent + the guards + the changes
 *   RS_MARK    phase 1: the markers absent + the guards, then the markers set to the intent's name
 *   RS_APPLY   phase 2 (and roll forward): the markers are the intent's + the changes + markers removed
 *   RS_UNMARK  roll back: the markers are the intent's + markers removed
 *   RS_PLAIN   the changes alone (an intent of the first stage's format, which had no markers)
 * A failed compare fails the whole operation with -ECANCELED.
 */
enum { RS_FAST, RS_MARK, RS_APPLY, RS_UNMARK, RS_PLAIN };

void rs_plan_add(rs_plan *p, const char *oid, int kind, const char *key, size_t klen, const char *val, size_t vlen);
int rs_apply_group(ddb_store *s, rs_plan *p, size_t g, int mode, const char *intent);
/* The groups with want[g] set, each as rs_apply_group, sent at once and waited for together (one
   round trip); rcs[g] each one's result. */
void rs_apply_groups(ddb_store *s, rs_plan *p, const char *want, int mode, const char *intent, int *rcs);
/* The marker keys of the keys of group g (allocated in the plan's arena); their count. */
size_t rs_group_marks(rs_plan *p, size_t g, const char ***mk, size_t **ml);
/* The intent's body: every change and every key only read; parsed back into a plan. */
char *rs_intent_encode(rs_plan *p, size_t *len);
int rs_intent_parse(const char *buf, size_t len, rs_plan *p);

#endif
