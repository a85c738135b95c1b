/*
 * server/base/batch.h: a compound write being built: puts and deletes of keys of the data and the
 * metadata space, and sequenced puts, in an arena. A store applies one atomically
 * (server/storage/storage.h's ddb_store_write, ddb_store_commit's decisions); the engine and the
 * operations build them (an item's change with its index entries and stream record, a catalog
 * change's records). Nothing here knows a store.
 */
#ifndef DDB_BATCH_H
#define DDB_BATCH_H

#include <stddef.h>

#include "proto/arena.h"

typedef struct ddb_write_op {
    int meta;           /* the metadata space, else the data space */
    int is_delete;
    const char *key;
    size_t klen;
    const char *val;
    size_t vlen;
    int sequenced;      /* a sequenced put: `key` is the prefix (ddb_batch_put_seq) */
} ddb_write_op;

typedef struct ddb_batch {
    ddb_write_op *ops;
    size_t n, cap;
    ddb_arena *arena;
    /* What the write does, for the disk guard (server/storage/diskguard.h): one that removes
       (an item's deletion, a table's or a backup's) and adds no item may go ahead while the disk
       is short of space, so that a user can free space through the API. Set by the writes'
       makers (an item's write sets one or the other); neither: the write is refused there. */
    unsigned char removes, adds;
} ddb_batch;

void ddb_batch_init(ddb_batch *b, ddb_arena *a);
void ddb_batch_put(ddb_batch *b, const char *key, size_t klen, const char *val, size_t vlen);
void ddb_batch_delete(ddb_batch *b, const char *key, size_t klen);
void ddb_batch_meta_put(ddb_batch *b, const char *key, size_t klen, const char *val, size_t vlen);
void ddb_batch_meta_delete(ddb_batch *b, const char *key, size_t klen);
/* 1 when b only removes (see `removes`): the disk guard lets it through below its reserve. */
static inline int ddb_batch_only_removes(const ddb_batch *b)
{
    return b->removes && !b->adds;
}
/* Appends every op of `src` to `b` (and what it does). */
void ddb_batch_append(ddb_batch *b, const ddb_batch *src);
/*
 * A sequenced put (stream records): the data key is `prefix` followed by an 8-byte big-endian
 * sequence number that the backend assigns when the write is applied, greater than the number of
 * every earlier sequenced put under the same prefix. Numbers become visible in order through
 * ddb_store_seq_last: every number up to it has been applied (or lost to a failed write, a gap
 * that never fills), so a reader that reads a prefix up to that number sees its records in order
 * and never misses one that appears later below it. (Keys above it may already be stored; readers
 * leave them for later.) Numbers start at 1 and are never reused, also after the keys are
 * deleted by a trim (ddb_store_seq_trim), whose floor keeps the numbering above them. They are
 * read with ddb_store_seq_iter_open (the backend places them as it likes) and deleted with
 * ddb_store_delete_range_all.
 */
void ddb_batch_put_seq(ddb_batch *b, const char *prefix, size_t plen, const char *val, size_t vlen);

#endif
