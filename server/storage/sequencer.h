/*
 * server/storage/sequencer.h: sequence numbers for sequenced puts (storage.h), a helper any
 * backend can use.
 *
 * Per prefix it keeps the last number given and a lock. A write with sequenced puts locks its
 * prefixes (in byte order, so two writes never wait on each other in a cycle), numbers its puts,
 * is applied, and only then unlocks: the next write under a prefix is numbered after this one
 * became visible, which is what makes the numbers of a prefix visible in order. Writes without
 * sequenced puts never touch it.
 */
#ifndef DDB_SEQUENCER_H
#define DDB_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

typedef struct ddb_sequencer ddb_sequencer;
typedef struct ddb_seq_entry ddb_seq_entry;

/* Reads the highest number stored under a prefix (0: none); called once per prefix. */
typedef uint64_t (*ddb_seq_load)(void *ctx, const char *prefix, size_t plen);

ddb_sequencer *ddb_sequencer_new(ddb_seq_load load, void *ctx);
void ddb_sequencer_free(ddb_sequencer *q);

/* The locks one write holds (arena memory of the batch). */
typedef struct ddb_seq_hold {
    ddb_seq_entry **entries;
    size_t n;
} ddb_seq_hold;

/*
 * Locks the prefixes of b's sequenced puts and numbers them: nums[i] for op i (other ops are left
 * alone). Call ddb_sequencer_end after the write, whether it succeeded or not (a failed write
 * leaves a gap, which the contract allows).
 */
void ddb_sequencer_begin(ddb_sequencer *q, const ddb_batch *b, uint64_t *nums, ddb_seq_hold *h);
void ddb_sequencer_end(ddb_seq_hold *h);

/* The last number of a prefix; raising it to at least `floor`. */
uint64_t ddb_sequencer_last(ddb_sequencer *q, const char *prefix, size_t plen);
void ddb_sequencer_floor(ddb_sequencer *q, const char *prefix, size_t plen, uint64_t floor);

#endif
