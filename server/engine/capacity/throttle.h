/*
 * server/engine/capacity/throttle.h: --enforce-capacity: tables and indexes throttle as DynamoDB does.
 *
 * Each provisioned table and GSI has a read and a write token bucket filled at its provisioned
 * rate and holding up to 300 seconds of it (DynamoDB's burst capacity); an on-demand table or GSI
 * with an OnDemandThroughput maximum has the same at its maximum's rate (the rates are the
 * capacity model's, capacity.h: ddb_capacity_enforced_rate), and every partition (64 per table or
 * index, each holding the bucket of the key that dominates it) at 3,000 read and 1,000 write units
 * a second with one second of burst. A request is let in while its buckets hold a unit, and what
 * it consumed (the capacity the operations already compute, ops_common.c), in units as DynamoDB
 * counts them (a 20 KB write is 20 units of its partition, not one request), is taken afterwards,
 * so a bucket may go below zero as DynamoDB's do: the requests after it wait until it refills.
 * The buckets and that rule are the one model (bucket.h) the hot-partition model reports by.
 *
 * A bucket is one atomic word, the moment (on the meter clock, clock.h, so /ddbd/clock moves it
 * forward and a step back leaves it) at which it is empty; taking units moves the moment forward
 * (compare-and-swap); a table's partitions are under its slot's lock. With the option off nothing
 * is looked at.
 *
 * A refusal carries DynamoDB's 2025 ThrottlingReasons entry (API_ThrottlingReason): its reason,
 * Table|Index + Read|Write + ProvisionedThroughputExceeded | KeyRangeThroughputExceeded |
 * MaxOnDemandThroughputExceeded, and the table's or index's ARN. What production would have
 * throttled without the option is the hot-partition model's (hot.h), which refuses nothing and
 * counts what this would refuse.
 */
#ifndef DDB_THROTTLE_H
#define DDB_THROTTLE_H

#include <stddef.h>

#include "proto/arena.h"
#include "server/base/error.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"

/* One engine's buckets (capacity_feature.h: ddb_throttle_of): made by the wiring when --enforce-capacity is on
   (NULL, the option off: every call below does nothing), freed with the engine. */
typedef struct ddb_throttle ddb_throttle;
ddb_throttle *ddb_throttle_new(void);
void ddb_throttle_free(ddb_throttle *th);

/* 0, or the error (DDB_E_THROUGHPUT_EXCEEDED, DDB_E_THROTTLING) recorded in *err with its text and
   its ThrottlingReasons entry (reason and resource ARN, in `a`), when a write of `key` in t would
   be throttled (the table, the key's partition, a GSI's back-pressure). */
int ddb_throttle_write(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_key *key, ddb_error *err);
/* The same for a read of t, or of its index ix (NULL: the table), of the partition of `key` (a
   stored key; NULL for a Scan). */
int ddb_throttle_read(ddb_throttle *th, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const char *key,
                      size_t klen, ddb_error *err);
/* Takes what a request consumed from t's buckets: `table` units, and index[i] from t's GSI i
   (t->indexes order); `write` says which buckets. */
void ddb_throttle_take(ddb_throttle *th, const ddb_table *t, int write, double table, const double *index);
/* Takes `units` from the partition of `key` (a stored key, as ddb_throttle_write or _read had it) in
   t, or in its index ix for a read: a request's units, once known (the item's size). */
void ddb_throttle_take_partition(ddb_throttle *th, const ddb_table *t, const ddb_index *ix, int write,
                                 const char *key, size_t klen, double units);

#endif
