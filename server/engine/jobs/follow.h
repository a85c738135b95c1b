/*
 * server/engine/jobs/follow.h: the thread of a follower of the engine's committed changes (the
 * stream triggers, the Kinesis delivery, replication): base/follower.h's loop on its worker's
 * sleeper, each pass holding the catalog, so that the tables it reads stay valid until it ends
 * (catalog.h); its naps hold nothing.
 */
#ifndef DDB_JOBS_FOLLOW_H
#define DDB_JOBS_FOLLOW_H

#include "server/base/follower.h"
#include "server/base/worker.h"
#include "server/engine/engine.h"

/* Runs pass(ctx) under the catalog's hold until w is halted. */
void ddb_follow_engine(ddb_engine *eng, ddb_worker *w, const ddb_follow_pace *pace, ddb_follow_pass pass, void *ctx);

#endif
