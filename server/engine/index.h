/*
 * server/engine/index.h: secondary index entries: their keys, their projected values, and the
 * checks a written item's index key attributes must pass.
 *
 * An index is a keyspace of its own, prefixed by its id (docs/storage-format.md):
 *
 *   [index_id u32][part_hash u64][pk_len u16][pk bytes][sort parts][base key without its table id]
 *
 * pk bytes are the key form of the index's partition key (the concatenation of each part's
 * escaped form when it has several); the partition hash places entries on shards like items, and
 * an LSI's partition is its table's, so its entries sit beside the items. Each sort part is its
 * key form escaped (00 -> 00 FF) and terminated (00 01), which keeps byte order equal to DynamoDB's
 * order across several parts and lets the base key follow: entries with equal index keys stay
 * distinct and are ordered by the base table's key.
 */
#ifndef DDB_INDEX_H
#define DDB_INDEX_H

#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"

/*
 * The entry key of `item` in `ix` (base: the item's own key). Returns 0, or 1 when the item is
 * not in the index (an index key attribute is missing or has another type: sparse indexes).
 */
int ddb_index_entry_key(ddb_arena *a, const ddb_store *store, const ddb_index *ix, const ddb_attr *item,
                        const ddb_key *base, ddb_key *out);

/*
 * Where the item's own key (its table key without the table id) starts in index entry key `key`:
 * the entry's suffix after the partition and the sort parts. 0 with *off, or -1 when the bytes
 * are not an entry of ix. Eventually consistent reads tell an entry's item by it (engine/emulate/).
 */
int ddb_index_entry_base(const ddb_index *ix, const char *key, size_t klen, size_t *off);

/* The entry's value: the item reduced to the index's projection (table and index keys always kept). */
void ddb_index_project(ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_attr *item, ddb_attr *out);

/* Whether attribute `name` is projected into the index (keys of the table and the index included). */
int ddb_index_projects(const ddb_table *t, const ddb_index *ix, const char *name, size_t nlen);

/*
 * DynamoDB's checks of the GSI and LSI key attributes of an item about to be written: a present
 * attribute must have the declared type and, for S and B, be non-empty. NULL, or the
 * ValidationException message (UpdateItem words an empty value its own way: `by_update`). A write
 * is checked by mutation.h's ddb_engine_check_item: these, then the feature rows' own kinds of
 * index (a vector index's: feature.h's check_item).
 */
const char *ddb_index_check_item(ddb_arena *a, const ddb_table *t, const ddb_attr *item, int by_update);
/* The message for an empty S or B value (`type`) of index `index`'s key attribute `key` (an index's
   and a vector index's partition key alike). */
const char *ddb_index_empty_key_message(ddb_arena *a, int type, const char *index, const char *key);

/* The partition prefix of an index Query (bytes up to the sort parts) from the partition key values. */
void ddb_index_partition_key(ddb_arena *a, const ddb_store *store, const ddb_index *ix, const ddb_attr *const *hash_vals,
                             ddb_key *out);
/* Appends one escaped, terminated sort part; with `open`, without the terminator (begins_with). */
void ddb_index_append_sort_part(ddb_arena *a, const char *prefix, size_t plen, const ddb_attr *v, int open, char **out,
                                size_t *outlen);

#endif
