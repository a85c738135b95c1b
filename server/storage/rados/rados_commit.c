/*
 * server/storage/rados/rados_commit.c: the RADOS backend's guarded commits (storage.h's
 * ddb_store_commit) and this gateway's stripe locks (its barrier, exclusive sections).
 *
 * A commit locks its keys' stripes in this process (as RocksDB's does), reads them, decides, and
 * writes with an omap compare of every key it read in the same operation as its changes to that
 * key's object: a commit by another gateway that changed a read key in between makes the write
 * fail as a whole (-ECANCELED), and the commit reads and decides again (RS_RETRIES times, then
 * DDB_STORE_ECONFLICT; DDBD_RADOS_COMMIT_RETRIES overrides it). Its reads: rados_read.c; its
 * write: rados_write.c. What this guarantees across gateways: docs/scale-out.md.
 */
#include <stdlib.h>

#include "server/base/faults.h"
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

int rs_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    unsigned small[STACK_STRIPES];
    unsigned *st = n <= STACK_STRIPES ? small : ddb_arena_alloc(a, n * sizeof(*st));
    size_t ns;
    ddb_batch b = {0};
    int rc = DDB_STORE_OK, retries = rs_commit_retries();

    for (size_t i = 0; i < n; i++)
        st[i] = stripe_of(keys[i].key, keys[i].klen);
    ns = n > 1 ? sort_stripes(st, n) : n;
    for (size_t i = 0; i < ns; i++)
        pthread_mutex_lock(&s->locks[st[i]]);
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) /* another gateway won, or its intent holds an object */
            rs_backoff(s, attempt);
        if ((rc = rs_read_keys(s, a, keys, n, 0, NULL)) != DDB_STORE_OK)
            break;
        ddb_batch_init(&b, a);
        rc = decide(ctx, keys, n, &b);
        if (rc != 0 || b.n == 0)
            break;
        rs_write_begin(s);
        rc = rs_write_guarded(s, &b, keys, n, a);
        rs_write_end(s);
        if (rc != DDB_STORE_ECONFLICT && rc != RS_BUSY)
            break;
    }
    if (rc == RS_BUSY)
        rc = DDB_STORE_ECONFLICT;
    if (rc == DDB_STORE_OK && b.n != 0) /* (a test kills the gateway whose client never learns it) */
        ddb_crash_point("rados-commit-written");
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    return rc;
}

/* As RocksDB's (rocks_rw.c): every commit of this gateway holds its stripes from its reads to its write. */
void rs_barrier_local(ddb_store *s)
{
    for (int i = 0; i < LOCK_STRIPES; i++) {
        pthread_mutex_lock(&s->locks[i]);
        pthread_mutex_unlock(&s->locks[i]);
    }
}

void rs_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_lock(&s->locks[i]);
    fn(ctx);
    for (int i = LOCK_STRIPES; i > 0; i--)
        pthread_mutex_unlock(&s->locks[i - 1]);
}
