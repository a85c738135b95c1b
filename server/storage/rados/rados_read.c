/*
 * server/storage/rados/rados_read.c: the RADOS backend's point reads: keys grouped by object, one
 * read operation per object, all in flight at once; a key a write intent holds is resolved
 * (rados_txn.c) and read again. And TransactGetItems' reads as of one moment. Calls rados_txn.c
 * and the bottom (rados_key.c, rados_result.c).
 */
#include <errno.h>
#include <string.h>

#include "server/base/faults.h"
#include "server/base/trace.h"
#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_txn.h"

/* ---- point reads ---- */

/* One object's part of a batched read: its keys (escaped), the read operation and its answer. */
typedef struct rs_read {
    const char *oid;
    size_t *idx, m; /* the keys[] it reads */
    const char **ek;
    size_t *el;
    rados_read_op_t op;
    rados_omap_iter_t iter;
    rados_completion_t done;
    int prval;
    int unchecked;  /* markers met are ignored (read_marked's second read) */
    uint64_t *ver;  /* NULL, or where the object's version goes (0: no object) */
    char **marks;   /* the markers met: key, then the intent's name */
    size_t *markl, nmarks;
} rs_read;

static void read_prepare(ddb_arena *a, rs_read *r, ddb_store_key *keys)
{
    r->ek = ddb_arena_alloc(a, 2 * r->m * sizeof(*r->ek));
    r->el = ddb_arena_alloc(a, 2 * r->m * sizeof(*r->el));
    for (size_t i = 0; i < r->m; i++) {
        char *e = ddb_arena_alloc(a, 2 * keys[r->idx[i]].klen + 1);
        r->el[i] = rs_escape(keys[r->idx[i]].key, keys[r->idx[i]].klen, e);
        r->ek[i] = e;
        keys[r->idx[i]].val = NULL;
        keys[r->idx[i]].vlen = 0;
    }
    r->op = rados_create_read_op();
    r->iter = NULL;
    r->prval = 0;
    /* and each key's marker (rados_plan.h), read in the same operation: a key held by another
       write's intent is resolved, then read again (read_marked), so a read never returns a
       committed write's state half applied */
    for (size_t i = 0; i < r->m; i++) {
        char *mk = ddb_arena_alloc(a, r->el[i] + RS_MARK_PREFIX_LEN);
        memcpy(mk, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
        memcpy(mk + RS_MARK_PREFIX_LEN, r->ek[i], r->el[i]);
        r->ek[r->m + i] = mk;
        r->el[r->m + i] = r->el[i] + RS_MARK_PREFIX_LEN;
    }
    r->nmarks = 0;
    rados_read_op_omap_get_vals_by_keys2(r->op, r->ek, 2 * r->m, r->el, &r->iter, &r->prval);
}

/* A marker met by a read, kept for read_marked. */
static void read_mark(ddb_arena *a, rs_read *r, const char *k, size_t kl, const char *v, size_t vl)
{
    if (r->nmarks == 0) {
        r->marks = ddb_arena_alloc(a, 2 * r->m * sizeof(*r->marks));
        r->markl = ddb_arena_alloc(a, 2 * r->m * sizeof(*r->markl));
    }
    if (r->nmarks >= r->m)
        return;
    r->marks[2 * r->nmarks] = ddb_arena_memdup(a, k, kl);
    r->markl[2 * r->nmarks] = kl;
    r->marks[2 * r->nmarks + 1] = ddb_arena_strndup(a, v, vl); /* the intent name, a C string */
    r->markl[2 * r->nmarks + 1] = vl;
    r->nmarks++;
}

/* The values of a finished read (rc: the operation's result); absent keys stay NULL. */
static int read_finish(ddb_arena *a, rs_read *r, ddb_store_key *keys, int rc)
{
    int out = DDB_STORE_OK;

    if (rc == -ENOENT) { /* no such object: every key absent */
        rados_release_read_op(r->op);
        if (r->ver != NULL)
            *r->ver = 0;
        return DDB_STORE_OK;
    }

    if (rc < 0 || r->prval < 0) {
        rados_release_read_op(r->op);
        return rs_check(rc < 0 ? rc : r->prval, "read", r->oid);
    }
    for (;;) {
        char *k = NULL, *v = NULL;
        size_t kl = 0, vl = 0;
        if (rados_omap_get_next2(r->iter, &k, &v, &kl, &vl) < 0 || k == NULL)
            break;
        if (kl > RS_MARK_PREFIX_LEN && memcmp(k, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN) == 0) {
            if (!r->unchecked && vl > 0 && vl <= RS_OBJ_MAX)
                read_mark(a, r, k, kl, v, vl);
            continue;
        }
        for (size_t i = 0; i < r->m; i++) {
            if (r->el[i] != kl || memcmp(r->ek[i], k, kl) != 0)
                continue;
            if (vl < 1 || v[0] != 'v') {
                out = DDB_STORE_ECORRUPT;
                continue;
            }
            keys[r->idx[i]].val = ddb_arena_memdup(a, v + 1, vl - 1);
            keys[r->idx[i]].vlen = vl - 1;
        }
    }
    rados_omap_get_end(r->iter);
    rados_release_read_op(r->op);
    return out == DDB_STORE_OK && r->nmarks > 0 ? RS_BUSY : out;
}

/* Sends r's operation and waits for it (one round trip); with r->ver, asynchronously, for the
   version of the object it read (which moves on every write of the object: rs_multi_get_at). */
static int read_operate(rados_ioctx_t io, rs_read *r)
{
    rados_completion_t c = NULL;
    int rc;

    if (r->ver == NULL)
        return rados_read_op_operate(r->op, io, r->oid, 0);
    if ((rc = rados_aio_create_completion(NULL, NULL, NULL, &c)) < 0)
        return rc;
    if ((rc = rados_aio_read_op_operate(r->op, io, c, r->oid, 0)) == 0) {
        ddb_rados_count(DDB_RADOS_OP_SEQUENTIAL);
        rados_aio_wait_for_complete(c);
        rc = rados_aio_get_return_value(c);
        *r->ver = rados_aio_get_version(c);
    }
    rados_aio_release(c);
    return rc;
}

/*
 * Keys found marked by a write intent: the intent is resolved (a committed one rolled
 * forward, an abandoned one rolled back), then the object read again without the check: what it
 * holds then is either the resolved state or, under an intent not yet committed, the state before
 * that write, which is still the latest committed one.
 */
static int read_marked(ddb_store *s, ddb_arena *a, rs_read *r, ddb_store_key *keys)
{
    int span, rc;

    rs_write_begin(s); /* resolving writes */
    for (size_t i = 0; i < r->nmarks; i++) {
        rc = rs_mark_resolve(s, r->oid, r->marks[2 * i], r->markl[2 * i], r->marks[2 * i + 1]);
        if (rc < 0 && rc != RS_BUSY) {
            rs_write_end(s);
            return rc;
        }
    }
    rs_write_end(s);
    r->unchecked = 1;
    read_prepare(a, r, keys);
    span = ddb_trace_child_open("rados.read");
    rc = read_operate(s->io, r);
    ddb_trace_child_close(span);
    return read_finish(a, r, keys, rc);
}

/*
 * Reads keys grouped by object (data space, or the metadata object when `meta`): one read
 * operation per object, all in flight at once (BatchGetItem, a transaction's reads), so a batch
 * costs about one round trip, not one per object. Through `io`: s->io, or a snapshot's (whose
 * keys are never marked: rados_snap.c). With `vers` (room for n), each object's version, in the
 * order of the objects (the same for the same keys), their count in *nobjects.
 */
static int read_keys_io(ddb_store *s, rados_ioctx_t io, ddb_arena *a, ddb_store_key *keys, size_t n, int meta,
                        size_t *nobjects, uint64_t *vers)
{
    char (*oids)[RS_OBJ_MAX] = ddb_arena_alloc(a, n * sizeof(*oids));
    rs_read *r = ddb_arena_alloc(a, n * sizeof(*r));
    char *done = ddb_arena_alloc(a, n);
    size_t nr = 0;
    int rc = DDB_STORE_OK, span;

    memset(done, 0, n);
    for (size_t i = 0; i < n; i++) {
        if (meta || keys[i].meta) /* (a commit's metadata key: storage.h) */
            strcpy(oids[i], RS_META_OBJ);
        else
            rs_data_obj(s, keys[i].key, keys[i].klen, oids[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        r[nr].oid = oids[i];
        r[nr].unchecked = io != s->io;
        r[nr].ver = vers != NULL ? &vers[nr] : NULL;
        r[nr].idx = ddb_arena_alloc(a, (n - i) * sizeof(size_t));
        r[nr].m = 0;
        for (size_t j = i; j < n; j++) {
            if (!done[j] && strcmp(oids[j], oids[i]) == 0) {
                r[nr].idx[r[nr].m++] = j;
                done[j] = 1;
            }
        }
        read_prepare(a, &r[nr++], keys);
    }
    if (nobjects != NULL)
        *nobjects = nr;
    span = ddb_trace_child_open("rados.read"); /* the objects' reads overlap: one span for all */
    if (nr == 1) {
        rc = read_operate(io, &r[0]);
        ddb_trace_child_close(span);
        rc = read_finish(a, &r[0], keys, rc);
        return rc == RS_BUSY ? read_marked(s, a, &r[0], keys) : rc;
    }
    for (size_t i = 0; i < nr; i++) {
        int e;
        if (i > 0 && vers != NULL) /* (a test spreads TransactGetItems' reads over time: faults.h) */
            ddb_crash_point("rados-read-spread");
        e = rados_aio_create_completion(NULL, NULL, NULL, &r[i].done);
        if (e == 0)
            e = rados_aio_read_op_operate(r[i].op, io, r[i].done, r[i].oid, 0);
        if (e < 0) { /* not sent: finished below with this error */
            if (r[i].done != NULL)
                rados_aio_release(r[i].done);
            r[i].done = NULL;
            r[i].prval = e;
        }
    }
    ddb_rados_count(DDB_RADOS_OP_SEQUENTIAL); /* the reads sent together: one round trip waited for */
    for (size_t i = 0; i < nr; i++) {
        int e = r[i].prval;
        if (r[i].done != NULL) {
            rados_aio_wait_for_complete(r[i].done);
            e = rados_aio_get_return_value(r[i].done);
            if (r[i].ver != NULL)
                *r[i].ver = rados_aio_get_version(r[i].done);
            rados_aio_release(r[i].done);
        }
        e = read_finish(a, &r[i], keys, e);
        if (e == RS_BUSY)
            e = read_marked(s, a, &r[i], keys);
        if (rc == DDB_STORE_OK)
            rc = e;
    }
    ddb_trace_child_close(span);
    return rc;
}

int rs_read_keys(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, int meta, size_t *nobjects)
{
    return read_keys_io(s, s->io, a, keys, n, meta, nobjects, NULL);
}

int rs_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    ddb_store_key k = {.key = key, .klen = klen};
    int rc = rs_read_keys(s, a, &k, 1, 0, NULL);

    *val = k.val;
    *vlen = k.vlen;
    return rc;
}

int rs_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    ddb_store_key k = {.key = key, .klen = klen};
    int rc = rs_read_keys(s, a, &k, 1, 1, NULL);

    *val = k.val;
    *vlen = k.vlen;
    return rc;
}

int rs_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return rs_read_keys(s, a, keys, n, 0, NULL);
}

