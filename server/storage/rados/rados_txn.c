/*
 * server/storage/rados/rados_txn.c: writes over several RADOS objects, committed in two phases so that
 * they are atomic and serializable across gateways, and their recovery by any gateway that meets
 * them (docs/storage-format.md, "Write intents and markers"; guarantees: docs/scale-out.md).
 *
 *   intent   an object i.<gateway>.<n> holding every change (rados_plan.c's body), created
 *            with its state xattr "p" (pending) and its creation time (the lease)
 *   phase 1  each object gets one operation that checks that no intent holds the keys the write
 *            changes or read (their marker keys absent) and that the keys read are unchanged,
 *            and sets those markers to the intent's name; all objects at once (one round trip),
 *            or after a conflict one after another in name order (mark_all). Every other write
 *            of those keys (and every read of them) now fails its "not marked" compare or sees
 *            the marker, and resolves the intent first. Other keys of the object are not held
 *   commit   one atomic write of the intent: state "p" -> "c" (compare and set). From here the
 *            write happened, whoever finishes it
 *   phase 2  each object gets its changes and loses its markers in one operation guarded by
 *            "marked by this intent" (so it applies once, whoever runs it), all at once; once
 *            every one is done the intent is removed, without waiting for that
 * A gateway that meets a marker reads its intent: committed -> rolls it forward (phase 2);
 * abandoned ("a") or pending past its lease -> sets "p" -> "a" (compare and set, so an intent is
 * committed or abandoned, never both) and removes the markers; missing -> the marker is a leftover
 * of an abandoned intent and is removed; pending within its lease -> waits (RS_BUSY).
 * Resolving reads intents and markers itself, never through rados_read.c: reads resolve what
 * they meet here, so this file calls none above it, only rados_plan.c and the bottom.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/trace.h"
#include "server/base/clock.h"
#include "server/storage/rados/rados_txn.h"
#include "server/base/faults.h"

#define STATE_PENDING "p"
#define STATE_COMMITTED "c"
#define STATE_ABANDONED "a"
#define DEFAULT_LEASE_MS 5000

static long lease_ms = -1;

/* DDBD_RADOS_INTENT_LEASE_MS (tests shorten it); read once. */
long rs_lease_ms(void)
{
    long v = __atomic_load_n(&lease_ms, __ATOMIC_RELAXED);

    if (v < 0) {
        const char *e = getenv("DDBD_RADOS_INTENT_LEASE_MS");
        v = e != NULL && atol(e) > 0 ? atol(e) : DEFAULT_LEASE_MS;
        __atomic_store_n(&lease_ms, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* ---- the intent object ---- */

static int intent_create(ddb_store *s, rs_plan *p, char name[RS_OBJ_MAX])
{
    size_t len;
    char *body = rs_intent_encode(p, &len), t[24];
    rados_write_op_t op = rados_create_write_op();
    int rc;

    snprintf(name, RS_OBJ_MAX, "i.%s.%016llx", s->gateway,
             (unsigned long long)__atomic_add_fetch(&s->next_intent, 1, __ATOMIC_RELAXED));
    snprintf(t, sizeof(t), "%llu", (unsigned long long)ddb_clock_system_ms()); /* other gateways read it */
    rados_write_op_create(op, LIBRADOS_CREATE_EXCLUSIVE, NULL);
    rados_write_op_write_full(op, body, len);
    rados_write_op_setxattr(op, RS_STATE_ATTR, STATE_PENDING, 1);
    rados_write_op_setxattr(op, RS_TIME_ATTR, t, strlen(t));
    rc = rados_write_op_operate2(op, s->io, name, NULL, 0);
    rados_release_write_op(op);
    __atomic_add_fetch(&s->n_intents, 1, __ATOMIC_RELAXED);
    return rc < 0 ? rs_check(rc, "write intent", name) : DDB_STORE_OK;
}

/* The intent's state moved from `from` to `to` atomically; -ECANCELED if it was not `from`. */
static int intent_cas(ddb_store *s, const char *name, const char *from, const char *to)
{
    rados_write_op_t op = rados_create_write_op();
    int rc;

    rados_write_op_assert_exists(op);
    rados_write_op_cmpxattr(op, RS_STATE_ATTR, LIBRADOS_CMPXATTR_OP_EQ, from, strlen(from));
    rados_write_op_setxattr(op, RS_STATE_ATTR, to, strlen(to));
    rc = rados_write_op_operate2(op, s->io, name, NULL, 0);
    rados_release_write_op(op);
    return rc;
}

static void intent_remove(ddb_store *s, const char *name)
{
    int rc;

    /* retried: a committed intent left behind costs a useless roll forward, nothing else */
    for (int i = 0; i < 3 && (rc = rados_remove(s->io, name)) < 0 && rc != -ENOENT; i++)
        rs_check(rc, "remove intent", name);
}

static void removed(rados_completion_t c, void *arg)
{
    (void)arg;
    rados_aio_release(c);
}

/* The intent removed without waiting (its objects are applied or unmarked already: nothing
   depends on it any more, and an intent left behind costs a useless resolution, nothing else). */
static void intent_remove_async(ddb_store *s, const char *name)
{
    rados_completion_t c = NULL;

    if (rados_aio_create_completion(NULL, removed, NULL, &c) < 0) {
        intent_remove(s, name);
        return;
    }
    if (rados_aio_remove(s->io, name, c) < 0) {
        rados_aio_release(c);
        intent_remove(s, name);
    }
}

/* Every group of the plan, or those with which[g] set. */
static char *groups_of(rs_plan *p, const char *which)
{
    char *want = ddb_arena_alloc(p->a, p->ngroups + 1);

    for (size_t g = 0; g < p->ngroups; g++)
        want[g] = which == NULL || which[g];
    return want;
}

/* Phase 2 over the plan's objects (markers of this intent only: done once whoever runs it), all
   sent at once; then the intent removed, once every object is applied (a marker whose intent is
   gone is a leftover of an abandoned one: removed unapplied), without waiting for it. */
static int roll_forward(ddb_store *s, rs_plan *p, const char *name)
{
    int *rcs = ddb_arena_alloc(p->a, (p->ngroups + 1) * sizeof(*rcs));

    rs_apply_groups(s, p, groups_of(p, NULL), RS_APPLY, name, rcs);
    for (size_t g = 0; g < p->ngroups; g++)
        if (rcs[g] < 0 && rcs[g] != -ECANCELED && rcs[g] != -ENOENT)
            return rs_check(rcs[g], "apply intent", p->oids[g]);
    intent_remove_async(s, name);
    return DDB_STORE_OK;
}

/* The markers of an abandoned intent removed (of the groups with which[g] set: NULL, all), all at
   once, then the intent. */
static int roll_back(ddb_store *s, rs_plan *p, const char *which, const char *name)
{
    int *rcs = ddb_arena_alloc(p->a, (p->ngroups + 1) * sizeof(*rcs));

    rs_apply_groups(s, p, groups_of(p, which), RS_UNMARK, name, rcs);
    for (size_t g = 0; g < p->ngroups; g++)
        if ((which == NULL || which[g]) && rcs[g] < 0 && rcs[g] != -ECANCELED && rcs[g] != -ENOENT)
            return rs_check(rcs[g], "unmark", p->oids[g]);
    intent_remove_async(s, name);
    return DDB_STORE_OK;
}

/* ---- committing a plan ---- */

static int cmp_oid(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The plan's objects in name order (two writes mark shared objects in one order), ops re-pointed. */
static void sort_groups(rs_plan *p)
{
    char (*old)[RS_OBJ_MAX] = ddb_arena_alloc(p->a, p->ngroups * sizeof(*old));
    int *gd = ddb_arena_alloc(p->a, p->ngroups * sizeof(*gd)), *ch = ddb_arena_alloc(p->a, p->ngroups * sizeof(*ch));
    size_t *to = ddb_arena_alloc(p->a, p->ngroups * sizeof(*to));

    memcpy(old, p->oids, p->ngroups * sizeof(*old));
    memcpy(gd, p->guarded, p->ngroups * sizeof(*gd));
    memcpy(ch, p->changes, p->ngroups * sizeof(*ch));
    qsort(p->oids, p->ngroups, sizeof(*p->oids), cmp_oid);
    for (size_t g = 0; g < p->ngroups; g++) {
        size_t n = 0;
        while (strcmp(p->oids[n], old[g]) != 0)
            n++;
        to[g] = n;
        p->guarded[n] = gd[g];
        p->changes[n] = ch[g];
    }
    for (size_t i = 0; i < p->n; i++)
        p->ops[i].group = to[p->ops[i].group];
}

/* The groups g of [lo, hi). */
static char *groups_in(rs_plan *p, size_t lo, size_t hi)
{
    char *which = ddb_arena_alloc(p->a, p->ngroups + 1);

    for (size_t g = 0; g < p->ngroups; g++)
        which[g] = g >= lo && g < hi;
    return which;
}

/* Why marking failed, once this intent is abandoned and the markers it placed are rolled back: the
   groups whose compare failed (failed[g]) looked at. DDB_STORE_ECONFLICT if a guard failed in
   each (decide again), else RS_BUSY (another intent held one: resolved, or pending within its
   lease) or an error. */
static int mark_failed(ddb_store *s, rs_plan *p, const char *failed)
{
    int out = 1;

    for (size_t g = 0; g < p->ngroups; g++) {
        int why;
        if (!failed[g])
            continue;
        why = rs_group_resolve(s, p, g);
        if (why != 1 && (out == 1 || (why < 0 && why != RS_BUSY)))
            out = why;
    }
    return out == 1 ? DDB_STORE_ECONFLICT : out < 0 && out != RS_BUSY ? out : RS_BUSY;
}

/* Phase 1 one object after another in name order (a retry after a conflict). */
static int mark_ordered(ddb_store *s, rs_plan *p, const char *name)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        int rc = rs_apply_group(s, p, g, RS_MARK, name);
        if (rc >= 0)
            continue;
        if (rc != -ECANCELED) {
            roll_back(s, p, groups_in(p, 0, g), name);
            return rs_check(rc, "mark", p->oids[g]);
        }
        /* mine abandoned first: an intent resolving this one's marker must not wait on it */
        intent_cas(s, name, STATE_PENDING, STATE_ABANDONED);
        roll_back(s, p, groups_in(p, 0, g), name);
        return mark_failed(s, p, groups_in(p, g, g + 1));
    }
    return DDB_STORE_OK;
}

/*
 * Phase 1: every object marked, or (a guard failed, or another intent holds one) none. All the
 * objects at once (one round trip), unless p->ordered. No cycle of waits either way: a write
 * that finds one of its objects held never waits holding the others; it rolls back every marker
 * it placed (its intent abandoned first) and its caller retries after a jittered backoff, in
 * name order (two writes that took each other's objects then meet at the first they share).
 */
static int mark_all(ddb_store *s, rs_plan *p, const char *name)
{
    int *rcs, err = 0, cancelled = 0;
    char *placed, *failed;

    if (p->ordered || p->ngroups == 1)
        return mark_ordered(s, p, name);
    rcs = ddb_arena_alloc(p->a, p->ngroups * sizeof(*rcs));
    placed = groups_in(p, 0, 0);
    failed = groups_in(p, 0, 0);
    rs_apply_groups(s, p, groups_of(p, NULL), RS_MARK, name, rcs);
    for (size_t g = 0; g < p->ngroups; g++) {
        placed[g] = rcs[g] >= 0;
        failed[g] = rcs[g] == -ECANCELED;
        cancelled |= failed[g];
        if (rcs[g] < 0 && rcs[g] != -ECANCELED && err == 0)
            err = rs_check(rcs[g], "mark", p->oids[g]);
    }
    if (err == 0 && !cancelled)
        return DDB_STORE_OK;
    if (err != 0) { /* a mark's outcome unknown: every object unmarked (only this intent's markers) */
        roll_back(s, p, NULL, name);
        return err;
    }
    intent_cas(s, name, STATE_PENDING, STATE_ABANDONED);
    roll_back(s, p, placed, name);
    return mark_failed(s, p, failed);
}

int rs_txn_commit(ddb_store *s, rs_plan *p)
{
    char name[RS_OBJ_MAX];
    int rc;

    sort_groups(p);
    if ((rc = intent_create(s, p, name)) != DDB_STORE_OK)
        return rc;
    rc = mark_all(s, p, name);
    if (p->marked != NULL)
        p->marked(p->marked_ctx, rc == DDB_STORE_OK);
    if (rc != DDB_STORE_OK)
        return rc;
    ddb_crash_point("rados-txn-before-commit");
    if ((rc = intent_cas(s, name, STATE_PENDING, STATE_COMMITTED)) == -ECANCELED || rc == -ENOENT) {
        /* another gateway found it past its lease and abandoned it: nothing was written */
        roll_back(s, p, NULL, name);
        return RS_BUSY;
    }
    if (rc < 0) /* committed or not, unknown: left to whoever meets its markers (forward or back) */
        return rs_check(rc, "commit intent", name);
    ddb_crash_point("rados-txn-after-commit");
    /* committed: a failure from here leaves the rest to whoever meets a marker, and the write stands */
    pthread_rwlock_rdlock(&s->apply_lock);
    if (roll_forward(s, p, name) != DDB_STORE_OK)
        ddb_log(DDB_LOG_WARN, "rados: intent %s committed, not yet applied everywhere: rolled forward on contact", name);
    pthread_rwlock_unlock(&s->apply_lock);
    return DDB_STORE_OK;
}

/* ---- resolving an intent met on contact ---- */

/* An xattr as a string; -errno (-ENODATA: absent, -ENOENT: no object). */
static int get_attr(ddb_store *s, const char *oid, const char *attr, char *buf, size_t size)
{
    int rc = rados_getxattr(s->io, oid, attr, buf, size - 1);

    if (rc >= 0)
        buf[rc] = '\0';
    return rc;
}

/* The intent's body read into a plan (p->a set); -errno. */
static int intent_load(ddb_store *s, const char *name, rs_plan *p)
{
    uint64_t size;
    time_t mtime;
    char *buf;
    int rc;

    if ((rc = rados_stat(s->io, name, &size, &mtime)) < 0)
        return rc;
    buf = ddb_arena_alloc(p->a, size + 1);
    if ((rc = rados_read(s->io, name, buf, size, 0)) < 0)
        return rc;
    if (rs_intent_parse(buf, (size_t)rc, p) != 0) {
        ddb_log(DDB_LOG_ERROR, "rados: write intent %s is unreadable; left in place", name);
        return -EINVAL;
    }
    return 0;
}

/* An intent of the first stage (no state: written once complete, no markers): replayed whole. */
static int replay_legacy(ddb_store *s, rs_plan *p, const char *name)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        int rc = rs_apply_group(s, p, g, RS_PLAIN, NULL);
        if (rc < 0)
            return rs_check(rc, "replay intent", p->oids[g]);
    }
    intent_remove(s, name);
    return DDB_STORE_OK;
}

