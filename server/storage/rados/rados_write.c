/*
 * server/storage/rados/rados_write.c: the RADOS backend's writes. A compound write becomes a plan of
 * omap changes per object (rados_plan.h): one object is one atomic RADOS operation (with the
 * compares of the keys a commit read, when it is a commit's, and a check that no other write's
 * intent holds those keys); several objects are committed in two phases behind a write intent
 * (rados_txn.c). Its sequenced puts are numbered by rados_seq.c. Also the removals that check no
 * marker: a moved partition's keys (at open) and range deletion. The plan itself: rados_plan.c.
 * Calls rados_seq.c, rados_txn.c, rados_plan.c, rados_dir.c and the bottom. What this
 * guarantees across gateways: docs/scale-out.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/trace.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_seq.h"
#include "server/storage/rados/rados_txn.h"

/*
 * Applies a plan. One object is one guarded operation (the fast path: no intent); several are
 * committed in two phases (rados_txn.c). A failed compare of the fast path is a guard's
 * (DDB_STORE_ECONFLICT: decide again) or another write's pending marker on the object, which is
 * resolved (rolled forward or back if its gateway is gone) before the caller retries (RS_BUSY);
 * a guessed write's (RS_WRITE_GUESS) is DDB_STORE_ECONFLICT at once: the read that follows it
 * resolves any marker.
 */
static int apply_plan(ddb_store *s, rs_plan *p, int flags)
{
    const char **oids = ddb_arena_alloc(p->a, (p->ngroups + 1) * sizeof(*oids));
    size_t nch = 0;
    int rc;

    for (size_t g = 0; g < p->ngroups; g++)
        if (p->changes[g])
            oids[nch++] = p->oids[g];
    if (nch == 0)
        return DDB_STORE_OK;
    if ((rc = rs_dir_add(s, oids, nch)) != DDB_STORE_OK)
        return rc;
    if (p->ngroups > 1)
        return rs_txn_commit(s, p);
    rc = rs_apply_group(s, p, 0, RS_FAST, NULL);
    if (p->marked != NULL)
        p->marked(p->marked_ctx, rc >= 0);
    if (rc == -ECANCELED && (flags & RS_WRITE_GUESS))
        return DDB_STORE_ECONFLICT;
    if (rc == -ECANCELED) {
        rc = rs_group_resolve(s, p, 0);
        return rc == 1 ? DDB_STORE_ECONFLICT : rc == 0 ? RS_BUSY : rc;
    }
    return rc < 0 ? rs_check(rc, "write", p->oids[0]) : DDB_STORE_OK;
}

int rs_remove_keys(ddb_store *s, const char *oid, const ddb_batch *b)
{
    rs_plan p;
    int rc;

    memset(&p, 0, sizeof(p));
    p.a = b->arena;
    for (size_t i = 0; i < b->n; i++)
        rs_plan_add(&p, oid, OP_RM, b->ops[i].key, b->ops[i].klen, NULL, 0);
    rs_write_begin(s);
    rc = p.n > 0 ? rs_apply_group(s, &p, 0, RS_PLAIN, NULL) : 0;
    rs_write_end(s);
    return rc < 0 ? rs_check(rc, "write", oid) : DDB_STORE_OK;
}

/* The batch, with its sequenced puts numbered (rados_seq.c), and the guards of read keys, as one plan. */
static int build_plan(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, rs_seq_hold *h,
                      rs_plan *p)
{
    uint64_t *nums = h != NULL ? ddb_arena_alloc(p->a, sizeof(*nums) * b->n) : NULL;
    char oid[RS_OBJ_MAX], *kbuf;
    int rc;

    if (h != NULL && (rc = rs_seq_number(s, h, b, p, nums)) != DDB_STORE_OK)
        return rc;
    for (size_t i = 0; i < ng; i++) {
        if (guards[i].meta) /* a commit's metadata key (storage.h): compared in ddbd.meta */
            strcpy(oid, RS_META_OBJ);
        else
            rs_data_obj(s, guards[i].key, guards[i].klen, oid);
        rs_plan_add(p, oid, OP_CMP, guards[i].key, guards[i].klen, guards[i].val, guards[i].vlen);
    }
    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        if (op->sequenced) {
            kbuf = ddb_arena_alloc(p->a, op->klen + 8);
            memcpy(kbuf, op->key, op->klen);
            ddb_put_be(kbuf + op->klen, nums[i], 8);
            rs_seq_obj(op->key, op->klen, oid);
            rs_plan_add(p, oid, OP_SET, kbuf, op->klen + 8, op->val, op->vlen);
            continue;
        }
        if (op->meta)
            strcpy(oid, RS_META_OBJ);
        else
            rs_data_obj(s, op->key, op->klen, oid);
        rs_plan_add(p, oid, op->is_delete ? OP_RM : OP_SET, op->key, op->klen, op->val, op->vlen);
    }
    return DDB_STORE_OK;
}

