/*
 * server/storage/prefix_map.h: the entries a sequencer keeps per key prefix (sequencer.c's, and a
 * RADOS gateway's rados_seq.c). An entry is made on its prefix's first use and never removed, and
 * is published with a release store, so every lookup after the first finds it without the map's
 * lock.
 */
#ifndef DDB_PREFIX_MAP_H
#define DDB_PREFIX_MAP_H

#include <pthread.h>
#include <stddef.h>

#define DDB_PREFIX_MAX 32 /* the engine's stream and PITR prefixes are 12 bytes */
#define DDB_PREFIX_BUCKETS 256

/* The head of an owner's entry (its struct's first member). */
typedef struct ddb_prefix_entry {
    char prefix[DDB_PREFIX_MAX];
    size_t plen;
    pthread_mutex_t lock;          /* the owner's, one per prefix */
    struct ddb_prefix_entry *next; /* hash chain */
} ddb_prefix_entry;

typedef struct ddb_prefix_map {
    pthread_mutex_t lock; /* inserts */
    ddb_prefix_entry *buckets[DDB_PREFIX_BUCKETS];
} ddb_prefix_map;

void ddb_prefix_map_init(ddb_prefix_map *m);
/* The entry of `prefix` (at most DDB_PREFIX_MAX bytes: a longer one aborts). On first use it is
   made: `size` zeroed bytes (the owner's entry), its head filled and its lock made, then made(e,
   ctx) (may be NULL) under the map's lock, before any other thread can find it. */
ddb_prefix_entry *ddb_prefix_map_get(ddb_prefix_map *m, const char *prefix, size_t plen, size_t size,
                                     void (*made)(ddb_prefix_entry *e, void *ctx), void *ctx);
/* Frees every entry, after drop(e) (may be NULL) frees what the owner's entry holds, and the map's lock. */
void ddb_prefix_map_destroy(ddb_prefix_map *m, void (*drop)(ddb_prefix_entry *e));

#endif
