/*
 * server/engine/pitr.c: point-in-time recovery's change log, written by the mutation pipeline and
 * replayed into a restored table (see pitr.h).
 */
#include "pitr.h"

#include <string.h>

#include "ddb/ddb_status.h"
#include "itemcodec.h"
#include "log.h"
#include "mutation.h"
#include "server.h"

#define REPLAY_BATCH 256

static void log_prefix(uint32_t log, char out[DDB_PITR_PREFIX_BYTES])
{
    memset(out, 0, DDB_PITR_PREFIX_BYTES);
    ddb_put_be(out, log, 4);
}

void ddb_pitr_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const char *new_raw, size_t new_rawlen,
                         uint64_t now_ms, ddb_batch *out)
{
    char *prefix = ddb_arena_alloc(a, DDB_PITR_PREFIX_BYTES), *rec, *p;
    size_t klen = key->len > 4 ? key->len - 4 : 0;
    size_t vlen = new_raw != NULL ? new_rawlen : 0;

    if (t->pitr_log == 0)
        return;
    rec = p = ddb_arena_alloc(a, 1 + 8 + 4 + klen + 4 + vlen);
    *p++ = 1; /* the record format's version */
    ddb_put_be(p, now_ms, 8);
    p += 8;
    ddb_put_be(p, klen, 4);
    p += 4;
    memcpy(p, key->bytes + 4, klen);
    p += klen;
    ddb_put_be(p, vlen, 4);
    p += 4;
    if (vlen)
        memcpy(p, new_raw, vlen);
    p += vlen;
    log_prefix(t->pitr_log, prefix);
    ddb_batch_put_seq(out, prefix, DDB_PITR_PREFIX_BYTES, rec, (size_t)(p - rec));
}

typedef struct replay {
    ddb_server *srv;
    uint32_t table_id;
    uint64_t until;
    ddb_arena *a;
    size_t applied;
} replay;

/* Applies one record (when its time is <= until); -1 when the table went, 1 on a bad record. */
static int apply(replay *r, const char *v, size_t vlen)
{
    const ddb_table *t = ddb_catalog_get_by_id(r->srv->catalog, r->table_id);
    const char *end = v + vlen, *p = v;
    size_t klen, ilen;
    uint64_t when;
    char *nk;
    ddb_key key;
    ddb_attr item;
    ddb_mutation m;
    int rc;

    if (t == NULL)
        return -1;
    if (vlen < 13 || p[0] != 1)
        return 1;
    when = ddb_get_be(p + 1, 8);
    klen = (size_t)ddb_get_be(p + 9, 4);
    p += 13;
    if ((size_t)(end - p) < klen + 4)
        return 1;
    if (when > r->until)
        return 0;
    nk = ddb_arena_alloc(r->a, klen + 4);
    ddb_put_be(nk, r->table_id, 4);
    memcpy(nk + 4, p, klen);
    p += klen;
    ilen = (size_t)ddb_get_be(p, 4);
    p += 4;
    if ((size_t)(end - p) < ilen)
        return 1;
    ddb_key_from_stored(nk, klen + 4, &key);
    if (ilen > 0) {
        if (ddb_item_decode(r->a, p, ilen, &item) != 0)
            return 1;
        ddb_mutation_init(&m, DDB_MUT_PUT, t, &key);
        m.item = &item;
    } else {
        ddb_mutation_init(&m, DDB_MUT_DELETE, t, &key);
    }
    rc = ddb_mutate(r->srv, r->a, &m);
    if (rc == DDB_E_RESOURCE_NOT_FOUND)
        return -1;
    if (rc != 0) {
        ddb_log(DDB_LOG_ERROR, "pitr: replaying a change into table %s: %s", t->name, m.err.msg ? m.err.msg : "error");
        return 0;
    }
    r->applied++;
    return 0;
}

int ddb_pitr_replay(ddb_server *srv, uint32_t table_id, uint32_t log, uint64_t until_ms, size_t *applied)
{
    char lo[DDB_PITR_PREFIX_BYTES + 8], hi[DDB_PITR_PREFIX_BYTES + 8];
    uint64_t next = 1;
    ddb_arena a;
    replay r = {srv, table_id, until_ms, &a, 0};
    int rc = 0;

    ddb_arena_init(&a);
    log_prefix(log, lo);
    log_prefix(log, hi);
    ddb_put_be(hi + DDB_PITR_PREFIX_BYTES, UINT64_MAX, 8);
    /* in batches, each read before it is applied: the iterator is not held across writes */
    for (;;) {
        char *vals[REPLAY_BATCH];
        size_t vlens[REPLAY_BATCH], n = 0;
        ddb_store_iter *it;
        ddb_put_be(lo + DDB_PITR_PREFIX_BYTES, next, 8);
        it = ddb_store_seq_iter_open(srv->store, lo, sizeof(lo), hi, sizeof(hi), 0);
        for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < REPLAY_BATCH; ddb_store_iter_next(it)) {
            size_t klen, vlen;
            const char *k = ddb_store_iter_key(it, &klen);
            const char *v = ddb_store_iter_val(it, &vlen);
            if (klen >= 8)
                next = ddb_get_be(k + klen - 8, 8) + 1;
            vals[n] = ddb_arena_memdup(&a, v, vlen);
            vlens[n++] = vlen;
        }
        if (!ddb_store_iter_valid(it) && ddb_store_iter_status(it) != DDB_STORE_OK)
            rc = -1;
        ddb_store_iter_close(it);
        for (size_t i = 0; i < n && rc == 0; i++) {
            int arc = apply(&r, vals[i], vlens[i]);
            if (arc < 0)
                rc = -1;
            else if (arc > 0)
                ddb_log(DDB_LOG_ERROR, "pitr: an undecodable record in log %u skipped", log);
        }
        ddb_arena_reset(&a);
        if (rc != 0 || n < REPLAY_BATCH)
            break;
    }
    ddb_arena_free(&a);
    *applied = r.applied;
    return rc;
}