/* A guessed commit's batch is one object's, without sequenced puts or metadata (RS_WRITE_GUESS). */
static int guessable(const ddb_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->ops[i].sequenced || b->ops[i].meta)
            return 0;
    return 1;
}

/*
 * Builds and applies the plan. A commit's (guards) is applied once: its caller, rs_commit, reads
 * and decides again after a conflict. A plain write cannot conflict with its own guards but can
 * meet another write's pending intent on an object (it waits for it, resolving it once its lease
 * ran out) or lose its sequence numbers to another gateway (it numbers again): it is built
 * again, numbered afresh, and retried, its objects then marked in name order.
 */
int rs_write_guarded(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, ddb_arena *a,
                     int flags)
{
    rs_seq_hold *h;
    uint64_t t0;
    int rc;

    if ((flags & RS_WRITE_GUESS) && !guessable(b))
        return RS_UNGUESSED;
    if (ddb_fault_write_errors())
        return DDB_STORE_EIO;
    h = rs_seq_begin(s, b, a);
    t0 = ddb_clock_mono_ms();
    for (int attempt = 1;; attempt++) {
        rs_plan p;
        memset(&p, 0, sizeof(p));
        p.a = a;
        p.ordered = attempt > 1 || (flags & RS_WRITE_ORDERED);
        if ((rc = build_plan(s, b, guards, ng, h, &p)) == DDB_STORE_OK)
            rc = (flags & RS_WRITE_GUESS) && p.ngroups > 1 ? RS_UNGUESSED : apply_plan(s, &p, flags);
        if (h != NULL)
            rs_seq_end(h);
        if (ng > 0 || (rc != RS_BUSY && rc != DDB_STORE_ECONFLICT))
            break;
        if ((long long)(ddb_clock_mono_ms() - t0) > rs_lease_ms() + 2000) {
            rc = DDB_STORE_ECONFLICT;
            break;
        }
        rs_backoff(s, attempt);
    }
    return rc;
}

int rs_write(ddb_store *s, const ddb_batch *b)
{
    int rc;

    if (b->n == 0)
        return DDB_STORE_OK;
    rs_write_begin(s); /* not while a snapshot pauses the pool's writes (rados_snap.c) */
    rc = rs_write_guarded(s, b, NULL, 0, b->arena, 0);
    rs_write_end(s);
    return rc;
}

/* ---- range deletion ---- */

static int rm_range(ddb_store *s, const char *oid, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    char *elo = malloc(2 * lolen + 1), *ehi = malloc(2 * hilen + 1);
    size_t el = rs_escape(lo, lolen, elo), eh = rs_escape(hi, hilen, ehi);
    rados_write_op_t op = rados_create_write_op();
    int rc, span;

    rados_write_op_assert_exists(op);
    rados_write_op_omap_rm_range2(op, elo, el, ehi, eh);
    rs_write_begin(s);
    span = ddb_trace_child_open("rados.write");
    rc = rados_write_op_operate2(op, s->io, oid, NULL, 0);
    ddb_trace_child_close(span);
    rs_write_end(s);
    rados_release_write_op(op);
    free(elo);
    free(ehi);
    return rc == -ENOENT ? DDB_STORE_OK : rc < 0 ? rs_check(rc, "delete range", oid) : DDB_STORE_OK;
}

/* Deletes the data keys (seq 0) or the sequenced keys (1) in [lo, hi). */
static int delete_range(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int seq)
{
    char (*oids)[RS_OBJ_MAX] = NULL;
    size_t n = 0;
    int rc;

    if ((rc = rs_range_objects(s, lo, lolen, hi, hilen, seq, &oids, &n)) != DDB_STORE_OK)
        return rc;
    for (size_t i = 0; i < n && rc == DDB_STORE_OK; i++)
        rc = rm_range(s, oids[i], lo, lolen, hi, hilen);
    free(oids);
    return rc;
}

int rs_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    int rc = delete_range(s, lo, lolen, hi, hilen, 0);

    return rc == DDB_STORE_OK ? delete_range(s, lo, lolen, hi, hilen, 1) : rc;
}

/* The floor is the prefix's counter, raised before anything is deleted (the counter is kept when
   its keys go, so no key of its own is needed). */
int rs_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen, uint64_t floor)
{
    int rc = rs_seq_floor(s, prefix, plen, floor);

    return rc == DDB_STORE_OK ? delete_range(s, prefix, plen, stop, stoplen, 1) : rc;
}
