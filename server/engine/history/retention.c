/*
 * server/engine/history/retention.c: the memory budget's counts (see retention.h).
 */
#include "server/engine/history/retention.h"

#include <stdlib.h>

#include "server/base/be.h"

struct ddb_retention {
    uint64_t limit[DDB_RET__COUNT];
    uint64_t used[DDB_RET__COUNT]; /* atomic: every HTTP thread's commits add */
};

static const char *const NAMES[DDB_RET__COUNT] = {
#define X(id, name, eighths) name,
    DDB_RETAINED_KINDS(X)
#undef X
};
static const unsigned EIGHTHS[DDB_RET__COUNT] = {
#define X(id, name, eighths) eighths,
    DDB_RETAINED_KINDS(X)
#undef X
};

ddb_retention *ddb_retention_new(uint64_t budget)
{
    ddb_retention *r = calloc(1, sizeof(*r));

    for (int k = 0; r != NULL && k < DDB_RET__COUNT; k++) /* a budget under 8 bytes still limits */
        r->limit[k] = budget == 0 ? 0 : budget / 8 * EIGHTHS[k] > 0 ? budget / 8 * EIGHTHS[k] : 1;
    return r;
}

void ddb_retention_free(ddb_retention *r)
{
    free(r);
}

void ddb_retention_reset(ddb_retention *r)
{
    for (int k = 0; r != NULL && k < DDB_RET__COUNT; k++)
        __atomic_store_n(&r->used[k], 0, __ATOMIC_RELAXED);
}

uint64_t ddb_retention_limit(const ddb_retention *r, ddb_retained_kind k)
{
    return r != NULL ? r->limit[k] : 0;
}

uint64_t ddb_retention_used(const ddb_retention *r, ddb_retained_kind k)
{
    return r != NULL ? __atomic_load_n(&r->used[k], __ATOMIC_RELAXED) : 0;
}

uint64_t ddb_retention_excess(const ddb_retention *r, ddb_retained_kind k)
{
    uint64_t used = ddb_retention_used(r, k), limit = ddb_retention_limit(r, k);

    return limit != 0 && used > limit ? used - DDB_RETENTION_TARGET(limit) : 0;
}

int ddb_retention_add(ddb_retention *r, ddb_retained_kind k, uint64_t bytes)
{
    uint64_t before;

    if (r == NULL || bytes == 0)
        return 0;
    before = __atomic_fetch_add(&r->used[k], bytes, __ATOMIC_RELAXED);
    if (r->limit[k] == 0 || before + bytes <= r->limit[k])
        return 0;
    /* the commit that crosses the limit wakes the trim, and so does each that crosses another
       quarter of it above: a trim that could not free enough (a history whose base is still being
       copied) is tried again as the kind grows, not once per commit */
    return before <= r->limit[k] || before / (r->limit[k] / 4 + 1) != (before + bytes) / (r->limit[k] / 4 + 1);
}

void ddb_retention_sub(ddb_retention *r, ddb_retained_kind k, uint64_t bytes)
{
    uint64_t cur;

    if (r == NULL || bytes == 0)
        return;
    cur = __atomic_load_n(&r->used[k], __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&r->used[k], &cur, cur > bytes ? cur - bytes : 0, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
}

uint64_t ddb_retention_record_bytes(size_t klen, size_t vlen)
{
    return (uint64_t)klen + vlen;
}

uint64_t ddb_retention_batch_bytes(const ddb_batch *b, size_t from)
{
    uint64_t n = 0;

    for (size_t i = from; i < b->n; i++) {
        if (b->ops[i].sequenced)
            n += ddb_retention_record_bytes(b->ops[i].klen + 8, b->ops[i].vlen);
    }
    return n;
}

uint64_t ddb_retention_count_seq(ddb_store *s, uint32_t ks)
{
    char lo[4], hi[4];

    ddb_put_be(lo, ks, 4);
    ddb_put_be(hi, (uint64_t)ks + 1, 4);
    return ddb_retention_count_seq_range(s, lo, sizeof(lo), hi, sizeof(hi));
}

uint64_t ddb_retention_count_seq_range(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store_iter *it = ddb_store_seq_iter_open(s, lo, lolen, hi, hilen, 0);
    uint64_t bytes = 0;

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        ddb_store_iter_key(it, &klen);
        ddb_store_iter_val(it, &vlen);
        bytes += ddb_retention_record_bytes(klen, vlen);
    }
    ddb_store_iter_close(it);
    return bytes;
}

const char *ddb_retained_kind_name(ddb_retained_kind k)
{
    return NAMES[k];
}

void ddb_retention_metrics(const ddb_retention *r, ddb_buf *out)
{
    if (r == NULL)
        return;
    ddb_buf_puts(out, "# HELP ddbd_retained_bytes Bytes of history kept beyond the tables (keys and values), by "
                      "kind.\n# TYPE ddbd_retained_bytes gauge\n");
    for (int k = 0; k < DDB_RET__COUNT; k++)
        ddb_buf_printf(out, "ddbd_retained_bytes{kind=\"%s\"} %llu\n", NAMES[k],
                       (unsigned long long)ddb_retention_used(r, (ddb_retained_kind)k));
    ddb_buf_puts(out, "# HELP ddbd_retained_limit_bytes The memory budget's limit of each kind (--memory-budget; 0: "
                      "none): past it the oldest entries are trimmed.\n# TYPE ddbd_retained_limit_bytes gauge\n");
    for (int k = 0; k < DDB_RET__COUNT; k++)
        ddb_buf_printf(out, "ddbd_retained_limit_bytes{kind=\"%s\"} %llu\n", NAMES[k],
                       (unsigned long long)r->limit[k]);
}