/* Resolves intent `name` (0 done or gone, RS_BUSY pending within its lease, <0 error); `force`:
   a pending one is rolled back whatever its lease. */
static int intent_resolve(ddb_store *s, const char *name, int force)
{
    char state[8], t[24];
    ddb_arena a;
    rs_plan p;
    int rc;

    ddb_arena_init(&a);
    memset(&p, 0, sizeof(p));
    p.a = &a;
    rc = get_attr(s, name, RS_STATE_ATTR, state, sizeof(state));
    if (rc == -ENOENT) {
        rc = 0;
    } else if ((rc = rc == -ENODATA ? 0 : rc) < 0 || (rc = intent_load(s, name, &p)) < 0) {
        rc = rc == -ENOENT ? 0 : rs_check(rc, "read intent", name);
    } else if (get_attr(s, name, RS_STATE_ATTR, state, sizeof(state)) == -ENODATA) {
        ddb_log(DDB_LOG_INFO, "rados: completing write intent %s (%zu changes)", name, p.n);
        rc = replay_legacy(s, &p, name);
    } else if (strcmp(state, STATE_COMMITTED) == 0) {
        ddb_log(DDB_LOG_INFO, "rados: rolling forward committed write intent %s", name);
        rc = roll_forward(s, &p, name);
    } else if (strcmp(state, STATE_PENDING) == 0 && !force &&
               (get_attr(s, name, RS_TIME_ATTR, t, sizeof(t)) < 0 || (long long)ddb_clock_system_ms() - atoll(t) < rs_lease_ms())) {
        rc = RS_BUSY;
    } else if (strcmp(state, STATE_PENDING) == 0 && intent_cas(s, name, STATE_PENDING, STATE_ABANDONED) == -ECANCELED) {
        rc = RS_BUSY; /* it moved meanwhile (committed, most likely): looked at again by the retry */
    } else {
        ddb_log(DDB_LOG_INFO, "rados: rolling back abandoned write intent %s", name);
        rc = roll_back(s, &p, NULL, name);
    }
    ddb_arena_free(&a);
    return rc;
}

