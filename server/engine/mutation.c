/*
 * server/engine/mutation.c: the one mutation pipeline (see mutation.h).
 */
#include "server/engine/mutation.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/engine/capacity.h"
#include "server/engine/consistency.h"
#include "server/engine/engine.h"
#include "server/engine/index.h"
#include "server/engine/hot.h"
#include "server/engine/insights_feed.h"
#include "server/engine/itemcodec.h"
#include "server/engine/kinesis_log.h"
#include "server/engine/pitr_log.h"
#include "server/engine/retention.h"
#include "server/engine/streams.h"
#include "server/engine/table_stats.h"
#include "server/engine/throttle.h"
#include "server/engine/vector.h"
#include "server/engine/vector_cache.h"
#include "server/expr/expr.h"

/* decide's answer when the table description it was given has been replaced: run again */
#define RERUN_WITH_NEW_TABLE 1000
/* a transaction's decision when any of its mutations failed: commit nothing */
#define TXN_CANCELED 1001
/* a replicated change older than the item's last write: nothing to commit */
#define REP_STALE 1002
/* a transaction whose token's record is there: a call with the token committed (a replay) */
#define TXN_TOKEN_FOUND 1003

typedef struct run {
    ddb_mutation *m;
    ddb_arena *a;
    const ddb_store *store;
    unsigned long long limit;    /* item collection size limit */
    size_t coll_old, coll_new;   /* the item's part of its collection before and after */
    ddb_vector_cache *vectors;   /* the process's vector indexes in memory, or NULL */
    int rep_slot;                /* a global table's: the index of the item's write-time key in keys[] */
    const ddb_store_key *rep;    /* that key, read (decide_commit, decide_txn) */
    uint64_t wtime;              /* the write's time and region (global tables) */
    const char *wregion;
    unsigned in_flight_ms;       /* STRONG global tables: how long another region's write holds an item */
    uint64_t kept[DDB_RET__COUNT]; /* bytes of retained history (retention.h) the decided write adds */
    struct ddb_consistency *cons;  /* eng->consistency: the commit notes the stored images (consistency.h) */
    const char *cold, *cnew; size_t coldlen, cnewlen; /* they (NULL: absent) */
} run;

static int fail(ddb_mutation *m, int code, const char *msg)
{
    m->out.err.code = code;
    m->out.err.msg = msg;
    return code;
}

void ddb_mutation_init(ddb_mutation *m, ddb_mut_kind kind, const ddb_table *t, const ddb_key *key)
{
    memset(m, 0, sizeof(*m));
    m->kind = kind;
    m->t = t;
    m->key = *key;
}

static int has_actions(const struct ddb_expr *update)
{
    const ddb_expr_target *targets;

    return update != NULL && ddb_expr_update_targets(update, &targets) > 0;
}