/* ---- reads as of one moment (snapshots themselves: rados_snap.c) ---- */

/*
 * TransactGetItems: its keys as of one moment. Within this gateway, no multi-object write is
 * half applied while it reads (apply_lock). Across gateways, keys of several objects are read
 * until two reads in a row find every object at the same version: an object's version moves on
 * every write of it (a marker set or removed too), so each object held its contents from the end
 * of the first read to the start of the second, and the values are all those of one moment
 * between them, even when a value changed and changed back meanwhile (A->B->A, which the values
 * alone would not show). A write to another item of one of the objects (a table's partition)
 * between the reads makes them read again too, so after a wait the pair is read afresh, back to
 * back. Writes that never let two reads agree make it DDB_STORE_ECONFLICT (TransactionConflict).
 */
int rs_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    uint64_t *prev = ddb_arena_alloc(a, n * sizeof(*prev)), *vers = ddb_arena_alloc(a, n * sizeof(*vers));
    size_t nobjects = 0;
    int rc;

    if (snap != NULL && snap->io != NULL) /* a point-in-time snapshot: one moment already */
        return read_keys_io(s, snap->io, a, keys, n, 0, NULL, NULL);
    pthread_rwlock_wrlock(&s->apply_lock);
    rc = read_keys_io(s, s->io, a, keys, n, 0, &nobjects, vers);
    for (int attempt = 1; rc == DDB_STORE_OK && nobjects > 1; attempt++) {
        memcpy(prev, vers, nobjects * sizeof(*prev));
        ddb_crash_point("rados-read-spread");
        rc = read_keys_io(s, s->io, a, keys, n, 0, &nobjects, vers);
        if (rc != DDB_STORE_OK || memcmp(prev, vers, nobjects * sizeof(*prev)) == 0)
            break;
        if (attempt == RS_RETRIES) {
            rc = DDB_STORE_ECONFLICT;
            break;
        }
        /* a pair of reads back to back after the wait, not one compared across it: any write to
           the objects in between (other items' too) would part them */
        rs_backoff(s, attempt);
        rc = read_keys_io(s, s->io, a, keys, n, 0, &nobjects, vers);
    }
    pthread_rwlock_unlock(&s->apply_lock);
    return rc;
}
