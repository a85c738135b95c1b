/*
 * server/engine/history/history.h: retained history as a feature of the engine (feature.h): the
 * row "history" (server/features.def) adds a change's DynamoDB stream record (streams.h), its
 * Kinesis data stream destination's record (kinesis_log.h) and its point-in-time log record
 * (pitr_log.h) to the commit, in that order, for a table that has each; once the commit lands,
 * their bytes count against the memory budget (retention.h) and the followers that read them are
 * nudged.
 */
#ifndef DDB_HISTORY_H
#define DDB_HISTORY_H

#include <pthread.h>

#include "server/engine/engine.h"
#include "server/engine/history/retention.h"

/* The row; its state is a ddb_history (ddb_history_new), always on. */
extern const ddb_feature ddb_feature_history;

typedef struct ddb_history {
    /* the memory budget of retained history (retention.h; --in-memory only, else NULL), and what a
       commit that takes a kind past its limit calls: the wiring wakes the worker's trim */
    ddb_retention *retention;
    void (*over_budget)(ddb_engine *eng);
    /* called after a commit that wrote `t`'s stream or Kinesis records: the wiring nudges the
       followers that read them (base/follower.h: wake-up on commit); NULL when none runs */
    void (*followed_write)(ddb_engine *eng, const ddb_table *t);
    /* held by a point-in-time restore from its window check until its table exists, and by the
       trim (engine/jobs/pitr.h: ddb_pitr_lock) */
    pthread_mutex_t pitr_lock;
} ddb_history;

/* An empty state (the wiring fills it); the row's close frees it and its budget. */
ddb_history *ddb_history_new(void);
/* eng's (NULL: it has no history row). */
ddb_history *ddb_history_of(const ddb_engine *eng);

#endif
