/*
 * server/storage/rados/rados_commit.c: the RADOS backend's guarded commits (storage.h's
 * ddb_store_commit) and this gateway's stripe locks (its barrier, exclusive sections).
 *
 * A commit locks its keys' stripes in this process (as RocksDB's does), reads them, decides, and
 * writes with an omap compare of every key it read in the same operation as its changes to that
 * key's object: a commit by another gateway that changed a read key in between makes the write
 * fail as a whole (-ECANCELED), and the commit reads and decides again (RS_RETRIES times, then
 * DDB_STORE_ECONFLICT; DDBD_RADOS_COMMIT_RETRIES overrides it). A one-key commit first tries
 * without the read: decided on a guess of the key's value (rados_known.c) and written with the
 * key compared with that guess, one round trip instead of two when the guess holds. A metadata key
 * of a commit (storage.h: a ClientRequestToken's record) is read and compared in ddbd.meta as a data
 * key is in its object, so another gateway's commit of it makes this one decide again. Its reads:
 * rados_read.c; its write: rados_write.c. What this guarantees across gateways:
 * docs/scale-out.md.
 */
#include <stdlib.h>
#include <string.h>

#include "server/base/faults.h"
#include "server/storage/rados/rados_known.h"
#include "server/storage/rados/rados_ops.h"

/* ---- commits ---- */

static int commit_retries = -1;

int rs_commit_retries(void)
{
    int v = __atomic_load_n(&commit_retries, __ATOMIC_RELAXED);

    if (v < 0) { /* read once; 0 is allowed: every lost commit then answers DDB_STORE_ECONFLICT */
        const char *e = getenv("DDBD_RADOS_COMMIT_RETRIES");
        v = e != NULL && *e != '\0' && atoi(e) >= 0 ? atoi(e) : RS_RETRIES;
        __atomic_store_n(&commit_retries, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* What this gateway knows of a commit's keys after it: each key's last value in the batch that was
   written (a put or a delete), else the value read (or guessed, and so confirmed by the write). */
static void commit_learn(ddb_store *s, const unsigned *st, const ddb_store_key *keys, size_t n, const ddb_batch *b)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = keys[i].val;
        size_t vl = keys[i].vlen;
        if (keys[i].meta) /* guesses are of data keys */
            continue;
        for (size_t j = 0; b != NULL && j < b->n; j++) {
            const ddb_write_op *op = &b->ops[j];
            if (op->sequenced || op->meta || op->klen != keys[i].klen || memcmp(op->key, keys[i].key, op->klen) != 0)
                continue;
            v = op->is_delete ? NULL : op->val;
            vl = op->is_delete ? 0 : op->vlen;
        }
        rs_known_put(s->known, st[i], keys[i].key, keys[i].klen, v, vl);
    }
}

/*
 * A one-key commit's first try, without reading: decided on a guess of the key's value (what this
 * gateway last read or wrote for it, or absent: a new item), and written with the key compared
 * with the guess in the same operation. When the write succeeds the key held exactly the guess,
 * so the decision stands as if it had been read (its old image, its condition). RS_UNGUESSED
 * (nothing written) when no guess is worth making, when decide wrote nothing or refused on it
 * (that answer needs a read to be true), when the write is not one object's, or when the compare
 * failed (the guess was stale): the caller then reads and decides again.
 */
static int guessed_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, unsigned st,
                          ddb_commit_decide decide, void *ctx, ddb_batch *b)
{
    int kind, rc;

    if (n != 1 || keys[0].meta)
        return RS_UNGUESSED;
    kind = rs_known_get(s->known, st, keys[0].key, keys[0].klen, a, &keys[0].val, &keys[0].vlen);
    if (!rs_known_worth(s->known, kind))
        return RS_UNGUESSED;
    ddb_batch_init(b, a);
    if (decide(ctx, keys, n, b) != 0 || b->n == 0)
        return RS_UNGUESSED;
    rs_write_begin(s);
    rc = rs_write_guarded(s, b, keys, n, a, RS_WRITE_GUESS);
    rs_write_end(s);
    if (rc == DDB_STORE_OK || rc == DDB_STORE_ECONFLICT) {
        rs_known_learn(s->known, kind, rc == DDB_STORE_OK);
        __atomic_add_fetch(rc == DDB_STORE_OK ? &s->n_guess_right : &s->n_guess_wrong, 1, __ATOMIC_RELAXED);
    }
    return rc == DDB_STORE_ECONFLICT ? RS_UNGUESSED : rc;
}

