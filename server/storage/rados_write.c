/*
 * server/storage/rados_write.c: the RADOS backend's writes. A compound write becomes a plan of
 * omap changes per object: one object is one atomic RADOS operation (with the compares of the keys
 * a commit read, when it is a commit's); several objects go behind a write intent, which any
 * gateway opening the pool completes. What this guarantees across gateways: docs/scale-out.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "keycodec.h"
#include "rados_internal.h"

/* ---- writes: a plan of omap changes per object ---- */

enum { OP_SET, OP_RM, OP_CMP };

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
static void plan_add(rs_plan *p, const char *oid, int kind, const char *key, size_t klen, const char *val,
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
    if (kind == OP_CMP)
        p->guarded[op->group] = 1;
    else
        p->changes[op->group]++;
    if (kind == OP_RM || (kind == OP_CMP && val == NULL))
        return;
    op->v = ddb_arena_alloc(p->a, vlen + 1);
    op->v[0] = 'v';
    if (vlen > 0)
        memcpy(op->v + 1, val, vlen);
    op->vl = vlen + 1;
}

/* One object's changes as one RADOS operation (atomic on the object); with `guards`, its
   compares too. -ECANCELED: a compare failed and nothing was written. */
static int apply_group(ddb_store *s, rs_plan *p, size_t g, int guards)
{
    size_t n = 0, ns = 0, nr = 0;
    int rc, *prvals;
    const char **sk, **sv, **rk;
    size_t *skl, *svl, *rkl;
    rados_write_op_t op = rados_create_write_op();

    for (size_t i = 0; i < p->n; i++)
        n += p->ops[i].group == g;
    sk = ddb_arena_alloc(p->a, n * sizeof(*sk));
    sv = ddb_arena_alloc(p->a, n * sizeof(*sv));
    rk = ddb_arena_alloc(p->a, n * sizeof(*rk));
    skl = ddb_arena_alloc(p->a, n * sizeof(*skl));
    svl = ddb_arena_alloc(p->a, n * sizeof(*svl));
    rkl = ddb_arena_alloc(p->a, n * sizeof(*rkl));
    prvals = ddb_arena_alloc(p->a, n * sizeof(*prvals));
    /* removing keys and comparing need the object (else -ENOENT): it is created if missing (a
       failed compare undoes that too) */
    rados_write_op_create(op, LIBRADOS_CREATE_IDEMPOTENT, NULL);
    for (size_t i = 0, c = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        if (o->group != g)
            continue;
        if (o->kind == OP_CMP) {
            if (guards)
                rados_write_op_omap_cmp2(op, o->k, LIBRADOS_CMPXATTR_OP_EQ, o->v ? o->v : "", o->kl, o->vl,
                                         &prvals[c++]);
            continue;
        }
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
    rc = rados_write_op_operate2(op, s->io, p->oids[g], NULL, 0);
    rados_release_write_op(op);
    __atomic_add_fetch(&s->n_writes, 1, __ATOMIC_RELAXED);
    return rc;
}

/* ---- write intents: a compound write over several objects ---- */

/*
 * The intent holds every change of the write (object, escaped key, stored value; compares are
 * not kept): [u32 count] then per change [u8 kind][u8 oid length][oid][u32 key length][key]
 * [u32 value length][value], integers big-endian. It is written before any object is changed
 * and removed once all are; a gateway that opens the store replays (rolls forward) every intent
 * it finds, so a write cut short by a crash is completed, never half applied.
 */
static int intent_write(ddb_store *s, rs_plan *p, char name[RS_OBJ_MAX])
{
    size_t len = 4, off = 0;
    char *buf;
    uint32_t count = 0;
    int rc;

    for (size_t i = 0; i < p->n; i++) {
        if (p->ops[i].kind != OP_CMP) {
            len += 1 + 1 + strlen(p->oids[p->ops[i].group]) + 4 + p->ops[i].kl + 4 + p->ops[i].vl;
            count++;
        }
    }
    buf = ddb_arena_alloc(p->a, len);
    ddb_put_be(buf, count, 4);
    off = 4;
    for (size_t i = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        const char *oid = p->oids[o->group];
        size_t ol = strlen(oid);
        if (o->kind == OP_CMP)
            continue;
        buf[off++] = (char)o->kind;
        buf[off++] = (char)ol;
        memcpy(buf + off, oid, ol), off += ol;
        ddb_put_be(buf + off, o->kl, 4), off += 4;
        memcpy(buf + off, o->k, o->kl), off += o->kl;
        ddb_put_be(buf + off, o->vl, 4), off += 4;
        if (o->vl)
            memcpy(buf + off, o->v, o->vl), off += o->vl;
    }
    snprintf(name, RS_OBJ_MAX, "i.%s.%016llx", s->gateway,
             (unsigned long long)__atomic_add_fetch(&s->next_intent, 1, __ATOMIC_RELAXED));
    rc = rados_write_full(s->io, name, buf, len);
    __atomic_add_fetch(&s->n_intents, 1, __ATOMIC_RELAXED);
    return rc < 0 ? rs_check(rc, "write intent", name) : DDB_STORE_OK;
}

/* Parses an intent into a plan (recovery). */
static int intent_parse(const char *buf, size_t len, rs_plan *p)
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
        off += 2 + ol;
        kl = ddb_get_be(buf + off, 4), off += 4;
        if (off + kl + 4 > len)
            return -1;
        const char *k = buf + off;
        off += kl;
        vl = ddb_get_be(buf + off, 4), off += 4;
        if (off + vl > len)
            return -1;
        plan_add(p, oid, kind, "", 0, NULL, 0); /* then the escaped key and stored value as they are */
        o = &p->ops[p->n - 1];
        o->k = (char *)k;
        o->kl = kl;
        o->v = (char *)buf + off;
        o->vl = vl;
        off += vl;
    }
    return 0;
}

