/*
 * server/engine/derive_write_time.h: a global table's item write times (derive_write_time.c), as
 * the replication reads and writes them.
 */
#ifndef DDB_DERIVE_WRITE_TIME_H
#define DDB_DERIVE_WRITE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/engine/feature.h"
#include "server/storage/storage.h"

/* The feature row (feature.h; server/features.def): always on, a table without replicas skipped. */
extern const ddb_feature ddb_feature_write_time;

/* A global table's item write time, as stored: "<ms> <region>" under the item's key with the
   table's rep.id in place of its id. */
typedef struct ddb_write_time {
    uint64_t ms;
    const char *region; /* within the value; "" (rlen 0) when there is none */
    size_t rlen;
} ddb_write_time;
void ddb_write_time_key(ddb_arena *a, uint32_t rep_id, const char *item_key, size_t klen, ddb_store_key *out);
/* The stored value parsed; a NULL value (no write recorded) is time 0, region "". */
ddb_write_time ddb_write_time_parse(const char *v, size_t vlen);

#endif
