/*
 * server/engine/history/derive_pitr.c: the derived record "pitr" (derive.def): a write's point-in-time log
 * record (pitr_log.h), the item's new image or its removal, in the same commit; its bytes count
 * for the memory budget once the commit lands (retention.h).
 */
#include "server/base/clock.h"
#include "server/engine/derive.h"
#include "server/engine/history/pitr_log.h"

/* every write that leaves or finds an item, changed or not */
static void derive(ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    size_t from = out->n;

    if (m->t->pitr_log == 0 || !(r->out->has_new || r->out->had_old))
        return;
    ddb_pitr_add_record(r->a, m->t, &m->key, r->now.val, r->now.vlen, ddb_clock_now_ms(), out);
    r->now.kept[DDB_RET_PITR] = ddb_retention_batch_bytes(out, from);
}

const ddb_deriver ddb_derive_pitr = {.name = "pitr", .derive = derive};