int rs_recover_intents(ddb_store *s)
{
    rados_list_ctx_t ls;
    const char *entry, *key, *nspace;
    char *names[1024];
    size_t n = 0;
    int rc;

    if ((rc = rados_nobjects_list_open(s->io, &ls)) < 0)
        return rs_check(rc, "list", "intents");
    while (n < 1024 && rados_nobjects_list_next(ls, &entry, &key, &nspace) == 0) {
        if (strncmp(entry, "i.", 2) == 0)
            names[n++] = strdup(entry);
    }
    rados_nobjects_list_close(ls);
    for (size_t i = 0; i < n; i++) {
        ddb_arena a;
        rs_plan p;
        char *buf = malloc(64 << 20);
        rc = buf ? rados_read(s->io, names[i], buf, 64 << 20, 0) : -ENOMEM;
        ddb_arena_init(&a);
        memset(&p, 0, sizeof(p));
        p.a = &a;
        if (rc >= 0 && intent_parse(buf, (size_t)rc, &p) == 0) {
            ddb_log(DDB_LOG_INFO, "rados: completing write intent %s (%zu changes)", names[i], p.n);
            for (size_t g = 0; g < p.ngroups && rc >= 0; g++)
                rc = apply_group(s, &p, g, 0);
            if (rc >= 0)
                rc = rados_remove(s->io, names[i]);
        } else if (rc >= 0) {
            ddb_log(DDB_LOG_ERROR, "rados: write intent %s is unreadable; left in place", names[i]);
        }
        free(buf);
        ddb_arena_free(&a);
        free(names[i]);
        if (rc < 0 && rc != -ENOENT) { /* ENOENT: its gateway finished it meanwhile */
            for (size_t j = i + 1; j < n; j++)
                free(names[j]);
            return rs_check(rc, "recover intent", NULL);
        }
    }
    return DDB_STORE_OK;
}

/*
 * The compares of an object the commit read but does not change (a condition on another item,
 * the item a backfill indexes), checked with a read: -ECANCELED when one fails. Nothing is
 * written there, so this is a check just before the write, not atomic with it (a gap only
 * between gateways; docs/scale-out.md).
 */
static int check_guards(ddb_store *s, rs_plan *p, size_t g)
{
    rados_read_op_t op = rados_create_read_op();
    int *prvals = ddb_arena_alloc(p->a, p->n * sizeof(*prvals)), rc, want_present = 0;

    for (size_t i = 0, c = 0; i < p->n; i++) {
        rs_op *o = &p->ops[i];
        if (o->group != g || o->kind != OP_CMP)
            continue;
        want_present |= o->v != NULL;
        rados_read_op_omap_cmp2(op, o->k, LIBRADOS_CMPXATTR_OP_EQ, o->v ? o->v : "", o->kl, o->vl, &prvals[c++]);
    }
    rc = rados_read_op_operate(op, s->io, p->oids[g], 0);
    rados_release_read_op(op);
    __atomic_add_fetch(&s->n_reads, 1, __ATOMIC_RELAXED);
    if (rc == -ENOENT) /* no object: every key absent */
        return want_present ? -ECANCELED : 0;
    return rc;
}

/*
 * Applies a plan. Objects only read are checked first (check_guards). Then one changed object is
 * one guarded operation; several go behind a write intent, the guarded objects first. A failed
 * compare on the first object applied means nothing was written (DDB_STORE_ECONFLICT: decide
 * again); on a later one (another gateway changed a read key in the window between the two
 * objects' operations, which this stage does not lock) the write is completed without its
 * guards, as recovery would, and logged.
 */
