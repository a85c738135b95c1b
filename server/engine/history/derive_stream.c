/*
 * server/engine/history/derive_stream.c: the derived record "stream" (derive.def): a change's DynamoDB
 * stream record, in the same commit (streams.h); its bytes count for the memory budget once the
 * commit lands (retention.h).
 */
#include "server/base/clock.h"
#include "server/engine/derive.h"
#include "server/engine/history/streams.h"

/* a delete by the service (TTL's) has no Key of its own: the record's Keys come from the old image */
static int wants_old(const ddb_decision *d)
{
    return d->m->t->stream_id != 0 && d->m->keyattrs == NULL && d->now.kind == DDB_MUT_DELETE;
}

/* a write that changes nothing makes no record; a global table's carries its write time, and the
   hold an injected ReplicationLag put on it (replication.h) */
static void derive(ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->stream_id == 0 || !ddb_decision_changed(r))
        return;
    ddb_stream_add_record(r->a, m->t, &m->key, ddb_decision_keys_item(r), r->now.old, r->now.oldlen, r->now.val,
                          r->now.vlen, m->stream_flags | (m->origin.replicated ? DDB_REC_REPLICATED : 0),
                          m->t->rep_id != 0 ? r->now.wtime : ddb_clock_now_ms(),
                          m->origin.replicated ? 0 : m->repl_hold_ms, out);
    r->now.kept[DDB_RET_STREAM] = ddb_retention_batch_bytes(out, from);
}

const ddb_deriver ddb_derive_stream = {.name = "stream", .wants_old = wants_old, .derive = derive};
