/*
 * server/storage/sequencer.c: per-prefix sequence numbers (see sequencer.h).
 */
#include "server/storage/sequencer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/storage/prefix_map.h"

struct ddb_seq_entry {
    ddb_prefix_entry head; /* its lock guards `done`; numbers are taken and mostly completed without it */
    uint64_t last;         /* the last number given (atomic) */
    uint64_t visible;      /* every number up to this one is done (atomic) */
    uint64_t *done;        /* numbers done above visible + 1 (few: the writes still in flight); head.lock */
    size_t ndone, cap;
    size_t npending;       /* ndone, read without the lock by the lock-free path */
};

struct ddb_sequencer {
    ddb_prefix_map entries;
    ddb_seq_load load;
    void *ctx;
};

ddb_sequencer *ddb_sequencer_new(ddb_seq_load load, void *ctx)
{
    ddb_sequencer *q = ddb_zalloc(sizeof(*q));

    ddb_prefix_map_init(&q->entries);
    q->load = load;
    q->ctx = ctx;
    return q;
}

static void entry_drop(ddb_prefix_entry *e)
{
    free(((ddb_seq_entry *)e)->done);
}

void ddb_sequencer_free(ddb_sequencer *q)
{
    if (q == NULL)
        return;
    ddb_prefix_map_destroy(&q->entries, entry_drop);
    free(q);
}

/* A prefix's first use: its last number, loaded from the store. */
static void entry_made(ddb_prefix_entry *pe, void *ctx)
{
    ddb_seq_entry *e = (ddb_seq_entry *)pe;
    ddb_sequencer *q = ctx;

    e->last = e->visible = q->load(q->ctx, pe->prefix, pe->plen);
}

static ddb_seq_entry *entry_of(ddb_sequencer *q, const char *prefix, size_t plen)
{
    return (ddb_seq_entry *)ddb_prefix_map_get(&q->entries, prefix, plen, sizeof(ddb_seq_entry), entry_made, q);
}

void ddb_sequencer_begin(ddb_sequencer *q, const ddb_batch *b, uint64_t *nums, ddb_seq_hold *h)
{
    h->entries = ddb_arena_calloc(b->arena, sizeof(*h->entries) * (b->n ? b->n : 1));
    h->nums = ddb_arena_calloc(b->arena, sizeof(*h->nums) * (b->n ? b->n : 1));
    h->n = 0;
    for (size_t i = 0; i < b->n; i++) {
        ddb_seq_entry *e;
        if (!b->ops[i].sequenced)
            continue;
        e = entry_of(q, b->ops[i].key, b->ops[i].klen);
        nums[i] = __atomic_add_fetch(&e->last, 1, __ATOMIC_SEQ_CST);
        h->entries[h->n] = e;
        h->nums[h->n++] = nums[i];
    }
}

/* Moves the watermark over the done numbers that now follow it. Under e->head.lock. */
static void drain(ddb_seq_entry *e)
{
    for (size_t i = 0; i < e->ndone;) {
        uint64_t v = __atomic_load_n(&e->visible, __ATOMIC_SEQ_CST);
        if (e->done[i] == v + 1 && __atomic_compare_exchange_n(&e->visible, &v, v + 1, 0, __ATOMIC_SEQ_CST,
                                                                 __ATOMIC_SEQ_CST)) {
            e->done[i] = e->done[--e->ndone];
            __atomic_store_n(&e->npending, e->ndone, __ATOMIC_SEQ_CST);
            i = 0;
        } else {
            i++;
        }
    }
}

/*
 * Marks `num` done. The common case, the next number after the watermark with none waiting,
 * takes no lock: one compare-and-swap. Otherwise the number waits in `done` under the lock, and
 * whoever moves the watermark drains what then follows it (the one that appends drains after
 * appending; the lock-free one checks for waiting numbers after its swap), so none is stranded.
 */
