/*
 * tests/store_keys.h: for the storage layer's own tests (tests/unit/storage/), a store opened in a
 * directory (or in memory) with a plain hash, n keys written in one batch and read back (key i is
 * the format `kfmt` of i, its value `prefix` followed by i), and the directory removed.
 */
#ifndef DDB_TEST_STORE_KEYS_H
#define DDB_TEST_STORE_KEYS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/storage/storage.h"

static inline uint64_t store_fnv_hash(const char *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    return h;
}

/* A store at `path` (NULL: in memory) of nshards (0: the directory's, else `fallback`), its
   partitions the first `pbytes` bytes of a key; NULL (said on stderr) when it cannot open. */
static inline ddb_store *store_open_at(const char *path, unsigned nshards, unsigned fallback, size_t pbytes)
{
    ddb_store_options o;
    char *err = NULL;
    ddb_store *s;

    memset(&o, 0, sizeof(o));
    o.path = path;
    o.in_memory = path == NULL;
    o.nshards = nshards;
    o.default_nshards = fallback;
    o.key_hash = store_fnv_hash;
    o.partition_bytes = pbytes;
    o.open_now = 1;
    if ((s = ddb_store_open(&o, &err)) == NULL)
        fprintf(stderr, "open %s (nshards %u, default %u): %s\n", path ? path : "in-memory", nshards, fallback,
                err ? err : "?");
    free(err);
    return s;
}

static inline int store_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* A metadata key's value as a string in `a`, or NULL when absent. */
static inline char *store_meta_str(ddb_store *s, ddb_arena *a, const char *key)
{
    char *v = NULL;
    size_t vlen = 0;

    if (ddb_store_meta_get(s, a, key, strlen(key), &v, &vlen) != DDB_STORE_OK || v == NULL)
        return NULL;
    return ddb_arena_strndup(a, v, vlen);
}

/* Removes a test's directory and all in it. */
static inline void store_rm_dir(const char *dir)
{
    nftw(dir, store_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

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
