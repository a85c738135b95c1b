/*
 * server/storage/rados/rados_iter.c: the RADOS backend's range reads: the objects that may hold a
 * range (one partition: its object; one keyspace: its partitions; wider: the directory; found by
 * rados_dir.c), each read in pages of omap keys and merged in key order. A key a write intent
 * holds is resolved first (rados_txn.c). Calls those and the bottom (rados_key.c, rados_result.c).
 *
 * omap lists forward only: a reverse read fetches its range (from the low bound up to the seek
 * point) forward first and walks it backwards, so it costs the whole range, not a page (a reverse
 * Query reads its partition's range; docs/scale-out.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/storage/rados/rados_ops.h"
#include "server/storage/rados/rados_txn.h"
#include "server/storage/range.h"

#define FIRST_PAGE 64 /* a Query with a small Limit reads little; scans then read larger pages */
#define PAGE 512

typedef struct rs_entry {
    char *key; /* unescaped */
    size_t klen;
    char *val; /* without the 'v' */
    size_t vlen;
} rs_entry;

/* One object's part of the range: a page of entries (forward), or all of them (reverse). */
typedef struct rs_sub {
    char oid[RS_OBJ_MAX];
    rs_entry *e;
    size_t n, cap, pos; /* reverse: pos counts down, n - 1 first; pos == (size_t)-1 at the end */
    char *after;        /* escaped start_after of the next page (NUL-terminated), NULL at the start */
    int more;           /* the object has more keys past the page */
} rs_sub;

struct ddb_store_iter {
    const ddb_iter_ops *ops; /* first: store.c dispatches through it (backend.h) */
    ddb_store *s;
    rados_ioctx_t io; /* s->io, or a snapshot's (no key marked there: rados_snap.c) */
    ddb_store_range r;
    int status, cur;
    size_t n;
    unsigned char marks_more; /* unused: a page resolves the markers its read returned */
    rs_sub sub[];
};

static void sub_clear(rs_sub *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->e[i].key);
        free(u->e[i].val);
    }
    u->n = u->pos = 0;
}

