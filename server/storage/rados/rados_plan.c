/*
 * server/storage/rados/rados_plan.c: a write of the RADOS backend as a plan of omap changes per
 * object (rados_plan.h): building it, writing one object's part as one atomic RADOS operation by
 * mode (a single-object write, a two-phase commit's mark, apply or unmark), and the write
 * intent's body, which lists a plan and is parsed back into one. Calls only the bottom
 * (rados_key.c).
 */
#include <stdlib.h>
#include <string.h>

#include "server/base/trace.h"
#include "server/storage/rados/rados_plan.h"
#include "server/base/be.h"

/* ---- a plan of omap changes per object ---- */

static size_t plan_group(rs_plan *p, const char *oid)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        if (strcmp(p->oids[g], oid) == 0)
            return g;
    }
    if (p->ngroups == p->gcap) {
        size_t cap = p->gcap ? p->gcap * 2 : 8; /* three parallel arrays: DDB_ARENA_ROOM's growth, once for all */
        p->oids = ddb_arena_grow(p->a, p->oids, p->ngroups, cap, sizeof(*p->oids));
        p->guarded = ddb_arena_grow(p->a, p->guarded, p->ngroups, cap, sizeof(*p->guarded));
        p->changes = ddb_arena_grow(p->a, p->changes, p->ngroups, cap, sizeof(*p->changes));
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

    DDB_ARENA_ROOM(p->a, p->ops, p->n, p->cap, 16);
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

/* One object's part of a plan as one RADOS operation, by mode (rados_plan.h), not yet sent. */
static rados_write_op_t group_op(rs_plan *p, size_t g, int mode, const char *intent)
{
    size_t n = 0;
    int *prvals;
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
    return op;
}

/* One object's part of a plan as one RADOS operation (atomic on the object), by mode
   (rados_plan.h). -ECANCELED: a compare failed and nothing was written. */
int rs_apply_group(ddb_store *s, rs_plan *p, size_t g, int mode, const char *intent)
{
    rados_write_op_t op = group_op(p, g, mode, intent);
    int rc, span;

    span = ddb_trace_child_open("rados.write");
    rc = rados_write_op_operate2(op, s->io, p->oids[g], NULL, 0);
    ddb_trace_child_close(span);
    rados_release_write_op(op);
    return rc;
}

/*
 * The parts of the groups g with want[g] set, each as rs_apply_group writes it, all sent at once
 * and waited for together: one round trip's latency for the lot, not one per object. Each
 * object's operation is atomic on its own; their order across objects is none. rcs[g]: each one's
 * result (untouched where want[g] is 0).
 */
void rs_apply_groups(ddb_store *s, rs_plan *p, const char *want, int mode, const char *intent, int *rcs)
{
    rados_write_op_t *ops = ddb_arena_alloc(p->a, p->ngroups * sizeof(*ops));
    rados_completion_t *done = ddb_arena_alloc(p->a, p->ngroups * sizeof(*done));
    size_t n = 0;
    int span;

    for (size_t g = 0; g < p->ngroups; g++)
        n += want[g] != 0;
    if (n <= 1) { /* one: a synchronous call costs the same round trip, without a completion */
        for (size_t g = 0; g < p->ngroups; g++)
            if (want[g])
                rcs[g] = rs_apply_group(s, p, g, mode, intent);
        return;
    }
    span = ddb_trace_child_open("rados.write"); /* the objects' writes overlap: one span for all */
    for (size_t g = 0; g < p->ngroups; g++) {
        int e;
        done[g] = NULL;
        if (!want[g])
            continue;
        ops[g] = group_op(p, g, mode, intent);
        e = rados_aio_create_completion(NULL, NULL, NULL, &done[g]);
        if (e == 0)
            e = rados_aio_write_op_operate(ops[g], s->io, done[g], p->oids[g], NULL, 0);
        if (e < 0) { /* not sent: this error is its result */
            if (done[g] != NULL)
                rados_aio_release(done[g]);
            done[g] = NULL;
            rcs[g] = e;
        }
    }
    ddb_rados_count(DDB_RADOS_OP_SEQUENTIAL); /* the lot: one round trip waited for */
    for (size_t g = 0; g < p->ngroups; g++) {
        if (!want[g])
            continue;
        if (done[g] != NULL) {
            rados_aio_wait_for_complete(done[g]);
            rcs[g] = rados_aio_get_return_value(done[g]);
            rados_aio_release(done[g]);
        }
        rados_release_write_op(ops[g]);
    }
    ddb_trace_child_close(span);
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