/* Reads a one-key commit's key, and learns whether the guess would have been right. */
static int read_learning(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, unsigned st)
{
    char *gv = NULL;
    size_t gl = 0;
    int kind = n == 1 && !keys[0].meta ? rs_known_get(s->known, st, keys[0].key, keys[0].klen, a, &gv, &gl) : RS_GUESS_NONE;
    int rc = rs_read_keys(s, a, keys, n, 0, NULL);

    if (rc == DDB_STORE_OK && kind != RS_GUESS_NONE)
        rs_known_learn(s->known, kind, (gv == NULL) == (keys[0].val == NULL) && gl == keys[0].vlen &&
                                           (gl == 0 || memcmp(gv, keys[0].val, gl) == 0));
    return rc;
}

int rs_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    unsigned small[STACK_STRIPES], ks[STACK_STRIPES];
    unsigned *st = n <= STACK_STRIPES ? small : ddb_arena_alloc(a, n * sizeof(*st));
    unsigned *kst = n <= STACK_STRIPES ? ks : ddb_arena_alloc(a, n * sizeof(*kst)); /* each key's */
    size_t ns;
    ddb_batch b = {0};
    int rc = DDB_STORE_OK, retries = rs_commit_retries();

    for (size_t i = 0; i < n; i++)
        kst[i] = st[i] = stripe_of(keys[i].key, keys[i].klen);
    ns = n > 1 ? sort_stripes(st, n) : n;
    if (n == 0)
        kst[0] = 0; /* (read by the one-key paths below, which n == 0 never takes) */
    for (size_t i = 0; i < ns; i++)
        pthread_mutex_lock(&s->locks[st[i]]);
    if ((rc = guessed_commit(s, a, keys, n, kst[0], decide, ctx, &b)) != RS_UNGUESSED)
        goto done;
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) /* another gateway won, or its intent holds an object */
            rs_backoff(s, attempt);
        if ((rc = read_learning(s, a, keys, n, kst[0])) != DDB_STORE_OK)
            break;
        ddb_batch_init(&b, a);
        rc = decide(ctx, keys, n, &b);
        if (rc != 0 || b.n == 0)
            break;
        rs_write_begin(s);
        rc = rs_write_guarded(s, &b, keys, n, a, attempt > 0 ? RS_WRITE_ORDERED : 0);
        rs_write_end(s);
        if (rc != DDB_STORE_ECONFLICT && rc != RS_BUSY)
            break;
    }
    if (rc == RS_BUSY)
        rc = DDB_STORE_ECONFLICT;
done:
    if (rc >= 0) /* written, or decided not to write: the keys' values are known */
        commit_learn(s, kst, keys, n, rc == DDB_STORE_OK ? &b : NULL);
    else
        for (size_t i = 0; i < n; i++)
            if (!keys[i].meta)
                rs_known_forget(s->known, kst[i], keys[i].key, keys[i].klen);
    if (rc == DDB_STORE_OK && b.n != 0) /* (a test kills the gateway whose client never learns it) */
        ddb_crash_point("rados-commit-written");
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    return rc;
}

/* As RocksDB's (rocks_rw.c): every commit of this gateway holds its stripes from its reads to its write. */
void rs_barrier_local(ddb_store *s)
{
    stripes_barrier(s->locks);
}

void rs_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    stripes_exclusive(s->locks, fn, ctx);
}
