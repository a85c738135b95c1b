/*
 * server/storage/sequencer.h: sequence numbers for sequenced puts (storage.h), a helper any
 * backend can use.
 *
 * Per prefix it keeps the last number given and the visible watermark: the highest number below
 * which every number given has been applied (or lost to a failed write, which leaves a gap the
 * contract allows). A write takes its numbers (an atomic add), is applied like any other write
 * (so concurrent writes still share RocksDB's group commit), and then reports them done; the
 * watermark moves over every contiguous done number (a compare-and-swap when it is the next one,
 * the prefix's lock otherwise). Readers read a prefix up to the watermark (ddb_store_seq_last),
 * so they see its numbers in order with no gap that could still fill. Writes without sequenced
 * puts never touch it.
 */
#ifndef DDB_SEQUENCER_H
#define DDB_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "server/storage/storage.h"

typedef struct ddb_sequencer ddb_sequencer;
typedef struct ddb_seq_entry ddb_seq_entry;

/* Reads the highest number stored under a prefix (0: none); called once per prefix. */
typedef uint64_t (*ddb_seq_load)(void *ctx, const char *prefix, size_t plen);

ddb_sequencer *ddb_sequencer_new(ddb_seq_load load, void *ctx);
/* A ddb_seq_load for any backend (ctx: its ddb_store): the prefix's last stored key, read
   backwards through ddb_store_seq_iter_open, which does not consult the sequencer, or its floor
   when that is higher (its keys trimmed: the metadata key below, which the backend's trim writes
   with its delete). */
uint64_t ddb_sequencer_load_stored(void *ctx, const char *prefix, size_t plen);
/* The metadata key that keeps a prefix's floor, "ddbd/seqfloor/" and the prefix (arena memory);
   its value is the floor, 8 bytes big-endian. */
char *ddb_sequencer_floor_key(ddb_arena *a, const char *prefix, size_t plen, size_t *klen);
/* The same with the read's status: DDB_STORE_OK (and *last, 0 when nothing is stored) or an error. */
int ddb_sequencer_stored_max(ddb_store *s, const char *prefix, size_t plen, uint64_t *last);
void ddb_sequencer_free(ddb_sequencer *q);

/* The numbers one write took (arena memory of the batch). */
typedef struct ddb_seq_hold {
    ddb_seq_entry **entries; /* per sequenced op */
    uint64_t *nums;
    size_t n;
} ddb_seq_hold;

/* Numbers b's sequenced puts: nums[i] for op i (other ops are left alone). Call
   ddb_sequencer_end after the write, whether it succeeded or not. */
void ddb_sequencer_begin(ddb_sequencer *q, const ddb_batch *b, uint64_t *nums, ddb_seq_hold *h);
void ddb_sequencer_end(ddb_seq_hold *h);

/* The visible watermark of a prefix; and raising a prefix's numbering to at least `floor`. */
uint64_t ddb_sequencer_last(ddb_sequencer *q, const char *prefix, size_t plen);
void ddb_sequencer_floor(ddb_sequencer *q, const char *prefix, size_t plen, uint64_t floor);

#endif