/* The marker `mk` of `oid` removed if it still names `name` (an intent that is gone). */
static void unmark_key(ddb_store *s, const char *oid, const char *mk, size_t ml, const char *name)
{
    rados_write_op_t op = rados_create_write_op();
    int prval = 0;

    rados_write_op_omap_cmp2(op, mk, LIBRADOS_CMPXATTR_OP_EQ, name, ml, strlen(name), &prval);
    rados_write_op_omap_rm_keys2(op, &mk, &ml, 1);
    rados_write_op_operate2(op, s->io, oid, NULL, 0);
    rados_release_write_op(op);
}

int rs_mark_resolve(ddb_store *s, const char *oid, const char *mk, size_t ml, const char *name)
{
    int rc = intent_resolve(s, name, 0);

    /* resolved: its markers are gone, unless it was abandoned by others while its gateway, not
       knowing, still marked keys (then that gateway removes them, or it stopped: removed here) */
    if (rc == 0)
        unmark_key(s, oid, mk, ml, name);
    return rc;
}

/* What a group's resolution answers: an error over RS_BUSY over 0 (resolved) over 1 (no marker). */
static int severity(int rc)
{
    return rc == 1 ? 0 : rc == 0 ? 1 : rc == RS_BUSY ? 2 : 3;
}

