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

#include "server/storage/storage.h"

typedef struct ddb_store_ops {
    const char *name; /* "rocksdb", "rados" */
    int (*format_found)(const ddb_store *s);
    void (*close)(ddb_store *s);
    struct ddb_groupcommit *(*groupcommit)(ddb_store *s);
    unsigned (*nshards)(const ddb_store *s);
    void (*metrics_text)(ddb_store *s, ddb_buf *out);
    uint64_t (*hash)(const ddb_store *s, const void *data, size_t len);
    ddb_hash_alg (*hash_alg)(const ddb_store *s);
    uint64_t (*secret_hash)(const ddb_store *s, const void *data, size_t len);
    int (*meta_get)(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
    int (*get)(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
    int (*write)(ddb_store *s, const ddb_batch *b);
    int (*commit)(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
    int (*multi_get)(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n);
    ddb_store_snapshot *(*snapshot_take)(ddb_store *s, int point_in_time); /* 0: storage.h's _light */
    void (*snapshot_release)(ddb_store *s, ddb_store_snapshot *snap);
    int (*multi_get_at)(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n);
    ddb_store_iter *(*iter_open_at)(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                    const char *hi, size_t hilen, int reverse);
    void (*barrier)(ddb_store *s);
    void (*exclusive)(ddb_store *s, void (*fn)(void *ctx), void *ctx);
    ddb_store_iter *(*iter_open)(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                 int reverse);
    ddb_store_iter *(*meta_iter_open)(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
    ddb_store_iter *(*seq_iter_open)(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                     int reverse);
    uint64_t (*seq_last)(ddb_store *s, const char *prefix, size_t plen);
    void (*seq_floor)(ddb_store *s, const char *prefix, size_t plen, uint64_t floor);
    int (*delete_range_all)(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
    int (*checkpoint_save)(ddb_store *s, const char *name);
    int (*checkpoint_restore)(ddb_store *s, const char *name);
    int (*checkpoint_delete)(ddb_store *s, const char *name);
    size_t (*checkpoint_list)(ddb_store *s, ddb_checkpoint_info **out);
    /* shared metadata (storage.h); NULL: one process owns the store (store.c's generic forms) */
    int (*meta_commit)(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide,
                       void *ctx);
    void (*on_meta_change)(ddb_store *s, void (*fn)(void *ctx), void *ctx);
    void (*meta_changed)(ddb_store *s);
    /* snapshots shared by the processes (storage.h); NULL: none can be */
    const char *(*snapshot_name)(const ddb_store_snapshot *snap);
    ddb_store_snapshot *(*snapshot_open)(ddb_store *s, const char *name);
    void (*snapshot_detach)(ddb_store *s, ddb_store_snapshot *snap);
    /* storage.h's ddb_store_reclaim; NULL: deletes free their space at once */
    void (*reclaim)(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
} ddb_store_ops;

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
