/*
 * server/storage/rados_write.c: the RADOS backend's writes. A compound write becomes a plan of
 * omap changes per object (rados_plan.h): one object is one atomic RADOS operation (with the
 * compares of the keys a commit read, when it is a commit's, and a check that no other write's
 * intent holds those keys); several objects are committed in two phases behind a write intent
 * (rados_txn.c). What this guarantees across gateways: docs/scale-out.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/faults.h"
#include "server/base/be.h"
#include "server/storage/rados/rados_plan.h"

/* ---- writes: a plan of omap changes per object ---- */

static size_t plan_group(rs_plan *p, const char *oid)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        if (strcmp(p->oids[g], oid) == 0)
            return g;
    }
    if (p->ngroups == p->gcap) {
        size_t cap = p->gcap ? p->gcap * 2 : 8;
        char (*oids)[RS_OBJ_MAX] = ddb_arena_alloc(p->a, cap * sizeof(*oids));
        int *gd = ddb_arena_alloc(p->a, cap * sizeof(*gd)), *ch = ddb_arena_alloc(p->a, cap * sizeof(*ch));
        if (p->ngroups) {
            memcpy(oids, p->oids, p->ngroups * sizeof(*oids));
            memcpy(gd, p->guarded, p->ngroups * sizeof(*gd));
            memcpy(ch, p->changes, p->ngroups * sizeof(*ch));
        }
        p->oids = oids;
        p->guarded = gd;
        p->changes = ch;
        p->gcap = cap;
    }
    strcpy(p->oids[p->ngroups], oid);
    p->guarded[p->ngroups] = 0;
    p->changes[p->ngroups] = 0;
    return p->ngroups++;
}

/* Adds one change; val is the store's value (OP_SET, OP_CMP), NULL for an absent key (OP_CMP). */
void rs_plan_add(rs_plan *p, const char *oid, int kind, const char *key, size_t klen, const char *val,
                     size_t vlen)
{
    rs_op *op;

    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        rs_op *ops = ddb_arena_alloc(p->a, cap * sizeof(*ops));
        if (p->n)
            memcpy(ops, p->ops, p->n * sizeof(*ops));
        p->ops = ops;
        p->cap = cap;
    }
    op = &p->ops[p->n++];
    op->group = plan_group(p, oid);
    op->kind = kind;
    op->k = ddb_arena_alloc(p->a, 2 * klen + 1);
    op->kl = rs_escape(key, klen, op->k);
    op->v = NULL;
    op->vl = 0;
    if (kind == OP_CMP || kind == OP_CTR_CMP)
        p->guarded[op->group] = 1;
    else if (kind != OP_MARK)
        p->changes[op->group]++;
    if (kind == OP_RM || kind == OP_MARK || ((kind == OP_CMP || kind == OP_CTR_CMP) && val == NULL))
        return;
    op->v = ddb_arena_alloc(p->a, vlen + 1);
    op->v[0] = 'v';
    if (vlen > 0)
        memcpy(op->v + 1, val, vlen);
    op->vl = vlen + 1;
}

/* The marker keys (rados_plan.h) of every key the group writes or read, into *mk / *ml; their count. */
size_t rs_group_marks(rs_plan *p, size_t g, const char ***mk, size_t **ml)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++)
        n += p->ops[i].group == g;
    *mk = ddb_arena_alloc(p->a, (n + 1) * sizeof(**mk));
    *ml = ddb_arena_alloc(p->a, (n + 1) * sizeof(**ml));
    n = 0;
    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        char *m;
        if (o->group != g || o->kind == OP_CTR_CMP || o->kind == OP_CTR_SET)
            continue; /* a sequence counter is never marked (rados_plan.h) */
        m = ddb_arena_alloc(p->a, o->kl + RS_MARK_PREFIX_LEN);
        memcpy(m, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
        memcpy(m + RS_MARK_PREFIX_LEN, o->k, o->kl);
        (*mk)[n] = m;
        (*ml)[n++] = o->kl + RS_MARK_PREFIX_LEN;
    }
    return n;
}

/* The head of an object's operation by mode (rados_plan.h): its compares, which come first. */
static void group_checks(rados_write_op_t op, rs_plan *p, size_t g, int mode, const char *intent, int *prvals)
{
    const char **mk, *want = mode == RS_APPLY || mode == RS_UNMARK ? intent : "";
    size_t *ml, nm = mode == RS_PLAIN ? 0 : rs_group_marks(p, g, &mk, &ml), c = 0;

    /* removing keys and comparing need the object (else -ENOENT): it is created if missing (a
       failed compare undoes that too) */
    if (mode != RS_APPLY && mode != RS_UNMARK)
        rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
    /* each key's marker: absent (no intent holds it: an absent key compares as empty), or the
       intent's own name */
    for (size_t i = 0; i < nm; i++)
        rados_write_op_omap_cmp2(op, mk[i], LIBRADOS_CMPXATTR_OP_EQ, want, ml[i], strlen(want), &prvals[c++]);
    if (mode != RS_FAST && mode != RS_MARK)
        return;
    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        if (o->group == g && (o->kind == OP_CMP || o->kind == OP_CTR_CMP))
            rados_write_op_omap_cmp2(op, o->k, LIBRADOS_CMPXATTR_OP_EQ, o->v ? o->v : "", o->kl, o->vl, &prvals[c++]);
    }
}

