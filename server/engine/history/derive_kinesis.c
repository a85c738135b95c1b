/*
 * server/engine/history/derive_kinesis.c: the derived record "kinesis" (derive.def): a change's record for
 * the table's Kinesis data stream destination, in the same commit (kinesis_log.h); its bytes count
 * for the memory budget once the commit lands (retention.h).
 */
#include "server/base/clock.h"
#include "server/engine/derive.h"
#include "server/engine/history/kinesis_log.h"

/* a delete by the service (TTL's) has no Key of its own: the record's Keys come from the old image */
static int wants_old(const ddb_decision *d)
{
    return d->m->t->kinesis_log != 0 && d->m->keyattrs == NULL && d->now.kind == DDB_MUT_DELETE;
}

/* a write that changes nothing makes no record */
static void derive(ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->kinesis_log == 0 || !ddb_decision_changed(r))
        return;
    ddb_kinesis_add_record(r->a, m->t, ddb_decision_keys_item(r), r->now.old, r->now.oldlen, r->now.val, r->now.vlen,
                           m->stream_flags, ddb_clock_now_us(), out);
    r->now.kept[DDB_RET_KINESIS] = ddb_retention_batch_bytes(out, from);
}

const ddb_deriver ddb_derive_kinesis = {.name = "kinesis", .wants_old = wants_old, .derive = derive};
