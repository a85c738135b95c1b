/*
 * server/storage/rados/rados_seq.h: sequenced puts on RADOS, numbered by counters in the store
 * (rados_seq.c): numbering a write (rados_write.c), and storage.h's watermark and floor (rados.c).
 */
#ifndef DDB_RADOS_SEQ_H
#define DDB_RADOS_SEQ_H

#include "server/storage/rados/rados_plan.h"

/* The prefixes this gateway numbers. */
typedef struct rs_seqs rs_seqs;
rs_seqs *rs_seqs_new(void);
void rs_seqs_free(rs_seqs *q);

/* Numbering a write's sequenced puts in the store. rs_seq_begin lists the write's prefixes
   (NULL: it has no sequenced put); rs_seq_number, once per attempt, locks them, reads their
   counters (or takes the ones this gateway kept), fills nums[i] for each sequenced op i of b, adds
   the counters' compares and new values to the plan and sets its `marked` hook, which unlocks
   them; rs_seq_end unlocks them if the hook did not run (the attempt ended before). */
typedef struct rs_seq_hold rs_seq_hold;
rs_seq_hold *rs_seq_begin(ddb_store *s, const ddb_batch *b, ddb_arena *a);
int rs_seq_number(ddb_store *s, rs_seq_hold *h, const ddb_batch *b, rs_plan *p, uint64_t *nums);
void rs_seq_end(rs_seq_hold *h);

/* storage.h's ddb_store_seq_last; and raising a prefix's stored counter to at least `floor`, the
   first half of ddb_store_seq_trim (rados_write.c): DDB_STORE_OK once it is, or an error. */
uint64_t rs_seq_last(ddb_store *s, const char *prefix, size_t plen);
int rs_seq_floor(ddb_store *s, const char *prefix, size_t plen, uint64_t floor);

#endif