/* The group's sequence counters set (with its marks, or its changes in a single-object write). */
static void group_counters(rados_write_op_t op, rs_plan *p, size_t g)
{
    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        const char *k = o->k, *v = o->v;
        if (o->group == g && o->kind == OP_CTR_SET)
            rados_write_op_omap_set2(op, &k, &v, &o->kl, &o->vl, 1);
    }
}

/* The markers of the group's keys set to the intent's name (mark), or removed. */
static void group_marks_set(rados_write_op_t op, rs_plan *p, size_t g, const char *intent, int set)
{
    const char **mk, **mv;
    size_t *ml, *mvl, nm = rs_group_marks(p, g, &mk, &ml);

    if (!set) {
        rados_write_op_omap_rm_keys2(op, mk, ml, nm);
        return;
    }
    mv = ddb_arena_alloc(p->a, (nm + 1) * sizeof(*mv));
    mvl = ddb_arena_alloc(p->a, (nm + 1) * sizeof(*mvl));
    for (size_t i = 0; i < nm; i++) {
        mv[i] = intent;
        mvl[i] = strlen(intent);
    }
    rados_write_op_omap_set2(op, mk, mv, ml, mvl, nm);
}

/* The group's puts and deletes, in order. */
static void group_changes(rados_write_op_t op, rs_plan *p, size_t g, size_t n)
{
    size_t ns = 0, nr = 0;
    const char **sk = ddb_arena_alloc(p->a, n * sizeof(*sk)), **sv = ddb_arena_alloc(p->a, n * sizeof(*sv));
    const char **rk = ddb_arena_alloc(p->a, n * sizeof(*rk));
    size_t *skl = ddb_arena_alloc(p->a, n * sizeof(*skl)), *svl = ddb_arena_alloc(p->a, n * sizeof(*svl));
    size_t *rkl = ddb_arena_alloc(p->a, n * sizeof(*rkl));

    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        if (o->group != g || (o->kind != OP_SET && o->kind != OP_RM))
            continue;
        /* a later change of the same key wins: RADOS applies the operation's steps in order, but
           one omap_set2 with a key twice keeps the first, so a put then a delete (or the
           reverse) is split into steps here */
        if (o->kind == OP_SET) {
            if (nr > 0) {
                rados_write_op_omap_rm_keys2(op, rk, rkl, nr);
                nr = 0;
            }
            sk[ns] = o->k;
            skl[ns] = o->kl;
            sv[ns] = o->v;
            svl[ns++] = o->vl;
        } else {
            if (ns > 0) {
                rados_write_op_omap_set2(op, sk, sv, skl, svl, ns);
                sk += ns, sv += ns, skl += ns, svl += ns;
                ns = 0;
            }
            rk[nr] = o->k;
            rkl[nr++] = o->kl;
        }
    }
    if (ns > 0)
        rados_write_op_omap_set2(op, sk, sv, skl, svl, ns);
    if (nr > 0)
        rados_write_op_omap_rm_keys2(op, rk, rkl, nr);
}

/* One object's part of a plan as one RADOS operation (atomic on the object), by mode
   (rados_plan.h). -ECANCELED: a compare failed and nothing was written. */
int rs_apply_group(ddb_store *s, rs_plan *p, size_t g, int mode, const char *intent)
{
    size_t n = 0;
    int rc, *prvals;
    rados_write_op_t op = rados_create_write_op();

    for (size_t i = 0; i < p->n; i++)
        n += p->ops[i].group == g;
    prvals = ddb_arena_alloc(p->a, (2 * n + 1) * sizeof(*prvals));
    group_checks(op, p, g, mode, intent, prvals);
    if (mode == RS_FAST || mode == RS_APPLY || mode == RS_PLAIN)
        group_changes(op, p, g, n + 1);
    if (mode == RS_FAST || mode == RS_MARK)
        group_counters(op, p, g);
    if (mode == RS_MARK || mode == RS_APPLY || mode == RS_UNMARK)
        group_marks_set(op, p, g, intent, mode == RS_MARK);
    rc = rados_write_op_operate2(op, s->io, p->oids[g], NULL, 0);
    rados_release_write_op(op);
    __atomic_add_fetch(&s->n_writes, 1, __ATOMIC_RELAXED);
    return rc;
}

/* ---- write intents: the body of a write over several objects ---- */