int rs_group_resolve(ddb_store *s, rs_plan *p, size_t g)
{
    const char **mk;
    size_t *ml, nm = rs_group_marks(p, g, &mk, &ml);
    rados_read_op_t op = rados_create_read_op();
    rados_omap_iter_t it = NULL;
    int prval = 0, rc, out = 1, span;

    rados_read_op_omap_get_vals_by_keys2(op, mk, nm, ml, &it, &prval);
    span = ddb_trace_child_open("rados.read");
    rc = rados_read_op_operate(op, s->io, p->oids[g], 0);
    ddb_trace_child_close(span);
    if (rc == -ENOENT) {
        rados_release_read_op(op);
        return 1;
    }
    if (rc < 0 || prval < 0) {
        rados_release_read_op(op);
        return rs_check(rc < 0 ? rc : prval, "read markers", p->oids[g]);
    }
    for (;;) {
        char *k = NULL, *v = NULL, name[RS_OBJ_MAX + 1];
        size_t kl = 0, vl = 0;
        if (rados_omap_get_next2(it, &k, &v, &kl, &vl) < 0 || k == NULL)
            break;
        if (vl == 0 || vl > RS_OBJ_MAX)
            continue;
        memcpy(name, v, vl);
        name[vl] = '\0';
        rc = rs_mark_resolve(s, p->oids[g], ddb_arena_memdup(p->a, k, kl), kl, name);
        if (severity(rc) > severity(out))
            out = rc;
    }
    rados_omap_get_end(it);
    rados_release_read_op(op);
    return out;
}

/* ---- at open ---- */

int rs_recover_intents(ddb_store *s, int force)
{
    rados_list_ctx_t ls;
    const char *entry, *key, *nspace;
    char *names[1024];
    size_t n = 0;
    int rc = 0;

    if ((rc = rados_nobjects_list_open(s->io, &ls)) < 0)
        return rs_check(rc, "list", "intents");
    while (n < 1024 && rados_nobjects_list_next(ls, &entry, &key, &nspace) == 0) {
        if (strncmp(entry, "i.", 2) == 0)
            names[n++] = strdup(entry);
    }
    rados_nobjects_list_close(ls);
    /* pending intents within their lease may be another running gateway's: left to it */
    for (size_t i = 0; i < n; i++) {
        if (rc >= 0 || rc == RS_BUSY)
            rc = intent_resolve(s, names[i], force);
        free(names[i]);
    }
    return rc < 0 && rc != RS_BUSY ? rc : DDB_STORE_OK;
}
