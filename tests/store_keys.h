/*
 * tests/store_keys.h: n keys written in one batch and read back, for the storage layer's own tests
 * (tests/unit/storage/): key i is the format `kfmt` of i, its value `prefix` followed by i.
 */
#ifndef DDB_TEST_STORE_KEYS_H
#define DDB_TEST_STORE_KEYS_H

#include <stdio.h>
#include <string.h>

#include "server/storage/storage.h"

/* One batch of the n keys; the write's result (DDB_STORE_OK). */
static inline int store_keys_write(ddb_store *s, int n, const char *kfmt, const char *prefix)
{
    ddb_arena a;
    ddb_batch b;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    for (int i = 0; i < n; i++) {
        char *k = ddb_arena_sprintf(&a, kfmt, i), *v = ddb_arena_sprintf(&a, "%s%d", prefix, i);
        ddb_batch_put(&b, k, strlen(k), v, strlen(v));
    }
    rc = ddb_store_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

/* How many of the n keys do not read back as written by store_keys_write (0: all do). */
static inline int store_keys_differ(ddb_store *s, int n, const char *kfmt, const char *prefix)
{
    ddb_arena a;
    int bad = 0;

    ddb_arena_init(&a);
    for (int i = 0; i < n; i++) {
        char *k = ddb_arena_sprintf(&a, kfmt, i), *want = ddb_arena_sprintf(&a, "%s%d", prefix, i), *v = NULL;
        size_t vlen = 0;
        if (ddb_store_get(s, &a, k, strlen(k), &v, &vlen) != DDB_STORE_OK || v == NULL || vlen != strlen(want) ||
            memcmp(v, want, vlen) != 0)
            bad++;
    }
    ddb_arena_free(&a);
    return bad;
}

#endif