static int apply_plan(ddb_store *s, rs_plan *p)
{
    char intent[RS_OBJ_MAX];
    const char **oids = ddb_arena_alloc(p->a, (p->ngroups + 1) * sizeof(*oids));
    size_t *order = ddb_arena_alloc(p->a, (p->ngroups + 1) * sizeof(*order)), no = 0, nch = 0;
    int rc;

    for (size_t g = 0; g < p->ngroups; g++) {
        if (p->changes[g] == 0) {
            if ((rc = check_guards(s, p, g)) == -ECANCELED)
                return DDB_STORE_ECONFLICT;
            if (rc < 0)
                return rs_check(rc, "check", p->oids[g]);
            continue;
        }
        oids[nch++] = p->oids[g];
    }
    if (nch == 0)
        return DDB_STORE_OK;
    if ((rc = rs_dir_add(s, oids, nch)) != DDB_STORE_OK)
        return rc;
    for (size_t g = 0; g < p->ngroups; g++)
        if (p->changes[g] && p->guarded[g])
            order[no++] = g;
    for (size_t g = 0; g < p->ngroups; g++)
        if (p->changes[g] && !p->guarded[g])
            order[no++] = g;
    if (nch == 1) {
        rc = apply_group(s, p, order[0], 1);
        return rc == -ECANCELED ? DDB_STORE_ECONFLICT : rc < 0 ? rs_check(rc, "write", p->oids[order[0]]) : DDB_STORE_OK;
    }
    if ((rc = intent_write(s, p, intent)) != DDB_STORE_OK)
        return rc;
    pthread_rwlock_rdlock(&s->apply_lock);
    for (size_t i = 0; i < no; i++) {
        rc = apply_group(s, p, order[i], 1);
        if (rc == -ECANCELED && i == 0) {
            pthread_rwlock_unlock(&s->apply_lock);
            rados_remove(s->io, intent);
            return DDB_STORE_ECONFLICT;
        }
        if (rc == -ECANCELED) {
            ddb_log(DDB_LOG_WARN, "rados: a key of %s changed under a multi-object commit (another gateway?): "
                                  "completed without its guard", p->oids[order[i]]);
            __atomic_add_fetch(&s->n_conflicts, 1, __ATOMIC_RELAXED);
            rc = apply_group(s, p, order[i], 0);
        }
        if (rc < 0) { /* the intent stays: the next open completes the write */
            pthread_rwlock_unlock(&s->apply_lock);
            return rs_check(rc, "write", p->oids[order[i]]);
        }
    }
    pthread_rwlock_unlock(&s->apply_lock);
    /* The write is applied: it succeeded whatever happens to the intent. One left behind would
       be replayed at the next open, over later writes of its keys, so removing it is retried. */
    for (int i = 0; i < 3 && (rc = rados_remove(s->io, intent)) < 0 && rc != -ENOENT; i++)
        rs_check(rc, "remove intent", intent);
    return DDB_STORE_OK;
}

int rs_remove_keys(ddb_store *s, const char *oid, const ddb_batch *b)
{
    rs_plan p;
    int rc;

    memset(&p, 0, sizeof(p));
    p.a = b->arena;
    for (size_t i = 0; i < b->n; i++)
        plan_add(&p, oid, OP_RM, b->ops[i].key, b->ops[i].klen, NULL, 0);
    rc = p.n > 0 ? apply_group(s, &p, 0, 0) : 0;
    return rc < 0 ? rs_check(rc, "write", oid) : DDB_STORE_OK;
}

/* The batch (with its sequenced puts numbered) and the guards of read keys, as one plan, applied. */
int rs_write_guarded(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, ddb_arena *a)
{
    uint64_t *nums = NULL;
    ddb_seq_hold hold;
    rs_plan p;
    char oid[RS_OBJ_MAX], *kbuf;
    int rc;

    if (ddb_fault_write_errors())
        return DDB_STORE_EIO;
    memset(&p, 0, sizeof(p));
    p.a = a;
    for (size_t i = 0; i < b->n && nums == NULL; i++)
        if (b->ops[i].sequenced)
            nums = ddb_arena_alloc(a, sizeof(*nums) * b->n);
    if (nums != NULL)
        ddb_sequencer_begin(s->seq, b, nums, &hold);
    for (size_t i = 0; i < ng; i++) {
        rs_data_obj(s, guards[i].key, guards[i].klen, oid);
        plan_add(&p, oid, OP_CMP, guards[i].key, guards[i].klen, guards[i].val, guards[i].vlen);
    }
    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        if (op->sequenced) {
            kbuf = ddb_arena_alloc(a, op->klen + 8);
            memcpy(kbuf, op->key, op->klen);
            ddb_put_be(kbuf + op->klen, nums[i], 8);
            rs_seq_obj(op->key, op->klen, oid);
            plan_add(&p, oid, OP_SET, kbuf, op->klen + 8, op->val, op->vlen);
            continue;
        }
        if (op->meta)
            strcpy(oid, RS_META_OBJ);
        else
            rs_data_obj(s, op->key, op->klen, oid);
        plan_add(&p, oid, op->is_delete ? OP_RM : OP_SET, op->key, op->klen, op->val, op->vlen);
    }
    rc = apply_plan(s, &p);
    if (nums != NULL)
        ddb_sequencer_end(&hold);
    return rc;
}

int rs_write(ddb_store *s, const ddb_batch *b)
{
    if (b->n == 0)
        return DDB_STORE_OK;
    return rs_write_guarded(s, b, NULL, 0, b->arena);
}
