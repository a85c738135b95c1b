/*
 * server/storage/sequencer.c: per-prefix sequence numbers (see sequencer.h).
 */
#include "sequencer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PREFIX 32

struct ddb_seq_entry {
    char prefix[MAX_PREFIX];
    size_t plen;
    uint64_t last;
    pthread_mutex_t lock; /* held from numbering to the end of the write */
    ddb_seq_entry *next;  /* hash chain */
};

#define BUCKETS 256

struct ddb_sequencer {
    pthread_mutex_t lock; /* the table of entries (entries are never removed) */
    ddb_seq_entry *buckets[BUCKETS];
    ddb_seq_load load;
    void *ctx;
};

ddb_sequencer *ddb_sequencer_new(ddb_seq_load load, void *ctx)
{
    ddb_sequencer *q = calloc(1, sizeof(*q));

    if (q == NULL)
        abort();
    pthread_mutex_init(&q->lock, NULL);
    q->load = load;
    q->ctx = ctx;
    return q;
}

void ddb_sequencer_free(ddb_sequencer *q)
{
    if (q == NULL)
        return;
    for (int i = 0; i < BUCKETS; i++) {
        for (ddb_seq_entry *e = q->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            pthread_mutex_destroy(&e->lock);
            free(e);
        }
    }
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static unsigned bucket_of(const char *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h % BUCKETS;
}

/* The entry of a prefix, made (its last number loaded from the store) on first use. */
static ddb_seq_entry *entry_of(ddb_sequencer *q, const char *prefix, size_t plen)
{
    unsigned b = bucket_of(prefix, plen);
    ddb_seq_entry *e;

    if (plen > MAX_PREFIX)
        abort(); /* the engine's stream prefixes are 12 bytes */
    pthread_mutex_lock(&q->lock);
    for (e = q->buckets[b]; e != NULL; e = e->next) {
        if (e->plen == plen && memcmp(e->prefix, prefix, plen) == 0)
            break;
    }
    if (e == NULL) {
        if ((e = calloc(1, sizeof(*e))) == NULL)
            abort();
        memcpy(e->prefix, prefix, plen);
        e->plen = plen;
        e->last = q->load(q->ctx, prefix, plen);
        pthread_mutex_init(&e->lock, NULL);
        e->next = q->buckets[b];
        q->buckets[b] = e;
    }
    pthread_mutex_unlock(&q->lock);
    return e;
}

static int entry_cmp(const void *x, const void *y)
{
    const ddb_seq_entry *a = *(ddb_seq_entry *const *)x, *b = *(ddb_seq_entry *const *)y;
    size_t n = a->plen < b->plen ? a->plen : b->plen;
    int c = memcmp(a->prefix, b->prefix, n);

    return c != 0 ? c : (a->plen > b->plen) - (a->plen < b->plen);
}

void ddb_sequencer_begin(ddb_sequencer *q, const ddb_batch *b, uint64_t *nums, ddb_seq_hold *h)
{
    ddb_seq_entry **of = ddb_arena_calloc(b->arena, sizeof(*of) * (b->n ? b->n : 1));

    h->entries = ddb_arena_calloc(b->arena, sizeof(*h->entries) * (b->n ? b->n : 1));
    h->n = 0;
    for (size_t i = 0; i < b->n; i++) {
        int seen = 0;
        if (!b->ops[i].sequenced)
            continue;
        of[i] = entry_of(q, b->ops[i].key, b->ops[i].klen);
        for (size_t k = 0; k < h->n && !seen; k++)
            seen = h->entries[k] == of[i];
        if (!seen)
            h->entries[h->n++] = of[i];
    }
    qsort(h->entries, h->n, sizeof(*h->entries), entry_cmp);
    for (size_t k = 0; k < h->n; k++)
        pthread_mutex_lock(&h->entries[k]->lock);
    for (size_t i = 0; i < b->n; i++) {
        if (b->ops[i].sequenced)
            nums[i] = ++of[i]->last;
    }
}

void ddb_sequencer_end(ddb_seq_hold *h)
{
    for (size_t k = h->n; k > 0; k--)
        pthread_mutex_unlock(&h->entries[k - 1]->lock);
    h->n = 0;
}

uint64_t ddb_sequencer_last(ddb_sequencer *q, const char *prefix, size_t plen)
{
    ddb_seq_entry *e = entry_of(q, prefix, plen);
    uint64_t last;

    pthread_mutex_lock(&e->lock);
    last = e->last;
    pthread_mutex_unlock(&e->lock);
    return last;
}

void ddb_sequencer_floor(ddb_sequencer *q, const char *prefix, size_t plen, uint64_t floor)
{
    ddb_seq_entry *e = entry_of(q, prefix, plen);

    pthread_mutex_lock(&e->lock);
    if (e->last < floor)
        e->last = floor;
    pthread_mutex_unlock(&e->lock);
}
