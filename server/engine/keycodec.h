/*
 * server/engine/keycodec.h: the on-disk layout of item keys. Changing it needs a data migration
 * (docs/storage-format.md).
 *
 *   [table_id: u32 BE][part_hash: u64 BE][pk_len: u16 BE][pk bytes][sort key bytes]
 *
 * pk bytes and sort key bytes are the key value's "key form": S as UTF-8, B raw, N in the
 * order-preserving encoding of number.h. The sort key is last, so one partition's items are
 * contiguous and ordered as DynamoDB orders them (bytes for S and B, numeric for N): Query is one
 * RocksDB range. part_hash first spreads partitions and makes a parallel-scan segment a hash range;
 * in a store made since issue 62 it is DynamoDB's (MD5 of "Outliers" and the key's bytes as DynamoDB
 * hashes them: S and B as they are, N in DynamoDB's number bytes), so a Scan returns DynamoDB's order.
 */
#ifndef DDB_KEYCODEC_H
#define DDB_KEYCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "server/base/be.h"
#include "server/storage/storage.h"

#define DDB_KEY_TABLE_BYTES 4
#define DDB_KEY_PREFIX_BYTES 14 /* table id + hash + pk length */
#define DDB_KEY_PARTITION_BYTES 12 /* table id + hash: what ddb_key_part_hash reads (storage.h) */


typedef struct ddb_key {
    char *bytes;
    size_t len;
    size_t part_len;    /* bytes up to the end of the partition key (the partition's prefix) */
    uint64_t part_hash;
} ddb_key;

/* The key form of a key attribute value (S, N or B) into the arena. */
void ddb_key_form(ddb_arena *a, const ddb_attr *v, const char **out, size_t *len);
/* The partition hash of key attribute value v whose key form is form[0..flen): the store's hash of
   the bytes its algorithm reads (ddb_store_hash_alg): DynamoDB's bytes of the value for DynamoDB's
   hash (a number's differ from its key form), the key form for SipHash. */
uint64_t ddb_key_hash(const ddb_store *s, const ddb_attr *v, const char *form, size_t flen);
/* Builds an item key; sk may be NULL for hash-only tables. The partition hash is the store's. */
void ddb_key_build(ddb_arena *a, const ddb_store *s, uint32_t table_id, const ddb_attr *pk, const ddb_attr *sk,
                   ddb_key *out);
/* A ddb_key over stored key bytes (a table's or an index's; not copied). */
void ddb_key_from_stored(const char *bytes, size_t len, ddb_key *out);
/* The partition hash stored in an encoded key (for moving keys between shards). */
uint64_t ddb_key_part_hash(const char *key, size_t klen);
/* [lo, hi) covering every key of a table. */
void ddb_key_table_range(uint32_t table_id, char lo[DDB_KEY_TABLE_BYTES], char hi[DDB_KEY_TABLE_BYTES]);

#endif