/* Adds to a page's read the markers of keys from `after` on (up to 64). */
static void read_marks_op(rados_read_op_t op, ddb_store_iter *it, const char *after, rados_omap_iter_t *marks,
                          int *prval)
{
    size_t al = strlen(after);
    char *m = malloc(al + RS_MARK_PREFIX_LEN + 1);

    memcpy(m, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
    memcpy(m + RS_MARK_PREFIX_LEN, after, al + 1);
    /* librados copies its arguments into the operation */
    rados_read_op_omap_get_vals2(op, m, RS_MARK_PREFIX, 64, marks, &it->marks_more, prval);
    free(m);
}

/* The markers a page's read returned, of keys in [from, hi): each one's intent resolved. The number
   resolved (0: none, read the page as it is), or an error. */
static int resolve_marks(ddb_store_iter *it, rs_sub *u, rados_omap_iter_t marks, const char *from, size_t fromlen)
{
    int n = 0, rc = 0;

    for (;;) {
        char *k = NULL, *v = NULL;
        size_t kl = 0, vl = 0;
        if (rados_omap_get_next2(marks, &k, &v, &kl, &vl) < 0 || k == NULL)
            break;
        char *key = malloc(kl), *name = strndup(v, vl);
        size_t ul;
        memcpy(key, k + RS_MARK_PREFIX_LEN, kl - RS_MARK_PREFIX_LEN);
        ul = rs_unescape(key, kl - RS_MARK_PREFIX_LEN);
        if (rs_key_cmp(key, ul, from, fromlen) >= 0 && rs_key_cmp(key, ul, it->r.hi, it->r.hilen) < 0 && rc >= 0) {
            rs_write_begin(it->s); /* resolving writes */
            int e = rs_mark_resolve(it->s, u->oid, k, kl, name);
            rs_write_end(it->s);
            rc = e < 0 && e != RS_BUSY ? e : rc;
            n++;
        }
        free(key);
        free(name);
    }
    rados_omap_get_end(marks);
    return rc < 0 ? rc : n;
}

/* Appends the next page of the object's keys in [from, hi) (from: lo or the seek point). */
static int sub_fetch_page(ddb_store_iter *it, rs_sub *u, const char *from, size_t fromlen, unsigned max)
{
    rados_read_op_t op;
    rados_omap_iter_t iter = NULL;
    unsigned char more = 0;
    int prval = 0, rc;
    char *start = NULL;

    if (u->after == NULL) { /* the first page: start after a string just below `from` (skipping what is below it) */
        start = malloc(2 * fromlen + 10);
        size_t el = rs_escape(from, fromlen, start);
        if (el > 0 && (unsigned char)start[el - 1] > 2) {
            /* its last byte less one, then 0xff bytes: below `from`, above nearly every key under it */
            start[el - 1]--;
            memset(start + el, 0xff, 8);
            start[el + 8] = '\0';
        } else {
            start[el > 0 ? el - 1 : 0] = '\0';
        }
    }
    /* keys of the range held by a write intent are resolved first (a committed write rolled
       forward, an abandoned one back), as point reads do (rados_read.c), then the page read again
       without looking at markers */
    for (int check = it->io == it->s->io;; check = 0) {
        rados_omap_iter_t marks = NULL;
        int mprval = 0, found;
        op = rados_create_read_op();
        rados_read_op_omap_get_vals2(op, u->after ? u->after : start, "", max, &iter, &more, &prval);
        if (check)
            read_marks_op(op, it, u->after ? u->after : start, &marks, &mprval);
        rc = rados_read_op_operate(op, it->io, u->oid, 0);
        if (!check || rc < 0 || mprval < 0 || (found = resolve_marks(it, u, marks, from, fromlen)) == 0)
            break;
        rados_release_read_op(op);
        if (found < 0) {
            free(start);
            return found;
        }
    }
    free(start);
    u->more = 0;
    if (rc == -ENOENT) {
        rados_release_read_op(op);
        return DDB_STORE_OK;
    }
    if (rc < 0 || prval < 0) {
        rados_release_read_op(op);
        return rs_check(rc < 0 ? rc : prval, "list", u->oid);
    }
    u->more = more;
    for (;;) {
        char *k = NULL, *v = NULL;
        size_t kl = 0, vl = 0;
        if (rados_omap_get_next2(iter, &k, &v, &kl, &vl) < 0 || k == NULL)
            break;
        if (kl >= 2 && k[0] == 1 && (unsigned char)k[1] >= 3)
            continue; /* a marker (01 03) or a sequence counter (01 04), not a key */
        free(u->after);
        u->after = strndup(k, kl);
        char *key = malloc(kl + 1);
        memcpy(key, k, kl);
        size_t ul = rs_unescape(key, kl);
        if (rs_key_cmp(key, ul, from, fromlen) < 0) {
            free(key);
            continue;
        }
        if (rs_key_cmp(key, ul, it->r.hi, it->r.hilen) >= 0) {
            free(key);
            u->more = 0;
            break;
        }
        if (vl < 1 || v[0] != 'v') {
            free(key);
            rados_omap_get_end(iter);
            rados_release_read_op(op);
            return DDB_STORE_ECORRUPT;
        }
        DDB_ROOM(u->e, u->n, u->cap, 64);
        u->e[u->n].key = key;
        u->e[u->n].klen = ul;
        u->e[u->n].val = malloc(vl);
        memcpy(u->e[u->n].val, v + 1, vl - 1);
        u->e[u->n++].vlen = vl - 1;
    }
    rados_omap_get_end(iter);
    rados_release_read_op(op);
    return DDB_STORE_OK;
}

/* Pages until one holds a key of the range or the object has no more (a page may hold only keys below `from`). */
static int sub_fetch(ddb_store_iter *it, rs_sub *u, const char *from, size_t fromlen, unsigned max)
{
    size_t had = u->n;
    int rc;

    do {
        rc = sub_fetch_page(it, u, from, fromlen, max);
    } while (rc == DDB_STORE_OK && u->n == had && u->more);
    return rc;
}

static int sub_valid(const rs_sub *u, int reverse)
{
    return reverse ? u->pos != (size_t)-1 && u->pos < u->n : u->pos < u->n;
}

/* Positions one object's part at the first key >= from (reverse: the last key <= from). */
static int sub_seek(ddb_store_iter *it, rs_sub *u, const char *from, size_t fromlen)
{
    int rc;

    sub_clear(u);
    free(u->after);
    u->after = NULL;
    if (!it->r.reverse) {
        if (from == NULL || rs_key_cmp(from, fromlen, it->r.lo, it->r.lolen) < 0)
            from = it->r.lo, fromlen = it->r.lolen;
        return sub_fetch(it, u, from, fromlen, FIRST_PAGE);
    }
    do { /* reverse: everything in [lo, hi), then back to from */
        rc = sub_fetch(it, u, it->r.lo, it->r.lolen, PAGE);
    } while (rc == DDB_STORE_OK && u->more);
    u->pos = u->n - 1;
    while (from != NULL && sub_valid(u, 1) && rs_key_cmp(u->e[u->pos].key, u->e[u->pos].klen, from, fromlen) > 0)
        u->pos--;
    return rc;
}

static void sub_next(ddb_store_iter *it, rs_sub *u)
{
    if (it->r.reverse) {
        u->pos--;
        return;
    }
    if (++u->pos < u->n || !u->more)
        return;
    sub_clear(u);
    int rc = sub_fetch(it, u, it->r.lo, it->r.lolen, PAGE);
    if (rc != DDB_STORE_OK && it->status == DDB_STORE_OK)
        it->status = rc;
}

/* Points `cur` at the part with the smallest key (reverse: the largest). */
static void iter_pick(ddb_store_iter *it)
{
    const rs_entry *best = NULL;

    it->cur = -1;
    for (size_t i = 0; i < it->n; i++) {
        const rs_sub *u = &it->sub[i];
        const rs_entry *e;
        int c;
        if (!sub_valid(u, it->r.reverse))
            continue;
        e = &u->e[u->pos];
        c = best == NULL ? -1 : rs_key_cmp(e->key, e->klen, best->key, best->klen);
        if (best == NULL || (it->r.reverse ? c > 0 : c < 0)) {
            best = e;
            it->cur = (int)i;
        }
    }
}

static void it_seek(ddb_store_iter *it, const char *from, size_t fromlen)
{
    it->status = DDB_STORE_OK;
    for (size_t i = 0; i < it->n; i++) {
        int rc = sub_seek(it, &it->sub[i], from, fromlen);
        if (rc != DDB_STORE_OK && it->status == DDB_STORE_OK)
            it->status = rc;
    }
    if (it->status != DDB_STORE_OK) {
        it->cur = -1;
        return;
    }
    iter_pick(it);
}

static int it_valid(ddb_store_iter *it)
{
    return it->cur >= 0;
}

static void it_next(ddb_store_iter *it)
{
    sub_next(it, &it->sub[it->cur]);
    if (it->status != DDB_STORE_OK)
        it->cur = -1;
    else
        iter_pick(it);
}

static const char *it_key(ddb_store_iter *it, size_t *len)
{
    const rs_sub *u = &it->sub[it->cur];

    *len = u->e[u->pos].klen;
    return u->e[u->pos].key;
}

static const char *it_val(ddb_store_iter *it, size_t *len)
{
    const rs_sub *u = &it->sub[it->cur];

    *len = u->e[u->pos].vlen;
    return u->e[u->pos].val;
}

static int it_status(ddb_store_iter *it)
{
    return it->status;
}

static void it_close(ddb_store_iter *it)
{
    for (size_t i = 0; i < it->n; i++) {
        sub_clear(&it->sub[i]);
        free(it->sub[i].e);
        free(it->sub[i].after);
    }
    ddb_store_range_free(&it->r);
    free(it);
}

static const ddb_iter_ops rs_iter_ops = {
    .seek = it_seek,
    .valid = it_valid,
    .next = it_next,
    .key = it_key,
    .val = it_val,
    .close = it_close,
    .status = it_status,
};

ddb_store_iter *rs_iter_objects(ddb_store *s, char (*oids)[RS_OBJ_MAX], size_t n, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse)
{
    ddb_store_iter *it = calloc(1, sizeof(*it) + n * sizeof(it->sub[0]));

    if (it == NULL)
        abort();
    it->ops = &rs_iter_ops;
    it->s = s;
    it->io = s->io;
    ddb_store_range_copy(&it->r, lo, lolen, hi, hilen, reverse);
    it->cur = -1;
    it->n = n;
    for (size_t i = 0; i < n; i++)
        strcpy(it->sub[i].oid, oids[i]);
    return it;
}

/* A range read over the objects that may hold [lo, hi); on a directory error, an iterator whose
   status is that error (so the failure never reads as the end of the range). */
static ddb_store_iter *range_iter(ddb_store *s, int seq, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                  int reverse)
{
    char (*oids)[RS_OBJ_MAX] = NULL;
    size_t n = 0;
    int rc = rs_range_objects(s, lo, lolen, hi, hilen, seq, &oids, &n);
    ddb_store_iter *it = rs_iter_objects(s, oids, rc == DDB_STORE_OK ? n : 0, lo, lolen, hi, hilen, reverse);

    free(oids);
    if (rc != DDB_STORE_OK) {
        it->ops = &rs_iter_ops;
        it->status = rc;
    }
    return it;
}

ddb_store_iter *rs_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse)
{
    return range_iter(s, 0, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *rs_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse)
{
    ddb_store_iter *it = range_iter(s, 0, lo, lolen, hi, hilen, reverse);

    if (snap != NULL && snap->io != NULL) /* a point-in-time snapshot; a light one reads the latest state */
        it->io = snap->io;
    return it;
}

ddb_store_iter *rs_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                 int reverse)
{
    return range_iter(s, 1, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *rs_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    char oid[1][RS_OBJ_MAX];

    strcpy(oid[0], RS_META_OBJ);
    return rs_iter_objects(s, oid, 1, lo, lolen, hi, hilen, 0);
}
