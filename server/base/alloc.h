/*
 * server/base/alloc.h: the server's long-lived objects' zeroed allocation, whose failure aborts.
 */
#ifndef DDB_ALLOC_H
#define DDB_ALLOC_H

#include <stdlib.h>

/* n zeroed bytes (calloc), or abort(): an engine, a store, a job or a model that cannot be made
   leaves nothing to fall back on, so each of their makers aborts alike instead of checking. */
static inline void *ddb_zalloc(size_t n)
{
    void *p = calloc(1, n);

    if (p == NULL)
        abort();
    return p;
}

#endif
