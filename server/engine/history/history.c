/*
 * server/engine/history/history.c: the feature row "history" (see history.h): a change's stream,
 * Kinesis and point-in-time log records, in the same commit; their bytes count for the memory
 * budget once the commit lands (retention.h).
 */
#include "server/engine/history/history.h"

#include <stdlib.h>

#include "server/base/clock.h"
#include "server/engine/derive.h"
#include "server/engine/history/kinesis_log.h"
#include "server/engine/history/kinesis_member.h"
#include "server/engine/history/pitr_log.h"
#include "server/engine/history/streams.h"

ddb_history *ddb_history_new(void)
{
    ddb_history *h = calloc(1, sizeof(ddb_history));

    if (h != NULL)
        pthread_mutex_init(&h->pitr_lock, NULL);
    return h;
}

static void history_close(void *state)
{
    ddb_history *h = state;

    ddb_retention_free(h->retention);
    pthread_mutex_destroy(&h->pitr_lock);
    free(h);
}

ddb_history *ddb_history_of(const ddb_engine *eng)
{
    return ddb_engine_feature(eng, &ddb_feature_history);
}

ddb_retention *ddb_retention_of(const ddb_engine *eng)
{
    const ddb_history *h = ddb_engine_feature(eng, &ddb_feature_history);

    return h != NULL ? h->retention : NULL;
}

void ddb_engine_retain(ddb_engine *eng, ddb_retained_kind k, uint64_t bytes)
{
    const ddb_history *h = ddb_engine_feature(eng, &ddb_feature_history);

    if (h != NULL && ddb_retention_add(h->retention, k, bytes) && h->over_budget != NULL)
        h->over_budget(eng);
}

/* The bytes of retained history a run's records add (its scratch: arena memory, made by the first
   record of the run). */
static void kept(const ddb_feature_slot *f, ddb_decision *d, ddb_retained_kind k, const ddb_batch *out, size_t from)
{
    uint64_t *bytes = d->now.scratch[f->index];

    if (bytes == NULL)
        d->now.scratch[f->index] = bytes = DDB_NEW_ARRAY(d->a, uint64_t, DDB_RET__COUNT);
    bytes[k] = ddb_retention_batch_bytes(out, from);
}

/* a delete by the service (TTL's) has no Key of its own: the records' Keys come from the old image */
static int wants_old(const ddb_decision *d)
{
    const ddb_table *t = d->m->t;

    return (t->stream.id != 0 || t->kinesis_log != 0) && d->m->keyattrs == NULL && d->now.kind == DDB_MUT_DELETE;
}

/* The stream record: a write that changes nothing makes none; a global table's carries its write
   time, and the hold an injected ReplicationLag put on it (replication.h). */
static void stream_record(const ddb_feature_slot *f, ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->stream.id == 0 || !ddb_decision_changed(r))
        return;
    ddb_stream_add_record(r->a, m->t, &m->key, ddb_decision_keys_item(r), r->now.old, r->now.oldlen, r->now.val,
                          r->now.vlen, m->stream_flags | (m->origin.replicated ? DDB_REC_REPLICATED : 0),
                          m->t->rep.id != 0 ? r->now.wtime : ddb_clock_now_ms(),
                          m->origin.replicated ? 0 : m->repl_hold_ms, out);
    kept(f, r, DDB_RET_STREAM, out, from);
}

/* The Kinesis destination's record (kinesis_log.h): a write that changes nothing makes none. */
static void kinesis_record(const ddb_feature_slot *f, ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->kinesis_log == 0 || !ddb_decision_changed(r))
        return;
    ddb_kinesis_add_record(r->a, m->t, ddb_decision_keys_item(r), r->now.old, r->now.oldlen, r->now.val, r->now.vlen,
                           m->stream_flags, ddb_clock_now_us(), out);
    kept(f, r, DDB_RET_KINESIS, out, from);
}

/* The point-in-time log record (pitr_log.h), the item's new image or its removal: every write that
   leaves or finds an item, changed or not. */
static void pitr_record(const ddb_feature_slot *f, ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->pitr.log == 0 || !(r->out->has_new || r->out->had_old))
        return;
    ddb_pitr_add_record(r->a, m->t, &m->key, r->now.val, r->now.vlen, ddb_clock_now_ms(), out);
    kept(f, r, DDB_RET_PITR, out, from);
}

static void derive(const ddb_feature_slot *f, ddb_decision *d, ddb_batch *out)
{
    const ddb_table *t = d->m->t;

    if ((t->stream.id | t->kinesis_log | t->pitr.log) == 0)
        return;
    stream_record(f, d, out);
    kinesis_record(f, d, out);
    pitr_record(f, d, out);
}

/* After a commit: the retained history it wrote counts against the memory budget, and a kind it
   took past its limit wakes the trim (retention.h); stream or Kinesis records wake their followers
   (followed_write), which would otherwise see them at their next poll. */
static void committed(const ddb_feature_slot *f, ddb_engine *eng, ddb_arena *a, const ddb_decision *runs, size_t n)
{
    const ddb_history *h = f->state;

    (void)a;
    for (size_t i = 0; i < n; i++) {
        const uint64_t *bytes = runs[i].now.scratch[f->index];
        if (bytes == NULL)
            continue;
        for (int k = 0; k < DDB_RET__COUNT; k++)
            if (bytes[k] != 0 && ddb_retention_add(h->retention, (ddb_retained_kind)k, bytes[k]) &&
                h->over_budget != NULL)
                h->over_budget(eng);
        if ((bytes[DDB_RET_STREAM] | bytes[DDB_RET_KINESIS]) != 0 && h->followed_write != NULL)
            h->followed_write(eng, runs[i].m->t);
    }
}

/* GET /metrics: the memory budget's counts of retained history. */
static void metrics(const ddb_feature_slot *f, ddb_engine *eng, ddb_buf *out)
{
    const ddb_history *h = f->state;

    (void)eng;
    ddb_retention_metrics(h->retention, out);
}

/* its table members: the stream's, the Kinesis destinations', point-in-time recovery's */
static const ddb_table_member *const members[] = {&ddb_member_stream, &ddb_member_stream_spec, &ddb_member_kinesis,
                                                  &ddb_member_pitr, NULL};

const ddb_feature ddb_feature_history = {.name = "history", .close = history_close, .members = members,
                                         .wants_old = wants_old,
                                         .derive = derive, .committed = committed, .committed_on_scratch = 1,
                                         .metrics = metrics};
