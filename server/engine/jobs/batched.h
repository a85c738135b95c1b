/*
 * server/engine/jobs/batched.h: a long copy's writes, in batches. Its puts gather in one batch over
 * an arena; every `every` of them the batch is written and the arena reset, so a copy of any size
 * holds one batch's memory. The backup's copy (backups.c), PITR's fold (pitr.c) and a namespace
 * snapshot's keys going back in (engine/xfer/keyspace_copy.c) write this way.
 */
#ifndef DDB_BATCHED_H
#define DDB_BATCHED_H

#include "proto/arena.h"
#include "server/base/batch.h"
#include "server/storage/storage.h"

typedef struct ddb_batched {
    ddb_store *store;
    ddb_arena a; /* the batch's keys and values: put them in w->b from here */
    ddb_batch b;
    int n;       /* the puts in b; 0 right after a write */
    int every;
} ddb_batched;

void ddb_batched_init(ddb_batched *w, ddb_store *s, int every);
/* Counts a put made into w->b: when it is the batch's `every`th, writes the batch and starts the
   next (what came from the arena is gone). DDB_STORE_OK or the write's error. */
int ddb_batched_count(ddb_batched *w);
/* The copy's end: when rc is DDB_STORE_OK, writes what is left; frees w. Returns rc, or that
   write's error. */
int ddb_batched_end(ddb_batched *w, int rc);

#endif
