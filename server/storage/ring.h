/*
 * server/storage/ring.h: consistent hashing of partitions onto local shards.
 *
 * A partition key is hashed (SipHash-2-4 under the data directory's key) to 64 bits. Each shard owns
 * DDB_RING_VNODES points on a 64-bit ring; a partition belongs to the shard owning the first point
 * at or after its hash (wrapping). Growing from n to n+1 shards moves about 1/(n+1) of the
 * partitions, and only those, which is what lets a data directory change its shard count by
 * moving just the partitions whose owner changed.
 */
#ifndef DDB_RING_H
#define DDB_RING_H

#include <stddef.h>
#include <stdint.h>

#define DDB_RING_VNODES 128
#define DDB_HASH_KEY_BYTES 16

typedef struct ddb_ring_point {
    uint64_t pos;
    uint32_t shard;
} ddb_ring_point;

typedef struct ddb_ring {
    unsigned nshards;
    size_t npoints;
    ddb_ring_point *points; /* sorted by pos */
    unsigned char key[DDB_HASH_KEY_BYTES];
} ddb_ring;

/*
 * The hash key a new data directory (and every --in-memory start, and a new RADOS pool) stores:
 * the same everywhere, so the same keys scan in the same order on every start and every machine,
 * as DynamoDB's order is fixed (issue 52). A directory made before stored 16 random bytes, which it
 * keeps: the hash is in every stored key (docs/storage-format.md).
 */
extern const unsigned char ddb_ring_fixed_key[DDB_HASH_KEY_BYTES];

/* Builds the ring for `nshards`; returns 0 or -1 (allocation). */
int ddb_ring_init(ddb_ring *r, unsigned nshards, const unsigned char key[DDB_HASH_KEY_BYTES]);
void ddb_ring_free(ddb_ring *r);
/* The 64-bit hash of an encoded partition key: SipHash-2-4 under the ring's key (a store made
   before issue 62 hashes partitions so; the ring's points always are). */
uint64_t ddb_ring_hash(const ddb_ring *r, const void *pk, size_t len);
/* DynamoDB's partition hash, a store's since issue 62 (storage.h's DDB_HASH_MD5): the first 8
   bytes, big-endian, of MD5("Outliers" || pk). Its first 24 bits order DynamoDB's Scan, its first
   12 its parallel-scan segments (as dynalite reproduces them; docs/storage-format.md). */
uint64_t ddb_md5_partition_hash(const void *pk, size_t len);
/* The shard that owns a partition hash. */
unsigned ddb_ring_owner(const ddb_ring *r, uint64_t hash);

#endif
