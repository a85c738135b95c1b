/*
 * server/engine/xfer/keyspace_copy.h: a keyspace's keys and values copied out of the store into memory,
 * and back in: the namespace snapshots' raw copies (xfer/nssnap.h), so that no door reads or
 * writes the store's keys itself.
 *
 * A copy holds each key without its four-byte keyspace id, so it can go back under the same id (a
 * table reset in place) or another (the table created again under new ids), and the keys keep
 * their partition hashes and order either way.
 */
#ifndef DDB_KEYSPACE_COPY_H
#define DDB_KEYSPACE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/buf.h"
#include "server/engine/engine.h"

typedef struct ddb_keyspace_copy {
    uint32_t id;                     /* in: the keyspace copied (a table's items, an index's entries, ...) */
    int counted;                     /* in: count its items and bytes too (table_stats.h's figures) */
    unsigned long long items, bytes; /* out, when counted */
    ddb_buf kv;                      /* out: [klen u32][vlen u32][key without its id][value]... */
} ddb_keyspace_copy;

/* Whether keyspaces can be copied: not on a store several servers share (storage.h), whose other
   servers would write past the copy meanwhile. */
int ddb_keyspace_copy_supported(const ddb_engine *eng);

/* Copies the n keyspaces, each as ks[i]->id and ->counted say, all as of one storage snapshot (a
   table's items and its index entries agree). 0, or -1 when a read failed (the store logged it). */
int ddb_keyspaces_copy_out(ddb_engine *eng, ddb_keyspace_copy *const *ks, size_t n);

/* Writes a copy's keys and values under keyspace `id`, in batches; with `replace`, every key the
   keyspace holds is deleted first. 0, or -1 when a write failed (the store logged it). The keys go
   in past the mutation pipeline: the caller sets the figures (ddb_table_stats_set). */
int ddb_keyspace_copy_in(ddb_engine *eng, const ddb_keyspace_copy *ks, uint32_t id, int replace);

void ddb_keyspace_copy_free(ddb_keyspace_copy *ks);

#endif
