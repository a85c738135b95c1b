/*
 * server/engine/derive_write_time.c: the feature row "write_time" (server/features.def): a
 * global table's item write time and region, read with the item in its commit, decided before the
 * write (last writer wins, mutation.h) and written with it.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/derive.h"
#include "server/engine/derive_write_time.h"

/* Whether write (t1, r1) is later than (t2, r2): by time, then by region name. */
static int rep_newer(uint64_t t1, const char *r1, uint64_t t2, const char *r2, size_t r2len)
{
    size_t l1 = strlen(r1);
    int c;

    if (t1 != t2)
        return t1 > t2;
    c = memcmp(r1, r2, l1 < r2len ? l1 : r2len);
    return c > 0 || (c == 0 && l1 > r2len);
}

/*
 * The write's time and region: a STRONG table's mirrored change takes its source's; a replicated
 * change its own, when newer than the item's last write (else DDB_DECIDE_REP_STALE); a local write
 * now, or just after the last write if that is later (a clock behind another region's still orders
 * the item's writes), unless another region's write still holds a STRONG table's item (mutation.h).
 * 0, DDB_DECIDE_REP_STALE, or the error (left in r->out->err).
 */
static int rep_decide(const ddb_feature_slot *f, ddb_decision *r)
{
    const ddb_mutation *m = r->m;
    const ddb_store_key *rep;
    ddb_write_time cur;
    uint64_t now;

    if (m->t->rep.id == 0 || r->now.kind == DDB_MUT_CHECK)
        return 0;
    rep = ddb_decision_key(r, f);
    cur = ddb_write_time_parse(rep != NULL ? rep->val : NULL, rep != NULL ? rep->vlen : 0);
    now = ddb_clock_now_ms();

    if (m->origin.mirror_of != NULL) {
        r->now.wtime = m->origin.mirror_of->out.write_ms;
        r->now.wregion = m->origin.mirror_of->out.write_region;
    } else if (m->origin.replicated) {
        if (!rep_newer(m->origin.time, m->origin.region, cur.ms, cur.region, cur.rlen)) {
            r->out->rep_stale = 1;
            return DDB_DECIDE_REP_STALE;
        }
        r->now.wtime = m->origin.time;
        r->now.wregion = m->origin.region;
    } else {
        if (m->t->rep.strong && r->in_flight_ms > 0 && cur.rlen > 0 && now < cur.ms + r->in_flight_ms &&
            (cur.rlen != strlen(m->t->region) || memcmp(cur.region, m->t->region, cur.rlen) != 0))
            return ddb_decision_fail(r->out, DDB_E_REPLICATED_WRITE_CONFLICT,
                                     "The request was rejected because one or more items in the request are being "
                                     "modified by a request in another Region.");
        r->now.wtime = now > cur.ms ? now : cur.ms + 1;
        r->now.wregion = m->t->region;
    }
    r->out->write_ms = r->now.wtime;
    r->out->write_region = r->now.wregion;
    return 0;
}

void ddb_write_time_key(ddb_arena *a, uint32_t rep_id, const char *item_key, size_t klen, ddb_store_key *out)
{
    char *k = ddb_arena_memdup(a, item_key, klen);

    ddb_put_be(k, rep_id, 4);
    *out = (ddb_store_key){k, klen, NULL, 0};
}

ddb_write_time ddb_write_time_parse(const char *v, size_t vlen)
{
    ddb_write_time w = {0, "", 0};
    size_t i = 0;

    for (; v != NULL && i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
        w.ms = w.ms * 10 + (uint64_t)(v[i] - '0');
    if (v != NULL && i + 1 < vlen) {
        w.region = v + i + 1;
        w.rlen = vlen - i - 1;
    }
    return w;
}

/* A global table's write time, deletes too (a tombstone); a local write that changes nothing keeps
   the old time, as it makes no stream record to replicate: a newer write elsewhere must still land
   here. */
static void rep_write(const ddb_feature_slot *f, ddb_decision *r, ddb_batch *out)
{
    const ddb_mutation *m = r->m;
    ddb_store_key k;
    char *v;

    (void)f;
    if (m->t->rep.id == 0 || !(m->origin.replicated || ddb_decision_changed(r)))
        return;
    v = ddb_arena_sprintf(r->a, "%llu %s", (unsigned long long)r->now.wtime, r->now.wregion);
    ddb_write_time_key(r->a, m->t->rep.id, m->key.bytes, m->key.len, &k);
    ddb_batch_put(out, k.key, k.klen, v, strlen(v));
}

/* The item's write time is read in the commit (a ConditionCheck writes none). */
static int rep_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *key)
{
    if (m->t->rep.id == 0 || m->kind == DDB_MUT_CHECK)
        return 0;
    ddb_write_time_key(a, m->t->rep.id, m->key.bytes, m->key.len, key);
    return 1;
}

const ddb_feature ddb_feature_write_time = {.name = "write_time", .commit_key = rep_key, .prepare = rep_decide,
                                            .derive = rep_write};
