/*
 * server/backends.c: the backends a store can be opened with (storage.h's ddb_store_open), one row
 * each. The wiring owns the list, as it owns the operation table: the storage layer dispatches to
 * a store's operations (store.c) and knows no backend, and each backend (server/storage/rocksdb/,
 * server/storage/rados/) uses storage and nothing above it. A new backend is a row here, its folder
 * with its operations table (storage/backend.h), and the rest of docs/architecture.md's checklist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/storage/backend.h"

static const struct {
    int id;                                                   /* ddb_store_options.backend */
    ddb_store *(*open)(const ddb_store_options *opt, char **err); /* NULL: not built in */
    const char *missing;                                      /* why, when it is not */
    /* what open would refuse, for a new store opened on its first write (lazy.c); NULL: a store
       of this backend is always opened at once (RADOS: the pool is shared, never new to a gateway) */
    int (*check)(const ddb_store_options *opt, char **err);
} BACKENDS[] = {
    {DDB_BACKEND_ROCKSDB, ddb_rocks_open, NULL, ddb_rocks_options_check},
#ifdef DDB_HAVE_RADOS
    {DDB_BACKEND_RADOS, ddb_rados_open, NULL, NULL},
#else
    {DDB_BACKEND_RADOS, NULL, "this ddbd was built without librados (install librados-dev and rebuild)", NULL},
#endif
};

/* A store whose backend leaves a slot it must fill NULL is refused at once (backend.h). */
static ddb_store *checked(ddb_store *s, char **err)
{
    const ddb_store_ops *ops = s != NULL ? *(const ddb_store_ops *const *)s : NULL;
    const char *slot = ops != NULL ? ddb_store_ops_missing(ops) : NULL;
    char msg[160];

    if (slot == NULL)
        return s;
    snprintf(msg, sizeof(msg), "the %s backend has no %s operation (server/storage/backend.h)", ops->name, slot);
    *err = strdup(msg);
    if (ops->close != NULL)
        ops->close(s);
    return NULL;
}

static ddb_store *open_row(size_t i, const ddb_store_options *opt, char **err)
{
    if (BACKENDS[i].check == NULL || !ddb_lazy_wanted(opt))
        return checked(BACKENDS[i].open(opt, err), err);
    if (BACKENDS[i].check(opt, err) != 0)
        return NULL;
    return checked(ddb_lazy_open(opt, BACKENDS[i].open, err), err);
}

ddb_store *ddb_store_open(const ddb_store_options *opt, char **err)
{
    *err = NULL;
    for (size_t i = 0; i < sizeof(BACKENDS) / sizeof(BACKENDS[0]); i++) {
        if (BACKENDS[i].id != opt->backend)
            continue;
        if (BACKENDS[i].open != NULL)
            return open_row(i, opt, err);
        *err = strdup(BACKENDS[i].missing);
        return NULL;
    }
    return open_row(0, opt, err); /* (the default, as before: any other value opens RocksDB) */
}
