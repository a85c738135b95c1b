/*
 * server/base/alloc.h: the server's long-lived objects' zeroed allocation, whose failure aborts; and
 * the freeing of an array of strings it owns.
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

/* Frees the n strings of v, then v (NULL, with n 0, is nothing to free). */
static inline void ddb_free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

#endif