static void complete(ddb_seq_entry *e, uint64_t num)
{
    uint64_t expect = num - 1;

    if (__atomic_compare_exchange_n(&e->visible, &expect, num, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        if (__atomic_load_n(&e->npending, __ATOMIC_SEQ_CST) == 0)
            return;
        pthread_mutex_lock(&e->head.lock);
        drain(e);
        pthread_mutex_unlock(&e->head.lock);
        return;
    }
    pthread_mutex_lock(&e->head.lock);
    DDB_ROOM(e->done, e->ndone, e->cap, 16);
    e->done[e->ndone++] = num;
    __atomic_store_n(&e->npending, e->ndone, __ATOMIC_SEQ_CST);
    drain(e); /* the watermark may have reached it meanwhile */
    pthread_mutex_unlock(&e->head.lock);
}

void ddb_sequencer_end(ddb_seq_hold *h)
{
    for (size_t k = 0; k < h->n; k++)
        complete(h->entries[k], h->nums[k]);
    h->n = 0;
}

uint64_t ddb_sequencer_last(ddb_sequencer *q, const char *prefix, size_t plen)
{
    return __atomic_load_n(&entry_of(q, prefix, plen)->visible, __ATOMIC_SEQ_CST);
}

void ddb_sequencer_floor(ddb_sequencer *q, const char *prefix, size_t plen, uint64_t floor)
{
    ddb_seq_entry *e = entry_of(q, prefix, plen);
    uint64_t last = __atomic_load_n(&e->last, __ATOMIC_SEQ_CST);

    pthread_mutex_lock(&e->head.lock);
    /* only when nothing is in flight above the floor: numbers given are never taken back */
    while (last < floor && !__atomic_compare_exchange_n(&e->last, &last, floor, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    if (__atomic_load_n(&e->last, __ATOMIC_SEQ_CST) == floor && __atomic_load_n(&e->visible, __ATOMIC_SEQ_CST) < floor)
        __atomic_store_n(&e->visible, floor, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&e->head.lock);
}

int ddb_sequencer_stored_max(ddb_store *s, const char *prefix, size_t plen, uint64_t *last)
{
    char hi[40];
    size_t hilen = plen;
    ddb_store_iter *it;
    int rc;

    if (plen > sizeof(hi))
        abort(); /* the engine's prefixes are 12 bytes */
    memcpy(hi, prefix, plen);
    while (hilen > 0 && (unsigned char)hi[hilen - 1] == 0xff)
        hilen--;
    if (hilen == 0)
        abort(); /* an all-0xff prefix has no upper bound: the engine never makes one */
    hi[hilen - 1]++;
    *last = 0;
    it = ddb_store_seq_iter_open(s, prefix, plen, hi, hilen, 1);
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (klen >= 8)
            *last = ddb_get_be(k + klen - 8, 8);
    }
    rc = ddb_store_iter_valid(it) ? DDB_STORE_OK : ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

#define FLOOR_KEY "ddbd/seqfloor/"
#define FLOOR_KEY_LEN (sizeof(FLOOR_KEY) - 1)

char *ddb_sequencer_floor_key(ddb_arena *a, const char *prefix, size_t plen, size_t *klen)
{
    char *k = ddb_arena_alloc(a, FLOOR_KEY_LEN + plen);

    memcpy(k, FLOOR_KEY, FLOOR_KEY_LEN);
    memcpy(k + FLOOR_KEY_LEN, prefix, plen);
    *klen = FLOOR_KEY_LEN + plen;
    return k;
}

uint64_t ddb_sequencer_load_stored(void *ctx, const char *prefix, size_t plen)
{
    ddb_store *s = ctx;
    uint64_t last;
    ddb_arena a;
    size_t klen, vlen;
    char *k, *v;

    ddb_sequencer_stored_max(s, prefix, plen, &last); /* 0 on an error: nothing stored is known */
    ddb_arena_init(&a);
    k = ddb_sequencer_floor_key(&a, prefix, plen, &klen);
    if (ddb_store_meta_get(s, &a, k, klen, &v, &vlen) == DDB_STORE_OK && v != NULL && vlen == 8 && ddb_get_be(v, 8) > last)
        last = ddb_get_be(v, 8);
    ddb_arena_free(&a);
    return last;
}
