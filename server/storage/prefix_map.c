/*
 * server/storage/prefix_map.c: the per-prefix entries of the sequencers (see prefix_map.h).
 */
#include "server/storage/prefix_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"

void ddb_prefix_map_init(ddb_prefix_map *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
}

static unsigned bucket_of(const char *p, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h % DDB_PREFIX_BUCKETS;
}

static ddb_prefix_entry *find(ddb_prefix_entry *e, const char *prefix, size_t plen)
{
    for (; e != NULL; e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE)) {
        if (e->plen == plen && memcmp(e->prefix, prefix, plen) == 0)
            return e;
    }
    return NULL;
}

ddb_prefix_entry *ddb_prefix_map_get(ddb_prefix_map *m, const char *prefix, size_t plen, size_t size,
                                     void (*made)(ddb_prefix_entry *e, void *ctx), void *ctx)
{
    unsigned b = bucket_of(prefix, plen);
    ddb_prefix_entry *e;

    if (plen > DDB_PREFIX_MAX)
        abort();
    if ((e = find(__atomic_load_n(&m->buckets[b], __ATOMIC_ACQUIRE), prefix, plen)) != NULL)
        return e;
    pthread_mutex_lock(&m->lock);
    if ((e = find(m->buckets[b], prefix, plen)) == NULL) {
        e = ddb_zalloc(size);
        memcpy(e->prefix, prefix, plen);
        e->plen = plen;
        pthread_mutex_init(&e->lock, NULL);
        if (made != NULL)
            made(e, ctx);
        e->next = m->buckets[b];
        __atomic_store_n(&m->buckets[b], e, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&m->lock);
    return e;
}

void ddb_prefix_map_destroy(ddb_prefix_map *m, void (*drop)(ddb_prefix_entry *e))
{
    for (int i = 0; i < DDB_PREFIX_BUCKETS; i++) {
        for (ddb_prefix_entry *e = m->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            if (drop != NULL)
                drop(e);
            pthread_mutex_destroy(&e->lock);
            free(e);
        }
    }
    pthread_mutex_destroy(&m->lock);
}
