/*
 * server/engine/capacity/hot.h: hot partitions as production would see them (issue 53, section 3).
 *
 * Observes every client request's partition loads, always (the meter records them: meter.h),
 * and keeps, per table and per global secondary index, what DynamoDB's limits would have made of
 * them, without refusing anything (--enforce-capacity refuses: throttle.h):
 *  - whether production would throttle a load: the one model --enforce-capacity refuses by
 *    (bucket.h), so what the option refuses is what this counts: the table's (or GSI's) own
 *    bucket, a provisioned table's units a second with 300 seconds of unused capacity kept (burst
 *    capacity) or an on-demand table's OnDemandThroughput maximum, then the partition's, one
 *    key's bucket of 3,000 read or 1,000 write units a second (adaptive capacity isolates a hot
 *    item in its own partition, and no partition serves more); what production would refuse is
 *    not taken from them. DDB_HOT_REPORTS would-be-throttled keys (or limits) are remembered
 *    with their first and last such second, the requests refused and the peak rate;
 *  - each partition key's units in the current second, read and write apart, in DDB_HOT_BUCKETS
 *    buckets by the key's hash, each keeping the key that dominates it this second and a lower
 *    bound of that key's load (a majority vote: hot.c), for the reports' peak rates;
 *  - the table's units each second, for its peak (the partitions estimated from it and from the
 *    table's size: server/engine/report/hot_report.c) and an on-demand table's scaling, max(its
 *    initial 4,000 write / 12,000 read units a second, twice its previous peak), which only this
 *    reports (--enforce-capacity does not refuse by it): limits and partitions are the capacity
 *    model's (capacity.h), as --enforce-capacity's are.
 * Memory is fixed: DDB_HOT_SLOTS slots of sizeof(ddb_hot_slot) (ddb_hot_memory_bytes); a slot
 * unused the longest is taken over when they are all in use. Each slot has its own spin lock, held
 * for a few dozen instructions per partition load.
 */
#ifndef DDB_HOT_H
#define DDB_HOT_H

#include <stddef.h>
#include <stdint.h>

#include "server/engine/capacity/insights.h"
#include "server/engine/table.h"

#define DDB_HOT_SLOTS 256  /* tables and GSIs observed at once */
#define DDB_HOT_BUCKETS 64 /* buckets of partition keys per table or GSI, for reads and for writes */
#define DDB_HOT_REPORTS 16 /* would-be-throttled keys remembered per table or GSI */

/* One key that would have been throttled (its key form in `key`: [pk_len][pk], maybe truncated). */
typedef struct ddb_hot_report {
    ddb_ci_top key;       /* key.hash 0: the table's own limit, not a key's */
    int write;
    const char *limit;    /* "KeyRangeThroughputExceeded", "ProvisionedThroughputExceeded", ... */
    uint64_t requests;    /* requests beyond the limit */
    int64_t first_second, last_second, peak_second; /* seconds since the epoch, server's clock */
    double peak_units;    /* the most units it asked for in one second */
    double limit_units;   /* the limit it went over, units a second */
} ddb_hot_report;

/* What a table or GSI's slot holds, copied out for a reader. */
typedef struct ddb_hot_view {
    double peak[2];           /* the most units in one second: [0] read, [1] write */
    int64_t peak_second[2];
    uint64_t throttled;       /* requests that would have been throttled */
    size_t nreports;
    ddb_hot_report reports[DDB_HOT_REPORTS];
} ddb_hot_view;

/* One engine's model (capacity_feature.h: ddb_hot_of), made by the wiring, freed with the engine; every call
   below takes NULL as a model that observes nothing. */
typedef struct ddb_hot ddb_hot;
ddb_hot *ddb_hot_new(void);
void ddb_hot_free(ddb_hot *hot);

/* Observes `units` of a client's request on the partition of the stored key `key` (an item's or an
   index entry's, keycodec.h) of t, or of its index ix (a GSI's own partitions; an LSI's are its
   table's). Nothing for a key shorter than a partition's prefix (a Scan). */
void ddb_hot_observe(ddb_hot *hot, const ddb_table *t, const ddb_index *ix, int write, const char *key, size_t klen,
                     double units);

/* The slot of key prefix id `id` (a table's or a GSI's) copied into *v; 0 when it has none. */
int ddb_hot_view_of(ddb_hot *hot, uint32_t id, ddb_hot_view *v);

/*
 * The forecast's shares (issue 64, server/engine/report/forecast.c): each bucket also keeps the same
 * majority vote over everything its slot observed (never reset), and the slot the units of all its
 * keys, so a key's share of the table's (or GSI's) keyed traffic is known at report time to within
 * the other keys of its bucket, from below (a share is never overstated).
 */
typedef struct ddb_hot_share {
    uint64_t hash;  /* the partition hash | 1 (the stored key's bytes 4..11, low bit set) */
    double units;   /* a lower bound of the units it was observed to take */
} ddb_hot_share;

/* The keys that own the buckets of key prefix id `id`'s reads (write 0) or writes over everything
   observed, into out (any order), and all its units in *total; returns how many (0: no slot). */
size_t ddb_hot_shares_of(ddb_hot *hot, uint32_t id, int write, ddb_hot_share out[DDB_HOT_BUCKETS], double *total);

/* Bytes an engine's model holds (fixed). */
size_t ddb_hot_memory_bytes(void);

#endif
