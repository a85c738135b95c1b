/*
 * tests/unit/storage/test_meta_lock.c: a store one process owns serializes its meta commits with a
 * lock of its own (backend.h's meta_lock; issue 63, item 4). It was one process-wide mutex for
 * every store: two stores in one process (two servers, as the in-process tests open) waited on
 * each other's catalog changes, and a meta commit on one store from inside another's decision
 * deadlocked. Here store A's decision commits on store B, which must go through at once.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/storage/storage.h"
#include "test_store.h"

typedef struct put_ctx {
    const char *val;
    ddb_store *inner; /* a store to commit on from inside this decision, or NULL */
    ddb_arena *a;
    int inner_rc;
} put_ctx;

static int put_k(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    put_ctx *p = ctx;

    if (p->inner != NULL) {
        put_ctx q = {"b", NULL, p->a, 0};
        ddb_store_key k = {"k", 1, NULL, 0};
        p->inner_rc = ddb_store_meta_commit(p->inner, p->a, &k, 1, put_k, &q);
    }
    (void)n;
    ddb_batch_meta_put(out, keys[0].key, keys[0].klen, p->val, strlen(p->val));
    return 0;
}

static int value_is(ddb_store *s, ddb_arena *a, const char *want)
{
    char *val = NULL;
    size_t vlen = 0;

    return ddb_store_meta_get(s, a, "k", 1, &val, &vlen) == DDB_STORE_OK && val != NULL && vlen == strlen(want) &&
           memcmp(val, want, vlen) == 0;
}

TEST(a_stores_meta_commits_wait_for_no_other_store)
{
    ddb_store *a = mem_store_plain(), *b = mem_store_plain();
    ddb_arena arena;
    ddb_store_key k = {"k", 1, NULL, 0};
    put_ctx p;

    ASSERT(a != NULL && b != NULL);
    ddb_arena_init(&arena);
    p = (put_ctx){"a", b, &arena, -1};
    alarm(60); /* one lock for both stores deadlocks here: end the process rather than hang */
    ASSERT_EQ(ddb_store_meta_commit(a, &arena, &k, 1, put_k, &p), DDB_STORE_OK);
    alarm(0);
    ASSERT_EQ(p.inner_rc, DDB_STORE_OK);
    ASSERT(value_is(a, &arena, "a"));
    ASSERT(value_is(b, &arena, "b"));
    ddb_arena_free(&arena);
    ddb_store_close(a);
    ddb_store_close(b);
}
