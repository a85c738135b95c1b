/*
 * server/engine/itemcodec.h: the on-disk encoding of an item (a compact, versioned binary format;
 * docs/storage-format.md). Layout:
 *
 *   item  := version:u8 (=1) size:varint count:varint (name value){count}
 *   name  := len:varint bytes
 *   value := tag:u8 (ddb_type) payload
 *     S, B, N : len:varint bytes            (N: canonical decimal text)
 *     BOOL    : u8 0|1
 *     NULL    : (nothing)
 *     M       : count:varint (name value)*
 *     L       : count:varint value*
 *     SS, NS, BS : count:varint (len:varint bytes)*
 *
 * `size` is the item's DynamoDB size, so DescribeTable and capacity need not decode the item.
 */
#ifndef DDB_ITEMCODEC_H
#define DDB_ITEMCODEC_H

#include <stddef.h>

#include "proto/arena.h"
#include "proto/attr.h"

#define DDB_ITEM_FORMAT_VERSION 1

/* Encodes an item (an M) into the arena. */
void ddb_item_encode(ddb_arena *a, const ddb_attr *item, size_t item_size, char **out, size_t *len);
/* Decodes into *item; strings point into `buf`, which must outlive it. Returns 0 or -1 (corrupt). */
int ddb_item_decode(ddb_arena *a, const char *buf, size_t len, ddb_attr *item);
/* The stored DynamoDB size, read from the header; 0 if corrupt. */
size_t ddb_item_stored_size(const char *buf, size_t len);
/*
 * Whether two encodings hold the same item by DynamoDB's equality (ddb_attr_equal: maps and sets
 * in any order, numbers by value), which decides that a write changed nothing. Equal items always
 * encode to the same length (numbers are stored canonical; only names and set members can move),
 * so equal bytes answer at once, other lengths too, and only same-length encodings whose bytes
 * differ are decoded (into the arena). A corrupt encoding equals nothing.
 */
int ddb_item_encodings_equal(ddb_arena *a, const char *x, size_t xlen, const char *y, size_t ylen);

#endif