/*
 * The intent holds every change of the write (object, escaped key, stored value) and one OP_MARK
 * entry (no value) per key it read, so all are unmarked: [u32 count] then per entry [u8 kind]
 * [u8 oid length][oid][u32 key length][key][u32 value length][value], integers big-endian. Its
 * state and lease are xattrs (rados_txn.c).
 */
char *rs_intent_encode(rs_plan *p, size_t *lenp)
{
    size_t len = 4, off = 4;
    char *buf;
    uint32_t count = 0;

    for (size_t i = 0; i < p->n; i++) { /* a key only read is listed without its value (OP_MARK) */
        if (p->ops[i].kind == OP_CTR_CMP || p->ops[i].kind == OP_CTR_SET)
            continue; /* written when marked: not applied again */
        len += 1 + 1 + strlen(p->oids[p->ops[i].group]) + 4 + p->ops[i].kl + 4 + (p->ops[i].kind == OP_CMP ? 0 : p->ops[i].vl);
        count++;
    }
    buf = ddb_arena_alloc(p->a, len);
    ddb_put_be(buf, count, 4);
    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        const char *oid = p->oids[o->group];
        size_t ol = strlen(oid);
        size_t vl = o->kind == OP_CMP ? 0 : o->vl;
        if (o->kind == OP_CTR_CMP || o->kind == OP_CTR_SET)
            continue;
        buf[off++] = (char)(o->kind == OP_CMP ? OP_MARK : o->kind);
        buf[off++] = (char)ol;
        memcpy(buf + off, oid, ol), off += ol;
        ddb_put_be(buf + off, o->kl, 4), off += 4;
        if (o->kl)
            memcpy(buf + off, o->k, o->kl), off += o->kl;
        ddb_put_be(buf + off, vl, 4), off += 4;
        if (vl)
            memcpy(buf + off, o->v, vl), off += vl;
    }
    *lenp = len;
    return buf;
}

int rs_intent_parse(const char *buf, size_t len, rs_plan *p)
{
    size_t off = 4;
    uint32_t count;

    if (len < 4)
        return -1;
    count = (uint32_t)ddb_get_be(buf, 4);
    for (uint32_t i = 0; i < count; i++) {
        char oid[RS_OBJ_MAX];
        size_t ol, kl, vl;
        rs_op *o;
        if (off + 2 > len || (ol = (unsigned char)buf[off + 1]) >= RS_OBJ_MAX || off + 2 + ol + 4 > len)
            return -1;
        memcpy(oid, buf + off + 2, ol);
        oid[ol] = '\0';
        int kind = buf[off];
        if (kind != OP_SET && kind != OP_RM && kind != OP_MARK)
            return -1;
        off += 2 + ol;
        kl = ddb_get_be(buf + off, 4), off += 4;
        if (off + kl + 4 > len)
            return -1;
        const char *k = buf + off;
        off += kl;
        vl = ddb_get_be(buf + off, 4), off += 4;
        if (off + vl > len)
            return -1;
        rs_plan_add(p, oid, kind, "", 0, NULL, 0); /* then the escaped key and stored value as they are */
        o = &p->ops[p->n - 1];
        o->k = (char *)k;
        o->kl = kl;
        o->v = (char *)buf + off;
        o->vl = vl;
        off += vl;
    }
    return 0;
}

/*
 * Applies a plan. One object is one guarded operation (the fast path: no intent); several are
 * committed in two phases (rados_txn.c). A failed compare of the fast path is a guard's
 * (DDB_STORE_ECONFLICT: decide again) or another write's pending marker on the object, which is
 * resolved (rolled forward or back if its gateway is gone) before the caller retries (RS_BUSY).
 */
static int apply_plan(ddb_store *s, rs_plan *p)
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

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Builds and applies the plan. A commit's (guards) is applied once: its caller, rs_commit, reads
 * and decides again after a conflict. A plain write cannot conflict with its own guards but can
 * meet another write's pending intent on an object (it waits for it, resolving it once its lease
 * ran out) or lose its sequence numbers to another gateway (it numbers again): it is built
 * again, numbered afresh, and retried.
 */
int rs_write_guarded(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, ddb_arena *a)
{
    rs_seq_hold *h;
    struct timespec t0;
    int rc;

    if (ddb_fault_write_errors())
        return DDB_STORE_EIO;
    h = rs_seq_begin(s, b, a);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int attempt = 1;; attempt++) {
        rs_plan p;
        memset(&p, 0, sizeof(p));
        p.a = a;
        if ((rc = build_plan(s, b, guards, ng, h, &p)) == DDB_STORE_OK)
            rc = apply_plan(s, &p);
        if (h != NULL)
            rs_seq_end(h);
        if (ng > 0 || (rc != RS_BUSY && rc != DDB_STORE_ECONFLICT))
            break;
        if (elapsed_ms(&t0) > rs_lease_ms() + 2000) {
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
    rc = rs_write_guarded(s, b, NULL, 0, b->arena);
    rs_write_end(s);
    return rc;
}