/* The new image of an update; nonzero means stop (error recorded) or nothing to write (created_nothing). */
static int apply_update(run *r)
{
    ddb_mutation *m = r->m;
    const char *msg = NULL;

    /* on an absent item the key is the base, and a REMOVE of any path removes nothing, silently */
    if ((m->out.had_old ? ddb_expr_apply_update(r->a, m->update, &m->out.old, &m->out.new_item, &msg)
                    : ddb_expr_apply_update_absent(r->a, m->update, m->keyattrs, &m->out.new_item, &msg)) != 0)
        return fail(m, DDB_E_VALIDATION, msg);
    m->out.new_size = ddb_item_size(&m->out.new_item);
    if (m->out.new_size > DDB_MAX_ITEM_SIZE)
        return fail(m, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if (m->t->nvector > 0) /* a vector as the index stores it (vector.h) */
        m->out.new_size = ddb_vector_billed_size(m->t, &m->out.new_item, m->out.new_size);
    /* actions that leave an absent item with nothing but its key (REMOVE, DELETE) create nothing;
       an update without actions still creates the key-only item */
    if (!m->out.had_old && m->out.new_item.len == (m->t->range_key ? 2u : 1u) && has_actions(m->update)) {
        m->out.created_nothing = 1;
        return 0;
    }
    if ((msg = ddb_index_check_item(r->a, m->t, &m->out.new_item, 1)) != NULL)
        return fail(m, DDB_E_VALIDATION, msg);
    m->out.has_new = 1;
    return 0;
}

static int check_condition(run *r)
{
    ddb_mutation *m = r->m;

    if (m->insert && m->out.had_old) /* PartiQL INSERT is not an upsert */
        return fail(m, DDB_E_DUPLICATE_ITEM, "Duplicate primary key exists in table");
    if (m->condition == NULL || ddb_expr_eval_condition(m->condition, m->out.had_old ? &m->out.old : NULL))
        return 0;
    fail(m, DDB_E_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    if (m->old_on_failure && m->out.had_old) { /* the error outlives the mutation: keep the item in the arena */
        ddb_attr *old = DDB_NEW(r->a, ddb_attr);
        *old = m->out.old;
        m->out.err.item = old;
    }
    return DDB_E_CONDITIONAL_CHECK_FAILED;
}

/*
 * A vector index entry of `item` (may be NULL): its key and value (vector.h) and the bytes
 * VectorWriteRequestBytes counts (the vector at f32, 4 bytes a dimension, and the other projected
 * attributes at DynamoDB's sizes). 0 when the item is not in the index.
 */
static int vector_entry(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                        const ddb_key *base, const ddb_attr *item, ddb_key *k, char **val, size_t *vlen, size_t *size)
{
    float *v;
    ddb_attr p;
    char *enc;
    size_t elen;

    if (item == NULL)
        return 0;
    v = ddb_arena_alloc(a, sizeof(float) * ix->vec->dims);
    if (ddb_vector_of(ix, item, v) != 0 || ddb_index_entry_key(a, store, ix, item, base, k) != 0)
        return 0;
    ddb_index_project(a, t, ix, item, &p);
    if (p.u.entries == item->u.entries) { /* ALL: a copy to take the vector out of */
        p.u.entries = ddb_arena_memdup(a, item->u.entries, sizeof(ddb_entry) * (item->len ? item->len : 1));
    }
    for (uint32_t i = 0; i < p.len; i++) {
        if (p.u.entries[i].nlen == ix->vec->alen && memcmp(p.u.entries[i].name, ix->vec->attr, ix->vec->alen) == 0) {
            p.u.entries[i] = p.u.entries[--p.len];
            break;
        }
    }
    *size = ddb_item_size(&p) + ix->vec->alen + (size_t)ix->vec->dims * 4;
    ddb_item_encode(a, &p, *size, &enc, &elen);
    ddb_vector_entry_value(a, enc, elen, v, ix->vec->dims, val, vlen);
    return 1;
}

/*
 * VectorWriteRequestBytes of one index's change, as ExtendDB measured it on the live service
 * (2026-08-13, 20 probes reproduced to the byte; docs/compatibility.md): the entry written (or
 * removed) at its size, at least 1,024 bytes; an entry that moves (its SearchSchema HASH value
 * changed) is a removal and a write, each charged (8224 = 2 x 4112 measured). `moved_from` is the
 * old entry's size when it moved, else 0.
 */
static double vector_write_bytes(size_t moved_from, size_t size)
{
    double floor = 1024, once = (double)size > floor ? (double)size : floor;

    if (moved_from == 0)
        return once;
    return once + ((double)moved_from > floor ? (double)moved_from : floor);
}

/*
 * ddb_mutation_derive_index for a vector index: returns the vector write bytes (0: unchanged),
 * and, with `ch`, the change the process's cache applies after the commit (vector_cache.h).
 */
static double derive_vector(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                            const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item, ddb_batch *out,
                            size_t *old_size, size_t *new_size, ddb_vector_change *ch)
{
    ddb_key ok, nk;
    char *oval = NULL, *nval = NULL;
    size_t olen = 0, nlen = 0, osize = 0, nsize = 0;
    int in_old = vector_entry(a, store, t, ix, base, old_item, &ok, &oval, &olen, &osize);
    int in_new = vector_entry(a, store, t, ix, base, new_item, &nk, &nval, &nlen, &nsize);
    int same_key = in_old && in_new && ok.len == nk.len && memcmp(ok.bytes, nk.bytes, ok.len) == 0;

    if (old_size != NULL)
        *old_size = osize;
    if (new_size != NULL)
        *new_size = nsize;
    /* an item equal by value (a map's keys in another order) leaves the entry as it was */
    if (same_key && olen == nlen && (memcmp(oval, nval, olen) == 0 || ddb_attr_equal(old_item, new_item)))
        return 0; /* writes that change no indexed attribute cost no vector capacity (developer guide) */
    if (!in_old && !in_new)
        return 0;
    if (in_old && !same_key)
        ddb_batch_delete(out, ok.bytes, ok.len);
    if (in_new)
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
    if (ch != NULL) {
        *ch = (ddb_vector_change){ix->id, base->bytes + DDB_KEY_TABLE_BYTES, base->len - DDB_KEY_TABLE_BYTES};
        if (in_new) {
            ch->ekey = nk.bytes;
            ch->eklen = nk.len;
            ch->val = nval;
            ch->vlen = nlen;
            ch->forms = ddb_vector_cache_forms(a, ix, new_item, &ch->flen);
        }
    }
    return vector_write_bytes(in_old && !same_key ? osize : 0, in_new ? nsize : in_old ? osize : 0);
}

double ddb_mutation_derive_index(ddb_arena *a, const ddb_store *store, const ddb_table *t, const ddb_index *ix,
                                 const ddb_key *base, const ddb_attr *old_item, const ddb_attr *new_item,
                                 ddb_batch *out, size_t *old_size, size_t *new_size, ddb_key *entry)
{
    if (ix->kind == DDB_IX_VECTOR)
        return derive_vector(a, store, t, ix, base, old_item, new_item, out, old_size, new_size, NULL);
    ddb_key ok, nk;
    int in_old = old_item != NULL && ddb_index_entry_key(a, store, ix, old_item, base, &ok) == 0;
    int in_new = new_item != NULL && ddb_index_entry_key(a, store, ix, new_item, base, &nk) == 0;
    ddb_attr op, np;
    char *oval = NULL, *nval = NULL;
    size_t olen = 0, nlen = 0, osize = 0, nsize = 0;
    double units = 0;

    if (in_old) {
        ddb_index_project(a, t, ix, old_item, &op);
        osize = ddb_item_size(&op);
        ddb_item_encode(a, &op, osize, &oval, &olen);
    }
    if (in_new) {
        ddb_index_project(a, t, ix, new_item, &np);
        nsize = ddb_item_size(&np);
        ddb_item_encode(a, &np, nsize, &nval, &nlen);
    }
    if (old_size != NULL)
        *old_size = osize;
    if (new_size != NULL)
        *new_size = nsize;
    if (entry != NULL)
        *entry = in_new ? nk : in_old ? ok : (ddb_key){0};
    if (in_old && in_new && ok.len == nk.len && memcmp(ok.bytes, nk.bytes, ok.len) == 0) {
        if (olen == nlen && (memcmp(oval, nval, olen) == 0 || ddb_attr_equal(&op, &np)))
            return 0; /* the entry is unchanged (by value): DynamoDB does not write the index */
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
        return ddb_write_units(nsize > osize ? nsize : osize);
    }
    if (in_old) {
        ddb_batch_delete(out, ok.bytes, ok.len);
        units += ddb_write_units(osize);
    }
    if (in_new) {
        ddb_batch_put(out, nk.bytes, nk.len, nval, nlen);
        units += ddb_write_units(nsize);
    }
    return units;
}

/* An index's entry went from osize to nsize bytes (0: not in it): its figures' change. */
static void note_index_change(ddb_mutation *m, const ddb_index *ix, size_t osize, size_t nsize)
{
    if (osize != 0 || nsize != 0)
        m->out.ix_change[m->out.nix_change++] =
            (ddb_keyspace_figures){ix->id, (nsize != 0) - (osize != 0), (long long)nsize - (long long)osize};
}

static void derive_indexes(run *r, ddb_batch *out)
{
    ddb_mutation *m = r->m;
    const ddb_attr *old_item = m->out.had_old ? &m->out.old : NULL;
    const ddb_attr *new_item = m->out.has_new ? &m->out.new_item : NULL;

    m->out.index_key = m->t->nindexes > m->t->nlsi + m->t->nvector ? DDB_NEW_ARRAY(r->a, ddb_key, m->t->nindexes) : NULL;
    for (unsigned i = 0; i < m->t->nindexes; i++) {
        const ddb_index *ix = &m->t->indexes[i];
        size_t osize, nsize;
        if (!ddb_index_maintained(ix))
            continue;
        if (ix->kind == DDB_IX_VECTOR) {
            ddb_vector_change *ch = &m->out.vchanges[m->out.nvchanges];
            if ((m->out.index_units[i] = derive_vector(r->a, r->store, m->t, ix, &m->key, old_item, new_item, out, &osize,
                                                   &nsize, ch)) > 0)
                m->out.nvchanges++;
            m->out.index_bytes[i] = m->out.index_units[i] > 0 ? (size_t)m->out.index_units[i]
                                : nsize != 0          ? (size_t)vector_write_bytes(0, nsize)
                                                      : 0;
            note_index_change(m, ix, osize, nsize);
            continue;
        }
        m->out.index_units[i] =
            ddb_mutation_derive_index(r->a, r->store, m->t, ix, &m->key, old_item, new_item, out, &osize, &nsize,
                                      m->out.index_key != NULL ? &m->out.index_key[i] : NULL);
        m->out.index_bytes[i] = nsize; /* (an entry the put leaves as it was too: see mutation.h) */
        note_index_change(m, ix, osize, nsize);
        if (ix->kind == DDB_IX_LOCAL) { /* LSI entries count in the item collection */
            r->coll_old += osize;
            r->coll_new += nsize;
        }
    }
}

/* ---- last writer wins (global tables) ---- */

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
 * change its own, when newer than the item's last write (else REP_STALE); a local write now, or
 * just after the last write if that is later (a clock behind another region's still orders the
 * item's writes), unless another region's write still holds a STRONG table's item (mutation.h).
 * 0, REP_STALE, or the error (left in m->out.err).
 */
static int rep_decide(run *r)
{
    ddb_mutation *m = r->m;
    ddb_write_time cur = ddb_write_time_parse(r->rep != NULL ? r->rep->val : NULL, r->rep != NULL ? r->rep->vlen : 0);
    uint64_t now = ddb_clock_now_ms();

    if (m->mirror_of != NULL) {
        r->wtime = m->mirror_of->out.write_ms;
        r->wregion = m->mirror_of->out.write_region;
    } else if (m->replicated) {
        if (!rep_newer(m->rep_time, m->rep_region, cur.ms, cur.region, cur.rlen)) {
            m->out.rep_stale = 1;
            return REP_STALE;
        }
        r->wtime = m->rep_time;
        r->wregion = m->rep_region;
    } else {
        if (m->t->rep_strong && r->in_flight_ms > 0 && cur.rlen > 0 && now < cur.ms + r->in_flight_ms &&
            (cur.rlen != strlen(m->t->region) || memcmp(cur.region, m->t->region, cur.rlen) != 0))
            return fail(m, DDB_E_REPLICATED_WRITE_CONFLICT,
                        "The request was rejected because one or more items in the request are being modified by a "
                        "request in another Region.");
        r->wtime = now > cur.ms ? now : cur.ms + 1;
        r->wregion = m->t->region;
    }
    m->out.write_ms = r->wtime;
    m->out.write_region = r->wregion;
    return 0;
}

/* A STRONG table's mirror takes its source's decided change: 1 when that changed nothing. */
static int mirror_take(ddb_mutation *m)
{
    const ddb_mutation *src = m->mirror_of;

    if (src->out.has_new) {
        m->kind = DDB_MUT_PUT;
        m->item = &src->out.new_item;
        return 0;
    }
    m->kind = DDB_MUT_DELETE;
    return !(src->kind == DDB_MUT_DELETE && src->out.had_old);
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

/* The item's write-time key. */
static void rep_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *out)
{
    ddb_write_time_key(a, m->t->rep_id, m->key.bytes, m->key.len, out);
}

static void rep_write(run *r, ddb_batch *out)
{
    ddb_store_key k;
    char *v = ddb_arena_sprintf(r->a, "%llu %s", (unsigned long long)r->wtime, r->wregion);

    rep_key(r->a, r->m, &k);
    ddb_batch_put(out, k.key, k.klen, v, strlen(v));
}

/* Whether the decided write changes the item (stored `old` to encoded `val`): by value, as DynamoDB
   decides that a write changed nothing and makes no stream record (a map written with its keys in
   another order is the same item). */
static int item_changed(run *r, const char *old, size_t oldlen, const char *val, size_t vlen)
{
    ddb_mutation *m = r->m;

    if (!m->out.has_new)
        return m->out.had_old;
    return old == NULL || !ddb_item_encodings_equal(r->a, old, oldlen, val, vlen);
}

static int decide(void *ctx, const char *old, size_t oldlen, ddb_batch *out)
{
    run *r = ctx;
    ddb_mutation *m = r->m;
    char *val = NULL;
    size_t vlen = 0;
    int rc, changed;

    memset(&m->out, 0, sizeof(m->out)); /* the whole outcome, every run (mutation.h) */
    r->coll_old = r->coll_new = 0;
    if (ddb_table_retired(m->t))
        return RERUN_WITH_NEW_TABLE;
    m->out.stats_epoch = ddb_table_stats_epoch(m->t->stats); /* under the key's lock (table_stats.h) */
    if (m->mirror_of != NULL && mirror_take(m) != 0)
        return 0; /* its source changed nothing */
    if (m->t->rep_id != 0 && m->kind != DDB_MUT_CHECK && (rc = rep_decide(r)) != 0)
        return rc;
    if (r->vectors != NULL && m->t->nvector > 0)
        m->out.vseq = ddb_vector_cache_seq(r->vectors); /* under the key's lock (vector_cache.h) */
    m->out.had_old = old != NULL;
    if (old != NULL) {
        m->out.old_size = ddb_item_stored_size(old, oldlen);
        /* the old image is decoded only when something reads it: a condition, ReturnValues, an
           update, or index entries to remove */
        /* (a stream record takes the stored old image as it is; only a delete by the service,
           which has no Key of its own, needs it decoded for the record's Keys: see below) */
        if ((m->need_old || m->condition || m->kind == DDB_MUT_UPDATE || m->t->nindexes > 0 ||
             ((m->t->stream_id || m->t->kinesis_log) && m->keyattrs == NULL && m->kind == DDB_MUT_DELETE)) &&
            ddb_item_decode(r->a, old, oldlen, &m->out.old) != 0)
            return fail(m, DDB_E_INTERNAL, "Internal server error");
    }
    /* UpdateItem's statement charge is checked before the condition (expr_charge.c) */
    if (m->statement_sized && m->kind == DDB_MUT_UPDATE && m->update != NULL &&
        ddb_expr_update_charge(m->update, m->out.had_old ? &m->out.old : NULL) > DDB_MAX_ITEM_SIZE)
        return fail(m, DDB_E_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if (check_condition(r) != 0)
        return m->out.err.code;
    switch (m->kind) {
    case DDB_MUT_CHECK: /* the condition held; nothing changes (the collection neither) */
        return 0;
    case DDB_MUT_PUT:
        m->out.new_item = *m->item;
        m->out.new_size = ddb_item_size(m->item);
        if (m->t->nvector > 0)
            m->out.new_size = ddb_vector_billed_size(m->t, m->item, m->out.new_size);
        m->out.has_new = 1;
        break;
    case DDB_MUT_UPDATE:
        if (apply_update(r) != 0)
            return m->out.err.code;
        break;
    case DDB_MUT_DELETE:
        break;
    }
    if (m->out.has_new) {
        ddb_item_encode(r->a, &m->out.new_item, m->out.new_size, &val, &vlen);
        ddb_batch_put(out, m->key.bytes, m->key.len, val, vlen);
        out->adds = 1; /* an UpdateItem that only REMOVEs too: it writes the item anew */
    } else if (m->kind == DDB_MUT_DELETE && m->out.had_old) {
        ddb_batch_delete(out, m->key.bytes, m->key.len);
        out->removes = 1; /* allowed on a disk short of space (diskguard.h) */
    }
    if (m->t->nindexes > 0)
        derive_indexes(r, out);
    if (r->cons != NULL) { /* the store's buffer of the old image lasts only the decision */
        r->cold = old != NULL ? ddb_arena_memdup(r->a, old, oldlen) : NULL;
        r->coldlen = oldlen, r->cnew = val, r->cnewlen = vlen;
    }
    changed = (m->t->rep_id != 0 || m->t->stream_id != 0 || m->t->kinesis_log != 0) &&
              item_changed(r, old, oldlen, val, vlen);
    /* a global table's write time, deletes too (a tombstone); a local write that changes nothing
       keeps the old time, as it makes no stream record to replicate: a newer write elsewhere must
       still land here */
    if (m->t->rep_id != 0 && (m->replicated || changed))
        rep_write(r, out);
    /* each record's bytes are counted for the memory budget once the commit lands (keep) */
    memset(r->kept, 0, sizeof(r->kept));
    if (changed && m->t->stream_id != 0) { /* the change's stream record, in the same commit (streams.h) */
        size_t from = out->n;
        ddb_stream_add_record(r->a, m->t, &m->key, m->out.has_new ? &m->out.new_item : m->keyattrs ? m->keyattrs : &m->out.old,
                              m->out.had_old ? old : NULL, oldlen, m->out.has_new ? val : NULL, vlen,
                              m->stream_flags | (m->replicated ? DDB_REC_REPLICATED : 0),
                              m->t->rep_id != 0 ? r->wtime : ddb_clock_now_ms(), out);
        r->kept[DDB_RET_STREAM] = ddb_retention_batch_bytes(out, from);
    }
    if (changed && m->t->kinesis_log != 0) { /* and its Kinesis destination's (kinesis_log.h) */
        size_t from = out->n;
        ddb_kinesis_add_record(r->a, m->t, m->out.has_new ? &m->out.new_item : m->keyattrs ? m->keyattrs : &m->out.old,
                               m->out.had_old ? old : NULL, oldlen, m->out.has_new ? val : NULL, vlen, m->stream_flags,
                               ddb_clock_now_us(), out);
        r->kept[DDB_RET_KINESIS] = ddb_retention_batch_bytes(out, from);
    }
    if (m->t->pitr_log != 0 && (m->out.has_new || m->out.had_old)) { /* its point-in-time log record (pitr.h) */
        size_t from = out->n;
        ddb_pitr_add_record(r->a, m->t, &m->key, m->out.has_new ? val : NULL, vlen, ddb_clock_now_ms(), out);
        r->kept[DDB_RET_PITR] = ddb_retention_batch_bytes(out, from);
    }
    r->coll_old += m->out.had_old ? m->out.old_size : 0;
    r->coll_new += m->out.has_new ? m->out.new_size : 0;
    return 0;
}

/*
 * Moves the size of an item collection, kept under `counter` as decimal bytes, from `old` to `new`
 * bytes of the writes deciding now, into *size. Returns 1 (nothing added to `out`) when the
 * collection grows past `limit`.
 */
static int update_collection(ddb_arena *a, const ddb_store_key *counter, size_t old, size_t new,
                             unsigned long long limit, unsigned long long *size, ddb_batch *out)
{
    unsigned long long cur = 0, next;
    char *text;

    for (size_t i = 0; counter->val != NULL && i < counter->vlen && i < 20; i++) /* at most 20 digits */
        cur = cur * 10 + (unsigned long long)(counter->val[i] - '0');
    /* never below zero: collections written before the size was kept start from nothing */
    next = new >= old || cur > old - new ? cur + new - old : 0;
    *size = next;
    if (new > old && next > limit)
        return 1;
    if (next == cur)
        return 0;
    if (next == 0) {
        ddb_batch_delete(out, counter->key, counter->klen);
        return 0;
    }
    text = ddb_arena_sprintf(a, "%llu", next);
    ddb_batch_put(out, counter->key, counter->klen, text, strlen(text));
    return 0;
}

/* After a commit: the retained history it wrote counts against the memory budget, and a kind it
   took past its limit wakes the trim (retention.h); stream or Kinesis records wake their followers
   (eng->followed_write), which would otherwise see them at their next poll. */
static void keep(ddb_engine *eng, const ddb_table *t, const run *r)
{
    for (int k = 0; k < DDB_RET__COUNT; k++)
        ddb_engine_retain(eng, (ddb_retained_kind)k, r->kept[k]);
    if ((r->kept[DDB_RET_STREAM] | r->kept[DDB_RET_KINESIS]) != 0 && eng->followed_write != NULL)
        eng->followed_write(eng, t);
    if (r->cons != NULL && (r->m->out.has_new || (r->m->kind == DDB_MUT_DELETE && r->m->out.had_old)) && !r->m->out.rep_stale)
        ddb_consist_note(r->cons, t, &r->m->key, r->cold, r->coldlen, r->cnew, r->cnewlen);
}

static int collection_full(ddb_mutation *m)
{
    return fail(m, DDB_E_ITEM_COLLECTION_SIZE_LIMIT, "Collection size exceeded.");
}

static int decide_commit(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    run *r = ctx;
    int rc;

    r->rep = r->rep_slot > 0 ? &keys[r->rep_slot] : NULL;
    if ((rc = decide(ctx, keys[0].val, keys[0].vlen, out)) != 0)
        return rc;
    if (n >= 2 && r->m->t->collections_id != 0 &&
        update_collection(r->a, &keys[1], r->coll_old, r->coll_new, r->limit, &r->m->out.collection_size, out) != 0)
        return collection_full(r->m);
    ddb_crash_point("write-decided");
    return 0;
}

/* The key of the item's collection size: the partition's prefix under the table's collections id. */
static void collection_key(ddb_arena *a, const ddb_mutation *m, ddb_store_key *out)
{
    char *k = ddb_arena_memdup(a, m->key.bytes, m->key.part_len);

    ddb_put_be(k, m->t->collections_id, 4); /* the id is big-endian, as in every key */
    *out = (ddb_store_key){k, m->key.part_len, NULL, 0};
}

/* --enforce-capacity (throttle.h): whether the write is throttled, its error recorded; the throttled
   key counts for Contributor Insights. Only a client's writes are (not TTL's, imports', restores'). */
static int throttled(ddb_arena *a, ddb_mutation *m)
{
    if (!ddb_throttle_enabled || !m->request || m->kind == DDB_MUT_CHECK ||
        ddb_throttle_write(a, m->t, &m->key, &m->out.err) == 0)
        return 0;
    ddb_insights_throttled(m->key.bytes, m->key.len);
    return 1;
}

/* A client's committed write, to the hot-partition model (hot.h): the table's partition, and each
   GSI's partition of the entry its write units went to. */
static void observe(const ddb_mutation *m)
{
    ddb_hot_observe(m->t, NULL, 1, m->key.bytes, m->key.len, ddb_mutation_table_units(m));
    for (unsigned i = 0; m->out.index_key != NULL && i < m->t->nindexes; i++)
        if (m->out.index_units[i] > 0 && m->t->indexes[i].kind == DDB_IX_GLOBAL)
            ddb_hot_observe(m->t, &m->t->indexes[i], 1, m->out.index_key[i].bytes, m->out.index_key[i].len,
                            m->out.index_units[i]);
}

/* After a commit: the table's and its indexes' item counts and sizes move by what it changed
   (table_stats.h), and Contributor Insights sees its keys (insights_feed.h). */
static void count_change(ddb_arena *a, const ddb_mutation *m)
{
    ddb_keyspace_figures d[DDB_STATS_KEYSPACES];

    if (m->kind == DDB_MUT_CHECK || m->out.err.code != DDB_OK)
        return;
    ddb_insights_write(a, m->t, &m->key, m->out.has_new ? &m->out.new_item : m->out.had_old ? &m->out.old : NULL,
                       ddb_mutation_table_units(m), m->out.index_units);
    if (m->request) { /* --enforce-capacity: taken as it is consumed, so a batch's later writes see it */
        observe(m);
        ddb_throttle_take(m->t, 1, ddb_mutation_table_units(m), m->out.index_units);
        ddb_throttle_take_partition(m->t, NULL, 1, m->key.bytes, m->key.len, ddb_mutation_table_units(m));
    }
    if (m->request && m->t->stats != NULL) /* the access-pattern warnings' (access_warn.h) */
        ddb_access_note_write(&m->t->stats->warn, &m->key, m->out.has_new ? &m->out.new_item : NULL, m->out.new_size,
                              m->t->ttl_enabled ? m->t->ttl_attr : NULL);
    d[0].id = m->t->id;
    d[0].items = (long long)m->out.has_new - (long long)m->out.had_old;
    d[0].bytes = (m->out.has_new ? (long long)m->out.new_size : 0) - (m->out.had_old ? (long long)m->out.old_size : 0);
    memcpy(d + 1, m->out.ix_change, m->out.nix_change * sizeof(d[0]));
    ddb_table_stats_change(m->t->stats, m->out.stats_epoch, d, 1 + m->out.nix_change);
}

/*
 * A STRONG global table's change: decided in its own replica, then mirrored into every other one
 * (CREATING included: the fill then finds it there), in one transaction (mutation.h).
 */
static int mutate_strong(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    const ddb_table *t = m->t;
    const ddb_attr *ka = m->keyattrs != NULL ? m->keyattrs : m->item;
    ddb_mutation *ms = DDB_NEW_ARRAY(a, ddb_mutation, t->nreplicas + 1);
    size_t n = 1;
    ddb_error err;
    int rc;

    ms[0] = *m;
    for (unsigned i = 0; i < t->nreplicas && ka != NULL; i++) {
        const ddb_replica *rp = &t->replicas[i];
        const ddb_table *rt;
        const ddb_attr *pk, *sk = NULL;
        ddb_key key;
        if (strcmp(rp->region, t->region) == 0 || rp->state == DDB_REPLICA_DELETING ||
            (rt = ddb_catalog_get(eng->catalog, ddb_replica_key(a, t, rp->region))) == NULL ||
            rt->rep_id == 0)
            continue;
        pk = ddb_item_get(ka, rt->hash_key, strlen(rt->hash_key));
        sk = rt->range_key != NULL ? ddb_item_get(ka, rt->range_key, strlen(rt->range_key)) : NULL;
        if (pk == NULL || (rt->range_key != NULL && sk == NULL))
            continue; /* the key was refused in the source already */
        ddb_key_build(a, eng->store, rt->id, pk, sk, &key);
        ddb_mutation_init(&ms[n], DDB_MUT_DELETE, rt, &key); /* its kind: mirror_take's */
        ms[n].keyattrs = m->keyattrs;
        ms[n].replicated = 1;
        ms[n].mirror_of = &ms[0];
        n++;
    }
    rc = ddb_mutate_txn(eng, a, ms, n, NULL, &err);
    *m = ms[0];
    if (rc == DDB_E_TRANSACTION_CANCELED) { /* the source's failure, or else a mirror's */
        for (size_t i = 1; i < n && m->out.err.code == DDB_OK; i++)
            m->out.err = ms[i].out.err;
        return m->out.err.code;
    }
    if (rc != DDB_OK)
        m->out.err = err;
    return rc;
}

static int mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    unsigned long long limit = eng->settings.item_collection_limit;
    run r = {m,    a, eng->store, limit ? limit : DDB_ITEM_COLLECTION_LIMIT, 0, 0, eng->vectors, 0, NULL, 0, NULL,
             eng->settings.replication_lag, {0}, __atomic_load_n(&eng->consistency, __ATOMIC_ACQUIRE)};

    /* an injected conflict (faults.h), as when a transaction holds the item */
    if (m->single_write && ddb_fault_draw(eng->settings.write_conflict_rate))
        return fail(m, DDB_E_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
    if (m->t->rep_strong && !m->replicated && m->kind != DDB_MUT_CHECK)
        return mutate_strong(eng, a, m);
    if (throttled(a, m))
        return m->out.err.code;
    for (;;) {
        ddb_store_key keys[3] = {{m->key.bytes, m->key.len, NULL, 0}};
        size_t nkeys = 1;
        const char *msg;
        int rc;
        if (m->kind == DDB_MUT_PUT && (msg = ddb_index_check_item(a, m->t, m->item, 0)) != NULL)
            return fail(m, DDB_E_VALIDATION, msg);
        if (m->t->collections_id != 0)
            collection_key(a, m, &keys[nkeys++]);
        r.rep_slot = 0;
        if (m->t->rep_id != 0) {
            r.rep_slot = (int)nkeys;
            rep_key(a, m, &keys[nkeys++]);
        }
        rc = ddb_store_commit(eng->store, a, keys, nkeys, decide_commit, &r);
        if (rc == REP_STALE)
            return DDB_OK;
        if (rc == RERUN_WITH_NEW_TABLE) {
            const ddb_table *t = ddb_catalog_get(eng->catalog, m->t->key);
            if (t == NULL || t->id != m->t->id)
                return fail(m, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
            m->t = t;
            continue;
        }
        /* another gateway's commits kept winning (storage.h): DynamoDB's answer when a
           transaction holds the item */
        if (rc == DDB_STORE_ECONFLICT)
            return fail(m, DDB_E_TRANSACTION_CONFLICT, "Transaction is ongoing for the item");
        if (rc < 0)
            return fail(m, DDB_E_INTERNAL, "Internal server error");
        if (rc == 0) {
            count_change(a, m);
            keep(eng, m->t, &r);
            ddb_vector_cache_apply(eng->vectors, m->out.vseq, m->out.vchanges, m->out.nvchanges);
            if (m->t->rep_id != 0 && !m->replicated && eng->global_write != NULL)
                eng->global_write(eng);
        }
        return m->out.err.code;
    }
}

/* Runs the mutation, bracketed for the item counts' checks (table_stats.h). */
int ddb_mutate(ddb_engine *eng, ddb_arena *a, ddb_mutation *m)
{
    unsigned gen = ddb_table_stats_enter();
    int rc = mutate(eng, a, m);

    ddb_table_stats_leave(gen);
    return rc;
}

/* ---- transactions ---- */

typedef struct txn {
    ddb_mutation *ms;
    run *runs;          /* one per mutation */
    size_t n;
    size_t *counter;    /* per mutation: its collection size's index in keys[], or 0 (none) */
    ddb_txn_token *tok; /* NULL: no token */
    const ddb_batch *record; /* the token's record, written with the transaction */
    size_t tok_slot;    /* the token's record's index in keys[] */
    size_t coll_end;    /* keys[n, coll_end) are the collection sizes (then the write times) */
} txn;

/* The collection sizes of a transaction: each counter moves by all its mutations' changes. */
static int decide_txn_collections(txn *x, ddb_store_key *keys, size_t nkeys, ddb_batch *out)
{
    int failed = 0;

    for (size_t c = x->n; c < x->coll_end && c < nkeys; c++) {
        size_t old = 0, new = 0, last_growing = x->n;
        unsigned long long size;
        for (size_t i = 0; i < x->n; i++) {
            if (x->counter[i] != c)
                continue;
            old += x->runs[i].coll_old;
            new += x->runs[i].coll_new;
            if (x->runs[i].coll_new > x->runs[i].coll_old)
                last_growing = i;
        }
        if (update_collection(x->runs[0].a, &keys[c], old, new, x->runs[0].limit, &size, out) != 0) {
            collection_full(&x->ms[last_growing < x->n ? last_growing : 0]);
            failed = 1;
            continue;
        }
        for (size_t i = 0; i < x->n; i++) {
            if (x->counter[i] == c)
                x->ms[i].out.collection_size = size;
        }
    }
    return failed;
}

/* Decides every mutation (each failure stays in its m->out.err), then the collections; all or nothing. */
static int decide_txn(void *ctx, ddb_store_key *keys, size_t nkeys, ddb_batch *out)
{
    txn *x = ctx;
    int failed = 0;

    if (x->tok != NULL) { /* first: the token's record, there once a call with the token committed
                             (before this one, or meanwhile on another gateway: then this decides again) */
        x->tok->found = ddb_token_state_of(keys[x->tok_slot].val, keys[x->tok_slot].vlen, x->tok->digest, x->tok->now_ms);
        if (x->tok->found != DDB_TOKEN_NEW)
            return TXN_TOKEN_FOUND;
    }
    for (size_t i = 0; i < x->n; i++) {
        int rc;
        x->runs[i].rep = x->runs[i].rep_slot > 0 ? &keys[x->runs[i].rep_slot] : NULL;
        rc = decide(&x->runs[i], keys[i].val, keys[i].vlen, out);
        if (rc == RERUN_WITH_NEW_TABLE)
            return rc;
        if (rc != 0 && x->ms[i].out.err.code == DDB_E_INTERNAL)
            return DDB_E_INTERNAL;
        failed |= rc != 0;
    }
    if (failed)
        return TXN_CANCELED;
    if (decide_txn_collections(x, keys, nkeys, out) != 0)
        return TXN_CANCELED;
    if (x->record != NULL)
        ddb_batch_append(out, x->record);
    ddb_crash_point("transact-before-commit");
    return 0;
}

/* The distinct collection-size keys of the mutations, after their item keys in keys[]. */
static size_t txn_keys(ddb_arena *a, txn *x, ddb_store_key *keys)
{
    size_t nkeys = x->n;

    for (size_t i = 0; i < x->n; i++) {
        ddb_mutation *m = &x->ms[i];
        ddb_store_key ck;
        keys[i] = (ddb_store_key){m->key.bytes, m->key.len, NULL, 0};
        x->counter[i] = 0;
        if (m->t->collections_id == 0 || m->kind == DDB_MUT_CHECK)
            continue;
        collection_key(a, m, &ck);
        for (size_t c = x->n; c < nkeys && x->counter[i] == 0; c++) {
            if (keys[c].klen == ck.klen && memcmp(keys[c].key, ck.key, ck.klen) == 0)
                x->counter[i] = c;
        }
        if (x->counter[i] == 0) {
            x->counter[i] = nkeys;
            keys[nkeys++] = ck;
        }
    }
    x->coll_end = nkeys;
    for (size_t i = 0; i < x->n; i++) { /* global tables: each item's write time */
        x->runs[i].rep_slot = 0;
        if (x->ms[i].t->rep_id != 0 && x->ms[i].kind != DDB_MUT_CHECK) {
            x->runs[i].rep_slot = (int)nkeys;
            rep_key(a, &x->ms[i], &keys[nkeys++]);
        }
    }
    return nkeys;
}

/* After a schema change: every mutation against its table's live description, or ResourceNotFound. */
static int txn_refresh_tables(ddb_engine *eng, txn *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const ddb_table *t = ddb_catalog_get(eng->catalog, x->ms[i].t->key);
        if (t == NULL || t->id != x->ms[i].t->id)
            return DDB_E_RESOURCE_NOT_FOUND;
        x->ms[i].t = t;
    }
    return DDB_OK;
}

static int txn_fail(ddb_error *err, int code, const char *msg)
{
    err->code = code;
    err->msg = msg;
    return code;
}

/* Another gateway's commits kept winning on the transaction's items (storage.h): cancelled with
   TransactionConflict on every action, as the store does not say which item it lost on. */
static int txn_conflict(ddb_mutation *ms, size_t n, ddb_error *err)
{
    for (size_t i = 0; i < n; i++) {
        ms[i].out.err.code = DDB_E_TRANSACTION_CONFLICT;
        ms[i].out.err.msg = "Transaction is ongoing for the item";
    }
    return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
}

/*
 * A transaction's vector index changes, applied as one (vector_cache.h): its mutations' changes
 * grouped by index, under the largest of their numbers (every one was taken under a lock the
 * whole commit held, so the largest orders the transaction after each item's earlier commits).
 */
static void apply_txn_vectors(ddb_engine *eng, ddb_arena *a, const ddb_mutation *ms, size_t n)
{
    size_t total = 0, k = 0;
    uint64_t seq = 0;
    ddb_vector_change *all;

    for (size_t i = 0; i < n; i++) {
        total += ms[i].out.nvchanges;
        seq = ms[i].out.vseq > seq ? ms[i].out.vseq : seq;
    }
    if (total == 0 || eng->vectors == NULL)
        return;
    all = DDB_NEW_ARRAY(a, ddb_vector_change, total);
    for (size_t i = 0; i < n; i++) /* by index id: a stable insertion keeps each item's order */
        for (unsigned c = 0; c < ms[i].out.nvchanges; c++) {
            size_t j = k++;
            while (j > 0 && all[j - 1].index_id > ms[i].out.vchanges[c].index_id) {
                all[j] = all[j - 1];
                j--;
            }
            all[j] = ms[i].out.vchanges[c];
        }
    ddb_vector_cache_apply(eng->vectors, seq, all, total);
}

/* The token's record, made once: the batch every decision that commits appends. */
static const ddb_batch *token_record(ddb_engine *eng, ddb_arena *a, ddb_txn_token *tok)
{
    ddb_batch *b;

    if (tok == NULL)
        return NULL;
    b = DDB_NEW(a, ddb_batch);
    ddb_batch_init(b, a);
    ddb_token_record(eng->tokens, b, a, tok->token, tok->digest, tok->now_ms);
    tok->found = DDB_TOKEN_NEW;
    return b;
}

static int mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err)
{
    unsigned long long limit = eng->settings.item_collection_limit;
    txn x = {ms, DDB_NEW_ARRAY(a, run, n), n, DDB_NEW_ARRAY(a, size_t, n), tok, token_record(eng, a, tok), 0, 0};
    ddb_store_key *keys = DDB_NEW_ARRAY(a, ddb_store_key, 3 * n + 1);

    memset(err, 0, sizeof(*err));
    for (size_t i = 0; i < n; i++)
        if (throttled(a, &ms[i]))
            return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
    for (size_t i = 0; i < n; i++)
        x.runs[i] = (run){&ms[i], a, eng->store, limit ? limit : DDB_ITEM_COLLECTION_LIMIT, 0, 0, eng->vectors,
                          0, NULL, 0, NULL, eng->settings.replication_lag, {0},
                          __atomic_load_n(&eng->consistency, __ATOMIC_ACQUIRE)};
    for (;;) {
        size_t nkeys;
        int rc;
        /* a Put's index key types, against the description it runs under (as ddb_mutate does) */
        for (size_t i = 0; i < n; i++) {
            const char *msg;
            if (ms[i].kind == DDB_MUT_PUT && (msg = ddb_index_check_item(a, ms[i].t, ms[i].item, 0)) != NULL) {
                fail(&ms[i], DDB_E_VALIDATION, msg);
                return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
            }
        }
        nkeys = txn_keys(a, &x, keys);
        if (tok != NULL) {
            x.tok_slot = nkeys;
            ddb_token_key(a, tok->token, &keys[nkeys++]);
        }
        rc = ddb_store_commit(eng->store, a, keys, nkeys, decide_txn, &x);
        if (rc == TXN_TOKEN_FOUND) /* applied nothing: the caller answers from tok->found */
            return DDB_OK;
        if (rc == RERUN_WITH_NEW_TABLE) {
            if (txn_refresh_tables(eng, &x) != DDB_OK)
                return txn_fail(err, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found");
            continue;
        }
        if (rc == TXN_CANCELED)
            return txn_fail(err, DDB_E_TRANSACTION_CANCELED, NULL);
        if (rc == DDB_STORE_ECONFLICT)
            return txn_conflict(ms, n, err);
        if (rc != 0)
            return txn_fail(err, DDB_E_INTERNAL, "Internal server error");
        for (size_t i = 0; i < n; i++) {
            count_change(a, &ms[i]);
            keep(eng, ms[i].t, &x.runs[i]);
            if (ms[i].t->rep_id != 0 && eng->global_write != NULL)
                eng->global_write(eng);
        }
        apply_txn_vectors(eng, a, ms, n);
        return DDB_OK;
    }
}

int ddb_mutate_txn(ddb_engine *eng, ddb_arena *a, ddb_mutation *ms, size_t n, ddb_txn_token *tok, ddb_error *err)
{
    unsigned gen = ddb_table_stats_enter();
    int rc = mutate_txn(eng, a, ms, n, tok, err);

    ddb_table_stats_leave(gen);
    return rc;
}

double ddb_mutation_table_units(const ddb_mutation *m)
{
    return ddb_write_units(m->out.new_size > m->out.old_size ? m->out.new_size : m->out.old_size);
}

double ddb_mutation_units(const ddb_mutation *m)
{ /* (vector indexes count bytes, not units: their entries in index_units are left out) */
    double total = ddb_mutation_table_units(m);

    for (unsigned i = 0; i < m->t->nindexes; i++)
        total += m->t->indexes[i].kind != DDB_IX_VECTOR ? m->out.index_units[i] : 0;
    return total;
}
