/*
 * server/storage/backend.h: how storage.h's calls reach the backend a store was opened with
 * (store.c dispatches; rocks*.c and rados*.c implement). Included only by the storage layer.
 *
 * Every backend's `struct ddb_store` and `struct ddb_store_iter` begin with a pointer to its
 * operations table (a pointer to a struct may be read as a pointer to its first member), so one
 * process can hold stores of both kinds (the contract test runs the same cases on each).
 */
#ifndef DDB_STORAGE_BACKEND_H
#define DDB_STORAGE_BACKEND_H

#include <pthread.h>

#include "server/storage/storage.h"

/*
 * A backend's operations, one row a slot: X(NEED, slot, return type, (parameters)). NEED is MUST
 * (every backend fills it: store.c calls it as it is) or MAY (NULL has a meaning, said at the
 * row, which store.c gives it). ddb_store_ops_missing checks a table against the list, so a slot
 * left out of a backend is refused when its store opens, not a NULL call in some later request
 * (designated initializers leave it NULL without a warning from gcc or clang).
 */
#define DDB_STORE_SLOTS(X)                                                                                             \
    X(MUST, format_found, int, (const ddb_store *s))                                                                  \
    X(MUST, close, void, (ddb_store *s))                                                                              \
    X(MUST, groupcommit, struct ddb_groupcommit *, (ddb_store *s))                                                    \
    X(MUST, nshards, unsigned, (const ddb_store *s))                                                                  \
    X(MUST, metrics_text, void, (ddb_store *s, ddb_buf *out))                                                         \
    X(MUST, hash, uint64_t, (const ddb_store *s, const void *data, size_t len))                                       \
    X(MUST, hash_alg, ddb_hash_alg, (const ddb_store *s))                                                             \
    X(MUST, secret_hash, uint64_t, (const ddb_store *s, const void *data, size_t len))                                \
    X(MUST, meta_get, int, (ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen))      \
    X(MUST, get, int, (ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen))           \
    X(MUST, write, int, (ddb_store *s, const ddb_batch *b))                                                           \
    X(MUST, commit, int,                                                                                              \
      (ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx))               \
    X(MUST, multi_get, int, (ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n))                              \
    /* point_in_time 0: storage.h's _light */                                                                         \
    X(MUST, snapshot_take, ddb_store_snapshot *, (ddb_store *s, int point_in_time))                                   \
    X(MUST, snapshot_release, void, (ddb_store *s, ddb_store_snapshot *snap))                                         \
    X(MUST, multi_get_at, int,                                                                                        \
      (ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n))                    \
    X(MUST, iter_open_at, ddb_store_iter *,                                                                           \
      (ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen, const char *hi, size_t hilen,     \
       int reverse))                                                                                                  \
    X(MUST, barrier, void, (ddb_store *s))                                                                            \
    X(MUST, exclusive, void, (ddb_store *s, void (*fn)(void *ctx), void *ctx))                                        \
    X(MUST, iter_open, ddb_store_iter *,                                                                              \
      (ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse))                        \
    X(MUST, meta_iter_open, ddb_store_iter *, (ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)) \
    X(MUST, seq_iter_open, ddb_store_iter *,                                                                          \
      (ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse))                        \
    X(MUST, seq_last, uint64_t, (ddb_store *s, const char *prefix, size_t plen))                                      \
    X(MUST, seq_trim, int,                                                                                            \
      (ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen, uint64_t floor))              \
    X(MUST, delete_range_all, int, (ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen))        \
    X(MUST, checkpoint_save, int, (ddb_store *s, const char *name))                                                   \
    X(MUST, checkpoint_restore, int, (ddb_store *s, const char *name))                                                \
    X(MUST, checkpoint_delete, int, (ddb_store *s, const char *name))                                                 \
    X(MUST, checkpoint_list, size_t, (ddb_store *s, ddb_checkpoint_info **out))                                       \
    /* shared metadata (storage.h); NULL: one process owns the store (store.c's generic forms) */                     \
    X(MAY, meta_commit, int,                                                                                          \
      (ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx))               \
    /* the store's own lock, which store.c's generic meta commit holds (two stores in one process                     \
       commit apart); NULL only beside meta_commit, whose store serializes its own */                                 \
    X(MAY, meta_lock, pthread_mutex_t *, (ddb_store *s))                                                              \
    X(MAY, on_meta_change, void, (ddb_store *s, void (*fn)(void *ctx), void *ctx))                                    \
    X(MAY, meta_changed, void, (ddb_store *s))                                                                        \
    /* snapshots shared by the processes (storage.h); NULL: none can be */                                            \
    X(MAY, snapshot_name, const char *, (const ddb_store_snapshot *snap))                                             \
    X(MAY, snapshot_open, ddb_store_snapshot *, (ddb_store *s, const char *name))                                     \
    X(MAY, snapshot_detach, void, (ddb_store *s, ddb_store_snapshot *snap))                                           \
    /* storage.h's ddb_store_commit_each; NULL: store.c commits the units one at a time */                            \
    X(MAY, commit_each, size_t, (ddb_store *s, ddb_arena *a, ddb_store_unit *units, size_t n))                        \
    /* storage.h's ddb_store_reclaim; NULL: deletes free their space at once */                                       \
    X(MAY, reclaim, void, (ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen))

typedef struct ddb_store_ops {
    const char *name; /* "rocksdb", "rados" */
#define X(need, slot, ret, params) ret(*slot) params;
    DDB_STORE_SLOTS(X)
#undef X
} ddb_store_ops;

/* The first MUST slot `ops` leaves NULL (its name), or "meta_lock" when it has neither meta_commit
   nor meta_lock; NULL when it fills them all. */
const char *ddb_store_ops_missing(const ddb_store_ops *ops);

/* The version a store's "ddbd/format" marker (`text`) holds, when it is one of oldest..newest (the
   formats the backend opens); else -1 with *errout malloc'd: `where` ("the data directory", "the
   pool") was written by an incompatible ddbd, and is refused untouched. */
long ddb_store_format_of(const char *text, long oldest, long newest, const char *where, char **errout);

typedef struct ddb_iter_ops {
    void (*seek)(ddb_store_iter *it, const char *from, size_t fromlen);
    int (*valid)(ddb_store_iter *it);
    void (*next)(ddb_store_iter *it);
    const char *(*key)(ddb_store_iter *it, size_t *len);
    const char *(*val)(ddb_store_iter *it, size_t *len);
    void (*close)(ddb_store_iter *it);
    int (*status)(ddb_store_iter *it);
} ddb_iter_ops;

/* The backends' open functions (each sets its store's first member to its table). */
ddb_store *ddb_rocks_open(const ddb_store_options *opt, char **err);
/* What ddb_rocks_open refuses before it touches anything: 0, or -1 with *err malloc'd. */
int ddb_rocks_options_check(const ddb_store_options *opt, char **err);

/* lazy.c: whether a store is new and may wait for its first write; and the waiting store, which
   opens with `open` then (the options are checked by the caller first). */
int ddb_lazy_wanted(const ddb_store_options *opt);
ddb_store *ddb_lazy_open(const ddb_store_options *opt, ddb_store *(*open)(const ddb_store_options *opt, char **err),
                         char **err);
#ifdef DDB_HAVE_RADOS
ddb_store *ddb_rados_open(const ddb_store_options *opt, char **err);
#endif

#endif
