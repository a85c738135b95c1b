/*
 * server/engine/jobs/streams_trim.h: the streams' work outside requests (engine/history/streams.h): a new
 * generation of shards when the store's shard count grew (at start), the 24-hour trim of records,
 * and the end of streams disabled (or whose table was deleted) 24 hours ago (the worker's sweep).
 */
#ifndef DDB_STREAMS_TRIM_H
#define DDB_STREAMS_TRIM_H

#include "server/engine/jobs/tasks.h"

/* At start: a new generation for every enabled stream whose shard count grew. 0, or -1 and *err. */
int ddb_streams_reshard(ddb_engine *eng, char **err);
/* The memory budget's trim (engine/history/retention.h): deletes the oldest records of all streams, oldest
   first whatever their stream or shard, until they add up to `want` bytes, and gives their memory
   back (ddb_store_reclaim). A reader at a deleted position gets TrimmedDataAccessException, as
   after the 24-hour trim. Returns the bytes deleted. */
uint64_t ddb_streams_trim_oldest(ddb_engine *eng, uint64_t want);

/* The worker's sweep of them (every expiry interval: expiry.h): deletes records older than 24
   hours, and streams disabled for 24 hours. */
extern const ddb_job ddb_job_stream_trim;

#endif
