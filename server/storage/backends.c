/*
 * server/storage/backends.c: the backends a store can be opened with (storage.h's ddb_store_open),
 * one row each. A new backend is a row here, its folder beside rocksdb/ and rados/ with its
 * operations table (backend.h), and a row in the contract suite's list (docs/architecture.md).
 */
#include <stdlib.h>
#include <string.h>

#include "server/storage/backend.h"

static const struct {
    int id;                                                   /* ddb_store_options.backend */
    ddb_store *(*open)(const ddb_store_options *opt, char **err); /* NULL: not built in */
    const char *missing;                                      /* why, when it is not */
} BACKENDS[] = {
    {DDB_BACKEND_ROCKSDB, ddb_rocks_open, NULL},
#ifdef DDB_HAVE_RADOS
    {DDB_BACKEND_RADOS, ddb_rados_open, NULL},
#else
    {DDB_BACKEND_RADOS, NULL, "this ddbd was built without librados (install librados-dev and rebuild)"},
#endif
};

ddb_store *ddb_store_open(const ddb_store_options *opt, char **err)
{
    *err = NULL;
    for (size_t i = 0; i < sizeof(BACKENDS) / sizeof(BACKENDS[0]); i++) {
        if (BACKENDS[i].id != opt->backend)
            continue;
        if (BACKENDS[i].open != NULL)
            return BACKENDS[i].open(opt, err);
        *err = strdup(BACKENDS[i].missing);
        return NULL;
    }
    return BACKENDS[0].open(opt, err); /* (the default, as before: any other value opens RocksDB) */
}
