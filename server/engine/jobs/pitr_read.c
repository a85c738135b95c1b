/*
 * server/engine/jobs/pitr_read.c: reading point-in-time recovery's change log for exports: the state
 * of every changed item at two times (see pitr.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/base/log.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/keycodec.h"

/* One log record before `to`, as read (its bytes in the arena). */
typedef struct rec {
    const char *key, *img;
    size_t klen, ilen;
    uint64_t when, seq;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static int by_key_then_seq(const void *pa, const void *pb)
{
    const rec *a = pa, *b = pb;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(a->key, b->key, n);

    if (c != 0)
        return c;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Record v (pitr_log.h) as r; 0, or -1 when it is not one this version reads. */
static int parse(const char *v, size_t vlen, rec *r)
{
    ddb_pitr_record pr;

    if (ddb_pitr_record_parse(v, vlen, &pr) != 0)
        return -1;
    *r = (rec){.key = pr.key, .img = pr.img, .klen = pr.klen, .ilen = pr.ilen, .when = pr.when};
    return 0;
}

/* An iterator over every record of `log`, in sequence order, at its first. */
static ddb_store_iter *log_iter(ddb_store *s, uint32_t log)
{
    char lo[DDB_PITR_PREFIX_BYTES], hi[DDB_PITR_PREFIX_BYTES + 8];
    ddb_store_iter *it;

    ddb_pitr_log_prefix(log, lo);
    memcpy(hi, lo, sizeof(lo));
    ddb_put_be(hi + DDB_PITR_PREFIX_BYTES, UINT64_MAX, 8);
    it = ddb_store_seq_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    ddb_store_iter_seek(it, NULL, 0);
    return it;
}

/* Every record of `log` before to_ms, copied into `a`, in sequence order. 0 or -1. */
static int read_log(ddb_store *s, ddb_arena *a, uint32_t log, uint64_t to_ms, recs *out)
{
    ddb_store_iter *it;
    int rc = 0;

    for (it = log_iter(s, log); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        rec r;
        if (parse(v, vlen, &r) != 0) {
            ddb_log(DDB_LOG_ERROR, "pitr: an undecodable record in log %u skipped", log);
            continue;
        }
        if (r.when >= to_ms)
            continue; /* (an item's records are in time order, but items interleave) */
        DDB_ROOM(out->v, out->n, out->cap, 1024);
        r.key = ddb_arena_memdup(a, r.key, r.klen);
        r.img = r.img != NULL ? ddb_arena_memdup(a, r.img, r.ilen) : NULL;
        r.seq = klen >= 8 ? ddb_get_be(k + klen - 8, 8) : out->n;
        out->v[out->n++] = r;
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        rc = -1;
    ddb_store_iter_close(it);
    return rc;
}

int ddb_pitr_changes(ddb_store *s, ddb_arena *a, uint32_t log, uint64_t from_ms, uint64_t to_ms,
                     ddb_pitr_change **out, size_t *n)
{
    recs rs = {0};
    ddb_pitr_change *ch;
    size_t m = 0;

    *out = NULL;
    *n = 0;
    if (read_log(s, a, log, to_ms, &rs) != 0) {
        free(rs.v);
        return -1;
    }
    if (rs.n > 1) /* qsort wants a non-NULL array even for none */
        qsort(rs.v, rs.n, sizeof(rec), by_key_then_seq);
    ch = ddb_arena_alloc(a, (rs.n ? rs.n : 1) * sizeof(*ch));
    for (size_t i = 0; i < rs.n; i++) {
        const rec *r = &rs.v[i];
        ddb_pitr_change *c = &ch[m];
        if (i == 0 || rs.v[i - 1].klen != r->klen || memcmp(rs.v[i - 1].key, r->key, r->klen) != 0) {
            memset(c, 0, sizeof(*c));
            c->key = r->key;
            c->klen = r->klen;
            m++;
        } else {
            c = &ch[m - 1];
        }
        c->after = r->img;
        c->after_len = r->ilen;
        c->last_ms = r->when;
        if (r->when < from_ms) {
            c->before = r->img;
            c->before_len = r->ilen;
            c->before_known = 1;
        } else {
            c->changed = 1;
        }
    }
    free(rs.v);
    *out = ch;
    *n = m;
    return 0;
}

int ddb_pitr_keycmp(const ddb_pitr_change *c, const char *key, size_t klen)
{
    size_t n = c->klen < klen ? c->klen : klen;
    int r = memcmp(c->key, key, n);

    if (r != 0)
        return r;
    return c->klen < klen ? -1 : c->klen > klen;
}

int ddb_pitr_newest(ddb_store *s, uint32_t log, uint64_t *ms)
{
    ddb_store_iter *it;
    int rc = 0;

    *ms = 0;
    for (it = log_iter(s, log); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        ddb_pitr_record r;
        if (ddb_pitr_record_parse(v, vlen, &r) == 0 && r.when > *ms)
            *ms = r.when; /* (not the last record's: a clock moved back writes earlier times later) */
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        rc = -1;
    ddb_store_iter_close(it);
    return rc;
}
