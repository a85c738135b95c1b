/*
 * server/base/groupcommit.h: durable acknowledgements without one fsync per write (--sync).
 *
 * A write that returned is applied and in the log, which survives the process's crash but not a
 * power loss until the log is synced. Syncing inside every write costs one fsync per write on the
 * HTTP loop (3.8k writes/s here, however many clients). Instead writes only count themselves
 * (`written`), and one sync thread syncs the log for all writes so far at once, then publishes
 * that count as `durable` and tells its subscriber (the HTTP front), which holds back every answer
 * given after the write it may depend on until `durable` reaches it. One fsync thus covers every
 * write that arrived while the previous one ran: the more writers, the larger the groups.
 *
 * Backend-independent: the backend supplies `sync` (RocksDB: sync the write-ahead log) and calls
 * ddb_groupcommit_note after each applied write. A sync that fails is retried (every 100 ms, with
 * a log line a second) and `durable` does not move meanwhile: nothing is acknowledged as durable
 * that is not.
 */
#ifndef DDB_GROUPCOMMIT_H
#define DDB_GROUPCOMMIT_H

#include <stdint.h>

typedef struct ddb_groupcommit ddb_groupcommit;

/* Starts the sync thread; `sync(ctx)` makes every write applied before the call durable and
   returns 0, or nonzero on failure. */
ddb_groupcommit *ddb_groupcommit_start(int (*sync)(void *ctx), void *ctx);
/* Syncs what is left and stops the thread. */
void ddb_groupcommit_stop(ddb_groupcommit *g);

/* Called after every applied write (any thread). */
void ddb_groupcommit_note(ddb_groupcommit *g);

uint64_t ddb_groupcommit_written(const ddb_groupcommit *g);
uint64_t ddb_groupcommit_durable(const ddb_groupcommit *g);
/* Syncs performed (each covers one group), for GET /metrics. */
uint64_t ddb_groupcommit_syncs(const ddb_groupcommit *g);

/* `cb(arg)` runs on the sync thread after each advance of `durable` (one subscriber; NULL
   unsubscribes, after waiting for a call in progress). */
void ddb_groupcommit_subscribe(ddb_groupcommit *g, void (*cb)(void *arg), void *arg);

#endif
